"""Composition root: builds the services, the QApplication on a qasync loop, the main
window, and shuts everything down in order. Nothing else wires objects together.

Start-up order (what a user waits for): the QApplication and the main window's light
shell come first and are painted; only then, on the next turn of the event loop, is the
database opened (asking the user about a problem file, over the window), the services
built (storage, course parsing and Markdown are imported here) and handed to the window,
which reads the library in the background. So this module imports the services and the
storage only inside the functions that need them; asyncio and qasync come with the first
coroutine (:func:`run_until_quit`).
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop import paths

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication

    from desktop.services.container import Services
    from desktop.storage.database import Database, DatabaseProblem
    from desktop.ui.main_window import MainWindow

log = logging.getLogger(__name__)


def build_services(db: Database, data_dir: Path, courses_dir: Path | None = None) -> Services:
    """Everything the UI needs, built on one open database.

    What a learner's start uses (the library, progress, search, settings, sync's status
    line, Home's dashboard figures, what IT locked) is built now; the sections a learner
    opens later (Content and Policy Studio, templates, the account, team analytics) are
    built, and their modules imported, the first time the UI reads them
    (:class:`~desktop.services.container.Later`), wired to each other as they are."""
    from desktop.config import SettingsStore
    from desktop.integrations.secrets import OsKeyring
    from desktop.policy import load_managed
    from desktop.services.analytics import AnalyticsService
    from desktop.services.annotations import AnnotationService
    from desktop.services.container import Later, Services
    from desktop.services.course_library import CourseLibrary
    from desktop.services.progress import ProgressService
    from desktop.services.search import SearchService
    from desktop.services.sync import SyncService
    from desktop.storage.database import SqlFolderStore

    if TYPE_CHECKING:
        import uuid

        from desktop.services.account import AccountService
        from desktop.services.content import ContentService
        from desktop.services.policies import PolicyService
        from desktop.services.team_analytics import TeamAnalyticsService
        from desktop.services.templates import TemplateService

    sync = SyncService(db, OsKeyring())
    managed = load_managed()  # what IT locked on this machine (never raises)
    for problem in managed.problems:
        log.warning("managed settings: %s", problem)
    lock = managed.sync_server_url  # IT may lock the sync server (or turn sync off)
    server_lock = (str(lock.value), lock.reason) if lock is not None else None

    def templates(_: Services) -> TemplateService:
        from desktop.services.templates import TemplateService

        return TemplateService(db)

    def account(_: Services) -> AccountService:
        from desktop.services.account import AccountService

        return AccountService(sync, server_lock)

    def policies(built: Services) -> PolicyService:
        from desktop.services.policies import PolicyService

        service = PolicyService(db)
        if built.templates is not None:
            service.set_template_library(built.templates)
        return service

    def content(built: Services) -> ContentService:
        from desktop.services.content import build_content_service, content_templates_from

        service = build_content_service(db, OsKeyring(), managed.ai_providers)
        if built.templates is not None:
            service.set_template_source(content_templates_from(built.templates))
        return service

    def team_analytics(built: Services) -> TeamAnalyticsService:
        from desktop.services.team_analytics import TeamAnalyticsService

        def template_name(tid: uuid.UUID) -> str:
            library = built.templates
            t = library.get(tid) if library is not None else None
            return t.draft.name if t is not None else ""

        return TeamAnalyticsService(sync, template_name)

    services: Services

    def content_type_labels() -> dict[str, str]:
        studio = services.content  # Content Studio's types, built when first asked for
        return {ct.id: ct.label for ct in studio.content_types()} if studio else {}

    search = SearchService(db)
    services = Services(
        library=CourseLibrary(
            bundled_root=courses_dir or paths.bundled_courses_dir(),
            folders=SqlFolderStore(db),
            keep_text=search.needs_index,  # a course about to be indexed: read it once
        ),
        progress=ProgressService(db),
        annotations=AnnotationService(db),
        search=search,
        settings=SettingsStore(paths.settings_path(data_dir)),
        templates=Later(templates),
        sync=sync,
        account=Later(account),
        policies=Later(policies),
        content=Later(content),
        managed=managed,
        analytics=AnalyticsService(db, content_type_labels),  # Home's dashboard, at start
        team_analytics=Later(team_analytics),
    )
    return services


def open_database(
    path: Path,
    ask_start_fresh: Callable[[DatabaseProblem], bool],
    tell: Callable[[DatabaseProblem], None],
) -> Database | None:
    """Open (and migrate) the database.

    A file from a newer Playbook or a damaged one is never overwritten: the user is asked,
    and only on their word is it moved aside for a fresh one. Any other problem (locked,
    no permission, disk full) is explained and the app does not start, leaving it as is."""
    from desktop.storage.database import (
        Database,
        DatabaseCorrupt,
        DatabaseFromNewerVersion,
        DatabaseProblem,
    )

    try:
        return Database.open(path)
    except (DatabaseFromNewerVersion, DatabaseCorrupt) as problem:
        log.warning("database problem: %s", problem.user_message)
        if not ask_start_fresh(problem):
            return None
        moved = Database.move_aside(path)
        log.warning("moved %s aside to %s", path, moved)
        return Database.open(path)
    except DatabaseProblem as problem:
        log.error("database problem: %s", problem.user_message)
        tell(problem)
        return None


def qt_application() -> QApplication:
    """The QApplication (the existing one, if any), named."""
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName(paths.APP_NAME)
    app.setOrganizationName(paths.APP_AUTHOR)
    app.setApplicationDisplayName(paths.APP_NAME)
    return app


class Launch:
    """A starting app: the window (on screen at once) and, once open, the database.

    ``failed`` is set when the app cannot go on: the database could not be opened and the
    user chose to quit (or had to), or building the services failed. The user was told
    why, and the window is closed."""

    def __init__(self, window: MainWindow, data_dir: Path | None) -> None:
        self.window = window
        self.data_dir = data_dir  # None: the platform's user data folder
        self.db: Database | None = None
        self.failed = False

    @property
    def started(self) -> bool:
        """The services are attached to the window."""
        return self.window.attached

    def start(self) -> None:
        """Open the database, build the services and attach them to the window (once).

        Problems with the database are explained in dialogs over the window; anything
        unexpected too (and logged), since an exception here would otherwise leave the
        window waiting for a library that never opens."""
        from desktop.ui.dialogs.database_problem import (
            ask_start_fresh,
            tell_problem,
            tell_start_failed,
        )

        if self.started or self.failed or not self.window.isVisible():
            return  # done already, or the user closed the window while it was opening
        data_dir = self.data_dir or paths.default_data_dir()
        db_path = paths.database_path(data_dir)
        try:
            self.db = open_database(
                db_path,
                lambda p: ask_start_fresh(p.user_message, db_path, self.window),
                lambda p: tell_problem(p.user_message, db_path, self.window),
            )
            if self.db is not None:
                services = build_services(self.db, data_dir)
                _forget_module_sources()  # before the library is read into the space
                self.window.attach(services)
        except Exception as exc:
            log.exception("Playbook could not start")
            tell_start_failed(str(exc) or type(exc).__name__, self.window)
            self._fail()
            return
        if self.db is None:  # the user chose to quit, or was told why it cannot go on
            self._fail()

    def _fail(self) -> None:
        self.failed = True
        self.window.close()  # stops its background work; in app.exec() the app quits
        self.close()

    def close(self) -> None:
        """Close the database (after the window: its background work has stopped)."""
        if self.db is not None:
            self.db.close()
            self.db = None


def _forget_module_sources() -> None:
    """Drop the source text of the modules imported so far from ``linecache``.

    PySide's import hook reads the source of every module imported after PySide6 through
    ``linecache``, which keeps it. ``desktop.ui`` turns that off when it is imported (see
    its docstring), but what came between (``logging``, ``pathlib``, ``typing``... when
    the caller imported Qt first) is already there: ~0.8 MiB of text nobody reads again.
    Dropped once the services are imported, the space is reused by the course library
    read next. A traceback reads a file again if it needs it."""
    import linecache

    linecache.clearcache()


def launch_window(data_dir: Path | None) -> Launch:
    """Show the main window's shell at once; on the event-loop turn after its first frame,
    open the database in ``data_dir`` (None: the user data folder) and attach the services
    (:meth:`Launch.start`). Needs a QApplication; the caller runs the event loop."""
    from desktop.ui.main_window import MainWindow

    launch = Launch(MainWindow(), data_dir)
    launch.window.call_after_first_paint(launch.start)
    launch.window.show()
    return launch


def _first_frame_and_start(launch: Launch) -> None:
    """Run Qt's event loop until the window has painted its first frame and
    :meth:`Launch.start` ran (right after it)."""
    from PySide6.QtCore import QEventLoop

    waiting = QEventLoop()
    launch.window.call_after_first_paint(waiting.quit)  # queued after launch.start
    waiting.exec()
    launch.start()  # no-op unless the window was closed before its first frame


def run_gui(data_dir: Path | None) -> int:
    """Start the desktop app (its qasync loop comes with the first coroutine); returns the
    process exit status."""
    from desktop.logs import setup_logging

    setup_logging(data_dir / "logs" if data_dir is not None else None)
    app = qt_application()
    launch = launch_window(data_dir)
    try:
        return run_until_quit(app, launch)
    finally:
        launch.close()


def run_until_quit(app: QApplication, launch: Launch) -> int:
    """Run a launched app until it quits; returns the exit status.

    Qt's own event loop paints the first frame and starts the app (:meth:`Launch.start`),
    then runs the app. The qasync loop starts on it with the first coroutine (sync, the
    AI providers): a learner's session never imports asyncio, nor the TLS stack it pulls
    in (:func:`desktop.ui.tasks.start_qasync_on_demand`)."""
    from desktop.ui.tasks import close_qasync_loop, start_qasync_on_demand

    _first_frame_and_start(launch)
    if launch.failed:
        return 1
    if not launch.window.isVisible():  # closed by the user while it was opening
        return 0
    start_qasync_on_demand(app)
    try:
        app.exec()
    finally:
        close_qasync_loop()
    return 0


def run_self_test(data_dir: Path | None) -> int:
    """Headless install check; see ``desktop.selftest``."""
    from desktop.selftest import run

    return run(data_dir)
