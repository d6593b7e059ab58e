"""Rate limits judged over the last 60 seconds: no double burst where two minutes meet,
a steady client under the limit never refused, and a Retry-After that is neither too
short nor longer than it must be."""

from __future__ import annotations

import asyncio
import math
from datetime import UTC, datetime, timedelta

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text

from sync_server.ratelimit import WINDOW_SECONDS, retry_after, sliding_count
from tests.server.conftest import new_user


class Limiter:
    """The server's rule with a clock the test moves: hits counted per minute (refused
    ones too), each judged by :func:`sliding_count`."""

    def __init__(self, limit: int) -> None:
        self.limit = limit
        self.counts: dict[int, int] = {}

    def _state(self, at: float) -> tuple[int, int, float]:
        window = math.floor(at / WINDOW_SECONDS)
        return self.counts.get(window, 0), self.counts.get(window - 1, 0), at % WINDOW_SECONDS

    def would_allow(self, at: float) -> bool:
        """Whether a hit at ``at`` would go through (without counting it)."""
        count, previous, elapsed = self._state(at)
        return sliding_count(count + 1, previous, elapsed) <= self.limit

    def hit(self, at: float) -> int | None:
        """Count a hit; None if it goes through, else the Retry-After seconds."""
        window = math.floor(at / WINDOW_SECONDS)
        self.counts[window] = self.counts.get(window, 0) + 1
        count, previous, elapsed = self._state(at)
        if sliding_count(count, previous, elapsed) <= self.limit:
            return None
        return retry_after(count, previous, self.limit, elapsed)


def test_the_limit_holds_where_two_minutes_meet() -> None:
    # Fixed windows let 20 of a limit of 10 through in one second around 12:00:00.
    limiter = Limiter(10)
    late = [limiter.hit(59.5) for _ in range(10)]
    early = [limiter.hit(60.5) for _ in range(10)]
    assert late == [None] * 10
    assert all(r is not None for r in early)


@pytest.mark.parametrize(("limit", "per_minute"), [(10, 9), (10, 8), (120, 108), (3, 2)])
def test_a_steady_client_under_the_limit_is_never_refused(limit: int, per_minute: int) -> None:
    limiter = Limiter(limit)
    gap = WINDOW_SECONDS / per_minute
    refused = [n for n in range(per_minute * 10) if limiter.hit(0.3 + n * gap) is not None]
    assert refused == []


def test_retry_after_lets_the_next_hit_through_and_is_not_longer_than_needed() -> None:
    checked = 0
    for limit in (1, 2, 3, 10, 120):
        for previous in sorted({0, 1, limit // 2, limit, limit + 1, 2 * limit, 5 * limit}):
            for count in sorted({1, 2, limit, limit + 1, 2 * limit + 3}):
                for tenth in range(0, 600, 7):
                    elapsed = tenth / 10
                    if sliding_count(count, previous, elapsed) <= limit:
                        continue  # this hit went through
                    wait = retry_after(count, previous, limit, elapsed)
                    case = (limit, previous, count, elapsed, wait)
                    limiter = Limiter(limit)
                    limiter.counts = {1: count, 0: previous}
                    at = WINDOW_SECONDS + elapsed
                    assert wait >= 1
                    assert limiter.would_allow(at + wait + 1e-6), case
                    if wait > 1:  # a second less would still be refused
                        assert not limiter.would_allow(at + wait - 1), case
                    checked += 1
    assert checked > 1000


@pytest.mark.anyio
async def test_the_previous_minute_counts_on_the_server(
    app: FastAPI, client: httpx.AsyncClient
) -> None:
    """The database reads the previous minute's row with the hit (a key that spent its
    limit a moment ago, in the minute before, is still refused)."""
    await new_user(app, "late@example.com")
    app.state.settings.login_attempts_per_minute = 3
    now = datetime.now(UTC)
    if now.second >= 58:  # the row below must stay in "the previous minute" for the test
        await asyncio.sleep(61 - now.second)
        now = datetime.now(UTC)
    previous = now.replace(second=0, microsecond=0) - timedelta(seconds=WINDOW_SECONDS)
    async with app.state.sessions() as session:
        await session.execute(
            text("INSERT INTO rate_limit_hits (key, window_start, count) VALUES (:k, :w, :n)"),
            {"k": "login:late@example.com", "w": previous, "n": 1_000_000},
        )
        await session.commit()
    r = await client.post(
        "/v1/auth/login",
        json={"email": "late@example.com", "password": "wrong", "device_name": "x"},
    )
    assert (r.status_code, r.json()["code"]) == (429, "rate_limited")
    wait = int(r.headers["Retry-After"])
    assert 1 <= wait <= 2 * WINDOW_SECONDS
    assert f"wait {wait} seconds" in r.json()["message"]
