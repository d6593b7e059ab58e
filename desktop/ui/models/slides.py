"""The slides of the open lesson (the player's side list) and an ordering question's items."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from desktop.ui import theme
from desktop.ui.models.base import Role, RowListModel


@dataclass(frozen=True, slots=True)
class SlideRow:
    number: int  # 1-based
    slide_id: str
    title: str
    viewed: bool = False
    bookmarked: bool = False
    has_quiz: bool = False
    current: bool = False


class SlideListModel(RowListModel[SlideRow]):
    def update_row(self, row: int, new: SlideRow) -> None:
        if 0 <= row < len(self._rows):
            self._rows[row] = new
            idx = self.index(row, 0)
            self.dataChanged.emit(idx, idx)

    def row_data(self, row: SlideRow, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.number}.  {row.title}"
        if role == Role.BADGE:
            return "bookmarked" if row.bookmarked else ""
        if role == Qt.ItemDataRole.DecorationRole:
            if row.current:
                return theme.icon("play", "accent")
            if row.viewed:
                return theme.icon("circle-check", "success")
            return theme.icon("circle", "border-strong")
        if role == Qt.ItemDataRole.FontRole and row.current:
            return theme.ui_font(theme.UI_POINT_SIZE, QFont.Weight.DemiBold)
        if role == Qt.ItemDataRole.ToolTipRole:
            facts = ["viewed" if row.viewed else "not viewed yet"]
            if row.has_quiz:
                facts.append("has a quiz")
            if row.bookmarked:
                facts.append("bookmarked")
            return f"Slide {row.number}: {row.title} ({', '.join(facts)})"
        return None


class OrderingModel(RowListModel[str]):
    """An ordering question's items; rows move by drag and drop, buttons or Alt+arrows."""

    def __init__(self, items: Sequence[str] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows = list(items)
        self._locked = False

    def set_locked(self, locked: bool) -> None:
        """A locked list (question answered or out of attempts) cannot be reordered."""
        self._locked = locked
        if self._rows:
            self.dataChanged.emit(self.index(0, 0), self.index(len(self._rows) - 1, 0))

    def row_data(self, row: str, role: int) -> Any:
        if role in (Qt.ItemDataRole.DisplayRole, Qt.ItemDataRole.EditRole):
            return row
        if role == Qt.ItemDataRole.DecorationRole:
            return theme.icon("grip", "text-subtle")
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            # Drops land between rows (on the root), never on an item.
            return Qt.ItemFlag.ItemIsDropEnabled if not self._locked else Qt.ItemFlag.NoItemFlags
        flags = super().flags(index)
        if not self._locked:
            flags |= Qt.ItemFlag.ItemIsDragEnabled
        return flags

    def supportedDropActions(self) -> Qt.DropAction:
        return Qt.DropAction.MoveAction

    def moveRows(
        self,
        source_parent: QModelIndex | QPersistentModelIndex,
        source_row: int,
        count: int,
        destination_parent: QModelIndex | QPersistentModelIndex,
        destination_child: int,
    ) -> bool:
        if self._locked or source_parent.isValid() or destination_parent.isValid():
            return False
        n = len(self._rows)
        if count < 1 or source_row < 0 or source_row + count > n:
            return False
        if not 0 <= destination_child <= n:
            return False
        if source_row <= destination_child <= source_row + count:
            return False  # a move onto itself
        if not self.beginMoveRows(
            QModelIndex(), source_row, source_row + count - 1, QModelIndex(), destination_child
        ):
            return False
        moving = self._rows[source_row : source_row + count]
        del self._rows[source_row : source_row + count]
        insert_at = (
            destination_child if destination_child < source_row else destination_child - count
        )
        self._rows[insert_at:insert_at] = moving
        self.endMoveRows()
        return True

    def move(self, row: int, delta: int) -> int:
        """Move one row up (-1) or down (+1); returns its new row (unchanged if it can't)."""
        target = row + delta
        if not 0 <= target < len(self._rows):
            return row
        dest = target + 1 if delta > 0 else target
        return target if self.moveRows(QModelIndex(), row, 1, QModelIndex(), dest) else row
