"""The Home dashboard and the Analytics section open in under 200 ms with a year of data.

Measured in a fresh process (Qt offscreen), on a database seeded with 100,000 local
progress events, 10,000 generations (3 variants each) and 30 policies
(:mod:`tests.bench.analytics_data`, written through the app's own repositories), over
the bundled courses:

- **Home**: from asking the Home page for its dashboard (``refresh_dashboard()``, what
  showing Home does) until the dashboard's charts have been painted with the figures:
  the read runs through the TaskRunner's worker thread, the figures come back to the GUI
  thread, the charts repaint.
- **Analytics**: from asking the section to show (``refresh()`` of the tab on screen)
  until that tab's charts have been painted, for Learning, Content and Policies.

Baseline, in the same process and run: the same pages doing the same with an **empty
database** (same courses, same code path), so the ratio says what the data costs. Each
figure is the median of REPEATS runs after a warm-up.

``run(work)`` returns the Results for ``make bench``; ``python -m tests.bench.dashboard_bench``
prints them.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from tests.bench.__main__ import Result

GOAL_S = 0.200
REPEATS = 7
EVENTS = 100_000
GENERATIONS = 10_000
TIMEOUT_S = 30.0


def _child(work: Path) -> dict[str, Any]:  # runs in the fresh process
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer
    from PySide6.QtWidgets import QApplication, QVBoxLayout, QWidget

    from desktop.config import SettingsStore
    from desktop.services.analytics import AnalyticsService
    from desktop.services.annotations import AnnotationService
    from desktop.services.container import Services
    from desktop.services.course_library import CourseLibrary
    from desktop.services.progress import ProgressService
    from desktop.services.search import SearchService
    from desktop.storage.database import Database, SqlFolderStore
    from desktop.ui import theme
    from desktop.ui.lookup import healthy
    from desktop.ui.tasks import TaskRunner
    from desktop.ui.views.analytics import CONTENT, LEARNING, POLICIES, AnalyticsView
    from desktop.ui.views.home import HomeView
    from desktop.ui.widgets.charts import Chart
    from tests.bench.analytics_data import seed

    _app = QApplication(sys.argv)  # alive for the whole run
    repo = Path(__file__).resolve().parents[2]

    def services(name: str, seeded: bool) -> tuple[Services, Database, float]:
        folder = work / name
        folder.mkdir(parents=True, exist_ok=True)
        db = Database.open(folder / "db.sqlite3")
        library = CourseLibrary(bundled_root=repo / "courses", folders=SqlFolderStore(db))
        library.refresh()
        took = 0.0
        if seeded:
            t0 = time.perf_counter()
            seed(db, healthy(library.entries()), events=EVENTS, generations=GENERATIONS)
            took = time.perf_counter() - t0
        built = Services(
            library=library,
            progress=ProgressService(db),
            annotations=AnnotationService(db),
            search=SearchService(db),
            settings=SettingsStore(folder / "settings.toml"),
            analytics=AnalyticsService(db),
        )
        return built, db, took

    class Painted(QObject):
        """Notes when any of the watched charts receives a paint event."""

        def __init__(self) -> None:
            super().__init__()
            self.seen: set[int] = set()

        def eventFilter(self, obj: QObject, event: QEvent) -> bool:
            if event.type() == QEvent.Type.Paint:
                self.seen.add(id(obj))
            return False

    painted = Painted()

    def wait(done: Any, what: str) -> None:
        """Run the event loop until ``done()``, checking every millisecond. The loop
        sleeps in between, as the app's does: a busy ``processEvents`` spin would hold
        the GIL and starve the worker thread the figures are read in."""
        if done():
            return
        loop = QEventLoop()
        deadline = time.perf_counter() + TIMEOUT_S

        def check() -> None:
            if done() or time.perf_counter() > deadline:
                loop.quit()

        timer = QTimer()
        timer.setInterval(1)
        timer.timeout.connect(check)
        timer.start()
        loop.exec()
        timer.stop()
        if not done():
            raise RuntimeError(f"{what} did not happen within {TIMEOUT_S} s")

    def visible_charts(page: QWidget) -> list[Chart]:
        """The charts on screen (a chart scrolled out of view is not painted)."""
        return [c for c in page.findChildren(Chart) if not c.visibleRegion().isEmpty()]

    def timed(ask: Any, arrived: Any, page: QWidget) -> float:
        """Seconds from ``ask()`` until ``arrived()`` and the page's visible charts painted."""
        painted.seen.clear()
        t0 = time.perf_counter()
        ask()
        wait(arrived, "the figures")
        charts = visible_charts(page)
        wait(lambda: all(id(c) in painted.seen for c in charts), "painting the charts")
        return time.perf_counter() - t0

    def measure(svc: Services) -> dict[str, list[float]]:
        runner = TaskRunner()
        window = QWidget()
        window.runner = runner  # type: ignore[attr-defined]  # what page_runner() looks for
        window.setStyleSheet(theme.stylesheet())
        window.setFont(theme.ui_font())
        window.resize(1280, 820)
        col = QVBoxLayout(window)
        home = HomeView(svc)
        col.addWidget(home)
        assert svc.analytics is not None
        section = AnalyticsView(svc.analytics, svc.library, runner)
        col.addWidget(section)
        section.hide()
        window.show()
        for chart in window.findChildren(Chart):
            chart.installEventFilter(painted)
        results: dict[str, list[float]] = {"home": []}
        shown: list[bool] = []
        home.dashboard_shown.connect(lambda: shown.append(True))
        for i in range(REPEATS + 1):
            shown.clear()
            took = timed(home.refresh_dashboard, lambda: bool(shown), home)
            if i:
                results["home"].append(took)
        home.hide()
        section.show()
        wait(lambda: section.learning.has_data, "the first Learning figures")
        for tab in (LEARNING, CONTENT, POLICIES):
            section.show_tab(tab)
            loaded: list[str] = []
            section.loaded.connect(loaded.append)
            results[tab] = []
            for i in range(REPEATS + 1):
                loaded.clear()
                took = timed(
                    section.refresh, lambda t=tab, got=loaded: t in got, section.pages[tab]
                )
                if i:
                    results[tab].append(took)
            section.loaded.disconnect()
        runner.shutdown()
        window.close()
        return results

    full, full_db, seeding = services("full", seeded=True)
    empty, empty_db, _ = services("empty", seeded=False)
    data = measure(full)
    base = measure(empty)
    full_db.close()
    empty_db.close()
    return {"data": data, "baseline": base, "seeding_s": seeding}


NAMES = {
    "home": "Home dashboard",
    "learning": "Analytics: Learning",
    "content": "Analytics: Content",
    "policies": "Analytics: Policies",
}


def run(work: Path) -> list[Result]:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    out = subprocess.run(
        [sys.executable, "-m", "tests.bench.dashboard_bench", "--child", str(work)],
        check=True,
        capture_output=True,
        text=True,
        env=env,
        cwd=Path(__file__).resolve().parents[2],
    ).stdout
    data = json.loads(out.strip().splitlines()[-1])
    results = []
    for key, name in NAMES.items():
        times, base = data["data"][key], data["baseline"][key]
        median, base_median = statistics.median(times), statistics.median(base)
        worst = max(times)
        results.append(
            Result(
                f"dashboard: {name} painted, 100k events + 10k generations (median)",
                f"{median * 1000:.0f} ms (worst {worst * 1000:.0f}) vs empty database "
                f"{base_median * 1000:.0f} ms = {median / base_median:.1f}x",
                "< 200 ms",
                median < GOAL_S,
            )
        )
    return results


def main() -> int:
    if "--child" in sys.argv:
        work = Path(sys.argv[sys.argv.index("--child") + 1])
        print(json.dumps(_child(work)))
        return 0
    import tempfile

    with tempfile.TemporaryDirectory(prefix="playbook-dashboard-bench-") as tmp:
        results = run(Path(tmp))
    for r in results:
        print(f"{r.name}  {r.value}  goal {r.goal}  {'ok' if r.ok else 'MISS'}")
    return 0 if all(r.ok for r in results) else 1


if __name__ == "__main__":
    sys.exit(main())
