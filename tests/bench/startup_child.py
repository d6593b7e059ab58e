"""One measured start, run in a fresh process by ``tests.bench``.

``bare``: a bare PySide6 QMainWindow — the baseline. ``app``: Playbook's real start path
(database, services, main window). ``app-lesson``: the app, then a lesson opened.
Prints one JSON line: seconds from the parent's spawn to the window's first paint, and
the resident set size at the end.
"""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import psutil


COURSE_ID, LESSON_ID = os.environ.get("BENCH_LESSON", "bench-course/lesson-0001").split("/")


def main() -> None:
    # The parent's clock reading just before it spawned us: start-up includes the
    # interpreter's own start, as a user double-clicking the app would wait for it.
    mode, data_dir, spawned_at = sys.argv[1], Path(sys.argv[2]), float(sys.argv[3])
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtCore import QEvent, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QMainWindow

    class FirstPaint(QObject):
        def __init__(self) -> None:
            super().__init__()
            self.at: float | None = None

        def eventFilter(self, watched: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint and self.at is None:
                self.at = time.time()
                QTimer.singleShot(0, QApplication.quit)
            return False

    app = QApplication(sys.argv)
    paint = FirstPaint()
    window: QMainWindow
    if mode == "bare":
        window = QMainWindow()
        window.resize(1200, 800)
    else:
        from desktop.app import launch_window

        launched = launch_window(data_dir)
        assert launched is not None
        window = launched[0]
    window.installEventFilter(paint)
    window.show()
    app.exec()
    assert paint.at is not None
    shown = paint.at - spawned_at
    if mode == "app-lesson":
        from desktop.ui.main_window import MainWindow

        assert isinstance(window, MainWindow)
        deadline = time.monotonic() + 30
        while not window.courses_ready and time.monotonic() < deadline:
            app.processEvents()
            time.sleep(0.005)
        assert window.open_lesson(COURSE_ID, LESSON_ID, None), "lesson did not open"
        for _ in range(5):
            app.processEvents()
    rss = psutil.Process().memory_info().rss
    print(json.dumps({"mode": mode, "shown_s": shown, "rss_bytes": rss}))


if __name__ == "__main__":
    main()
