"""Learning analytics on a real database: events recorded through ProgressService,
figures from AnalyticsService checked against numbers worked out by hand, and against
an independent recomputation from the raw events for generated data."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.analytics import AnalyticsFilter, NextStepKind, week_start
from desktop.domain.course import Course
from desktop.domain.progress import EventKind, ProgressEvent, summarize
from desktop.services.analytics import AnalyticsService
from desktop.services.course_library import load_course
from desktop.services.progress import ProgressService
from desktop.storage.database import Database

COURSES = Path(__file__).resolve().parents[3] / "courses"
EMAIL = load_course(COURSES / "sample-course")  # id email-subject-lines: 4 lessons
AI = load_course(COURSES / "ai-marketing")
BOTH = [EMAIL, AI]


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "playbook.sqlite3")
    yield database
    database.close()


def _at(day: int, hour: int = 9, minute: int = 0, month: int = 3) -> datetime:
    return datetime(2026, month, day, hour, minute, tzinfo=UTC)


def _e(kind: EventKind, lesson: str, at: datetime, **kw: object) -> ProgressEvent:
    return ProgressEvent.new(kind, EMAIL.id, lesson, at=at, **kw)  # type: ignore[arg-type]


def _story() -> list[ProgressEvent]:
    """Two weeks of a learner in the email course (UTC):

    - Mon 2 March: first-impressions, all 3 slides, 120 s, its question wrong then right.
    - Tue 3 March: length-and-preview, one slide, 100 s (the lesson needs 3 minutes).
    - Wed 4 March: formulas, 60 s; spam-signals (2 points) wrong twice, honest-urgency right.
    - Mon 16 March: length-and-preview, 90 more seconds: now complete (190 s).
    """
    fi, lp, fo = "first-impressions", "length-and-preview", "formulas"
    slides = [s.id for s in EMAIL.lessons[fi].slides]
    events = [_e(EventKind.LESSON_OPENED, fi, _at(2))]
    events += [
        _e(EventKind.SLIDE_VIEWED, fi, _at(2, 9, i + 1), slide_id=s) for i, s in enumerate(slides)
    ]
    events += [
        _e(EventKind.TIME_SPENT, fi, _at(2, 9, 5), seconds=120.0),
        _e(EventKind.QUIZ_ATTEMPT, fi, _at(2, 9, 6), question_id="phone-characters",
           correct=False, score=0.0, slide_id=slides[-1]),
        _e(EventKind.QUIZ_ATTEMPT, fi, _at(2, 9, 7), question_id="phone-characters",
           correct=True, score=1.0, slide_id=slides[-1]),
        _e(EventKind.LESSON_OPENED, lp, _at(3, 10)),
        _e(EventKind.SLIDE_VIEWED, lp, _at(3, 10, 1), slide_id="short-beats-clever"),
        _e(EventKind.TIME_SPENT, lp, _at(3, 10, 2), seconds=100.0),
        _e(EventKind.LESSON_OPENED, fo, _at(4, 10)),
        _e(EventKind.TIME_SPENT, fo, _at(4, 10, 1), seconds=60.0),
        _e(EventKind.QUIZ_ATTEMPT, fo, _at(4, 10, 2), question_id="spam-signals",
           correct=False, score=0.0),
        _e(EventKind.QUIZ_ATTEMPT, fo, _at(4, 10, 3), question_id="spam-signals",
           correct=False, score=0.0),
        _e(EventKind.QUIZ_ATTEMPT, fo, _at(4, 10, 4), question_id="honest-urgency",
           correct=True, score=1.0),
        _e(EventKind.TIME_SPENT, lp, _at(16, 8), seconds=90.0),
    ]  # fmt: skip
    return events


def _service(db: Database, events: list[ProgressEvent]) -> AnalyticsService:
    ProgressService(db).import_events(events)
    return AnalyticsService(db)


def test_progress_time_objectives_streak_and_next_steps_match_the_hand_count(
    db: Database,
) -> None:
    service = _service(db, _story())
    figures = service.learning(BOTH, AnalyticsFilter(zone=UTC), today=date(2026, 3, 17))

    email, ai = figures.courses
    assert (email.completed_lessons, email.total_lessons, email.progress) == (2, 4, 0.5)
    assert not email.completed  # the course needs 75 %
    assert email.seconds == 370.0
    # Best scores 1 (phone) + 1 (honest-urgency) of 9 points in the course's questions.
    assert email.score == pytest.approx(2 / 9)
    assert email.last_activity == _at(16, 8)
    assert [
        (m.module_id, m.completed_lessons, m.total_lessons, m.seconds) for m in email.modules
    ] == [
        ("the-inbox", 2, 2, 310.0),
        ("the-craft", 0, 2, 60.0),
    ]
    assert (ai.progress, ai.started, ai.seconds, ai.last_activity) == (0.0, False, 0.0, None)

    assert [(w.start, w.seconds, w.active_days) for w in figures.weeks] == [
        (date(2026, 3, 2), 280.0, 3),
        (date(2026, 3, 9), 0.0, 0),
        (date(2026, 3, 16), 90.0, 1),
    ]
    assert [d.day for d in figures.days] == [date(2026, 3, d) for d in (2, 3, 4, 16)]
    s = figures.streak
    assert (s.current_days, s.longest_days, s.last_active_day, s.active_today) == (
        1,
        3,
        date(2026, 3, 16),
        False,
    )

    weakest = figures.objectives[0]
    assert weakest.lesson_ids == ("formulas",)
    # spam-signals best 0 of 2, honest-urgency 1 of 1; benefit-first-example unanswered.
    assert (weakest.questions, weakest.answered_questions, weakest.attempts) == (3, 2, 3)
    assert (weakest.correct_attempts, weakest.weak) == (1, True)
    assert weakest.score == pytest.approx(1 / 3)
    assert weakest.correct_rate == pytest.approx(1 / 3)
    first = [o for o in figures.objectives if o.lesson_ids == ("first-impressions",)]
    assert [(o.attempts, o.correct_attempts, o.score, o.weak) for o in first] == [
        (2, 1, 1.0, False),
        (2, 1, 1.0, False),
    ]
    answered = [o.answered_questions > 0 for o in figures.objectives]
    assert answered == sorted(answered, reverse=True)  # the never-tried ones last
    assert len(figures.objectives) == 8 + sum(
        len(lesson.objectives) for lesson in AI.lessons.values()
    )

    assert figures.totals.attempts == 5
    assert figures.totals.correct_rate == pytest.approx(0.4)
    assert (figures.totals.completed_lessons, figures.totals.seconds) == (2, 370.0)

    # Where they stopped (length-and-preview) is complete now: no resume. The weak
    # objective's lesson, then the next lesson not started here, then the other course.
    assert [(n.kind, n.course_id, n.lesson_id) for n in figures.next_steps] == [
        (NextStepKind.RETAKE, EMAIL.id, "formulas"),
        (NextStepKind.START, EMAIL.id, "testing"),
        (NextStepKind.START, AI.id, AI.modules[0].lesson_ids[0]),
    ]
    assert "(best score 33%)" in figures.next_steps[0].reason


def test_an_unfinished_lesson_is_offered_to_resume_at_its_slide(db: Database) -> None:
    events = _story()[:-1]  # without the last 90 s: length-and-preview not complete
    figures = _service(db, events).learning(BOTH, AnalyticsFilter(zone=UTC), date(2026, 3, 5))
    resume = figures.next_steps[0]
    assert (resume.kind, resume.lesson_id, resume.slide_id) == (
        NextStepKind.RESUME,
        "length-and-preview",
        "short-beats-clever",
    )


def test_a_date_range_shows_progress_at_its_end_and_time_within_it(db: Database) -> None:
    service = _service(db, _story())
    later = service.learning(
        BOTH, AnalyticsFilter(since=date(2026, 3, 9), until=date(2026, 3, 17), zone=UTC)
    )
    email = later.courses[0]
    assert email.completed_lessons == 2  # completed before the range still counts
    assert email.seconds == 90.0
    assert [w.seconds for w in later.weeks] == [0.0, 90.0]
    assert all(o.attempts == 0 and o.score is None for o in later.objectives)
    assert (later.totals.attempts, later.totals.correct_rate) == (0, None)

    early = service.learning(BOTH, AnalyticsFilter(until=date(2026, 3, 4), zone=UTC))
    # On the 4th, length-and-preview had only 100 of its 180 seconds.
    assert early.courses[0].completed_lessons == 1
    assert early.courses[0].seconds == 280.0
    assert [(w.start, w.seconds) for w in early.weeks] == [(date(2026, 3, 2), 280.0)]
    assert early.streak.current_days == 3  # as of the 4th

    only_ai = service.learning(BOTH, AnalyticsFilter(course_id=AI.id, zone=UTC), date(2026, 3, 17))
    assert [c.course_id for c in only_ai.courses] == [AI.id]
    assert only_ai.days == ()
    assert only_ai.streak.longest_days == 0
    assert {o.course_id for o in only_ai.objectives} == {AI.id}


def test_days_and_weeks_are_the_learners_local_ones(db: Database) -> None:
    # Sunday 8 March 23:30 UTC is Monday 9 March, 00:30 in Berlin (and Sunday 19:30 in
    # New York).
    late = [
        _e(EventKind.TIME_SPENT, "formulas", _at(8, 23, 30), seconds=50.0),
        _e(EventKind.TIME_SPENT, "formulas", _at(10, 12), seconds=10.0),
    ]
    service = _service(db, late)
    utc = service.learning([EMAIL], AnalyticsFilter(zone=UTC), date(2026, 3, 10))
    berlin = service.learning(
        [EMAIL], AnalyticsFilter(zone=ZoneInfo("Europe/Berlin")), date(2026, 3, 10)
    )
    assert [(w.start, w.seconds) for w in utc.weeks] == [
        (date(2026, 3, 2), 50.0),
        (date(2026, 3, 9), 10.0),
    ]
    assert [(w.start, w.seconds) for w in berlin.weeks] == [(date(2026, 3, 9), 60.0)]
    # In UTC the 9th was skipped; in Berlin the 9th and the 10th are a two-day streak.
    assert (utc.streak.current_days, berlin.streak.current_days) == (1, 2)
    kolkata = service.learning(
        [EMAIL],
        AnalyticsFilter(
            since=date(2026, 3, 9), until=date(2026, 3, 9), zone=ZoneInfo("Asia/Kolkata")
        ),
    )
    assert [d.seconds for d in kolkata.days] == [50.0]  # 05:00 on the 9th in India


def test_empty_database_gives_zeros_and_nothing_to_resume(db: Database) -> None:
    figures = AnalyticsService(db).learning(BOTH, AnalyticsFilter(zone=UTC), date(2026, 3, 17))
    assert [c.progress for c in figures.courses] == [0.0, 0.0]
    assert all(c.score == 0.0 and not c.started for c in figures.courses)
    assert [(w.start, w.seconds) for w in figures.weeks] == [(date(2026, 3, 16), 0.0)]
    assert figures.days == ()
    assert figures.streak.current_days == 0
    assert figures.streak.last_active_day is None
    assert all(o.score is None and not o.weak for o in figures.objectives)
    assert figures.totals.correct_rate is None
    assert [n.kind for n in figures.next_steps] == [NextStepKind.START, NextStepKind.START]
    assert AnalyticsService(db).learning([], None, date(2026, 3, 17)).courses == ()


def _random_events(rng: random.Random, days: int = 60) -> list[ProgressEvent]:
    start = datetime(2026, 1, 5, tzinfo=UTC)
    out: list[ProgressEvent] = []
    for course in BOTH:
        lessons = [lesson for m in course.modules for lesson in m.lesson_ids][:10]
        for _ in range(300):
            lesson = course.lessons[rng.choice(lessons)]
            at = start + timedelta(minutes=rng.randrange(days * 24 * 60))
            kind = rng.choice(list(EventKind))
            slide = rng.choice(lesson.slides).id
            question = rng.choice(lesson.questions) if lesson.questions else None
            if kind is EventKind.QUIZ_ATTEMPT and question is not None:
                right = rng.random() < 0.5
                out.append(
                    ProgressEvent.new(
                        kind, course.id, lesson.id, slide_id=slide, question_id=question.id,
                        correct=right, score=float(question.points) * right, at=at,
                    )
                )  # fmt: skip
            elif kind is EventKind.SLIDE_VIEWED:
                out.append(ProgressEvent.new(kind, course.id, lesson.id, slide_id=slide, at=at))
            else:
                secs = float(rng.randint(1, 400)) if kind is EventKind.TIME_SPENT else 0.0
                out.append(ProgressEvent.new(kind, course.id, lesson.id, seconds=secs, at=at))
    return out


def _expected_course(
    course: Course, events: list[ProgressEvent], end: datetime | None
) -> tuple[int, bool, float, datetime | None]:
    cp = summarize(course, [e for e in events if end is None or e.occurred_at < end])
    score = cp.best_score_total / cp.max_score_total if cp.max_score_total else None
    return cp.completed_lessons, cp.completed, score or 0.0, cp.last_activity


@pytest.mark.parametrize("zone_name", ["America/New_York", "Asia/Kolkata"])
def test_generated_data_agrees_with_a_recount_from_the_raw_events(
    db: Database, zone_name: str
) -> None:
    zone = ZoneInfo(zone_name)
    events = _random_events(random.Random(zone_name))
    service = _service(db, events)
    since, until = date(2026, 1, 20), date(2026, 2, 22)
    flt = AnalyticsFilter(since=since, until=until, zone=zone)
    figures = service.learning(BOTH, flt, today=date(2026, 3, 10))
    end = flt.end_utc()
    local = [(e, e.occurred_at.astimezone(zone).date()) for e in events]
    in_range = [e for e, day in local if since <= day <= until]

    for course, shown in zip(BOTH, figures.courses, strict=True):
        done, completed, score, last = _expected_course(course, events, end)
        assert (shown.completed_lessons, shown.completed, shown.last_activity) == (
            done,
            completed,
            last,
        )
        assert (shown.score or 0.0) == pytest.approx(score)
        assert shown.seconds == pytest.approx(
            sum(e.seconds for e in in_range if e.course_id == course.id)
        )

    weeks: dict[date, float] = {}
    for e, day in local:
        if since <= day <= until:
            weeks[week_start(day)] = weeks.get(week_start(day), 0.0) + e.seconds
    assert {w.start: w.seconds for w in figures.weeks} == pytest.approx(
        {w.start: weeks.get(w.start, 0.0) for w in figures.weeks}
    )
    assert figures.weeks[0].start == week_start(since)
    assert figures.weeks[-1].start == week_start(until)
    assert {d.day for d in figures.days} == {day for e, day in local if since <= day <= until}

    quiz = [e for e in in_range if e.kind is EventKind.QUIZ_ATTEMPT]
    assert figures.totals.attempts == len(quiz)
    assert figures.totals.correct_rate == pytest.approx(
        sum(1 for e in quiz if e.correct) / len(quiz)
    )
    for objective in figures.objectives:
        course = EMAIL if objective.course_id == EMAIL.id else AI
        keys = {(lid, q.id) for lid in objective.lesson_ids for q in course.lessons[lid].questions}
        mine = [
            e for e in quiz if e.course_id == course.id and (e.lesson_id, e.question_id) in keys
        ]
        assert objective.attempts == len(mine)
        assert objective.correct_attempts == sum(1 for e in mine if e.correct)

    # The all-time figures come from the trigger-kept roll-up; a range ending after the
    # last event reads the events themselves. Both must say the same.
    rolled = service.learning(BOTH, AnalyticsFilter(zone=zone), today=date(2026, 3, 10))
    raw = service.learning(
        BOTH, AnalyticsFilter(until=date(2030, 1, 1), zone=zone), today=date(2026, 3, 10)
    )
    assert rolled.courses == raw.courses
    assert rolled.objectives == raw.objectives
    every_quiz = [e for e in events if e.kind is EventKind.QUIZ_ATTEMPT]
    for objective in rolled.objectives:
        course = EMAIL if objective.course_id == EMAIL.id else AI
        keys = {(lid, q.id) for lid in objective.lesson_ids for q in course.lessons[lid].questions}
        mine = [
            e
            for e in every_quiz
            if e.course_id == course.id and (e.lesson_id, e.question_id) in keys
        ]
        assert (objective.attempts, objective.correct_attempts) == (
            len(mine),
            sum(1 for e in mine if e.correct),
        )
    for course, shown in zip(BOTH, rolled.courses, strict=True):
        assert shown.completed_lessons == _expected_course(course, events, None)[0]
