"""Rate limits shared by every worker: fixed one-minute windows counted in PostgreSQL.

Counted on the request's own session (a request never holds two pooled connections at
once). Login and sign-up commit the count before the real work starts, so a failed
attempt still counts. Push counts inside its own transaction (one commit per push, not
two) and, when the push fails, counts again in a fresh transaction after the rollback:
failed pushes count as well.
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server.errors import ApiError

_HIT = text(
    "INSERT INTO rate_limit_hits (key, window_start, count) VALUES (:key, :window, 1) "
    "ON CONFLICT (key, window_start) DO UPDATE SET count = rate_limit_hits.count + 1 "
    "RETURNING count"
)


async def enforce(
    session: AsyncSession, key: str, per_minute: int, what: str, *, commit: bool = True
) -> None:
    """Count one hit for ``key``; raise 429 once it passes ``per_minute`` in this minute.
    ``commit=False`` leaves the count in the caller's transaction."""
    now = datetime.now(UTC)
    window = now.replace(second=0, microsecond=0)
    count = (await session.execute(_HIT, {"key": key, "window": window})).scalar_one()
    if commit:
        await session.commit()
    if count > per_minute:
        retry = 60 - now.second
        raise ApiError(
            429,
            "rate_limited",
            f"Too many {what} attempts; wait {retry} seconds and try again.",
            {"Retry-After": str(retry)},
        )
