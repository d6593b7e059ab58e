"""Start-up: the window's shell is on screen before anything heavy loads; the services
arrive a moment later and fill it; a database problem at that moment is explained over
the window, and nothing is lost whichever way the user answers."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QObject, Qt, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from pytestqt.qtbot import QtBot

import desktop.app
from desktop.app import Launch, launch_window
from desktop.services.container import Services
from desktop.ui.main_window import NAV, MainWindow, Section

GARBAGE = b"not a database, maybe a half-copied file " * 200

# What the first frame must not wait for: storage, services, course parsing, Markdown,
# the views of the pages, and asyncio (imported by the qasync loop after the frame).
HEAVY = (
    "desktop.services",
    "desktop.storage",
    "desktop.domain",
    "desktop.ui.views",
    "desktop.ui.widgets",
    "sqlalchemy",
    "alembic",
    "yaml",
    "markdown",
    "nh3",
    "asyncio",
    "qasync",
)

SHELL_PROBE = """
import json, sys
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.app import qt_application
from desktop.ui.main_window import MainWindow
qt_application()
window = MainWindow()
painted = []
window.call_after_first_paint(lambda: (painted.append(True), app.quit()))
window.show()
app.exec()
print(json.dumps({"painted": bool(painted), "modules": sorted(sys.modules)}))
"""


def test_the_shell_paints_without_importing_anything_heavy() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-c", SHELL_PROBE],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    ).stdout
    probe = json.loads(out.strip().splitlines()[-1])
    assert probe["painted"]
    heavy = [m for m in probe["modules"] if m.split(".")[0] in HEAVY or m.startswith(HEAVY)]
    assert heavy == []


def show_shell(qtbot: QtBot) -> MainWindow:
    window = MainWindow()
    qtbot.addWidget(window, before_close_func=lambda w: settle(qtbot, w))
    window.show()
    qtbot.waitExposed(window)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    return window


def settle(qtbot: QtBot, window: QWidget) -> None:
    # Never close the database under a task still running in the worker thread.
    if isinstance(window, MainWindow) and window.attached:
        qtbot.waitUntil(lambda: not window.runner.busy, timeout=20_000)


def test_the_window_shows_its_shell_before_it_has_services(qtbot: QtBot, shot) -> None:
    window = show_shell(qtbot)

    assert not window.attached
    assert window.opening is not None
    assert window.current_page() is window.opening
    assert window.opening.message.text() == "Opening your library…"
    assert [b.text() for b in window.nav_buttons.values()] == [title for _s, title, _i in NAV]
    assert window.nav_buttons[Section.HOME].isChecked()
    assert window.statusBar().isVisible()
    with pytest.raises(RuntimeError, match="attach"):
        _ = window.home  # the pages need the services
    shot(window, "start_opening.png")


def test_attach_shows_the_section_chosen_while_opening(services: Services, qtbot, sample) -> None:
    window = show_shell(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_6, Qt.KeyboardModifier.ControlModifier)
    assert window.section is Section.SETTINGS
    assert window.nav_buttons[Section.SETTINGS].isChecked()
    assert not window.nav_buttons[Section.HOME].isChecked()
    assert window.current_page() is window.opening  # nothing to show yet

    with qtbot.waitSignal(window.courses_loaded, timeout=20_000):
        window.attach(services)
        assert window.current_page() is window.settings_page
        assert window.opening is None  # the placeholder is gone for good
    settle(qtbot, window)
    with pytest.raises(RuntimeError, match="already"):
        window.attach(services)

    window.show_section(Section.HOME)
    assert window.home.continue_card.title.text() == sample.title  # the library was read


def test_a_search_typed_while_opening_runs_once_the_library_is_open(
    services: Services, qtbot
) -> None:
    window = show_shell(qtbot)
    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search_field, "subject line")
    assert window.run_search(window.search_field.text()) == 0  # kept for later

    with qtbot.waitSignal(window.search_ready, timeout=20_000):
        window.attach(services)
        assert window.current_page() is window.search_page
    assert window.search_page.query == "subject line"
    assert window.search_page.model.rowCount() > 0  # searched again once indexed
    assert QApplication.focusWidget() is window.search_field  # typing was not interrupted


class WindowSpy(QObject):
    """Records every widget shown as a window of its own."""

    def __init__(self) -> None:
        super().__init__()
        self.windows: list[str] = []

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        shown = event.type() == QEvent.Type.Show
        if shown and isinstance(watched, QWidget) and watched.isWindow():
            self.windows.append(f"{type(watched).__name__} {watched.objectName()}")
        return False


def test_pages_built_while_the_window_is_up_never_flash_a_window_or_take_the_focus(
    services: Services, qtbot: QtBot, sample
) -> None:
    window = show_shell(qtbot)
    app = QApplication.instance()
    assert app is not None
    spy = WindowSpy()
    app.installEventFilter(spy)
    try:
        with qtbot.waitSignal(window.courses_loaded, timeout=20_000):
            window.attach(services)
        for section in Section:
            window.show_section(section)
        window.open_course(sample.id)
        window.open_lesson(sample.id, sample.ordered_lessons()[0].id)
        window.run_search("subject")
        qtbot.wait(20)
    finally:
        app.removeEventFilter(spy)
    assert spy.windows == []
    assert QApplication.activeWindow() is window


# -- the composition root ---------------------------------------------------------------


@dataclass
class Dialog:
    title: str
    text: str
    details: str
    over_window: bool
    window_attached: bool


@pytest.fixture
def launched(qtbot: QtBot) -> Iterator[Callable[[Path], Launch]]:
    """``launch_window`` as ``playbook`` calls it; the database is closed at the end."""
    launches: list[Launch] = []

    def launch(data_dir: Path) -> Launch:
        result = launch_window(data_dir)
        launches.append(result)
        return result

    yield launch
    for result in launches:
        settle(qtbot, result.window)
        result.window.close()
        result.close()


# The offscreen platform says so when a modal message box sizes itself; harmless.
offscreen_dialog = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")


def answer_dialogs(window: MainWindow, answers: list[str]) -> list[Dialog]:
    """Click ``answers[0]`` in the next message box, ``answers[1]`` in the one after...;
    returns what the boxes said, as they come."""
    seen: list[Dialog] = []

    def poll() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox) or not box.isVisible():
            QTimer.singleShot(10, poll)
            return
        seen.append(
            Dialog(
                box.windowTitle(),
                box.text(),
                box.informativeText(),
                box.parentWidget() is window,
                window.attached,
            )
        )
        wanted = answers.pop(0)
        next(b for b in box.buttons() if b.text().replace("&", "") == wanted).click()
        if answers:
            QTimer.singleShot(10, poll)

    QTimer.singleShot(0, poll)
    return seen


def test_launch_paints_the_shell_then_attaches_the_services(
    launched: Callable[[Path], Launch], data_dir: Path, qtbot: QtBot
) -> None:
    launch = launched(data_dir)
    shown, started, db = launch.window.isVisible(), launch.started, launch.db
    assert shown
    assert not started  # the database opens after the first frame
    assert db is None

    with qtbot.waitSignal(launch.window.courses_loaded, timeout=20_000):
        pass
    assert launch.started
    assert launch.db is not None
    assert (data_dir / "playbook.sqlite3").exists()
    assert launch.window.current_page() is launch.window.home
    # Enter resumes (or starts) learning, as on a window built with its services.
    assert launch.window.focusWidget() is launch.window.home.continue_card
    assert not launch.failed


@offscreen_dialog
def test_a_damaged_database_is_explained_over_the_window_and_quit_leaves_it(
    launched: Callable[[Path], Launch], data_dir: Path, qtbot: QtBot
) -> None:
    path = data_dir / "playbook.sqlite3"
    path.write_bytes(GARBAGE)
    launch = launched(data_dir)
    seen = answer_dialogs(launch.window, ["Quit"])

    qtbot.waitUntil(lambda: launch.failed, timeout=20_000)
    assert len(seen) == 1
    assert seen[0].title == "Playbook can't open your data"
    assert "damaged" in seen[0].text
    assert str(path) in seen[0].details
    assert seen[0].over_window  # parented to the window the user already sees
    assert not seen[0].window_attached
    assert path.read_bytes() == GARBAGE  # untouched
    assert not launch.window.isVisible()  # the app quits
    assert launch.db is None


@offscreen_dialog
def test_start_fresh_moves_the_damaged_database_aside_and_opens_the_library(
    launched: Callable[[Path], Launch], data_dir: Path, qtbot: QtBot
) -> None:
    path = data_dir / "playbook.sqlite3"
    path.write_bytes(GARBAGE)
    launch = launched(data_dir)
    seen = answer_dialogs(launch.window, ["Start fresh"])

    with qtbot.waitSignal(launch.window.courses_loaded, timeout=20_000):
        pass
    assert len(seen) == 1
    assert launch.started
    assert not launch.failed
    kept = [p for p in data_dir.iterdir() if p.name.startswith("playbook.sqlite3.broken-")]
    assert len(kept) == 1
    assert kept[0].read_bytes() == GARBAGE


@offscreen_dialog
def test_an_unexpected_error_while_starting_is_explained_not_left_spinning(
    launched: Callable[[Path], Launch],
    data_dir: Path,
    qtbot: QtBot,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    def broken(*_args: object, **_kwargs: object) -> Services:
        raise OSError("No space left on device")

    monkeypatch.setattr(desktop.app, "build_services", broken)
    launch = launched(data_dir)
    seen = answer_dialogs(launch.window, ["OK"])

    qtbot.waitUntil(lambda: launch.failed, timeout=20_000)
    assert len(seen) == 1
    assert seen[0].title == "Playbook could not start"
    assert "No space left on device" in seen[0].details
    assert seen[0].over_window
    assert launch.db is None  # closed again
    assert not launch.window.isVisible()


# -- the real entry point, in a process of its own (it runs the qasync loop) -----------

RUN_GUI = """
import sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication, QMessageBox
app = QApplication([])
from desktop.app import run_gui
from desktop.ui.main_window import MainWindow

def drive():
    box = QApplication.activeModalWidget()
    if isinstance(box, QMessageBox):
        print("asked:", box.text(), flush=True)
        next(b for b in box.buttons() if b.text().replace("&", "") == "Quit").click()
        return
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    if windows and windows[0].courses_ready and not windows[0].runner.busy:
        print("library read", flush=True)
        windows[0].close()
        return
    QTimer.singleShot(20, drive)

QTimer.singleShot(0, drive)
sys.exit(run_gui(Path(sys.argv[1])))
"""


def run_gui_in_a_process(data_dir: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    return subprocess.run(
        [sys.executable, "-c", RUN_GUI, str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )


def test_playbook_starts_reads_the_library_and_exits_0_when_closed(data_dir: Path) -> None:
    done = run_gui_in_a_process(data_dir)
    assert done.returncode == 0, done.stderr[-2000:]
    assert "library read" in done.stdout
    assert (data_dir / "playbook.sqlite3").exists()


def test_playbook_exits_1_when_the_user_quits_over_a_damaged_database(data_dir: Path) -> None:
    path = data_dir / "playbook.sqlite3"
    path.write_bytes(GARBAGE)
    done = run_gui_in_a_process(data_dir)
    assert done.returncode == 1, done.stderr[-2000:]
    assert "asked:" in done.stdout
    assert "damaged" in done.stdout
    assert path.read_bytes() == GARBAGE


# Stacks a learner who has not signed in, generated copy or exported a PDF never needs:
# they cost start-up time and tens of megabytes (make bench measures both), so they load
# when a feature first uses them, never at start.
FEATURE_STACKS = (
    "openai",
    "httpx",
    "httpcore",
    "pydantic",
    "jinja2",
    "weasyprint",
    "keyring",
    "rich",
    "sqlalchemy",
    "alembic",
    # The asyncio loop starts with the first coroutine (sync, AI providers); asyncio
    # imports ssl, whose OpenSSL tables alone are megabytes.
    "asyncio",
    "qasync",
    "ssl",
    "_hashlib",  # OpenSSL's libcrypto: start-up paths use desktop.domain.digests
)

NEVER_USED_WIDGETS = ("QWizard", "QCalendarWidget", "QMdiArea", "QLCDNumber", "QDial")

LEARNER_SESSION = """
import json, sys
from pathlib import Path
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
app = QApplication([])
from desktop.app import run_gui
from desktop.ui.main_window import MainWindow

def drive():
    windows = [w for w in QApplication.topLevelWidgets() if isinstance(w, MainWindow)]
    # Once the start-up's background work ended, the sync line's first status included.
    if (
        windows
        and windows[0].courses_ready
        and windows[0].sync_controller is not None
        and windows[0].sync_controller.status is not None
        and not windows[0].runner.busy
    ):
        window = windows[0]
        course = window.services.library.course("email-subject-lines")
        assert window.open_lesson(course.id, course.ordered_lessons()[0].id)
        window.player.repaint()
        app.processEvents()
        import PySide6.QtWidgets as widgets
        qt_types = [name for name in vars(widgets) if name.startswith("Q")]
        print(json.dumps({"modules": sorted(sys.modules), "qt_types": qt_types}), flush=True)
        window.close()
        return
    QTimer.singleShot(20, drive)

QTimer.singleShot(0, drive)
sys.exit(run_gui(Path(sys.argv[1])))
"""


def test_a_learner_session_loads_no_network_ai_or_pdf_stack(data_dir: Path) -> None:
    assert run_gui_in_a_process(data_dir).returncode == 0  # first start: create, migrate
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", LEARNER_SESSION, str(data_dir)],
        capture_output=True,
        text=True,
        env=env,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    seen = json.loads(done.stdout.strip().splitlines()[-1])
    loaded = sorted({m.split(".")[0] for m in seen["modules"]} & set(FEATURE_STACKS))
    assert loaded == []
    # PySide builds a class's Python type (and its enums) when it is first used. Handing
    # Python a widget Qt made and Python never saw (a scroll area's viewport) makes it try
    # every QWidget subclass: ~130 types, 2 MiB, kept. Playbook never shows these.
    assert sorted(set(seen["qt_types"]) & set(NEVER_USED_WIDGETS)) == []
