"""Teams, roles and invitations."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import cast

from fastapi import APIRouter
from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server import protocol as p
from sync_server.auth import CurrentPrincipal, Principal, Session
from sync_server.errors import ApiError, forbidden, not_found
from sync_server.models import Invitation, Membership, SyncScope, Team, User
from sync_server.rules.access import Role, can_manage_team
from sync_server.security import digest, new_secret

router = APIRouter(tags=["teams"])


# -- service --------------------------------------------------------------------------


async def create_team(session: AsyncSession, name: str, owner_id: uuid.UUID) -> Team:
    team = Team(id=uuid.uuid4(), name=name)
    session.add(team)
    session.add(SyncScope(key=f"team:{team.id}", last_sequence=0, pruned_through=0))
    await session.flush()
    session.add(Membership(team_id=team.id, user_id=owner_id, role=Role.OWNER.value))
    await session.flush()
    return team


async def set_member(
    session: AsyncSession, team_id: uuid.UUID, user_id: uuid.UUID, role: str
) -> None:
    """Add a member or change their role; a team always keeps at least one owner."""
    member = await session.get(Membership, (team_id, user_id), with_for_update=True)
    if member is None:
        session.add(Membership(team_id=team_id, user_id=user_id, role=role))
    else:
        if member.role == Role.OWNER and role != Role.OWNER:
            await _keep_an_owner(session, team_id)
        member.role = role
    await session.flush()


async def remove_member(session: AsyncSession, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
    member = await session.get(Membership, (team_id, user_id), with_for_update=True)
    if member is None:
        raise not_found("That member")
    if member.role == Role.OWNER:
        await _keep_an_owner(session, team_id)
    await session.execute(
        delete(Membership).where(Membership.team_id == team_id, Membership.user_id == user_id)
    )


async def _keep_an_owner(session: AsyncSession, team_id: uuid.UUID) -> None:
    owners = await session.execute(
        select(func.count())
        .select_from(Membership)
        .where(Membership.team_id == team_id, Membership.role == Role.OWNER.value)
    )
    if owners.scalar_one() <= 1:
        raise ApiError(
            409, "last_owner", "A team needs at least one owner; make someone else owner first."
        )


async def claim_invitation(
    session: AsyncSession, code: str, user_id: uuid.UUID | None
) -> Invitation:
    """Use up an invitation code for ``user_id`` (row-locked, so a code works once even
    when two people present it at the same moment). The caller adds the membership and
    commits; rolling back gives the code back. ``user_id`` ``None``: an account not yet
    flushed; the caller sets ``used_by`` once it exists."""
    invitation = (
        await session.execute(
            select(Invitation).where(Invitation.code_hash == digest(code)).with_for_update()
        )
    ).scalar_one_or_none()
    if invitation is None:
        raise ApiError(
            404,
            "invitation_not_found",
            "That invitation code is not valid; check it, or ask a team owner for a new one.",
        )
    if invitation.used_at is not None:
        raise ApiError(
            410,
            "invitation_used",
            "That invitation code was already used; ask a team owner for a new one.",
        )
    if invitation.expires_at <= datetime.now(UTC):
        raise ApiError(
            410,
            "invitation_expired",
            "That invitation code has expired; ask a team owner for a new one.",
        )
    invitation.used_at = datetime.now(UTC)
    invitation.used_by = user_id
    return invitation


def _require_owner(principal: Principal, team_id: uuid.UUID) -> None:
    if not can_manage_team(team_id, principal.roles):
        raise forbidden("Only an owner of this team can do this.")


def _require_member(principal: Principal, team_id: uuid.UUID) -> None:
    if team_id not in principal.roles:
        raise forbidden("You are not a member of this team.")


# -- endpoints ------------------------------------------------------------------------


@router.post("/teams", response_model=p.TeamOut, status_code=201)
async def create(body: p.TeamCreate, principal: CurrentPrincipal, session: Session) -> p.TeamOut:
    """Create a team; you become its owner."""
    team = await create_team(session, body.name, principal.user_id)
    await session.commit()
    return p.TeamOut(id=team.id, name=team.name, role="owner", scope=f"team:{team.id}")


@router.get(
    "/teams/{team_id}/members",
    response_model=list[p.MemberOut],
    responses={403: {"model": p.ErrorBody}},
)
async def members(
    team_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> list[p.MemberOut]:
    _require_member(principal, team_id)
    rows = await session.execute(
        select(User.id, User.email, User.display_name, Membership.role)
        .join(Membership, Membership.user_id == User.id)
        .where(Membership.team_id == team_id)
        .order_by(User.email)
    )
    return [
        p.MemberOut(user_id=uid, email=email, display_name=name, role=cast(p.RoleName, role))
        for uid, email, name, role in rows
    ]


@router.put(
    "/teams/{team_id}/members/{user_id}",
    response_model=p.MemberOut,
    responses={403: {"model": p.ErrorBody}, 404: {"model": p.ErrorBody}},
)
async def change_role(
    team_id: uuid.UUID,
    user_id: uuid.UUID,
    body: p.MemberRoleUpdate,
    principal: CurrentPrincipal,
    session: Session,
) -> p.MemberOut:
    """Change a member's role (owners only)."""
    _require_owner(principal, team_id)
    user = await session.get(User, user_id)
    if user is None or await session.get(Membership, (team_id, user_id)) is None:
        raise not_found("That member")
    await set_member(session, team_id, user_id, body.role)
    await session.commit()
    return p.MemberOut(
        user_id=user.id, email=user.email, display_name=user.display_name, role=body.role
    )


@router.delete(
    "/teams/{team_id}/members/{user_id}",
    status_code=204,
    responses={403: {"model": p.ErrorBody}, 404: {"model": p.ErrorBody}},
)
async def remove(
    team_id: uuid.UUID, user_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> None:
    """Remove a member (owners only; anyone may leave a team themselves)."""
    if user_id != principal.user_id:
        _require_owner(principal, team_id)
    else:
        _require_member(principal, team_id)
    await remove_member(session, team_id, user_id)
    await session.commit()


@router.post(
    "/teams/{team_id}/invitations",
    response_model=p.InvitationOut,
    status_code=201,
    responses={403: {"model": p.ErrorBody}},
)
async def invite(
    team_id: uuid.UUID, body: p.InvitationCreate, principal: CurrentPrincipal, session: Session
) -> p.InvitationOut:
    """A single-use invitation code with an expiry (owners only)."""
    _require_owner(principal, team_id)
    code = new_secret()
    expires = datetime.now(UTC) + timedelta(hours=body.expires_in_hours)
    session.add(
        Invitation(
            code_hash=digest(code),
            team_id=team_id,
            role=body.role,
            created_by=principal.user_id,
            expires_at=expires,
        )
    )
    await session.commit()
    return p.InvitationOut(code=code, team_id=team_id, role=body.role, expires_at=expires)


@router.post(
    "/invitations/accept",
    response_model=p.TeamOut,
    responses={404: {"model": p.ErrorBody}, 410: {"model": p.ErrorBody}},
)
async def accept(
    body: p.AcceptInvitation, principal: CurrentPrincipal, session: Session
) -> p.TeamOut:
    """Join a team with an invitation code. A code works once, before it expires."""
    invitation = await claim_invitation(session, body.code, principal.user_id)
    current = principal.roles.get(invitation.team_id)
    role = invitation.role
    if current is not None:  # joining twice never demotes
        order = [Role.VIEWER, Role.EDITOR, Role.OWNER]
        role = max(current, Role(role), key=order.index).value
    await set_member(session, invitation.team_id, principal.user_id, role)
    team = await session.get(Team, invitation.team_id)
    await session.commit()
    name = team.name if team else ""
    return p.TeamOut(
        id=invitation.team_id,
        name=name,
        role=cast(p.RoleName, role),
        scope=f"team:{invitation.team_id}",
    )
