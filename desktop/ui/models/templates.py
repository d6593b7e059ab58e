"""List models of the Templates section: the library, and a template's versions."""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from PySide6.QtCore import Qt

from desktop.domain.templates import Template, TemplateKind, TemplateVersion
from desktop.ui.formatting import relative_time
from desktop.ui.models.base import Role, RowListModel


class TemplateListModel(RowListModel[Template]):
    """Templates by name: kind and where it lives underneath, a badge for what needs
    attention (a conflict, changes not yet synced)."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.team_names: Mapping[uuid.UUID, str] = {}

    def row_data(self, row: Template, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == Role.SUBTITLE:
            where = (
                self.team_names.get(row.team_id, "Team") if row.team_id is not None else "Personal"
            )
            parts = [row.kind.label, where]
            if row.tags:
                parts.append(" ".join(f"#{t}" for t in row.tags))
            return " · ".join(parts)
        if role == Role.BADGE:
            if row.conflicted:
                return "Conflict"
            if row.dirty:
                return "Not synced"
            return ""
        if role == Role.TONE:
            return "danger" if row.conflicted else ""
        if role == Role.ICON_NAME:
            return "studio" if row.kind is TemplateKind.CONTENT else "policies"
        if role == Role.META:
            return relative_time(row.updated_at)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.draft.description or row.name
        if role == Qt.ItemDataRole.AccessibleTextRole:
            badge = self.row_data(row, Role.BADGE)
            return f"{row.name}, {self.row_data(row, Role.SUBTITLE)}" + (
                f", {badge}" if badge else ""
            )
        return None

    def index_of(self, template_id: uuid.UUID) -> int:
        for i, row in enumerate(self._rows):
            if row.id == template_id:
                return i
        return -1


def version_title(version: TemplateVersion, ordinal: int, team: bool = False) -> str:
    """A version's name: "v3 · Saved here" when the team's server has it; "Version 3 ·
    Saved here" for a personal template; for a team template's text that never reached
    the server (a conflict's, say), "Saved here · local"."""
    if version.number is not None:
        return version.label
    if team:
        return f"{version.label} · local"
    return f"Version {ordinal} · {version.label}"


class VersionListModel(RowListModel[TemplateVersion]):
    """A template's versions, newest first."""

    def set_rows(self, rows: Sequence[TemplateVersion]) -> None:
        self._ordinals = {v.seq: len(rows) - i for i, v in enumerate(rows)}
        self._team = any(v.number is not None for v in rows)
        super().set_rows(rows)

    def row_data(self, row: TemplateVersion, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            ordinal = getattr(self, "_ordinals", {}).get(row.seq, 0)
            return version_title(row, ordinal, getattr(self, "_team", False))
        if role == Role.SUBTITLE:
            return row.draft.name if row.draft is not None else "(a kind this app cannot show)"
        if role == Role.META:
            return relative_time(row.created_at)
        if role == Role.ICON_NAME:
            return "trash" if row.deleted else "clock"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.created_at.astimezone().strftime("%d %b %Y, %H:%M")
        return None
