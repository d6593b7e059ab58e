"""Qt models of Content Studio: quality findings, the offline queue, providers, history."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import QAbstractTableModel, QModelIndex, QObject, QPersistentModelIndex, Qt

from desktop.domain.content import Finding, Severity
from desktop.integrations.providers.base import ProviderConfig
from desktop.services.content import HistoryEntry, QueuedRequest
from desktop.ui.formatting import relative_time
from desktop.ui.models.base import Role, RowListModel, row_flags

SEVERITY_ICON = {Severity.ERROR: "alert", Severity.WARNING: "alert", Severity.INFO: "hint"}
SEVERITY_TONE = {Severity.ERROR: "danger", Severity.WARNING: "warning", Severity.INFO: "muted"}
SEVERITY_WORD = {Severity.ERROR: "Error", Severity.WARNING: "Warning", Severity.INFO: "Tip"}


class FindingsModel(RowListModel[Finding]):
    """One variant's quality findings, most severe first."""

    def row_data(self, row: Finding, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.message
        if role == Qt.ItemDataRole.ToolTipRole:
            tip = f"{SEVERITY_WORD[row.severity]}: {row.explanation}"
            if row.fix:
                tip += f"\n\nSuggested fix (double-click to apply):\n{row.fix}"
            return tip
        if role == Role.SUBTITLE:
            return row.explanation
        if role == Role.TONE:
            return SEVERITY_TONE[row.severity]
        if role == Role.BADGE:
            return "Fix available" if row.fix else ""
        if role == Role.ICON_NAME:
            return SEVERITY_ICON[row.severity]
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{SEVERITY_WORD[row.severity]}: {row.message}"
        return None


class QueueModel(RowListModel[QueuedRequest]):
    """Requests waiting for the network."""

    def row_data(self, row: QueuedRequest, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.content_type} for {row.product or 'your product'} · {row.provider}"
        if role == Role.SUBTITLE:
            if row.status == "failed":
                return f"Failed: {row.last_error or 'unknown reason'}"
            return "Waiting for the network — runs by itself when it is back"
        if role == Role.META:
            return relative_time(row.created_at)
        if role == Role.TONE:
            return "danger" if row.status == "failed" else "muted"
        if role == Role.ICON_NAME:
            return "wifi-off"
        return None


class ProvidersModel(RowListModel[ProviderConfig]):
    def row_data(self, row: ProviderConfig, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.name
        if role == Role.SUBTITLE:
            where = "on this computer" if row.is_local else row.base_url
            return f"{row.model} · {where}"
        if role == Role.ICON_NAME:
            return "database" if row.is_local else "external"
        return None


HISTORY_COLUMNS = (
    "When",
    "Type",
    "Product",
    "Provider",
    "Status",
    "Variants",
    "Time",
    "Tokens",
    "Est. cost",
)


class HistoryModel(QAbstractTableModel):
    """Every generation, newest first."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._rows: list[HistoryEntry] = []

    def set_rows(self, rows: list[HistoryEntry]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self.endResetModel()

    def row_at(self, row: int) -> HistoryEntry | None:
        return self._rows[row] if 0 <= row < len(self._rows) else None

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(HISTORY_COLUMNS)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if (
            role == Qt.ItemDataRole.DisplayRole
            and orientation == Qt.Orientation.Horizontal
            and 0 <= section < len(HISTORY_COLUMNS)
        ):
            return HISTORY_COLUMNS[section]
        return None

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or index.parent().isValid():
            return None
        row = self.row_at(index.row())
        if row is None:
            return None
        if role == Role.ITEM:
            return row
        if role == Qt.ItemDataRole.ToolTipRole and row.error:
            return row.error
        if role != Qt.ItemDataRole.DisplayRole:
            return None
        col = index.column()
        if col == 0:
            return relative_time(row.created_at)
        if col == 1:
            return row.content_type
        if col == 2:
            return row.product
        if col == 3:
            return "Template mode" if row.provider == "offline" else f"{row.provider} · {row.model}"
        if col == 4:
            return "Cached" if row.cached else row.status.capitalize()
        if col == 5:
            return str(row.variants)
        if col == 6:
            if row.latency_ms is None:
                return "—"
            ms = row.latency_ms
            return f"{ms:.0f} ms" if ms < 1000 else f"{ms / 1000:.1f} s"
        if col == 7:
            return str(row.tokens) if row.tokens else "—"
        if col == 8:
            if row.cost_usd is None:
                return "unknown"
            return "free" if row.cost_usd == 0 else f"${row.cost_usd:.4f}"
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        return row_flags(index)
