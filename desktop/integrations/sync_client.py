"""The HTTP client of the sync server, speaking protocol v1 (``sync_server.protocol``).

Async (httpx): it runs on the app's qasync loop, or under ``asyncio.run`` headless.
Every failure a user can meet is a typed :class:`SyncProblem` with a sentence for the
user and the action that helps:

- :class:`ServerUnreachable` — no network, wrong address, the server down or failing
  (``action = "check_server"``; sync retries with backoff);
- :class:`SignInRequired` — the session was revoked or expired (``"sign_in"``);
- :class:`UpdateRequired` — the server speaks a newer protocol (426, ``"update_app"``);
- :class:`ServerRefused` — the server understood and said no (a wrong password, a
  role that does not allow it, an invitation used up...), with the server's own message.

Access tokens are refreshed silently: shortly before they expire, and once more when a
request is answered ``token_expired``. Refresh tokens rotate on every use, so the new
pair is handed to ``on_tokens`` at once (the caller stores it in the keyring before
anything else can go wrong).
"""

from __future__ import annotations

import asyncio
import functools
import ssl
import time
import uuid
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any, TypeVar

import certifi
import httpx
from pydantic import BaseModel, ValidationError

from desktop.integrations.sync_types import (
    ServerRefused,
    ServerUnreachable,
    SignInRequired,
    SyncProblem,
    Tokens,
    UpdateRequired,
)
from sync_server import protocol as p

__all__ = [
    "ServerRefused",
    "ServerUnreachable",
    "SignInRequired",
    "SyncClient",
    "SyncProblem",
    "Tokens",
    "UpdateRequired",
    "normalise_server_url",
]

M = TypeVar("M", bound=BaseModel)

REFRESH_MARGIN_SECONDS = 20.0
DEFAULT_TIMEOUT = httpx.Timeout(30.0, connect=10.0)


def normalise_server_url(url: str) -> str:
    """``https://sync.example.com/`` -> ``https://sync.example.com``; a bare host gets
    ``https://``. Raises ServerRefused with what to type for an unusable address."""
    text = url.strip()
    if not text:
        raise ServerRefused("Enter the address of your team's sync server.", code="bad_url")
    if "://" not in text:
        text = "https://" + text
    example = f"“{url.strip()}” is not a web address. Use the form https://sync.example.com."
    try:
        parsed = httpx.URL(text)
    except (httpx.InvalidURL, ValueError):
        raise ServerRefused(example, code="bad_url") from None
    if parsed.scheme not in ("http", "https") or not parsed.host:
        raise ServerRefused(example, code="bad_url")
    host = f"[{parsed.host}]" if ":" in parsed.host else parsed.host  # IPv6
    port = f":{parsed.port}" if parsed.port else ""
    return f"{parsed.scheme}://{host}{port}{parsed.path.rstrip('/')}"


_UNREACHABLE = (
    "Playbook cannot reach the sync server at {url}. Check your network and the server "
    "address in Settings → Account; your changes stay on this computer meanwhile."
)
_SERVER_FAILING = (
    "The sync server at {url} is having a problem ({status}). Playbook will try again by "
    "itself; your changes stay on this computer meanwhile."
)
_NOT_PLAYBOOK = (
    "The address {url} answers, but not like a Playbook sync server. Check the server "
    "address in Settings → Account."
)


@functools.cache
def tls_context() -> ssl.SSLContext:
    """The TLS settings of every client: httpx's default (the system's TLS, certifi's
    certificate authorities), built once per process. Building it reads the CA bundle
    (50-100 ms), which each new ``httpx.AsyncClient`` did again on the event loop,
    stalling the window at every sync."""
    return ssl.create_default_context(cafile=certifi.where())


class SyncClient:
    """One server, optionally one signed-in session. Use as ``async with`` (entering
    builds the HTTP client, its TLS settings off the event loop the first time)."""

    def __init__(
        self,
        base_url: str,
        tokens: Tokens | None = None,
        *,
        on_tokens: Callable[[Tokens], None] | None = None,
        transport: httpx.AsyncBaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = normalise_server_url(base_url)
        self.tokens = tokens
        self._on_tokens = on_tokens
        self._transport = transport
        self._timeout = timeout
        self._client: httpx.AsyncClient | None = None

    async def __aenter__(self) -> SyncClient:
        verify = True if self._transport is not None else await asyncio.to_thread(tls_context)
        self._client = httpx.AsyncClient(
            base_url=self.base_url,
            transport=self._transport,
            timeout=self._timeout,
            verify=verify,
            headers={p.PROTOCOL_HEADER: str(p.PROTOCOL_VERSION)},
            follow_redirects=False,
        )
        return self

    @property
    def _http(self) -> httpx.AsyncClient:
        if self._client is None:
            raise RuntimeError("Use the SyncClient as `async with SyncClient(...) as client`.")
        return self._client

    async def __aexit__(self, *_exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._client is not None:
            await self._client.aclose()
            self._client = None

    # -- accounts ---------------------------------------------------------------------

    async def login(
        self, email: str, password: str, device_name: str, device_id: uuid.UUID | None = None
    ) -> p.TokenPair:
        body = p.LoginRequest(
            email=email.strip(), password=password, device_name=device_name, device_id=device_id
        )
        pair = await self._call("POST", "/auth/login", p.TokenPair, body, auth=False)
        self._adopt(pair)
        return pair

    async def signup(
        self,
        invite_code: str,
        email: str,
        password: str,
        device_name: str,
        display_name: str = "",
    ) -> p.TokenPair:
        body = p.SignupRequest(
            invite_code=invite_code.strip(),
            email=email.strip(),
            password=password,
            device_name=device_name,
            display_name=display_name,
        )
        pair = await self._call("POST", "/auth/signup", p.TokenPair, body, auth=False)
        self._adopt(pair)
        return pair

    async def refresh(self) -> Tokens:
        """Swap the refresh token for a new pair (single use: the old one is dead now)."""
        if self.tokens is None:
            raise SignInRequired("Sign in to sync.", code="not_signed_in")
        body = p.RefreshRequest(refresh_token=self.tokens.refresh_token)
        try:
            pair = await self._call("POST", "/auth/refresh", p.TokenPair, body, auth=False)
        except ServerRefused as exc:
            if exc.status == 401:
                message = _sign_in_message(exc.code, exc.user_message)
                raise SignInRequired(message, code=exc.code, status=401) from exc
            raise
        return self._adopt(pair)

    async def logout(self) -> None:
        await self._act("POST", "/auth/logout")

    async def me(self) -> p.MeOut:
        return await self._call("GET", "/me", p.MeOut)

    async def devices(self) -> list[p.DeviceOut]:
        return await self._call_list("GET", "/devices", p.DeviceOut)

    async def revoke_device(self, device_id: uuid.UUID) -> None:
        await self._act("DELETE", f"/devices/{device_id}")

    # -- teams ------------------------------------------------------------------------

    async def create_team(self, name: str) -> p.TeamOut:
        return await self._call("POST", "/teams", p.TeamOut, p.TeamCreate(name=name))

    async def members(self, team_id: uuid.UUID) -> list[p.MemberOut]:
        return await self._call_list("GET", f"/teams/{team_id}/members", p.MemberOut)

    async def team_analytics(
        self,
        team_id: uuid.UUID,
        course_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> p.TeamAnalyticsOut:
        """A team's learning and template figures (owners only: anyone else gets
        ServerRefused ``forbidden``). ``since <= time < until``; None: no limit."""
        from urllib.parse import urlencode

        query = {
            key: value
            for key, value in (
                ("course_id", course_id),
                ("since", since.isoformat() if since else None),
                ("until", until.isoformat() if until else None),
            )
            if value
        }
        path = f"/teams/{team_id}/analytics" + (f"?{urlencode(query)}" if query else "")
        return await self._call("GET", path, p.TeamAnalyticsOut)

    async def set_role(self, team_id: uuid.UUID, user_id: uuid.UUID, role: str) -> p.MemberOut:
        body = p.MemberRoleUpdate.model_validate({"role": role})
        return await self._call("PUT", f"/teams/{team_id}/members/{user_id}", p.MemberOut, body)

    async def remove_member(self, team_id: uuid.UUID, user_id: uuid.UUID) -> None:
        await self._act("DELETE", f"/teams/{team_id}/members/{user_id}")

    async def invite(self, team_id: uuid.UUID, role: str, hours: int = 72) -> p.InvitationOut:
        body = p.InvitationCreate.model_validate({"role": role, "expires_in_hours": hours})
        return await self._call("POST", f"/teams/{team_id}/invitations", p.InvitationOut, body)

    async def accept_invitation(self, code: str) -> p.TeamOut:
        body = p.AcceptInvitation(code=code.strip())
        return await self._call("POST", "/invitations/accept", p.TeamOut, body)

    # -- sync -------------------------------------------------------------------------

    async def push(
        self, device_id: uuid.UUID, mutations: Sequence[Mapping[str, Any]]
    ) -> p.PushResponse:
        """Push mutations already shaped as protocol JSON (the outbox stores them so)."""
        body = {"device_id": str(device_id), "mutations": list(mutations)}
        return await self._call("POST", "/sync/push", p.PushResponse, body)

    async def pull(self, cursors: Mapping[str, int], limit: int = 500) -> p.PullResponse:
        body = {"cursors": dict(cursors), "limit": limit}
        return await self._call("POST", "/sync/pull", p.PullResponse, body)

    async def revisions(self, team_id: uuid.UUID, template_id: uuid.UUID) -> list[p.RevisionOut]:
        path = f"/teams/{team_id}/templates/{template_id}/revisions"
        return await self._call_list("GET", path, p.RevisionOut)

    async def restore(
        self, team_id: uuid.UUID, template_id: uuid.UUID, version: int
    ) -> p.TemplateState:
        path = f"/teams/{team_id}/templates/{template_id}/restore"
        return await self._call("POST", path, p.TemplateState, p.RestoreRequest(version=version))

    # -- internals --------------------------------------------------------------------

    def _adopt(self, pair: p.TokenPair) -> Tokens:
        self.tokens = Tokens.from_pair(pair)
        if self._on_tokens is not None:
            self._on_tokens(self.tokens)
        return self.tokens

    async def _call_list(self, method: str, path: str, item: type[M]) -> list[M]:
        response = await self._send(method, path, None, auth=True)
        try:
            raw = response.json()
            return [item.model_validate(x) for x in raw]
        except (ValueError, TypeError, ValidationError):
            raise ServerRefused(
                _NOT_PLAYBOOK.format(url=self.base_url), code="bad_response"
            ) from None

    async def _act(
        self, method: str, path: str, body: BaseModel | Mapping[str, Any] | None = None
    ) -> None:
        await self._send(method, path, body, auth=True)

    async def _call(
        self,
        method: str,
        path: str,
        model: type[M],
        body: BaseModel | Mapping[str, Any] | None = None,
        *,
        auth: bool = True,
    ) -> M:
        response = await self._send(method, path, body, auth=auth)
        try:
            return model.model_validate_json(response.content)
        except ValidationError:
            raise ServerRefused(
                _NOT_PLAYBOOK.format(url=self.base_url), code="bad_response"
            ) from None

    async def _send(
        self,
        method: str,
        path: str,
        body: BaseModel | Mapping[str, Any] | None,
        *,
        auth: bool,
    ) -> httpx.Response:
        content: bytes | None = None
        if isinstance(body, BaseModel):
            content = body.model_dump_json(exclude_none=False).encode()
        elif body is not None:
            import json

            content = json.dumps(body, separators=(",", ":")).encode()
        if auth:
            if self.tokens is None:
                raise SignInRequired("Sign in to sync.", code="not_signed_in")
            if self.tokens.access_expires_at - REFRESH_MARGIN_SECONDS <= time.time():
                await self.refresh()
        response = await self._request(method, path, content, auth)
        if auth and response.status_code == 401 and _code(response) == "token_expired":
            await self.refresh()  # the clock was off, or the token expired in flight
            response = await self._request(method, path, content, auth)
        self._raise_for(response, auth)
        return response

    async def _request(
        self, method: str, path: str, content: bytes | None, auth: bool
    ) -> httpx.Response:
        headers = {"content-type": "application/json"} if content is not None else {}
        if auth and self.tokens is not None:
            headers["Authorization"] = f"Bearer {self.tokens.access_token}"
        try:
            return await self._http.request(
                method, p.API_PREFIX + path, content=content, headers=headers
            )
        except httpx.TransportError as exc:
            raise ServerUnreachable(
                _UNREACHABLE.format(url=self.base_url), code=type(exc).__name__
            ) from exc

    def _raise_for(self, response: httpx.Response, auth: bool) -> None:
        status = response.status_code
        if status < 300:
            return
        code, message = _error(response)
        if status == 426:
            raise UpdateRequired(
                message
                or "This version of Playbook cannot sync with the server; update the app "
                "(your data stays safe on this computer).",
                code=code or "update_required",
                status=status,
            )
        if status in (502, 503, 504) or status >= 500:
            raise ServerUnreachable(
                _SERVER_FAILING.format(url=self.base_url, status=status), code=code, status=status
            )
        if not code:  # not a Playbook error body: some other web server
            raise ServerRefused(
                _NOT_PLAYBOOK.format(url=self.base_url), code="bad_response", status=status
            )
        if status == 401 and auth:
            raise SignInRequired(_sign_in_message(code, message), code=code, status=status)
        raise ServerRefused(message, code=code, status=status)


def _sign_in_message(code: str, message: str) -> str:
    if code in ("session_revoked", "refresh_token_reused"):
        return (
            "This computer was signed out of sync (the device was removed or the session "
            "ended). Sign in again in Settings → Account; nothing on this computer was lost."
        )
    return message or "Sign in again in Settings → Account to keep syncing."


def _code(response: httpx.Response) -> str:
    return _error(response)[0]


def _error(response: httpx.Response) -> tuple[str, str]:
    try:
        data = response.json()
    except ValueError:
        return "", ""
    if isinstance(data, dict) and isinstance(data.get("code"), str):
        return data["code"], str(data.get("message", ""))
    return "", ""
