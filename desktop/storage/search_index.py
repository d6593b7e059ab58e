"""The FTS5 full-text index of every slide, and the fingerprints of indexed courses.

Callers pass ready-made FTS5 query expressions and plain-text rows; turning user text and
Markdown into those is the search service's job.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable
from datetime import datetime
from typing import NamedTuple

from desktop.storage.values import db_time

# The FTS5 virtual table (created by raw SQL in the first migration; it has no model).
FTS_TABLE = "search_index"


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


_UPSERT_COURSE = (
    "INSERT INTO search_courses (course_id, fingerprint, indexed_at) VALUES (?, ?, ?)"
    " ON CONFLICT (course_id) DO UPDATE"
    " SET fingerprint = excluded.fingerprint, indexed_at = excluded.indexed_at"
)


def fingerprint(conn: sqlite3.Connection, course_id: str) -> str | None:
    row = conn.execute(
        "SELECT fingerprint FROM search_courses WHERE course_id = ?", (course_id,)
    ).fetchone()
    return None if row is None else str(row[0])


def course_ids(conn: sqlite3.Connection) -> set[str]:
    return {str(course_id) for (course_id,) in conn.execute("SELECT course_id FROM search_courses")}


def replace_course(
    conn: sqlite3.Connection,
    course_id: str,
    fingerprint: str,
    slides: Iterable[IndexedSlide],
    now: datetime,
) -> None:
    """Swap a course's slides in the index for ``slides`` (in the caller's transaction,
    with one executemany) and remember the fingerprint they were built from."""
    conn.execute(_DELETE, (course_id,))
    conn.executemany(_INSERT, slides)
    conn.execute(_UPSERT_COURSE, (course_id, fingerprint, db_time(now)))


def remove_course(conn: sqlite3.Connection, course_id: str) -> None:
    conn.execute(_DELETE, (course_id,))
    conn.execute("DELETE FROM search_courses WHERE course_id = ?", (course_id,))


def search(
    conn: sqlite3.Connection,
    expression: str,
    limit: int,
    *,
    mark_start: str,
    mark_end: str,
    ellipsis: str = "…",
    snippet_tokens: int = 16,
) -> list[Match]:
    """Slides matching an FTS5 ``expression``, best first, with a snippet of the body in
    which matched terms are wrapped in ``mark_start``/``mark_end``."""
    cursor = conn.execute(
        _SEARCH, (mark_start, mark_end, ellipsis, snippet_tokens, expression, limit)
    )
    return [Match._make(row) for row in cursor]
