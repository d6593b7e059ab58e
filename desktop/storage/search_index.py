"""The FTS5 full-text index of every slide, and the fingerprints of indexed courses.

Callers pass ready-made FTS5 query expressions and plain-text rows; turning user text and
Markdown into those is the search service's job.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import NamedTuple

from sqlalchemy import delete, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from desktop.storage.models import FTS_TABLE, SearchedCourseRow


class IndexedSlide(NamedTuple):
    course_id: str
    lesson_id: str
    slide_id: str
    course_title: str
    lesson_title: str
    slide_title: str
    body: str


class Match(NamedTuple):
    course_id: str
    lesson_id: str
    slide_id: str
    course_title: str
    lesson_title: str
    slide_title: str
    snippet: str


# bm25 weights, one per column in table order: ids (unindexed), course title, lesson
# title, slide title, body. A word in a slide's title says more than one in its text; the
# course title is shared by every slide of the course, so it separates slides least.
RANK_WEIGHTS = (0.0, 0.0, 0.0, 2.0, 6.0, 8.0, 1.0)
BODY_COLUMN = 6

_INSERT = (
    f"INSERT INTO {FTS_TABLE} (course_id, lesson_id, slide_id, course_title, lesson_title,"
    " slide_title, body) VALUES (?, ?, ?, ?, ?, ?, ?)"
)
_DELETE = f"DELETE FROM {FTS_TABLE} WHERE course_id = ?"
_SEARCH = (
    f"SELECT course_id, lesson_id, slide_id, course_title, lesson_title, slide_title,"
    f" snippet({FTS_TABLE}, {BODY_COLUMN}, ?, ?, ?, ?)"
    f" FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH ?"
    f" ORDER BY bm25({FTS_TABLE}, {', '.join(str(w) for w in RANK_WEIGHTS)})"
    " LIMIT ?"
)


def fingerprint(session: Session, course_id: str) -> str | None:
    return session.scalar(
        select(SearchedCourseRow.fingerprint).where(SearchedCourseRow.course_id == course_id)
    )


def course_ids(session: Session) -> set[str]:
    return set(session.scalars(select(SearchedCourseRow.course_id)))


def replace_course(
    session: Session,
    course_id: str,
    fingerprint: str,
    slides: Iterable[IndexedSlide],
    now: datetime,
) -> None:
    """Swap a course's slides in the index for ``slides`` (in the caller's transaction,
    with one executemany) and remember the fingerprint they were built from."""
    conn = session.connection()
    conn.exec_driver_sql(_DELETE, (course_id,))
    rows = [tuple(s) for s in slides]
    if rows:
        conn.exec_driver_sql(_INSERT, rows)
    stmt = sqlite_insert(SearchedCourseRow).values(
        course_id=course_id, fingerprint=fingerprint, indexed_at=now
    )
    session.execute(
        stmt.on_conflict_do_update(
            index_elements=[SearchedCourseRow.course_id],
            set_={"fingerprint": stmt.excluded.fingerprint, "indexed_at": stmt.excluded.indexed_at},
        )
    )


def remove_course(session: Session, course_id: str) -> None:
    session.connection().exec_driver_sql(_DELETE, (course_id,))
    session.execute(delete(SearchedCourseRow).where(SearchedCourseRow.course_id == course_id))


def search(
    session: Session,
    expression: str,
    limit: int,
    *,
    mark_start: str,
    mark_end: str,
    ellipsis: str = "…",
    snippet_tokens: int = 16,
) -> Sequence[Match]:
    """Slides matching an FTS5 ``expression``, best first, with a snippet of the body in
    which matched terms are wrapped in ``mark_start``/``mark_end``."""
    result = session.connection().exec_driver_sql(
        _SEARCH, (mark_start, mark_end, ellipsis, snippet_tokens, expression, limit)
    )
    return [Match(*row) for row in result]
