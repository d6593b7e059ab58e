"""Progress read-outs: your own, and a team's per member for its owners."""

from __future__ import annotations

import uuid
from collections import defaultdict

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server import protocol as p
from sync_server.auth import CurrentPrincipal, Session
from sync_server.errors import forbidden
from sync_server.models import Membership, ProgressEvent, User
from sync_server.rules.access import can_manage_team
from sync_server.rules.progress import ProgressFact, lesson_progress

router = APIRouter(tags=["progress"])


def _out(facts: list[ProgressFact]) -> list[p.LessonProgressOut]:
    return [
        p.LessonProgressOut(
            course_id=r.course_id,
            lesson_id=r.lesson_id,
            completed=r.completed,
            best_score=r.best_score,
            total_seconds=r.total_seconds,
            attempts=r.attempts,
        )
        for r in lesson_progress(facts)
    ]


async def _facts(
    session: AsyncSession, user_ids: list[uuid.UUID], course_id: str | None
) -> dict[uuid.UUID, list[ProgressFact]]:
    query = select(ProgressEvent).where(ProgressEvent.user_id.in_(user_ids))
    if course_id is not None:
        query = query.where(ProgressEvent.course_id == course_id)
    facts: dict[uuid.UUID, list[ProgressFact]] = defaultdict(list)
    for e in (await session.execute(query)).scalars():
        facts[e.user_id].append(
            ProgressFact(str(e.id), e.course_id, e.lesson_id, e.type, e.score, e.seconds)
        )
    return facts


@router.get("/progress", response_model=list[p.LessonProgressOut])
async def my_progress(
    principal: CurrentPrincipal, session: Session, course_id: str | None = None
) -> list[p.LessonProgressOut]:
    """Your progress per lesson, derived from every event any of your devices pushed."""
    facts = await _facts(session, [principal.user_id], course_id)
    return _out(facts.get(principal.user_id, []))


@router.get(
    "/teams/{team_id}/progress",
    response_model=list[p.MemberProgressOut],
    responses={403: {"model": p.ErrorBody}},
)
async def team_progress(
    team_id: uuid.UUID, principal: CurrentPrincipal, session: Session, course_id: str | None = None
) -> list[p.MemberProgressOut]:
    """Progress of every member per course and lesson (owners only)."""
    if not can_manage_team(team_id, principal.roles):
        raise forbidden("Only an owner of this team can read its progress.")
    rows = await session.execute(
        select(User.id, User.email)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team_id)
        .order_by(User.email)
    )
    members = [(uid, email) for uid, email in rows]
    facts = await _facts(session, [uid for uid, _ in members], course_id)
    return [
        p.MemberProgressOut(user_id=uid, email=email, lessons=_out(facts.get(uid, [])))
        for uid, email in members
    ]
