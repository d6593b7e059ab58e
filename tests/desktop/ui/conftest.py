"""UI tests run the real widgets on the real services, on a database in a temp folder.

Qt draws offscreen (set here too, before anything imports Qt, so this folder runs on its
own), and a Qt warning fails the test (``qt_log_level_fail`` in pyproject.toml).
Screenshots go to ``tests/artifacts/`` for people to look at.
"""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
os.environ.setdefault("QT_ACCESSIBILITY", "0")

import re
import shutil
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget
from pytestqt.qtbot import QtBot

from desktop.config import SettingsStore
from desktop.domain.course import Course
from desktop.services.annotations import AnnotationService
from desktop.services.container import Services
from desktop.services.course_library import CourseLibrary, load_course
from desktop.services.progress import ProgressService
from desktop.services.search import SearchService
from desktop.storage.database import Database, SqlFolderStore
from desktop.ui.main_window import MainWindow

REPO = Path(__file__).resolve().parents[3]
BUNDLED = REPO / "courses"
SAMPLE_FOLDER = BUNDLED / "sample-course"
ARTIFACTS = REPO / "tests" / "artifacts"


@dataclass
class Stack:
    """One running app's back end: what the composition root would build."""

    services: Services
    db: Database


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def make_services(data_dir: Path) -> Iterator[Callable[[], Services]]:
    """Build Services on the test's data folder; call again to "restart" the app on the
    same database."""
    opened: list[Database] = []

    def build() -> Services:
        db = Database.open(data_dir / "db.sqlite3")
        opened.append(db)
        return Services(
            library=CourseLibrary(bundled_root=BUNDLED, folders=SqlFolderStore(db)),
            progress=ProgressService(db),
            annotations=AnnotationService(db),
            search=SearchService(db),
            settings=SettingsStore(data_dir / "settings.toml"),
        )

    yield build
    for db in opened:
        db.close()


@pytest.fixture
def services(make_services: Callable[[], Services]) -> Services:
    return make_services()


@pytest.fixture
def open_window(qtbot: QtBot) -> Callable[[Services], MainWindow]:
    """Show a MainWindow and wait until its courses are read and indexed."""

    def open_(services: Services) -> MainWindow:
        window = MainWindow(services)
        qtbot.addWidget(window, before_close_func=lambda w: _settle(qtbot, w))
        with qtbot.waitSignal(window.search_ready, timeout=20_000):
            window.show()
        qtbot.waitExposed(window)
        window.activateWindow()
        qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
        qtbot.waitUntil(lambda: not window.runner.busy)
        return window

    return open_


def _settle(qtbot: QtBot, window: QWidget) -> None:
    # Never close the database under a task still running in the worker thread.
    if isinstance(window, MainWindow):
        qtbot.waitUntil(lambda: not window.runner.busy, timeout=20_000)


@pytest.fixture
def window(services: Services, open_window: Callable[[Services], MainWindow]) -> MainWindow:
    return open_window(services)


@pytest.fixture(scope="session")
def sample() -> Course:
    return load_course(SAMPLE_FOLDER)


@pytest.fixture
def shot() -> Callable[[QWidget, str], Path]:
    """Save a screenshot of a widget under tests/artifacts/ (for people to look at)."""

    def save(widget: QWidget, name: str) -> Path:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        QApplication.processEvents()
        path = ARTIFACTS / name
        assert widget.grab().save(str(path)), f"could not write {path}"
        return path

    return save


@pytest.fixture
def copy_sample() -> Callable[[Path, str], Path]:
    return copy_course


def copy_course(dest: Path, course_id: str) -> Path:
    """A copy of the sample course under a new id (a second, healthy course)."""
    shutil.copytree(SAMPLE_FOLDER, dest)
    manifest = dest / "course.toml"
    text = manifest.read_text(encoding="utf-8")
    original = load_course(SAMPLE_FOLDER).id
    text = text.replace(f'id = "{original}"', f'id = "{course_id}"', 1)
    text = re.sub(r'^title = "(.*)"$', rf'title = "\1 ({course_id})"', text, count=1, flags=re.M)
    manifest.write_text(text, encoding="utf-8")
    return dest
