"""Full-text search results."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt

from desktop.services.search import SearchHit
from desktop.ui.models.base import Role, RowListModel, SlideRef


class SearchResultsModel(RowListModel[SearchHit]):
    """One row per hit: the slide, where it lives, and the snippet with matches in bold."""

    def row_data(self, row: SearchHit, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.slide_title or row.lesson_title
        if role == Role.SUBTITLE:
            return f"{row.lesson_title} · {row.course_title}"
        if role == Role.DETAIL_HTML:
            return row.snippet_html
        if role == Role.ICON_NAME:
            return "book-open"
        if role == Role.REF:
            return SlideRef(row.course_id, row.lesson_id, row.slide_id)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            return f"{row.slide_title}, in {row.lesson_title}, {row.course_title}"
        return None
