"""One measured start, run in a fresh process by ``tests.bench``.

``bare``: a bare PySide6 QMainWindow — the baseline. ``app``: Playbook's real start path
(``desktop.app``: the window's shell, then the database, the services and the library,
on the same event loops as ``playbook``). ``app-lesson``: the app, then a lesson opened.

Prints one JSON line: ``shown_s``, seconds from the parent's spawn to the window's first
paint; for the app, ``ready_s``, seconds until the course library was read and listed
(``courses_loaded``: what a learner waits for before picking a course); and
``rss_bytes``, the resident set size at the end.
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


def _open(app: Any, window: Any, course_id: str, lesson_id: str) -> float:
    """Seconds from asking for a lesson to its first slide drawn in the player."""
    t0 = time.perf_counter()
    assert window.open_lesson(course_id, lesson_id, None), f"{lesson_id} did not open"
    window.player.repaint()
    elapsed = time.perf_counter() - t0
    app.processEvents()
    return elapsed


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
        window.resize(1200, 800)
        window.installEventFilter(paint)
        window.show()
        app.exec()
    else:
        from desktop.app import launch_window, qt_application, run_until_quit

        qt_application()  # what run_gui does to the application
        paint = FirstPaint(quit_at_paint=False)
        ready_at: list[float] = []

        def ready() -> None:
            if not ready_at:
                ready_at.append(time.time())
                QTimer.singleShot(0, QApplication.quit)

        launch = launch_window(data_dir)
        launch.window.installEventFilter(paint)  # before the event loop paints anything
        launch.window.courses_loaded.connect(ready)
        QTimer.singleShot(READY_TIMEOUT_S * 1000, QApplication.quit)
        status = run_until_quit(app, launch)  # the real app's loops: Qt's, then qasync
        assert not launch.failed, "the database could not be opened"
        assert status == 0
        assert ready_at, "the course library was not read in time"
        result["ready_s"] = ready_at[0] - spawned_at
        if mode == "app-lesson":
            window = launch.window
            opened = [_open(app, window, COURSE_ID, LESSON_ID)]
            # Memory after opening one lesson, as the goal says; then more lessons for timing.
            result["rss_bytes"] = psutil.Process().memory_info().rss
            course = window.services.library.course(COURSE_ID)
            for lesson in course.ordered_lessons()[:40]:
                opened.append(_open(app, window, COURSE_ID, lesson.id))
            result["open_lesson_s"] = opened
    assert paint.at is not None
    result["shown_s"] = paint.at - spawned_at
    result.setdefault("rss_bytes", psutil.Process().memory_info().rss)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
