"""Migration 0002 on a database of its own: events pushed before it get their quiz answers
copied, deleting the account deletes them, and the migration goes down and up again.
(Pushes after it write their own: tests/server/test_quiz_answers.py.)"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import pytest
from alembic import command

from sync_server.migrate import alembic_config
from sync_server.settings import Settings
from tests.server.conftest import _admin


@pytest.fixture
def empty_database(database_url: str) -> Iterator[str]:
    name = f"playbook_migration_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(urlsplit(database_url)._replace(path="/postgres"))
    asyncio.run(_admin(admin, f'CREATE DATABASE "{name}"'))
    try:
        yield urlunsplit(urlsplit(database_url)._replace(path=f"/{name}"))
    finally:
        asyncio.run(_admin(admin, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


async def _push_like(
    conn: asyncpg.Connection, user: uuid.UUID, detail: dict[str, Any]
) -> uuid.UUID:
    """Write an attempt event and its change row the way a push does (event first)."""
    event_id = uuid.uuid4()
    scope = f"user:{user}"
    await conn.execute(
        "INSERT INTO progress_events (id, user_id, device_id, course_id, lesson_id, type,"
        " score, seconds) VALUES ($1, $2, $3, 'c', 'l', 'attempt', 80, 10)",
        event_id,
        user,
        uuid.uuid4(),
    )
    sequence = await conn.fetchval(
        "UPDATE sync_scopes SET last_sequence = last_sequence + 1 WHERE key = $1"
        " RETURNING last_sequence",
        scope,
    )
    data = {"event_id": str(event_id), "type": "attempt", "detail": detail}
    await conn.execute(
        "INSERT INTO changes (scope, sequence, kind, entity_id, data, tombstone)"
        " VALUES ($1, $2, 'progress_event', $3, $4::jsonb, false)",
        scope,
        sequence,
        event_id,
        json.dumps(data),
    )
    return event_id


async def _answers(url: str) -> dict[uuid.UUID, tuple[str, bool | None]]:
    conn = await asyncpg.connect(url)
    try:
        rows = await conn.fetch("SELECT event_id, question_id, correct FROM quiz_answers")
        return {r["event_id"]: (r["question_id"], r["correct"]) for r in rows}
    finally:
        await conn.close()


def test_old_events_are_copied_and_the_migration_goes_down_and_up(
    empty_database: str,
) -> None:
    url = Settings(database_url=empty_database).async_database_url
    config = alembic_config(url)
    command.upgrade(config, "0001")
    user = uuid.uuid4()

    async def before() -> uuid.UUID:
        conn = await asyncpg.connect(empty_database)
        try:
            await conn.execute(
                "INSERT INTO users (id, email, display_name, password_hash)"
                " VALUES ($1, 'old@example.com', '', 'x')",
                user,
            )
            await conn.execute(
                "INSERT INTO sync_scopes (key, last_sequence, pruned_through) VALUES ($1, 0, 0)",
                f"user:{user}",
            )
            return await _push_like(conn, user, {"question_id": "q1", "correct": True})
        finally:
            await conn.close()

    old = asyncio.run(before())
    command.upgrade(config, "head")
    assert asyncio.run(_answers(empty_database)) == {old: ("q1", True)}

    async def delete_user() -> None:
        conn = await asyncpg.connect(empty_database)
        try:
            await conn.execute("DELETE FROM users WHERE id = $1", user)
        finally:
            await conn.close()

    asyncio.run(delete_user())
    assert asyncio.run(_answers(empty_database)) == {}

    command.downgrade(config, "0001")
    command.upgrade(config, "head")
    assert asyncio.run(_answers(empty_database)) == {}
