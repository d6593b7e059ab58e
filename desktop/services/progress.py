"""Recording what a learner does, and answering "where was I?" and "how far am I?".

Every action appends an event (see :mod:`desktop.domain.progress`); nothing is updated in
place. Completion is derived from the events against the course as it is now, and a
``lesson_completed`` event is recorded at the moment a lesson becomes complete.

Progress is read from the events' roll-up (``progress_rollup``, kept by the database in
the same transaction as each event): a row per slide and question, so opening a lesson,
viewing a slide or listing the courses costs the same after a year of learning as on the
first day, in time and in memory.
"""

from __future__ import annotations

import math
import sqlite3
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from desktop.domain.course import Course, Lesson, Question
from desktop.domain.grading import Grade
from desktop.domain.progress import (
    CourseProgress,
    EventKind,
    LessonProgress,
    ProgressEvent,
    Tally,
    completes,
    lesson_progress_of_tallies,
    summarize_tallies,
)
from desktop.storage import analytics as rollup
from desktop.storage import progress_events as repo
from desktop.storage.database import Database

_KINDS = {k.value: k for k in EventKind}
_ACTIVITY_KINDS = (EventKind.LESSON_OPENED, EventKind.QUIZ_ATTEMPT, EventKind.LESSON_COMPLETED)


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where the learner stopped: the last slide they viewed."""

    course_id: str
    lesson_id: str
    slide_id: str
    at: datetime


@dataclass(frozen=True, slots=True)
class Activity:
    """One line of "recent activity". ``detail`` is a short sentence for the user; the
    UI adds the course and lesson titles."""

    kind: EventKind
    course_id: str
    lesson_id: str
    slide_id: str | None
    at: datetime
    detail: str


class ProgressService:
    def __init__(self, db: Database) -> None:
        self._db = db

    # -- recording ---------------------------------------------------------------------

    def lesson_opened(self, course: Course, lesson_id: str) -> None:
        _lesson(course, lesson_id)
        with self._db.session() as conn:
            self._append(conn, [ProgressEvent.new(EventKind.LESSON_OPENED, course.id, lesson_id)])

    def slide_viewed(self, course: Course, lesson_id: str, slide_id: str) -> bool:
        """Record that a slide was shown. Returns True if this made the lesson complete
        (a ``lesson_completed`` event is then recorded too)."""
        lesson = _lesson(course, lesson_id)
        if lesson.slide_index(slide_id) is None:
            raise ValueError(
                f"Slide {slide_id!r} is not in lesson {lesson_id!r} of course {course.id!r}."
            )
        event = ProgressEvent.new(EventKind.SLIDE_VIEWED, course.id, lesson_id, slide_id=slide_id)
        with self._db.session() as conn:
            return self._record(conn, course, lesson, event)

    def quiz_attempt(
        self, course: Course, lesson_id: str, slide_id: str, question: Question, grade: Grade
    ) -> int:
        """Record an answer to ``question`` and return the attempts used so far, this one
        included. Raises ValueError when the question's retry limit is already used up."""
        lesson = _lesson(course, lesson_id)
        if all(q.id != question.id for q in lesson.questions):
            raise ValueError(
                f"Question {question.id!r} is not in lesson {lesson_id!r} of course {course.id!r}."
            )
        with self._db.session() as conn:
            used = repo.count_of_kind(
                conn, EventKind.QUIZ_ATTEMPT, course.id, lesson_id, question.id
            )
            if question.max_attempts is not None and used >= question.max_attempts:
                raise ValueError(
                    f"No attempts left for question {question.id!r} in lesson {lesson_id!r}: "
                    f"all {question.max_attempts} allowed attempts are used."
                )
            event = ProgressEvent.new(
                EventKind.QUIZ_ATTEMPT,
                course.id,
                lesson_id,
                slide_id=slide_id,
                question_id=question.id,
                correct=grade.correct,
                score=grade.score,
            )
            self._record(conn, course, lesson, event)
        return used + 1

    def attempts_used(self, course_id: str, lesson_id: str, question_id: str) -> int:
        with self._db.read_session() as conn:
            return repo.count_of_kind(
                conn, EventKind.QUIZ_ATTEMPT, course_id, lesson_id, question_id
            )

    def add_time(self, course: Course, lesson_id: str, seconds: float) -> bool:
        """Record time spent in a lesson. Returns True if this completed a lesson whose
        rule is time spent. Zero seconds records nothing."""
        if not math.isfinite(seconds) or seconds < 0:
            raise ValueError(f"Time spent must be a positive number of seconds, got {seconds}.")
        lesson = _lesson(course, lesson_id)
        if seconds == 0:
            return False
        event = ProgressEvent.new(EventKind.TIME_SPENT, course.id, lesson_id, seconds=seconds)
        with self._db.session() as conn:
            return self._record(conn, course, lesson, event)

    def import_events(self, events: Iterable[ProgressEvent]) -> int:
        """Merge events from elsewhere (another device, a backup) by union: events already
        stored (same id) are skipped. Returns how many were new."""
        with self._db.session() as conn:
            return self._append(conn, list(events))

    # -- reading -----------------------------------------------------------------------

    def course_progress(self, course: Course) -> CourseProgress:
        with self._db.read_session() as conn:  # folded as read: no row is kept
            rows = rollup.iter_lesson_rollup(conn, course_id=course.id)
            return summarize_tallies(course, tallies(rows))

    def lesson_progress(self, course: Course, lesson_id: str) -> LessonProgress:
        """One lesson's progress (slides viewed, attempts, completion): one indexed query."""
        lesson = _lesson(course, lesson_id)
        with self._db.read_session() as conn:
            rows = rollup.iter_lesson_rollup(conn, course_id=course.id, lesson_id=lesson_id)
            return lesson_progress_of_tallies(lesson, tallies(rows))

    def resume_point(self, course_id: str | None = None) -> ResumePoint | None:
        """The last slide viewed, overall or in one course; None if there is none yet."""
        with self._db.read_session() as conn:
            rows = repo.latest(conn, [EventKind.SLIDE_VIEWED], course_id)
        for event in _to_events(rows):
            assert event.slide_id is not None
            return ResumePoint(event.course_id, event.lesson_id, event.slide_id, event.occurred_at)
        return None

    def recent_activity(self, limit: int = 10) -> list[Activity]:
        """What the learner did lately, newest first. Repeats in a row (the same lesson
        opened twice, the same question retried) show once."""
        if limit <= 0:
            return []
        with self._db.read_session() as conn:
            rows = repo.latest(conn, _ACTIVITY_KINDS, limit=limit * 4)
        result: list[Activity] = []
        previous: tuple[object, ...] | None = None
        for event in _to_events(rows):
            key = (event.kind, event.course_id, event.lesson_id, event.question_id)
            if key == previous:
                continue
            previous = key
            result.append(
                Activity(
                    event.kind,
                    event.course_id,
                    event.lesson_id,
                    event.slide_id,
                    event.occurred_at,
                    _describe(event),
                )
            )
            if len(result) == limit:
                break
        return result

    def events(self, course_id: str | None = None) -> list[ProgressEvent]:
        """All events (or one course's), in the order they were recorded here."""
        with self._db.read_session() as conn:
            rows = repo.events(conn, course_id)
        return list(_to_events(rows))

    # -- internals ---------------------------------------------------------------------

    def _record(
        self, conn: sqlite3.Connection, course: Course, lesson: Lesson, event: ProgressEvent
    ) -> bool:
        """Append ``event``, and a completion event if it completes the lesson."""
        rows = rollup.iter_lesson_rollup(conn, course_id=course.id, lesson_id=lesson.id)
        completed = completes(lesson, tallies(rows), event)  # folded as read
        new = [event]
        if completed:
            new.append(
                ProgressEvent.new(
                    EventKind.LESSON_COMPLETED, course.id, lesson.id, at=event.occurred_at
                )
            )
        self._append(conn, new)
        return completed

    def _append(self, conn: sqlite3.Connection, events: Sequence[ProgressEvent]) -> int:
        return repo.append_events(
            conn,
            (
                repo.EventRow(
                    e.id,
                    e.kind.value,
                    e.course_id,
                    e.lesson_id,
                    e.slide_id,
                    e.question_id,
                    e.correct,
                    e.score,
                    e.seconds,
                    e.occurred_at,
                )
                for e in events
            ),
            self._db.device_id,
        )


def _lesson(course: Course, lesson_id: str) -> Lesson:
    lesson = course.lessons.get(lesson_id)
    if lesson is None:
        raise ValueError(f"Lesson {lesson_id!r} is not in course {course.id!r}.")
    return lesson


def tallies(rows: Iterable[rollup.LessonRollup]) -> Iterator[Tally]:
    """The roll-up's rows as the progress rules read them. A kind written by a newer app
    (pulled by sync) is not ours to judge: left out, as :func:`_to_events` leaves out
    its events."""
    for row in rows:
        kind = _KINDS.get(row.kind)
        if kind is not None:
            yield Tally(
                kind,
                row.course_id,
                row.lesson_id,
                row.slide_id,
                row.question_id,
                row.events,
                row.seconds,
                row.last_at,
                row.best_score,
                row.correct,
            )


def _to_events(rows: Iterable[repo.EventRow]) -> Iterable[ProgressEvent]:
    for row in rows:
        kind = _KINDS.get(row.kind)
        if kind is None:  # written by a newer app (e.g. pulled by sync): not ours to judge
            continue
        yield ProgressEvent(
            id=row.id,
            kind=kind,
            course_id=row.course_id,
            lesson_id=row.lesson_id,
            slide_id=row.slide_id,
            question_id=row.question_id,
            correct=row.correct,
            score=row.score,
            seconds=row.seconds,
            occurred_at=row.occurred_at,
        )


def _describe(event: ProgressEvent) -> str:
    if event.kind is EventKind.LESSON_OPENED:
        return "Opened the lesson"
    if event.kind is EventKind.LESSON_COMPLETED:
        return "Completed the lesson"
    if event.kind is EventKind.QUIZ_ATTEMPT:
        return (
            "Answered a quiz question correctly"
            if event.correct
            else "Answered a quiz question, not yet right"
        )
    return event.kind.value.replace("_", " ").capitalize()
