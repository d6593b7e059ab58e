"""Analytics: a team's learning and template figures for its owners, your own for you.

Every figure is an aggregate computed by PostgreSQL (``GROUP BY GROUPING SETS`` and
``FILTER``): one statement returns every lesson, course, learner, question and week
figure (and a team's learner x lesson cells as JSON); two more count template work. No
member's raw events ever leave the server. The statements run in one read-only
snapshot, so the figures of one answer agree with each other.

Without a date range the statement reads the per-learner sums that triggers keep
(``sync_server.models.ROLLUPS``, migration 0003) instead of every event; with one, it
reads the events of the range. Which question a quiz attempt answered, and whether it
was right, comes from ``quiz_answers`` (copied from the event and its ``detail`` when
it is pushed; migration 0002), so per-question figures never parse the change log's
JSON.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Query, Response
from pydantic_core import to_json
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server import protocol as p
from sync_server.auth import CurrentPrincipal, OneSnapshot, Session
from sync_server.errors import ApiError, forbidden
from sync_server.rules.access import can_manage_team

router = APIRouter(tags=["analytics"])


# Dates outside this range are typing mistakes; PostgreSQL and Python disagree at the edges.
_EARLIEST = datetime(1970, 1, 1, tzinfo=UTC)
_LATEST = datetime(3000, 1, 1, tzinfo=UTC)
_AT = "COALESCE(e.occurred_at, e.received_at)"
WORK_MEM = "32MB"


@dataclass(frozen=True)
class Filters:
    """What to count: one course (or all), events with ``since <= time < until``."""

    course_id: str | None = None
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class Who:
    """Whose figures: a team's current members, or one user.

    ``events``: the SQL condition on progress events ``e``; ``templates``: on template
    revisions ``r`` / conflicts ``c`` joined to their template ``t`` (the ``{author}``
    placeholder names the author column)."""

    events: str
    templates: str
    params: Mapping[str, Any]
    team: bool

    @staticmethod
    def team_members(team_id: uuid.UUID) -> Who:
        return Who(
            events="e.user_id IN (SELECT user_id FROM memberships WHERE team_id = :team_id)",
            templates="t.team_id = :team_id",
            params={"team_id": team_id},
            team=True,
        )

    @staticmethod
    def user(user_id: uuid.UUID) -> Who:
        return Who(
            events="e.user_id = :user_id",
            templates="{author} = :user_id AND t.team_id IN "
            "(SELECT team_id FROM memberships WHERE user_id = :user_id)",
            params={"user_id": user_id},
            team=False,
        )


def read_filters(course_id: str | None, since: datetime | None, until: datetime | None) -> Filters:
    """The query's filters, checked; a naive date-time is taken as UTC."""

    def checked(name: str, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        if not _EARLIEST <= value < _LATEST:
            raise ApiError(
                422,
                "invalid_request",
                f"{name} must be a date between 1970 and 3000, for example 2025-01-31T00:00:00Z.",
            )
        return value

    if course_id is not None and "\x00" in course_id:
        raise ApiError(422, "invalid_request", "course_id may not contain the NUL character.")
    start, end = checked("since", since), checked("until", until)
    if start is not None and end is not None and start >= end:
        raise ApiError(
            422,
            "invalid_request",
            "since must be earlier than until (the range starts at since and stops just "
            "before until); swap the two dates or widen the range.",
        )
    return Filters(course_id or None, start, end)


def _event_conditions(f: Filters, *, at: str = _AT) -> tuple[str, dict[str, Any]]:
    """The filters on events ``e`` (or quiz answers ``e``, whose time is ``e.at``)."""
    sql, params = _dated(at, f)
    if f.course_id is not None:
        sql = " AND e.course_id = :course_id" + sql
        params["course_id"] = f.course_id
    return sql, params


def _dated(column: str, f: Filters) -> tuple[str, dict[str, Any]]:
    sql, params = "", dict[str, Any]()
    if f.since is not None:
        sql += f" AND {column} >= :since"
        params["since"] = f.since
    if f.until is not None:
        sql += f" AND {column} < :until"
        params["until"] = f.until
    return sql, params


# -- the statements -------------------------------------------------------------------

# One statement. ``base`` groups the events per learner and lesson, GROUPING() = 1, and
# per learner and week (Monday, UTC), GROUPING() = 6. ``answers`` groups the quiz answers
# per learner and question, ``quiz`` those per learner and lesson. The answer rows:
#   lesson   level = GROUPING(user_id, course_id, lesson_id): 0 a learner's lesson,
#            1 a learner's course, 3 a learner, 4 a lesson across the learners;
#   question a question across the learners (team) or one learner's question (own);
#   week     a week across the learners.
# A quiz score is the mean of question best scores, so it rolls up as sum / count.
_FIGURES = """
, lessons AS (
    SELECT b.user_id, b.course_id, b.lesson_id, b.completed, b.best, b.attempts,
           b.seconds, b.first_at, b.last_at,
           q.questions, q.questions_correct, q.correct, q.quiz_sum, q.quiz_n
    FROM by_lesson b
    LEFT JOIN quiz q
      ON q.user_id = b.user_id AND q.course_id = b.course_id AND q.lesson_id = b.lesson_id
)
SELECT 'lesson' AS kind, GROUPING(user_id, course_id, lesson_id) AS level,
       user_id, course_id, lesson_id, NULL::varchar AS question_id, NULL::date AS week,
       count(*) AS n,
       count(*) FILTER (WHERE completed) AS n_completed,
       max(best) AS best,
       avg(best) AS average_best,
       sum(attempts)::bigint AS attempts,
       sum(correct)::bigint AS correct,
       sum(seconds)::bigint AS seconds,
       min(first_at) AS first_at,
       max(last_at) AS last_at,
       sum(questions)::bigint AS questions,
       sum(questions_correct)::bigint AS questions_correct,
       sum(quiz_sum) / NULLIF(sum(quiz_n), 0) AS quiz_score,
       NULL::text AS cells
FROM lessons
GROUP BY GROUPING SETS ({lesson_sets})
UNION ALL
SELECT 'question', 0, {question_user}, course_id, lesson_id, question_id, NULL,
       count(*), count(*) FILTER (WHERE correct > 0), max(best), avg(best),
       sum(attempts)::bigint, sum(correct)::bigint, NULL, NULL, NULL,
       NULL, NULL, avg(best), NULL
FROM answers
GROUP BY {question_user}, course_id, lesson_id, question_id
UNION ALL
SELECT 'week', 0, NULL, NULL, NULL, NULL, week,
       count(DISTINCT user_id), sum(completions)::bigint, NULL, NULL,
       sum(attempts)::bigint, NULL, sum(seconds)::bigint, NULL, NULL,
       NULL, NULL, NULL, NULL
FROM by_week
GROUP BY week{cells}
"""

# With a date range: from the events themselves.
_LEARNING = (
    """
WITH base AS (
    SELECT GROUPING(user_id, course_id, lesson_id, week) AS g,
           user_id, course_id, lesson_id, week,
           bool_or(type = 'completion') AS completed,
           count(*) FILTER (WHERE type = 'completion') AS completions,
           count(*) FILTER (WHERE type = 'attempt') AS attempts,
           max(score) AS best,
           sum(seconds) AS seconds,
           min(at) AS first_at,
           max(at) AS last_at
    FROM (
        SELECT e.user_id, e.course_id, e.lesson_id, e.type, e.score,
               GREATEST(e.seconds, 0) AS seconds, {at} AS at,
               (date_trunc('week', {at} AT TIME ZONE 'UTC'))::date AS week
        FROM progress_events e
        WHERE {who}{where}
    ) ev
    GROUP BY GROUPING SETS ((user_id, course_id, lesson_id), (week, user_id))
), by_lesson AS (
    SELECT * FROM base WHERE g = 1
), by_week AS (
    SELECT * FROM base WHERE g = 6
), answers AS (
    SELECT e.user_id, e.course_id, e.lesson_id, e.question_id,
           count(*) AS attempts,
           count(*) FILTER (WHERE e.correct) AS correct,
           max(e.score) AS best
    FROM quiz_answers e
    WHERE {who}{quiz_where}
    GROUP BY e.user_id, e.course_id, e.lesson_id, e.question_id
), quiz AS (
    SELECT user_id, course_id, lesson_id,
           count(*) AS questions,
           count(*) FILTER (WHERE correct > 0) AS questions_correct,
           sum(correct)::bigint AS correct,
           sum(best) AS quiz_sum,
           count(best) AS quiz_n
    FROM answers
    GROUP BY user_id, course_id, lesson_id
)"""
    + _FIGURES
)

# Without one: from the sums the triggers of migration 0003 keep (``ROLLUPS``), a few
# rows per learner and lesson instead of every event.
_ROLLED_UP = (
    """
WITH by_lesson AS (
    SELECT e.user_id, e.course_id, e.lesson_id, e.completions > 0 AS completed,
           e.attempts, e.best, e.seconds, e.first_at, e.last_at
    FROM analytics_lessons e
    WHERE {who}{where}
), by_week AS (
    SELECT e.user_id, e.week, e.completions, e.attempts, e.seconds
    FROM analytics_weeks e
    WHERE {who}{where}
), answers AS (
    SELECT e.user_id, e.course_id, e.lesson_id, e.question_id, e.attempts, e.correct, e.best
    FROM analytics_questions e
    WHERE {who}{where}
), quiz AS (
    SELECT e.user_id, e.course_id, e.lesson_id, e.questions, e.questions_correct,
           e.correct, e.quiz_sum, e.quiz_n
    FROM analytics_quizzes e
    WHERE {who}{where}
)"""
    + _FIGURES
)
# A team's learner x lesson figures come as one ``cells`` row per learner: a JSON array
# of [lesson, completed, questions, questions right, seconds, quiz score] arrays, built
# here (thousands of rows decoded and reshaped in Python cost more than the statement).
# ``lesson`` indexes the team's lessons, which Python sorts by code point: "C" order.
_CELLS = """
UNION ALL
SELECT 'cells', 0, user_id, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL,
       NULL, NULL, NULL, NULL, NULL, NULL,
       json_agg(json_build_array(ix, completed, COALESCE(questions, 0),
                                 COALESCE(questions_correct, 0), seconds,
                                 quiz_sum / NULLIF(quiz_n, 0)) ORDER BY ix)::text
FROM (
    SELECT l.*, dense_rank() OVER (ORDER BY course_id COLLATE "C",
                                            lesson_id COLLATE "C") - 1 AS ix
    FROM lessons l
) cell
GROUP BY user_id
"""
_TEAM_SETS = {
    "lesson_sets": "(user_id, course_id), (user_id), (course_id, lesson_id)",
    # A constant grouped on is no grouping at all: questions across the learners.
    "question_user": "NULL::uuid",
    "cells": _CELLS,
}
_USER_SETS = {
    "lesson_sets": "(user_id, course_id, lesson_id), (user_id, course_id), (user_id)",
    "question_user": "user_id",
    "cells": "",
}

# A learner's first event before ``until`` is their first event at all, if that is
# before ``until``: so the sums answer it, whatever the range.
_STARTED = """
SELECT e.user_id, min(e.first_at) AS started_at
FROM analytics_lessons e
WHERE {who}{where}
GROUP BY e.user_id
HAVING {until}
"""

_MEMBERS = """
SELECT u.id, u.email, u.display_name, m.role
FROM memberships m JOIN users u ON u.id = m.user_id
WHERE m.team_id = :team_id
ORDER BY u.email
"""

# GROUPING(author_id, template_id): 1 a member, 2 a template, 3 the team.
_REVISIONS = """
WITH revs AS (
    SELECT r.template_id, r.version, r.author_id, r.deleted, r.restored_from, r.created_at
    FROM template_revisions r JOIN templates t ON t.id = r.template_id
    WHERE {who}{where}
)
SELECT GROUPING(author_id, template_id) AS level, author_id, template_id,
       count(*) AS revisions,
       count(*) FILTER (WHERE version = 1) AS created,
       count(*) FILTER (WHERE deleted) AS deletions,
       count(*) FILTER (WHERE restored_from IS NOT NULL AND NOT deleted) AS restores,
       count(DISTINCT template_id) AS templates,
       count(DISTINCT author_id) AS editors,
       max(created_at) AS last_at
FROM revs
GROUP BY GROUPING SETS ({sets})
"""

# A conflict is resolved once its template has a revision newer than the head it lost to.
_CONFLICTS = """
SELECT GROUPING(c.author_id, c.template_id) AS level, c.author_id, c.template_id,
       count(*) AS conflicts,
       count(*) FILTER (WHERE t.head_version > c.head_version) AS resolved
FROM template_conflicts c JOIN templates t ON t.id = c.template_id
WHERE {who}{where}
GROUP BY GROUPING SETS ({sets})
"""
_TEMPLATE_SETS_TEAM = "(author_id), (template_id), ()"
_CONFLICT_SETS_TEAM = "(c.author_id), (c.template_id), ()"
# GROUPING() needs both columns grouped somewhere; the per-template rows go unused.
_TEMPLATE_SETS_USER = "(author_id), (author_id, template_id)"
_CONFLICT_SETS_USER = "(c.author_id), (c.author_id, c.template_id)"


# -- running them ---------------------------------------------------------------------

Row = Mapping[str, Any]


async def _rows(session: AsyncSession, sql: str, params: Mapping[str, Any]) -> list[Row]:
    """Plain dicts: a team's answer has thousands of rows, and ``Row._mapping`` cost more
    than the dicts (measured: 26 ms for 7,000 rows)."""
    result = await session.execute(text(sql), dict(params))
    keys = list(result.keys())
    return [dict(zip(keys, row, strict=True)) for row in result]


@dataclass
class Figures:
    """The aggregate rows of one read-out."""

    learning: list[Row]
    started: dict[uuid.UUID, datetime] | None
    revisions: list[Row]
    conflicts: list[Row]


async def compute(session: AsyncSession, who: Who, f: Filters) -> Figures:
    """Every aggregate of one read-out, in the caller's (read-only) transaction."""
    # For this transaction only. The learning statement hashes dozens of groups per
    # learner; with the default 4 MB of work_mem a team of 200 spilled its sorts to disk
    # (measured: 800 ms instead of 350 ms). With a date range it reads each member's
    # events of the range through ix_progress_events_user_course_at; the default page
    # cost (4, for disks) made the planner scan every member's events of all time in
    # parallel instead (measured with 200 members: ~130 ms instead of ~60 ms).
    await session.execute(
        text(
            f"SELECT set_config('work_mem', '{WORK_MEM}', true),"
            " set_config('random_page_cost', '1.1', true),"
            " set_config('max_parallel_workers_per_gather', '0', true)"
        )
    )
    where, params = _event_conditions(f)
    quiz_where, _ = _event_conditions(f, at="e.at")
    sets = _TEAM_SETS if who.team else _USER_SETS
    statement = _LEARNING if f.since is not None or f.until is not None else _ROLLED_UP
    learning = await _rows(
        session,
        statement.format(who=who.events, where=where, quiz_where=quiz_where, at=_AT, **sets),
        {**who.params, **params},
    )
    started: dict[uuid.UUID, datetime] | None = None
    if f.since is not None:  # "has started" looks further back than the range
        where_all, params_all = _event_conditions(Filters(f.course_id))
        until = "true"
        if f.until is not None:
            until, params_all["until"] = "min(e.first_at) < :until", f.until
        rows = await _rows(
            session,
            _STARTED.format(who=who.events, where=where_all, until=until),
            {**who.params, **params_all},
        )
        started = {r["user_id"]: r["started_at"] for r in rows}
    dated_r, dparams = _dated("r.created_at", f)
    dated_c, _ = _dated("c.created_at", f)
    tparams = {**who.params, **dparams}
    revisions = await _rows(
        session,
        _REVISIONS.format(
            who=who.templates.format(author="r.author_id"),
            where=dated_r,
            sets=_TEMPLATE_SETS_TEAM if who.team else _TEMPLATE_SETS_USER,
        ),
        tparams,
    )
    conflicts = await _rows(
        session,
        _CONFLICTS.format(
            who=who.templates.format(author="c.author_id"),
            where=dated_c,
            sets=_CONFLICT_SETS_TEAM if who.team else _CONFLICT_SETS_USER,
        ),
        tparams,
    )
    return Figures(learning, started, revisions, conflicts)


# -- shaping the answer ---------------------------------------------------------------
# Plain dicts in the shape of the response models, serialised by pydantic-core:
# thousands of rows for a large team, so no per-row model construction.


def _int(value: Any) -> int:
    return int(value or 0)


def _float(value: Any) -> float | None:
    return None if value is None else float(value)


def _activity(revisions: Row | None, conflicts: Row | None) -> dict[str, Any]:
    r: Row = revisions or {}
    c: Row = conflicts or {}
    total = _int(r.get("revisions"))
    created, deletions, restores = (_int(r.get(k)) for k in ("created", "deletions", "restores"))
    return {
        "revisions": total,
        "created": created,
        "edits": total - created - deletions - restores,
        "deletions": deletions,
        "restores": restores,
        "templates": _int(r.get("templates")),
        "conflicts": _int(c.get("conflicts")),
        "conflicts_resolved": _int(c.get("resolved")),
        "last_edited_at": r.get("last_at"),
    }


def _effort(r: Row) -> dict[str, Any]:
    """The figures every level of a learner's ``lesson`` rows has: one lesson, one
    course, all of them."""
    return {
        "attempts": _int(r["attempts"]),
        "correct_attempts": _int(r["correct"]),
        "quiz_score": _float(r["quiz_score"]),
        "seconds": _int(r["seconds"]),
    }


def _lessons_done(r: Row) -> dict[str, Any]:
    """A learner's figures over several lessons (a course's, or all of them)."""
    return {
        "lessons_started": _int(r["n"]),
        "lessons_completed": _int(r["n_completed"]),
        **_effort(r),
        "questions_answered": _int(r["questions"]),
        "questions_correct": _int(r["questions_correct"]),
    }


def _lesson(r: Row) -> dict[str, Any]:
    return {
        "course_id": r["course_id"],
        "lesson_id": r["lesson_id"],
        "completed": r["n_completed"] > 0,
        "best_score": _float(r["best"]),
        "questions_answered": _int(r["questions"]),
        "questions_correct": _int(r["questions_correct"]),
        **_effort(r),
        "first_active_at": r["first_at"],
        "last_active_at": r["last_at"],
    }


def _course(r: Row) -> dict[str, Any]:
    return {
        "course_id": r["course_id"],
        **_lessons_done(r),
        "first_active_at": r["first_at"],
        "last_active_at": r["last_at"],
    }


def _week(r: Row) -> dict[str, Any]:
    return {
        "week_start": r["week"],
        "seconds": _int(r["seconds"]),
        "active_members": _int(r["n"]),
        "attempts": _int(r["attempts"]),
        "completions": _int(r["n_completed"]),
    }


# The learner has no events in the range: no ``lesson`` row at all.
_NOTHING_DONE: Row = {
    "n": 0,
    "n_completed": 0,
    "attempts": 0,
    "correct": 0,
    "quiz_score": None,
    "seconds": 0,
    "questions": 0,
    "questions_correct": 0,
}


def _sort_key(r: Row) -> tuple[str, str, str]:
    return (r["course_id"] or "", r["lesson_id"] or "", r["question_id"] or "")


class _Shaped:
    """The learning rows, sorted into what each part of the answer needs. A learner's
    lessons are compact cells pointing into ``team_lessons`` (a team's ``cells`` rows)
    or full ``LessonStats`` (one's own)."""

    def __init__(self, figures: Figures) -> None:
        self.lessons: dict[uuid.UUID, list[Any]] = {}
        self.cells: dict[uuid.UUID, str] = {}  # a team's: JSON text, see _team_json
        self.courses: dict[uuid.UUID, list[dict[str, Any]]] = {}
        self.totals: dict[uuid.UUID, Row] = {}
        self.team_lessons: list[Row] = []
        self.questions: list[Row] = []
        for r in sorted(figures.learning, key=_sort_key):  # code-point order, like Python
            kind, level = r["kind"], r["level"]
            if kind == "lesson":
                if level == 0:
                    self.lessons.setdefault(r["user_id"], []).append(_lesson(r))
                elif level == 1:
                    self.courses.setdefault(r["user_id"], []).append(_course(r))
                elif level == 3:
                    self.totals[r["user_id"]] = r
                else:
                    self.team_lessons.append(r)
            elif kind == "question":
                self.questions.append(r)
            elif kind == "cells":
                self.cells[r["user_id"]] = r["cells"]
        self.weeks = [
            _week(r)
            for r in sorted(
                (r for r in figures.learning if r["kind"] == "week"), key=lambda r: r["week"]
            )
        ]
        self.revisions = {r["author_id"]: r for r in figures.revisions if r["level"] == 1}
        self.conflicts = {r["author_id"]: r for r in figures.conflicts if r["level"] == 1}
        self.started = figures.started

    def learner(self, user_id: uuid.UUID) -> dict[str, Any]:
        total = self.totals.get(user_id)
        if self.started is None:
            started_at = total["first_at"] if total else None
        else:
            started_at = self.started.get(user_id)
        return {
            "started_at": started_at,
            "last_active_at": total["last_at"] if total else None,
            **_lessons_done(total or _NOTHING_DONE),
            "courses": self.courses.get(user_id, []),
            "lessons": self.lessons.get(user_id, []),
            "templates": _activity(self.revisions.get(user_id), self.conflicts.get(user_id)),
        }


def team_analytics(
    team_id: uuid.UUID, f: Filters, members: list[Row], figures: Figures
) -> dict[str, Any]:
    shaped = _Shaped(figures)
    out_members = [
        {
            "user_id": m["id"],
            "email": m["email"],
            "display_name": m["display_name"],
            "role": m["role"],
            **shaped.learner(m["id"]),
            "lessons": shaped.cells.get(m["id"], "[]"),  # JSON text: see _team_json
        }
        for m in members
    ]
    template_revisions = {r["template_id"]: r for r in figures.revisions if r["level"] == 2}
    template_conflicts = {r["template_id"]: r for r in figures.conflicts if r["level"] == 2}
    templates = []
    for template_id in template_revisions.keys() | template_conflicts.keys():
        r = template_revisions.get(template_id, {})
        c = template_conflicts.get(template_id, {})
        conflicts = _int(c.get("conflicts"))
        templates.append(
            {
                "template_id": template_id,
                "revisions": _int(r.get("revisions")),
                "editors": _int(r.get("editors")),
                "conflicts": conflicts,
                "conflicts_open": conflicts - _int(c.get("resolved")),
                "last_edited_at": r.get("last_at"),
            }
        )
    templates.sort(key=lambda t: (-t["revisions"], str(t["template_id"])))
    team_revisions = next((r for r in figures.revisions if r["level"] == 3), None)
    team_conflicts = next((r for r in figures.conflicts if r["level"] == 3), None)
    return {
        "team_id": team_id,
        "course_id": f.course_id,
        "since": f.since,
        "until": f.until,
        "members": out_members,
        "not_started": [m["user_id"] for m in out_members if m["started_at"] is None],
        "lessons": [
            {
                "course_id": r["course_id"],
                "lesson_id": r["lesson_id"],
                "members_started": _int(r["n"]),
                "members_completed": _int(r["n_completed"]),
                "attempts": _int(r["attempts"]),
                "seconds": _int(r["seconds"]),
                "questions_answered": _int(r["questions"]),
                "questions_correct": _int(r["questions_correct"]),
                "average_best_score": _float(r["average_best"]),
                "quiz_score": _float(r["quiz_score"]),
            }
            for r in shaped.team_lessons
        ],
        "questions": [
            {
                "course_id": r["course_id"],
                "lesson_id": r["lesson_id"],
                "question_id": r["question_id"],
                "members_answered": _int(r["n"]),
                "members_correct": _int(r["n_completed"]),
                "attempts": _int(r["attempts"]),
                "correct_attempts": _int(r["correct"]),
                "average_best_score": _float(r["quiz_score"]),
            }
            for r in shaped.questions
        ],
        "weeks": shaped.weeks,
        "templates": templates,
        "template_totals": _activity(team_revisions, team_conflicts),
    }


def my_analytics(user_id: uuid.UUID, f: Filters, figures: Figures) -> dict[str, Any]:
    shaped = _Shaped(figures)
    return {
        "user_id": user_id,
        "course_id": f.course_id,
        "since": f.since,
        "until": f.until,
        "questions": [
            {
                "course_id": r["course_id"],
                "lesson_id": r["lesson_id"],
                "question_id": r["question_id"],
                "attempts": _int(r["attempts"]),
                "correct_attempts": _int(r["correct"]),
                "best_score": _float(r["best"]),
            }
            for r in shaped.questions
        ],
        "weeks": shaped.weeks,
        **shaped.learner(user_id),
    }


def _team_json(data: dict[str, Any]) -> Response:
    """A team's answer, serialised like :func:`_json`, with each member's ``lessons``
    cells put in as the JSON text PostgreSQL built (decoding 6,000 arrays only to
    encode them again cost more than all the other shaping)."""
    members = []
    for member in data["members"]:
        rest = dict(member)
        cells = rest.pop("lessons")
        rest["lessons"] = None  # now the last key: ...,"lessons":null}
        head = to_json(rest)
        members.append(head[: -len(b"null}")] + cells.encode() + b"}")
    # Inside JSON strings quotes are escaped, so this key occurs once, at the top level.
    body = to_json({**data, "members": None}).replace(
        b'"members":null', b'"members":[' + b",".join(members) + b"]", 1
    )
    return Response(body, media_type="application/json")


def _json(data: dict[str, Any]) -> Response:
    """Serialised by pydantic-core straight from the dicts. A 200-member answer is ~2 MB;
    validating it again on every request (FastAPI would, twice) cost more than computing
    it. ``response_model`` documents the shape, and the tests check every answer against
    it."""
    return Response(to_json(data), media_type="application/json")


# -- endpoints ------------------------------------------------------------------------

CourseQuery = Query(
    None, max_length=200, description="Only this course (its id); all courses if omitted."
)
SinceQuery = Query(None, description="Events at or after this time (ISO 8601; UTC if no zone).")
UntilQuery = Query(None, description="Events before this time (ISO 8601; UTC if no zone).")


@router.get(
    "/teams/{team_id}/analytics",
    response_model=p.TeamAnalyticsOut,
    responses={403: {"model": p.ErrorBody}},
    dependencies=[OneSnapshot],
)
async def team_endpoint(
    team_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: Session,
    course_id: str | None = CourseQuery,
    since: datetime | None = SinceQuery,
    until: datetime | None = UntilQuery,
) -> Response:
    """A team's learning and template figures, per member, lesson, question and week
    (owners only; every other member reads their own at ``/v1/analytics/me``)."""
    if team_id not in principal.roles:
        raise forbidden("You are not a member of this team.")
    if not can_manage_team(team_id, principal.roles):
        raise forbidden(
            "Only an owner of this team can see its members' figures; "
            "your own are at /v1/analytics/me (the app's Learning tab)."
        )
    f = read_filters(course_id, since, until)
    members = await _rows(session, _MEMBERS, {"team_id": team_id})
    figures = await compute(session, Who.team_members(team_id), f)
    return _team_json(team_analytics(team_id, f, members, figures))


@router.get("/analytics/me", response_model=p.MyAnalyticsOut, dependencies=[OneSnapshot])
async def my_endpoint(
    principal: CurrentPrincipal,
    session: Session,
    course_id: str | None = CourseQuery,
    since: datetime | None = SinceQuery,
    until: datetime | None = UntilQuery,
) -> Response:
    """Your own learning and template figures, per course, lesson, question and week."""
    f = read_filters(course_id, since, until)
    figures = await compute(session, Who.user(principal.user_id), f)
    return _json(my_analytics(principal.user_id, f, figures))
