"""Presenting without a window: decks, planned time and pacing, what every key does, the
HTML the room sees (never the speaker notes), and handouts made by the real WeasyPrint."""

from __future__ import annotations

import io
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from desktop.domain.course import Choice, Course, Lesson, Module, Question, QuestionKind, Slide
from desktop.domain.presenting import (
    Blank,
    Effect,
    PaceState,
    PresentingError,
    Scope,
    Show,
    Stopwatch,
    build_deck,
    format_clock,
    format_duration,
    pacing,
    parse_timing,
    press,
)
from desktop.services.course_library import load_course
from desktop.services.presenting import (
    DeckRenderer,
    PdfProblem,
    export_handout,
    handout_html,
)

REPO = Path(__file__).resolve().parents[3]
COURSES = REPO / "courses"


def _slide(sid: str, notes: str = "", questions: tuple[Question, ...] = ()) -> Slide:
    return Slide(sid, sid.title(), f"# {sid.title()}\n\nBody of {sid}.", notes, questions)


QUESTION = Question(
    "q1",
    QuestionKind.SINGLE,
    "Where do the key words go?",
    choices=(Choice("a", "At the start", True), Choice("b", "At the end")),
    explanation="Phones cut the end off.",
)


def _course() -> Course:
    intro = Lesson(
        "intro",
        "Intro",
        (
            _slide("one", "Welcome everyone.\nTiming: 2 min"),
            _slide("two", "Ask a question."),
            _slide("three"),
        ),
        estimated_minutes=6,
    )
    quiz = Lesson("quiz", "Quiz", (_slide("check", "", (QUESTION,)),), estimated_minutes=0)
    outro = Lesson("outro", "Outro", (_slide("bye", "Timing: 90 s"),))
    return Course(
        "c",
        "1.0.0",
        "Course",
        (Module("m1", "First", ("intro", "quiz")), Module("m2", "Second", ("outro",))),
        {"intro": intro, "quiz": quiz, "outro": outro},
        authors=("Maya",),
    )


# -- timing and decks ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("notes", "seconds"),
    [
        ("Say hello.\nTiming: 2 min", 120.0),
        ("timing: 90 s", 90.0),
        ("Time: 1:30", 90.0),
        ("Timing: 3", 180.0),
        ("Timing: 1.5 minutes", 90.0),
        ("Timing: 1 min\nmore\nTiming: 30 sec", 90.0),
        ("Just notes, no plan.", None),
        ("The timing: of this is odd", None),
    ],
)
def test_timing_lines_in_notes_give_the_planned_time(notes: str, seconds: float | None) -> None:
    text, planned = parse_timing(notes)
    assert planned == seconds
    if seconds is not None:
        assert "timing" not in text.lower()
        assert "time:" not in text.lower()
    else:
        assert text == notes


def test_a_lesson_deck_plans_untimed_slides_from_the_lesson_estimate() -> None:
    deck = build_deck(_course(), Scope.LESSON, "intro")
    assert [s.number for s in deck.slides] == [1, 2, 3]
    assert [s.planned_seconds for s in deck.slides] == [120.0, 120.0, 120.0]  # 6 min - 2 min
    assert [s.timed_by_notes for s in deck.slides] == [True, False, False]
    assert deck.slides[0].notes == "Welcome everyone."
    assert deck.title == "Intro"
    assert deck.subtitle == "Course · First"
    assert deck.planned_seconds == 360.0


def test_module_and_course_decks_run_across_lessons_in_order() -> None:
    course = _course()
    module = build_deck(course, Scope.MODULE, "m1")
    assert [(s.lesson_id, s.slide.id) for s in module.slides] == [
        ("intro", "one"),
        ("intro", "two"),
        ("intro", "three"),
        ("quiz", "check"),
    ]
    whole = build_deck(course, Scope.COURSE)
    assert [s.number for s in whole.slides] == [1, 2, 3, 4, 5]
    assert whole.slides[-1].module_title == "Second"
    assert whole.slides[-1].planned_seconds == 90.0
    assert whole.planned_start(4) == 360.0
    assert whole.position_of("outro", None) == 4
    assert whole.position_of("intro", "two") == 1
    assert whole.position_of("intro", "gone") == 0


def test_presenting_something_that_is_not_there_says_what_to_do() -> None:
    course = _course()
    with pytest.raises(PresentingError, match=r"no lesson 'nope'.*Reload"):
        build_deck(course, Scope.LESSON, "nope")
    with pytest.raises(PresentingError, match="no module 'nope'"):
        build_deck(course, Scope.MODULE, "nope")
    empty = Course("e", "1.0.0", "Empty", (Module("m", "M", ("l",)),), {"l": Lesson("l", "L", ())})
    with pytest.raises(PresentingError, match="no slides"):
        build_deck(empty, Scope.COURSE)


def test_the_bundled_lessons_timing_lines_drive_their_plan() -> None:
    course = load_course(COURSES / "sales-policies")
    deck = build_deck(course, Scope.LESSON, "commission-plans")
    assert all(s.timed_by_notes for s in deck.slides if s.slide.notes)
    assert deck.has_plan
    assert all("Timing:" not in s.notes for s in deck.slides)


# -- pacing and the timer --------------------------------------------------------------


def test_pacing_is_ahead_on_pace_or_behind_against_the_plan() -> None:
    deck = build_deck(_course(), Scope.LESSON, "intro")  # 3 slides of 2 min
    assert pacing(deck, 0, 0).state is PaceState.ON_PACE
    assert pacing(deck, 2, 60).state is PaceState.AHEAD  # slide 3 is planned at 4:00
    assert pacing(deck, 2, 60).seconds == 180
    assert pacing(deck, 2, 60).text == "3 min ahead"
    assert pacing(deck, 0, 300).state is PaceState.BEHIND  # slide 1 was to end at 2:00
    assert pacing(deck, 0, 300).text == "3 min behind"
    assert pacing(deck, 1, 150).state is PaceState.ON_PACE
    assert pacing(deck, 0, 140).state is PaceState.ON_PACE  # within 30 s of the plan
    # Started at slide 3 (resumed from the lesson player): not four minutes ahead.
    assert pacing(deck, 2, 0, origin=2).state is PaceState.ON_PACE


def test_pacing_without_any_plan_says_so() -> None:
    lesson = Lesson("l", "L", (_slide("a"), _slide("b")))
    course = Course("c", "1.0.0", "C", (Module("m", "M", ("l",)),), {"l": lesson})
    result = pacing(build_deck(course, Scope.COURSE), 1, 500)
    assert result.state is PaceState.NO_PLAN
    assert result.text == "No planned time"


def test_stopwatch_counts_stops_and_resets() -> None:
    watch = Stopwatch().start(100.0)
    assert watch.elapsed(130.0) == 30.0
    stopped = watch.stop(130.0)
    assert stopped.elapsed(500.0) == 30.0
    assert not stopped.running
    again = stopped.start(600.0)
    assert again.elapsed(610.0) == 40.0
    assert again.reset(610.0).elapsed(615.0) == 5.0
    assert format_clock(65) == "01:05"
    assert format_clock(3725) == "1:02:05"
    assert format_duration(42) == "42 s"
    assert format_duration(3900) == "1 h 05 min"


# -- keys ------------------------------------------------------------------------------


def _keys(show: Show, *keys: str, quiz: tuple[bool, ...] = ()) -> tuple[Show, Effect]:
    effect = Effect.NONE
    for key in keys:
        show, effect = press(show, key, has_quiz=quiz)
    return show, effect


@pytest.mark.parametrize("key", ["PageDown", "Right", "Space", "Down", "Enter", "N"])
def test_next_keys_move_forward_and_stop_at_the_last_slide(key: str) -> None:
    show, _ = _keys(Show(3), key)
    assert show.index == 1
    show, _ = _keys(show, key, key, key)
    assert show.index == 2


@pytest.mark.parametrize("key", ["PageUp", "Left", "Shift+Space", "Up", "Backspace", "P"])
def test_previous_keys_move_back_and_stop_at_the_first_slide(key: str) -> None:
    show, _ = _keys(Show(5, index=2), key)
    assert show.index == 1
    show, _ = _keys(show, key, key)
    assert show.index == 0


def test_f5_starts_from_the_beginning_with_everything_cleared() -> None:
    show = Show(5, index=3, blank=Blank.BLACK, frozen_at=2)
    show, effect = press(show, "F5")
    assert effect is Effect.RESTART
    assert show == Show(5)


def test_shift_f5_starts_from_the_current_slide() -> None:
    show, effect = press(Show(5, index=3, blank=Blank.WHITE, frozen_at=1), "Shift+F5")
    assert effect is Effect.RESUME
    assert show.index == 3
    assert show.audience_index == 3
    assert show.blank is Blank.NONE


def test_escape_ends_then_f5_shift_f5_or_escape_again() -> None:
    show, effect = press(Show(5, index=3), "Escape")
    assert effect is Effect.END
    assert not show.running
    assert press(show, "PageDown") == (show, Effect.NONE)  # ended: slides stay put
    resumed, effect = press(show, "Shift+F5")
    assert effect is Effect.RESUME
    assert resumed.running
    assert resumed.index == 3
    restarted, effect = press(show, "F5")
    assert effect is Effect.RESTART
    assert restarted.running
    assert restarted.index == 0
    assert press(show, "Escape")[1] is Effect.CLOSE


@pytest.mark.parametrize(
    ("key", "blank"),
    [("B", Blank.BLACK), (".", Blank.BLACK), ("W", Blank.WHITE), (",", Blank.WHITE)],
)
def test_blanking_keys_toggle_without_moving_the_slide(key: str, blank: Blank) -> None:
    show, _ = _keys(Show(5, index=2), key)
    assert show.blank is blank
    assert show.index == 2
    assert show.audience_index == 2
    show, _ = _keys(show, "PageDown")  # the presenter moves on; the room still sees the blank
    assert show.blank is blank
    assert show.index == 3
    show, _ = _keys(show, key)
    assert show.blank is Blank.NONE


def test_black_then_white_switches_straight_to_white() -> None:
    show, _ = _keys(Show(3), "B", "W")
    assert show.blank is Blank.WHITE
    show, _ = _keys(show, ".")
    assert show.blank is Blank.BLACK


def test_a_slide_number_then_enter_jumps_there() -> None:
    show, _ = _keys(Show(30), "1", "2")
    assert show.typed == "12"
    assert show.index == 0
    show, effect = _keys(show, "Enter")
    assert show.index == 11
    assert show.typed == ""
    assert effect is Effect.NONE
    show, _ = _keys(show, "3", "Backspace", "5", "Enter")
    assert show.index == 4


def test_a_number_that_is_not_a_slide_is_refused_and_escape_forgets_a_number() -> None:
    show, effect = _keys(Show(10, index=4), "9", "9", "Enter")
    assert effect is Effect.NO_SUCH_SLIDE
    assert show.index == 4
    assert show.typed == ""
    show, effect = _keys(show, "0", "Enter")
    assert effect is Effect.NO_SUCH_SLIDE
    show, effect = _keys(show, "7", "Escape")
    assert effect is Effect.NONE
    assert show.running
    assert show.typed == ""
    show, _ = _keys(show, "7", "PageDown")  # another key drops the number and acts
    assert show.index == 5
    assert show.typed == ""


def test_freeze_keeps_the_audience_on_its_slide_while_the_presenter_looks_ahead() -> None:
    show, _ = _keys(Show(6, index=1), "F", "PageDown", "PageDown")
    assert show.frozen
    assert show.index == 3
    assert show.audience_index == 1
    show, _ = _keys(show, "F")
    assert not show.frozen
    assert show.audience_index == 3


def test_a_reveals_quiz_answers_only_on_a_quiz_slide() -> None:
    quiz = (False, True)
    show, _ = _keys(Show(2), "A", quiz=quiz)
    assert not show.answer_revealed
    show, _ = _keys(show, "PageDown", "A", quiz=quiz)
    assert show.answer_revealed
    assert show.audience_answer_revealed
    show, _ = _keys(show, "A", quiz=quiz)
    assert not show.answer_revealed


def test_r_resets_the_timer_and_s_swaps_screens() -> None:
    assert press(Show(3), "R")[1] is Effect.RESET_TIMER
    assert press(Show(3), "S")[1] is Effect.SWAP
    assert press(Show(3), "Q") == (Show(3), Effect.NONE)


# -- what the room sees, and handouts -------------------------------------------------


def test_the_room_never_gets_speaker_notes_from_any_bundled_slide() -> None:
    marker = "PRIVATE-NOTE-7f3a"
    checked = 0
    for folder in ("sample-course", "sales-policies", "ai-marketing"):
        course = load_course(COURSES / folder)
        deck = build_deck(course, Scope.COURSE)
        renderer = DeckRenderer(deck)
        for i, item in enumerate(deck.slides):
            if not item.notes:
                continue
            rendered = renderer.slide(i)
            assert rendered.notes  # the presenter does get them
            # What the room sees does not depend on the notes at all...
            bare = replace(item, slide=replace(item.slide, notes=""), notes="")
            marked = replace(item, slide=replace(item.slide, notes=marker), notes=marker)
            for other in (bare, marked):
                again = replace(deck, slides=(other,), starts=(0.0,))
                shown = DeckRenderer(again).slide(0)
                assert (shown.body, shown.quiz, shown.quiz_revealed) == (
                    rendered.body,
                    rendered.quiz,
                    rendered.quiz_revealed,
                ), (item.lesson_id, item.slide.id)
                # ...and the notes are only in the presenter's part.
                if other is marked:
                    assert marker in shown.notes
                    assert marker not in shown.body + shown.quiz + shown.quiz_revealed
            checked += 1
    assert checked > 20


def test_quiz_html_hides_the_answer_until_revealed() -> None:
    deck = build_deck(_course(), Scope.LESSON, "quiz")
    rendered = DeckRenderer(deck).slide(0)
    assert "At the start" in rendered.quiz
    assert "✓" not in rendered.quiz
    assert "Phones cut the end off." not in rendered.quiz
    assert "✓" in rendered.quiz_revealed
    assert "Phones cut the end off." in rendered.quiz_revealed
    assert "At the start" in rendered.answers


def test_handout_html_with_and_without_notes() -> None:
    deck = build_deck(_course(), Scope.COURSE)
    with_notes = handout_html(deck, with_notes=True)
    slides_only = handout_html(deck, with_notes=False)
    assert "Welcome everyone." in with_notes
    assert "Welcome everyone." not in slides_only
    assert "Phones cut the end off." in with_notes  # the trainer's copy has the answers
    assert "Phones cut the end off." not in slides_only
    assert "Timing:" not in with_notes
    for title in ("One", "Two", "Three", "Check", "Bye"):
        assert title in slides_only


def _pdf_text(path: Path) -> str:
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_handouts_are_real_pdfs_with_or_without_notes(tmp_path: Path) -> None:
    course = load_course(COURSES / "sample-course")
    deck = build_deck(course, Scope.LESSON, "first-impressions")
    with_notes = export_handout(deck, tmp_path / "trainer", with_notes=True)
    slides_only = export_handout(deck, tmp_path / "room.pdf", with_notes=False)
    assert with_notes.path == tmp_path / "trainer.pdf"
    assert with_notes.left_out == ()
    assert slides_only.left_out == ()
    trainer, room = _pdf_text(with_notes.path), _pdf_text(slides_only.path)
    note = "show of hands"
    assert note in trainer
    assert note not in room
    for item in deck.slides:
        first_word = item.slide.title.split()[0]
        assert first_word in trainer
        assert first_word in room
    assert not list(tmp_path.glob(".handout-*"))  # no temporary file left behind


def test_a_failed_handout_leaves_no_file_and_keeps_the_old_one(tmp_path: Path) -> None:
    deck = build_deck(_course(), Scope.COURSE)
    blocker = tmp_path / "not-a-folder"
    blocker.write_text("a file where a folder should be")
    with pytest.raises((OSError, PdfProblem)):
        export_handout(deck, blocker / "handout.pdf", with_notes=False)
    assert blocker.read_text() == "a file where a folder should be"
