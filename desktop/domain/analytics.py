"""Personal analytics: what one learner, marketer or policy writer learns from their own
local data (issue 10, the offline part).

This module holds the *shapes* of the answers (frozen dataclasses the UI draws) and the
pure rules behind them (local days and weeks, streaks, rates, review due dates, the
"what to do next" choice), so each rule can be tested without a database or Qt. The SQL
that gathers the raw figures is :mod:`desktop.storage.analytics`; the service putting
the two together is :mod:`desktop.services.analytics`.

Conventions for every figure below:

- durations are **seconds** (``float``), latencies **milliseconds** as stored;
- scores, progress and rates are fractions **0..1** (never percents);
- ``None`` means "no data to say anything" (e.g. an acceptance rate with no variant),
  as opposed to a real zero;
- days and weeks are the user's **local** calendar days (the filter's ``zone``); a week
  starts on Monday and is named by that Monday's date;
- datetimes are aware (UTC), as stored.

Course progress reuses the completion rules of :mod:`desktop.domain.progress`
(:func:`~desktop.domain.progress.summarize`); nothing here decides on its own whether a
lesson is complete.
"""

from __future__ import annotations

import enum
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from itertools import pairwise

from desktop.domain.course import Course
from desktop.domain.progress import CourseProgress

# -- filter ------------------------------------------------------------------------------


def local_zone() -> tzinfo:
    """The machine's current local time zone (fixed offset as of now when the system
    does not name one)."""
    zone = datetime.now().astimezone().tzinfo
    return zone if zone is not None else UTC


@dataclass(frozen=True, slots=True)
class AnalyticsFilter:
    """Which data a figure covers.

    ``since`` and ``until`` are *local* calendar days, both included (``None``: no bound).
    ``course_id`` narrows the learning figures to one course (content and policy figures
    have no course and ignore it). ``zone`` is the time zone whose days count (``None``:
    the machine's local zone, read when the figures are computed).

    How the range applies (documented so the numbers read honestly):

    - course and module progress is the state *at the end* of the range (events up to
      ``until``; ``since`` does not forget lessons completed before it), while the time
      spent shown next to it is the time spent *within* the range;
    - weeks, objectives (scores and attempts), content and policy approvals count only
      what happened within the range;
    - streaks ignore ``since`` (a streak is about the days up to ``until``/today).
    """

    since: date | None = None
    until: date | None = None
    course_id: str | None = None
    zone: tzinfo | None = None

    def __post_init__(self) -> None:
        if self.since is not None and self.until is not None and self.since > self.until:
            raise ValueError(
                f"The date range starts ({self.since}) after it ends ({self.until}): "
                "pick a start date on or before the end date."
            )

    def tz(self) -> tzinfo:
        """The zone whose calendar days count."""
        return self.zone if self.zone is not None else local_zone()

    def start_utc(self) -> datetime | None:
        """The first instant of ``since`` (local midnight) in UTC, or None."""
        return None if self.since is None else local_midnight(self.since, self.tz())

    def end_utc(self) -> datetime | None:
        """The first instant *after* ``until`` (the next local midnight) in UTC, or None."""
        if self.until is None:
            return None
        return local_midnight(self.until + timedelta(days=1), self.tz())


def local_midnight(day: date, zone: tzinfo) -> datetime:
    """The start of local calendar ``day`` in ``zone``, as an aware UTC datetime."""
    return datetime.combine(day, time(0), tzinfo=zone).astimezone(UTC)


def local_day(moment: datetime, zone: tzinfo) -> date:
    """The local calendar day of an aware ``moment`` in ``zone``."""
    return moment.astimezone(zone).date()


def week_start(day: date) -> date:
    """The Monday of the week ``day`` is in."""
    return day - timedelta(days=day.weekday())


# -- learning ----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ModuleFigures:
    """One module of a course: how many of its lessons are complete."""

    module_id: str
    title: str
    completed_lessons: int
    total_lessons: int
    progress: float  # 0..1, completed_lessons / total_lessons (0.0 for an empty module)
    seconds: float  # time spent in the module's lessons within the range


@dataclass(frozen=True, slots=True)
class CourseFigures:
    """One course: progress (by the course's own completion rules) and time."""

    course_id: str
    title: str
    completed_lessons: int
    total_lessons: int
    progress: float  # 0..1, completed_lessons / total_lessons
    completed: bool  # the course's completion rule is met
    started: bool  # any event in the course up to the end of the range
    seconds: float  # time spent in the course within the range (removed lessons too)
    score: float | None  # 0..1, best quiz scores / points over all its questions; None: no quiz
    last_activity: datetime | None  # latest event up to the end of the range (UTC)
    modules: tuple[ModuleFigures, ...] = ()  # in course order


@dataclass(frozen=True, slots=True)
class WeekFigures:
    """Time spent in one local week (Monday ``start`` .. Sunday)."""

    start: date
    seconds: float
    active_days: int  # local days of the week with any learning event


@dataclass(frozen=True, slots=True)
class DayFigures:
    """Time spent on one local day that had learning activity."""

    day: date
    seconds: float
    events: int


@dataclass(frozen=True, slots=True)
class ObjectiveFigures:
    """How well the learner does on one lesson objective ("where am I weak?").

    An objective is a line of a lesson's ``objectives``; its questions are the questions
    of the lessons that list it (the same text in two lessons of a course is one
    objective). Counts cover quiz attempts within the range."""

    course_id: str
    course_title: str
    objective: str
    lesson_ids: tuple[str, ...]  # lessons listing it, in course order
    questions: int  # current questions of those lessons
    answered_questions: int  # of them, attempted at least once
    attempts: int
    correct_attempts: int
    score: float | None  # 0..1, sum of best scores / points of the answered questions
    correct_rate: float | None  # 0..1, correct_attempts / attempts
    weak: bool  # score below WEAK_SCORE (or never right): suggested for a retake


@dataclass(frozen=True, slots=True)
class Streak:
    """Consecutive local days with learning activity."""

    current_days: int  # ending today, or yesterday when today has no activity yet
    longest_days: int
    last_active_day: date | None
    active_today: bool


class NextStepKind(enum.StrEnum):
    RESUME = "resume"  # continue the lesson last worked on
    RETAKE = "retake"  # practise a lesson of a weak objective again
    START = "start"  # the next lesson not started yet


@dataclass(frozen=True, slots=True)
class NextStep:
    """One concrete suggestion: open this lesson (at this slide), because ``reason``."""

    kind: NextStepKind
    course_id: str
    course_title: str
    lesson_id: str
    lesson_title: str
    slide_id: str | None  # where to open it (the resume point); None: the first slide
    reason: str  # one sentence for the user


@dataclass(frozen=True, slots=True)
class LearningTotals:
    """The whole range at a glance (within the course filter)."""

    seconds: float  # time spent within the range
    active_days: int  # local days with any learning event within the range
    completed_lessons: int  # at the end of the range, over the courses shown
    total_lessons: int
    completed_courses: int
    attempts: int  # quiz attempts within the range
    correct_rate: float | None  # 0..1, correct attempts / attempts


@dataclass(frozen=True, slots=True)
class LearningFigures:
    """Everything the Analytics section shows about learning."""

    filter: AnalyticsFilter
    courses: tuple[CourseFigures, ...]  # library order; only the filtered course if set
    # Weeks and days count every learning event (of the filtered course), also in courses
    # no longer in the library; the courses' own seconds count only theirs.
    weeks: tuple[WeekFigures, ...]  # contiguous, oldest first, empty weeks included
    days: tuple[DayFigures, ...]  # active local days within the range, oldest first
    objectives: tuple[ObjectiveFigures, ...]  # weakest first; never-attempted ones last
    streak: Streak
    next_steps: tuple[NextStep, ...]  # at most MAX_NEXT_STEPS, most useful first
    totals: LearningTotals


# How far back the weeks go when the range has no start: the first active week, but at
# most this many weeks before the end (a year of bars is as much as a chart can show).
MAX_WEEKS = 52
# An objective whose best score is below this (0..1) is "weak" and offered for a retake.
WEAK_SCORE = 0.7
MAX_NEXT_STEPS = 3


def weeks_between(
    first: date, last: date, day_seconds: Mapping[date, float], active: Iterable[date] = ()
) -> tuple[WeekFigures, ...]:
    """Contiguous weeks from the week of ``first`` to the week of ``last`` (both local
    days), each with its seconds (from ``day_seconds``) and active days (``active``:
    days with any event; days with seconds count as active too). Empty weeks are kept."""
    if last < first:
        return ()
    seconds: dict[date, float] = {}
    days_by_week: dict[date, set[date]] = {}
    for day, secs in day_seconds.items():
        if first <= day <= last:
            monday = week_start(day)
            seconds[monday] = seconds.get(monday, 0.0) + secs
            if secs > 0:
                days_by_week.setdefault(monday, set()).add(day)
    for day in active:
        if first <= day <= last:
            days_by_week.setdefault(week_start(day), set()).add(day)
    result: list[WeekFigures] = []
    monday = week_start(first)
    while monday <= last:
        result.append(
            WeekFigures(monday, seconds.get(monday, 0.0), len(days_by_week.get(monday, ())))
        )
        monday += timedelta(days=7)
    return tuple(result)


def streak(active_days: Iterable[date], today: date) -> Streak:
    """Current and longest runs of consecutive active days. The current streak is alive
    while today or yesterday is active (the day is not over yet); days after ``today``
    (a clock set wrong on another device) are ignored."""
    days = sorted({d for d in active_days if d <= today})
    if not days:
        return Streak(0, 0, None, False)
    longest = run = 1
    for previous, day in pairwise(days):
        run = run + 1 if day - previous == timedelta(days=1) else 1
        longest = max(longest, run)
    last = days[-1]
    current = 0
    if today - last <= timedelta(days=1):
        current = 1
        for i in range(len(days) - 1, 0, -1):
            if days[i] - days[i - 1] != timedelta(days=1):
                break
            current += 1
    return Streak(current, longest, last, last == today)


def rate(part: float, whole: float) -> float | None:
    """``part / whole``, or None when ``whole`` is zero (nothing to rate)."""
    return part / whole if whole else None


def mean(total: float, count: int) -> float | None:
    """An average, or None over nothing."""
    return total / count if count else None


@dataclass(frozen=True, slots=True)
class OffsetSpan:
    """A stretch of time [start, end) (UTC) over which a zone's UTC offset is constant."""

    start: datetime
    end: datetime
    offset_minutes: int


def offset_spans(zone: tzinfo, start: datetime, end: datetime) -> list[OffsetSpan]:
    """Split [start, end) into spans of constant UTC offset in ``zone`` (daylight saving
    changes), so local days can be counted in SQL with one fixed shift per span. A change
    is found to the quarter hour (zones change on quarter hours)."""

    def offset(moment: datetime) -> int:
        delta = moment.astimezone(zone).utcoffset()
        return int(delta.total_seconds() // 60) if delta is not None else 0

    spans: list[OffsetSpan] = []
    if end <= start:
        return spans
    quarter = timedelta(minutes=15)
    span_start, current, probe = start, offset(start), start
    while probe < end:
        following = min(probe + timedelta(hours=12), end)
        if offset(following) == current:
            probe = following
            continue
        # The change is on a quarter hour between the two: find the first one.
        moment = probe.replace(minute=probe.minute - probe.minute % 15, second=0, microsecond=0)
        while moment <= probe or offset(moment) == current:
            moment += quarter
        spans.append(OffsetSpan(span_start, moment, current))
        span_start, current, probe = moment, offset(moment), moment
    spans.append(OffsetSpan(span_start, end, current))
    return spans


def objective_is_weak(score: float | None, answered: int, correct_attempts: int) -> bool:
    """Weak: answered, and the best score is below :data:`WEAK_SCORE` or nothing was
    ever right."""
    if answered == 0:
        return False
    return (score is not None and score < WEAK_SCORE) or correct_attempts == 0


def weakest_first(objectives: Iterable[ObjectiveFigures]) -> tuple[ObjectiveFigures, ...]:
    """Answered objectives by score (lowest first; ties: lower correct rate, more
    attempts), then the never-attempted ones in course order."""

    def key(o: ObjectiveFigures) -> tuple[float, float, int]:
        score = o.score if o.score is not None else math.inf
        correct = o.correct_rate if o.correct_rate is not None else math.inf
        return (score, correct, -o.attempts)

    items = list(objectives)
    answered = sorted((o for o in items if o.answered_questions), key=key)
    return (*answered, *(o for o in items if not o.answered_questions))


@dataclass(frozen=True, slots=True)
class ResumeAt:
    """The last slide viewed in a course (input to :func:`next_steps`)."""

    course_id: str
    lesson_id: str
    slide_id: str
    at: datetime


def next_steps(
    courses: Sequence[tuple[Course, CourseProgress]],
    resume: ResumeAt | None,
    objectives: Sequence[ObjectiveFigures],
    limit: int = MAX_NEXT_STEPS,
) -> tuple[NextStep, ...]:
    """A few concrete lessons to open next, most useful first, each lesson once:

    1. resume: the lesson of the last slide viewed, if it is not complete yet;
    2. retake: for each weak objective (weakest first), its first lesson in course order;
    3. start: in the courses worked on most recently (then the others, in library order),
       the first lesson not started yet; a course already complete offers nothing.
    """
    by_id = {course.id: (course, progress) for course, progress in courses}
    steps: list[NextStep] = []
    seen: set[tuple[str, str]] = set()

    def add(
        kind: NextStepKind, course: Course, lesson_id: str, slide: str | None, why: str
    ) -> None:
        if len(steps) >= limit or (course.id, lesson_id) in seen:
            return
        lesson = course.lessons.get(lesson_id)
        if lesson is None:
            return
        seen.add((course.id, lesson_id))
        steps.append(NextStep(kind, course.id, course.title, lesson_id, lesson.title, slide, why))

    if resume is not None and resume.course_id in by_id:
        course, progress = by_id[resume.course_id]
        lp = progress.lessons.get(resume.lesson_id)
        if lp is not None and not lp.completed:
            add(
                NextStepKind.RESUME,
                course,
                resume.lesson_id,
                resume.slide_id,
                "You stopped here last time; pick up where you left off.",
            )
    for objective in objectives:
        if not objective.weak or objective.course_id not in by_id:
            continue
        course, _ = by_id[objective.course_id]
        quizzed = [
            lid
            for lid in objective.lesson_ids
            if lid in course.lessons and course.lessons[lid].questions
        ]
        if quizzed:
            score = (
                "no right answer yet"
                if objective.score is None
                else (f"best score {objective.score:.0%}")
            )
            add(
                NextStepKind.RETAKE,
                course,
                quizzed[0],
                None,
                f"Practise “{objective.objective}” again ({score}).",
            )
    ordered = sorted(
        courses,
        key=lambda cp: cp[1].last_activity or datetime.min.replace(tzinfo=UTC),
        reverse=True,
    )
    for course, progress in ordered:
        if progress.completed:
            continue
        for lesson_id, lp in progress.lessons.items():
            if not lp.completed and not lp.opened and lp.last_activity is None:
                why = (
                    "The next lesson you have not started in this course."
                    if progress.started
                    else "A course you have not started yet."
                )
                add(NextStepKind.START, course, lesson_id, None, why)
                break
    return tuple(steps)


# -- content -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class CountFigures:
    """How many generations had one value of a key (a content type, a provider)."""

    key: str  # the stored id (content type id, provider name)
    label: str  # what the user calls it (the content type's label; the provider's name)
    generations: int
    share: float  # 0..1 of all generations in the range
    variants: int
    accepted: int  # variants favourited or exported
    acceptance_rate: float | None  # 0..1, accepted / variants


@dataclass(frozen=True, slots=True)
class FindingFigures:
    """One quality check, by how often it was hit."""

    code: str
    severity: str  # error, warning, info (as stored)
    message: str  # one stored message of it, as an example
    hits: int  # findings with this code over all variants in the range
    variants: int  # variants with at least one such finding


@dataclass(frozen=True, slots=True)
class ContentWeekFigures:
    start: date  # Monday (local)
    generations: int


@dataclass(frozen=True, slots=True)
class ContentFigures:
    """Content Studio in the range (the course filter does not apply)."""

    filter: AnalyticsFilter
    generations: int  # all stored generations, failed ones included
    failed: int  # status failed or cancelled
    by_type: tuple[CountFigures, ...]  # most generations first
    by_provider: tuple[CountFigures, ...]  # most generations first
    variants: int
    favourited: int
    exported: int
    accepted: int  # favourited or exported (a variant counts once)
    acceptance_rate: float | None  # 0..1, accepted / variants
    findings: tuple[FindingFigures, ...]  # most hits first, at most MAX_FINDINGS
    average_latency_ms: float | None  # successful, non-cached generations with a latency
    average_prompt_tokens: float | None  # per successful generation
    average_completion_tokens: float | None  # per successful generation
    average_cost_usd: float | None  # per successful generation with a known cost
    total_cost_usd: float  # sum of known costs
    cache_hits: int  # successful generations answered from the response cache
    cache_hit_rate: float | None  # 0..1, cache_hits / successful generations
    weeks: tuple[ContentWeekFigures, ...] = ()  # contiguous, oldest first


MAX_FINDINGS = 10


# -- policies ----------------------------------------------------------------------------

# Review rule: an approved policy is due for review REVIEW_AFTER_MONTHS after its
# effective date (the same day of the month, or the month's last day); it is "due soon"
# from DUE_SOON_DAYS before that day, and "overdue" after it.
REVIEW_AFTER_MONTHS = 12
DUE_SOON_DAYS = 30

POLICY_STATES: tuple[tuple[str, str], ...] = (
    ("draft", "Draft"),
    ("in_review", "In review"),
    ("changes_requested", "Changes requested"),
    ("approved", "Approved"),
)


class ReviewStatus(enum.StrEnum):
    OK = "ok"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"


def add_months(day: date, months: int) -> date:
    """``day`` moved by whole months, clamped to the month's last day (29 Feb + 12 -> 28 Feb)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_month = date(year + month // 12, month % 12 + 1, 1)
    last = (next_month - timedelta(days=1)).day
    return date(year, month, min(day.day, last))


def review_date(effective: date) -> date:
    """When a policy effective on ``effective`` is due for review."""
    return add_months(effective, REVIEW_AFTER_MONTHS)


def review_status(effective: date, today: date) -> ReviewStatus:
    """OVERDUE after the review date, DUE_SOON within DUE_SOON_DAYS of it (the review day
    itself included), else OK."""
    due = review_date(effective)
    if today > due:
        return ReviewStatus.OVERDUE
    if (due - today).days <= DUE_SOON_DAYS:
        return ReviewStatus.DUE_SOON
    return ReviewStatus.OK


@dataclass(frozen=True, slots=True)
class StateCount:
    state: str  # one of POLICY_STATES' ids
    label: str
    documents: int


@dataclass(frozen=True, slots=True)
class PolicyReviewDue:
    """An approved policy whose review is due soon or overdue."""

    document_id: str  # the document's UUID as 32 hex digits
    title: str
    policy_type: str
    version: int  # the approved version's number
    effective_date: date
    review_on: date  # effective_date + REVIEW_AFTER_MONTHS
    days_left: int  # until review_on; negative: overdue by that many days
    status: ReviewStatus


@dataclass(frozen=True, slots=True)
class PolicyFigures:
    """Policy Studio (the course filter does not apply)."""

    filter: AnalyticsFilter
    today: date
    documents: int  # documents not deleted
    by_state: tuple[StateCount, ...]  # each state once, in POLICY_STATES order; latest version
    approvals: int  # versions approved within the range
    average_seconds_to_approval: float | None  # draft created -> approved, those approvals
    median_seconds_to_approval: float | None
    reviews: tuple[PolicyReviewDue, ...]  # due soon or overdue; most urgent first
    due_soon: int
    overdue: int
    approved_without_date: int  # approved documents with no effective date: never due


def median(values: Sequence[float]) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    mid = len(ordered) // 2
    return ordered[mid] if len(ordered) % 2 else (ordered[mid - 1] + ordered[mid]) / 2


# -- the Home dashboard ------------------------------------------------------------------

DASHBOARD_WEEKS = 8


@dataclass(frozen=True, slots=True)
class Dashboard:
    """What the Home page shows, all in one read: every course's ring, the last
    DASHBOARD_WEEKS weeks of time, the streak, the next step and headline numbers of
    content and policies (all time, except the weeks)."""

    today: date  # local day the figures were made for
    courses: tuple[CourseFigures, ...]  # every library course; progress rings
    weeks: tuple[WeekFigures, ...]  # the last DASHBOARD_WEEKS weeks, this week last
    streak: Streak
    next_step: NextStep | None
    next_steps: tuple[NextStep, ...]
    seconds_this_week: float
    generations: int  # all time
    acceptance_rate: float | None  # 0..1, all time
    policies: int  # documents
    policy_states: tuple[StateCount, ...]
    reviews_due_soon: int
    reviews_overdue: int
