"""Progress read-outs: your own, and a team's per member for its owners.

The aggregates are computed by PostgreSQL with the rules of
``sync_server/rules/progress.py``: completed once any completion exists, the best score
is the maximum, time is the sum (negative seconds count as 0), attempts are counted.
Events are unique by id (the primary key), so the union the rules describe is the table.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Query
from sqlalchemy import ColumnElement, Select, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server import protocol as p
from sync_server.auth import CurrentPrincipal, Session
from sync_server.errors import ApiError, forbidden
from sync_server.models import Membership, ProgressEvent, User
from sync_server.rules.access import can_manage_team

router = APIRouter(tags=["progress"])

E = ProgressEvent


def _lessons(where: ColumnElement[bool], course_id: str | None) -> Select[Any]:
    """One row per (user, course, lesson) of the events matching ``where``."""
    query = select(
        E.user_id,
        E.course_id,
        E.lesson_id,
        func.bool_or(E.type == "completion").label("completed"),
        func.max(E.score).label("best_score"),
        func.sum(func.greatest(E.seconds, 0)).label("total_seconds"),
        func.count().filter(E.type == "attempt").label("attempts"),
    ).where(where)
    if course_id is not None:
        query = query.where(E.course_id == course_id)
    return query.group_by(E.user_id, E.course_id, E.lesson_id)


def _row(r: Any) -> p.LessonProgressOut:
    return p.LessonProgressOut(
        course_id=r.course_id,
        lesson_id=r.lesson_id,
        completed=r.completed,
        best_score=r.best_score,
        total_seconds=r.total_seconds,
        attempts=r.attempts,
    )


def _course(course_id: str | None) -> str | None:
    if course_id is not None and "\x00" in course_id:
        raise ApiError(422, "invalid_request", "course_id may not contain the NUL character.")
    return course_id


async def own_progress(
    session: AsyncSession, user_id: uuid.UUID, course_id: str | None
) -> list[p.LessonProgressOut]:
    lessons = _lessons(E.user_id == user_id, course_id).subquery()
    rows = await session.execute(
        select(lessons).order_by(lessons.c.course_id.collate("C"), lessons.c.lesson_id.collate("C"))
    )
    return [_row(r) for r in rows]


async def members_progress(
    session: AsyncSession, team_id: uuid.UUID, course_id: str | None
) -> list[p.MemberProgressOut]:
    """Every member (those without events too), ordered by email, in one statement."""
    team = select(Membership.user_id).where(Membership.team_id == team_id)
    lessons = _lessons(E.user_id.in_(team.scalar_subquery()), course_id).subquery()
    rows = await session.execute(
        select(User.id, User.email, lessons)
        .select_from(Membership)
        .join(User, User.id == Membership.user_id)
        .outerjoin(lessons, lessons.c.user_id == User.id)
        .where(Membership.team_id == team_id)
        .order_by(User.email, lessons.c.course_id.collate("C"), lessons.c.lesson_id.collate("C"))
    )
    members: dict[uuid.UUID, p.MemberProgressOut] = {}
    for r in rows:
        member = members.get(r.id)
        if member is None:
            member = members[r.id] = p.MemberProgressOut(user_id=r.id, email=r.email, lessons=[])
        if r.lesson_id is not None:
            member.lessons.append(_row(r))
    return list(members.values())


CourseQuery = Query(None, description="Only this course (its id).")


@router.get("/progress", response_model=list[p.LessonProgressOut])
async def my_progress(
    principal: CurrentPrincipal, session: Session, course_id: str | None = CourseQuery
) -> list[p.LessonProgressOut]:
    """Your progress per lesson, derived from every event any of your devices pushed."""
    return await own_progress(session, principal.user_id, _course(course_id))


@router.get(
    "/teams/{team_id}/progress",
    response_model=list[p.MemberProgressOut],
    responses={403: {"model": p.ErrorBody}},
)
async def team_progress(
    team_id: uuid.UUID,
    principal: CurrentPrincipal,
    session: Session,
    course_id: str | None = CourseQuery,
) -> list[p.MemberProgressOut]:
    """Progress of every member per course and lesson (owners only)."""
    if not can_manage_team(team_id, principal.roles):
        raise forbidden("Only an owner of this team can read its progress.")
    return await members_progress(session, team_id, _course(course_id))
