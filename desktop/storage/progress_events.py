"""Reading and appending progress events. Rows are never updated or deleted here."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Collection, Iterable
from datetime import datetime
from typing import Any, NamedTuple

from desktop.storage.values import db_time, db_uuid, py_bool, py_time, py_uuid

# What a reader needs to rebuild an event, in EventRow's order.
_COLUMNS = (
    "id, kind, course_id, lesson_id, slide_id, question_id, correct, score, seconds, occurred_at"
)
_INSERT = (
    "INSERT INTO progress_events (id, kind, course_id, lesson_id, slide_id, question_id,"
    " correct, score, seconds, occurred_at, device_id, synced)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0)"
    " ON CONFLICT (id) DO NOTHING"
)


class EventRow(NamedTuple):
    id: uuid.UUID
    kind: str
    course_id: str
    lesson_id: str
    slide_id: str | None
    question_id: str | None
    correct: bool | None
    score: float | None
    seconds: float
    occurred_at: datetime


def append_events(conn: sqlite3.Connection, events: Iterable[EventRow], device_id: str) -> int:
    """Insert events (one executemany) recorded on ``device_id``; an event whose ``id``
    is already stored is skipped, so appending the same events twice (a retried sync
    pull, say) is harmless. Returns how many were new."""
    rows = [
        (
            db_uuid(e.id),
            e.kind,
            e.course_id,
            e.lesson_id,
            e.slide_id,
            e.question_id,
            None if e.correct is None else int(e.correct),
            e.score,
            e.seconds,
            db_time(e.occurred_at),
            device_id,
        )
        for e in events
    ]
    if not rows:
        return 0
    cursor = conn.executemany(_INSERT, rows)
    return max(cursor.rowcount, 0)  # rows skipped as duplicates change nothing


def events(conn: sqlite3.Connection, course_id: str | None = None) -> list[EventRow]:
    """Events in local order, optionally of one course. (Progress is read from the
    roll-up, ``storage.analytics.iter_lesson_rollup``; this is the history itself.)"""
    if course_id is None:
        cursor = conn.execute(f"SELECT {_COLUMNS} FROM progress_events ORDER BY seq")
    else:
        cursor = conn.execute(
            f"SELECT {_COLUMNS} FROM progress_events WHERE course_id = ? ORDER BY seq",
            (course_id,),
        )
    return [_event(row) for row in cursor]


def count_of_kind(
    conn: sqlite3.Connection, kind: str, course_id: str, lesson_id: str, question_id: str
) -> int:
    (count,) = conn.execute(
        "SELECT count(*) FROM progress_events"
        " WHERE course_id = ? AND lesson_id = ? AND question_id = ? AND kind = ?",
        (course_id, lesson_id, question_id, str(kind)),
    ).fetchone()
    return int(count)


def latest(
    conn: sqlite3.Connection, kinds: Collection[str], course_id: str | None = None, limit: int = 1
) -> list[EventRow]:
    """The newest events of the given kinds (newest first), optionally in one course."""
    kind_list = [str(k) for k in kinds]
    where = "kind = ?" if len(kind_list) == 1 else f"kind IN ({', '.join('?' * len(kind_list))})"
    params: list[object] = list(kind_list)
    if course_id is not None:
        where += " AND course_id = ?"
        params.append(course_id)
    params.append(limit)
    cursor = conn.execute(
        f"SELECT {_COLUMNS} FROM progress_events WHERE {where} ORDER BY seq DESC LIMIT ?",
        params,
    )
    return [_event(row) for row in cursor]


def _event(row: Any) -> EventRow:
    id, kind, course_id, lesson_id, slide_id, question_id, correct, score, seconds, at = row
    return EventRow(
        py_uuid(id),
        kind,
        course_id,
        lesson_id,
        slide_id,
        question_id,
        py_bool(correct),
        score,
        seconds,
        py_time(at),
    )
