"""``DeckSlidesModel``: every slide of the deck as a list (the presenter's slide strip),
the current one in bold; a click jumps there like a typed number and Enter."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QColor, QFont

from desktop.domain.presenting import Deck, format_duration


class DeckSlidesModel(QAbstractListModel):
    def __init__(self, deck: Deck, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._deck = deck
        self._current = 0
        self._bold = QFont()
        self._bold.setBold(True)

    @property
    def current(self) -> int:
        return self._current

    def set_current(self, row: int) -> None:
        old, self._current = self._current, row
        for r in {old, row}:
            if 0 <= r < self.rowCount():
                index = self.index(r, 0)
                self.dataChanged.emit(index, index)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._deck.slides)

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._deck.slides):
            return None
        item = self._deck.slides[index.row()]
        current = index.row() == self._current
        if role == Qt.ItemDataRole.DisplayRole:
            quiz = "   ·  quiz" if item.has_quiz else ""
            return f"{item.number:>3}   {item.slide.title}{quiz}"
        if role == Qt.ItemDataRole.ToolTipRole:
            plan = f" · {format_duration(item.planned_seconds)}" if item.planned_seconds else ""
            return f"{item.lesson.title}{plan}"
        if role == Qt.ItemDataRole.FontRole and current:
            return self._bold
        if role == Qt.ItemDataRole.ForegroundRole:
            return QColor("#FFFFFF" if current else "#98A2B3")
        if role == Qt.ItemDataRole.BackgroundRole and current:
            return QColor("#2A2F5A")
        if role == Qt.ItemDataRole.UserRole:
            return index.row()
        return None
