"""The per-scope change log: locking scopes and handing out sequence numbers."""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from typing import Any

from sqlalchemy import insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server.errors import not_found
from sync_server.models import ChangeEntry, SyncScope


class ChangeWriter:
    """Holds the row locks of the scopes a transaction writes to and numbers its changes.

    ``SELECT ... FOR UPDATE`` on the scope rows (in key order, so two pushes never
    deadlock) serialises writers per scope until commit, so sequence numbers become visible
    in order and a reader's cursor can never step over a change that commits late.
    """

    def __init__(self, session: AsyncSession) -> None:
        self._session = session
        self._last: dict[str, int] = {}
        self._start: dict[str, int] = {}
        self._rows: list[dict[str, Any]] = []

    async def lock(self, scopes: Iterable[str]) -> None:
        keys = sorted(set(scopes) - set(self._last))
        if not keys:
            return
        rows = await self._session.execute(
            select(SyncScope.key, SyncScope.last_sequence)
            .where(SyncScope.key.in_(keys))
            .order_by(SyncScope.key)
            .with_for_update()
        )
        found: dict[str, int] = dict(rows.all())
        if len(found) != len(keys):
            raise not_found("The sync scope")
        self._last.update(found)
        self._start.update(found)

    def emit(
        self,
        scope: str,
        kind: str,
        entity_id: uuid.UUID,
        data: dict[str, Any],
        tombstone: bool = False,
    ) -> int:
        """Record a change in a locked scope and return its sequence number."""
        sequence = self._last[scope] + 1
        self._last[scope] = sequence
        self._rows.append(
            {
                "scope": scope,
                "sequence": sequence,
                "kind": kind,
                "entity_id": entity_id,
                "data": data,
                "tombstone": tombstone,
            }
        )
        return sequence

    async def flush(self) -> None:
        if self._rows:
            await self._session.execute(insert(ChangeEntry), self._rows)
            self._rows = []
        for key, last in self._last.items():
            if last != self._start[key]:
                await self._session.execute(
                    update(SyncScope).where(SyncScope.key == key).values(last_sequence=last)
                )
                self._start[key] = last
