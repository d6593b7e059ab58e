"""Settings: lesson text size, where the data lives, and the course folders added."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, QUrl, Signal
from PySide6.QtGui import QDesktopServices
from PySide6.QtWidgets import QFileDialog, QHBoxLayout, QSlider, QVBoxLayout, QWidget

from desktop.config import MAX_FONT_PT, MIN_FONT_PT, Settings
from desktop.services.container import Services
from desktop.services.course_library import CourseEntry
from desktop.services.effective_settings import Effective, effective_settings
from desktop.ui import theme
from desktop.ui.lookup import user_folders
from desktop.ui.models.base import Role
from desktop.ui.models.folders import FolderListModel, FolderRow
from desktop.ui.widgets.common import Card, PageHeader, button, label, scroll_page
from desktop.ui.widgets.delegates import CardList, CardStyle
from desktop.ui.widgets.managed_settings import ManagedSettingsCard, PrivacyCard

if TYPE_CHECKING:
    from desktop.ui.views.account import AccountPanel

PREVIEW_TEXT = "A clear promise, one idea per slide, and a next step the reader can take today."


class SettingsView(QWidget):
    font_changed = Signal(int)
    add_folder_requested = Signal(object)  # Path
    remove_folder_requested = Signal(object)  # Path

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._services = services
        self.choose_folder: Callable[[], Path | None] = self._ask_for_folder
        self.open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl

        content = QWidget()
        content.setObjectName("Page")
        root = QVBoxLayout(content)
        root.setContentsMargins(36, 32, 36, 32)
        root.setSpacing(20)
        root.addWidget(PageHeader("Settings", "Saved on this computer as soon as you change them."))

        # What IT locked on this machine, with its reasons (before anything it locks)
        self.managed_card: ManagedSettingsCard | None = None
        rows = self._effective_rows()
        managed = services.managed
        if managed is not None and (managed.any_locked or managed.problems):
            self.managed_card = ManagedSettingsCard(managed, rows)
            root.addWidget(self.managed_card)

        # Account and team (desktop sync)
        self.account_panel: AccountPanel | None = None
        if services.account is not None:
            from desktop.ui.views.account import AccountPanel

            self.account_panel = AccountPanel(services.account)
            root.addWidget(self.account_panel)

        # Reading
        reading = Card(padding=22)
        reading.body.addWidget(label("Reading", "SectionTitle"))
        reading.body.addWidget(
            label("Text size of lessons. In a lesson, Ctrl+= and Ctrl+- change it too.", "Muted")
        )
        row = QHBoxLayout()
        row.setSpacing(6)
        smaller = button("A−", tooltip="Smaller")
        smaller.setAccessibleName("Smaller lesson text")
        smaller.clicked.connect(self._smaller)
        self.font_size = QSlider(Qt.Orientation.Horizontal)
        self.font_size.setRange(MIN_FONT_PT, MAX_FONT_PT)
        self.font_size.setPageStep(2)
        self.font_size.setAccessibleName("Lesson text size in points")
        self.font_size.setFixedSize(220, 28)  # room for the round handle
        self.font_size.setValue(services.settings.current.lesson_font_pt)
        self.font_size.valueChanged.connect(self._on_font_size)
        self.font_value = label("", "SizeValue")
        self.font_value.setMinimumWidth(48)
        larger = button("A+", tooltip="Larger")
        larger.setAccessibleName("Larger lesson text")
        larger.clicked.connect(self._larger)
        row.addWidget(smaller)
        row.addWidget(self.font_size)
        row.addWidget(larger)
        row.addWidget(self.font_value)
        row.addSpacing(6)
        reset = button("Default", variant="ghost")
        reset.clicked.connect(lambda: self.font_size.setValue(Settings().lesson_font_pt))
        row.addWidget(reset)
        row.addStretch(1)
        reading.body.addLayout(row)
        self.preview = label(PREVIEW_TEXT, wrap=True)
        self.preview.setObjectName("Preview")
        self.preview.setContentsMargins(0, 8, 0, 0)
        reading.body.addWidget(self.preview)
        root.addWidget(reading)

        # Data
        data = Card(padding=22)
        data.body.addWidget(label("Your data", "SectionTitle"))
        data.body.addWidget(
            label(
                "Progress, bookmarks and notes are stored only on this computer, in this folder. "
                "Back it up like any other folder.",
                "Muted",
                wrap=True,
            )
        )
        self.data_dir = services.settings.path.parent
        path_row = QHBoxLayout()
        path_row.setSpacing(10)
        self.data_label = label(str(self.data_dir), wrap=True)
        self.data_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.data_label.setAccessibleName("Data folder")
        path_row.addWidget(self.data_label, 1)
        open_button = button("Open folder", icon="folder")
        open_button.clicked.connect(lambda: self.open_url(QUrl.fromLocalFile(str(self.data_dir))))
        path_row.addWidget(open_button)
        data.body.addLayout(path_row)
        root.addWidget(data)

        # Course folders
        folders = Card(padding=22)
        head = QHBoxLayout()
        head.addWidget(label("Course folders", "SectionTitle"), 1)
        self.add_button = button("Add folder…", icon="folder-plus")
        self.add_button.clicked.connect(self._on_add)
        self.remove_button = button("Remove", variant="danger", icon="trash", icon_colour="danger")
        self.remove_button.setToolTip(
            "Stop showing this folder's courses (its files are left alone)"
        )
        self.remove_button.clicked.connect(self._on_remove)
        self.remove_button.setEnabled(False)
        head.addWidget(self.add_button)
        head.addWidget(self.remove_button)
        folders.body.addLayout(head)
        folders.body.addWidget(
            label(
                "Courses bundled with Playbook are always there. Folders you add here are read "
                "every time Playbook starts; removing one leaves its files alone.",
                "Muted",
                wrap=True,
            )
        )
        self.folders_model = FolderListModel(self)
        self.folders_view = CardList(
            CardStyle(card=False, padding=8, lead=30, title_pt=10, subtitle_lines=1)
        )
        self.folders_view.setObjectName("FolderList")
        self.folders_view.setModel(self.folders_model)
        self.folders_view.setAccessibleName("Course folders you added")
        self.folders_view.setFixedHeight(160)
        self.folders_view.selectionModel().currentChanged.connect(self._on_current_folder)
        self.folders_view.open_index.connect(self._on_current_folder)
        folders.body.addWidget(self.folders_view)
        self.folders_empty = label("You have not added any course folders.", "Subtle")
        folders.body.addWidget(self.folders_empty)
        root.addWidget(folders)

        self.privacy_card = PrivacyCard([r for r in rows if r.key.startswith("privacy.")])
        root.addWidget(self.privacy_card)
        root.addStretch(1)

        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.addWidget(scroll_page(content))
        self._apply_preview(services.settings.current.lesson_font_pt)

    # -- reading ----------------------------------------------------------------------

    def _effective_rows(self) -> list[Effective]:
        from desktop.policy import ManagedSettings

        store = self._services.settings
        managed = self._services.managed or ManagedSettings(store.path)
        return effective_settings(
            store.current, managed, user_has_font="lesson_font_pt" in store.explicit
        )

    def sync_font(self, pt: int) -> None:
        """Show a size changed elsewhere (the lesson's Ctrl+=) without writing it again."""
        self.font_size.blockSignals(True)
        self.font_size.setValue(pt)
        self.font_size.blockSignals(False)
        self._apply_preview(pt)

    def _smaller(self) -> None:
        self.font_size.triggerAction(QSlider.SliderAction.SliderSingleStepSub)

    def _larger(self) -> None:
        self.font_size.triggerAction(QSlider.SliderAction.SliderSingleStepAdd)

    def _on_font_size(self, pt: int) -> None:
        store = self._services.settings
        new = store.current.with_font(pt)
        if new != store.current:
            store.update(new)
        self._apply_preview(new.lesson_font_pt)
        self.font_changed.emit(new.lesson_font_pt)

    def _apply_preview(self, pt: int) -> None:
        self.preview.setFont(theme.reading_font(pt))
        self.font_value.setText(f"{pt} pt")

    # -- folders ----------------------------------------------------------------------

    def set_entries(self, entries: list[CourseEntry]) -> None:
        rows = []
        for folder in user_folders(self._services.library):
            inside = [e for e in entries if e.folder == folder or _is_under(e.folder, folder)]
            rows.append(
                FolderRow(
                    folder,
                    courses=sum(1 for e in inside if not e.broken),
                    broken=sum(1 for e in inside if e.broken),
                    exists=folder.is_dir(),
                )
            )
        self.folders_model.set_rows(rows)
        self.folders_view.setVisible(bool(rows))
        self.folders_empty.setVisible(not rows)
        self.remove_button.setEnabled(False)

    def selected_folder(self) -> Path | None:
        index = self.folders_view.currentIndex()
        row = index.data(Role.ITEM) if index.isValid() else None
        return row.path if isinstance(row, FolderRow) else None

    def _on_current_folder(self, index: QModelIndex, *_: object) -> None:
        self.remove_button.setEnabled(index.isValid())

    def _on_add(self) -> None:
        path = self.choose_folder()
        if path is not None:
            self.add_folder_requested.emit(path)

    def _on_remove(self) -> None:
        path = self.selected_folder()
        if path is not None:
            self.remove_folder_requested.emit(path)

    def _ask_for_folder(self) -> Path | None:
        chosen = QFileDialog.getExistingDirectory(self, "Add course folder")
        return Path(chosen) if chosen else None


def _is_under(path: Path, folder: Path) -> bool:
    try:
        path.relative_to(folder)
    except ValueError:
        return False
    return True
