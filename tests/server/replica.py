"""A minimal client replica for the scenarios: local rows, pending mutations, cursors."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.server.conftest import Device


@dataclass
class Replica:
    device: Device
    scopes: list[str]
    templates: dict[str, dict[str, Any]] = field(default_factory=dict)
    conflicts: dict[str, dict[str, Any]] = field(default_factory=dict)
    events: dict[str, dict[str, Any]] = field(default_factory=dict)
    records: dict[str, dict[str, Any]] = field(default_factory=dict)
    cursors: dict[str, int] = field(default_factory=dict)
    pending: list[dict[str, Any]] = field(default_factory=list)
    results: list[dict[str, Any]] = field(default_factory=list)

    # -- local edits (offline) --------------------------------------------------------

    def edit_template(self, scope: str, template_id: str, fields: dict[str, str]) -> None:
        known = self.templates.get(template_id)
        self.templates[template_id] = {
            "template_id": template_id,
            "version": known["version"] if known else None,
            "fields": fields,
            "deleted": False,
        }
        self.pending.append(
            {
                "kind": "template_put",
                "mutation_id": str(uuid.uuid4()),
                "scope": scope,
                "template_id": template_id,
                "base_version": known["version"] if known else None,
                "fields": fields,
            }
        )

    def delete_template(self, scope: str, template_id: str) -> None:
        known = self.templates[template_id]
        known["deleted"] = True
        self.pending.append(
            {
                "kind": "template_delete",
                "mutation_id": str(uuid.uuid4()),
                "scope": scope,
                "template_id": template_id,
                "base_version": known["version"],
            }
        )

    def record_event(self, **event: Any) -> None:
        event_id = str(uuid.uuid4())
        self.events[event_id] = {"event_id": event_id, **event}
        self.pending.append(
            {
                "kind": "progress_event",
                "mutation_id": str(uuid.uuid4()),
                "scope": self.device.scope,
                "event_id": event_id,
                **event,
            }
        )

    def put_note(self, record_id: str, text: str, deleted: bool = False) -> None:
        data = {
            "record_id": record_id,
            "collection": "note",
            "data": {"text": text},
            "deleted": deleted,
        }
        self.records[record_id] = data
        self.pending.append(
            {
                "kind": "record_put",
                "mutation_id": str(uuid.uuid4()),
                "scope": self.device.scope,
                "record_id": record_id,
                "collection": "note",
                "data": {"text": text},
                "deleted": deleted,
            }
        )

    # -- sync -------------------------------------------------------------------------

    async def push(self) -> list[dict[str, Any]]:
        if not self.pending:
            return []
        results = await self.device.push(*self.pending)
        self.pending = []
        self.results.extend(results)
        return results

    async def pull(self, limit: int = 500) -> list[str]:
        """Pull every page; returns scopes the server said must be re-downloaded."""
        while True:
            page = await self.device.pull({s: self.cursors.get(s, 0) for s in self.scopes}, limit)
            if page["resync_required"]:
                return list(page["resync_required"])
            for change in page["changes"]:
                self.apply(change)
            self.cursors.update(page["cursors"])
            if not page["more"]:
                return []

    def apply(self, change: dict[str, Any]) -> None:
        data = change["data"]
        if change["kind"] == "template":
            self.templates[data["template_id"]] = data
        elif change["kind"] == "template_conflict":
            self.conflicts[data["conflict_id"]] = data
        elif change["kind"] == "progress_event":
            self.events[data["event_id"]] = data
        else:
            self.records[data["record_id"]] = data

    async def sync(self) -> None:
        await self.push()
        assert await self.pull() == []

    async def resync(self, scope: str) -> None:
        """Re-download one scope from the start, keeping rows not pushed yet."""
        unsynced = {m.get("record_id") for m in self.pending}
        self.records = {k: v for k, v in self.records.items() if k in unsynced}
        self.cursors[scope] = 0
        assert await self.pull() == []

    def state(self) -> tuple[Any, ...]:
        return (self.templates, self.conflicts, self.events, self.records)
