"""Who is calling: the bearer token, checked against its (revocable) session and device."""

from __future__ import annotations

import time
import uuid
from dataclasses import dataclass, field
from typing import Annotated

from fastapi import Depends, Header, Request
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server.db import get_session
from sync_server.errors import ApiError, unauthorized
from sync_server.models import Device, Membership, TokenFamily
from sync_server.protocol import MAX_PROTOCOL, MIN_PROTOCOL, PROTOCOL_HEADER
from sync_server.rules.access import Role
from sync_server.security import read_access_token

_bearer = HTTPBearer(auto_error=False, description="Access token from /v1/auth/login")


async def protocol_version(
    version: Annotated[
        int,
        Header(
            alias=PROTOCOL_HEADER,
            description=f"Protocol version the client speaks ({MIN_PROTOCOL}..{MAX_PROTOCOL})",
        ),
    ],
) -> int:
    """Every ``/v1`` request names its protocol version; outside the range: update the app.

    ``async`` on purpose: FastAPI runs a plain ``def`` dependency in a worker thread, a
    thread hop on every request."""
    if not MIN_PROTOCOL <= version <= MAX_PROTOCOL:
        raise ApiError(
            426,
            "update_required",
            "This version of Playbook cannot sync with the server; update the app "
            "(your data stays safe on this computer).",
        )
    return version


@dataclass(frozen=True)
class Principal:
    user_id: uuid.UUID
    device_id: uuid.UUID
    family_id: uuid.UUID
    roles: dict[uuid.UUID, Role] = field(default_factory=dict)

    @property
    def user_scope(self) -> str:
        return f"user:{self.user_id}"


async def current_principal(
    request: Request,
    session: Annotated[AsyncSession, Depends(get_session)],
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> Principal:
    if credentials is None:
        raise unauthorized("not_signed_in", "Sign in to sync.")
    claims = read_access_token(request.app.state.token_key, credentials.credentials)
    if claims is None:
        raise unauthorized("token_invalid", "The access token is not valid; sign in again.")
    if claims.expires_at <= time.time():
        raise unauthorized("token_expired", "The access token has expired; refresh it.")
    # One round trip: the session and its device are live, and the user's teams and roles.
    rows = (
        await session.execute(
            select(Membership.team_id, Membership.role)
            .select_from(TokenFamily)
            .join(Device, Device.id == TokenFamily.device_id)
            .outerjoin(Membership, Membership.user_id == TokenFamily.user_id)
            .where(
                TokenFamily.id == claims.family_id,
                TokenFamily.user_id == claims.user_id,
                TokenFamily.device_id == claims.device_id,
                TokenFamily.revoked_at.is_(None),
                Device.revoked_at.is_(None),
            )
        )
    ).all()
    if not rows:
        raise unauthorized("session_revoked", "This session was signed out; sign in again.")
    roles = {team_id: Role(role) for team_id, role in rows if team_id is not None}
    return Principal(claims.user_id, claims.device_id, claims.family_id, roles)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Session = Annotated[AsyncSession, Depends(get_session)]


async def one_snapshot(session: Session) -> None:
    """For a read that must see one state across its statements: pull reads the scopes'
    retention horizons, then their changes, and a prune committed between the two would
    otherwise let a stale cursor skip pruned rows without ``resync_required``. A
    read-only REPEATABLE READ transaction gives every statement the same snapshot. Must
    run before anything else uses the session (route ``dependencies`` are solved first)."""
    await session.connection(
        execution_options={"isolation_level": "REPEATABLE READ", "postgresql_readonly": True}
    )


OneSnapshot = Depends(one_snapshot)
