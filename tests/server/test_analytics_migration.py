"""Migration 0002 on a database of its own: events pushed before it get their quiz answers
copied, deleting the account deletes them, and the migration goes down and up again.
(Pushes after it write their own: tests/server/test_quiz_answers.py.)"""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import defaultdict
from collections.abc import Awaitable, Callable, Iterator
from datetime import UTC, datetime, timedelta
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


# -- migration 0003: the sums the triggers keep ------------------------------------------


async def _sums(url: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """(what the sum tables hold, what plain Python makes of the events)."""
    conn = await asyncpg.connect(url)
    try:
        events = await conn.fetch(
            "SELECT user_id, course_id, lesson_id, type, score, seconds,"
            " COALESCE(occurred_at, received_at) AS at FROM progress_events"
        )
        answers = await conn.fetch(
            "SELECT user_id, course_id, lesson_id, question_id, correct, score FROM quiz_answers"
        )
        held = {
            table: {tuple(r[:key]): tuple(r[key:]) for r in await conn.fetch(sql)}
            for table, key, sql in (
                (
                    "lessons",
                    3,
                    "SELECT user_id, course_id, lesson_id, events, completions, attempts, best,"
                    " seconds, first_at, last_at FROM analytics_lessons",
                ),
                (
                    "weeks",
                    3,
                    "SELECT user_id, course_id, week, events, completions, attempts, seconds"
                    " FROM analytics_weeks",
                ),
                (
                    "questions",
                    4,
                    "SELECT user_id, course_id, lesson_id, question_id, attempts, correct, best"
                    " FROM analytics_questions",
                ),
                (
                    "quizzes",
                    3,
                    "SELECT user_id, course_id, lesson_id, questions, questions_correct,"
                    " correct, quiz_sum, quiz_n FROM analytics_quizzes",
                ),
            )
        }
    finally:
        await conn.close()
    lessons: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    weeks: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for e in events:
        lessons[(e["user_id"], e["course_id"], e["lesson_id"])].append(e)
        monday = (e["at"] - timedelta(days=e["at"].weekday())).date()
        weeks[(e["user_id"], e["course_id"], monday)].append(e)

    def counts(evs: list[Any]) -> tuple[int, int, int]:
        types = [e["type"] for e in evs]
        return (len(evs), types.count("completion"), types.count("attempt"))

    def best(values: list[float | None]) -> float | None:
        present = [v for v in values if v is not None]
        return max(present) if present else None

    questions: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for a in answers:
        questions[(a["user_id"], a["course_id"], a["lesson_id"], a["question_id"])].append(a)
    question_sums = {
        k: (len(v), sum(1 for a in v if a["correct"]), best([a["score"] for a in v]))
        for k, v in questions.items()
    }
    quizzes: dict[tuple[Any, ...], list[Any]] = defaultdict(list)
    for k, v in question_sums.items():
        quizzes[k[:3]].append(v)
    expected = {
        "lessons": {
            k: (
                *counts(v),
                best([e["score"] for e in v]),
                sum(max(e["seconds"], 0) for e in v),
                min(e["at"] for e in v),
                max(e["at"] for e in v),
            )
            for k, v in lessons.items()
        },
        "weeks": {k: (*counts(v), sum(max(e["seconds"], 0) for e in v)) for k, v in weeks.items()},
        "questions": question_sums,
        "quizzes": {
            k: (
                len(v),
                sum(1 for q in v if q[1] > 0),
                sum(q[1] for q in v),
                sum(q[2] for q in v if q[2] is not None)
                if any(q[2] is not None for q in v)
                else None,
                sum(1 for q in v if q[2] is not None),
            )
            for k, v in quizzes.items()
        },
    }
    return held, expected


def test_the_sums_follow_every_insert_update_and_delete_and_survive_down_and_up(
    empty_database: str,
) -> None:
    url = Settings(database_url=empty_database).async_database_url
    config = alembic_config(url)
    command.upgrade(config, "0002")
    ana, ben = uuid.uuid4(), uuid.uuid4()
    monday = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)

    async def add(conn: asyncpg.Connection, rows: list[tuple[Any, ...]]) -> list[uuid.UUID]:
        """Events in one statement, like a push; attempts with a question get an answer.
        A row: user, device, course, lesson, type, score, seconds, time, question, right."""
        ids = [uuid.uuid4() for _ in rows]
        events = [(i, *r[:8]) for i, r in zip(ids, rows, strict=True)]
        await conn.execute(
            "INSERT INTO progress_events (id, user_id, device_id, course_id, lesson_id, type,"
            " score, seconds, occurred_at) SELECT * FROM unnest($1::uuid[], $2::uuid[],"
            " $3::uuid[], $4::text[], $5::text[], $6::text[], $7::float8[], $8::int[],"
            " $9::timestamptz[]) ON CONFLICT DO NOTHING",
            *([e[n] for e in events] for n in range(9)),
        )
        answers = [
            (i, r[0], r[2], r[3], r[8], r[9], r[5], r[7])
            for i, r in zip(ids, rows, strict=True)
            if r[8]
        ]
        if answers:
            await conn.executemany(
                "INSERT INTO quiz_answers (event_id, user_id, course_id, lesson_id,"
                " question_id, correct, score, at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
                answers,
            )
        return ids

    def ev(user: uuid.UUID, lesson: str, kind: str, days: int, **kw: Any) -> tuple[Any, ...]:
        at = monday + timedelta(days=days)
        return (
            user,
            uuid.uuid4(),
            "ads",
            lesson,
            kind,
            kw.get("score"),
            kw.get("seconds", 0),
            at,
            kw.get("question"),
            kw.get("correct"),
        )

    async def step(work: Callable[[asyncpg.Connection], Awaitable[Any]]) -> Any:
        conn = await asyncpg.connect(empty_database)
        try:
            return await work(conn)
        finally:
            await conn.close()

    async def before(conn: asyncpg.Connection) -> None:
        for uid, email in ((ana, "ana@example.com"), (ben, "ben@example.com")):
            await conn.execute(
                "INSERT INTO users (id, email, display_name, password_hash)"
                " VALUES ($1, $2, '', 'x')",
                uid,
                email,
            )
        await add(
            conn,
            [
                ev(ana, "l1", "attempt", 0, score=40.0, seconds=30, question="q1", correct=False),
                ev(ana, "l1", "completion", 1),
                ev(ana, "l2", "attempt", 1, score=80.0, question="q1", correct=True),
                ev(ben, "l1", "session", 9, seconds=-5),  # negative time counts as 0
            ],
        )

    def check() -> None:
        held, expected = asyncio.run(_sums(empty_database))
        assert held == expected
        assert held["lessons"]  # not two empty tables agreeing

    asyncio.run(step(before))
    command.upgrade(config, "head")  # the events already stored are summed
    check()

    async def more(conn: asyncpg.Connection) -> list[uuid.UUID]:
        return await add(
            conn,
            [
                ev(ana, "l1", "attempt", 2, score=90.0, seconds=20, question="q1", correct=True),
                ev(ana, "l1", "attempt", 8, score=None, question="q2", correct=None),
                ev(ana, "l2", "session", 8, seconds=100),  # the best stays 80
                ev(ana, "l2", "attempt", 8, score=30.0, question="q1", correct=False),
                ev(ben, "l1", "attempt", 3, score=10.0, question="q1", correct=False),
            ],
        )

    ids = asyncio.run(step(more))
    check()

    async def change(conn: asyncpg.Connection) -> None:
        # A moved event, an answer set right, a deleted event (its answer goes too).
        await conn.execute("UPDATE progress_events SET lesson_id = 'l3' WHERE id = $1", ids[2])
        await conn.execute("UPDATE quiz_answers SET correct = true WHERE event_id = $1", ids[3])
        await conn.execute("DELETE FROM progress_events WHERE id = $1", ids[0])

    asyncio.run(step(change))
    check()

    async def delete_ben(conn: asyncpg.Connection) -> int:
        await conn.execute("DELETE FROM users WHERE id = $1", ben)
        return int(
            await conn.fetchval("SELECT count(*) FROM analytics_lessons WHERE user_id = $1", ben)
        )

    assert asyncio.run(step(delete_ben)) == 0
    check()

    command.downgrade(config, "0002")
    command.upgrade(config, "head")
    check()

    async def truncate(conn: asyncpg.Connection) -> None:
        await conn.execute("TRUNCATE progress_events CASCADE")

    asyncio.run(step(truncate))
    held, _ = asyncio.run(_sums(empty_database))
    assert held == {"lessons": {}, "weeks": {}, "questions": {}, "quizzes": {}}
