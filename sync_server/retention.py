"""Retention: drop change-log rows nobody needs any more, and remember how far."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession

# A change older than the cutoff goes when it is a tombstone or a newer change of the same
# entity exists; the latest state of every live entity always stays, so a pull from
# cursor 0 rebuilds a replica. Progress events are never superseded, so they all stay.
_PRUNE = text(
    """
    WITH gone AS (
        DELETE FROM changes c
        WHERE c.created_at < :cutoff
          AND (c.tombstone OR EXISTS (
                SELECT 1 FROM changes n
                WHERE n.scope = c.scope AND n.entity_id = c.entity_id
                  AND n.sequence > c.sequence))
        RETURNING c.scope, c.sequence
    ), top AS (
        SELECT scope, max(sequence) AS through FROM gone GROUP BY scope
    )
    UPDATE sync_scopes s SET pruned_through = GREATEST(s.pruned_through, top.through)
    FROM top WHERE s.key = top.scope
    """
)


async def prune(session: AsyncSession, retention_days: int, now: datetime) -> int:
    """Prune the change log, idempotency records and old rate-limit windows; the caller
    commits. Returns the number of scopes whose horizon moved."""
    cutoff = now - timedelta(days=retention_days)
    moved = await session.execute(_PRUNE, {"cutoff": cutoff})
    await session.execute(
        text("DELETE FROM applied_mutations WHERE created_at < :cutoff"), {"cutoff": cutoff}
    )
    await session.execute(
        text("DELETE FROM rate_limit_hits WHERE window_start < :cutoff"),
        {"cutoff": now - timedelta(hours=1)},
    )
    return int(getattr(moved, "rowcount", 0) or 0)
