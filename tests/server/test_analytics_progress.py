"""The progress read-outs, now computed by PostgreSQL, against the pure rules of
``sync_server/rules/progress.py`` on generated events; the analytics statements' cost
does not grow with the team; the models describe the migrated schema."""

from __future__ import annotations

import random
import uuid
from typing import Any

import httpx
import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from fastapi import FastAPI

from sync_server import teams
from sync_server.models import Base
from sync_server.rules.progress import ProgressFact, lesson_progress
from tests.server.conftest import Device, new_team, new_user, sign_in
from tests.server.test_hot_path import statements

pytestmark = pytest.mark.anyio

# Mixed case, digits and accents: the order must be Python's (code points), not the
# database's locale.
LESSONS = ("B", "a", "Z-1", "z", "é", "10", "9")


def _events(rng: random.Random, device: Device, n: int) -> list[dict[str, Any]]:
    out = []
    for _ in range(n):
        kind = rng.choice(["attempt", "attempt", "session", "completion"])
        out.append(
            {
                "kind": "progress_event",
                "mutation_id": str(uuid.uuid4()),
                "scope": device.scope,
                "event_id": str(uuid.uuid4()),
                "course_id": rng.choice(["c1", "C2"]),
                "lesson_id": rng.choice(LESSONS),
                "type": kind,
                "score": rng.choice([None, 0, 33.5, 70, 100]) if kind == "attempt" else None,
                "seconds": rng.randint(0, 600),
            }
        )
    return out


def _rules(events: list[dict[str, Any]], course_id: str | None = None) -> list[dict[str, Any]]:
    facts = [
        ProgressFact(
            e["event_id"], e["course_id"], e["lesson_id"], e["type"], e["score"], e["seconds"]
        )
        for e in events
        if course_id in (None, e["course_id"])
    ]
    return [
        {
            "course_id": r.course_id,
            "lesson_id": r.lesson_id,
            "completed": r.completed,
            "best_score": r.best_score,
            "total_seconds": r.total_seconds,
            "attempts": r.attempts,
        }
        for r in lesson_progress(facts)
    ]


async def test_sql_progress_equals_the_rules_for_every_member(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    rng = random.Random(7)
    owner_id = await new_user(app, "owner@example.com")
    emails = ["zoe@example.com", "adam@example.com", "mia@example.com", "idle@example.com"]
    ids = {email: await new_user(app, email) for email in emails}
    team = await new_team(app, owner_id, dict.fromkeys(ids.values(), "viewer"))
    pushed: dict[str, list[dict[str, Any]]] = {}
    for email in emails[:3]:
        device = await sign_in(client, email)
        events = _events(rng, device, 120)
        await device.push(*events)
        # A replayed event (another device re-sending it) is the same event.
        other = await sign_in(client, email, "desktop")
        replay = {**events[0], "mutation_id": str(uuid.uuid4()), "scope": other.scope}
        await other.push(replay)
        pushed[email] = events
        r = await device.get("/v1/progress")
        assert r.json() == _rules(events)
        r = await device.get("/v1/progress", params={"course_id": "C2"})
        assert r.json() == _rules(events, "C2")
    owner = await sign_in(client, "owner@example.com")
    r = await owner.get(f"/v1/teams/{team}/progress", params={"course_id": "c1"})
    assert r.status_code == 200
    assert r.json() == [
        {"user_id": uid, "email": email, "lessons": _rules(pushed.get(email, []), "c1")}
        for email, uid in sorted([*ids.items(), ("owner@example.com", owner_id)])
    ]


async def test_team_analytics_costs_the_same_statements_for_3_or_30_members(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    owner_id = await new_user(app, "owner@example.com")
    small = await new_team(app, owner_id)
    big = await new_team(app, owner_id)
    for n in range(30):
        uid = await new_user(app, f"m{n}@example.com")
        async with app.state.sessions() as session:
            await teams.set_member(session, uuid.UUID(big), uuid.UUID(uid), "viewer")
            if n < 2:
                await teams.set_member(session, uuid.UUID(small), uuid.UUID(uid), "viewer")
            await session.commit()
    owner = await sign_in(client, "owner@example.com")
    counts = []
    for team in (small, big):
        with statements(app) as sql:
            r = await owner.get(f"/v1/teams/{team}/analytics")
        assert r.status_code == 200
        counts.append(sql)
    # auth, members, the planner settings for this transaction, every learning figure,
    # template revisions, conflicts; all in one read-only snapshot.
    reads = ["SELECT", "SELECT", "SELECT", "WITH", "WITH", "SELECT"]
    assert counts[0] == counts[1] == ["BEGIN REPEATABLE READ", *reads, "ROLLBACK"]
    assert len((await owner.get(f"/v1/teams/{big}/analytics")).json()["members"]) == 31


async def test_the_models_describe_the_migrated_schema(app: FastAPI) -> None:
    def diff(connection: Any) -> list[Any]:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        return list(compare_metadata(context, Base.metadata))

    async with app.state.engine.connect() as connection:
        assert await connection.run_sync(diff) == []
