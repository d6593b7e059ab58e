"""Progress: append-only events, derived aggregates, completion rules, retry limits."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from desktop.domain.course import (
    Choice,
    CompletionKind,
    Course,
    CourseCompletion,
    CourseCompletionKind,
    Lesson,
    LessonCompletion,
    Module,
    Question,
    QuestionKind,
    Slide,
)
from desktop.domain.grading import Grade
from desktop.domain.progress import (
    EventKind,
    LessonProgress,
    ProgressEvent,
    lesson_satisfied,
    merge_events,
    summarize,
)
from desktop.services.progress import ProgressService
from desktop.storage.database import Database

T0 = datetime(2025, 3, 1, 9, 0, tzinfo=UTC)

RIGHT = Grade(correct=True, score=1.0, feedback="Yes.", explanation="")
WRONG = Grade(correct=False, score=0.0, feedback="No.", explanation="")


def question(qid: str, *, max_attempts: int | None = None, points: int = 1) -> Question:
    return Question(
        id=qid,
        kind=QuestionKind.SINGLE,
        prompt=f"Prompt {qid}?",
        choices=(Choice("a", "A", correct=True), Choice("b", "B")),
        points=points,
        max_attempts=max_attempts,
    )


def lesson(
    lid: str,
    slide_ids: tuple[str, ...] = ("s1", "s2", "s3"),
    *,
    completion: LessonCompletion | None = None,
    questions: tuple[Question, ...] = (),
) -> Lesson:
    slides = [Slide(id=sid, title=f"Slide {sid}", body=f"Body of {sid}") for sid in slide_ids]
    if questions:
        slides[-1] = replace(slides[-1], questions=questions)
    return Lesson(
        id=lid,
        title=f"Lesson {lid}",
        slides=tuple(slides),
        completion=completion or LessonCompletion(),
    )


def course(*lessons: Lesson, completion: CourseCompletion | None = None) -> Course:
    return Course(
        id="c1",
        version="1.0.0",
        title="Course one",
        modules=(Module("m1", "Module", tuple(les.id for les in lessons)),),
        lessons={les.id: les for les in lessons},
        completion=completion or CourseCompletion(),
    )


def event(
    kind: EventKind, lesson_id: str = "l1", minutes: int = 0, course_id: str = "c1", **kw: object
) -> ProgressEvent:
    return ProgressEvent.new(
        kind,
        course_id,
        lesson_id,
        at=T0 + timedelta(minutes=minutes),
        **kw,  # type: ignore[arg-type]
    )


def viewed(*slide_ids: str, lesson_id: str = "l1") -> list[ProgressEvent]:
    return [
        event(EventKind.SLIDE_VIEWED, lesson_id, i, slide_id=s) for i, s in enumerate(slide_ids)
    ]


# -- domain: aggregates ------------------------------------------------------------------


def test_summary_derives_completed_lessons_best_score_and_total_time() -> None:
    c = course(
        lesson("l1", questions=(question("q1", points=2), question("q2"))),
        lesson("l2"),
    )
    events = [
        *viewed("s1", "s2", "s3"),
        event(EventKind.QUIZ_ATTEMPT, question_id="q1", correct=False, score=0.0),
        event(EventKind.QUIZ_ATTEMPT, question_id="q1", correct=True, score=2.0),
        event(EventKind.QUIZ_ATTEMPT, question_id="q1", correct=False, score=0.0),
        event(EventKind.TIME_SPENT, seconds=90.0),
        event(EventKind.TIME_SPENT, "l2", seconds=30.0),
    ]

    progress = summarize(c, events)

    l1 = progress.lessons["l1"]
    assert l1.completed
    assert l1.best_scores == {"q1": 2.0}  # the best, not the last, attempt
    assert l1.attempts == {"q1": 3}
    assert l1.correct_questions == {"q1"}
    assert not progress.lessons["l2"].completed
    assert (progress.completed_lessons, progress.total_lessons) == (1, 2)
    assert progress.percent == pytest.approx(50.0)
    assert progress.seconds == pytest.approx(120.0)
    assert progress.best_score_total == pytest.approx(2.0)
    assert progress.max_score_total == pytest.approx(3.0)
    assert not progress.completed


def test_untouched_course_has_every_lesson_at_zero() -> None:
    progress = summarize(course(lesson("l1"), lesson("l2")), [])

    assert list(progress.lessons) == ["l1", "l2"]
    assert progress.percent == 0
    assert not progress.completed
    assert not progress.started


def test_the_same_event_seen_twice_counts_once() -> None:
    c = course(lesson("l1", questions=(question("q1"),)))
    attempt = event(EventKind.QUIZ_ATTEMPT, question_id="q1", correct=False, score=0.0)
    tick = event(EventKind.TIME_SPENT, seconds=60.0)

    progress = summarize(c, [attempt, attempt, tick, tick])

    assert progress.lessons["l1"].attempts == {"q1": 1}
    assert progress.seconds == pytest.approx(60.0)


def test_merging_two_devices_events_is_a_union_in_any_order() -> None:
    laptop = [*viewed("s1"), event(EventKind.TIME_SPENT, seconds=10.0)]
    desktop = [*viewed("s2", "s3"), laptop[0]]  # already holds one of the laptop's events

    one_way = merge_events(laptop, desktop)
    other_way = merge_events(desktop, laptop, one_way)

    assert one_way == other_way
    assert len(one_way) == 4
    assert summarize(course(lesson("l1")), one_way).lessons["l1"].completed


def test_events_of_other_courses_are_ignored() -> None:
    c = course(lesson("l1"))
    other = [event(EventKind.SLIDE_VIEWED, course_id="c2", slide_id=s) for s in ("s1", "s2", "s3")]

    assert summarize(c, other).completed_lessons == 0


# -- domain: completion rules ------------------------------------------------------------


def test_all_slides_rule_needs_every_slide_id_in_any_order() -> None:
    les = lesson("l1")

    assert not summarize(course(les), viewed("s3", "s1")).lessons["l1"].completed
    assert summarize(course(les), viewed("s3", "s1", "s2")).lessons["l1"].completed


def test_reordering_slides_keeps_progress_because_it_is_keyed_to_ids() -> None:
    before = lesson("l1", ("s1", "s2", "s3"))
    after = lesson("l1", ("s3", "s1", "s2"))
    events = viewed("s1", "s2", "s3")

    assert summarize(course(before), events).lessons["l1"].completed
    assert summarize(course(after), events).lessons["l1"].completed


def test_a_slide_removed_from_the_course_does_not_block_completion() -> None:
    events = viewed("s1", "s3")  # s2 never seen, and the author then removed it

    assert summarize(course(lesson("l1", ("s1", "s3"))), events).lessons["l1"].completed


def test_a_new_slide_added_to_the_course_blocks_completion_until_viewed() -> None:
    events = viewed("s1", "s2", "s3")
    grown = course(lesson("l1", ("s1", "s2", "s3", "s4")))

    assert not summarize(grown, events).lessons["l1"].completed
    assert summarize(grown, [*events, *viewed("s4")]).lessons["l1"].completed


def test_a_removed_slide_viewed_earlier_does_not_stand_in_for_a_new_one() -> None:
    events = viewed("s1", "s2", "s3")  # then the author replaced s2 with s4
    edited = course(lesson("l1", ("s1", "s3", "s4")))

    lp = summarize(edited, events).lessons["l1"]

    assert len(lp.viewed_slides) == 3  # as many views as slides, but not the right ids
    assert not lp.completed


def test_time_rule_completes_after_the_minutes_are_spent() -> None:
    les = lesson("l1", completion=LessonCompletion(CompletionKind.TIME, minutes=5))

    nearly = [event(EventKind.TIME_SPENT, seconds=200.0), event(EventKind.TIME_SPENT, seconds=99.0)]
    assert not summarize(course(les), nearly).lessons["l1"].completed
    enough = [*nearly, event(EventKind.TIME_SPENT, seconds=1.0)]
    assert summarize(course(les), enough).lessons["l1"].completed


def test_time_rule_ignores_slides_viewed() -> None:
    les = lesson("l1", completion=LessonCompletion(CompletionKind.TIME, minutes=5))

    assert not summarize(course(les), viewed("s1", "s2", "s3")).lessons["l1"].completed


def test_mastery_rule_needs_m_distinct_questions_right_at_least_once() -> None:
    qs = (question("q1"), question("q2"), question("q3"))
    les = lesson("l1", completion=LessonCompletion(CompletionKind.MASTERY, m=2, n=3), questions=qs)

    def attempt(qid: str, correct: bool) -> ProgressEvent:
        return event(EventKind.QUIZ_ATTEMPT, question_id=qid, correct=correct, score=float(correct))

    same_twice = [attempt("q1", True), attempt("q1", True), attempt("q2", False)]
    assert not summarize(course(les), same_twice).lessons["l1"].completed
    # A later wrong answer does not take away a question already answered right.
    two = [*same_twice, attempt("q3", True), attempt("q1", False)]
    assert summarize(course(les), two).lessons["l1"].completed


def test_mastery_counts_only_questions_still_in_the_lesson() -> None:
    les = lesson(
        "l1",
        completion=LessonCompletion(CompletionKind.MASTERY, m=2, n=3),
        questions=(question("q1"), question("q2"), question("q3")),
    )
    lp = LessonProgress("l1", correct_questions=frozenset({"q1", "old-removed-question"}))

    assert not lesson_satisfied(les, lp)
    assert lesson_satisfied(les, replace(lp, correct_questions=frozenset({"q1", "q3"})))


def test_course_completes_by_all_lessons_or_by_percent() -> None:
    lessons = [lesson(f"l{i}") for i in range(1, 5)]
    events = [e for les in lessons[:3] for e in viewed("s1", "s2", "s3", lesson_id=les.id)]

    all_lessons = summarize(course(*lessons), events)
    by_percent = summarize(
        course(*lessons, completion=CourseCompletion(CourseCompletionKind.PERCENT, 75)), events
    )

    assert all_lessons.percent == pytest.approx(75.0)
    assert not all_lessons.completed
    assert by_percent.completed


# -- service --------------------------------------------------------------------------------


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "playbook.sqlite3")
    yield database
    database.close()


def test_viewing_the_last_slide_completes_the_lesson_once(db: Database) -> None:
    c = course(lesson("l1"))
    progress = ProgressService(db)
    progress.lesson_opened(c, "l1")

    results = [progress.slide_viewed(c, "l1", s) for s in ("s1", "s2", "s3", "s2", "s3")]

    assert results == [False, False, True, False, False]
    completions = [e for e in progress.events() if e.kind is EventKind.LESSON_COMPLETED]
    assert len(completions) == 1
    assert progress.course_progress(c).completed


def test_slides_lessons_and_questions_not_in_the_course_are_refused(db: Database) -> None:
    c = course(lesson("l1"))

    with pytest.raises(ValueError, match="'nope' is not in lesson 'l1'"):
        ProgressService(db).slide_viewed(c, "l1", "nope")
    with pytest.raises(ValueError, match="Lesson 'l9' is not in course 'c1'"):
        ProgressService(db).lesson_opened(c, "l9")
    with pytest.raises(ValueError, match="Question 'q7' is not in lesson 'l1'"):
        ProgressService(db).quiz_attempt(c, "l1", "s1", question("q7"), RIGHT)
    assert ProgressService(db).events() == []


def test_quiz_attempts_are_counted_and_refused_beyond_the_limit(db: Database) -> None:
    q = question("q1", max_attempts=2)
    c = course(lesson("l1", questions=(q,)))
    progress = ProgressService(db)

    assert progress.quiz_attempt(c, "l1", "s3", q, WRONG) == 1
    assert progress.quiz_attempt(c, "l1", "s3", q, WRONG) == 2
    with pytest.raises(ValueError, match=r"No attempts left for question 'q1'.*all 2 allowed"):
        progress.quiz_attempt(c, "l1", "s3", q, RIGHT)

    assert progress.attempts_used("c1", "l1", "q1") == 2
    lp = progress.course_progress(c).lessons["l1"]
    assert lp.attempts == {"q1": 2}
    assert lp.correct_questions == frozenset()  # the refused right answer was not stored


def test_a_question_without_a_limit_can_be_retried_freely(db: Database) -> None:
    q = question("q1")
    c = course(lesson("l1", questions=(q,)))
    progress = ProgressService(db)

    counts = [progress.quiz_attempt(c, "l1", "s3", q, WRONG) for _ in range(5)]

    assert counts == [1, 2, 3, 4, 5]


def test_mastery_lesson_completes_on_the_deciding_right_answer(db: Database) -> None:
    q1, q2 = question("q1"), question("q2")
    rule = LessonCompletion(CompletionKind.MASTERY, m=2, n=2)
    c = course(lesson("l1", completion=rule, questions=(q1, q2)))
    progress = ProgressService(db)

    progress.quiz_attempt(c, "l1", "s3", q1, RIGHT)
    assert not progress.course_progress(c).lessons["l1"].completed
    progress.quiz_attempt(c, "l1", "s3", q2, RIGHT)

    assert progress.course_progress(c).lessons["l1"].completed
    assert progress.course_progress(c).best_score_total == pytest.approx(2.0)
    assert [a.kind for a in progress.recent_activity(1)] == [EventKind.LESSON_COMPLETED]


def test_time_spent_completes_a_time_lesson(db: Database) -> None:
    c = course(lesson("l1", completion=LessonCompletion(CompletionKind.TIME, minutes=2)))
    progress = ProgressService(db)

    assert progress.add_time(c, "l1", 0) is False
    assert progress.add_time(c, "l1", 61.5) is False
    assert progress.add_time(c, "l1", 60.0) is True
    assert progress.course_progress(c).seconds == pytest.approx(121.5)
    with pytest.raises(ValueError, match="positive number of seconds"):
        progress.add_time(c, "l1", -5)


def test_resume_point_is_the_last_slide_viewed_overall_and_per_course(db: Database) -> None:
    c1 = course(lesson("l1"), lesson("l2"))
    c2 = replace(course(lesson("x1")), id="c2")
    progress = ProgressService(db)
    assert progress.resume_point() is None

    progress.slide_viewed(c1, "l2", "s2")
    progress.slide_viewed(c2, "x1", "s1")
    progress.lesson_opened(c1, "l1")  # opening alone does not move the resume point

    last = progress.resume_point()
    assert last is not None
    assert (last.course_id, last.lesson_id, last.slide_id) == ("c2", "x1", "s1")
    in_c1 = progress.resume_point("c1")
    assert in_c1 is not None
    assert (in_c1.lesson_id, in_c1.slide_id) == ("l2", "s2")
    assert progress.resume_point("never-opened") is None


def test_recent_activity_is_newest_first_without_repeats(db: Database) -> None:
    q = question("q1")
    c = course(lesson("l1", questions=(q,)), lesson("l2"))
    progress = ProgressService(db)

    progress.lesson_opened(c, "l1")
    progress.quiz_attempt(c, "l1", "s3", q, WRONG)
    progress.quiz_attempt(c, "l1", "s3", q, RIGHT)
    progress.lesson_opened(c, "l2")
    progress.lesson_opened(c, "l2")

    activity = progress.recent_activity(10)
    assert [(a.kind, a.lesson_id) for a in activity] == [
        (EventKind.LESSON_OPENED, "l2"),
        (EventKind.QUIZ_ATTEMPT, "l1"),
        (EventKind.LESSON_OPENED, "l1"),
    ]
    assert activity[1].detail == "Answered a quiz question correctly"
    assert len(progress.recent_activity(2)) == 2


def test_events_are_append_only_and_imports_merge_by_union(db: Database) -> None:
    c = course(lesson("l1"))
    progress = ProgressService(db)
    progress.slide_viewed(c, "l1", "s1")
    first = progress.events()

    progress.slide_viewed(c, "l1", "s1")  # viewing again is a new event, not an update
    after = progress.events()
    assert after[: len(first)] == first
    assert len(after) == len(first) + 1

    other_device = [ProgressEvent.new(EventKind.SLIDE_VIEWED, "c1", "l1", slide_id="s2")]
    assert progress.import_events([*after, *other_device]) == 1
    assert progress.import_events(other_device) == 0
    assert progress.events()[: len(after)] == after
    assert progress.course_progress(c).lessons["l1"].viewed_slides == {"s1", "s2"}


def test_events_keep_their_ids_and_utc_times(db: Database) -> None:
    c = course(lesson("l1"))
    progress = ProgressService(db)
    progress.slide_viewed(c, "l1", "s1")

    (stored,) = progress.events("c1")

    assert isinstance(stored.id, uuid.UUID)
    assert stored.occurred_at.tzinfo is not None
    assert stored.occurred_at.utcoffset() == timedelta(0)
    assert abs(datetime.now(UTC) - stored.occurred_at) < timedelta(minutes=1)


def test_the_database_refuses_to_rewrite_or_erase_events(db: Database) -> None:
    c = course(lesson("l1"))
    ProgressService(db).slide_viewed(c, "l1", "s1")

    with pytest.raises(sqlite3.DatabaseError, match="append-only"), db.session() as conn:
        conn.execute("UPDATE progress_events SET slide_id = 's3'")
    with pytest.raises(sqlite3.DatabaseError, match="append-only"), db.session() as conn:
        conn.execute("DELETE FROM progress_events")
    with db.session() as conn:  # sync bookkeeping may still be updated
        conn.execute("UPDATE progress_events SET synced = 1, server_version = 7")

    assert [e.slide_id for e in ProgressService(db).events()] == ["s1"]


def test_progress_read_from_the_roll_up_is_what_the_events_themselves_say(
    db: Database,
) -> None:
    """Completion, best scores, attempts, viewed slides, time and last activity, read from
    the roll-up the database keeps, equal the fold of every event (with events of another
    device, one of them pulled twice, and a kind only a newer app knows)."""
    q1, q2 = question("q1", points=2), question("q2")
    c = course(
        lesson("l1", questions=(q1, q2)),
        lesson("l2", completion=LessonCompletion(CompletionKind.TIME, minutes=1)),
        lesson("l3", completion=LessonCompletion(CompletionKind.MASTERY, m=1, n=1)),
    )
    progress = ProgressService(db)
    progress.lesson_opened(c, "l1")
    for sid in ("s1", "s2", "s1", "s3"):
        progress.slide_viewed(c, "l1", sid)
    progress.quiz_attempt(c, "l1", "s3", q1, WRONG)
    progress.quiz_attempt(c, "l1", "s3", q1, replace(RIGHT, score=2.0))
    progress.quiz_attempt(c, "l1", "s3", q2, WRONG)
    progress.add_time(c, "l2", 40.0)
    pulled = [
        event(EventKind.TIME_SPENT, "l2", 5, seconds=30.0),
        event(EventKind.SLIDE_VIEWED, "l3", 6, slide_id="s2"),
        event(EventKind.LESSON_OPENED, "gone", 7),  # a lesson no longer in the course
    ]
    progress.import_events(pulled)
    progress.import_events(pulled[:1])  # pulled again: the same events
    with db.session() as conn:  # a kind this app does not know (written by a newer one)
        conn.execute(
            "INSERT INTO progress_events (id, kind, course_id, lesson_id, seconds,"
            " occurred_at, device_id, synced) VALUES (?, 'reviewed', 'c1', 'l1', 500,"
            " '2026-01-01 00:00:00.000000', 'other', 1)",
            (uuid.uuid4().hex,),
        )

    stored = progress.course_progress(c)
    folded = summarize(c, progress.events())

    assert stored == folded
    assert stored.lessons["l1"].attempts == {"q1": 2, "q2": 1}
    assert stored.lessons["l1"].best_scores == {"q1": 2.0, "q2": 0.0}
    assert stored.lessons["l1"].completed
    assert stored.lessons["l2"].completed
    assert stored.seconds == pytest.approx(70.0)
    for lid in ("l1", "l2", "l3"):
        assert progress.lesson_progress(c, lid) == folded.lessons[lid]


def test_reading_progress_costs_the_same_after_a_long_history(db: Database) -> None:
    """A learner's history grows by an event per slide viewed; opening a lesson, viewing a
    slide and listing courses read the roll-up (a row per slide and question), never the
    events, so none of them slows down or takes more memory as the history grows."""
    c = course(lesson("l1"), lesson("l2"))
    progress = ProgressService(db)
    history = [
        event(EventKind.SLIDE_VIEWED, "l1", i % 500, slide_id=("s1", "s2")[i % 2])
        for i in range(2000)
    ]
    progress.import_events(history)
    statements: list[str] = []
    with db.read_session() as conn:
        conn.set_trace_callback(statements.append)
    try:
        assert progress.course_progress(c).lessons["l1"].viewed_slides == {"s1", "s2"}
        assert not progress.lesson_progress(c, "l1").completed
        assert progress.slide_viewed(c, "l1", "s3")  # completes the lesson
    finally:
        with db.read_session() as conn:
            conn.set_trace_callback(None)
    reads = [s for s in statements if s.lstrip().upper().startswith("SELECT")]
    assert len(reads) >= 3
    assert not [s for s in reads if "progress_events" in s]
