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


def protocol_version(
    version: Annotated[
        int,
        Header(
            alias=PROTOCOL_HEADER,
            description=f"Protocol version the client speaks ({MIN_PROTOCOL}..{MAX_PROTOCOL})",
        ),
    ],
) -> int:
    """Every ``/v1`` request names its protocol version; outside the range: update the app."""
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
    live = await session.execute(
        select(TokenFamily.id)
        .join(Device, Device.id == TokenFamily.device_id)
        .where(
            TokenFamily.id == claims.family_id,
            TokenFamily.revoked_at.is_(None),
            Device.revoked_at.is_(None),
        )
    )
    if live.scalar_one_or_none() is None:
        raise unauthorized("session_revoked", "This session was signed out; sign in again.")
    rows = await session.execute(
        select(Membership.team_id, Membership.role).where(Membership.user_id == claims.user_id)
    )
    roles = {team_id: Role(role) for team_id, role in rows.all()}
    return Principal(claims.user_id, claims.device_id, claims.family_id, roles)


CurrentPrincipal = Annotated[Principal, Depends(current_principal)]
Session = Annotated[AsyncSession, Depends(get_session)]
