"""TaskRunner: results on the GUI thread, one error handler, nothing after the owner dies."""

from __future__ import annotations

import asyncio
import threading

import pytest
from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QApplication, QMessageBox

from desktop.ui.main_window import MainWindow
from desktop.ui.tasks import (
    TaskRunner,
    close_qasync_loop,
    start_qasync_on_demand,
    user_message,
)


class DriveMissingError(Exception):
    user_message = "The course folder is on a drive that is not connected. Reconnect it."


def test_result_arrives_on_the_gui_thread_and_busy_is_reported(qtbot) -> None:
    runner = TaskRunner()
    results: list[tuple[int, bool]] = []
    busy: list[bool] = []
    runner.busy_changed.connect(busy.append)
    release = threading.Event()

    def work() -> int:
        release.wait(5)
        return 42

    runner.run(
        "Counting",
        work,
        on_done=lambda r: results.append(
            (r, threading.current_thread() is threading.main_thread())
        ),
    )
    assert runner.busy
    assert runner.running == ["Counting"]
    release.set()
    qtbot.waitUntil(lambda: bool(results))
    assert results == [(42, True)]
    assert busy == [True, False]
    runner.shutdown()


def test_errors_go_to_the_one_handler_with_a_user_message(qtbot) -> None:
    seen: list[str] = []
    runner = TaskRunner(error_handler=lambda what, exc: seen.append(f"{what}: {user_message(exc)}"))

    def fail() -> None:
        raise DriveMissingError("disk gone")

    runner.run("Loading courses", fail)
    qtbot.waitUntil(lambda: bool(seen))
    assert seen == [f"Loading courses: {DriveMissingError.user_message}"]
    runner.shutdown()


def test_nothing_is_delivered_after_the_owner_is_destroyed(qtbot) -> None:
    runner = TaskRunner()
    owner = QObject()
    release = threading.Event()
    delivered: list[int] = []
    task = runner.run("Slow", lambda: release.wait(5) and 1, owner=owner, on_done=delivered.append)
    owner.deleteLater()
    qtbot.waitUntil(lambda: task.cancelled)
    release.set()
    qtbot.waitUntil(lambda: not runner.busy)
    assert delivered == []
    runner.shutdown()


def test_coroutines_run_without_an_event_loop_too(qtbot) -> None:
    runner = TaskRunner()
    got: list[str] = []

    async def fetch() -> str:
        await asyncio.sleep(0)
        return "done"

    runner.run_async("Async work", fetch, on_done=got.append)
    qtbot.waitUntil(lambda: bool(got))
    assert got == ["done"]
    runner.shutdown()


def test_in_the_app_the_first_coroutine_starts_the_qasync_loop_on_the_gui_thread(
    qapp: QApplication,
) -> None:
    """As ``playbook`` runs: Qt's own loop (``app.exec()``), no asyncio loop until a
    coroutine needs one; then the coroutine runs on the GUI thread, not in the worker,
    and after the app's loop returns the asyncio loop is closed and gone."""
    runner = TaskRunner()
    seen: list[tuple[str, bool, bool]] = []

    async def fetch() -> str:
        await asyncio.sleep(0.01)
        loop = asyncio.get_running_loop()
        seen.append(
            ("ran", threading.current_thread() is threading.main_thread(), loop.is_running())
        )
        return "done"

    def done(result: str) -> None:
        seen.append((result, threading.current_thread() is threading.main_thread(), True))
        qapp.quit()

    def start() -> None:
        runner.run_async("Async work", fetch, on_done=done)

    give_up = QTimer()  # never hang the suite
    give_up.setSingleShot(True)
    give_up.timeout.connect(qapp.quit)
    start_qasync_on_demand(qapp)
    try:
        QTimer.singleShot(0, start)
        give_up.start(5000)
        qapp.exec()
    finally:
        give_up.stop()
        close_qasync_loop()
    assert seen == [("ran", True, True), ("done", True, True)]
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()  # closed with the app's loop, not left behind
    # Without the app's loop, coroutines go to the worker thread again.
    got: list[str] = []
    runner.run_async("Later", lambda: asyncio.sleep(0, "later"), on_done=got.append)
    deadline = threading.Event()
    for _ in range(250):
        qapp.processEvents()
        if got:
            break
        deadline.wait(0.02)
    assert got == ["later"]
    runner.shutdown()


# A message box has a fixed size; the offscreen platform warns that it cannot pass size
# hints to a (non-existent) window manager. That says nothing about the app.
@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_window_shows_task_errors_in_a_message_box(window: MainWindow, qtbot) -> None:
    def fail() -> None:
        raise DriveMissingError("disk gone")

    window.runner.run("Adding a folder", fail)
    qtbot.waitUntil(lambda: window.error_box is not None)
    box = window.error_box
    assert isinstance(box, QMessageBox)
    assert box.informativeText() == DriveMissingError.user_message
    assert "Adding a folder" in box.text()
    box.accept()
    qtbot.waitUntil(lambda: window.error_box is None)


def test_garbage_collection_pauses_while_the_worker_runs(qtbot) -> None:
    import gc

    runner = TaskRunner()
    release = threading.Event()
    assert gc.isenabled()
    runner.run("Indexing", lambda: release.wait(5))
    # The worker must never be the thread that frees Qt objects caught in cycles.
    assert not gc.isenabled()
    release.set()
    qtbot.waitUntil(lambda: not runner.busy)
    assert gc.isenabled()
    runner.shutdown()
