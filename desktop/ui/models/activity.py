"""Recent activity on Home, and the bookmarks and notes listed per course."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from PySide6.QtCore import Qt

from desktop.ui.formatting import relative_time
from desktop.ui.models.base import Role, RowListModel, SlideRef


@dataclass(frozen=True, slots=True)
class ActivityRow:
    icon: str  # resources/icons name
    tone: str  # "" or "success" (a completion)
    title: str  # "Viewed “Why segments matter”"
    subtitle: str  # "Lesson title · Course title"
    at: datetime
    ref: SlideRef | None


class ActivityModel(RowListModel[ActivityRow]):
    def row_data(self, row: ActivityRow, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.title
        if role == Role.SUBTITLE:
            return row.subtitle
        if role == Role.META:
            return relative_time(row.at)
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.at.astimezone().strftime("%A %d %B %Y, %H:%M")
        if role == Role.ICON_NAME:
            return row.icon
        if role == Role.TONE:
            return row.tone
        if role == Role.REF:
            return row.ref
        return None


@dataclass(frozen=True, slots=True)
class AnnotationRow:
    """A bookmark or a note, resolved to titles the learner recognises."""

    kind: str  # "bookmark" | "note"
    lesson_title: str
    slide_title: str
    slide_number: int  # 1-based, 0 when the slide no longer exists
    text: str
    at: datetime
    ref: SlideRef


class AnnotationListModel(RowListModel[AnnotationRow]):
    def row_data(self, row: AnnotationRow, role: int) -> Any:
        if role == Qt.ItemDataRole.DisplayRole:
            return row.slide_title
        if role == Role.SUBTITLE:
            where = f"Slide {row.slide_number} · " if row.slide_number else ""
            return f"{where}{row.lesson_title}"
        if role == Role.DETAIL:
            text = " ".join(row.text.split())
            return text if len(text) <= 180 else text[:177] + "…"
        if role == Role.META:
            return relative_time(row.at)
        if role == Role.ICON_NAME:
            return "bookmark-filled" if row.kind == "bookmark" else "note"
        if role == Qt.ItemDataRole.ToolTipRole:
            return row.text or None
        if role == Role.REF:
            return row.ref
        return None
