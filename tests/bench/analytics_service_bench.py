"""Personal analytics: the figures behind the Home dashboard, on a year of data.

Data (``tests/bench/analytics_data.py``): 100,000 progress events over the bundled
courses, 10,000 generations with about 29,000 variants and their findings, 30 policies,
written through the app's repositories into a fresh data dir's database.

Measured, best of REPEATS, each in its own read: ``AnalyticsService.dashboard()`` (the
goal: the dashboard opens in under 200 ms, so the data layer gets half of that), and for
the record ``learning()`` (all time; one course over the last 12 weeks; and a range
ending in the past, the slow path that groups the events themselves), ``content()`` and
``policies()``. Baseline in the same run and
database: a bare full scan ``SELECT count(*), sum(seconds) FROM progress_events``, what
any aggregate over the events costs at least.

``run(work)`` returns the Results for ``make bench``;
``python -m tests.bench.analytics_service_bench`` prints them.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from pathlib import Path

from tests.bench.__main__ import Result

EVENTS = 100_000
GENERATIONS = 10_000
REPEATS = 7
DASHBOARD_GOAL_MS = 100.0  # half of the 200 ms for opening the dashboard


def _best_ms(fn: Callable[[], object]) -> float:
    times = []
    for _ in range(REPEATS):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times) * 1000


def run(work: Path) -> list[Result]:
    from desktop import paths
    from desktop.domain.analytics import AnalyticsFilter
    from desktop.services.analytics import AnalyticsService
    from desktop.services.course_library import load_course
    from desktop.storage.database import Database
    from tests.bench.analytics_data import seed

    courses = [
        load_course(folder)
        for folder in sorted(paths.bundled_courses_dir().iterdir())
        if (folder / "course.toml").is_file()
    ]
    db = Database.open(work / "playbook.db")
    try:
        t0 = time.perf_counter()
        seeded = seed(db, courses, EVENTS, GENERATIONS)
        seed_s = time.perf_counter() - t0
        service = AnalyticsService(db)
        today = date.today()

        def baseline() -> object:
            with db.read_session() as conn:
                return conn.execute("SELECT count(*), sum(seconds) FROM progress_events").fetchone()

        recent = AnalyticsFilter(since=today - timedelta(weeks=12), course_id=courses[0].id)
        past = AnalyticsFilter(until=today - timedelta(weeks=4))
        base = _best_ms(baseline)
        dashboard = _best_ms(lambda: service.dashboard(courses, today))
        others = {
            "learning(), all time": _best_ms(lambda: service.learning(courses, None, today)),
            "learning(), one course, 12 weeks": _best_ms(
                lambda: service.learning(courses, recent, today)
            ),
            "learning(), until 4 weeks ago (reads the events)": _best_ms(
                lambda: service.learning(courses, past, today)
            ),
            "content(), all time": _best_ms(service.content),
            "policies()": _best_ms(lambda: service.policies(None, today)),
        }
    finally:
        db.close()
    data = (
        f"{seeded.events:,} events, {seeded.generations:,} generations,"
        f" {seeded.variants:,} variants; seeded in {seed_s:.1f} s"
    )
    results = [
        Result(
            "Analytics dashboard() data vs full event scan",
            f"{dashboard:.1f} ms vs {base:.1f} ms = {dashboard / base:.2f}x ({data})",
            f"<= {DASHBOARD_GOAL_MS:.0f} ms",
            dashboard <= DASHBOARD_GOAL_MS,
        )
    ]
    for name, ms in others.items():
        results.append(
            Result(
                f"Analytics {name} vs full event scan",
                f"{ms:.1f} ms vs {base:.1f} ms = {ms / base:.2f}x",
                "(informative)",
                True,
                informative=True,
            )
        )
    return results


if __name__ == "__main__":
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        for result in run(Path(tmp)):
            mark = "info" if result.informative else "ok  " if result.ok else "MISS"
            print(f"[{mark}] {result.name}: {result.value} (goal {result.goal})")
    sys.exit(0)
