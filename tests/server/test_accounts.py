"""Tokens, devices, invitations, limits and error bodies."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from sync_server.app import create_app
from sync_server.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from tests.server.conftest import PASSWORD, make_settings, new_team, new_user, sign_in

pytestmark = pytest.mark.anyio


async def test_refresh_rotates_and_a_reused_token_signs_the_session_out(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "ana@example.com")
    device = await sign_in(client, "ana@example.com")
    first = await client.post("/v1/auth/refresh", json={"refresh_token": device.refresh_token})
    assert first.status_code == 200
    new = first.json()
    stolen = await client.post("/v1/auth/refresh", json={"refresh_token": device.refresh_token})
    assert stolen.status_code == 401
    assert stolen.json()["code"] == "refresh_token_reused"
    # The whole family is gone: the token issued by the legitimate rotation too.
    after = await client.post("/v1/auth/refresh", json={"refresh_token": new["refresh_token"]})
    assert after.status_code == 401
    me = await client.get("/v1/me", headers={"Authorization": f"Bearer {new['access_token']}"})
    assert me.status_code == 401
    assert me.json()["code"] == "session_revoked"


async def test_logout_and_device_revocation_end_sessions(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "bo@example.com")
    laptop = await sign_in(client, "bo@example.com", "laptop")
    phone = await sign_in(client, "bo@example.com", "phone")
    assert (await laptop.post("/v1/auth/logout")).status_code == 204
    assert (await laptop.get("/v1/me")).status_code == 401
    devices = (await phone.get("/v1/devices")).json()
    assert {d["name"] for d in devices} == {"laptop", "phone"}
    again = await sign_in(client, "bo@example.com", "laptop 2")
    r = await again.client.delete(f"/v1/devices/{phone.device_id}", headers=again.headers)
    assert r.status_code == 204
    assert (await phone.get("/v1/me")).status_code == 401
    r = await client.post("/v1/auth/refresh", json={"refresh_token": phone.refresh_token})
    assert r.status_code == 401


async def test_invitation_codes_work_once(app: FastAPI, client: httpx.AsyncClient) -> None:
    owner_id = await new_user(app, "own@example.com")
    await new_user(app, "new@example.com")
    await new_user(app, "late@example.com")
    team = await new_team(app, owner_id)
    owner = await sign_in(client, "own@example.com")
    code = (await owner.post(f"/v1/teams/{team}/invitations", {"role": "editor"})).json()["code"]
    joiner = await sign_in(client, "new@example.com")
    r = await joiner.post("/v1/invitations/accept", {"code": code})
    assert r.status_code == 200
    assert r.json()["role"] == "editor"
    late = await sign_in(client, "late@example.com")
    r = await late.post("/v1/invitations/accept", {"code": code})
    assert r.status_code == 410
    assert r.json()["code"] == "invitation_used"
    code2 = (await owner.post(f"/v1/teams/{team}/invitations", {})).json()["code"]
    async with app.state.sessions() as session:
        await session.execute(text("UPDATE invitations SET expires_at = now() - interval '1 s'"))
        await session.commit()
    r = await late.post("/v1/invitations/accept", {"code": code2})
    assert r.status_code == 410
    assert r.json()["code"] == "invitation_expired"


async def test_login_is_rate_limited_per_account(app: FastAPI, client: httpx.AsyncClient) -> None:
    await new_user(app, "rl@example.com")
    app.state.settings.login_attempts_per_minute = 3
    codes = []
    for _ in range(4):
        r = await client.post(
            "/v1/auth/login",
            json={"email": "rl@example.com", "password": "wrong", "device_name": "x"},
        )
        codes.append(r.status_code)
    assert codes == [401, 401, 401, 429]
    r = await client.post(
        "/v1/auth/login",
        json={"email": "rl@example.com", "password": PASSWORD, "device_name": "x"},
    )
    assert r.status_code == 429
    assert "Retry-After" in r.headers


async def test_push_is_rate_limited_per_user(app: FastAPI, client: httpx.AsyncClient) -> None:
    await new_user(app, "pr@example.com")
    device = await sign_in(client, "pr@example.com")
    app.state.settings.push_requests_per_minute = 2
    body = {
        "device_id": device.device_id,
        "mutations": [
            {
                "kind": "record_put",
                "mutation_id": str(uuid.uuid4()),
                "scope": device.scope,
                "record_id": str(uuid.uuid4()),
                "collection": "bookmark",
            }
        ],
    }
    codes = [(await device.post("/v1/sync/push", body)).status_code for _ in range(3)]
    assert codes == [200, 200, 429]


async def test_protocol_version_body_size_and_error_bodies(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    r = await client.get("/v1/me", headers={PROTOCOL_HEADER: "99"})
    assert r.status_code == 426
    assert r.json()["code"] == "update_required"
    assert "update the app" in r.json()["message"]
    r = await client.post("/v1/auth/login", content=b"x" * (app.state.settings.max_body_bytes + 1))
    assert r.status_code == 413
    assert r.json()["code"] == "body_too_large"
    r = await client.get("/nowhere")
    assert r.status_code == 404
    assert set(r.json()) == {"code", "message"}
    r = await client.post(
        "/v1/auth/login", content=b"{not json", headers={"content-type": "application/json"}
    )
    assert r.status_code == 422
    assert set(r.json()) == {"code", "message"}


async def test_health_and_readiness(client: httpx.AsyncClient) -> None:
    assert (await client.get("/healthz")).json() == {"status": "ok"}
    ready = await client.get("/readyz")
    assert ready.status_code == 200
    assert ready.json()["status"] == "ready"
    assert (await client.get("/docs")).status_code == 200


async def _invite(client: httpx.AsyncClient, app: FastAPI, role: str = "editor") -> tuple[str, str]:
    owner_id = await new_user(app, "boss@example.com")
    team = await new_team(app, owner_id)
    owner = await sign_in(client, "boss@example.com")
    r = await owner.post(f"/v1/teams/{team}/invitations", {"role": role})
    assert r.status_code == 201, r.text
    return team, r.json()["code"]


def _signup(
    code: str, email: str = "newbie@example.com", password: str = PASSWORD
) -> dict[str, str]:
    return {"invite_code": code, "email": email, "password": password, "device_name": "laptop"}


async def test_signup_with_an_invitation_creates_the_account_in_the_team(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    team, code = await _invite(client, app, "editor")
    r = await client.post("/v1/auth/signup", json=_signup(code, "Newbie@Example.com"))
    assert r.status_code == 201, r.text
    pair = r.json()
    assert set(pair) >= {"access_token", "refresh_token", "user_id", "device_id", "expires_in"}
    auth = {"Authorization": f"Bearer {pair['access_token']}"}
    me = (await client.get("/v1/me", headers=auth)).json()
    assert me["email"] == "newbie@example.com"
    assert [(t["id"], t["role"]) for t in me["teams"]] == [(team, "editor")]
    devices = (await client.get("/v1/devices", headers=auth)).json()
    assert [(d["id"], d["name"], d["current"]) for d in devices] == [
        (pair["device_id"], "laptop", True)
    ]
    # The password is stored (Argon2) and works for a normal sign-in; the refresh token too.
    again = await sign_in(client, "newbie@example.com", "desktop")
    assert again.user_id == pair["user_id"]
    async with app.state.sessions() as session:
        stored = (
            await session.execute(
                text("SELECT password_hash FROM users WHERE email = :e"),
                {"e": "newbie@example.com"},
            )
        ).scalar_one()
    assert stored.startswith("$argon2id$")
    r = await client.post("/v1/auth/refresh", json={"refresh_token": pair["refresh_token"]})
    assert r.status_code == 200
    # The code was single use.
    r = await client.post("/v1/auth/signup", json=_signup(code, "second@example.com"))
    assert r.status_code == 410
    assert r.json()["code"] == "invitation_used"


async def test_signup_refuses_bad_codes_taken_emails_and_short_passwords(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    team, code = await _invite(client, app, "viewer")
    r = await client.post("/v1/auth/signup", json=_signup("no-such-code"))
    assert (r.status_code, r.json()["code"]) == (404, "invitation_not_found")
    assert "invitation code" in r.json()["message"]
    r = await client.post("/v1/auth/signup", json=_signup(code, password="short"))
    assert (r.status_code, r.json()["code"]) == (422, "password_too_short")
    assert "at least 8 characters" in r.json()["message"]
    # An existing account: told to sign in and accept instead; the code is not used up.
    r = await client.post("/v1/auth/signup", json=_signup(code, "BOSS@example.com"))
    assert (r.status_code, r.json()["code"]) == (409, "account_exists")
    assert "Sign in" in r.json()["message"]
    assert "accept the invitation" in r.json()["message"]
    boss = await sign_in(client, "boss@example.com")
    expired = (await boss.post(f"/v1/teams/{team}/invitations", {})).json()["code"]
    async with app.state.sessions() as session:
        await session.execute(text("UPDATE invitations SET expires_at = now() - interval '1 s'"))
        await session.commit()
    r = await client.post("/v1/auth/signup", json=_signup(expired, "late@example.com"))
    assert (r.status_code, r.json()["code"]) == (410, "invitation_expired")
    assert set(r.json()) == {"code", "message"}
    async with app.state.sessions() as session:
        users = (await session.execute(text("SELECT count(*) FROM users"))).scalar_one()
        unused = (
            await session.execute(text("SELECT count(*) FROM invitations WHERE used_at IS NULL"))
        ).scalar_one()
    assert users == 1  # the refused attempts created nothing
    assert unused == 2  # and used no code up


async def test_signup_is_rate_limited(app: FastAPI, client: httpx.AsyncClient) -> None:
    app.state.settings.login_attempts_per_minute = 2
    codes = [
        (await client.post("/v1/auth/signup", json=_signup("wrong"))).status_code for _ in range(3)
    ]
    assert codes == [404, 404, 429]


@pytest.fixture
async def small_body_client(database_url: str) -> AsyncIterator[httpx.AsyncClient]:
    application = create_app(make_settings(database_url, max_body_bytes=1000))
    async with httpx.AsyncClient(
        transport=httpx.ASGITransport(app=application),
        base_url="http://testserver",
        headers={PROTOCOL_HEADER: str(PROTOCOL_VERSION)},
    ) as c:
        yield c
    await application.state.engine.dispose()


async def test_body_limit_holds_with_and_without_content_length(
    small_body_client: httpx.AsyncClient,
) -> None:
    client = small_body_client
    big = b'{"email": "' + b"a" * 2000 + b'@example.com"}'
    declared = await client.post(
        "/v1/auth/login", content=big, headers={"content-type": "application/json"}
    )

    async def chunks() -> AsyncIterator[bytes]:
        for i in range(0, len(big), 100):
            yield big[i : i + 100]

    chunked = await client.post(
        "/v1/auth/login", content=chunks(), headers={"content-type": "application/json"}
    )
    for r in (declared, chunked):
        assert r.status_code == 413, r.text
        assert r.json() == {
            "code": "body_too_large",
            "message": "The request is larger than 1000 bytes; send smaller batches.",
        }
    assert "content-length" in declared.request.headers
    assert "content-length" not in chunked.request.headers
    assert chunked.request.headers["transfer-encoding"] == "chunked"

    async def small() -> AsyncIterator[bytes]:
        yield b'{"email": "x@example.com", "password": "p", '
        yield b'"device_name": "d"}'

    r = await client.post(
        "/v1/auth/login", content=small(), headers={"content-type": "application/json"}
    )
    assert r.status_code == 401  # a chunked body under the limit goes through
