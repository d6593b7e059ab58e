"""The Team tab: only a team's owner sees its figures; everyone else reads how to see
them, and a server that cannot be reached is said in place, with "Try again"."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt

from desktop.domain.course import Course
from desktop.domain.team_analytics import (
    LessonCell,
    LessonSummary,
    MemberReport,
    TeamReport,
    TemplateWork,
    WeekActivity,
    objectives_of,
    score_objectives,
)
from desktop.integrations.secrets import MemorySecrets
from desktop.integrations.sync_types import Tokens
from desktop.services.analytics import AnalyticsService
from desktop.services.course_library import CourseLibrary
from desktop.services.sync import Account, SyncService
from desktop.services.team_analytics import TeamAnalyticsService
from desktop.storage.database import Database, SqlFolderStore
from desktop.storage.sync import TeamRecord
from desktop.ui import theme
from desktop.ui.lookup import healthy
from desktop.ui.tasks import TaskRunner
from desktop.ui.views.analytics import TEAM, AnalyticsView
from desktop.ui.widgets.charts import tooltip_pos
from tests.desktop.ui.conftest import BUNDLED

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TODAY = date(2026, 11, 25)
TEAM_ID = uuid.UUID("00000000-0000-4000-8000-0000000000aa")


@dataclass
class App:
    db: Database
    library: CourseLibrary
    sync: SyncService
    runner: TaskRunner

    def sign_in_as(self, role: str, server_url: str = "http://127.0.0.1:9") -> None:
        """What signing in leaves on this computer: the account, its teams, the tokens.
        Port 9 (discard) answers nothing: the server cannot be reached."""
        account = Account(
            server_url, "olga@example.com", uuid.uuid4(), uuid.uuid4(), "laptop", "Olga"
        )
        self.sync.write_account(account, [TeamRecord(TEAM_ID, "Marketing", role)])
        self.sync.save_tokens(Tokens("access", "refresh", time.time() + 3600))


@pytest.fixture
def app(tmp_path: Path) -> Iterator[App]:
    db = Database.open(tmp_path / "db.sqlite3")
    library = CourseLibrary(bundled_root=BUNDLED, folders=SqlFolderStore(db))
    library.refresh()
    runner = TaskRunner()
    yield App(db, library, SyncService(db, MemorySecrets()), runner)
    runner.shutdown(timeout=10)
    db.close()


@pytest.fixture
def open_team(qtbot, app: App) -> Callable[[], AnalyticsView]:
    def open_() -> AnalyticsView:
        view = AnalyticsView(
            AnalyticsService(app.db),
            app.library,
            app.runner,
            team=TeamAnalyticsService(app.sync),
            today=lambda: TODAY,
        )
        view.setStyleSheet(theme.stylesheet() + view.styleSheet())
        view.setFont(theme.ui_font())
        qtbot.addWidget(
            view, before_close_func=lambda _w: qtbot.waitUntil(lambda: not app.runner.busy)
        )
        view.resize(1100, 900)
        view.show_tab(TEAM)
        with qtbot.waitSignal(view.loaded, timeout=30_000, check_params_cb=lambda k: k == TEAM):
            view.show()
        return view

    return open_


def test_signed_out_the_team_tab_says_how_to_sign_in(
    qtbot, app: App, open_team: Callable[[], AnalyticsView], shot
) -> None:
    view = open_team()
    tab = view.team_tab
    assert tab.explaining
    assert tab.explain_state.title.text() == "Sign in to see your team's figures"
    assert "Settings → Account" in tab.explain_state.body.text()
    assert tab.sign_in.isVisible()
    shot(view, "analytics_team_signed_out.png")
    with qtbot.waitSignal(view.account_requested):
        qtbot.mouseClick(tab.sign_in, Qt.MouseButton.LeftButton)


def test_a_member_who_owns_no_team_is_told_who_sees_team_figures(
    qtbot, app: App, open_team: Callable[[], AnalyticsView]
) -> None:
    app.sign_in_as("viewer")
    view = open_team()
    tab = view.team_tab
    assert tab.explaining
    assert tab.explain_state.title.text() == "Team figures are for team owners"
    assert "Only a team's owners" in tab.explain_state.body.text()
    assert not tab.sign_in.isVisibleTo(tab)


def test_an_owner_whose_server_cannot_be_reached_reads_why_in_place(
    qtbot, app: App, open_team: Callable[[], AnalyticsView], shot
) -> None:
    app.sign_in_as("owner")
    view = open_team()
    tab = view.team_tab
    assert tab.showing == "error"
    assert "cannot reach" in tab.error_text.text()
    assert tab.retry.isVisible()
    assert not tab.error_sign_in.isVisible()
    assert view.requested[TEAM][0] == TEAM_ID
    shot(view, "analytics_team_offline.png")
    # Try again asks again (and says the same while the server is still away).
    with qtbot.waitSignal(view.loaded, timeout=30_000, check_params_cb=lambda k: k == TEAM):
        qtbot.mouseClick(tab.retry, Qt.MouseButton.LeftButton)
    assert tab.showing == "error"


def _member(
    name: str, lessons: tuple[LessonCell, ...], total: int, **extra: object
) -> MemberReport:
    answered = sum(c.questions_answered for c in lessons)
    correct = sum(c.questions_correct for c in lessons)
    completed = sum(1 for c in lessons if c.completed)
    seconds = sum(c.seconds for c in lessons)
    started = datetime(2026, 10, 1, tzinfo=UTC) if lessons else None
    return MemberReport(
        user_id=uuid.uuid5(TEAM_ID, name),
        email=f"{name.lower()}@example.com",
        display_name=name,
        role="editor",
        started_at=started,
        last_active_at=started,
        lessons_started=len(lessons),
        lessons_completed=completed,
        attempts=answered * 2,
        correct_attempts=correct,
        questions_answered=answered,
        questions_correct=correct,
        quiz_score=correct / answered if answered else None,
        seconds=seconds,
        completion=completed / total if lessons else None,
        courses=(),
        lessons=lessons,
        templates=TemplateWork(**extra),  # type: ignore[arg-type]
    )


def _report(course: Course) -> TeamReport:
    """Three members in the sample course: Ana strong, Ben weak on the second lesson,
    Chloe has not started."""
    first, second, third = (lesson.id for lesson in course.ordered_lessons()[:3])
    total = len(course.lessons)

    def cell(lesson: str, answered: int, correct: int, done: bool, minutes: int) -> LessonCell:
        return LessonCell(course.id, lesson, done, answered, correct, minutes * 60)

    members = (
        _member(
            "Ana",
            (
                cell(first, 2, 2, True, 12),
                cell(second, 3, 3, True, 20),
                cell(third, 2, 1, False, 9),
            ),
            total,
            revisions=7,
            created=2,
            edits=5,
            conflicts=1,
            conflicts_resolved=1,
        ),
        _member(
            "Ben",
            (cell(first, 2, 1, True, 15), cell(second, 3, 0, False, 6)),
            total,
            revisions=2,
            edits=2,
        ),
        _member("Chloe", (), total),
    )
    objectives = objectives_of([course])
    scores, cells = score_objectives(objectives, members)
    monday = date(2026, 11, 2)
    return TeamReport(
        team_id=TEAM_ID,
        course_id=None,
        since=None,
        until=None,
        members=members,
        objectives=scores,
        member_objectives=cells,
        lessons=tuple(
            LessonSummary(
                course.id, lid, course.lessons[lid].title, 2, 1, 1 / 3, 4, 1200, 4, q, q / 4
            )
            for lid, q in ((first, 3), (second, 1))
        ),
        questions=(),
        weeks=tuple(
            WeekActivity(monday + timedelta(weeks=n), s, 2, 3, 1)
            for n, s in enumerate((1800, 3600, 600, 2400))
        ),
        templates=(),
        template_totals=TemplateWork(
            revisions=9, created=2, edits=7, conflicts=1, conflicts_resolved=1
        ),
    )


def test_the_owner_sees_members_by_objective_completion_and_template_work(
    qtbot, app: App, open_team: Callable[[], AnalyticsView], shot, qtmodeltester
) -> None:
    view = open_team()  # signed out here: the report is built from the domain types
    course = next(c for c in healthy(app.library.entries()) if c.id == "email-subject-lines")
    report = _report(course)
    tab = view.team_tab
    tab.show_report(report)
    assert tab.showing == "content"

    # The heat map: started members × the course's objectives, scores in percent.
    heat = tab.heat
    # Columns: the objectives somebody answered, weakest first.
    answered = sorted(
        (o for o in report.objectives if o.questions_answered),
        key=lambda o: o.score if o.score is not None else 2.0,
    )
    assert 0 < len(answered) < len(report.objectives)
    objectives = [o.objective for o in answered]
    numbers = tab.heat_card.model.numbers
    assert numbers.columns == ("Member", *(o.text for o in objectives))
    assert [row[0] for row in numbers.rows] == ["Ana", "Ben"]  # Chloe has not started
    for r, member in enumerate(report.members[:2]):
        for c, objective in enumerate(objectives):
            cell = report.cell(member.user_id, objective.key)
            expected = None if cell is None or cell.score is None else round(cell.score * 100, 1)
            assert heat.value(r, c) == expected
    assert None in {v for row in numbers.rows for v in row[1:]}  # a cell with no answers
    qtmodeltester.check(tab.heat_card.model)
    first = heat.tooltip_at(QPointF(tooltip_pos(heat, 0)))
    assert first.startswith("Ana\n")

    assert tab.not_started.value.text() == "1"
    assert "Chloe" in tab.not_started_list.text()
    assert [c.label for c in tab.member_completion.items] == ["Ana", "Ben"]
    assert [c.value for c in tab.templates.items] == [7, 2]
    assert tab.conflicts.value.text() == "1 of 1"
    assert [b.value for b in tab.team_weeks.bars] == [30, 60, 10, 40]
    assert tab.lessons.items[0].value == 25.0  # weakest lesson first
    tab.scroll_area.verticalScrollBar().setValue(0)
    shot(view, "analytics_team.png")
    shot(tab.content, "analytics_team_full.png")
