"""Team analytics on the sync server: 200 members answered in under 300 ms.

Data, in a database of its own (dropped afterwards): a team of 200 members who together
pushed 100,000 progress events over 12 weeks (3 courses x 10 lessons x 3 questions;
quiz attempts carry their question and whether it was right), 2,000 template revisions
and 100 conflict copies; plus 200 people outside the team with another 100,000 events,
so the statements must pick the team's rows, not read everything. The rows are written
as a push writes them (``progress_events`` and the ``changes`` log), but with COPY; the
triggers of migration 0003 sum them as they would a push's.

Measured over loopback against ``playbook-sync serve`` (one worker), the owner's
``GET /v1/teams/{id}/analytics`` (all courses, then one course and a 4-week range),
each request timed from send to the last byte of the JSON. Baselines in the same run
and database: ``GET /v1/me`` (a trivial authenticated endpoint: token, session and
roles) and a bare ``SELECT count(*)`` of the team's events over asyncpg.

``run(work)`` returns the Results for ``make bench``;
``python -m tests.bench.analytics_bench`` prints them.
"""

from __future__ import annotations

import asyncio
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import time
import uuid
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from sync_server.migrate import upgrade
from sync_server.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync_server.security import hash_password
from sync_server.settings import Settings
from tests.bench.__main__ import Result

ADMIN = os.environ.get(
    "PLAYBOOK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
GOAL_S = 0.300
MEMBERS = 200
EVENTS_PER_MEMBER = 500
REPEATS = 25
PASSWORD = "bench password 123"
HEADERS = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}
START = datetime(2025, 1, 6, tzinfo=UTC)  # a Monday


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _member_events(
    rng: random.Random, user_id: uuid.UUID, device_id: uuid.UUID, n: int
) -> tuple[list[tuple[Any, ...]], list[tuple[Any, ...]]]:
    """``n`` events of one learner: rows for ``progress_events`` and for ``changes``."""
    events, changes = [], []
    scope = f"user:{user_id}"
    for seq in range(1, n + 1):
        course = f"course-{rng.randint(1, 3)}"
        lesson = f"lesson-{rng.randint(1, 10)}"
        roll = rng.random()
        at = START + timedelta(minutes=rng.randint(0, 12 * 7 * 24 * 60))
        detail: dict[str, Any]
        if roll < 0.6:
            kind, score = "attempt", float(rng.choice([0, 25, 50, 75, 100]))
            seconds = rng.randint(5, 120)
            detail = {
                "kind": "quiz_attempt",
                "question_id": f"q{rng.randint(1, 3)}",
                "correct": score >= 75,
                "score": score,
            }
        elif roll < 0.9:
            kind, score, seconds = "session", None, rng.randint(10, 900)
            detail = {"kind": "time_spent", "seconds": seconds}
        else:
            kind, score, seconds = "completion", None, 0
            detail = {"kind": "lesson_completed"}
        event_id = uuid.uuid4()
        events.append((event_id, user_id, device_id, course, lesson, kind, score, seconds, at, at))
        data = {
            "event_id": str(event_id),
            "course_id": course,
            "lesson_id": lesson,
            "type": kind,
            "score": score,
            "seconds": seconds,
            "occurred_at": at.isoformat(),
            "detail": detail,
        }
        changes.append((scope, seq, "progress_event", event_id, json.dumps(data), False, at))
    return events, changes


async def _seed(url: str) -> tuple[str, str]:
    """The team and its data; returns (team id, owner email). The owner signs in with
    a real password; everyone else is inserted directly."""
    rng = random.Random(42)
    conn = await asyncpg.connect(url)
    try:
        password_hash = hash_password(PASSWORD)  # one hash for all: Argon2 is slow on purpose
        users: list[tuple[Any, ...]] = []
        team_members: list[uuid.UUID] = []
        outsiders: list[uuid.UUID] = []
        for i in range(MEMBERS * 2):
            uid = uuid.uuid4()
            users.append((uid, f"m{i:03d}@example.com", f"Member {i}", password_hash))
            (team_members if i < MEMBERS else outsiders).append(uid)
        await conn.copy_records_to_table(
            "users", records=users, columns=["id", "email", "display_name", "password_hash"]
        )
        team_id, other_team = uuid.uuid4(), uuid.uuid4()
        await conn.executemany(
            "INSERT INTO teams (id, name) VALUES ($1, $2)",
            [(team_id, "Marketing"), (other_team, "Elsewhere")],
        )
        memberships = [
            (team_id, uid, "owner" if i == 0 else rng.choice(["editor", "viewer"]))
            for i, uid in enumerate(team_members)
        ] + [(other_team, uid, "viewer") for uid in outsiders]
        await conn.copy_records_to_table(
            "memberships", records=memberships, columns=["team_id", "user_id", "role"]
        )
        scopes = [(f"user:{uid}", EVENTS_PER_MEMBER, 0) for uid in team_members + outsiders]
        scopes += [(f"team:{team_id}", 0, 0), (f"team:{other_team}", 0, 0)]
        await conn.copy_records_to_table(
            "sync_scopes", records=scopes, columns=["key", "last_sequence", "pruned_through"]
        )
        for uid in team_members + outsiders:
            events, changes = _member_events(rng, uid, uuid.uuid4(), EVENTS_PER_MEMBER)
            await conn.copy_records_to_table(
                "progress_events",
                records=events,
                columns=[
                    "id",
                    "user_id",
                    "device_id",
                    "course_id",
                    "lesson_id",
                    "type",
                    "score",
                    "seconds",
                    "occurred_at",
                    "received_at",
                ],
            )
            await conn.copy_records_to_table(
                "changes",
                records=[(*c[:4], c[4], *c[5:]) for c in changes],
                columns=[
                    "scope",
                    "sequence",
                    "kind",
                    "entity_id",
                    "data",
                    "tombstone",
                    "created_at",
                ],
            )
        # Templates: 50, 2,000 revisions by editors and owners, 100 conflict copies.
        writers = [uid for (_, uid, role) in memberships[:MEMBERS] if role != "viewer"]
        templates = [uuid.uuid4() for _ in range(50)]
        heads = dict.fromkeys(templates, 0)
        revisions = []
        for n in range(2000):
            tid = templates[n % 50]
            heads[tid] += 1
            at = START + timedelta(minutes=rng.randint(0, 12 * 7 * 24 * 60))
            revisions.append(
                (
                    tid,
                    heads[tid],
                    json.dumps({"body": f"text {n}\n"}),
                    False,
                    rng.choice(writers),
                    at,
                )
            )
        await conn.copy_records_to_table(
            "templates",
            records=[(tid, team_id, heads[tid], False) for tid in templates],
            columns=["id", "team_id", "head_version", "deleted"],
        )
        await conn.copy_records_to_table(
            "template_revisions",
            records=revisions,
            columns=["template_id", "version", "fields", "deleted", "author_id", "created_at"],
        )
        conflicts = [
            (
                uuid.uuid4(),
                tid,
                1,
                rng.randint(2, heads[tid]),
                json.dumps({"body": "mine\n"}),
                rng.choice(writers),
            )
            for tid in (templates[n % 50] for n in range(100))
        ]
        await conn.copy_records_to_table(
            "template_conflicts",
            records=conflicts,
            columns=["id", "template_id", "base_version", "head_version", "fields", "author_id"],
        )
        # The typed quiz answers a push writes with each attempt (sync._quiz_answer), made
        # from the seeded rows by the same statement the migration uses for old events.
        await conn.execute(_quiz_answer_backfill())
        await conn.execute("ANALYZE")
    finally:
        await conn.close()
    return str(team_id), "m000@example.com"


def _quiz_answer_backfill() -> str:
    import importlib.util

    import sync_server.migrations

    folder = Path(sync_server.migrations.__file__).parent / "versions"
    spec = importlib.util.spec_from_file_location(
        "analytics_migration", folder / "0002_analytics_indexes.py"
    )
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return str(module._COPY.format(changes="changes c"))


async def _timed(http: httpx.AsyncClient, path: str, params: dict[str, str] | None = None) -> float:
    started = time.perf_counter()
    r = await http.get(path, params=params)
    r.raise_for_status()
    return time.perf_counter() - started


async def _measure(url: str, port: int, team_id: str, email: str) -> dict[str, Any]:
    async with httpx.AsyncClient(
        base_url=f"http://127.0.0.1:{port}",
        timeout=60,
        transport=httpx.AsyncHTTPTransport(
            socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
        ),
    ) as http:
        for _ in range(300):
            try:
                if (await http.get("/readyz")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
        r = await http.post(
            "/v1/auth/login",
            json={"email": email, "password": PASSWORD, "device_name": "bench"},
            headers=HEADERS,
        )
        r.raise_for_status()
        http.headers.update({**HEADERS, "Authorization": f"Bearer {r.json()['access_token']}"})
        path = f"/v1/teams/{team_id}/analytics"
        body = (await http.get(path)).json()
        assert len(body["members"]) == MEMBERS, len(body["members"])
        size = len(json.dumps(body))
        ranged = {
            "course_id": "course-2",
            "since": (START + timedelta(weeks=4)).isoformat(),
            "until": (START + timedelta(weeks=8)).isoformat(),
        }
        out: dict[str, Any] = {"size": size, "full": [], "ranged": [], "me": [], "count": []}
        conn = await asyncpg.connect(url)
        try:
            count_sql = (
                "SELECT count(*) FROM progress_events WHERE user_id IN "
                "(SELECT user_id FROM memberships WHERE team_id = $1)"
            )
            for _ in range(REPEATS):  # interleaved, so drift hits every figure alike
                out["full"].append(await _timed(http, path))
                out["ranged"].append(await _timed(http, path, ranged))
                out["me"].append(await _timed(http, "/v1/me"))
                started = time.perf_counter()
                assert await conn.fetchval(count_sql, uuid.UUID(team_id)) == 100_000
                out["count"].append(time.perf_counter() - started)
        finally:
            await conn.close()
        return out


def _p(values: list[float], pct: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(pct / 100 * (len(ordered) - 1)))]


def run(work: Path) -> list[Result]:
    del work  # everything lives in its own PostgreSQL database
    name = f"playbook_bench_analytics_{uuid.uuid4().hex[:8]}"
    url = urlunsplit(urlsplit(ADMIN)._replace(path=f"/{name}"))

    async def admin(sql: str) -> None:
        conn = await asyncpg.connect(ADMIN)
        try:
            await conn.execute(sql)
        finally:
            await conn.close()

    asyncio.run(admin(f'CREATE DATABASE "{name}"'))
    server = None
    try:
        upgrade(Settings(database_url=url).async_database_url)
        team_id, email = asyncio.run(_seed(url))
        port = _free_port()
        env = dict(
            os.environ,
            PLAYBOOK_SYNC_DATABASE_URL=url,
            PLAYBOOK_SYNC_SECRET_KEY=uuid.uuid4().hex,
            PLAYBOOK_SYNC_LOG_LEVEL="WARNING",
        )
        server = subprocess.Popen(
            [sys.executable, "-m", "sync_server.cli", "serve", "--port", str(port)], env=env
        )
        m = asyncio.run(_measure(url, port, team_id, email))
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    full50, full95 = statistics.median(m["full"]), _p(m["full"], 95)
    ranged95 = _p(m["ranged"], 95)
    me50, count50 = statistics.median(m["me"]), statistics.median(m["count"])
    return [
        Result(
            "team analytics, 200 members, 100k events (p95)",
            f"{full95 * 1000:.0f} ms (median {full50 * 1000:.0f}, {m['size'] // 1024} KiB JSON)"
            f" = {full50 / me50:.0f}x GET /v1/me ({me50 * 1000:.1f} ms),"
            f" {full50 / count50:.0f}x SELECT count(*) ({count50 * 1000:.1f} ms)",
            "< 300 ms",
            full95 < GOAL_S,
        ),
        Result(
            "team analytics, one course, 4 weeks (p95)",
            f"{ranged95 * 1000:.0f} ms (median {statistics.median(m['ranged']) * 1000:.0f})",
            "< 300 ms",
            ranged95 < GOAL_S,
        ),
    ]


def main() -> int:
    results = run(Path("."))
    for r in results:
        print(f"{'ok  ' if r.ok else 'FAIL'} {r.name}: {r.value} (goal {r.goal})")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
