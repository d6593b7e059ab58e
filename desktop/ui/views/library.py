"""Courses: the library, bundled courses plus the folders the user added."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QFileDialog, QVBoxLayout, QWidget

from desktop.services.container import Services
from desktop.services.course_library import CourseEntry
from desktop.ui.models.base import Role, SlideRef
from desktop.ui.models.courses import CourseListModel, CourseRow
from desktop.ui.widgets.common import EmptyState, PageHeader, button, centred
from desktop.ui.widgets.delegates import CardList, CardStyle


class LibraryView(QWidget):
    open_requested = Signal(object)  # SlideRef of a course
    add_folder_requested = Signal(object)  # Path chosen by the user
    refresh_requested = Signal()
    message = Signal(str)

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._services = services
        # Tests and the self-test replace this; the default asks with the system dialog.
        self.choose_folder: Callable[[], Path | None] = self._ask_for_folder

        root = QVBoxLayout(self)
        root.setContentsMargins(36, 32, 36, 20)
        root.setSpacing(18)
        self.header = PageHeader("Courses", "Loading…")
        self.refresh_button = button(
            "Refresh", variant="ghost", icon="refresh", tooltip="Read every course folder again"
        )
        self.refresh_button.clicked.connect(self.refresh_requested)
        self.add_button = button(
            "Add course folder…", variant="primary", icon="folder-plus", icon_colour="surface"
        )
        self.add_button.setToolTip("Add a course folder, or a folder that holds several courses")
        self.add_button.clicked.connect(self._on_add_clicked)
        self.header.action_row.addWidget(self.refresh_button)
        self.header.action_row.addWidget(self.add_button)
        root.addWidget(self.header)

        self.model = CourseListModel()
        self.view = CardList(CardStyle(card=True, padding=18, lead=52, gap=12))
        self.view.setObjectName("CourseList")
        self.view.setModel(self.model)
        self.view.setAccessibleName("Courses")
        self.view.open_index.connect(self._on_activated)
        root.addWidget(self.view, 1)

        self.empty = EmptyState(
            "courses",
            "No courses yet",
            "A course is a folder with a course.toml and Markdown lessons. Add one you received "
            "from a colleague, or a folder that holds several.",
        )
        add_again = button(
            "Add course folder…", variant="primary", icon="folder-plus", icon_colour="surface"
        )
        add_again.clicked.connect(self._on_add_clicked)
        self.empty.add_action(add_again)
        self.empty.setVisible(False)
        root.addLayout(centred(self.empty, 720))
        root.addStretch(0)  # takes the space only while the list is hidden

    def set_entries(self, entries: list[CourseEntry]) -> None:
        rows = []
        for entry in entries:
            if entry.course is None or entry.broken:
                rows.append(CourseRow(entry))
                continue
            cp = self._services.progress.course_progress(entry.course)
            rows.append(
                CourseRow(
                    entry,
                    cp.percent,
                    cp.completed_lessons,
                    cp.total_lessons,
                    entry.course.estimated_minutes,
                )
            )
        rows.sort(key=lambda r: r.broken)  # stable: working courses first, by title
        self.model.set_rows(rows)
        broken = sum(1 for r in rows if r.broken)
        healthy = len(rows) - broken
        summary = f"{healthy} course{'s' if healthy != 1 else ''}"
        if broken:
            summary += f" · {broken} can't be opened (see why below)"
        self.header.set_subtitle(summary if rows else "")
        self.empty.setVisible(not rows)
        self.view.setVisible(bool(rows))

    def _on_activated(self, index: QModelIndex) -> None:
        ref = index.data(Role.REF)
        if isinstance(ref, SlideRef):
            self.open_requested.emit(ref)
            return
        title = index.data(Qt.ItemDataRole.DisplayRole)
        self.message.emit(f"“{title}” can't be opened until the problems listed on it are fixed.")

    def _on_add_clicked(self) -> None:
        path = self.choose_folder()
        if path is not None:
            self.add_folder_requested.emit(path)

    def _ask_for_folder(self) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, "Add course folder")
        return Path(chosen) if chosen else None
