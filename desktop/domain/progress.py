"""Learning progress as append-only events, and the aggregates derived from them.

The events are the truth: "completed", "best score" and "time spent" are derived from
them, never kept as running totals that a merge could get wrong. That is what lets two
devices' progress be merged by plain union (:func:`merge_events`) without conflicts, in
any order. The rules read events folded into :class:`Tally` groups (one per kind, slide
and question of a lesson), which is all they need: the database keeps those groups as
events are added, so a learner's progress is read in one row per slide and question
however long their history (:func:`summarize_tallies`), and judged exactly as the events
themselves would be (:func:`summarize`, :func:`lesson_progress`).

Everything is keyed to ids, never positions, and judged against the *current* course:
a slide removed from a lesson no longer blocks its completion, a new slide does.
"""

from __future__ import annotations

import enum
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime

from desktop.domain.course import CompletionKind, Course, CourseCompletionKind, Lesson


class EventKind(enum.StrEnum):
    LESSON_OPENED = "lesson_opened"
    SLIDE_VIEWED = "slide_viewed"
    QUIZ_ATTEMPT = "quiz_attempt"
    LESSON_COMPLETED = "lesson_completed"
    TIME_SPENT = "time_spent"


@dataclass(frozen=True, slots=True)
class ProgressEvent:
    """One thing a learner did, at one moment. ``id`` is globally unique: the same event
    seen twice (e.g. pulled back from the server) is the same event."""

    id: uuid.UUID
    kind: EventKind
    course_id: str
    lesson_id: str
    slide_id: str | None = None
    question_id: str | None = None
    correct: bool | None = None
    score: float | None = None
    seconds: float = 0.0
    occurred_at: datetime = field(default_factory=lambda: datetime.now(UTC))

    @classmethod
    def new(
        cls,
        kind: EventKind,
        course_id: str,
        lesson_id: str,
        *,
        slide_id: str | None = None,
        question_id: str | None = None,
        correct: bool | None = None,
        score: float | None = None,
        seconds: float = 0.0,
        at: datetime | None = None,
    ) -> ProgressEvent:
        """A new event with a fresh random id, happening ``at`` (default: now, UTC)."""
        if seconds < 0:
            raise ValueError(f"seconds must not be negative, got {seconds}")
        return cls(
            id=uuid.uuid4(),
            kind=kind,
            course_id=course_id,
            lesson_id=lesson_id,
            slide_id=slide_id,
            question_id=question_id,
            correct=correct,
            score=score,
            seconds=seconds,
            occurred_at=at if at is not None else datetime.now(UTC),
        )


@dataclass(frozen=True, slots=True)
class LessonProgress:
    lesson_id: str
    viewed_slides: frozenset[str] = frozenset()
    completed: bool = False
    best_scores: Mapping[str, float] = field(default_factory=dict)  # question id -> best
    attempts: Mapping[str, int] = field(default_factory=dict)  # question id -> count
    correct_questions: frozenset[str] = frozenset()  # answered correctly at least once
    seconds: float = 0.0
    opened: bool = False
    last_activity: datetime | None = None


@dataclass(frozen=True, slots=True)
class CourseProgress:
    course_id: str
    lessons: Mapping[str, LessonProgress]  # every lesson of the course, in course order
    completed_lessons: int
    total_lessons: int
    percent: float  # 0..100, share of lessons completed
    completed: bool  # by the course's completion rule
    seconds: float  # all time spent in the course
    best_score_total: float  # sum of best scores over the course's current questions
    max_score_total: float  # sum of points over the course's current questions
    last_activity: datetime | None = None

    @property
    def started(self) -> bool:
        return self.last_activity is not None


def merge_events(*streams: Iterable[ProgressEvent]) -> list[ProgressEvent]:
    """Union of event sets, each event once (by id), oldest first. Associative and
    commutative, so devices can merge in any order and agree."""
    unique: dict[uuid.UUID, ProgressEvent] = {}
    for stream in streams:
        for event in stream:
            unique.setdefault(event.id, event)
    return sorted(unique.values(), key=lambda e: (e.occurred_at, str(e.id)))


@dataclass(frozen=True, slots=True)
class Tally:
    """The events of one kind, on one slide or question of a lesson, folded together:
    everything the progress rules read of them. An event is a tally of one
    (:meth:`of`); the database keeps a tally per group as events are added."""

    kind: EventKind
    course_id: str
    lesson_id: str
    slide_id: str | None
    question_id: str | None
    events: int  # how many events
    seconds: float  # their time spent, summed
    last_at: datetime  # the latest one's time
    best_score: float | None  # the best score among them (None: none had a score)
    correct: int  # how many were right answers

    @classmethod
    def of(cls, event: ProgressEvent) -> Tally:
        return cls(
            event.kind,
            event.course_id,
            event.lesson_id,
            event.slide_id,
            event.question_id,
            1,
            event.seconds,
            event.occurred_at,
            event.score,
            1 if event.correct else 0,
        )


def _tallies(events: Iterable[ProgressEvent]) -> Iterable[Tally]:
    """Each event once (the same id seen twice is the same event), as a tally."""
    seen: set[uuid.UUID] = set()
    for event in events:
        if event.id not in seen:
            seen.add(event.id)
            yield Tally.of(event)


def lesson_progress(lesson: Lesson, events: Iterable[ProgressEvent]) -> LessonProgress:
    """The aggregates of one lesson from its events (events of other lessons are ignored;
    duplicates by id count once)."""
    return lesson_progress_of_tallies(lesson, _tallies(events))


def lesson_progress_of_tallies(lesson: Lesson, tallies: Iterable[Tally]) -> LessonProgress:
    """The aggregates of one lesson from its events' tallies (other lessons' are ignored)."""
    fold = _LessonFold()
    for tally in tallies:
        if tally.lesson_id == lesson.id:
            fold.add(tally)
    return fold.progress(lesson)


def completes(lesson: Lesson, tallies: Iterable[Tally], event: ProgressEvent) -> bool:
    """Whether ``event`` makes ``lesson`` complete: not complete with its events so far
    (``tallies``; other lessons' are ignored), complete with ``event`` added."""
    fold = _LessonFold()
    for tally in tallies:
        if tally.lesson_id == lesson.id:
            fold.add(tally)
    if fold.progress(lesson).completed:
        return False
    fold.add(Tally.of(event))
    return fold.progress(lesson).completed


class _LessonFold:
    """One lesson's tallies folded as they come: a course's history is read once, and
    only these sums are kept, never the tallies themselves."""

    __slots__ = ("attempts", "best", "correct", "last", "opened", "seconds", "viewed")

    def __init__(self) -> None:
        self.viewed: set[str] = set()
        self.best: dict[str, float] = {}
        self.attempts: dict[str, int] = {}
        self.correct: set[str] = set()
        self.seconds = 0.0
        self.opened = False
        self.last: datetime | None = None

    def add(self, tally: Tally) -> None:
        self.seconds += tally.seconds
        self.last = tally.last_at if self.last is None else max(self.last, tally.last_at)
        if tally.kind is EventKind.LESSON_OPENED:
            self.opened = True
        elif tally.kind is EventKind.SLIDE_VIEWED and tally.slide_id is not None:
            self.viewed.add(tally.slide_id)
            self.opened = True
        elif tally.kind is EventKind.QUIZ_ATTEMPT and tally.question_id is not None:
            qid = tally.question_id
            self.attempts[qid] = self.attempts.get(qid, 0) + tally.events
            if tally.best_score is not None:
                self.best[qid] = max(self.best.get(qid, tally.best_score), tally.best_score)
            if tally.correct:
                self.correct.add(qid)

    def progress(self, lesson: Lesson) -> LessonProgress:
        partial = LessonProgress(
            lesson_id=lesson.id,
            viewed_slides=frozenset(self.viewed),
            best_scores=dict(self.best),  # copies: the fold may go on after this
            attempts=dict(self.attempts),
            correct_questions=frozenset(self.correct),
            seconds=self.seconds,
            opened=self.opened,
            last_activity=self.last,
        )
        return replace(partial, completed=lesson_satisfied(lesson, partial))


def lesson_satisfied(lesson: Lesson, lp: LessonProgress) -> bool:
    """Whether ``lp`` meets the lesson's completion rule, judged against the lesson as it
    is now.

    - all-slides: every *current* slide id viewed (removed slides don't count; new ones
      must be viewed).
    - time: at least ``minutes`` spent in the lesson.
    - mastery "m of n": ``m`` distinct current questions answered correctly at least once.
      If the lesson now has fewer than ``m`` questions, all of them are required.
    """
    rule = lesson.completion
    if rule.kind is CompletionKind.TIME:
        return lp.seconds >= rule.minutes * 60
    if rule.kind is CompletionKind.MASTERY:
        question_ids = {q.id for q in lesson.questions}
        needed = min(rule.m, len(question_ids))
        if needed <= 0:
            return lp.opened
        return len(question_ids & lp.correct_questions) >= needed
    slide_ids = {s.id for s in lesson.slides}
    if not slide_ids:
        return lp.opened
    return slide_ids <= lp.viewed_slides


def summarize(course: Course, events: Iterable[ProgressEvent]) -> CourseProgress:
    """Derive a course's progress from its events (duplicates by id count once; events of
    other courses and of lessons no longer in the course are ignored, except that time
    spent in a removed lesson still counts as time spent in the course)."""
    return summarize_tallies(course, _tallies(events))


def summarize_tallies(course: Course, tallies: Iterable[Tally]) -> CourseProgress:
    """A course's progress from its events' tallies, as :func:`summarize` judges them."""
    folds: dict[str, _LessonFold] = {}
    seconds = 0.0
    last: datetime | None = None
    for tally in tallies:
        if tally.course_id != course.id:
            continue
        seconds += tally.seconds
        last = tally.last_at if last is None else max(last, tally.last_at)
        fold = folds.get(tally.lesson_id)
        if fold is None:
            fold = folds[tally.lesson_id] = _LessonFold()
        fold.add(tally)

    lessons: dict[str, LessonProgress] = {}
    best_total = 0.0
    max_total = 0.0
    for lesson in _lessons_in_order(course):
        lp = (folds.get(lesson.id) or _LessonFold()).progress(lesson)
        lessons[lesson.id] = lp
        for question in lesson.questions:
            max_total += question.points
            best_total += min(lp.best_scores.get(question.id, 0.0), float(question.points))

    total = len(lessons)
    done = sum(1 for lp in lessons.values() if lp.completed)
    percent = 100.0 * done / total if total else 0.0
    if course.completion.kind is CourseCompletionKind.PERCENT:
        completed = total > 0 and percent >= course.completion.percent
    else:
        completed = total > 0 and done == total
    return CourseProgress(
        course_id=course.id,
        lessons=lessons,
        completed_lessons=done,
        total_lessons=total,
        percent=percent,
        completed=completed,
        seconds=seconds,
        best_score_total=best_total,
        max_score_total=float(max_total),
        last_activity=last,
    )


def _lessons_in_order(course: Course) -> list[Lesson]:
    ordered: dict[str, Lesson] = {}
    for module in course.modules:
        for lesson_id in module.lesson_ids:
            lesson = course.lessons.get(lesson_id)
            if lesson is not None:
                ordered.setdefault(lesson_id, lesson)
    if not ordered:  # a course without modules: its lessons as declared
        return list(course.lessons.values())
    return list(ordered.values())
