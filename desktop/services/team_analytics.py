"""Team analytics for owners: the sync server's team figures, named from the local
course files (:mod:`desktop.domain.team_analytics`).

The server reports lessons and questions by id and scores as the devices recorded them;
this service puts titles, prompts and objectives on them from the courses installed
here and turns scores into 0..1 shares. Every problem a user can meet becomes a
:class:`TeamAnalyticsError` whose message says what to do.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime
from typing import TYPE_CHECKING

from desktop.domain.course import Course
from desktop.domain.team_analytics import (
    LessonCell,
    LessonSummary,
    MemberCourseProgress,
    MemberReport,
    QuestionSummary,
    TeamReport,
    TemplateUsage,
    TemplateWork,
    WeekActivity,
    objectives_of,
    score_objectives,
    share,
)
from desktop.integrations.sync_types import (
    ServerRefused,
    ServerUnreachable,
    SignInRequired,
    SyncProblem,
    UpdateRequired,
)
from desktop.services.sync import SyncService
from desktop.storage.sync import TeamRecord

if TYPE_CHECKING:  # httpx and pydantic load with the first network call
    from desktop.integrations.sync_client import SyncClient
    from sync_server import protocol as p

__all__ = ["TeamAnalyticsError", "TeamAnalyticsService", "build_report"]

SIGNED_OUT = (
    "You are signed out of sync. Sign in under Settings → Account to see your team's analytics."
)
NOT_OWNER = (
    "Only owners of {team} see its members' figures. Ask an owner of the team to show "
    "them to you; your own progress is on the Learning tab."
)
NOT_MEMBER = (
    "You are not a member of this team (any more). Pick one of your teams, or ask one of "
    "its owners for an invitation."
)
BUSY = (
    "The sync server is busy or having trouble (HTTP {status}). Try again in a few "
    "minutes; if it keeps happening, tell whoever runs the server."
)
# ``detail`` is the sync client's sentence: which server, and what to check.
OFFLINE = "Team analytics come from the sync server. {detail}"
TOO_OLD = (
    "This version of Playbook cannot read the sync server's team analytics. Update the "
    "app, then try again (your data stays safe on this computer)."
)
SERVER_TOO_OLD = (
    "The sync server at {url} does not offer team analytics yet. Ask whoever runs it to update it."
)


class TeamAnalyticsError(Exception):
    """Why the team's figures cannot be shown, in a sentence for the user.

    ``action``: ``sign_in``, ``check_server``, ``not_owner``, ``not_member``,
    ``retry_later``, ``update_app`` or ``update_server``."""

    def __init__(self, message: str, action: str) -> None:
        super().__init__(message)
        self.message = message
        self.action = action


class TeamAnalyticsService:
    """Reads a team's figures from the sync server for one of its owners."""

    def __init__(
        self,
        sync: SyncService,
        template_names: Callable[[uuid.UUID], str] | None = None,
    ) -> None:
        """``template_names``: a template's name on this device ("" when unknown)."""
        self._sync = sync
        self._template_names = template_names or (lambda _id: "")

    def teams_i_own(self) -> list[TeamRecord]:
        """The teams this account owns (as last synced), by name."""
        return sorted(
            (t for t in self._sync.teams() if t.role == "owner"), key=lambda t: t.name.lower()
        )

    def owned_teams(self) -> list[tuple[uuid.UUID, str]] | None:
        """(id, name) of :meth:`teams_i_own`; None when this computer is not signed in."""
        if self._sync.account() is None:
            return None
        return [(t.team_id, t.name) for t in self.teams_i_own()]

    async def fetch(
        self,
        team_id: uuid.UUID,
        courses: Sequence[Course],
        course_id: str | None = None,
        since: datetime | None = None,
        until: datetime | None = None,
    ) -> TeamReport:
        """The team's figures for one course (or all) and ``since <= time < until``;
        ``courses``: the courses installed here, which name lessons and objectives.
        Raises :class:`TeamAnalyticsError`."""
        try:
            async with await self._client() as client:
                out = await client.team_analytics(team_id, course_id, since, until)
        except SyncProblem as exc:
            raise self._explain(exc, team_id) from exc
        chosen = [c for c in courses if course_id is None or c.id == course_id]
        return build_report(out, chosen, self._template_names)

    async def _client(self) -> SyncClient:
        account = self._sync.account()
        tokens = self._sync.load_tokens()
        if account is None or tokens is None:
            raise TeamAnalyticsError(SIGNED_OUT, "sign_in")
        return await self._sync.open_client(account.server_url, tokens)

    def _explain(self, exc: SyncProblem, team_id: uuid.UUID) -> TeamAnalyticsError:
        if isinstance(exc, SignInRequired):
            return TeamAnalyticsError(SIGNED_OUT, "sign_in")
        if isinstance(exc, UpdateRequired):
            return TeamAnalyticsError(TOO_OLD, "update_app")
        status = exc.status or 0
        if isinstance(exc, ServerUnreachable):
            if status >= 500:
                return TeamAnalyticsError(BUSY.format(status=status), "retry_later")
            return TeamAnalyticsError(OFFLINE.format(detail=exc.user_message), "check_server")
        if isinstance(exc, ServerRefused):
            if status == 403:
                mine = {t.team_id: t for t in self._sync.teams()}
                if team_id not in mine:
                    return TeamAnalyticsError(NOT_MEMBER, "not_member")
                team = f"“{mine[team_id].name}”"
                return TeamAnalyticsError(NOT_OWNER.format(team=team), "not_owner")
            if status == 429:
                return TeamAnalyticsError(BUSY.format(status=status), "retry_later")
            if status == 404:
                account = self._sync.account()
                url = account.server_url if account else "this address"
                return TeamAnalyticsError(SERVER_TOO_OLD.format(url=url), "update_server")
        return TeamAnalyticsError(exc.user_message, exc.action or "check_server")


# -- from the server's answer to the report --------------------------------------------


def _work(t: p.TemplateActivity) -> TemplateWork:
    return TemplateWork(
        revisions=t.revisions,
        created=t.created,
        edits=t.edits,
        deletions=t.deletions,
        restores=t.restores,
        templates_touched=t.templates,
        conflicts=t.conflicts,
        conflicts_resolved=t.conflicts_resolved,
        last_edited_at=t.last_edited_at,
    )


def _order(courses: Iterable[Course]) -> dict[tuple[str, str], tuple[int, int]]:
    """(course, lesson) -> its place: courses as given, lessons as the modules list them."""
    return {
        (course.id, lesson.id): (c, n)
        for c, course in enumerate(courses)
        for n, lesson in enumerate(course.ordered_lessons())
    }


def build_report(
    out: p.TeamAnalyticsOut,
    courses: Sequence[Course],
    template_names: Callable[[uuid.UUID], str] = lambda _id: "",
) -> TeamReport:
    """The server's answer, with titles, prompts and objectives from ``courses`` (those
    the report covers) and 0..1 scores."""
    by_id = {c.id: c for c in courses}
    course_place = {c.id: n for n, c in enumerate(courses)}
    place = _order(courses)

    def sort_key(course_id: str, lesson_id: str) -> tuple[int, int, str, str]:
        c, n = place.get((course_id, lesson_id), (len(courses), 0))
        return (c, n, course_id, lesson_id)

    def lesson_title(course_id: str, lesson_id: str) -> str:
        course = by_id.get(course_id)
        lesson = course.lessons.get(lesson_id) if course else None
        return lesson.title if lesson else lesson_id

    team_lessons = out.lessons
    members: list[MemberReport] = []
    for m in out.members:
        cells = tuple(
            LessonCell(
                course_id=team_lessons[ix].course_id,
                lesson_id=team_lessons[ix].lesson_id,
                completed=completed,
                questions_answered=answered,
                questions_correct=right,
                seconds=seconds,
            )
            for ix, completed, answered, right, seconds, _score in m.lessons
        )
        done = {(c.course_id, c.lesson_id) for c in cells if c.completed}
        course_rows = sorted(
            m.courses, key=lambda c: (course_place.get(c.course_id, len(courses)), c.course_id)
        )
        progress = []
        for c in course_rows:
            course = by_id.get(c.course_id)
            total = len(course.ordered_lessons()) if course else 0
            completed_now = sum(1 for key in done if key[0] == c.course_id and key in place)
            progress.append(
                MemberCourseProgress(
                    course_id=c.course_id,
                    course_title=course.title if course else c.course_id,
                    lessons_total=total,
                    lessons_started=c.lessons_started,
                    lessons_completed=c.lessons_completed,
                    completion=share(completed_now, total),
                    quiz_score=share(c.questions_correct, c.questions_answered),
                    questions_answered=c.questions_answered,
                    questions_correct=c.questions_correct,
                    seconds=c.seconds,
                    last_active_at=c.last_active_at,
                )
            )
        members.append(
            MemberReport(
                user_id=m.user_id,
                email=m.email,
                display_name=m.display_name,
                role=m.role,
                started_at=m.started_at,
                last_active_at=m.last_active_at,
                lessons_started=m.lessons_started,
                lessons_completed=m.lessons_completed,
                attempts=m.attempts,
                correct_attempts=m.correct_attempts,
                questions_answered=m.questions_answered,
                questions_correct=m.questions_correct,
                quiz_score=share(m.questions_correct, m.questions_answered),
                seconds=m.seconds,
                completion=share(sum(1 for key in done if key in place), len(place)),
                courses=tuple(progress),
                lessons=tuple(sorted(cells, key=lambda c: sort_key(c.course_id, c.lesson_id))),
                templates=_work(m.templates),
            )
        )
    objectives, cells_by_objective = score_objectives(objectives_of(courses), members)
    lessons = tuple(
        LessonSummary(
            course_id=x.course_id,
            lesson_id=x.lesson_id,
            lesson_title=lesson_title(x.course_id, x.lesson_id),
            members_started=x.members_started,
            members_completed=x.members_completed,
            completion=share(x.members_completed, len(members)),
            attempts=x.attempts,
            seconds=x.seconds,
            questions_answered=x.questions_answered,
            questions_correct=x.questions_correct,
            quiz_score=share(x.questions_correct, x.questions_answered),
        )
        for x in sorted(team_lessons, key=lambda x: sort_key(x.course_id, x.lesson_id))
    )
    prompts = {
        (course.id, lesson.id, q.id): q.prompt
        for course in courses
        for lesson in course.ordered_lessons()
        for q in lesson.questions
    }
    questions = tuple(
        QuestionSummary(
            course_id=q.course_id,
            lesson_id=q.lesson_id,
            question_id=q.question_id,
            prompt=prompts.get((q.course_id, q.lesson_id, q.question_id), q.question_id),
            members_answered=q.members_answered,
            members_correct=q.members_correct,
            attempts=q.attempts,
            correct_attempts=q.correct_attempts,
            score=share(q.members_correct, q.members_answered),
        )
        for q in sorted(
            out.questions, key=lambda q: (*sort_key(q.course_id, q.lesson_id), q.question_id)
        )
    )
    seen_courses = {x.course_id for x in team_lessons} | {
        c.course_id for m in out.members for c in m.courses
    }
    return TeamReport(
        team_id=out.team_id,
        course_id=out.course_id,
        since=out.since,
        until=out.until,
        members=tuple(members),
        objectives=objectives,
        member_objectives=cells_by_objective,
        lessons=lessons,
        questions=questions,
        weeks=tuple(
            WeekActivity(
                week_start=w.week_start,
                seconds=w.seconds,
                active_members=w.active_members,
                attempts=w.attempts,
                completions=w.completions,
            )
            for w in out.weeks
        ),
        templates=tuple(
            TemplateUsage(
                template_id=t.template_id,
                name=template_names(t.template_id),
                revisions=t.revisions,
                editors=t.editors,
                conflicts=t.conflicts,
                conflicts_open=t.conflicts_open,
                last_edited_at=t.last_edited_at,
            )
            for t in out.templates
        ),
        template_totals=_work(out.template_totals),
        unknown_courses=tuple(sorted(seen_courses - by_id.keys())),
    )
