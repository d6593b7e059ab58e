"""Accounts: users, login, token rotation, logout, devices."""

from __future__ import annotations

import time
import uuid
from datetime import UTC, datetime, timedelta
from typing import cast

from fastapi import APIRouter, Request
from sqlalchemy import func, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.ext.asyncio import AsyncSession
from starlette.concurrency import run_in_threadpool

from sync_server import protocol as p
from sync_server import teams
from sync_server.auth import CurrentPrincipal, Session
from sync_server.errors import ApiError, not_found, unauthorized
from sync_server.models import Device, Membership, RefreshToken, SyncScope, Team, TokenFamily, User
from sync_server.ratelimit import enforce
from sync_server.rules.access import Role
from sync_server.security import (
    AccessClaims,
    digest,
    hash_password,
    new_secret,
    sign_access_token,
    verify_password,
)
from sync_server.settings import Settings

router = APIRouter(tags=["accounts"])


# -- service --------------------------------------------------------------------------


def _email_taken(email: str, code: str = "email_taken", hint: str = "") -> ApiError:
    return ApiError(409, code, f"An account for {email} already exists.{hint}")


def check_password_policy(password: str) -> None:
    if len(password) < p.MIN_PASSWORD_LENGTH:
        raise ApiError(
            422,
            "password_too_short",
            f"Choose a password of at least {p.MIN_PASSWORD_LENGTH} characters.",
        )


async def create_user(
    session: AsyncSession,
    email: str,
    password: str,
    display_name: str = "",
) -> User:
    """A new account and its personal sync scope."""
    email = email.strip().lower()
    exists = await session.execute(select(User.id).where(User.email == email))
    if exists.scalar_one_or_none() is not None:
        raise _email_taken(email)
    user = User(
        id=uuid.uuid4(),
        email=email,
        display_name=display_name or email.split("@")[0],
        password_hash=hash_password(password),
    )
    session.add(user)
    session.add(SyncScope(key=f"user:{user.id}", last_sequence=0, pruned_through=0))
    try:
        await session.flush()
    except IntegrityError:  # the same email signed up at the same moment
        raise _email_taken(email) from None
    return user


async def _sign_in_device(
    request: Request,
    session: AsyncSession,
    user_id: uuid.UUID,
    device_name: str,
    device_id: uuid.UUID | None = None,
) -> p.TokenPair:
    """Register the device (or reuse a live one of this user), open a session, commit."""
    device: Device | None = None
    if device_id is not None:
        device = await session.get(Device, device_id)
        if device is None or device.user_id != user_id or device.revoked_at is not None:
            device = None
    if device is None:
        device = Device(id=uuid.uuid4(), user_id=user_id, name=device_name)
        session.add(device)
    family = TokenFamily(id=uuid.uuid4(), user_id=user_id, device_id=device.id)
    session.add(family)
    await session.flush()
    pair = await _issue(session, request.app.state.settings, request.app.state.token_key, family)
    await session.commit()
    return pair


async def _issue(
    session: AsyncSession, settings: Settings, key: bytes, family: TokenFamily
) -> p.TokenPair:
    refresh = new_secret()
    session.add(
        RefreshToken(
            token_hash=digest(refresh),
            family_id=family.id,
            expires_at=datetime.now(UTC) + timedelta(days=settings.refresh_token_days),
        )
    )
    expires = int(time.time()) + settings.access_token_seconds
    access = sign_access_token(
        key, AccessClaims(family.user_id, family.device_id, family.id, expires)
    )
    return p.TokenPair(
        access_token=access,
        refresh_token=refresh,
        expires_in=settings.access_token_seconds,
        user_id=family.user_id,
        device_id=family.device_id,
    )


async def revoke_family(session: AsyncSession, family_id: uuid.UUID, reason: str) -> None:
    await session.execute(
        update(TokenFamily)
        .where(TokenFamily.id == family_id, TokenFamily.revoked_at.is_(None))
        .values(revoked_at=func.now(), revoked_reason=reason)
    )


# -- endpoints ------------------------------------------------------------------------


@router.post("/auth/login", response_model=p.TokenPair, responses={401: {"model": p.ErrorBody}})
async def login(body: p.LoginRequest, request: Request, session: Session) -> p.TokenPair:
    """Sign in with email and password; registers this device (or reuses ``device_id``)."""
    settings: Settings = request.app.state.settings
    email = body.email.strip().lower()
    await enforce(session, f"login:{email}", settings.login_attempts_per_minute, "login")
    user = (await session.execute(select(User).where(User.email == email))).scalar_one_or_none()
    # Argon2 takes tens of milliseconds of CPU; off the event loop, other requests go on.
    valid = await run_in_threadpool(
        verify_password, user.password_hash if user else None, body.password
    )
    if not valid or user is None:
        raise unauthorized("wrong_credentials", "The email or password is not right.")
    return await _sign_in_device(request, session, user.id, body.device_name, body.device_id)


@router.post(
    "/auth/signup",
    response_model=p.TokenPair,
    status_code=201,
    responses={
        404: {"model": p.ErrorBody},
        409: {"model": p.ErrorBody},
        410: {"model": p.ErrorBody},
        429: {"model": p.ErrorBody},
    },
)
async def signup(body: p.SignupRequest, request: Request, session: Session) -> p.TokenPair:
    """Create an account with a team invitation code: joins the team with the invitation's
    role, uses the code up, registers this device and signs it in (the same tokens as
    login). Someone who already has an account signs in and accepts the invitation."""
    settings: Settings = request.app.state.settings
    email = body.email.strip().lower()
    await enforce(session, f"signup:{email}", settings.login_attempts_per_minute, "sign-up")
    check_password_policy(body.password)
    password_hash = await run_in_threadpool(hash_password, body.password)
    invitation = await teams.claim_invitation(session, body.invite_code, None)
    hint = " Sign in with it instead, then accept the invitation with this code."
    taken = await session.execute(select(User.id).where(User.email == email))
    if taken.scalar_one_or_none() is not None:
        raise _email_taken(email, "account_exists", hint)
    user = User(
        id=uuid.uuid4(),
        email=email,
        display_name=body.display_name.strip() or email.split("@")[0],
        password_hash=password_hash,
    )
    session.add(user)
    session.add(SyncScope(key=f"user:{user.id}", last_sequence=0, pruned_through=0))
    try:
        await session.flush()
    except IntegrityError:  # the same email signed up at the same moment
        raise _email_taken(email, "account_exists", hint) from None
    invitation.used_by = user.id
    await teams.set_member(session, invitation.team_id, user.id, Role(invitation.role).value)
    return await _sign_in_device(request, session, user.id, body.device_name)


@router.post("/auth/refresh", response_model=p.TokenPair, responses={401: {"model": p.ErrorBody}})
async def refresh(body: p.RefreshRequest, request: Request, session: Session) -> p.TokenPair:
    """Swap a refresh token for a new pair. A refresh token works once: presenting it again
    signs out its whole session (it was probably stolen)."""
    row = (
        await session.execute(
            select(RefreshToken)
            .where(RefreshToken.token_hash == digest(body.refresh_token))
            .with_for_update()
        )
    ).scalar_one_or_none()
    if row is None:
        raise unauthorized("token_invalid", "The refresh token is not valid; sign in again.")
    family = await session.get(TokenFamily, row.family_id, with_for_update=True)
    device = await session.get(Device, family.device_id) if family else None
    if family is None or family.revoked_at is not None or device is None or device.revoked_at:
        raise unauthorized("session_revoked", "This session was signed out; sign in again.")
    if row.used_at is not None:
        await revoke_family(session, family.id, "refresh_token_reused")
        await session.commit()
        raise unauthorized(
            "refresh_token_reused",
            "This refresh token was already used, so the session was signed out for safety; "
            "sign in again.",
        )
    if row.expires_at <= datetime.now(UTC):
        raise unauthorized("token_expired", "The session has expired; sign in again.")
    row.used_at = datetime.now(UTC)
    pair = await _issue(session, request.app.state.settings, request.app.state.token_key, family)
    await session.commit()
    return pair


@router.post("/auth/logout", status_code=204)
async def logout(principal: CurrentPrincipal, session: Session) -> None:
    """Sign this session out: its access and refresh tokens stop working at once."""
    await revoke_family(session, principal.family_id, "logout")
    await session.commit()


@router.get("/me", response_model=p.MeOut)
async def me(principal: CurrentPrincipal, session: Session) -> p.MeOut:
    user = await session.get(User, principal.user_id)
    if user is None:
        raise not_found("The account")
    rows = await session.execute(
        select(Team.id, Team.name, Membership.role)
        .join(Membership, Membership.team_id == Team.id)
        .where(Membership.user_id == user.id)
        .order_by(Team.name)
    )
    teams = [
        p.TeamOut(id=tid, name=name, role=cast(p.RoleName, role), scope=f"team:{tid}")
        for tid, name, role in rows
    ]
    return p.MeOut(
        id=user.id,
        email=user.email,
        display_name=user.display_name,
        scope=principal.user_scope,
        teams=teams,
    )


@router.get("/devices", response_model=list[p.DeviceOut])
async def list_devices(principal: CurrentPrincipal, session: Session) -> list[p.DeviceOut]:
    rows = await session.execute(
        select(Device).where(Device.user_id == principal.user_id).order_by(Device.created_at)
    )
    return [
        p.DeviceOut(
            id=d.id,
            name=d.name,
            created_at=d.created_at,
            revoked=d.revoked_at is not None,
            current=d.id == principal.device_id,
        )
        for d in rows.scalars()
    ]


@router.delete("/devices/{device_id}", status_code=204, responses={404: {"model": p.ErrorBody}})
async def revoke_device(
    device_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> None:
    """Revoke one of your devices (a lost laptop): its sessions end at once."""
    device = await session.get(Device, device_id)
    if device is None or device.user_id != principal.user_id:
        raise not_found("The device")
    if device.revoked_at is None:
        device.revoked_at = datetime.now(UTC)
        await session.execute(
            update(TokenFamily)
            .where(TokenFamily.device_id == device_id, TokenFamily.revoked_at.is_(None))
            .values(revoked_at=func.now(), revoked_reason="device_revoked")
        )
    await session.commit()
