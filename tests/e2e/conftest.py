"""End to end: the real sync server (uvicorn in its own process, on 127.0.0.1) on the
real PostgreSQL (a fresh database per run, built by the real migrations: the fixtures of
tests/server), and desktop clients each with its own data folder and in-memory keyring.
"""

from __future__ import annotations

import asyncio
import os
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Coroutine, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, TypeVar

import asyncpg
import httpx
import pytest

from desktop.integrations.secrets import MemorySecrets
from desktop.services.account import AccountService
from desktop.services.sync import SyncReport, SyncService
from desktop.services.templates import TemplateService
from desktop.storage.database import Database
from sync_server import accounts, retention, teams
from sync_server.app import create_app
from tests.server.conftest import PASSWORD, SECRET, TABLES, database_url, make_settings

__all__ = ["PASSWORD", "database_url"]  # database_url: the tests/server fixture

T = TypeVar("T")


def run(coro: Coroutine[Any, Any, T]) -> T:
    return asyncio.run(coro)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """``uvicorn sync_server.asgi:app`` in a child process, killable like a real one."""

    def __init__(self, database_url: str, **settings: object) -> None:
        self.database_url = database_url
        self.port = free_port()
        self.settings = settings
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        env = dict(
            os.environ,
            PLAYBOOK_SYNC_DATABASE_URL=self.database_url,
            PLAYBOOK_SYNC_SECRET_KEY=SECRET,
            PLAYBOOK_SYNC_LOGIN_ATTEMPTS_PER_MINUTE="1000",
            PLAYBOOK_SYNC_PUSH_REQUESTS_PER_MINUTE="100000",
            PLAYBOOK_SYNC_LOG_LEVEL="WARNING",
        )
        for key, value in self.settings.items():
            env[f"PLAYBOOK_SYNC_{key.upper()}"] = str(value)
        self.proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "uvicorn",
                "sync_server.asgi:app",
                "--host",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--log-level",
                "warning",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"the sync server exited with {self.proc.returncode}")
            try:
                if httpx.get(f"{self.url}/readyz", timeout=1).status_code == 200:
                    return
            except httpx.TransportError:
                pass
            time.sleep(0.1)
        raise RuntimeError("the sync server did not become ready in 30 s")

    def kill(self) -> None:
        """SIGKILL: no graceful shutdown, like a crashed host."""
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=10)
            self.proc = None


class ForwardingTransport(httpx.AsyncBaseTransport):
    """Sends each request to the real server over a fresh connection (each sync runs on
    its own event loop here), so a test can act before or after the server answers."""

    async def forward(self, request: httpx.Request) -> httpx.Response:
        async with httpx.AsyncHTTPTransport() as real:
            response = await real.handle_async_request(request)
            content = await response.aread()
            await response.aclose()
        return httpx.Response(response.status_code, headers=response.headers, content=content)

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        return await self.forward(request)


async def _truncate(url: str) -> None:
    conn = await asyncpg.connect(url, timeout=5)
    try:
        await conn.execute(f"TRUNCATE {TABLES} CASCADE")
    finally:
        await conn.close()


@pytest.fixture
def server(database_url: str) -> Iterator[LiveServer]:
    run(_truncate(database_url))
    live = LiveServer(database_url)
    live.start()
    yield live
    live.kill()


@pytest.fixture
def make_server(database_url: str) -> Iterator[Callable[..., LiveServer]]:
    """A server with settings of the test's choosing (``access_token_seconds=2``...)."""
    started: list[LiveServer] = []

    def make(**settings: object) -> LiveServer:
        run(_truncate(database_url))
        live = LiveServer(database_url, **settings)
        live.start()
        started.append(live)
        return live

    yield make
    for live in started:
        live.kill()


class Admin:
    """Server-side set-up through the server's own service functions."""

    def __init__(self, database_url: str) -> None:
        self.database_url = database_url

    async def _with_session(self, work: Callable[[Any], Coroutine[Any, Any, T]]) -> T:
        app = create_app(make_settings(self.database_url))
        try:
            async with app.state.sessions() as session:
                result = await work(session)
                await session.commit()
                return result
        finally:
            await app.state.engine.dispose()

    def user(self, email: str) -> uuid.UUID:
        async def work(session: Any) -> uuid.UUID:
            user = await accounts.create_user(session, email, PASSWORD)
            return user.id

        return run(self._with_session(work))

    def team(self, owner: uuid.UUID, members: dict[uuid.UUID, str] | None = None) -> uuid.UUID:
        async def work(session: Any) -> uuid.UUID:
            team = await teams.create_team(session, "Marketing", owner)
            for user_id, role in (members or {}).items():
                await teams.set_member(session, team.id, user_id, role)
            return team.id

        return run(self._with_session(work))

    def prune(self) -> None:
        """Apply a retention of zero days: every superseded change and tombstone goes."""

        async def work(session: Any) -> None:
            await retention.prune(session, 0, datetime.now(UTC) + timedelta(seconds=1))

        run(self._with_session(work))

    def remove(self, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
        async def work(session: Any) -> None:
            await teams.remove_member(session, team_id, user_id)

        run(self._with_session(work))


@pytest.fixture
def admin(database_url: str) -> Admin:
    return Admin(database_url)


@dataclass
class Client:
    """One desktop install: its own data folder, database and keyring."""

    db: Database
    secrets: MemorySecrets
    sync: SyncService
    account: AccountService
    templates: TemplateService
    data_dir: Path

    def sign_in(self, server: LiveServer, email: str, device: str = "laptop") -> None:
        run(self.account.sign_in(server.url, email, PASSWORD, device))

    def sync_now(self) -> SyncReport:
        return run(self.sync.sync_once())


@pytest.fixture
def make_client(tmp_path: Path) -> Iterator[Callable[[str], Client]]:
    opened: list[Database] = []

    def make(name: str, transport: httpx.AsyncBaseTransport | None = None) -> Client:
        data_dir = tmp_path / name
        db = Database.open(data_dir / "playbook.sqlite3")
        opened.append(db)
        secrets = MemorySecrets()
        sync = SyncService(db, secrets, transport=transport)
        return Client(db, secrets, sync, AccountService(sync), TemplateService(db), data_dir)

    yield make
    for db in opened:
        db.close()
