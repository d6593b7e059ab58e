"""Qt model of the templates a new policy can start from (Built-in, then the library's)."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.services.policies_templates import TemplateChoice
from desktop.ui.models.base import Role, RowListModel


class TemplateChoiceModel(RowListModel[TemplateChoice]):
    """Built-in first, then personal and team policy templates of one policy type."""

    def row_data(self, row: TemplateChoice, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.label
        if role == Qt.ItemDataRole.ToolTipRole:
            parts = [row.description] if row.description else []
            if row.version is not None:
                parts.append(f"Library version {row.version}")
            return " · ".join(parts) or None
        if role == Role.SUBTITLE:
            return row.where
        return None

    def index_of(self, template_id: Any) -> int:
        return next((i for i, r in enumerate(self.rows()) if r.template_id == template_id), -1)
