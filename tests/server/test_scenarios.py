"""The sync scenarios of the issue, end to end over the real HTTP stack and PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import anyio
import httpx
import pytest
from fastapi import FastAPI

from sync_server import protocol as p
from sync_server import retention, sync
from sync_server.auth import Principal
from sync_server.rules.access import Role
from tests.server.conftest import new_team, new_user, sign_in
from tests.server.replica import Replica

pytestmark = pytest.mark.anyio


async def _team_replicas(app: FastAPI, client: httpx.AsyncClient) -> tuple[str, Replica, Replica]:
    alice = await new_user(app, "alice@example.com")
    bob = await new_user(app, "bob@example.com")
    team = await new_team(app, alice, {bob: "editor"})
    scope = f"team:{team}"
    a = await sign_in(client, "alice@example.com")
    b = await sign_in(client, "bob@example.com")
    return scope, Replica(a, [scope, a.scope]), Replica(b, [scope, b.scope])


async def test_offline_edits_on_two_laptops_merge_or_keep_both_texts(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    scope, a, b = await _team_replicas(app, client)
    lines, same, doomed, kept = (str(uuid.uuid4()) for _ in range(4))
    a.edit_template(scope, lines, {"title": "Pricing", "body": "one\ntwo\nthree\n"})
    a.edit_template(scope, same, {"body": "Refunds within 14 days.\n"})
    a.edit_template(scope, doomed, {"body": "Old discount policy\n"})
    a.edit_template(scope, kept, {"body": "Partner policy\n"})
    await a.sync()
    await b.sync()

    # Offline: different lines; the same line; edit against delete, in both orders.
    a.edit_template(scope, lines, {"title": "Pricing", "body": "ONE\ntwo\nthree\n"})
    b.edit_template(scope, lines, {"title": "Pricing 2025", "body": "one\ntwo\nTHREE\n"})
    a.edit_template(scope, same, {"body": "Refunds within 30 days.\n"})
    b.edit_template(scope, same, {"body": "No refunds after download.\n"})
    a.delete_template(scope, doomed)
    b.edit_template(scope, doomed, {"body": "New discount policy\n"})
    b.delete_template(scope, kept)
    a.edit_template(scope, kept, {"body": "Partner policy, revised\n"})

    results_a = {r["mutation_id"]: r for r in await a.push()}
    results_b = await b.push()
    statuses = [r["status"] for r in results_b]
    assert statuses == ["merged", "conflict", "applied", "kept_edit"]
    assert results_b[0]["template"]["fields"] == {
        "title": "Pricing 2025",
        "body": "ONE\ntwo\nTHREE\n",
    }
    conflict = results_b[1]
    assert conflict["template"]["fields"] == {"body": "Refunds within 30 days.\n"}
    assert conflict["conflict_fields"] == {"body": "No refunds after download.\n"}
    assert conflict["conflict_copy_id"]
    assert len(results_a) == 4

    for _ in range(2):
        await a.sync()
        await b.sync()
    assert a.state() == b.state()
    assert a.templates[doomed]["deleted"] is False
    assert a.templates[doomed]["fields"]["body"] == "New discount policy\n"
    assert a.templates[kept]["deleted"] is False
    assert a.templates[kept]["fields"]["body"] == "Partner policy, revised\n"
    texts = {t["fields"]["body"] for t in a.templates.values()} | {
        c["fields"]["body"] for c in a.conflicts.values()
    }
    assert {"Refunds within 30 days.\n", "No refunds after download.\n"} <= texts

    # Any revision can be restored, as a new revision.
    team_id = scope.split(":")[1]
    r = await a.device.post(f"/v1/teams/{team_id}/templates/{same}/restore", {"version": 1})
    assert r.status_code == 200, r.text
    assert r.json()["fields"] == {"body": "Refunds within 14 days.\n"}
    history = await a.device.get(f"/v1/teams/{team_id}/templates/{same}/revisions")
    assert [h["version"] for h in history.json()] == [1, 2, 3]
    assert history.json()[-1]["restored_from"] == 1


async def test_retried_push_and_interrupted_pull_lose_and_duplicate_nothing(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "lee@example.com")
    device = await sign_in(client, "lee@example.com")
    other = await sign_in(client, "lee@example.com", "desktop")
    replica = Replica(device, [device.scope])
    for n in range(5):
        replica.record_event(course_id="c", lesson_id=f"l{n}", type="attempt", score=n * 10)
    batch = list(replica.pending)
    first = await device.push(*batch)
    # The response was lost after the server committed: the same batch again.
    replay = await device.push(*batch)
    assert replay == first

    reader = Replica(other, [other.scope])
    page = await other.pull({other.scope: 0}, limit=2)
    assert len(page["changes"]) == 2
    assert page["more"]
    # Interrupted before applying the page: the stored cursor did not move, so the same
    # page comes again.
    again = await other.pull({other.scope: 0}, limit=2)
    assert again["changes"] == page["changes"]
    assert await reader.pull(limit=2) == []
    assert len(reader.events) == 5
    sequences = sorted(c["sequence"] for c in (await other.pull({other.scope: 0}))["changes"])
    assert sequences == [1, 2, 3, 4, 5]


async def test_one_learner_on_two_devices_keeps_every_attempt(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "sam@example.com")
    laptop = Replica(await sign_in(client, "sam@example.com", "laptop"), [])
    desktop = Replica(await sign_in(client, "sam@example.com", "desktop"), [])
    laptop.scopes = desktop.scopes = [laptop.device.scope]
    lesson = {"course_id": "ai", "lesson_id": "prompts"}
    laptop.record_event(**lesson, type="attempt", score=60, seconds=120)
    laptop.record_event(**lesson, type="completion", seconds=0)
    desktop.record_event(**lesson, type="attempt", score=85, seconds=300)
    desktop.record_event(**lesson, type="attempt", score=40, seconds=90)
    desktop.record_event(**lesson, type="session", seconds=30)
    await laptop.sync()
    await desktop.sync()
    await laptop.sync()
    assert laptop.events == desktop.events
    assert len(laptop.events) == 5
    r = await laptop.device.get("/v1/progress")
    assert r.json() == [
        {
            "course_id": "ai",
            "lesson_id": "prompts",
            "completed": True,
            "best_score": 85.0,
            "total_seconds": 540,
            "attempts": 3,
        }
    ]


async def test_device_offline_past_retention_resyncs_and_keeps_unsynced_work(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "kim@example.com")
    a = Replica(await sign_in(client, "kim@example.com", "laptop"), [])
    b = Replica(await sign_in(client, "kim@example.com", "old laptop"), [])
    a.scopes = b.scopes = [a.device.scope]
    gone, kept = str(uuid.uuid4()), str(uuid.uuid4())
    a.put_note(gone, "draft")
    a.put_note(kept, "keep me")
    await a.sync()
    await b.sync()
    # b goes offline for months and writes a note; meanwhile a deletes one and edits one.
    mine = str(uuid.uuid4())
    b.put_note(mine, "written offline")
    a.put_note(gone, "draft", deleted=True)
    a.put_note(kept, "keep me, edited")
    await a.sync()
    async with app.state.sessions() as session:
        later = datetime.now(UTC) + timedelta(days=app.state.settings.retention_days + 1)
        await retention.prune(session, app.state.settings.retention_days, later)
        await session.commit()

    stale = await b.pull()
    assert stale == [b.device.scope]
    await b.resync(b.device.scope)
    assert mine in b.records
    assert gone not in b.records
    await b.sync()
    await a.sync()
    live_a = {k: v for k, v in a.records.items() if not v["deleted"]}
    assert live_a == {k: v for k, v in b.records.items() if not v["deleted"]}
    assert set(live_a) == {kept, mine}
    assert a.records[mine]["data"] == {"text": "written offline"}
    assert a.records[kept]["data"] == {"text": "keep me, edited"}


async def test_slow_transaction_never_lets_a_reader_skip_a_change(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    scope, a, b = await _team_replicas(app, client)
    carol = await new_user(app, "carol@example.com")
    team_id = uuid.UUID(scope.split(":")[1])
    async with app.state.sessions() as session:
        from sync_server import teams

        await teams.set_member(session, team_id, uuid.UUID(carol), "viewer")
        await session.commit()
    reader = Replica(await sign_in(client, "carol@example.com"), [scope])

    def put(n: int) -> dict[str, Any]:
        return {
            "kind": "template_put",
            "mutation_id": str(uuid.uuid4()),
            "scope": scope,
            "template_id": str(uuid.uuid4()),
            "fields": {"body": f"template {n}\n"},
        }

    await a.device.push(put(0))
    locked, release = anyio.Event(), anyio.Event()

    async def slow_push() -> None:
        principal = Principal(
            uuid.UUID(a.device.user_id),
            uuid.UUID(a.device.device_id),
            uuid.uuid4(),
            {team_id: Role.OWNER},
        )
        body = p.PushRequest.model_validate(
            {"device_id": a.device.device_id, "mutations": [put(1), put(2)]}
        )
        async with app.state.sessions() as session:
            await sync.push(session, principal, body)
            locked.set()
            await release.wait()  # the deliberately slow transaction
            await session.commit()

    seen: list[int] = []
    year_off = (datetime.now(UTC) + timedelta(days=365)).isoformat()

    async def fast_push() -> None:
        await locked.wait()
        await b.device.push(put(3), put(4))
        await b.device.push(
            {
                "kind": "progress_event",
                "mutation_id": str(uuid.uuid4()),
                "scope": b.device.scope,
                "event_id": str(uuid.uuid4()),
                "course_id": "c",
                "lesson_id": "l",
                "type": "completion",
                "occurred_at": year_off,
            }
        )

    async def read_loop() -> None:
        polls = 0
        while True:
            page = await reader.device.pull({scope: reader.cursors.get(scope, 0)})
            seen.extend(c["sequence"] for c in page["changes"])
            reader.cursors.update(page["cursors"])
            polls += 1
            if polls == 5:
                release.set()
            if polls > 5 and len(seen) == 5:
                return
            await anyio.sleep(0)

    with anyio.fail_after(30):
        async with anyio.create_task_group() as tg:
            tg.start_soon(slow_push)
            tg.start_soon(fast_push)
            tg.start_soon(read_loop)
    assert seen == [1, 2, 3, 4, 5]
    full = await reader.device.pull({scope: 0})
    bodies = [c["data"]["fields"]["body"] for c in full["changes"]]
    # Ordered by arrival under the lock: the slow push first, whatever any clock says.
    assert bodies == [f"template {n}\n" for n in range(5)]
    mine = await b.device.pull({b.device.scope: 0})
    events = [c for c in mine["changes"] if c["kind"] == "progress_event"]
    assert datetime.fromisoformat(events[0]["data"]["occurred_at"]) == datetime.fromisoformat(
        year_off
    )
    assert (await b.device.get("/v1/progress")).json()[0]["completed"] is True


async def test_a_progress_events_detail_comes_back_verbatim_to_the_users_other_devices(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    await new_user(app, "dana@example.com")
    laptop = await sign_in(client, "dana@example.com", "laptop")
    desktop = await sign_in(client, "dana@example.com", "desktop")
    event_id = str(uuid.uuid4())
    detail = {"kind": "slide_viewed", "slide_id": "s-3", "correct": None, "seconds": 12.5}
    results = await laptop.push(
        {
            "kind": "progress_event",
            "mutation_id": str(uuid.uuid4()),
            "scope": laptop.scope,
            "event_id": event_id,
            "course_id": "c",
            "lesson_id": "l",
            "type": "session",
            "seconds": 12,
            "detail": detail,
        }
    )
    assert results[0]["status"] == "applied"
    page = await desktop.pull({desktop.scope: 0})
    (change,) = page["changes"]
    assert change["entity_id"] == event_id
    assert change["data"]["detail"] == detail
