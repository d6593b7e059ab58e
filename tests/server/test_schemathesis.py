"""Property-based requests generated from the OpenAPI schema: never a server error."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest
import schemathesis
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import HealthCheck, given, settings
from sqlalchemy.ext.asyncio import create_async_engine
from sqlalchemy.pool import NullPool

from sync_server.app import create_app
from sync_server.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from tests.server.conftest import PASSWORD, make_settings, new_team, new_user

AUTH: dict[str, str] = {}


@pytest.fixture(scope="module")
def fuzzed_app(database_url: str) -> FastAPI:
    config = make_settings(database_url)
    # Each generated request runs in the test client's own event loop: no pooled connections.
    engine = create_async_engine(config.async_database_url, poolclass=NullPool)
    app = create_app(config, engine)

    async def seed() -> None:
        user = await new_user(app, "fuzz@example.com")
        await new_team(app, user)

    asyncio.run(seed())
    with TestClient(app) as client:
        r = client.post(
            "/v1/auth/login",
            json={"email": "fuzz@example.com", "password": PASSWORD, "device_name": "fuzz"},
            headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)},
        )
        AUTH["Authorization"] = f"Bearer {r.json()['access_token']}"
    return app


# Schemathesis' own pytest plugin does not run on pytest 9 yet, so each operation's
# Hypothesis strategy is driven here directly.
def test_no_generated_request_gets_a_server_error(fuzzed_app: FastAPI) -> None:
    api = schemathesis.openapi.from_asgi("/openapi.json", fuzzed_app)
    failures: list[str] = []
    count = 0
    for result in api.get_all_operations():
        operation = result.ok()  # type: ignore[union-attr]

        @given(case=operation.as_strategy())
        @settings(
            max_examples=8, deadline=None, database=None, suppress_health_check=list(HealthCheck)
        )
        def run(case: Any) -> None:
            nonlocal count
            count += 1
            headers = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
            if not case.operation.path.startswith("/v1/auth/"):
                headers.update(AUTH)
            response = case.call(headers=headers)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path}: {response.status_code}")

        run()
    assert count > 50
    assert failures == []
