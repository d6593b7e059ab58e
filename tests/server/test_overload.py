"""An overloaded server says "busy, retry" instead of failing or queueing without end."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI

from sync_server.app import create_app
from tests.server.conftest import make_settings, new_user, sign_in

pytestmark = pytest.mark.anyio


@pytest.fixture
async def app(database_url: str) -> AsyncIterator[FastAPI]:
    """conftest's ``app`` (and so its ``client``) with a tiny pool: one connection plus
    one overflow, and a short wait for a free one."""
    tiny = create_app(make_settings(database_url, db_pool_size=1, db_pool_timeout_seconds=0.3))
    yield tiny
    await tiny.state.engine.dispose()


async def test_requests_get_503_with_retry_after_while_every_connection_is_busy(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "busy@example.com")
    device = await sign_in(client, "busy@example.com")
    held = [await app.state.engine.connect() for _ in range(2)]  # the whole pool
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


async def test_requests_waiting_for_the_database_go_in_arrival_order(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The pool alone hands a freed connection to whichever request asks next, so under
    load a request could wait its whole timeout while later ones went through (503s at
    200 clients). Requests now queue at a first-come-first-served gate: each is served in
    the order it arrived, and one left waiting past the timeout is told "busy"."""
    await new_user(app, "queue@example.com")
    device = await sign_in(client, "queue@example.com")
    gate = app.state.db_gate
    held = 0
    while not gate.locked():  # every connection taken by requests in flight
        await gate.acquire()
        held += 1

    assert (await device.get("/v1/me")).status_code == 503  # waited 0.3 s: busy

    finished: list[int] = []

    async def request(n: int) -> None:
        response = await device.get("/v1/me")
        assert response.status_code == 200
        finished.append(n)

    waiting = []
    for n in range(4):
        waiting.append(asyncio.create_task(request(n)))
        await asyncio.sleep(0.02)  # each reaches the gate before the next one starts
    gate.release()  # one connection comes free: the requests take turns on it
    await asyncio.gather(*waiting)
    assert finished == [0, 1, 2, 3]
    for _ in range(held - 1):
        gate.release()
