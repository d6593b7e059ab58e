"""The Analytics section on a real database: it shows what the learner did, the filters
change what is asked for, links open lessons and policies, and an empty database says
how to get figures."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtWidgets import QLabel, QWidget

from desktop.domain.analytics import week_start
from desktop.domain.course import Course
from desktop.domain.progress import EventKind, ProgressEvent
from desktop.services.analytics import AnalyticsService
from desktop.services.course_library import CourseLibrary
from desktop.services.progress import ProgressService
from desktop.storage import policies as policy_store
from desktop.storage.database import Database, SqlFolderStore
from desktop.ui import theme
from desktop.ui.lookup import healthy
from desktop.ui.models.base import SlideRef
from desktop.ui.tasks import TaskRunner
from desktop.ui.views.analytics import (
    CONTENT,
    LEARNING,
    POLICIES,
    TEAM,
    AnalyticsView,
    range_filter,
)
from desktop.ui.widgets.charts import tooltip_pos
from tests.bench.analytics_data import seed
from tests.desktop.ui.conftest import BUNDLED

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

# A Wednesday, so "this week" has days before and after today.
TODAY = date(2026, 11, 25)


@dataclass
class Local:
    db: Database
    library: CourseLibrary
    progress: ProgressService
    analytics: AnalyticsService
    runner: TaskRunner

    def courses(self) -> list[Course]:
        return healthy(self.library.entries())

    def course(self, course_id: str) -> Course:
        return next(c for c in self.courses() if c.id == course_id)


@pytest.fixture
def local(tmp_path: Path) -> Iterator[Local]:
    db = Database.open(tmp_path / "db.sqlite3")
    library = CourseLibrary(bundled_root=BUNDLED, folders=SqlFolderStore(db))
    library.refresh()
    runner = TaskRunner()
    yield Local(db, library, ProgressService(db), AnalyticsService(db), runner)
    runner.shutdown()
    db.close()


@pytest.fixture
def open_view(qtbot, local: Local) -> Callable[[str], AnalyticsView]:
    def open_(tab: str = LEARNING) -> AnalyticsView:
        view = AnalyticsView(local.analytics, local.library, local.runner, today=lambda: TODAY)
        view.setStyleSheet(theme.stylesheet() + view.styleSheet())
        view.setFont(theme.ui_font())
        qtbot.addWidget(view, before_close_func=lambda _w: _settle(qtbot, local.runner))
        view.resize(1044, 900)
        view.show_tab(tab)
        with qtbot.waitSignal(view.loaded, timeout=20_000, check_params_cb=lambda k: k == tab):
            view.show()
        qtbot.waitExposed(view)
        return view

    return open_


def _settle(qtbot, runner: TaskRunner) -> None:
    qtbot.waitUntil(lambda: not runner.busy, timeout=20_000)


def _load(qtbot, view: AnalyticsView, tab: str, action: Callable[[], None]) -> None:
    with qtbot.waitSignal(view.loaded, timeout=20_000, check_params_cb=lambda k: k == tab):
        action()


def _at(day: date, hour: int = 10) -> datetime:
    return datetime.combine(day, time(hour), tzinfo=UTC)


def _learn(local: Local) -> tuple[Course, str, str]:
    """The sample course: its first lesson completed this week with 30 minutes spent,
    45 minutes two weeks ago, and a question of the second lesson answered wrong.
    Returns the course, the first lesson's id and the second lesson's id."""
    course = local.course("email-subject-lines")
    first, second = course.ordered_lessons()[:2]
    now = _at(TODAY - timedelta(days=1))
    events = [ProgressEvent.new(EventKind.LESSON_OPENED, course.id, first.id, at=now)]
    events += [
        ProgressEvent.new(EventKind.SLIDE_VIEWED, course.id, first.id, slide_id=s.id, at=now)
        for s in first.slides
    ]
    events.append(ProgressEvent.new(EventKind.LESSON_COMPLETED, course.id, first.id, at=now))
    events.append(
        ProgressEvent.new(EventKind.TIME_SPENT, course.id, first.id, seconds=1800, at=now)
    )
    events.append(
        ProgressEvent.new(
            EventKind.TIME_SPENT,
            course.id,
            first.id,
            seconds=2700,
            at=_at(TODAY - timedelta(days=14)),
        )
    )
    question = second.questions[0]
    events.append(
        ProgressEvent.new(
            EventKind.QUIZ_ATTEMPT,
            course.id,
            second.id,
            slide_id=next(s.id for s in second.slides if question in s.questions),
            question_id=question.id,
            correct=False,
            score=0.0,
            at=now,
        )
    )
    local.progress.import_events(events)
    return course, first.id, second.id


def _approved_policy(local: Local, title: str, effective: date) -> uuid.UUID:
    """A refund policy approved (and in effect) since ``effective``."""
    doc, version = uuid.uuid4(), uuid.uuid4()
    made = _at(effective - timedelta(days=10))
    with local.db.session() as conn:
        policy_store.insert_document(conn, doc, "refund", title, ["eu"], made)
        policy_store.insert_version(
            conn, version, doc, 1, {}, "# Refunds\n", effective.isoformat(), "Ann", made
        )
        approved = made + timedelta(days=3)
        policy_store.update_version(
            conn,
            version,
            approved,
            state="approved",
            reviewer="Bob",
            approved_at=approved,
            frozen_hash="0" * 64,
        )
    return doc


def test_learning_shows_progress_time_and_the_weak_objective(
    qtbot, local: Local, open_view: Callable[[str], AnalyticsView], shot
) -> None:
    course, _first, second = _learn(local)
    view = open_view(LEARNING)
    tab = view.learning
    assert tab.showing == "content"

    # One ring per course; the sample course's ring is what the Courses page says.
    rings = {ring.label: ring for ring in tab.rings.rings}
    assert set(rings) == {c.title for c in local.courses()}
    expected = local.progress.course_progress(course)
    ring = rings[course.title]
    assert round(ring.fraction * 100) == round(expected.percent)
    assert ring.detail == f"{expected.completed_lessons} of {expected.total_lessons} lessons"
    assert tab.rings_card.model.rowCount() == len(local.courses())

    # Time per week: the last 12 weeks (the default range), this week last.
    bars = tab.weeks.bars
    assert len(bars) == 12
    assert bars[-1].value == 30
    assert bars[-3].value == 45
    assert sum(b.value for b in bars) == 75
    tip = tab.weeks.tooltip_at(QPointF(tooltip_pos(tab.weeks, 11)))
    assert tip.startswith(f"Week of {week_start(TODAY).day} ")
    assert "30 min" in tip
    assert tab.time.value.text() == "1 h 15 min"

    # The objective answered wrong is first, at 0 %, and a click practises its lesson.
    weakest = tab.objectives.items[0]
    assert weakest.value == 0
    assert weakest.tone == "danger"
    with qtbot.waitSignal(view.open_requested) as opened:
        qtbot.mouseClick(
            tab.objectives, Qt.MouseButton.LeftButton, pos=tooltip_pos(tab.objectives, 0)
        )
    assert opened.args == [SlideRef(course.id, second)]

    # Next steps open their lesson.
    assert tab.next_card.items
    with qtbot.waitSignal(view.open_requested) as opened:
        tab.next_card.items[0].activated.emit()
    ref = opened.args[0]
    assert isinstance(ref, SlideRef)
    assert ref.course_id in {c.id for c in local.courses()}
    view.learning.scroll_area.verticalScrollBar().setValue(0)
    shot(view, "analytics_learning.png")
    shot(tab.content, "analytics_learning_full.png")


def test_filters_change_what_is_asked_for_and_shown(
    qtbot, local: Local, open_view: Callable[[str], AnalyticsView]
) -> None:
    course, _first, _second = _learn(local)
    view = open_view(LEARNING)
    assert view.requested[LEARNING] == range_filter("12w", TODAY)

    _load(qtbot, view, LEARNING, lambda: view.set_range("4w"))
    asked = view.requested[LEARNING]
    assert asked.since == week_start(TODAY) - timedelta(weeks=3)
    assert asked.until is None
    assert len(view.learning.weeks.bars) == 4
    assert [b.value for b in view.learning.weeks.bars] == [0, 45, 0, 30]

    _load(qtbot, view, LEARNING, lambda: view.set_course(course.id))
    assert view.requested[LEARNING].course_id == course.id
    assert [r.label for r in view.learning.rings.rings] == [course.title]

    _load(qtbot, view, LEARNING, lambda: view.set_range("all"))
    assert view.requested[LEARNING].since is None
    assert view.course_picker.currentText() == course.title
    assert view.course_picker.itemText(0) == "All courses"

    # Other tabs read with the same filter when opened; the course does not apply there.
    _load(qtbot, view, CONTENT, lambda: view.show_tab(CONTENT))
    assert view.requested[CONTENT] == view.requested[LEARNING]
    assert not view.course_picker.isEnabled()
    view.show_tab(LEARNING)  # read already, for this filter: nothing to wait for
    assert view.course_picker.isEnabled()


def test_content_and_policies_show_the_generations_and_documents(
    qtbot, local: Local, open_view: Callable[[str], AnalyticsView], shot
) -> None:
    seeded = seed(local.db, local.courses(), events=0, generations=120, policies=12, days=60)
    overdue = _approved_policy(local, "Refunds (EU)", effective=TODAY - timedelta(days=380))
    view = open_view(CONTENT)
    content = view.content
    assert content.figures is not None
    assert sum(c.value for c in content.types.items) == content.figures.generations
    assert content.figures.generations == seeded.generations
    assert content.generations.value.text() == f"{seeded.generations:,}"
    assert content.types_card.model.rowCount() == len(content.figures.by_type)
    assert content.findings.items
    assert not content.findings_card.chart.is_empty()
    shot(view, "analytics_content.png")
    shot(content.content, "analytics_content_full.png")

    _load(qtbot, view, POLICIES, lambda: view.show_tab(POLICIES))
    policies = view.policies
    assert policies.figures is not None
    assert sum(c.value for c in policies.states.items) == seeded.policies + 1
    assert policies.documents.value.text() == str(seeded.policies + 1)
    # The policy approved a year ago is due for review, and a click opens it.
    assert [r.title for r in policies.figures.reviews][:1] == ["Refunds (EU)"]
    assert policies.overdue.value.text() == "1"
    row = policies.reviews.items[0]
    assert "Overdue" in " ".join(label.text() for label in row.findChildren(QLabel))
    with qtbot.waitSignal(view.policy_requested) as wanted:
        qtbot.mouseClick(row, Qt.MouseButton.LeftButton)
    assert wanted.args == [overdue]
    shot(view, "analytics_policies.png")


def test_an_empty_database_explains_how_to_get_figures(
    qtbot, local: Local, open_view: Callable[[str], AnalyticsView], shot
) -> None:
    view = open_view(LEARNING)
    tab = view.learning
    assert all(r.fraction == 0 for r in tab.rings.rings)
    assert tab.weeks.is_empty()
    assert tab.objectives.is_empty()
    assert "Take a lesson" in tab.weeks.accessibleDescription()
    assert not tab.weeks_card.numbers_button.isEnabled()
    assert tab.streak.value.text() == "0 days"
    shot(view, "analytics_empty_learning.png")

    _load(qtbot, view, CONTENT, lambda: view.show_tab(CONTENT))
    assert view.content.types.is_empty()
    assert "Content Studio" in view.content.types.empty_text
    assert view.content.acceptance.value.text() == "—"
    shot(view, "analytics_empty_content.png")

    _load(qtbot, view, POLICIES, lambda: view.show_tab(POLICIES))
    assert view.policies.states.is_empty()
    assert "Create a policy" in view.policies.states.empty_text
    assert view.policies.reviews.empty.isVisibleTo(view.policies.reviews)
    shot(view, "analytics_empty_policies.png")


def test_team_without_a_sync_server_says_where_figures_come_from(
    qtbot, local: Local, open_view: Callable[[str], AnalyticsView]
) -> None:
    view = open_view(TEAM)
    tab = view.team_tab
    assert tab.explaining
    assert "sync server" in tab.explain_state.title.text()
    assert not tab.sign_in.isVisibleTo(tab)


def test_numbers_of_a_chart_are_one_click_away_in_the_section(
    qtbot, local: Local, open_view: Callable[[str], AnalyticsView], qtmodeltester
) -> None:
    _learn(local)
    view = open_view(LEARNING)
    card = view.learning.weeks_card
    qtbot.mouseClick(card.numbers_button, Qt.MouseButton.LeftButton)
    assert card.showing_numbers
    qtmodeltester.check(card.model)
    model = card.model
    assert model.index(model.rowCount() - 1, 1).data(Qt.ItemDataRole.EditRole) == 30
    assert isinstance(card.table, QWidget)
    assert card.table.isVisible()
