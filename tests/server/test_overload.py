"""An overloaded server says "busy, retry" instead of failing or queueing without end."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from sync_server.app import create_app
from sync_server.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from tests.server.conftest import make_settings, new_user, sign_in

pytestmark = pytest.mark.anyio


@pytest.fixture
async def tiny_app(database_url: str) -> AsyncIterator[FastAPI]:
    # One connection (plus one overflow), and a short wait for a free one.
    app = create_app(make_settings(database_url, db_pool_size=1, db_pool_timeout_seconds=0.3))
    yield app
    await app.state.engine.dispose()


async def test_requests_get_503_with_retry_after_while_every_connection_is_busy(
    tiny_app: FastAPI,
) -> None:
    await new_user(tiny_app, "busy@example.com")
    transport = httpx.ASGITransport(app=tiny_app)
    async with httpx.AsyncClient(
        transport=transport,
        base_url="http://testserver",
        headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)},
    ) as client:
        device = await sign_in(client, "busy@example.com")
        held = [await tiny_app.state.engine.connect() for _ in range(2)]  # the whole pool
        try:
            busy = await device.get("/v1/me")
        finally:
            for conn in held:
                await conn.close()
        assert busy.status_code == 503
        assert busy.headers["Retry-After"] == "2"
        assert busy.json()["code"] == "server_busy"
        assert "safe" in busy.json()["message"]
        # Once connections are free again, the same request works.
        assert (await device.get("/v1/me")).status_code == 200
