"""The main window: a sidebar of sections, the pages, and the status bar.

Start-up comes in two steps, so the window is on screen before anything heavy loads:

* ``MainWindow()`` builds only the shell: the sidebar with the seven sections, the status
  bar and a quiet "Opening your library…" page. This module imports nothing but Qt and
  light UI modules (no services, storage, Markdown or YAML: those are type-only imports),
  so the shell shows about as fast as a bare window.
* ``window.attach(services)`` (the composition root calls it once the database is open)
  shows the section chosen so far and reads the course library, then indexes it for
  search, both in the background through the one :class:`TaskRunner`.

``MainWindow(services)`` does both at once (tests, the self-test).

Pages are built the first time they are shown or asked for (``window.player``...), each
importing its view module then: a learner who only resumes a lesson never pays for the
Settings page, and the start-up pays for Home only.

Keys: Ctrl+1…7 switch sections, Ctrl+F searches every course. They work from the first
frame: a section picked (or a search typed) before the library is open is shown as soon
as it is.
"""

from __future__ import annotations

import enum
import logging
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING, TypeVar

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QCloseEvent, QIcon, QKeySequence, QPaintEvent, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QButtonGroup,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QMainWindow,
    QProgressBar,
    QPushButton,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import theme
from desktop.ui.tasks import TaskRunner, user_message

# Not imported here: ``Qt`` (creating its ~100 enums takes about as long as building the
# whole shell) and QMessageBox, so the methods that run after the first frame import
# them; and the views, imported by the pages' properties when first built.

if TYPE_CHECKING:
    import uuid

    from PySide6.QtWidgets import QMessageBox

    from desktop.domain.course import Course
    from desktop.services.container import Services
    from desktop.services.course_library import CourseEntry
    from desktop.ui.models.base import SlideRef
    from desktop.ui.presenter.request import PresentRequest
    from desktop.ui.presenter.session import PresentationSession
    from desktop.ui.views.analytics import AnalyticsView
    from desktop.ui.views.content_studio import ContentStudio
    from desktop.ui.views.course_detail import CourseDetailView
    from desktop.ui.views.home import HomeView
    from desktop.ui.views.lesson_player import LessonPlayer
    from desktop.ui.views.library import LibraryView
    from desktop.ui.views.placeholder import ComingSoonView
    from desktop.ui.views.policies import PoliciesView
    from desktop.ui.views.search import SearchView
    from desktop.ui.views.settings import SettingsView
    from desktop.ui.views.templates import TemplatesView
    from desktop.ui.widgets.sync_status import SyncController, SyncStatusWidget

log = logging.getLogger(__name__)

SEARCH_DELAY_MS = 150
WINDOW_SIZE = (1280, 820)  # when it opens (the memory bench sizes its bare window alike)
SYNC_START_DELAY_MS = 1500
# If the window is never painted (started minimised, no compositor), work waiting for
# the first frame starts after this long anyway.
FIRST_PAINT_FALLBACK_MS = 1000

P = TypeVar("P", bound=QWidget)


class Section(enum.StrEnum):
    HOME = "home"
    COURSES = "courses"
    STUDIO = "studio"
    POLICIES = "policies"
    TEMPLATES = "templates"
    SETTINGS = "settings"
    ANALYTICS = "analytics"


NAV = (
    (Section.HOME, "Home", "home"),
    (Section.ANALYTICS, "Analytics", "chart"),
    (Section.COURSES, "Courses", "courses"),
    (Section.STUDIO, "Content Studio", "studio"),
    (Section.POLICIES, "Policies", "policies"),
    (Section.TEMPLATES, "Templates", "templates"),
    (Section.SETTINGS, "Settings", "settings"),
)

# Ctrl+<digit> per section. Analytics came later and takes 7, so the keys people already
# know keep their sections.
KEYS = {
    Section.HOME: 1,
    Section.COURSES: 2,
    Section.STUDIO: 3,
    Section.POLICIES: 4,
    Section.TEMPLATES: 5,
    Section.SETTINGS: 6,
    Section.ANALYTICS: 7,
}


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


class OpeningPage(QWidget):
    """What the pages area shows until the services are attached: a quiet line, centred."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.message = QLabel("Opening your library…")
        self.message.setObjectName("Opening")
        self.message.setAccessibleName("Opening your library")
        row = QHBoxLayout()
        row.addStretch(1)
        row.addWidget(self.message)
        row.addStretch(1)
        col = QVBoxLayout(self)
        col.addStretch(2)
        col.addLayout(row)
        col.addStretch(3)


class MainWindow(QMainWindow):
    courses_loaded = Signal()  # the library was read (every time it is)
    search_ready = Signal()  # the search index is up to date with the library

    def __init__(self, services: Services | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services: Services | None = None
        self.setWindowTitle("Playbook")
        self.setFont(theme.ui_font())
        # On the window, not the application: the pages set their own fonts in code (the
        # lesson text size), which an application-wide sheet overrides when a page is
        # built after the window is shown. Dialogs parented to the window get it too.
        self.setStyleSheet(theme.stylesheet())
        self.resize(*WINDOW_SIZE)
        self.setMinimumSize(980, 640)
        self.courses_ready = False
        self.error_box: QMessageBox | None = None
        self._section = Section.HOME
        self._shown_once = False
        self._painted = False
        self._after_paint: list[Callable[[], None]] = []
        self._pending_search: str | None = None
        self._home: HomeView | None = None
        self._library: LibraryView | None = None
        self._course_page: CourseDetailView | None = None
        self._player: LessonPlayer | None = None
        self._search_page: SearchView | None = None
        self._settings_page: SettingsView | None = None
        self._studio: ContentStudio | ComingSoonView | None = None
        self._policies: PoliciesView | ComingSoonView | None = None
        self._templates: TemplatesView | ComingSoonView | None = None
        self._analytics: AnalyticsView | ComingSoonView | None = None
        self.sync_controller: SyncController | None = None
        self.sync_status: SyncStatusWidget | None = None
        self.presentation: PresentationSession | None = None

        self._runner: TaskRunner | None = None
        self.busy = BusyIndicator()

        root = QWidget()
        root.setObjectName("Root")
        layout = QHBoxLayout(root)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self._build_sidebar())
        self.pages = QStackedWidget()
        self.pages.setObjectName("Pages")
        self.opening: OpeningPage | None = OpeningPage()
        self.pages.addWidget(self.opening)
        layout.addWidget(self.pages, 1)
        self.setCentralWidget(root)
        self.pages.currentChanged.connect(self._on_page_changed)

        status = self.statusBar()
        status.setSizeGripEnabled(False)
        status.addPermanentWidget(self.busy)
        self.offline_label = QLabel("Offline-ready · data stays on this computer")
        status.addPermanentWidget(self.offline_label)

        self._search_timer = QTimer(self)
        self._search_timer.setSingleShot(True)
        self._search_timer.setInterval(SEARCH_DELAY_MS)
        self._search_timer.timeout.connect(self._run_search)

        for section, number in KEYS.items():
            shortcut = QShortcut(QKeySequence(f"Ctrl+{number}"), self)
            shortcut.activated.connect(lambda s=section: self.show_section(s))
        find = QShortcut(QKeySequence(QKeySequence.StandardKey.Find), self)
        find.activated.connect(self.focus_search)

        self._light(Section.HOME)
        self.call_after_first_paint(self._finish_shell)
        if services is not None:
            self.attach(services)

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
        for section, title, icon_name in NAV:
            number = KEYS[section]
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

    def _finish_shell(self) -> None:
        """What the first frame does not show: the window icon, the hand cursor."""
        from PySide6.QtCore import Qt

        self.setWindowIcon(QIcon(theme.pixmap("logo", "accent", 64)))
        for nav in self.nav_buttons.values():
            nav.setCursor(Qt.CursorShape.PointingHandCursor)

    # -- the first frame, and the services --------------------------------------------

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        if not self._painted:
            self._painted = True
            QTimer.singleShot(0, self, self._run_after_paint)

    def call_after_first_paint(
        self, callback: Callable[[], None], *, fallback_ms: int = FIRST_PAINT_FALLBACK_MS
    ) -> None:
        """Run ``callback`` once, on the event-loop turn after the window's first frame
        (after ``fallback_ms`` if it is never painted). The composition root opens the
        database this way: the window is on screen before anything heavy loads."""
        self._after_paint.append(callback)
        # With the window as context: no call comes once it is deleted.
        if self._painted:
            QTimer.singleShot(0, self, self._run_after_paint)
        else:
            QTimer.singleShot(fallback_ms, self, self._run_after_paint)

    def _run_after_paint(self) -> None:
        callbacks, self._after_paint = self._after_paint, []
        for callback in callbacks:
            callback()

    @property
    def runner(self) -> TaskRunner:
        """The window's one :class:`TaskRunner` (made with the first task)."""
        if self._runner is None:
            self._runner = TaskRunner(error_handler=self.show_error, parent=self)
            self._runner.busy_changed.connect(self.busy.set_busy)
            self._runner.message_changed.connect(self.busy.set_message)
        return self._runner

    @property
    def attached(self) -> bool:
        """True once the window has its services (:meth:`attach`)."""
        return self._services is not None

    @property
    def services(self) -> Services:
        if self._services is None:
            raise RuntimeError("MainWindow has no services yet: call attach(services) first")
        return self._services

    def attach(self, services: Services) -> None:
        """Give the window its services: show the section chosen so far and read the
        library in the background (``courses_loaded``, then ``search_ready``)."""
        if self._services is not None:
            raise RuntimeError("MainWindow.attach() was already called")
        self._services = services
        self.show_section(self._section)
        opening, self.opening = self.opening, None
        if opening is not None:
            self.pages.removeWidget(opening)
            opening.deleteLater()
        if self._section is Section.HOME and self._shown_once and not self._user_moved_focus():
            self.home.continue_card.setFocus()
        if self._pending_search is not None:
            self.run_search(self._pending_search)
        self.load_courses()
        self._attach_sync()

    def _attach_sync(self) -> None:
        """Background sync and its status-bar line (when the services include sync)."""
        services = self.services
        if services.sync is None:
            return
        from desktop.ui.widgets.sync_status import SyncController, SyncStatusWidget

        controller = self.sync_controller = SyncController(services.sync, self.runner, parent=self)
        status = self.sync_status = SyncStatusWidget(controller)
        self.statusBar().addPermanentWidget(status)
        self.offline_label.setVisible(False)
        status.sign_in_requested.connect(self.show_account)
        controller.synced.connect(lambda _report: self._after_sync())
        # Templates saved by any section sync soon (the library is built when first used).
        services.when_templates_built(
            lambda templates: templates.add_listener(controller.local_change_from_any_thread)
        )
        # After the library is read: the first sync never competes with the start.
        QTimer.singleShot(SYNC_START_DELAY_MS, self, controller.start)

    def _after_sync(self) -> None:
        from desktop.ui.views.templates import TemplatesView

        page = self._templates
        if isinstance(page, TemplatesView):
            page.reload_filters()
            page.refresh()
        if self._settings_page is not None and self._settings_page.account_panel is not None:
            self._settings_page.account_panel.refresh()

    def show_account(self) -> None:
        """Settings, scrolled to Account (the status bar's "Sign in…")."""
        self.show_section(Section.SETTINGS)
        panel = self.settings_page.account_panel
        if panel is not None:
            panel.refresh()
            target = panel.password if panel.form.isVisible() else panel.sync_button
            target.setFocus()

    def _user_moved_focus(self) -> bool:
        focused = self.focusWidget()
        return focused is not None and focused is not self.opening

    # -- pages, built when first needed -----------------------------------------------

    def _add_page(self, page: P) -> P:
        self.pages.addWidget(page)
        return page

    @property
    def home(self) -> HomeView:
        if self._home is None:
            from desktop.ui.views.home import HomeView

            page = self._home = self._add_page(HomeView(self.services))
            page.open_requested.connect(self.open_ref)
            page.browse_requested.connect(lambda: self.show_section(Section.COURSES))
            page.analytics_requested.connect(lambda: self.show_section(Section.ANALYTICS))
            if self.courses_ready:
                page.refresh()
        return self._home

    @property
    def library(self) -> LibraryView:
        if self._library is None:
            from desktop.ui.views.library import LibraryView

            page = self._library = self._add_page(LibraryView(self.services))
            page.open_requested.connect(self.open_ref)
            page.add_folder_requested.connect(self.add_folder)
            page.refresh_requested.connect(self.load_courses)
            page.message.connect(self.show_message)
            if self.courses_ready:
                page.set_entries(self.services.library.entries())
        return self._library

    @property
    def course_page(self) -> CourseDetailView:
        if self._course_page is None:
            from desktop.ui.views.course_detail import CourseDetailView

            page = self._course_page = self._add_page(CourseDetailView(self.services))
            page.open_requested.connect(self.open_ref)
            page.back_requested.connect(lambda: self.show_section(Section.COURSES))
            page.present_requested.connect(self.present)
            page.handout_requested.connect(self.save_handout)
        return self._course_page

    @property
    def player(self) -> LessonPlayer:
        if self._player is None:
            from desktop.ui.views.lesson_player import LessonPlayer

            page = self._player = self._add_page(LessonPlayer(self.services))
            page.back_requested.connect(self._on_player_back)
            page.open_requested.connect(self.open_ref)
            page.message.connect(self.show_message)
            page.font_changed.connect(self._on_player_font)
            page.present_requested.connect(self.present)
        return self._player

    @property
    def search_page(self) -> SearchView:
        if self._search_page is None:
            from desktop.ui.views.search import SearchView

            page = self._search_page = self._add_page(SearchView(self.services))
            page.open_requested.connect(self.open_ref)
        return self._search_page

    @property
    def settings_page(self) -> SettingsView:
        if self._settings_page is None:
            from desktop.ui.views.settings import SettingsView

            page = self._settings_page = self._add_page(SettingsView(self.services))
            page.font_changed.connect(self._on_settings_font)
            page.add_folder_requested.connect(self.add_folder)
            page.remove_folder_requested.connect(self.remove_folder)
            if page.account_panel is not None and self.sync_controller is not None:
                controller = self.sync_controller
                page.account_panel.sync_requested.connect(controller.sync_now)
                page.account_panel.signed_in.connect(controller.sync_now)
                page.account_panel.signed_out.connect(controller.poll)
            if self.courses_ready:
                page.set_entries(self.services.library.entries())
        return self._settings_page

    @property
    def studio(self) -> ContentStudio | ComingSoonView:
        if self._studio is None:
            if self.services.content is None:  # built without Content Studio (some tests)
                from desktop.ui.views.placeholder import CONTENT_STUDIO, ComingSoonView

                self._studio = self._add_page(ComingSoonView(CONTENT_STUDIO))
            else:
                from desktop.ui.views.content_studio import ContentStudio

                page = self._add_page(ContentStudio(self.services.content, self.runner))
                page.message.connect(self.show_message)
                self._studio = page
        return self._studio

    @property
    def policies(self) -> PoliciesView | ComingSoonView:
        if self._policies is None:
            if self.services.policies is None:  # built without Policy Studio (some tests)
                from desktop.ui.views.placeholder import POLICIES, ComingSoonView

                self._policies = self._add_page(ComingSoonView(POLICIES))
            else:
                from desktop.ui.views.policies import PoliciesView

                page = self._add_page(
                    PoliciesView(self.services.policies, self.runner, content=self.services.content)
                )
                page.message.connect(self.show_message)
                self._policies = page
        return self._policies

    @property
    def templates(self) -> TemplatesView | ComingSoonView:
        if self._templates is None:
            if self.services.templates is None:  # built without sync (some tests)
                from desktop.ui.views.placeholder import TEMPLATES, ComingSoonView

                self._templates = self._add_page(ComingSoonView(TEMPLATES))
            else:
                from desktop.ui.views.templates import TemplatesView

                policies = self.services.policies
                page = self._add_page(
                    TemplatesView(
                        self.services.templates,
                        self.services.sync,
                        policy_types=(
                            {t: q.title for t, q in policies.catalog.questionnaires.items()}
                            if policies is not None
                            else None
                        ),
                    )
                )
                page.message.connect(self.show_message)
                if self.sync_controller is not None:
                    page.changed.connect(self.sync_controller.local_change)
                self._templates = page
        return self._templates

    @property
    def analytics(self) -> AnalyticsView | ComingSoonView:
        if self._analytics is None:
            if self.services.analytics is None:  # built without analytics (some tests)
                from desktop.ui.views.analytics import ANALYTICS_PLACEHOLDER
                from desktop.ui.views.placeholder import ComingSoonView

                self._analytics = self._add_page(ComingSoonView(ANALYTICS_PLACEHOLDER))
            else:
                from desktop.ui.views.analytics import AnalyticsView

                page = self._add_page(
                    AnalyticsView(
                        self.services.analytics,
                        self.services.library,
                        self.runner,
                        team=self.services.team_analytics,
                    )
                )
                page.open_requested.connect(self.open_ref)
                page.policy_requested.connect(self.open_policy)
                page.account_requested.connect(self.show_account)
                page.message.connect(self.show_message)
                self._analytics = page
        return self._analytics

    def open_policy(self, document_id: uuid.UUID) -> None:
        """Policies, with one document open (the Analytics section's "due for review")."""
        from desktop.ui.views.policies import PoliciesView

        self.show_section(Section.POLICIES)
        page = self.policies
        if isinstance(page, PoliciesView):
            page.open_document(document_id)

    def _on_player_font(self, pt: int) -> None:
        if self._settings_page is not None:
            self._settings_page.sync_font(pt)

    def _on_settings_font(self, pt: int) -> None:
        if self._player is not None:
            self._player.apply_font(pt)

    # -- sections and pages -----------------------------------------------------------

    @property
    def section(self) -> Section:
        return self._section

    def current_page(self) -> QWidget | None:
        return self.pages.currentWidget()

    def _section_page(self, section: Section) -> QWidget:
        if section is Section.HOME:
            return self.home
        if section is Section.COURSES:
            return self.library
        if section is Section.STUDIO:
            return self.studio
        if section is Section.POLICIES:
            return self.policies
        if section is Section.TEMPLATES:
            return self.templates
        if section is Section.ANALYTICS:
            return self.analytics
        return self.settings_page

    def show_section(self, section: Section) -> None:
        """Show a sidebar section. Before :meth:`attach` it is only remembered (and lit),
        and shown as soon as the library is open."""
        self._section = section
        self._light(section)
        if self._services is None:
            return
        # A page built just now reads the current state itself; one built earlier may
        # show data from before a lesson was played.
        refresh = {
            Section.HOME: self._home,
            Section.COURSES: self._library,
            Section.SETTINGS: self._settings_page,
            Section.ANALYTICS: self._analytics,
        }.get(section)
        self.pages.setCurrentWidget(self._section_page(section))
        if refresh is None:
            return
        if section is Section.HOME and self.courses_ready:
            self.home.refresh()
        elif section is Section.COURSES and self.courses_ready:
            self.library.set_entries(self.services.library.entries())
        elif section is Section.SETTINGS:
            self.settings_page.set_entries(self.services.library.entries())
        elif section is Section.ANALYTICS:
            self._refresh_analytics()

    def _refresh_analytics(self) -> None:
        from desktop.ui.views.analytics import AnalyticsView

        if isinstance(self._analytics, AnalyticsView):
            self._analytics.refresh()

    def _light(self, section: Section | None) -> None:
        for s, b in self.nav_buttons.items():
            b.setChecked(s is section)

    def _on_page_changed(self, _index: int) -> None:
        if self._player is not None and self.pages.currentWidget() is not self._player:
            self._player.close_lesson()

    def focus_search(self) -> None:
        from PySide6.QtCore import Qt

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
        from desktop.ui.lookup import find_course

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
        page = self.course_page
        page.show_course(course)
        self.pages.setCurrentWidget(page)
        page.outline.setFocus()
        return True

    def open_lesson(self, course_id: str, lesson_id: str, slide_id: str | None = None) -> bool:
        """Open a lesson at a slide (the first one if ``slide_id`` is None or gone)."""
        from desktop.services.course_library import LessonChangedError

        course = self._course(course_id)
        if course is None or lesson_id not in course.lessons:
            if course is not None:
                self.show_message("That lesson is not in the course any more.")
            return False
        try:  # its text is read from the file now (the library keeps an outline)
            self.services.library.lesson_content(course, lesson_id)
        except LessonChangedError as changed:
            self.show_message(changed.user_message)
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
        player.setFocus()
        return True

    def present(self, request: PresentRequest) -> None:
        """Presenter mode: the audience window on the projector, the presenter window
        here. Presenting never counts as the trainer's own learning."""
        from desktop.ui.presenter.session import start_presentation

        if self.presentation is not None:
            self.presentation.close()
        player = self._player if self.pages.currentWidget() is self._player else None
        session = start_presentation(
            self.services, request, runner=self.runner, tell=self.show_message
        )
        if session is None:
            return
        self.presentation = session
        if player is not None:
            player.set_presenting(True)

        def finished() -> None:
            if self.presentation is session:
                self.presentation = None
            if player is not None:
                player.set_presenting(False)

        session.finished.connect(finished)

    def save_handout(self, request: PresentRequest, with_notes: bool) -> None:
        """A handout PDF (slides with speaker notes, or slides only), saved in the background."""
        from desktop.ui.presenter.handout import handout_for_request

        handout_for_request(
            self.services,
            request,
            with_notes=with_notes,
            runner=self.runner,
            tell=self.show_message,
            parent=self,
        )

    def _on_player_back(self, course_id: str) -> None:
        if not course_id or not self.open_course(course_id):
            self.show_section(Section.COURSES)

    # -- search -----------------------------------------------------------------------

    def _on_search_edited(self, _text: str) -> None:
        self._search_timer.start()

    def _run_search(self) -> None:
        self.run_search(self.search_field.text())

    def run_search(self, text: str) -> int:
        """Show the results for ``text`` on the search page; returns how many.

        Before :meth:`attach` the text is kept and searched as soon as the library is
        open (0 is returned)."""
        self._search_timer.stop()
        if self.search_field.text() != text:
            self.search_field.setText(text)
        if self._services is None:
            self._pending_search = text
            return 0
        self._pending_search = None
        page = self.search_page
        count = page.search(text)
        if self.pages.currentWidget() is not page:
            self._light(None)
            self.pages.setCurrentWidget(page)
        return count

    def _on_search_return(self) -> None:
        self.run_search(self.search_field.text())
        if self._services is not None:
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
        """Bring the pages built so far up to date (the others read it when built)."""
        if self._library is not None:
            self._library.set_entries(entries)
        if self._settings_page is not None:
            self._settings_page.set_entries(entries)
        if self._home is not None:
            self._home.refresh()
        page = self._course_page
        if page is not None and self.pages.currentWidget() is page and page.course is not None:
            from desktop.ui.lookup import find_course

            course = find_course(self.services.library, page.course.id)
            if course is not None:
                page.show_course(course)

    def _index(self, entries: list[CourseEntry]) -> None:
        from desktop.ui.lookup import healthy

        courses = healthy(entries)
        search, library = self.services.search, self.services.library

        def work() -> int:
            changed = sum(1 for course in courses if search.index_course(course))
            search.prune(course.id for course in courses)
            # The courses read with their text for the index keep outlines from now on (in
            # this worker, where the library is also read: never two changes at once).
            library.release_text()
            return changed

        self.runner.run("Indexing courses for search", work, owner=self, on_done=self._on_indexed)

    def _on_indexed(self, changed: int) -> None:
        if changed:
            log.info("search index updated for %d course(s)", changed)
        if self._search_page is not None and self._search_page.query:
            self._search_page.search(self._search_page.query)
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
            if self.pages.currentWidget() is not self._settings_page:
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
        from PySide6.QtCore import Qt
        from PySide6.QtWidgets import QMessageBox

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
            if self._home is not None:
                self._home.continue_card.setFocus()
            elif self.opening is not None:
                self.opening.setFocus()

    def closeEvent(self, event: QCloseEvent) -> None:
        if self.presentation is not None:
            self.presentation.close()
        if self._player is not None:
            self._player.close_lesson()
        if self.sync_controller is not None:
            self.sync_controller.stop()
        if self._runner is not None:
            self._runner.shutdown()
        super().closeEvent(event)
