"""Composition root: builds the services, the QApplication on a qasync loop, the main
window, and shuts everything down in order. Nothing else wires objects together."""

from __future__ import annotations

import asyncio
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import TYPE_CHECKING

from desktop import paths
from desktop.config import SettingsStore
from desktop.services.annotations import AnnotationService
from desktop.services.container import Services
from desktop.services.course_library import CourseLibrary
from desktop.services.progress import ProgressService
from desktop.services.search import SearchService
from desktop.storage.database import (
    Database,
    DatabaseCorrupt,
    DatabaseFromNewerVersion,
    DatabaseProblem,
    SqlFolderStore,
)

if TYPE_CHECKING:
    from PySide6.QtWidgets import QApplication, QMainWindow

log = logging.getLogger(__name__)


def build_services(db: Database, data_dir: Path, courses_dir: Path | None = None) -> Services:
    """Everything the UI needs, built on one open database."""
    return Services(
        library=CourseLibrary(
            bundled_root=courses_dir or paths.bundled_courses_dir(),
            folders=SqlFolderStore(db),
        ),
        progress=ProgressService(db),
        annotations=AnnotationService(db),
        search=SearchService(db),
        settings=SettingsStore(paths.settings_path(data_dir)),
    )


def open_database(
    path: Path,
    ask_start_fresh: Callable[[DatabaseProblem], bool],
    tell: Callable[[DatabaseProblem], None],
) -> Database | None:
    """Open (and migrate) the database.

    A file from a newer Playbook or a damaged one is never overwritten: the user is asked,
    and only on their word is it moved aside for a fresh one. Any other problem (locked,
    no permission, disk full) is explained and the app does not start, leaving it as is."""
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


def _qt_app() -> QApplication:
    from PySide6.QtWidgets import QApplication

    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv)
    app.setApplicationName(paths.APP_NAME)
    app.setOrganizationName(paths.APP_AUTHOR)
    app.setApplicationDisplayName(paths.APP_NAME)
    return app


def launch_window(data_dir: Path) -> tuple[QMainWindow, Database] | None:
    """Open the database (asking the user about a problem file), build the services and
    the main window. ``None`` if the user chose to quit. Needs a QApplication."""
    from desktop.ui.dialogs.database_problem import ask_start_fresh, tell_problem
    from desktop.ui.main_window import MainWindow

    db_path = paths.database_path(data_dir)
    db = open_database(
        db_path,
        lambda p: ask_start_fresh(p.user_message, db_path),
        lambda p: tell_problem(p.user_message, db_path),
    )
    if db is None:
        return None
    return MainWindow(build_services(db, data_dir)), db


def run_gui(data_dir: Path | None) -> int:
    """Start the desktop app on a qasync loop; returns the process exit status."""
    import qasync

    logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
    app = _qt_app()
    launched = launch_window(data_dir or paths.default_data_dir())
    if launched is None:
        return 1
    window, db = launched
    loop = qasync.QEventLoop(app)
    asyncio.set_event_loop(loop)
    window.show()
    quit_requested = asyncio.Event()
    app.aboutToQuit.connect(quit_requested.set)
    try:
        with loop:
            loop.run_until_complete(quit_requested.wait())
    finally:
        db.close()
    return 0


def run_self_test(data_dir: Path | None) -> int:
    """Headless install check; see ``desktop.selftest``."""
    from desktop.selftest import run

    return run(data_dir)
