"""Every endpoint, tried as: no token, an expired token, another user, a viewer, an editor,
an owner, and a member of another team."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from sync_server.security import AccessClaims, read_access_token, sign_access_token
from tests.server.conftest import SECRET, new_team, new_user, sign_in

pytestmark = pytest.mark.anyio

ACTORS = ("no_token", "expired", "another_user", "viewer", "editor", "owner", "other_team")
EMAILS = {
    "another_user": "stranger@example.com",
    "viewer": "viewer@example.com",
    "editor": "editor@example.com",
    "owner": "owner@example.com",
    "other_team": "rival@example.com",
}


@dataclass
class World:
    app: FastAPI
    client: httpx.AsyncClient
    team_id: str
    template_id: str
    owner_id: str
    spare_id: str


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: Callable[[World], str]
    body: Callable[[World, dict[str, str]], Any] | None
    allowed: frozenset[str]
    ok: int = 200


ANY = frozenset({"another_user", "viewer", "editor", "owner", "other_team"})
PUBLIC = frozenset(ACTORS)
MEMBERS = frozenset({"viewer", "editor", "owner"})
WRITERS = frozenset({"editor", "owner"})
OWNER = frozenset({"owner"})


def _template_push(w: World, who: dict[str, str]) -> dict[str, Any]:
    return {
        "device_id": who["device_id"],
        "mutations": [
            {
                "kind": "template_put",
                "mutation_id": str(uuid.uuid4()),
                "scope": f"team:{w.team_id}",
                "template_id": str(uuid.uuid4()),
                "fields": {"body": "hello\n"},
            }
        ],
    }


def _own_scope_push(w: World, who: dict[str, str]) -> dict[str, Any]:
    return {
        "device_id": who["device_id"],
        "mutations": [
            {
                "kind": "progress_event",
                "mutation_id": str(uuid.uuid4()),
                "scope": f"user:{w.owner_id}",
                "event_id": str(uuid.uuid4()),
                "course_id": "c",
                "lesson_id": "l",
                "type": "attempt",
                "score": 50,
            }
        ],
    }


def _signup(w: World, who: dict[str, str]) -> dict[str, Any]:
    return {
        "invite_code": "{code}",
        "email": f"new-{uuid.uuid4().hex[:8]}@example.com",
        "password": "a long enough password",
        "device_name": "laptop",
    }


ENDPOINTS: dict[str, Endpoint] = {
    "signup": Endpoint("POST", lambda w: "/v1/auth/signup", _signup, PUBLIC, 201),
    "me": Endpoint("GET", lambda w: "/v1/me", None, ANY),
    "devices": Endpoint("GET", lambda w: "/v1/devices", None, ANY),
    "revoke_owner_device": Endpoint(
        "DELETE", lambda w: "/v1/devices/{owner_device}", None, OWNER, 204
    ),
    "logout": Endpoint("POST", lambda w: "/v1/auth/logout", None, ANY, 204),
    "create_team": Endpoint("POST", lambda w: "/v1/teams", lambda w, a: {"name": "T"}, ANY, 201),
    "members": Endpoint("GET", lambda w: f"/v1/teams/{w.team_id}/members", None, MEMBERS),
    "change_role": Endpoint(
        "PUT",
        lambda w: f"/v1/teams/{w.team_id}/members/{w.spare_id}",
        lambda w, a: {"role": "editor"},
        OWNER,
    ),
    "remove_member": Endpoint(
        "DELETE", lambda w: f"/v1/teams/{w.team_id}/members/{w.spare_id}", None, OWNER, 204
    ),
    "invite": Endpoint(
        "POST",
        lambda w: f"/v1/teams/{w.team_id}/invitations",
        lambda w, a: {"role": "viewer"},
        OWNER,
        201,
    ),
    "accept_invitation": Endpoint(
        "POST", lambda w: "/v1/invitations/accept", lambda w, a: {"code": "{code}"}, ANY
    ),
    "push_team_template": Endpoint("POST", lambda w: "/v1/sync/push", _template_push, WRITERS),
    "push_owner_progress": Endpoint("POST", lambda w: "/v1/sync/push", _own_scope_push, OWNER),
    "pull_team": Endpoint(
        "POST",
        lambda w: "/v1/sync/pull",
        lambda w, a: {"cursors": {f"team:{w.team_id}": 0}},
        MEMBERS,
    ),
    "pull_owner_scope": Endpoint(
        "POST",
        lambda w: "/v1/sync/pull",
        lambda w, a: {"cursors": {f"user:{w.owner_id}": 0}},
        OWNER,
    ),
    "my_progress": Endpoint("GET", lambda w: "/v1/progress", None, ANY),
    "team_progress": Endpoint("GET", lambda w: f"/v1/teams/{w.team_id}/progress", None, OWNER),
    "revisions": Endpoint(
        "GET", lambda w: f"/v1/teams/{w.team_id}/templates/{w.template_id}/revisions", None, MEMBERS
    ),
    "restore": Endpoint(
        "POST",
        lambda w: f"/v1/teams/{w.team_id}/templates/{w.template_id}/restore",
        lambda w, a: {"version": 1},
        WRITERS,
    ),
}


async def _world(app: FastAPI, client: httpx.AsyncClient) -> World:
    ids = {actor: await new_user(app, email) for actor, email in EMAILS.items()}
    spare = await new_user(app, "spare@example.com")
    team = await new_team(
        app,
        ids["owner"],
        {ids["viewer"]: "viewer", ids["editor"]: "editor", spare: "viewer"},
    )
    await new_team(app, ids["other_team"])
    editor = await sign_in(client, EMAILS["editor"])
    template_id = str(uuid.uuid4())
    await editor.push(
        {
            "kind": "template_put",
            "mutation_id": str(uuid.uuid4()),
            "scope": f"team:{team}",
            "template_id": template_id,
            "fields": {"body": "v1\n"},
        }
    )
    return World(app, client, team, template_id, ids["owner"], spare)


async def _credentials(w: World, actor: str) -> dict[str, str]:
    """Fresh credentials per call, so logout and revocation never leak into the next row."""
    if actor == "no_token":
        return {"headers": "", "device_id": str(uuid.uuid4())}
    device = await sign_in(w.client, EMAILS["editor" if actor == "expired" else actor])
    token = device.access_token
    if actor == "expired":
        claims = read_access_token(SECRET.encode(), token)
        assert claims is not None
        expired = AccessClaims(
            claims.user_id, claims.device_id, claims.family_id, int(time.time()) - 1
        )
        token = sign_access_token(SECRET.encode(), expired)
    return {"headers": f"Bearer {token}", "device_id": device.device_id}


async def _placeholders(w: World, path: str, body: Any) -> tuple[str, Any]:
    """Targets that one call uses up: a device of the owner, an invitation, the spare member."""
    from sync_server import teams as team_service

    async with w.app.state.sessions() as session:
        await team_service.set_member(
            session, uuid.UUID(w.team_id), uuid.UUID(w.spare_id), "viewer"
        )
        await session.commit()
    if "{owner_device}" in path:
        owner_device = await sign_in(w.client, EMAILS["owner"], "second laptop")
        path = path.replace("{owner_device}", owner_device.device_id)
    if isinstance(body, dict) and "{code}" in body.values():
        owner = await sign_in(w.client, EMAILS["owner"])
        r = await owner.post(f"/v1/teams/{w.team_id}/invitations", {"role": "viewer"})
        body = {k: r.json()["code"] if v == "{code}" else v for k, v in body.items()}
    return path, body


@pytest.mark.parametrize("name", sorted(ENDPOINTS))
async def test_endpoint_checks_token_scope_and_role(
    name: str, app: FastAPI, client: httpx.AsyncClient
) -> None:
    endpoint = ENDPOINTS[name]
    world = await _world(app, client)
    outcomes: dict[str, int] = {}
    for actor in ACTORS:
        who = await _credentials(world, actor)
        path = endpoint.path(world)
        body = endpoint.body(world, who) if endpoint.body else None
        path, body = await _placeholders(world, path, body)
        headers = {"Authorization": who["headers"]} if who["headers"] else {}
        r = await client.request(endpoint.method, path, json=body, headers=headers)
        outcomes[actor] = r.status_code
        if r.status_code >= 400:
            assert set(r.json()) == {"code", "message"}, r.text
    expected = {
        actor: endpoint.ok
        if actor in endpoint.allowed
        else 401
        if actor in ("no_token", "expired")
        else (404 if name == "revoke_owner_device" else 403)
        for actor in ACTORS
    }
    assert outcomes == expected
