"""What a team owner's Analytics tab shows: the team's learning and template figures.

The sync server computes every figure from the members' events (an owner never downloads
anyone's raw events) and reports lessons and questions by id; this module holds the
figures once the client has put names on them from its local course files
(:func:`objectives_of`, :func:`score_objectives`). Pure Python, no I/O.

Conventions for every class here:

* **Times** are aware ``datetime`` in UTC; **durations** are whole seconds (``int``).
* **Scores and shares** are floats from 0 to 1, ``None`` when there is nothing to score
  (no question answered, no lesson known). Quizzes are graded all-or-nothing, so a
  question's score is 1 once it was answered correctly and 0 otherwise; a score over
  several questions is the share of answered questions answered correctly at least once
  (``questions_correct / questions_answered``).
* **Ids** are the strings the course files and the server use; ``user_id`` and
  ``template_id`` are ``uuid.UUID``.
* Tuples keep the order a view should show them in (members by email, lessons and
  objectives in course order, weeks oldest first, templates most edited first).

Stable: fields are only ever added, never renamed or removed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime

from desktop.domain.course import Course

__all__ = [
    "LessonCell",
    "LessonSummary",
    "MemberCourseProgress",
    "MemberObjectiveScore",
    "MemberReport",
    "Objective",
    "ObjectiveScore",
    "QuestionSummary",
    "TeamReport",
    "TemplateUsage",
    "TemplateWork",
    "WeekActivity",
    "objectives_of",
    "score_objectives",
    "share",
]


def share(part: int, whole: int) -> float | None:
    """``part / whole`` as a 0..1 share; ``None`` when ``whole`` is 0 (nothing to count)."""
    return None if whole <= 0 else part / whole


@dataclass(frozen=True, slots=True)
class TemplateWork:
    """Team template work of one member, or of the whole team, within the date range.

    ``revisions`` = ``created`` + ``edits`` + ``deletions`` + ``restores``. A conflict is a
    text of this member that did not merge and was kept as a conflict copy; it counts as
    resolved once a newer revision of that template was saved."""

    revisions: int = 0  # template revisions saved (all kinds)
    created: int = 0  # templates created (their first revision)
    edits: int = 0  # revisions that changed an existing template's text
    deletions: int = 0  # templates deleted
    restores: int = 0  # older revisions restored
    templates_touched: int = 0  # distinct templates with at least one revision
    conflicts: int = 0  # conflict copies of this member's text
    conflicts_resolved: int = 0  # of those, how many are resolved
    last_edited_at: datetime | None = None  # newest revision; None: no revision

    @property
    def conflicts_open(self) -> int:
        """Conflict copies nobody has resolved yet."""
        return self.conflicts - self.conflicts_resolved


@dataclass(frozen=True, slots=True)
class MemberCourseProgress:
    """One member in one course.

    ``lessons_total`` comes from the local course file (0 when this course is not
    installed here, then ``completion`` is ``None``)."""

    course_id: str
    course_title: str  # from the local course file; the id when it is not installed
    lessons_total: int  # lessons the course has now (local course file)
    lessons_started: int  # lessons with at least one event in the range
    lessons_completed: int  # lessons completed in the range
    completion: float | None  # lessons_completed / lessons_total, 0..1
    quiz_score: float | None  # 0..1, share of answered questions answered correctly
    questions_answered: int  # distinct questions answered
    questions_correct: int  # of those, answered correctly at least once
    seconds: int  # time spent in the course, seconds
    last_active_at: datetime | None  # newest event in the course


@dataclass(frozen=True, slots=True)
class LessonCell:
    """One member in one lesson: a cell of the member x lesson matrix behind the heat
    map. Only lessons the member has touched in the range have a cell."""

    course_id: str
    lesson_id: str
    completed: bool  # completed in the range
    questions_answered: int  # distinct questions answered
    questions_correct: int  # of those, answered correctly at least once
    seconds: int  # time spent, seconds

    @property
    def score(self) -> float | None:
        """0..1: share of answered questions answered correctly; None: no question."""
        return share(self.questions_correct, self.questions_answered)


@dataclass(frozen=True, slots=True)
class MemberReport:
    """One current member of the team, whether they have started or not."""

    user_id: uuid.UUID
    email: str
    display_name: str  # may be empty; use ``name`` to show someone
    role: str  # "owner", "editor" or "viewer"
    started_at: datetime | None  # first progress event ever (ignores ``since``); None: not started
    last_active_at: datetime | None  # newest progress event in the range
    lessons_started: int  # lessons with at least one event in the range
    lessons_completed: int  # lessons completed in the range
    attempts: int  # quiz attempts in the range
    correct_attempts: int  # of those, correct
    questions_answered: int  # distinct questions answered
    questions_correct: int  # of those, answered correctly at least once
    quiz_score: float | None  # 0..1 over all answered questions
    seconds: int  # time spent learning in the range, seconds
    completion: float | None  # 0..1: lessons completed / lessons of the courses reported on
    courses: tuple[MemberCourseProgress, ...]  # courses the member touched, in course order
    lessons: tuple[LessonCell, ...]  # lessons the member touched (heat map cells)
    templates: TemplateWork  # this member's template work in the range

    @property
    def name(self) -> str:
        """What to call the member: the display name, or the email without one."""
        return self.display_name or self.email

    @property
    def started(self) -> bool:
        """Has this member ever recorded progress (before ``until``)?"""
        return self.started_at is not None


@dataclass(frozen=True, slots=True)
class Objective:
    """A learning objective from a local course file.

    A lesson's objectives are its own ``objectives``; a lesson that names none falls
    under its course's ``objectives``, and when the course names none either, under its
    own title. The same text twice in one course is one objective."""

    key: str  # stable within a report: "<course id>#<n>" (n counts from 1, course order)
    course_id: str
    course_title: str
    text: str  # the objective as the course file words it
    lesson_ids: tuple[str, ...]  # lessons that teach it, in course order


@dataclass(frozen=True, slots=True)
class ObjectiveScore:
    """One objective across the team: where is the team weak?"""

    objective: Objective
    members_answered: int  # members who answered at least one of its questions
    questions_answered: int  # (member, question) pairs answered
    questions_correct: int  # of those, answered correctly at least once
    score: float | None  # 0..1: questions_correct / questions_answered
    lessons_completed: int  # (member, lesson) pairs completed among its lessons
    completion: float | None  # 0..1: lessons_completed / (members x its lessons)


@dataclass(frozen=True, slots=True)
class MemberObjectiveScore:
    """One member and one objective: a cell of the objectives heat map."""

    user_id: uuid.UUID
    objective_key: str  # ``Objective.key``
    questions_answered: int  # distinct questions answered in its lessons
    questions_correct: int  # of those, answered correctly at least once
    score: float | None  # 0..1; None: no question answered (an empty cell)
    lessons_completed: int  # of its lessons, how many this member completed
    lessons_total: int  # lessons that teach it
    seconds: int  # time spent in its lessons, seconds

    @property
    def completion(self) -> float | None:
        """0..1 of the objective's lessons completed."""
        return share(self.lessons_completed, self.lessons_total)


@dataclass(frozen=True, slots=True)
class LessonSummary:
    """One lesson across the team."""

    course_id: str
    lesson_id: str
    lesson_title: str  # from the local course file; the id when it is not installed
    members_started: int
    members_completed: int
    completion: float | None  # 0..1: members_completed / members in the team
    attempts: int  # quiz attempts
    seconds: int  # time spent by everyone, seconds
    questions_answered: int  # (member, question) pairs answered
    questions_correct: int  # of those, answered correctly at least once
    quiz_score: float | None  # 0..1: questions_correct / questions_answered


@dataclass(frozen=True, slots=True)
class QuestionSummary:
    """One quiz question across the team: which questions the team gets wrong."""

    course_id: str
    lesson_id: str
    question_id: str
    prompt: str  # from the local course file; the id when it is not found
    members_answered: int
    members_correct: int  # members who answered correctly at least once
    attempts: int
    correct_attempts: int
    score: float | None  # 0..1: members_correct / members_answered


@dataclass(frozen=True, slots=True)
class WeekActivity:
    """The team's learning in one week (weeks start Monday 00:00 UTC)."""

    week_start: date  # the Monday
    seconds: int  # time spent by everyone, seconds
    active_members: int  # members with at least one event that week
    attempts: int  # quiz attempts
    completions: int  # lesson completions


@dataclass(frozen=True, slots=True)
class TemplateUsage:
    """Edit activity on one team template in the range. Which templates people generated
    content from is not sent to the server, so usage is edit activity."""

    template_id: uuid.UUID
    name: str  # the template's name if this device knows it, else ""
    revisions: int  # revisions saved
    editors: int  # distinct members who saved one
    conflicts: int  # conflict copies
    conflicts_open: int  # of those, not resolved yet
    last_edited_at: datetime | None


@dataclass(frozen=True, slots=True)
class TeamReport:
    """Everything the Team analytics tab shows for one team and one filter."""

    team_id: uuid.UUID
    course_id: str | None  # the course filter; None: all courses
    since: datetime | None  # events at or after this time; None: from the start
    until: datetime | None  # events before this time; None: up to now
    members: tuple[MemberReport, ...]  # every current member, by email
    objectives: tuple[ObjectiveScore, ...]  # per objective across the team, course order
    member_objectives: tuple[MemberObjectiveScore, ...]  # heat map cells (member x objective)
    lessons: tuple[LessonSummary, ...]  # per lesson across the team, course order
    questions: tuple[QuestionSummary, ...]  # per question across the team
    weeks: tuple[WeekActivity, ...]  # oldest first; weeks without activity are absent
    templates: tuple[TemplateUsage, ...]  # most revisions first
    template_totals: TemplateWork  # the whole team's template work
    unknown_courses: tuple[str, ...] = ()  # course ids with data but no local course file
    _cells: Mapping[tuple[uuid.UUID, str], MemberObjectiveScore] = field(
        default_factory=dict, repr=False, compare=False
    )

    def __post_init__(self) -> None:
        if not self._cells and self.member_objectives:
            cells = {(c.user_id, c.objective_key): c for c in self.member_objectives}
            object.__setattr__(self, "_cells", cells)

    @property
    def not_started(self) -> tuple[MemberReport, ...]:
        """Members who have never recorded progress (before ``until``)."""
        return tuple(m for m in self.members if not m.started)

    @property
    def has_learning(self) -> bool:
        """Is there any learning figure to draw (someone active in the range)?"""
        return any(m.lessons_started for m in self.members)

    def cell(self, user_id: uuid.UUID, objective_key: str) -> MemberObjectiveScore | None:
        """The heat map cell of one member and one objective; None: nothing done there."""
        return self._cells.get((user_id, objective_key))


# -- mapping lessons to objectives ------------------------------------------------------


def objectives_of(courses: Iterable[Course]) -> tuple[Objective, ...]:
    """The objectives of ``courses``, in course and lesson order, each with the lessons
    that teach it (see :class:`Objective` for lessons that name none)."""
    out: list[Objective] = []
    for course in courses:
        lessons: dict[str, list[str]] = {}  # objective text -> lesson ids, first seen first
        for lesson in course.ordered_lessons():
            texts = lesson.objectives or course.objectives or (lesson.title or lesson.id,)
            for text in dict.fromkeys(t.strip() for t in texts if t.strip()):
                lessons.setdefault(text, []).append(lesson.id)
        for n, (text, ids) in enumerate(lessons.items(), start=1):
            out.append(Objective(f"{course.id}#{n}", course.id, course.title, text, tuple(ids)))
    return tuple(out)


def score_objectives(
    objectives: Iterable[Objective], members: Iterable[MemberReport]
) -> tuple[tuple[ObjectiveScore, ...], tuple[MemberObjectiveScore, ...]]:
    """Per objective across the team, and per member and objective, from the members'
    lesson cells.

    A member's objective score adds up the questions of every lesson that teaches it
    (answered and answered correctly), so a lesson with more questions weighs more. The
    team's score adds up every member's. Members without a cell in any of the objective's
    lessons get no heat map cell; they still count in the team's ``completion``."""
    members = tuple(members)
    team: list[ObjectiveScore] = []
    cells: list[MemberObjectiveScore] = []
    for objective in objectives:
        wanted = set(objective.lesson_ids)
        t_answered = t_correct = t_completed = t_members = 0
        for member in members:
            mine = [
                c
                for c in member.lessons
                if c.course_id == objective.course_id and c.lesson_id in wanted
            ]
            if not mine:
                continue
            answered = sum(c.questions_answered for c in mine)
            correct = sum(c.questions_correct for c in mine)
            completed = sum(1 for c in mine if c.completed)
            cells.append(
                MemberObjectiveScore(
                    user_id=member.user_id,
                    objective_key=objective.key,
                    questions_answered=answered,
                    questions_correct=correct,
                    score=share(correct, answered),
                    lessons_completed=completed,
                    lessons_total=len(objective.lesson_ids),
                    seconds=sum(c.seconds for c in mine),
                )
            )
            t_answered += answered
            t_correct += correct
            t_completed += completed
            t_members += 1 if answered else 0
        team.append(
            ObjectiveScore(
                objective=objective,
                members_answered=t_members,
                questions_answered=t_answered,
                questions_correct=t_correct,
                score=share(t_correct, t_answered),
                lessons_completed=t_completed,
                completion=share(t_completed, len(members) * len(objective.lesson_ids)),
            )
        )
    return tuple(team), tuple(cells)
