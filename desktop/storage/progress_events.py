"""Reading and appending progress events. Rows are never updated or deleted here."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Mapping, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import func, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop.storage.models import ProgressEventRow as E

# What a reader needs to rebuild an event, in this order.
EVENT_COLUMNS = (
    E.id,
    E.kind,
    E.course_id,
    E.lesson_id,
    E.slide_id,
    E.question_id,
    E.correct,
    E.score,
    E.seconds,
    E.occurred_at,
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


def append_events(session: Session, events: Sequence[Mapping[str, object]]) -> int:
    """Insert events; an event whose ``id`` is already stored is skipped, so appending
    the same events twice (a retried sync pull, say) is harmless. Returns how many were
    new."""
    if not events:
        return 0
    before = session.scalar(select(func.max(E.seq))) or 0
    session.execute(sqlite_insert(E).on_conflict_do_nothing(index_elements=[E.id]), list(events))
    return int(session.scalar(select(func.count()).where(E.seq > before)) or 0)


def events(
    session: Session, course_id: str | None = None, lesson_id: str | None = None
) -> list[EventRow]:
    """Events in local order, optionally of one course (and one lesson of it)."""
    stmt = select(*EVENT_COLUMNS).order_by(E.seq)
    if course_id is not None:
        stmt = stmt.where(E.course_id == course_id)
        if lesson_id is not None:
            stmt = stmt.where(E.lesson_id == lesson_id)
    return [EventRow._make(row) for row in session.execute(stmt)]


def count_of_kind(
    session: Session, kind: str, course_id: str, lesson_id: str, question_id: str
) -> int:
    stmt = select(func.count()).where(
        E.course_id == course_id,
        E.lesson_id == lesson_id,
        E.question_id == question_id,
        E.kind == kind,
    )
    return int(session.scalar(stmt) or 0)


def latest(
    session: Session, kinds: Collection[str], course_id: str | None = None, limit: int = 1
) -> list[EventRow]:
    """The newest events of the given kinds (newest first), optionally in one course."""
    stmt = select(*EVENT_COLUMNS).order_by(E.seq.desc()).limit(limit)
    if len(kinds) == 1:
        stmt = stmt.where(E.kind == next(iter(kinds)))
    else:
        stmt = stmt.where(E.kind.in_(list(kinds)))
    if course_id is not None:
        stmt = stmt.where(E.course_id == course_id)
    return [EventRow._make(row) for row in session.execute(stmt)]
