"""The course library and the per-course progress list on Home."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from PySide6.QtCore import Qt

from desktop.domain.course_format import Problem
from desktop.services.course_library import CourseEntry
from desktop.ui.formatting import duration, relative_time
from desktop.ui.models.base import Role, RowListModel, SlideRef

PROBLEMS_SHOWN = 3


def problem_line(problem: Problem, root: Path) -> str:
    """``lessons/intro.md:12 — message. hint`` with the path relative to the course folder."""
    try:
        where = problem.path.relative_to(root).as_posix()
    except ValueError:
        where = problem.path.as_posix()
    location = f"{where}:{problem.line}" if problem.line else where
    text = problem.message.rstrip(".")
    if problem.hint:
        text += f". {problem.hint[:1].upper()}{problem.hint[1:]}"
    return f"{location} — {text}"


@dataclass(frozen=True, slots=True)
class CourseRow:
    entry: CourseEntry
    percent: float | None = None
    lessons_done: int = 0
    lessons_total: int = 0
    minutes: int = 0
    last_activity: datetime | None = None

    @property
    def broken(self) -> bool:
        return self.entry.broken

    @property
    def completed(self) -> bool:
        return self.percent is not None and self.percent >= 100


class CourseListModel(RowListModel[CourseRow]):
    """One row per CourseEntry. Broken entries have no REF: they can be read, never opened."""

    def __init__(self, *, compact: bool = False) -> None:
        super().__init__()
        self._compact = compact  # Home shows progress, not summaries and problems

    def row_data(self, row: CourseRow, role: int) -> Any:
        entry = row.entry
        if role == Qt.ItemDataRole.DisplayRole:
            return entry.title
        if role == Qt.ItemDataRole.ToolTipRole:
            return str(entry.folder)
        if role == Qt.ItemDataRole.AccessibleTextRole:
            state = (
                "broken, cannot be opened" if row.broken else f"{round(row.percent or 0)}% complete"
            )
            return f"{entry.title}, {state}"
        if role == Role.SUBTITLE:
            if row.broken:
                errors = sum(1 for p in entry.problems if p.severity == "error") or len(
                    entry.problems
                )
                noun = "problem" if errors == 1 else "problems"
                return (
                    f"Can't be opened: {errors} {noun} in {entry.folder.name}/ "
                    f"— fix {'it' if errors == 1 else 'them'}, then Refresh."
                )
            if self._compact:
                return f"{row.lessons_done} of {row.lessons_total} lessons done"
            return entry.course.summary if entry.course is not None else ""
        if role == Role.META:
            if row.broken:
                return ""
            if self._compact:
                if row.completed:
                    return "Completed"
                if row.last_activity is None:
                    return "Not started"
                return relative_time(row.last_activity)
            parts = [f"{row.lessons_total} lesson{'s' if row.lessons_total != 1 else ''}"]
            if row.minutes:
                parts.append(duration(row.minutes))
            parts.append(f"{row.lessons_done} done")
            return " · ".join(parts)
        if role == Role.PERCENT:
            return None if row.broken else (row.percent or 0.0)
        if role == Role.TONE:
            return "danger" if row.broken else ""
        if role == Role.BADGE:
            if row.broken:
                return "Broken"
            if row.completed:
                return "Completed"
            return ""
        if role == Role.DETAIL:
            if not row.broken or self._compact:
                return ""
            lines = [problem_line(p, entry.folder) for p in entry.problems[:PROBLEMS_SHOWN]]
            if entry.course is None and not entry.problems:
                lines.append("The folder has no readable course.toml.")
            more = len(entry.problems) - PROBLEMS_SHOWN
            if more > 0:
                lines.append(f"… and {more} more")
            return "\n".join(lines)
        if role == Role.ICON_NAME:
            return "alert" if row.broken else "courses"
        if role == Role.REF:
            return None if row.broken else SlideRef(entry.course_id)
        return None
