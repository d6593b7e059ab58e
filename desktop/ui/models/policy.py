"""Qt models of Policy Studio's lists: policies, versions, checklist, comments, placeholders."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, Qt

from desktop.domain.policy_review import ReviewState
from desktop.domain.policy_text import Placeholder
from desktop.storage.policies import (
    ChecklistRecord,
    CommentRecord,
    DocumentRecord,
    VersionRecord,
)
from desktop.ui.formatting import relative_time
from desktop.ui.models.base import Role, RowListModel

STATE_TONE = {
    ReviewState.DRAFT: "muted",
    ReviewState.IN_REVIEW: "",
    ReviewState.CHANGES_REQUESTED: "danger",
    ReviewState.APPROVED: "success",
}


def state_label(state: str) -> str:
    try:
        return ReviewState(state).label
    except ValueError:
        return state


class PolicyListModel(RowListModel[DocumentRecord]):
    """The user's policies, newest change first."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.problems: dict[str, int] = {}  # policy type -> cross-document disagreements

    def row_data(self, row: DocumentRecord, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == Role.SUBTITLE:
            parts = [f"Version {row.latest_number} · {state_label(row.latest_state)}"]
            if row.approved_number is not None and row.approved_number != row.latest_number:
                parts.append(f"v{row.approved_number} approved")
            if row.jurisdictions:
                parts.append(", ".join(j.upper().replace("_", "-") for j in row.jurisdictions))
            return " · ".join(parts)
        if role == Role.META:
            return relative_time(row.updated_at)
        if role == Role.BADGE:
            if self.problems.get(row.policy_type):
                return "Check"
            return state_label(row.latest_state)
        if role == Role.TONE:
            if self.problems.get(row.policy_type):
                return "danger"
            try:
                return STATE_TONE[ReviewState(row.latest_state)]
            except ValueError:
                return ""
        if role == Role.ICON_NAME:
            return "policies"
        if role == Qt.ItemDataRole.ToolTipRole:
            return f"{row.title} — {state_label(row.latest_state)}"
        return None

    def index_of(self, document_id: object) -> QModelIndex:
        for n, row in enumerate(self._rows):
            if row.id == document_id:
                return self.index(n, 0)
        return QModelIndex()


class VersionListModel(RowListModel[VersionRecord]):
    def row_data(self, row: VersionRecord, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"Version {row.number}"
        if role == Role.SUBTITLE:
            bits = [state_label(row.state)]
            if row.effective_date:
                bits.append(f"effective {row.effective_date}")
            if row.reviewer and row.state == ReviewState.APPROVED:
                bits.append(f"approved by {row.reviewer}")
            return " · ".join(bits)
        if role == Role.DETAIL:
            return row.changelog
        if role == Role.META:
            return relative_time(row.updated_at)
        if role == Role.TONE:
            try:
                return STATE_TONE[ReviewState(row.state)]
            except ValueError:
                return ""
        if role == Role.ICON_NAME:
            return "check" if row.state == ReviewState.APPROVED else "note"
        return None


class ChecklistModel(RowListModel[ChecklistRecord]):
    """The reviewer's checklist; ticking an item calls ``on_toggle(item_id, checked)``."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self.on_toggle: Callable[[str, bool], None] | None = None
        self.editable = True

    def row_data(self, row: ChecklistRecord, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            prefix = "" if row.jurisdiction == "general" else f"{row.jurisdiction.upper()}: "
            return prefix.replace("_", "-") + row.text
        if role == Qt.ItemDataRole.CheckStateRole:
            return Qt.CheckState.Checked if row.checked else Qt.CheckState.Unchecked
        if role == Qt.ItemDataRole.ToolTipRole:
            if row.checked and row.checked_by:
                return f"Ticked by {row.checked_by}"
            return row.text
        return None

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        base = super().flags(index)
        if not index.isValid():
            return base
        if self.editable:
            return base | Qt.ItemFlag.ItemIsUserCheckable
        return base & ~Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    def setData(
        self,
        index: QModelIndex | QPersistentModelIndex,
        value: Any,
        role: int = Qt.ItemDataRole.EditRole,
    ) -> bool:
        if role != Qt.ItemDataRole.CheckStateRole or not index.isValid() or not self.editable:
            return False
        row = self.row_at(index.row())
        if row is None:
            return False
        checked = (
            Qt.CheckState(value) == Qt.CheckState.Checked if not isinstance(value, bool) else value
        )
        if self.on_toggle is not None:
            self.on_toggle(row.item_id, checked)
        self._rows[index.row()] = ChecklistRecord(
            row.item_id, row.jurisdiction, row.text, checked, row.checked_by, row.checked_at
        )
        self.dataChanged.emit(index, index, [Qt.ItemDataRole.CheckStateRole])
        return True

    def unchecked(self) -> int:
        return sum(1 for r in self._rows if not r.checked)


class CommentListModel(RowListModel[CommentRecord]):
    def row_data(self, row: CommentRecord, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return f"{row.section_title} — {row.author}"
        if role == Role.SUBTITLE:
            return row.text
        if role == Role.META:
            return "Resolved" if row.resolved else relative_time(row.created_at)
        if role == Role.TONE:
            return "muted" if row.resolved else ""
        if role == Role.ICON_NAME:
            return "check" if row.resolved else "note"
        return None


class PlaceholderListModel(RowListModel[Placeholder]):
    def row_data(self, row: Placeholder, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            where = f"Line {row.line}: " if row.line else "From an answer: "
            return f"{where}{row.text} — {row.message}"
        if role == Qt.ItemDataRole.ToolTipRole:
            return "Fill this in before the policy can be exported. Double-click to go there."
        return None
