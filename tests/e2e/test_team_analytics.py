"""Team analytics end to end: desktop clients push progress through the real sync
client to the real server (uvicorn, PostgreSQL); the owner's app reads the team's
figures and names them from its course files; a viewer, someone from another team, a
signed-out app and an app that cannot reach the server each get a sentence saying what
to do."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta

import pytest

from desktop.domain.course import Course, Lesson, Module, Question, QuestionKind, Slide
from desktop.domain.progress import EventKind, ProgressEvent
from desktop.services.progress import ProgressService
from desktop.services.team_analytics import TeamAnalyticsError, TeamAnalyticsService
from tests.e2e.conftest import Admin, Client, LiveServer, run

AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _course() -> Course:
    questions = (
        Question("q1", QuestionKind.SINGLE, "Which headline is shorter?"),
        Question("q2", QuestionKind.SINGLE, "How long may a headline be?"),
    )
    return Course(
        id="ads",
        version="1",
        title="Ad basics",
        modules=(Module("m", "Module", ("l1", "l2")),),
        lessons={
            "l1": Lesson(
                "l1",
                "Headlines",
                (Slide("s1", "Quiz", "", questions=questions),),
                objectives=("Write a headline",),
            ),
            "l2": Lesson("l2", "Limits", (Slide("s2", "Read", ""),), objectives=("Know limits",)),
        },
    )


def _learn(client: Client) -> None:
    """One right and one wrong answer in l1, l1 completed, two minutes in l2; synced."""
    ProgressService(client.db).import_events(
        [
            ProgressEvent.new(
                EventKind.QUIZ_ATTEMPT, "ads", "l1", question_id="q1", correct=True, score=1, at=AT
            ),
            ProgressEvent.new(
                EventKind.QUIZ_ATTEMPT, "ads", "l1", question_id="q2", correct=False, score=0, at=AT
            ),
            ProgressEvent.new(EventKind.LESSON_COMPLETED, "ads", "l1", at=AT),
            ProgressEvent.new(
                EventKind.TIME_SPENT, "ads", "l2", seconds=120, at=AT + timedelta(days=8)
            ),
        ]
    )
    report = client.sync_now()
    assert (report.pushed, report.rejected) == (4, []), report.summary()


def test_an_owner_sees_the_team_and_everyone_else_is_told_what_to_do(
    server: LiveServer, admin: Admin, make_client: Callable[[str], Client]
) -> None:
    owner_id = admin.user("olga@example.com")
    viewer_id = admin.user("vic@example.com")
    outsider_id = admin.user("otto@example.com")
    team_id = admin.team(owner_id, {viewer_id: "viewer"})
    admin.team(outsider_id)
    owner, viewer, outsider = (make_client(n) for n in ("olga", "vic", "otto"))
    owner.sign_in(server, "olga@example.com")
    viewer.sign_in(server, "vic@example.com")
    outsider.sign_in(server, "otto@example.com")
    _learn(viewer)
    _learn(outsider)  # another team's learner: never in this team's figures

    service = TeamAnalyticsService(owner.sync)
    assert [t.team_id for t in service.teams_i_own()] == [team_id]
    report = run(service.fetch(team_id, [_course()]))
    olga, vic = report.members
    assert (olga.email, vic.email) == ("olga@example.com", "vic@example.com")
    assert report.not_started == (olga,)
    # Vic: 1 of 2 questions right, l1 of the course's 2 lessons, 120 s in l2.
    assert (vic.quiz_score, vic.completion, vic.seconds) == (0.5, 0.5, 120)
    assert vic.started_at == AT
    headline = report.cell(vic.user_id, "ads#1")
    assert headline is not None
    assert (headline.score, headline.completion) == (0.5, 1.0)
    limits = report.cell(vic.user_id, "ads#2")
    assert limits is not None
    assert (limits.score, limits.completion, limits.seconds) == (None, 0.0, 120)
    assert [(o.objective.text, o.score) for o in report.objectives] == [
        ("Write a headline", 0.5),
        ("Know limits", None),
    ]
    assert [(q.prompt, q.members_answered) for q in report.questions] == [
        ("Which headline is shorter?", 1),
        ("How long may a headline be?", 1),
    ]
    assert [w.week_start.isoformat() for w in report.weeks] == ["2025-03-03", "2025-03-10"]
    # A date range: the second week only.
    ranged = run(service.fetch(team_id, [_course()], "ads", AT + timedelta(days=7)))
    assert (ranged.members[1].seconds, ranged.members[1].lessons_completed) == (120, 0)
    assert ranged.members[1].started  # started before the range

    # A viewer of the team: only owners.
    with pytest.raises(TeamAnalyticsError) as problem:
        run(TeamAnalyticsService(viewer.sync).fetch(team_id, [_course()]))
    assert problem.value.action == "not_owner"
    assert "Only owners of “Marketing”" in problem.value.message
    assert TeamAnalyticsService(viewer.sync).teams_i_own() == []

    # Someone from another team.
    with pytest.raises(TeamAnalyticsError) as problem:
        run(TeamAnalyticsService(outsider.sync).fetch(team_id, [_course()]))
    assert problem.value.action == "not_member"
    assert "not a member of this team" in problem.value.message

    # Signed out.
    run(viewer.account.sign_out())
    with pytest.raises(TeamAnalyticsError) as problem:
        run(TeamAnalyticsService(viewer.sync).fetch(team_id, [_course()]))
    assert problem.value.action == "sign_in"
    assert "Settings → Account" in problem.value.message

    # The server is gone.
    server.kill()
    with pytest.raises(TeamAnalyticsError) as problem:
        run(service.fetch(team_id, [_course()]))
    assert problem.value.action == "check_server"
    assert "cannot reach" in problem.value.message
    assert server.url.removeprefix("http://") in problem.value.message
