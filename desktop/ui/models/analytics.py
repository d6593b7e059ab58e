"""The numbers behind a chart, as a table: what "Numbers" shows and "Export CSV" writes.

Every chart in :mod:`desktop.ui.widgets.charts` can describe itself as a
:class:`ChartNumbers` (column titles and rows of plain values); :class:`NumbersModel`
shows them in a table view. Values stay exact (the CSV holds them as they are); the
table only formats them for reading (thousands separators, a dash for "no data").
"""

from __future__ import annotations

import csv
import io
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

if TYPE_CHECKING:
    from desktop.domain.analytics import Streak

Cell = str | int | float | None


@dataclass(frozen=True, slots=True)
class ChartNumbers:
    """A chart's data as a table: ``columns`` are the titles, ``rows`` the values."""

    columns: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...] = ()

    @classmethod
    def of(cls, columns: Sequence[str], rows: Sequence[Sequence[Cell]]) -> ChartNumbers:
        width = len(columns)
        fixed = tuple(tuple(row[:width]) + (None,) * (width - len(row)) for row in rows)
        return cls(tuple(columns), fixed)

    def to_csv(self) -> str:
        """The table as CSV text (a header row, then one row per data row; "" for None)."""
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(self.columns)
        for row in self.rows:
            writer.writerow(["" if value is None else value for value in row])
        return out.getvalue()


def format_cell(value: Cell) -> str:
    """How the Numbers table shows a value: ``12,345``, ``61.5``, ``—`` for no data."""
    if value is None:
        return "—"
    if isinstance(value, bool):
        return "Yes" if value else "No"
    if isinstance(value, int):
        return f"{value:,}"
    if isinstance(value, float):
        if value.is_integer() and abs(value) < 1e15:
            return f"{int(value):,}"
        return f"{value:,.2f}".rstrip("0").rstrip(".") if abs(value) >= 0.01 else f"{value:.4g}"
    return value


class NumbersModel(QAbstractTableModel):
    """A read-only table of :class:`ChartNumbers`; ``EditRole`` gives the exact value."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._numbers = ChartNumbers(())

    @property
    def numbers(self) -> ChartNumbers:
        return self._numbers

    def set_numbers(self, numbers: ChartNumbers) -> None:
        self.beginResetModel()
        self._numbers = numbers
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._numbers.rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._numbers.columns)

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        rows = self._numbers.rows
        if not (0 <= index.row() < len(rows) and 0 <= index.column() < len(self._numbers.columns)):
            return None
        value = rows[index.row()][index.column()]
        if role == Qt.ItemDataRole.DisplayRole:
            return format_cell(value)
        if role == Qt.ItemDataRole.EditRole:
            return value
        if role == Qt.ItemDataRole.TextAlignmentRole:
            numeric = value is None or isinstance(value, int | float)
            horizontal = Qt.AlignmentFlag.AlignRight if numeric else Qt.AlignmentFlag.AlignLeft
            return int(horizontal | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole and isinstance(value, str) and len(value) > 40:
            return value
        return None

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(self._numbers.columns):
            return self._numbers.columns[section]
        if orientation == Qt.Orientation.Vertical and 0 <= section < len(self._numbers.rows):
            return str(section + 1)
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )


def streak_figure(streak: Streak) -> tuple[str, str, str]:
    """A streak as a stat tile shows it: the value, the line under it, and its tone."""
    days = streak.current_days
    value = f"{days} day{'s' if days != 1 else ''}"
    detail = f"longest {streak.longest_days}"
    if days and not streak.active_today:
        detail += " · learn today to keep it"
    return value, detail, "success" if streak.active_today else ""
