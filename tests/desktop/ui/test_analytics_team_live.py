"""The Team tab against the real sync server (uvicorn, PostgreSQL): a member's synced
progress shows in the owner's heat map; a viewer of the same team reads that only
owners see team figures."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain.progress import EventKind, ProgressEvent
from desktop.services.analytics import AnalyticsService
from desktop.services.course_library import CourseLibrary
from desktop.services.progress import ProgressService
from desktop.services.team_analytics import TeamAnalyticsService
from desktop.storage.database import SqlFolderStore
from desktop.ui import theme
from desktop.ui.lookup import healthy
from desktop.ui.tasks import TaskRunner
from desktop.ui.views.analytics import TEAM, AnalyticsView
from tests.desktop.ui.conftest import BUNDLED
from tests.e2e.conftest import (  # noqa: F401  (fixtures used by name)
    Admin,
    Client,
    LiveServer,
    admin,
    database_url,
    make_client,
    server,
)

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

COURSE = "email-subject-lines"


def _library(client: Client) -> CourseLibrary:
    library = CourseLibrary(bundled_root=BUNDLED, folders=SqlFolderStore(client.db))
    library.refresh()
    return library


def _learn_and_sync(client: Client) -> None:
    """The first lesson completed and its first question answered wrong, then right."""
    course = next(c for c in healthy(_library(client).entries()) if c.id == COURSE)
    lesson = course.ordered_lessons()[1]
    question = lesson.questions[0]
    at = datetime.now(UTC) - timedelta(days=2)
    ProgressService(client.db).import_events(
        [
            ProgressEvent.new(
                EventKind.QUIZ_ATTEMPT,
                COURSE,
                lesson.id,
                question_id=question.id,
                correct=False,
                score=0,
                at=at,
            ),
            ProgressEvent.new(
                EventKind.QUIZ_ATTEMPT,
                COURSE,
                lesson.id,
                question_id=question.id,
                correct=True,
                score=1,
                at=at,
            ),
            ProgressEvent.new(EventKind.LESSON_COMPLETED, COURSE, lesson.id, at=at),
            ProgressEvent.new(EventKind.TIME_SPENT, COURSE, lesson.id, seconds=600, at=at),
        ]
    )
    report = client.sync_now()
    assert report.rejected == [], report.summary()


def _open(qtbot, client: Client) -> tuple[AnalyticsView, TaskRunner]:
    runner = TaskRunner()
    view = AnalyticsView(
        AnalyticsService(client.db),
        _library(client),
        runner,
        team=TeamAnalyticsService(client.sync),
    )
    view.setStyleSheet(theme.stylesheet() + view.styleSheet())
    qtbot.addWidget(view, before_close_func=lambda _w: qtbot.waitUntil(lambda: not runner.busy))
    view.resize(1100, 900)
    view.show_tab(TEAM)
    with qtbot.waitSignal(view.loaded, timeout=30_000, check_params_cb=lambda k: k == TEAM):
        view.show()
    return view, runner


def test_the_owner_sees_a_members_synced_answers_and_a_viewer_is_told_who_can(
    qtbot,
    server: LiveServer,  # noqa: F811
    admin: Admin,  # noqa: F811
    make_client: Callable[[str], Client],  # noqa: F811
    shot,
) -> None:
    owner_id = admin.user("olga@example.com")
    viewer_id = admin.user("vic@example.com")
    admin.team(owner_id, {viewer_id: "viewer"})
    owner, viewer = make_client("olga"), make_client("vic")
    owner.sign_in(server, "olga@example.com")
    viewer.sign_in(server, "vic@example.com")
    _learn_and_sync(viewer)

    view, runner = _open(qtbot, owner)
    tab = view.team_tab
    assert tab.showing == "content", tab.error_text.text()
    assert tab.team_picker.currentText() == "Marketing"
    assert tab.members.value.text() == "2"
    assert tab.not_started.value.text() == "1"  # Olga herself
    rows = tab.heat_card.model.numbers.rows
    assert [row[0] for row in rows] == ["vic"]  # the display name the server gave Vic
    assert 100.0 in rows[0][1:]  # the question answered right in the end
    assert tab.time.value.text() == "10 min"
    shot(view, "analytics_team_live.png")
    runner.shutdown()

    watcher, watcher_runner = _open(qtbot, viewer)
    assert watcher.team_tab.explaining
    assert watcher.team_tab.explain_state.title.text() == "Team figures are for team owners"
    watcher_runner.shutdown()
