"""One measured start, run in a fresh process by ``tests.bench``.

``bare``: a bare PySide6 QMainWindow — the baseline, as big as Playbook's window opens
(``BENCH_WINDOW_SIZE``, set by the parent from ``MainWindow``'s: the window's backing
store grows with its area). ``app``: Playbook's real start path
(``desktop.app``: the window's shell, then the database, the services and the library,
on the same event loops as ``playbook``). ``app-lesson``: the app, then a lesson opened
in the running, visible window, as a learner clicks one.

Prints one JSON line: ``shown_s``, seconds from the parent's spawn to the window's first
paint; for the app, ``ready_s``, seconds until the course library was read and listed
(``courses_loaded``: what a learner waits for before picking a course); and
``rss_bytes``, the resident set size at the end — for ``app-lesson``, once the lesson is
drawn and the start-up's background work has ended (the search index is built, the sync
line has read its first status: :func:`_settled`), so that nothing the start loads later
is missed.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path
from typing import Any

import psutil

COURSE_ID, LESSON_ID = os.environ.get("BENCH_LESSON", "bench-course/lesson-0001").split("/")
READY_TIMEOUT_S = 30
SETTLE_POLL_MS = 50


def _open(window: Any, course_id: str, lesson_id: str) -> float:
    """Seconds from asking for a lesson to its first slide drawn in the player."""
    t0 = time.perf_counter()
    assert window.open_lesson(course_id, lesson_id, None), f"{lesson_id} did not open"
    window.player.repaint()
    return time.perf_counter() - t0


def _settled(window: Any, indexed: bool) -> bool:
    """The start-up's background work has ended: the search index is built, the sync
    line has read its first status (it starts a moment after the library, see
    ``SYNC_START_DELAY_MS``) and no task is running."""
    sync = window.sync_controller
    return indexed and (sync is None or sync.status is not None) and not window.runner.busy


def main() -> None:
    # The parent's clock reading just before it spawned us: start-up includes the
    # interpreter's own start, as a user double-clicking the app would wait for it.
    mode, data_dir, spawned_at = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class FirstPaint(QObject):
        def __init__(self, quit_at_paint: bool) -> None:
            super().__init__()
            self.at: float | None = None
            self.quit_at_paint = quit_at_paint

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and self.at is None:
                self.at = time.time()
                if self.quit_at_paint:
                    QTimer.singleShot(0, QApplication.quit)
            return False

    app = QApplication(sys.argv)
    result: dict[str, object] = {"mode": mode}
    if mode == "bare":
        paint = FirstPaint(quit_at_paint=True)
        window = QMainWindow()
        size = os.environ.get("BENCH_WINDOW_SIZE")  # e.g. 1280x820
        if size is None:
            sys.exit("set BENCH_WINDOW_SIZE=WIDTHxHEIGHT (tests.bench passes MainWindow's)")
        width, height = (int(n) for n in size.split("x"))
        window.resize(width, height)
        window.installEventFilter(paint)
        window.show()
        app.exec()
    else:
        from desktop.app import launch_window, qt_application, run_until_quit

        qt_application()  # what run_gui does to the application
        paint = FirstPaint(quit_at_paint=False)
        ready_at: list[float] = []
        indexed: list[bool] = []
        opened: list[float] = []
        launch = launch_window(data_dir)
        window = launch.window
        window.installEventFilter(paint)  # before the event loop paints anything

        def ready() -> None:
            if ready_at:
                return
            ready_at.append(time.time())
            if mode == "app":
                QTimer.singleShot(0, QApplication.quit)
            else:  # a learner picks a lesson as soon as the library is listed
                QTimer.singleShot(0, open_first)

        def open_first() -> None:
            opened.append(_open(window, COURSE_ID, LESSON_ID))
            QTimer.singleShot(SETTLE_POLL_MS, measure_when_settled)

        def measure_when_settled() -> None:
            if not _settled(window, bool(indexed)):
                QTimer.singleShot(SETTLE_POLL_MS, measure_when_settled)
                return
            # Memory with the lesson on screen, as the goal says; then more lessons, timed.
            result["rss_bytes"] = psutil.Process().memory_info().rss
            course = window.services.library.course(COURSE_ID)
            for lesson in course.ordered_lessons()[:40]:
                opened.append(_open(window, COURSE_ID, lesson.id))
                app.processEvents()
            result["open_lesson_s"] = opened
            QApplication.quit()

        window.courses_loaded.connect(ready)
        window.search_ready.connect(lambda: indexed.append(True))
        QTimer.singleShot(READY_TIMEOUT_S * 1000, QApplication.quit)
        status = run_until_quit(app, launch)  # the real app's loops: Qt's, then qasync
        assert not launch.failed, "the database could not be opened"
        assert status == 0
        assert ready_at, "the course library was not read in time"
        result["ready_s"] = ready_at[0] - spawned_at
        if mode == "app-lesson":
            assert "rss_bytes" in result, "the start-up's background work did not end in time"
    assert paint.at is not None
    result["shown_s"] = paint.at - spawned_at
    result.setdefault("rss_bytes", psutil.Process().memory_info().rss)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
