"""The main window: a sidebar of sections, the pages, and the status bar.

The composition root builds :class:`Services` and does ``MainWindow(services).show()``;
everything the UI does goes through those services. On start the window reads the course
library and then indexes it for search, both in the background through the one
:class:`TaskRunner`, so the window shows at once.

Keys: Ctrl+1…6 switch sections, Ctrl+F searches every course.
"""

from __future__ import annotations

import enum
import logging
from pathlib import Path

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.course import Course
from desktop.services.container import Services
from desktop.services.course_library import CourseEntry
from desktop.ui import theme
from desktop.ui.lookup import find_course, healthy
from desktop.ui.models.base import SlideRef
from desktop.ui.tasks import TaskRunner, user_message
from desktop.ui.views.course_detail import CourseDetailView
from desktop.ui.views.home import HomeView
from desktop.ui.views.lesson_player import LessonPlayer
from desktop.ui.views.library import LibraryView
from desktop.ui.views.placeholder import CONTENT_STUDIO, POLICIES, TEMPLATES, ComingSoonView
from desktop.ui.views.search import SearchView
from desktop.ui.views.settings import SettingsView

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150


class Section(enum.StrEnum):
    HOME = "home"
    COURSES = "courses"
    STUDIO = "studio"
    POLICIES = "policies"
    TEMPLATES = "templates"
    SETTINGS = "settings"


NAV = (
    (Section.HOME, "Home", "home"),
    (Section.COURSES, "Courses", "courses"),
    (Section.STUDIO, "Content Studio", "studio"),
    (Section.POLICIES, "Policies", "policies"),
    (Section.TEMPLATES, "Templates", "templates"),
    (Section.SETTINGS, "Settings", "settings"),
)


class BusyIndicator(QWidget):
    """Status-bar progress: an indeterminate bar and what is running."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 8, 0)
        row.setSpacing(8)
        self.text = QLabel()
        self.bar = QProgressBar()
        self.bar.setObjectName("BusyBar")
        self.bar.setRange(0, 0)
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(120)
        row.addWidget(self.text)
        row.addWidget(self.bar)
        self.setVisible(False)

    def set_busy(self, busy: bool) -> None:
        self.setVisible(busy)

    def set_message(self, text: str) -> None:
        self.text.setText(f"{text}…" if text else "")


class MainWindow(QMainWindow):
    courses_loaded = Signal()  # the library was read (every time it is)
    search_ready = Signal()  # the search index is up to date with the library

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.services = services
        self.setWindowTitle("Playbook")
        self.setWindowIcon(QIcon(theme.pixmap("logo", "accent", 64)))
        self.setFont(theme.ui_font())
        self.setStyleSheet(theme.stylesheet())
        self.resize(1280, 820)
        self.setMinimumSize(980, 640)
        self.courses_ready = False
        self.error_box: QMessageBox | None = None
        self._section = Section.HOME
        self._shown_once = False

        self.runner = TaskRunner(error_handler=self.show_error, parent=self)
        self.busy = BusyIndicator()
        self.runner.busy_changed.connect(self.busy.set_busy)
        self.runner.message_changed.connect(self.busy.set_message)

        root = QWidget()
        root.setObjectName("Root")
        layout = QHBoxLayout(root)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_sidebar())
        self.pages = QStackedWidget()
        self.pages.setObjectName("Pages")
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(root)

        self.home = HomeView(services)
        self.library = LibraryView(services)
        self.course_page = CourseDetailView(services)
        self.player = LessonPlayer(services)
        self.search_page = SearchView(services)
        self.settings_page = SettingsView(services)
        self.studio = ComingSoonView(CONTENT_STUDIO)
        self.policies = ComingSoonView(POLICIES)
        self.templates = ComingSoonView(TEMPLATES)
        self._section_pages: dict[Section, QWidget] = {
            Section.HOME: self.home,
            Section.COURSES: self.library,
            Section.STUDIO: self.studio,
            Section.POLICIES: self.policies,
            Section.TEMPLATES: self.templates,
            Section.SETTINGS: self.settings_page,
        }
        for page in (
            *self._section_pages.values(),
            self.course_page,
            self.player,
            self.search_page,
        ):
            self.pages.addWidget(page)
        self._wire()

        status = self.statusBar()
        status.setSizeGripEnabled(False)
        status.addPermanentWidget(self.busy)
        self.offline_label = QLabel("Offline-ready · data stays on this computer")
        status.addPermanentWidget(self.offline_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)

        for number, (section, _title, _icon) in enumerate(NAV, start=1):
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda s=section: self.show_section(s))
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)

        self.show_section(Section.HOME)
        self.load_courses()

    # -- building ---------------------------------------------------------------------

    def _build_sidebar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("Sidebar")
        bar.setFixedWidth(236)
        col = QVBoxLayout(bar)
        col.setContentsMargins(14, 18, 14, 14)
        col.setSpacing(4)

        brand = QHBoxLayout()
        brand.setContentsMargins(6, 0, 0, 0)
        brand.setSpacing(10)
        logo = QLabel()
        logo.setPixmap(theme.pixmap("logo", "accent", 30))
        logo.setFixedSize(30, 30)
        brand.addWidget(logo)
        names = QVBoxLayout()
        names.setSpacing(0)
        name = QLabel("Playbook")
        name.setObjectName("Brand")
        tag = QLabel("Marketing studio")
        tag.setObjectName("BrandTag")
        names.addWidget(name)
        names.addWidget(tag)
        brand.addLayout(names, 1)
        col.addLayout(brand)
        col.addSpacing(16)

        self.search_field = QLineEdit()
        self.search_field.setObjectName("SearchField")
        self.search_field.setPlaceholderText("Search courses   Ctrl+F")
        self.search_field.setAccessibleName("Search every course")
        self.search_field.setClearButtonEnabled(True)
        self.search_field.addAction(
            theme.icon("search", "text-subtle"), QLineEdit.ActionPosition.LeadingPosition
        )
        self.search_field.textEdited.connect(self._on_search_edited)
        self.search_field.returnPressed.connect(self._on_search_return)
        col.addWidget(self.search_field)
        col.addSpacing(10)

        self.nav_buttons: dict[Section, QPushButton] = {}
        group = QButtonGroup(self)
        group.setExclusive(False)  # the search page and a lesson may have no section lit
        headings = {Section.HOME: "LEARN", Section.STUDIO: "CREATE", Section.SETTINGS: ""}
        for number, (section, title, icon_name) in enumerate(NAV, start=1):
            if section in headings:
                if headings[section]:
                    heading = QLabel(headings[section])
                    heading.setObjectName("NavHeading")
                    col.addWidget(heading)
                else:
                    col.addStretch(1)
            nav = QPushButton(title)
            nav.setObjectName("NavButton")
            nav.setCheckable(True)
            nav.setIcon(theme.icon(icon_name, "text-muted", on_colour="accent"))
            nav.setIconSize(theme.ICON_SIZE)
            nav.setCursor(Qt.CursorShape.PointingHandCursor)
            nav.setToolTip(f"{title}  (Ctrl+{number})")
            nav.clicked.connect(lambda _checked=False, s=section: self.show_section(s))
            group.addButton(nav)
            self.nav_buttons[section] = nav
            col.addWidget(nav)

        col.addSpacing(8)
        footer = QLabel("Works offline. Your progress is\nsaved on this computer.")
        footer.setObjectName("SidebarFooter")
        footer.setContentsMargins(12, 0, 0, 0)
        col.addWidget(footer)
        return bar

    def _wire(self) -> None:
        self.home.open_requested.connect(self.open_ref)
        self.home.browse_requested.connect(lambda: self.show_section(Section.COURSES))
        self.library.open_requested.connect(self.open_ref)
        self.library.add_folder_requested.connect(self.add_folder)
        self.library.refresh_requested.connect(self.load_courses)
        self.library.message.connect(self.show_message)
        self.course_page.open_requested.connect(self.open_ref)
        self.course_page.back_requested.connect(lambda: self.show_section(Section.COURSES))
        self.player.back_requested.connect(self._on_player_back)
        self.player.open_requested.connect(self.open_ref)
        self.player.message.connect(self.show_message)
        self.player.font_changed.connect(self.settings_page.sync_font)
        self.search_page.open_requested.connect(self.open_ref)
        self.settings_page.font_changed.connect(self.player.apply_font)
        self.settings_page.add_folder_requested.connect(self.add_folder)
        self.settings_page.remove_folder_requested.connect(self.remove_folder)
        self.pages.currentChanged.connect(self._on_page_changed)

    # -- sections and pages -----------------------------------------------------------

    @property
    def section(self) -> Section:
        return self._section

    def current_page(self) -> QWidget | None:
        return self.pages.currentWidget()

    def show_section(self, section: Section) -> None:
        self._section = section
        page = self._section_pages[section]
        self._light(section)
        self.pages.setCurrentWidget(page)
        if section is Section.HOME and self.courses_ready:
            self.home.refresh()
        elif section is Section.COURSES and self.courses_ready:
            self.library.set_entries(self.services.library.entries())
        elif section is Section.SETTINGS:
            self.settings_page.set_entries(self.services.library.entries())

    def _light(self, section: Section | None) -> None:
        for s, b in self.nav_buttons.items():
            b.setChecked(s is section)

    def _on_page_changed(self, _index: int) -> None:
        if self.pages.currentWidget() is not self.player:
            self.player.close_lesson()

    def focus_search(self) -> None:
        self.search_field.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search_field.selectAll()

    def show_message(self, text: str) -> None:
        self.statusBar().showMessage(text, 5000)

    # -- opening courses and lessons --------------------------------------------------

    def open_ref(self, ref: SlideRef) -> None:
        if ref.lesson_id is None:
            self.open_course(ref.course_id)
        else:
            self.open_lesson(ref.course_id, ref.lesson_id, ref.slide_id)

    def _course(self, course_id: str) -> Course | None:
        course = find_course(self.services.library, course_id)
        if course is None:
            self.show_message("That course is not in the library any more, or it can't be opened.")
        return course

    def open_course(self, course_id: str) -> bool:
        course = self._course(course_id)
        if course is None:
            return False
        self._section = Section.COURSES
        self._light(Section.COURSES)
        self.course_page.show_course(course)
        self.pages.setCurrentWidget(self.course_page)
        self.course_page.outline.setFocus()
        return True

    def open_lesson(self, course_id: str, lesson_id: str, slide_id: str | None = None) -> bool:
        """Open a lesson at a slide (the first one if ``slide_id`` is None or gone)."""
        course = self._course(course_id)
        if course is None or lesson_id not in course.lessons:
            if course is not None:
                self.show_message("That lesson is not in the course any more.")
            return False
        self._section = Section.COURSES
        self._light(Section.COURSES)
        player = self.player
        same = (
            self.pages.currentWidget() is player
            and player.course is not None
            and player.course.id == course_id
            and player.lesson is not None
            and player.lesson.id == lesson_id
        )
        if same and player.lesson is not None:
            index = player.lesson.slide_index(slide_id) if slide_id else None
            player.go_to(index if index is not None else player.index)
        else:
            self.pages.setCurrentWidget(player)
            player.open(course, lesson_id, slide_id)
        player.setFocus(Qt.FocusReason.OtherFocusReason)
        return True

    def _on_player_back(self, course_id: str) -> None:
        if not course_id or not self.open_course(course_id):
            self.show_section(Section.COURSES)

    # -- search -----------------------------------------------------------------------

    def _on_search_edited(self, _text: str) -> None:
        self._search_timer.start()

    def _run_search(self) -> None:
        self.run_search(self.search_field.text())

    def run_search(self, text: str) -> int:
        """Show the results for ``text`` on the search page; returns how many."""
        self._search_timer.stop()
        if self.search_field.text() != text:
            self.search_field.setText(text)
        count = self.search_page.search(text)
        if self.pages.currentWidget() is not self.search_page:
            self._light(None)
            self.pages.setCurrentWidget(self.search_page)
        return count

    def _on_search_return(self) -> None:
        self.run_search(self.search_field.text())
        self.search_page.open_first()

    # -- the library ------------------------------------------------------------------

    def load_courses(self) -> None:
        """Read every course folder in the background, then index the courses for search."""
        self.runner.run(
            "Loading courses",
            self.services.library.refresh,
            owner=self,
            on_done=self._on_courses_loaded,
        )

    def _on_courses_loaded(self, entries: list[CourseEntry]) -> None:
        self.courses_ready = True
        broken = sum(1 for e in entries if e.broken)
        self._show_entries(entries)
        if broken:
            self.show_message(
                f"{broken} course folder{'s' if broken != 1 else ''} can't be opened — see Courses."
            )
        self.courses_loaded.emit()
        self._index(entries)

    def _show_entries(self, entries: list[CourseEntry]) -> None:
        self.library.set_entries(entries)
        self.settings_page.set_entries(entries)
        self.home.refresh()
        if self.pages.currentWidget() is self.course_page and self.course_page.course is not None:
            course = find_course(self.services.library, self.course_page.course.id)
            if course is not None:
                self.course_page.show_course(course)

    def _index(self, entries: list[CourseEntry]) -> None:
        courses = healthy(entries)
        search = self.services.search

        def work() -> int:
            changed = sum(1 for course in courses if search.index_course(course))
            search.prune(course.id for course in courses)
            return changed

        self.runner.run("Indexing courses for search", work, owner=self, on_done=self._on_indexed)

    def _on_indexed(self, changed: int) -> None:
        if changed:
            log.info("search index updated for %d course(s)", changed)
        if self.search_page.query:
            self.search_page.search(self.search_page.query)
        self.search_ready.emit()

    def add_folder(self, path: Path) -> None:
        """Add a course folder to the library (kept across restarts) and show what it holds."""

        def done(found: list[CourseEntry]) -> None:
            ok = sum(1 for e in found if not e.broken)
            bad = len(found) - ok
            text = f"Added {path.name}: {ok} course{'s' if ok != 1 else ''}"
            if bad:
                text += f", {bad} with problems"
            self.show_message(text)
            entries = self.services.library.entries()
            self._show_entries(entries)
            self._index(entries)
            if self.pages.currentWidget() is not self.settings_page:
                self.show_section(Section.COURSES)

        self.runner.run(
            f"Adding {path.name}",
            lambda: self.services.library.add_folder(path),
            owner=self,
            on_done=done,
        )

    def remove_folder(self, path: Path) -> None:
        def done(entries: list[CourseEntry]) -> None:
            self.show_message(f"Removed {path.name} from the library (its files are untouched).")
            self._show_entries(entries)
            self._index(entries)

        def work() -> list[CourseEntry]:
            self.services.library.remove_folder(path)
            return self.services.library.entries()

        self.runner.run(f"Removing {path.name}", work, owner=self, on_done=done)

    # -- errors and closing -----------------------------------------------------------

    def show_error(self, description: str, exc: BaseException) -> None:
        """The one place errors from background work reach the user."""
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Warning)
        box.setWindowTitle("Playbook")
        box.setText(f"{description} did not work.")
        box.setInformativeText(user_message(exc))
        box.setStandardButtons(QMessageBox.StandardButton.Ok)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.error_box = box
        box.finished.connect(lambda _r: setattr(self, "error_box", None))
        box.open()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown_once:
            self._shown_once = True
            # Enter on a fresh window resumes (or starts) learning; the search box waits.
            self.home.continue_card.setFocus(Qt.FocusReason.OtherFocusReason)

    def closeEvent(self, event: QCloseEvent) -> None:
        self.player.close_lesson()
        self.runner.shutdown()
        super().closeEvent(event)
