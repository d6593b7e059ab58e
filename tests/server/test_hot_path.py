"""The sync hot path stays lean: database round trips per push and pull, one read-only
snapshot for a pull, and the rate limit still counts refused pushes (it rides in the push's own
transaction since the load work)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import event

from tests.server.conftest import new_user, sign_in

pytestmark = pytest.mark.anyio


@contextmanager
def statements(app: FastAPI) -> Iterator[list[str]]:
    """Every SQL statement the app sends while the block runs (BEGIN, COMMIT and ROLLBACK
    included: asyncpg sends them as statements of their own)."""
    seen: list[str] = []
    engine = app.state.engine.sync_engine

    def on_execute(*args: Any) -> None:
        seen.append(str(args[2]).split()[0].upper())

    def on_begin(conn: Any) -> None:
        if conn.get_isolation_level() != "AUTOCOMMIT" and not _autocommit(conn):
            level = conn.get_execution_options().get("isolation_level")
            seen.append(f"BEGIN {level}" if level else "BEGIN")

    def on_commit(conn: Any) -> None:
        if not _autocommit(conn):
            seen.append("COMMIT")

    def on_rollback(conn: Any) -> None:
        if not _autocommit(conn):
            seen.append("ROLLBACK")

    hooks = {
        "before_cursor_execute": on_execute,
        "begin": on_begin,
        "commit": on_commit,
        "rollback": on_rollback,
    }
    for name, fn in hooks.items():
        event.listen(engine, name, fn)
    try:
        yield seen
    finally:
        for name, fn in hooks.items():
            event.remove(engine, name, fn)


def _autocommit(conn: Any) -> bool:
    return bool(conn.get_execution_options().get("isolation_level") == "AUTOCOMMIT")


def _event(scope: str) -> dict[str, Any]:
    return {
        "kind": "progress_event",
        "mutation_id": str(uuid.uuid4()),
        "scope": scope,
        "event_id": str(uuid.uuid4()),
        "course_id": "c",
        "lesson_id": "l",
        "type": "attempt",
        "score": 70,
        "seconds": 30,
    }


async def test_a_sync_costs_few_round_trips_and_a_pull_reads_one_snapshot(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "fast@example.com")
    device = await sign_in(client, "fast@example.com")
    await device.push(_event(device.scope))
    cursors = (await device.pull({}))["cursors"]
    with statements(app) as push_sql:
        await device.push(_event(device.scope))
    with statements(app) as pull_sql:
        page = await device.pull(cursors)
    assert len(page["changes"]) == 1
    # auth (session + device + roles), rate-limit count, scope lock, stored results and
    # known events (one query), the four writes: one transaction, one commit.
    assert push_sql == [
        "BEGIN",
        "SELECT",
        "WITH",  # the rate-limit count, with the previous minute's read in the same statement
        "SELECT",
        "SELECT",
        "INSERT",
        "INSERT",
        "UPDATE",
        "INSERT",
        "COMMIT",
    ], push_sql
    # auth, scope horizons, one page of changes, all in one read-only snapshot (a prune
    # committed between the horizons and the page must not let a cursor skip rows).
    assert pull_sql == ["BEGIN REPEATABLE READ", "SELECT", "SELECT", "SELECT", "ROLLBACK"], pull_sql


async def test_a_refused_push_still_counts_against_the_rate_limit(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "spam@example.com")
    other = await new_user(app, "victim@example.com")
    device = await sign_in(client, "spam@example.com")
    app.state.settings.push_requests_per_minute = 2
    refused = {"device_id": device.device_id, "mutations": [_event(f"user:{other}")]}
    codes = [(await device.post("/v1/sync/push", refused)).status_code for _ in range(2)]
    assert codes == [403, 403]
    ok = {"device_id": device.device_id, "mutations": [_event(device.scope)]}
    r = await device.post("/v1/sync/push", ok)
    assert r.status_code == 429
    assert r.json()["code"] == "rate_limited"


async def test_every_response_carries_a_request_id(client: httpx.AsyncClient) -> None:
    r = await client.get("/healthz", headers={"X-Request-ID": "abc123"})
    assert r.headers["X-Request-ID"] == "abc123"
    r = await client.get("/v1/me")
    assert r.status_code == 401
    assert len(r.headers["X-Request-ID"]) == 32
