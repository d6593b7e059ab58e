"""Real PostgreSQL for the server tests: one fresh database per run, built by the real
Alembic migrations and dropped afterwards; tables emptied before each test."""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server import accounts, teams
from sync_server.app import create_app
from sync_server.migrate import upgrade
from sync_server.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync_server.settings import Settings

DEFAULT_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
SECRET = "test-secret-key-0123456789abcdef"
PASSWORD = "correct horse battery"
TABLES = (
    "rate_limit_hits, template_conflicts, template_revisions, templates, records, "
    "progress_events, applied_mutations, changes, sync_scopes, invitations, memberships, "
    "teams, refresh_tokens, token_families, devices, users"
)


def _with_database(url: str, name: str) -> str:
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{name}"))


async def _admin(url: str, sql: str) -> None:
    connection = await asyncpg.connect(url, timeout=5)
    try:
        await connection.execute(sql)
    finally:
        await connection.close()


@pytest.fixture(scope="session")
def database_url() -> Iterator[str]:
    admin = os.environ.get("PLAYBOOK_TEST_DATABASE_URL", DEFAULT_ADMIN_URL)
    name = f"playbook_test_{uuid.uuid4().hex[:12]}"
    try:
        asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    except (TimeoutError, OSError, asyncpg.PostgresError) as exc:
        pytest.fail(
            f"The server tests need PostgreSQL and could not reach {admin} ({exc}).\n"
            "Start one (Debian: pg_ctlcluster 15 main start; Docker: docker run -d -p 5432:5432 "
            "-e POSTGRES_HOST_AUTH_METHOD=trust postgres:15) or point "
            "PLAYBOOK_TEST_DATABASE_URL at a server where you may create databases.",
            pytrace=False,
        )
    url = _with_database(admin, name)
    try:
        upgrade(Settings(database_url=url).async_database_url)
        yield url
    finally:
        asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


@pytest.fixture
def anyio_backend() -> str:
    return "asyncio"


def make_settings(database_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = {
        "database_url": database_url,
        "secret_key": SECRET,
        "login_attempts_per_minute": 1000,
        "push_requests_per_minute": 10_000,
        "db_pool_size": 5,
    }
    values.update(overrides)
    return Settings(**values)


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    application = create_app(make_settings(database_url))
    async with application.state.sessions() as session:
        await session.execute(text(f"TRUNCATE {TABLES} CASCADE"))
        await session.commit()
    yield application
    await application.state.engine.dispose()


@pytest.fixture
async def client(app: FastAPI) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver",
        headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)},
    ) as c:
        yield c


@dataclass
class Device:
    """One signed-in device as a test drives it."""

    client: httpx.AsyncClient
    user_id: str
    device_id: str
    access_token: str
    refresh_token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.access_token}"}

    @property
    def scope(self) -> str:
        return f"user:{self.user_id}"

    async def get(self, path: str, **kw: Any) -> httpx.Response:
        return await self.client.get(path, headers=self.headers, **kw)

    async def post(self, path: str, json: Any = None) -> httpx.Response:
        return await self.client.post(path, headers=self.headers, json=json)

    async def push(self, *mutations: dict[str, Any]) -> list[dict[str, Any]]:
        r = await self.post("/v1/sync/push", {"device_id": self.device_id, "mutations": mutations})
        assert r.status_code == 200, r.text
        return r.json()["results"]  # type: ignore[no-any-return]

    async def pull(self, cursors: dict[str, int], limit: int = 500) -> dict[str, Any]:
        r = await self.post("/v1/sync/pull", {"cursors": cursors, "limit": limit})
        assert r.status_code == 200, r.text
        return r.json()  # type: ignore[no-any-return]


async def new_user(app: FastAPI, email: str) -> str:
    async with app.state.sessions() as session:
        user = await accounts.create_user(session, email, PASSWORD)
        await session.commit()
        return str(user.id)


async def new_team(app: FastAPI, owner_id: str, members: dict[str, str] | None = None) -> str:
    session: AsyncSession
    async with app.state.sessions() as session:
        team = await teams.create_team(session, "Marketing", uuid.UUID(owner_id))
        for user_id, role in (members or {}).items():
            await teams.set_member(session, team.id, uuid.UUID(user_id), role)
        await session.commit()
        return str(team.id)


async def sign_in(client: httpx.AsyncClient, email: str, device: str = "laptop") -> Device:
    r = await client.post(
        "/v1/auth/login", json={"email": email, "password": PASSWORD, "device_name": device}
    )
    assert r.status_code == 200, r.text
    body = r.json()
    return Device(
        client, body["user_id"], body["device_id"], body["access_token"], body["refresh_token"]
    )
