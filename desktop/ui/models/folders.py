"""The course folders a user added in Settings."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.ui.models.base import Role, RowListModel


@dataclass(frozen=True, slots=True)
class FolderRow:
    path: Path
    courses: int  # healthy courses found in it at the last refresh
    broken: int
    exists: bool


class FolderListModel(RowListModel[FolderRow]):
    def row_data(self, row: FolderRow, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return str(row.path)
        if role == Role.SUBTITLE:
            if not row.exists:
                return "Folder not found — was it moved or on a disconnected drive?"
            found = f"{row.courses} course{'s' if row.courses != 1 else ''}"
            if row.broken:
                found += f", {row.broken} with problems"
            return found
        if role == Role.TONE:
            return "danger" if not row.exists or row.broken else ""
        if role == Role.ICON_NAME:
            return "folder"
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(row.path)
        return None
