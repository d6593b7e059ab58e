"""What the list models share: roles the delegates paint from, and a typed row list."""

from __future__ import annotations

import enum
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QAbstractListModel, QModelIndex, QObject, QPersistentModelIndex, Qt

USER_ROLE = int(Qt.ItemDataRole.UserRole)


class Role(enum.IntEnum):
    """Data roles shared by every Playbook list model and painted by ``CardDelegate``."""

    SUBTITLE = USER_ROLE + 1  # str: the muted second line
    META = USER_ROLE + 2  # str: small text on the right ("5 min ago", "40%")
    PERCENT = USER_ROLE + 3  # float | None: draws a progress ring instead of an icon
    TONE = USER_ROLE + 4  # str: "" | "danger" | "success" | "muted"
    DETAIL = USER_ROLE + 5  # str: further plain lines (problems, note text)
    DETAIL_HTML = USER_ROLE + 6  # str: a rich snippet (search matches in <b>)
    REF = USER_ROLE + 7  # SlideRef | None: what opens when the row is activated
    ITEM = USER_ROLE + 8  # the row's underlying object
    BADGE = USER_ROLE + 9  # str: a pill next to the title ("Broken", "Completed")
    ICON_NAME = USER_ROLE + 10  # str: resources/icons name painted on the left


@dataclass(frozen=True, slots=True)
class SlideRef:
    """A place in a course to open: a course, or a lesson, or one slide of it."""

    course_id: str
    lesson_id: str | None = None
    slide_id: str | None = None


Row = TypeVar("Row")


def row_flags(index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
    """The flags of a row that is read, not edited: enabled, selectable, no children."""
    if not index.isValid():
        return Qt.ItemFlag.NoItemFlags
    return (
        Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable | Qt.ItemFlag.ItemNeverHasChildren
    )


class RowListModel(QAbstractListModel, Generic[Row]):
    """A flat list of immutable rows. Subclasses say how a row answers each role."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    def set_rows(self, rows: Sequence[Row]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_at(self, row: int) -> Row | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_at(index.row())
        if row is None or index.column() != 0:
            return None
        if role == Role.ITEM:
            return row
        return self.row_data(row, role)

    def row_data(self, row: Row, role: int) -> Any:  # pragma: no cover - abstract
        raise NotImplementedError

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return row_flags(index)
