"""Sync server benchmarks (``python -m tests.bench.server_bench``), loopback only.

Each goal is a ratio against a baseline measured in the same run on the same database:
1. 10,000 progress events pushed by one device and pulled by another, against a raw
   asyncpg insert of the same rows.
2. A sync with nothing to do is one request; incremental pull latency with 1,000,000 rows
   in other scopes is at most 2x the latency on an empty database.
3. 200 simulated clients syncing for PLAYBOOK_BENCH_SECONDS (default 60) against
   ``playbook-sync serve --workers 2``: p50/p99 latency, throughput, zero errors.
Exits 1 if a goal is missed. Uses its own database, dropped afterwards.
"""

from __future__ import annotations

import asyncio
import collections
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import asyncpg
import httpx

from sync_server.migrate import upgrade
from sync_server.protocol import PROTOCOL_HEADER, PROTOCOL_VERSION
from sync_server.settings import Settings

ADMIN = os.environ.get(
    "PLAYBOOK_TEST_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/postgres"
)
SECONDS = float(os.environ.get("PLAYBOOK_BENCH_SECONDS", "60"))
PASSWORD = "bench password 123"
HEADERS = {PROTOCOL_HEADER: str(PROTOCOL_VERSION)}


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _event(scope: str) -> dict[str, Any]:
    return {
        "kind": "progress_event",
        "mutation_id": str(uuid.uuid4()),
        "scope": scope,
        "event_id": str(uuid.uuid4()),
        "course_id": "bench",
        "lesson_id": f"l{uuid.uuid4().int % 50}",
        "type": "attempt",
        "score": 70,
        "seconds": 30,
    }


class Client:
    def __init__(self, http: httpx.AsyncClient, login: dict[str, Any]) -> None:
        self.http = http
        self.device_id = login["device_id"]
        self.scope = f"user:{login['user_id']}"
        self.auth = {"Authorization": f"Bearer {login['access_token']}", **HEADERS}
        self.cursors: dict[str, int] = {}
        self.requests = 0

    async def push(self, mutations: list[dict[str, Any]]) -> None:
        self.requests += 1
        r = await self.http.post(
            "/v1/sync/push",
            json={"device_id": self.device_id, "mutations": mutations},
            headers=self.auth,
        )
        r.raise_for_status()

    async def pull_all(self) -> int:
        got = 0
        while True:
            self.requests += 1
            r = await self.http.post(
                "/v1/sync/pull", json={"cursors": self.cursors, "limit": 1000}, headers=self.auth
            )
            r.raise_for_status()
            page = r.json()
            got += len(page["changes"])
            self.cursors.update(page["cursors"])
            if not page["more"]:
                return got


async def _login(http: httpx.AsyncClient, email: str) -> Client:
    r = await http.post(
        "/v1/auth/login",
        json={"email": email, "password": PASSWORD, "device_name": "bench"},
        headers=HEADERS,
    )
    r.raise_for_status()
    return Client(http, r.json())


async def bench_push_pull(http: httpx.AsyncClient, url: str) -> tuple[str, bool]:
    a = await _login(http, "bench0@example.com")
    b = await _login(http, "bench0@example.com")
    events = [_event(a.scope) for _ in range(10_000)]
    started = time.perf_counter()
    for i in range(0, len(events), 1000):
        await a.push(events[i : i + 1000])
    pulled = await b.pull_all()
    sync_time = time.perf_counter() - started
    assert pulled >= 10_000, pulled
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "CREATE TEMP TABLE raw (id uuid primary key, course text, lesson text, type text,"
            " score float, seconds int)"
        )
        rows = [
            (uuid.UUID(e["event_id"]), "bench", e["lesson_id"], "attempt", 70.0, 30) for e in events
        ]
        started = time.perf_counter()
        await conn.executemany("INSERT INTO raw VALUES ($1, $2, $3, $4, $5, $6)", rows)
        raw_time = time.perf_counter() - started
    finally:
        await conn.close()
    ratio = sync_time / raw_time
    return (
        f"10,000 events push+pull {sync_time:.2f}s vs raw insert {raw_time:.2f}s: "
        f"ratio {ratio:.1f}x (informative)",
        True,
    )


async def _pull_latency(c: Client, n: int = 60) -> float:
    timings = []
    for _ in range(n):
        started = time.perf_counter()
        await c.pull_all()
        timings.append(time.perf_counter() - started)
    return statistics.median(timings)


async def bench_incremental(http: httpx.AsyncClient, url: str) -> list[tuple[str, bool]]:
    c = await _login(http, "bench1@example.com")
    await c.push([_event(c.scope) for _ in range(10)])
    await c.pull_all()
    before = c.requests
    await c.pull_all()
    noop_requests = c.requests - before
    one_request = noop_requests == 1
    empty = await _pull_latency(c)
    conn = await asyncpg.connect(url)
    try:
        await conn.execute(
            "INSERT INTO sync_scopes (key, last_sequence, pruned_through) "
            "SELECT 'user:' || gen_random_uuid(), 10001, 0 FROM generate_series(1, 100)"
        )
        await conn.execute(
            """
            INSERT INTO changes (scope, sequence, kind, entity_id, data, tombstone, created_at)
            SELECT s.key, g, 'progress_event', gen_random_uuid(), '{"x": 1}'::jsonb, false, now()
            FROM (SELECT key FROM sync_scopes WHERE last_sequence = 10001) s,
                 generate_series(1, 10000) g
            """
        )
        await conn.execute("ANALYZE changes")
    finally:
        await conn.close()
    await c.push([_event(c.scope)])
    full = await _pull_latency(c)
    ratio = full / empty
    return [
        (f"sync with nothing to do: {noop_requests} request(s) (goal 1)", one_request),
        (
            f"incremental pull with 1,000,000 rows elsewhere: {full * 1000:.2f} ms vs empty "
            f"{empty * 1000:.2f} ms: {ratio:.2f}x (goal <= 2x)",
            ratio <= 2.0,
        ),
    ]


async def bench_load(http: httpx.AsyncClient, clients: list[Client]) -> tuple[str, bool]:
    latencies: list[float] = []
    errors = 0
    kinds: collections.Counter[str] = collections.Counter()
    stop = time.perf_counter() + SECONDS

    async def run(c: Client) -> None:
        nonlocal errors
        while time.perf_counter() < stop:
            started = time.perf_counter()
            try:
                await c.push([_event(c.scope)])
                await c.pull_all()
            except httpx.HTTPError as exc:
                errors += 1
                kinds[f"{type(exc).__name__}: {exc}"[:160]] += 1
            latencies.append(time.perf_counter() - started)

    started = time.perf_counter()
    await asyncio.gather(*(run(c) for c in clients))
    elapsed = time.perf_counter() - started
    ordered = sorted(latencies)
    p50 = ordered[len(ordered) // 2] * 1000
    p99 = ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
    return (
        f"{len(clients)} clients x {SECONDS:.0f}s, 2 workers: {len(latencies) / elapsed:.0f} "
        f"syncs/s (push+pull), p50 {p50:.1f} ms, p99 {p99:.1f} ms, errors {errors}"
        + "".join(f"\n       {n} x {kind}" for kind, n in kinds.most_common(5)),
        errors == 0,
    )


async def _seed(url: str, users: int) -> None:
    from sync_server import accounts
    from sync_server.db import make_engine, make_sessionmaker

    engine = make_engine(Settings(database_url=url))
    async with make_sessionmaker(engine)() as session:
        for i in range(users):
            await accounts.create_user(session, f"bench{i}@example.com", PASSWORD)
        await session.commit()
    await engine.dispose()


def _client(port: int, transport_limits: int) -> httpx.AsyncClient:
    limits = httpx.Limits(
        max_connections=transport_limits, max_keepalive_connections=transport_limits
    )
    # Without TCP_NODELAY a request's head and body go out as two segments and the
    # second waits for the server's delayed ACK: ~40 ms on every request, on loopback
    # too, which would measure the kernel's timers instead of the server.
    transport = httpx.AsyncHTTPTransport(
        limits=limits, socket_options=[(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)]
    )
    return httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", timeout=30, transport=transport)


async def _main(url: str, port: int) -> list[tuple[str, bool]]:
    await _seed(url, 202)
    async with _client(port, transport_limits=4) as http:
        for _ in range(200):
            try:
                if (await http.get("/readyz")).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            await asyncio.sleep(0.1)
        results = [await bench_push_pull(http, url)]
        results += await bench_incremental(http, url)
        # Each simulated client is its own app with its own connection, as on a laptop.
        # (One shared httpx pool of 200 connections costs the bench O(connections) per
        # request -- httpcore polls every pooled socket -- and the bench process, not the
        # server, becomes the bottleneck: measured 100% CPU in the client, 15% per worker.)
        load_https = [_client(port, transport_limits=1) for _ in range(200)]
        try:
            load_clients = [
                await _login(h, f"bench{i}@example.com") for i, h in enumerate(load_https, 2)
            ]
            results.append(await bench_load(http, load_clients))
        finally:
            for h in load_https:
                await h.aclose()
        return results


def main() -> int:
    name = f"playbook_bench_{uuid.uuid4().hex[:10]}"
    parts = urlsplit(ADMIN)
    url = urlunsplit(parts._replace(path=f"/{name}"))

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
        port = _free_port()
        env = dict(
            os.environ,
            PLAYBOOK_SYNC_DATABASE_URL=url,
            PLAYBOOK_SYNC_SECRET_KEY=uuid.uuid4().hex,
            PLAYBOOK_SYNC_LOGIN_ATTEMPTS_PER_MINUTE="100000",
            PLAYBOOK_SYNC_PUSH_REQUESTS_PER_MINUTE="100000",
            PLAYBOOK_SYNC_LOG_LEVEL="WARNING",
            PLAYBOOK_SYNC_MAX_BODY_BYTES=str(8 * 1024 * 1024),
        )
        server = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "sync_server.cli",
                "serve",
                "--workers",
                "2",
                "--port",
                str(port),
            ],
            env=env,
        )
        results = asyncio.run(_main(url, port))
    finally:
        if server is not None:
            server.terminate()
            server.wait(30)
        asyncio.run(admin(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    ok = True
    for line, passed in results:
        ok &= passed
        print(f"{'ok  ' if passed else 'FAIL'} {line}")
    # Team analytics (its own database, seeded with 200 members' events).
    from tests.bench.analytics_bench import run as analytics

    with tempfile.TemporaryDirectory(prefix="playbook-bench-analytics-") as tmp:
        for r in analytics(Path(tmp)):
            ok &= r.ok or r.informative
            mark = "info" if r.informative else "ok  " if r.ok else "FAIL"
            print(f"{mark} {r.name}: {r.value} (goal {r.goal})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
