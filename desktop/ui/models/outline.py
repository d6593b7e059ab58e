"""A course's modules and lessons as a tree, with completion ticks."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, overload

from PySide6.QtCore import QAbstractItemModel, QModelIndex, QObject, QPersistentModelIndex, Qt
from PySide6.QtGui import QFont

from desktop.domain.course import Course, Lesson, Module
from desktop.ui import theme
from desktop.ui.formatting import duration
from desktop.ui.models.base import Role, SlideRef

TOP = 0  # internal id of module rows; lesson rows carry their module's row + 1


@dataclass(frozen=True, slots=True)
class LessonState:
    done: bool = False
    viewed: int = 0  # slides viewed


class CourseOutlineModel(QAbstractItemModel):
    """Modules at the top level, their lessons below; two columns: title and status."""

    COLUMNS = 2

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._course: Course | None = None
        self._modules: list[Module] = []
        self._lessons: list[list[Lesson]] = []
        self._state: dict[str, LessonState] = {}
        self._current: str | None = None

    def set_course(
        self,
        course: Course | None,
        state: Mapping[str, LessonState] | None = None,
        current_lesson: str | None = None,
    ) -> None:
        self.beginResetModel()
        self._course = course
        self._modules = list(course.modules) if course else []
        self._lessons = (
            [
                [course.lessons[lid] for lid in m.lesson_ids if lid in course.lessons]
                for m in self._modules
            ]
            if course
            else []
        )
        self._state = dict(state or {})
        self._current = current_lesson
        self.endResetModel()

    def lesson_index(self, lesson_id: str) -> QModelIndex:
        for m, lessons in enumerate(self._lessons):
            for row, lesson in enumerate(lessons):
                if lesson.id == lesson_id:
                    return self.createIndex(row, 0, m + 1)
        return QModelIndex()

    # -- QAbstractItemModel -----------------------------------------------------------

    def index(
        self,
        row: int,
        column: int,
        parent: QModelIndex | QPersistentModelIndex = QModelIndex(),  # noqa: B008
    ) -> QModelIndex:
        if column < 0 or column >= self.COLUMNS or row < 0:
            return QModelIndex()
        if not parent.isValid():
            return self.createIndex(row, column, TOP) if row < len(self._modules) else QModelIndex()
        if parent.internalId() != TOP or parent.column() != 0:
            return QModelIndex()
        module_row = parent.row()
        if module_row >= len(self._lessons) or row >= len(self._lessons[module_row]):
            return QModelIndex()
        return self.createIndex(row, column, module_row + 1)

    @overload
    def parent(self) -> QObject | None: ...
    @overload
    def parent(self, child: QModelIndex | QPersistentModelIndex) -> QModelIndex: ...
    def parent(
        self, child: QModelIndex | QPersistentModelIndex | None = None
    ) -> QObject | QModelIndex | None:
        if child is None:
            return super().parent()
        if not child.isValid() or child.internalId() == TOP:
            return QModelIndex()
        return self.createIndex(int(child.internalId()) - 1, 0, TOP)

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        if not parent.isValid():
            return len(self._modules)
        if (
            parent.internalId() == TOP
            and parent.column() == 0
            and parent.row() < len(self._lessons)
        ):
            return len(self._lessons[parent.row()])
        return 0

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return self.COLUMNS

    def flags(self, index: QModelIndex | QPersistentModelIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        flags = Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable
        if index.internalId() != TOP:
            flags |= Qt.ItemFlag.ItemNeverHasChildren
        return flags

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> Any:
        if not index.isValid() or self._course is None:
            return None
        if index.internalId() == TOP:
            return self._module_data(index.row(), index.column(), role)
        m = int(index.internalId()) - 1
        if m >= len(self._lessons) or index.row() >= len(self._lessons[m]):
            return None
        return self._lesson_data(self._lessons[m][index.row()], index.column(), role)

    def _module_data(self, row: int, column: int, role: int) -> Any:
        if row >= len(self._modules):
            return None
        module = self._modules[row]
        lessons = self._lessons[row]
        done = sum(1 for lesson in lessons if self._state.get(lesson.id, LessonState()).done)
        if role == Qt.ItemDataRole.DisplayRole:
            return module.title if column == 0 else f"{done} of {len(lessons)} done"
        if role == Qt.ItemDataRole.FontRole and column == 0:
            return theme.ui_font(theme.UI_POINT_SIZE + 0.5, QFont.Weight.DemiBold)
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return theme.color("text-subtle")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _lesson_data(self, lesson: Lesson, column: int, role: int) -> Any:
        state = self._state.get(lesson.id, LessonState())
        if role == Qt.ItemDataRole.DisplayRole:
            if column == 0:
                return lesson.title
            if state.done:
                return "Done"
            slides = len(lesson.slides)
            text = f"{slides} slide{'s' if slides != 1 else ''}"
            if lesson.estimated_minutes:
                text += f" · {duration(lesson.estimated_minutes)}"
            if state.viewed and not state.done:
                text = f"{state.viewed}/{slides} viewed · " + text.split(" · ")[-1]
            return text
        if role == Qt.ItemDataRole.DecorationRole and column == 0:
            if state.done:
                return theme.icon("circle-check", "success")
            if lesson.id == self._current:
                return theme.icon("play", "accent")
            return theme.icon("circle", "border-strong")
        if role == Qt.ItemDataRole.ForegroundRole and column == 1:
            return theme.color("success-text") if state.done else theme.color("text-subtle")
        if role == Qt.ItemDataRole.TextAlignmentRole and column == 1:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        if role == Qt.ItemDataRole.ToolTipRole:
            goal = lesson.completion.describe()
            objectives = "".join(f"\n• {o}" for o in lesson.objectives)
            return f"To complete: {goal}.{objectives}"
        if role == Qt.ItemDataRole.AccessibleTextRole and column == 0:
            return f"{lesson.title}, {'completed' if state.done else 'not completed'}"
        if role == Role.REF and self._course is not None:
            return SlideRef(self._course.id, lesson.id)
        return None
