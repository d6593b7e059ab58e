"""Analytics read-outs: a team's aggregates for its owners, and your own for everyone.

The server computes every figure from the events it already holds; a client never
downloads another member's raw events.

**Objectives.** The server does not know course content: it reports lessons, questions
and courses by id. The client maps a lesson (and its questions) to the objectives its
local course file names, and divides ``lessons_completed`` by the number of lessons the
course has, to show completion and a heat map of objectives.

**Time.** An event happened at the device's clock (``occurred_at``), or when it reached
the server if the device sent no time. ``since`` and ``until`` select events with
``since <= time < until``; weeks start on Monday, 00:00 UTC.

**Scores** are the 0-100 scores the devices recorded for quiz attempts. A question's
score is its best attempt; a ``quiz_score`` is the mean of the question scores in that
lesson, course or member; a ``best_score`` is the best attempt of any question.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import BaseModel, Field

from sync_server.protocol.v1 import RoleName

__all__ = [
    "CourseStats",
    "LearnerStats",
    "LessonCell",
    "LessonStats",
    "MemberAnalytics",
    "MyAnalyticsOut",
    "QuestionStats",
    "TeamAnalyticsOut",
    "TeamLessonStats",
    "TeamQuestionStats",
    "TemplateActivity",
    "TemplateStats",
    "WeekStats",
]


class LessonStats(BaseModel):
    """One learner in one lesson."""

    course_id: str
    lesson_id: str
    completed: bool
    best_score: float | None = Field(description="Best attempt of any question in the lesson.")
    quiz_score: float | None = Field(
        description="Mean over the lesson's answered questions of each question's best score."
    )
    questions_answered: int
    questions_correct: int = Field(description="Questions answered correctly at least once.")
    attempts: int
    correct_attempts: int
    seconds: int
    first_active_at: datetime
    last_active_at: datetime


class CourseStats(BaseModel):
    """One learner in one course. Completion in percent is ``lessons_completed`` over the
    course's lesson count, which the client knows from its course file."""

    course_id: str
    lessons_started: int
    lessons_completed: int
    attempts: int
    correct_attempts: int
    questions_answered: int = Field(description="Distinct questions answered.")
    questions_correct: int = Field(description="Questions answered correctly at least once.")
    quiz_score: float | None
    seconds: int
    first_active_at: datetime
    last_active_at: datetime


class TemplateActivity(BaseModel):
    """Team template work of one member (or of the whole team).

    ``revisions`` = ``created`` + ``edits`` + ``deletions`` + ``restores``. A conflict is a
    text of this member that did not merge and was kept as a conflict copy; it counts as
    resolved once a newer revision of that template was saved (keeping the team's text
    is decided on the device and sends nothing, so such a conflict is resolved by the
    next save). Which templates a member generated content from is not sent to the
    server."""

    revisions: int = 0
    created: int = 0
    edits: int = 0
    deletions: int = 0
    restores: int = 0
    templates: int = Field(default=0, description="Distinct templates touched.")
    conflicts: int = 0
    conflicts_resolved: int = 0
    last_edited_at: datetime | None = None


class LearnerStats(BaseModel):
    """A learner's totals and per course figures, within the filter."""

    started_at: datetime | None = Field(
        description="First progress event (for the course filter, before ``until``, "
        "whatever ``since`` says); null: has not started."
    )
    last_active_at: datetime | None
    lessons_started: int
    lessons_completed: int
    attempts: int
    correct_attempts: int
    questions_answered: int = Field(description="Distinct questions answered.")
    questions_correct: int = Field(description="Questions answered correctly at least once.")
    quiz_score: float | None
    seconds: int
    courses: list[CourseStats]
    templates: TemplateActivity


LessonCell = tuple[int, bool, int, int, int, float | None]
"""One member in one lesson, as a JSON array (a team's answer has one per member and
lesson touched, thousands of them):
``[lesson, completed, questions_answered, questions_correct, seconds, quiz_score]``, where
``lesson`` is the index of the lesson in ``TeamAnalyticsOut.lessons``."""


class MemberAnalytics(LearnerStats):
    """One current member. Per lesson detail comes as compact ``lessons`` cells (see
    ``LessonCell``); a member reads their own in full at ``/v1/analytics/me``."""

    user_id: uuid.UUID
    email: str
    display_name: str
    role: RoleName
    lessons: list[LessonCell] = Field(
        description="[lesson index into the team's lessons, completed, questions answered, "
        "questions answered correctly, seconds, quiz score], per lesson touched."
    )


class QuestionStats(BaseModel):
    """One learner and one question (own analytics)."""

    course_id: str
    lesson_id: str
    question_id: str
    attempts: int
    correct_attempts: int
    best_score: float | None


class TeamLessonStats(BaseModel):
    """One lesson across the team's members."""

    course_id: str
    lesson_id: str
    members_started: int
    members_completed: int
    attempts: int
    seconds: int
    questions_answered: int = Field(description="(member, question) pairs answered.")
    questions_correct: int = Field(description="Of those, answered correctly at least once.")
    average_best_score: float | None = Field(description="Mean of the members' best scores.")
    quiz_score: float | None = Field(description="Mean over members and questions.")


class TeamQuestionStats(BaseModel):
    """One question across the team's members: which questions the team gets wrong."""

    course_id: str
    lesson_id: str
    question_id: str
    members_answered: int
    members_correct: int = Field(description="Members who answered correctly at least once.")
    attempts: int
    correct_attempts: int
    average_best_score: float | None


class WeekStats(BaseModel):
    week_start: date = Field(description="The Monday (UTC) the week starts on.")
    seconds: int
    active_members: int
    attempts: int
    completions: int


class TemplateStats(BaseModel):
    """Edit activity on one team template within the filter's dates."""

    template_id: uuid.UUID
    revisions: int
    editors: int
    conflicts: int
    conflicts_open: int
    last_edited_at: datetime | None


class TeamAnalyticsOut(BaseModel):
    """Everything an owner's Analytics screen shows for a team. ``members`` lists every
    current member, those who have not started included (``not_started`` names them).
    ``lessons`` is every lesson a member touched, in (course, lesson) order; each member's
    ``lessons`` cells point into it."""

    team_id: uuid.UUID
    course_id: str | None
    since: datetime | None
    until: datetime | None
    members: list[MemberAnalytics]
    not_started: list[uuid.UUID]
    lessons: list[TeamLessonStats]
    questions: list[TeamQuestionStats]
    weeks: list[WeekStats]
    templates: list[TemplateStats]
    template_totals: TemplateActivity


class MyAnalyticsOut(LearnerStats):
    """Your own figures (any signed-in user). ``templates`` covers the teams you are in."""

    user_id: uuid.UUID
    course_id: str | None
    since: datetime | None
    until: datetime | None
    lessons: list[LessonStats]
    questions: list[QuestionStats]
    weeks: list[WeekStats]
