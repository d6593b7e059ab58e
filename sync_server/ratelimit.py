"""Rate limits shared by every worker, counted in PostgreSQL per one-minute window and
judged over the last 60 seconds.

Fixed windows alone let twice the limit through where two minutes meet (the last
seconds of one, the first of the next). So a hit is judged by a sliding estimate: this
minute's hits plus the previous minute's, weighted by how much of that minute still lies
within the last 60 seconds. That is the sliding log's answer for hits spread evenly, at
one row per key and minute instead of one per hit.

Counted on the request's own session (a request never holds two pooled connections at
once). Login and sign-up commit the count before the real work starts, so a failed
attempt still counts. Push counts inside its own transaction (one commit per push, not
two) and, when the push fails, counts again in a fresh transaction after the rollback:
failed pushes count as well. A refused hit counts too: hammering does not wear a limit
down.
"""

from __future__ import annotations

import math
from datetime import UTC, datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server.errors import ApiError

WINDOW_SECONDS = 60
_EPSILON = 1e-9  # float noise: a wait of 58.00000000000001 s is 58 s, not 59

# The previous minute's row is read in the same statement (the CTE's snapshot is from
# before the insert, and the insert only touches this minute's row).
_HIT = text(
    "WITH hit AS ("
    " INSERT INTO rate_limit_hits (key, window_start, count) VALUES (:key, :window, 1)"
    " ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_hits.count + 1"
    " RETURNING count) "
    "SELECT hit.count, COALESCE((SELECT r.count FROM rate_limit_hits r"
    " WHERE r.key = :key AND r.window_start = :previous), 0) FROM hit"
)


def sliding_count(count: int, previous: int, elapsed: float) -> float:
    """Hits in the last 60 seconds, estimated: ``count`` in this window so far (``elapsed``
    seconds into it), ``previous`` in the window before."""
    return count + previous * (1 - elapsed / WINDOW_SECONDS)


def retry_after(count: int, previous: int, limit: int, elapsed: float) -> int:
    """Whole seconds until one more hit would be let through, if none comes before it;
    ``count`` includes the hit just refused."""
    # Later in this window, as the previous window's weight fades:
    # (count + 1) + previous * (1 - t / 60) <= limit.
    if previous and count + 1 <= limit:
        at = WINDOW_SECONDS * (1 - (limit - count - 1) / previous)
        if at < WINDOW_SECONDS:
            return max(1, math.ceil(at - elapsed - _EPSILON))
    # In the next window, where this one is the previous: 1 + count * (1 - t / 60) <= limit.
    at = WINDOW_SECONDS * max(0.0, 1 - (limit - 1) / count) if count else 0.0
    return max(1, math.ceil(WINDOW_SECONDS - elapsed + at - _EPSILON))


async def enforce(
    session: AsyncSession, key: str, per_minute: int, what: str, *, commit: bool = True
) -> None:
    """Count one hit for ``key``; raise 429 once the last 60 seconds hold more than
    ``per_minute``. ``commit=False`` leaves the count in the caller's transaction."""
    now = datetime.now(UTC)
    window = now.replace(second=0, microsecond=0)
    previous = window - timedelta(seconds=WINDOW_SECONDS)
    count, before = (
        await session.execute(_HIT, {"key": key, "window": window, "previous": previous})
    ).one()
    if commit:
        await session.commit()
    elapsed = (now - window).total_seconds()
    if sliding_count(count, before, elapsed) > per_minute:
        retry = retry_after(count, before, per_minute, elapsed)
        raise ApiError(
            429,
            "rate_limited",
            f"Too many {what} attempts; wait {retry} seconds and try again.",
            {"Retry-After": str(retry)},
        )
