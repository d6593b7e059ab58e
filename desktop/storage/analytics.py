"""The SQL behind personal analytics: every figure is aggregated in SQLite, so reading
the dashboard costs a few grouped passes, never one Python object per event.

Times are stored as naive UTC text (``YYYY-MM-DD HH:MM:SS.ffffff``), so a time range is
a text range and a prefix of the text is a UTC hour. Local days are made from UTC
buckets by the caller (:func:`desktop.domain.analytics.local_day_totals`), because
SQLite knows only the process's own time zone.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from desktop.storage.values import db_time, py_time

# A stretch of UTC time [start, end) and the local zone's UTC offset (minutes) over it.
DaySpan = tuple[datetime, datetime, int]

# -- learning ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class LessonRollup:
    """The events of one (course, lesson, kind, slide, question), folded into what the
    progress rules and the objectives need."""

    course_id: str
    lesson_id: str
    kind: str
    slide_id: str | None
    question_id: str | None
    events: int
    seconds: float
    last_at: datetime  # the latest event's time
    best_score: float | None  # None: no event with a score
    correct: int  # events with correct = 1 (right answers)


_ROLLUP_COLUMNS = (
    "course_id, lesson_id, kind, slide_id, question_id, events, seconds, last_at,"
    " best_score, correct"
)


def lesson_rollup(
    conn: sqlite3.Connection, end: datetime | None = None, course_id: str | None = None
) -> list[LessonRollup]:
    """:func:`iter_lesson_rollup`, all read."""
    return list(iter_lesson_rollup(conn, end, course_id))


def iter_lesson_rollup(
    conn: sqlite3.Connection,
    end: datetime | None = None,
    course_id: str | None = None,
    lesson_id: str | None = None,
) -> Iterator[LessonRollup]:
    """Every (course, lesson, kind, slide, question) with events before ``end``, of one
    course (and one lesson of it) if given. Without ``end`` this reads the
    ``progress_rollup`` table the insert trigger keeps (a row per group, found by its
    primary key); with one, it groups the events themselves (the slower path, for a
    range that ends in the past)."""
    if end is None:
        where, params = _range_where(None, None, course_id, lesson_id=lesson_id)
        rows = conn.execute(f"SELECT {_ROLLUP_COLUMNS} FROM progress_rollup {where}", params)
    else:
        where, params = _range_where(None, end, course_id, lesson_id=lesson_id)
        rows = conn.execute(  # in the order of ix_progress_events_rollup: no sort
            "SELECT course_id, lesson_id, kind, slide_id, question_id, count(*), total(seconds),"
            f" max(occurred_at), max(score), total(correct = 1) FROM progress_events {where}"
            " GROUP BY course_id, lesson_id, kind, slide_id, question_id",
            params,
        )
    for course, lesson, kind, slide, question, events, seconds, last, best, correct in rows:
        yield LessonRollup(
            course,
            lesson,
            kind,
            slide or None,
            question or None,
            int(events),
            float(seconds),
            py_time(last),
            best,
            int(correct),
        )


def quiz_attempts(
    conn: sqlite3.Connection,
    start: datetime | None,
    end: datetime | None,
    course_id: str | None = None,
) -> list[tuple[str, str, str, int, int, float | None]]:
    """Quiz attempts in [start, end) per question: (course, lesson, question, attempts,
    correct attempts, best score)."""
    where, params = _range_where(start, end, course_id)
    where = (where + " AND" if where else "WHERE") + " kind = 'quiz_attempt'"
    rows = conn.execute(  # in the order of ix_progress_events_rollup: no sort
        "SELECT course_id, lesson_id, question_id, count(*), total(correct = 1), max(score)"
        f" FROM progress_events {where} AND question_id IS NOT NULL"
        " GROUP BY course_id, lesson_id, kind, slide_id, question_id",
        params,
    )
    merged: dict[tuple[str, str, str], tuple[int, int, float | None]] = {}
    for course, lesson, question, n, right, best in rows:  # the same question on two slides
        tries, rights, top = merged.get((course, lesson, question), (0, 0, None))
        if top is None or (best is not None and best > top):
            top = best
        merged[(course, lesson, question)] = (tries + int(n), rights + int(right), top)
    return [(c, lesson, q, n, right, best) for (c, lesson, q), (n, right, best) in merged.items()]


def lesson_seconds(
    conn: sqlite3.Connection,
    start: datetime | None,
    end: datetime | None,
    course_id: str | None = None,
) -> dict[tuple[str, str], float]:
    """Seconds spent per (course, lesson) in [start, end), from ``progress_quarters``.
    ``start`` and ``end`` must fall on quarter hours (local midnights always do)."""
    where, params = _quarter_where(start, end, course_id)
    rows = conn.execute(
        "SELECT course_id, lesson_id, total(seconds) FROM progress_quarters"
        f" {where} GROUP BY course_id, lesson_id",
        params,
    )
    return {(c, lesson): float(s) for c, lesson, s in rows}


def activity_extent(
    conn: sqlite3.Connection, end: datetime | None = None, course_id: str | None = None
) -> tuple[datetime, datetime] | None:
    """The first quarter hour with learning before ``end`` and the end of the last one
    (UTC), or None when there is none."""
    where, params = _quarter_where(None, end, course_id)
    first, last = conn.execute(
        f"SELECT min(bucket), max(bucket) FROM progress_quarters {where}", params
    ).fetchone()
    if first is None:
        return None
    return py_time(first + ":00"), py_time(last + ":00") + timedelta(minutes=15)


def activity_days(
    conn: sqlite3.Connection, spans: Sequence[DaySpan], course_id: str | None = None
) -> dict[date, tuple[float, int]]:
    """Learning per local day: day -> (seconds, events), from ``progress_quarters``.
    ``spans`` cover the time asked for, each with the zone's constant UTC offset (in
    minutes) over it, and start and end on quarter hours."""
    days: dict[date, tuple[float, int]] = {}
    for start, end, offset in spans:
        where, params = _quarter_where(start, end, course_id)
        rows = conn.execute(
            "SELECT date(bucket, :shift) AS day, total(seconds), total(events)"
            f" FROM progress_quarters {where} GROUP BY day",
            {**params, "shift": f"{offset:+d} minutes"},
        )
        for day, seconds, events in rows:
            key = date.fromisoformat(day)
            before = days.get(key, (0.0, 0))
            days[key] = (before[0] + float(seconds), before[1] + int(events))
    return days


def _quarter_where(
    start: datetime | None, end: datetime | None, course_id: str | None
) -> tuple[str, dict[str, object]]:
    clauses: list[str] = []
    params: dict[str, object] = {}
    if start is not None:
        clauses.append("bucket >= :start")
        params["start"] = db_time(start)[:16]
    if end is not None:
        clauses.append("bucket < :end")
        params["end"] = db_time(end)[:16]
    if course_id is not None:
        clauses.append("course_id = :course")
        params["course"] = course_id
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def _range_where(
    start: datetime | None,
    end: datetime | None,
    course_id: str | None,
    column: str = "occurred_at",
    lesson_id: str | None = None,
) -> tuple[str, dict[str, object]]:
    clauses: list[str] = []
    params: dict[str, object] = {}
    if start is not None:
        clauses.append(f"{column} >= :start")
        params["start"] = db_time(start)
    if end is not None:
        clauses.append(f"{column} < :end")
        params["end"] = db_time(end)
    if course_id is not None:
        clauses.append("course_id = :course")
        params["course"] = course_id
    if lesson_id is not None:
        clauses.append("lesson_id = :lesson")
        params["lesson"] = lesson_id
    return ("WHERE " + " AND ".join(clauses) if clauses else ""), params


def last_slide_viewed(
    conn: sqlite3.Connection, end: datetime | None, course_id: str | None = None
) -> tuple[str, str, str, datetime] | None:
    """The newest slide_viewed event before ``end``: (course, lesson, slide, at)."""
    where, params = _range_where(None, end, course_id)
    where = (where + " AND" if where else "WHERE") + " kind = 'slide_viewed'"
    row = conn.execute(
        "SELECT course_id, lesson_id, slide_id, occurred_at FROM progress_events"
        f" {where} ORDER BY seq DESC LIMIT 1",
        params,
    ).fetchone()
    if row is None or row[2] is None:
        return None
    return row[0], row[1], row[2], py_time(row[3])


# -- content -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class GenerationGroup:
    """Generations of one (content type, provider) in the range."""

    content_type: str
    provider: str
    generations: int
    failed: int  # status failed or cancelled
    done: int
    cached: int  # done and answered from the cache
    latency_ms_total: float  # done, not cached, with a latency
    latency_count: int
    prompt_tokens: int  # over done generations
    completion_tokens: int
    cost_usd_total: float  # done, with a known cost
    cost_count: int
    variants: int
    favourited: int
    exported: int
    accepted: int  # favourited or exported


def generation_groups(
    conn: sqlite3.Connection, start: datetime | None, end: datetime | None
) -> list[GenerationGroup]:
    where, params = _range_where(start, end, None, column="created_at")
    gens = conn.execute(
        "SELECT content_type, provider, count(*), total(status != 'done'),"
        " total(status = 'done'), total(status = 'done' AND cached = 1),"
        " total(CASE WHEN status = 'done' AND cached = 0 THEN latency_ms END),"
        " count(CASE WHEN status = 'done' AND cached = 0 THEN latency_ms END),"
        " total(CASE WHEN status = 'done' THEN prompt_tokens END),"
        " total(CASE WHEN status = 'done' THEN completion_tokens END),"
        " total(CASE WHEN status = 'done' THEN cost_usd END),"
        " count(CASE WHEN status = 'done' THEN cost_usd END)"
        f" FROM content_generations {where} GROUP BY content_type, provider",
        params,
    ).fetchall()
    gwhere, _ = _range_where(start, end, None, column="g.created_at")
    variants = {
        (t, p): (int(n), int(f), int(e), int(a))
        for t, p, n, f, e, a in conn.execute(
            "SELECT g.content_type, g.provider, count(*), total(v.favourite), total(v.exported),"
            " total(v.favourite OR v.exported)"
            # Generations first (their covering index), then each one's variants (theirs).
            " FROM content_generations g CROSS JOIN content_variants v"
            f" ON v.generation_id = g.id {gwhere} GROUP BY g.content_type, g.provider",
            params,
        )
    }
    result = []
    for t, p, n, failed, done, cached, lat, lat_n, pt, ct, cost, cost_n in gens:
        nv, fav, exp, acc = variants.get((t, p), (0, 0, 0, 0))
        result.append(
            GenerationGroup(
                t,
                p,
                int(n),
                int(failed),
                int(done),
                int(cached),
                float(lat),
                int(lat_n),
                int(pt),
                int(ct),
                float(cost),
                int(cost_n),
                nv,
                fav,
                exp,
                acc,
            )
        )
    return result


def finding_counts(
    conn: sqlite3.Connection, start: datetime | None, end: datetime | None, limit: int
) -> list[tuple[str, str, str, int, int]]:
    """The quality findings hit most often on variants of generations in the range:
    (code, severity, an example message, hits, variants), most hits first. Reads
    ``content_findings`` (kept from the variants' quality JSON by triggers)."""
    where, params = _range_where(start, end, None, column="f.created_at")
    # A range reads its part of the time index; without statistics SQLite would walk the
    # code index for its order and look every row up (measured: 95 ms instead of 15).
    index = " INDEXED BY ix_content_findings_created_at" if where else ""
    rows = conn.execute(
        "SELECT f.code, f.severity, count(*), count(DISTINCT f.variant_id)"
        f" FROM content_findings f{index} {where}"
        " GROUP BY f.code, f.severity ORDER BY count(*) DESC, f.code LIMIT :limit",
        {**params, "limit": limit},
    ).fetchall()
    result = []
    for code, severity, hits, variants in rows:
        # An example from the same range, so the message shown is one the user saw then.
        in_range = where.replace("WHERE", "AND", 1)
        example = conn.execute(
            "SELECT message FROM content_findings f"
            f" WHERE f.code = :code AND f.severity = :severity {in_range}"
            " ORDER BY f.variant_id, f.position LIMIT 1",
            {**params, "code": code, "severity": severity},
        ).fetchone()
        result.append((str(code), str(severity), str(example[0]), int(hits), int(variants)))
    return result


def generation_days(conn: sqlite3.Connection, spans: Sequence[DaySpan]) -> dict[date, int]:
    """Generations per local day (see :func:`activity_days` for ``spans``)."""
    days: dict[date, int] = {}
    for start, end, offset in spans:
        where, params = _range_where(start, end, None, column="created_at")
        rows = conn.execute(
            "SELECT date(created_at, :shift) AS day, count(*)"
            f" FROM content_generations {where} GROUP BY day",
            {**params, "shift": f"{offset:+d} minutes"},
        )
        for day, n in rows:
            key = date.fromisoformat(day)
            days[key] = days.get(key, 0) + int(n)
    return days


def generation_extent(
    conn: sqlite3.Connection, start: datetime | None, end: datetime | None
) -> tuple[datetime, datetime] | None:
    """The first and just after the last generation time in [start, end), or None."""
    where, params = _range_where(start, end, None, column="created_at")
    first, last = conn.execute(
        f"SELECT min(created_at), max(created_at) FROM content_generations {where}", params
    ).fetchone()
    if first is None:
        return None
    return py_time(first), py_time(last) + timedelta(microseconds=1)


def acceptance_totals(conn: sqlite3.Connection) -> tuple[int, int, int]:
    """All time: (generations, variants, variants favourited or exported)."""
    (generations,) = conn.execute("SELECT count(*) FROM content_generations").fetchone()
    variants, accepted = conn.execute(
        "SELECT count(*), total(favourite OR exported) FROM content_variants"
    ).fetchone()
    return int(generations), int(variants), int(accepted)


# -- policies ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class PolicyDocumentState:
    document_id: str  # 32 hex digits
    title: str
    policy_type: str
    latest_state: str | None  # state of the highest-numbered version; None: no version
    approved_number: int | None  # the newest approved version
    approved_effective: str | None  # its effective date (ISO), if any


def policy_documents(conn: sqlite3.Connection) -> list[PolicyDocumentState]:
    """Every document not deleted, with its latest version's state and newest approved
    version."""
    rows = conn.execute(
        "SELECT d.id, d.title, d.policy_type,"
        " (SELECT state FROM policy_versions v WHERE v.document_id = d.id"
        "  ORDER BY number DESC LIMIT 1),"
        " a.number, a.effective_date"
        " FROM policy_documents d LEFT JOIN policy_versions a ON a.id = ("
        "  SELECT id FROM policy_versions v WHERE v.document_id = d.id AND state = 'approved'"
        "  ORDER BY number DESC LIMIT 1)"
        " WHERE d.deleted = 0 ORDER BY d.title"
    )
    return [PolicyDocumentState(*row) for row in rows]


def approval_durations(
    conn: sqlite3.Connection, start: datetime | None, end: datetime | None
) -> list[float]:
    """Seconds from a version's creation (its draft) to its approval, for versions of
    documents not deleted approved in [start, end)."""
    where, params = _range_where(start, end, None, column="v.approved_at")
    where = (where + " AND" if where else "WHERE") + " v.approved_at IS NOT NULL AND d.deleted = 0"
    rows = conn.execute(
        "SELECT v.created_at, v.approved_at FROM policy_versions v"
        f" JOIN policy_documents d ON d.id = v.document_id {where}",
        params,
    )
    return [max(0.0, (py_time(a) - py_time(c)).total_seconds()) for c, a in rows]
