"""Tokens, devices, invitations, limits and error bodies."""

from __future__ import annotations

import uuid

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from sync_server.protocol import PROTOCOL_HEADER
from tests.server.conftest import PASSWORD, new_team, new_user, sign_in

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
