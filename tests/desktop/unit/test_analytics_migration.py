"""Migration 0006 (analytics) on a database written by the previous release, and the
Home dashboard built on it."""

from __future__ import annotations

import sqlite3
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

from desktop.domain.analytics import DASHBOARD_WEEKS, AnalyticsFilter, NextStepKind
from desktop.domain.progress import EventKind, ProgressEvent, summarize
from desktop.services.analytics import AnalyticsService
from desktop.services.course_library import load_course
from desktop.services.progress import ProgressService
from desktop.storage import content as content_store
from desktop.storage import progress_events
from desktop.storage.database import Database
from desktop.storage.migrate import upgrade

COURSES = Path(__file__).resolve().parents[3] / "courses"
EMAIL = load_course(COURSES / "sample-course")
START = datetime(2026, 3, 2, 9, tzinfo=UTC)


def _database_at_0005(path: Path) -> None:
    upgrade(path, "0005")


def _old_events() -> list[ProgressEvent]:
    lesson = EMAIL.lessons["first-impressions"]
    events = [
        ProgressEvent.new(
            EventKind.SLIDE_VIEWED,
            EMAIL.id,
            lesson.id,
            slide_id=s.id,
            at=START + timedelta(minutes=i),
        )
        for i, s in enumerate(lesson.slides)
    ]
    events.append(
        ProgressEvent.new(
            EventKind.TIME_SPENT, EMAIL.id, "formulas", seconds=42.0, at=START + timedelta(days=1)
        )
    )
    return events


def test_an_old_database_gains_the_exported_flag_and_its_progress_is_rolled_up(
    tmp_path: Path,
) -> None:
    path = tmp_path / "playbook.sqlite3"
    _database_at_0005(path)
    old = _old_events()
    variant, generation, brief = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    conn = sqlite3.connect(path)
    try:
        progress_events.append_events(
            conn,
            (
                progress_events.EventRow(
                    e.id, e.kind.value, e.course_id, e.lesson_id, e.slide_id, e.question_id,
                    e.correct, e.score, e.seconds, e.occurred_at,
                )
                for e in old
            ),
            "old-device",
        )  # fmt: skip
        content_store.save_brief(conn, brief, "x-post", {}, START)
        content_store.add_generation(
            conn,
            content_store.GenerationRecord(
                generation, brief, "x-post", "offline", "m", "template", {}, "", "", "done",
                None, None, None, 0, 0, None, None, False, START,
            ),
        )  # fmt: skip
        content_store.add_variant(
            conn,
            content_store.VariantRecord(
                variant,
                generation,
                0,
                {},
                [{"code": "cta", "severity": "info"}],
                True,
                False,
                START,
            ),
        )
        conn.commit()
        assert "exported" not in {r[1] for r in conn.execute("PRAGMA table_info(content_variants)")}
    finally:
        conn.close()

    db = Database.open(path)  # migrates to 0006
    try:
        with db.read_session() as c:
            assert c.execute("SELECT favourite, exported FROM content_variants").fetchall() == [
                (1, 0)
            ]
        analytics = AnalyticsService(db)
        figures = analytics.learning([EMAIL], AnalyticsFilter(zone=UTC), date(2026, 3, 3))
        expected = summarize(EMAIL, old)
        assert figures.courses[0].completed_lessons == expected.completed_lessons == 1
        assert figures.courses[0].seconds == 42.0
        assert [d.day for d in figures.days] == [date(2026, 3, 2), date(2026, 3, 3)]
        assert figures.streak.current_days == 2

        # New events after the migration are rolled up by the trigger, duplicates once.
        progress = ProgressService(db)
        more = ProgressEvent.new(
            EventKind.TIME_SPENT, EMAIL.id, "formulas", seconds=8.0, at=START + timedelta(days=1)
        )
        assert progress.import_events([more, *old]) == 1
        after = analytics.learning([EMAIL], AnalyticsFilter(zone=UTC), date(2026, 3, 3))
        assert after.courses[0].seconds == 50.0
        assert after.totals.seconds == 50.0

        with db.session() as c:
            content_store.mark_exported(c, [variant])
    finally:
        db.close()

    reopened = Database.open(path)
    try:
        content = AnalyticsService(reopened).content()
        assert (content.favourited, content.exported, content.accepted) == (1, 1, 1)
        assert [(f.code, f.severity, f.hits) for f in content.findings] == [("cta", "info", 1)]
    finally:
        reopened.close()


def test_the_dashboard_shows_eight_weeks_rings_streak_and_headlines(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "playbook.sqlite3")
    try:
        ProgressService(db).import_events(_old_events())
        service = AnalyticsService(db)
        today = date(2026, 3, 4)
        dash = service.dashboard([EMAIL], today, UTC)
        assert dash.today == today
        assert len(dash.weeks) == DASHBOARD_WEEKS
        assert dash.weeks[-1].start == date(2026, 3, 2)
        assert dash.weeks[0].start == date(2026, 3, 2) - timedelta(weeks=DASHBOARD_WEEKS - 1)
        assert [w.seconds for w in dash.weeks] == [0.0] * (DASHBOARD_WEEKS - 1) + [42.0]
        assert dash.seconds_this_week == 42.0
        assert [(c.course_id, c.completed_lessons, c.total_lessons) for c in dash.courses] == [
            (EMAIL.id, 1, 4)
        ]
        assert (dash.streak.current_days, dash.streak.active_today) == (2, False)
        learning = service.learning([EMAIL], AnalyticsFilter(zone=UTC), today)
        assert dash.next_steps == learning.next_steps
        assert dash.next_step is not None
        assert dash.next_step.kind is NextStepKind.START
        assert (dash.generations, dash.acceptance_rate, dash.policies) == (0, None, 0)
        assert [s.documents for s in dash.policy_states] == [0, 0, 0, 0]
    finally:
        db.close()


def test_an_empty_dashboard_has_zeros_and_a_first_lesson_to_start(tmp_path: Path) -> None:
    db = Database.open(tmp_path / "playbook.sqlite3")
    try:
        dash = AnalyticsService(db).dashboard([EMAIL], date(2026, 3, 4), UTC)
        assert [w.seconds for w in dash.weeks] == [0.0] * DASHBOARD_WEEKS
        assert dash.streak.current_days == 0
        assert dash.courses[0].progress == 0.0
        assert dash.next_step is not None
        assert dash.next_step.lesson_id == "first-impressions"
        assert (dash.reviews_due_soon, dash.reviews_overdue) == (0, 0)
        assert AnalyticsService(db).dashboard([], date(2026, 3, 4), UTC).next_step is None
    finally:
        db.close()
