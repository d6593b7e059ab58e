"""Grading quiz answers: all-or-nothing, with the feedback a learner sees."""

from __future__ import annotations

import pytest

from desktop.domain.course import Choice, Question, QuestionKind
from desktop.domain.grading import grade

SINGLE = Question(
    id="phone",
    kind=QuestionKind.SINGLE,
    prompt="How many characters fit?",
    choices=(
        Choice("a", "About 10", feedback="Too few."),
        Choice("b", "About 35", correct=True, feedback="Right, key words first."),
    ),
    correct_feedback="Well done.",
    incorrect_feedback="Look at the table again.",
    explanation="Phones cut subjects at about 35 characters.",
    points=3,
)
MULTIPLE = Question(
    id="spam",
    kind=QuestionKind.MULTIPLE,
    prompt="Which look like spam?",
    choices=(
        Choice("caps", "ALL CAPS", correct=True, feedback="Shouting."),
        Choice("bangs", "!!!", correct=True, feedback="Desperate."),
        Choice("benefit", "A clear benefit", feedback="That one is good."),
    ),
    points=2,
)
TEXT = Question(
    id="preheader",
    kind=QuestionKind.TEXT,
    prompt="Other name for preview text?",
    answers=("preheader", "preview text"),
)
ORDERING = Question(
    id="steps",
    kind=QuestionKind.ORDERING,
    prompt="Order the steps",
    items=("Pick what to change", "Split the list", "Send both"),
    points=2,
)


def test_right_single_choice_scores_full_points_with_its_feedback() -> None:
    result = grade(SINGLE, "b")
    assert result.correct
    assert result.score == 3.0
    assert result.feedback == "Right, key words first.\n\nWell done."
    assert result.explanation == "Phones cut subjects at about 35 characters."


def test_wrong_single_choice_scores_zero_with_that_choices_feedback() -> None:
    result = grade(SINGLE, "a")
    assert not result.correct
    assert result.score == 0.0
    assert result.feedback == "Too few.\n\nLook at the table again."


def test_unknown_choice_id_is_simply_wrong() -> None:
    assert not grade(SINGLE, "zzz").correct


def test_multiple_choice_needs_exactly_the_correct_set() -> None:
    assert grade(MULTIPLE, frozenset({"caps", "bangs"})).score == 2.0
    assert not grade(MULTIPLE, frozenset({"caps"})).correct  # no partial credit
    assert grade(MULTIPLE, frozenset({"caps"})).score == 0.0
    assert not grade(MULTIPLE, frozenset({"caps", "bangs", "benefit"})).correct
    assert not grade(MULTIPLE, frozenset()).correct


def test_multiple_choice_feedback_covers_every_chosen_choice_in_order() -> None:
    result = grade(MULTIPLE, frozenset({"benefit", "caps"}))
    assert result.feedback == "Shouting.\n\nThat one is good."


@pytest.mark.parametrize("typed", ["preheader", "  PreHeader ", "Preview   text", "preview\ttext"])
def test_text_answers_ignore_case_and_spacing(typed: str) -> None:
    assert grade(TEXT, typed).correct


@pytest.mark.parametrize("typed", ["", "   ", "pre header", "preview"])
def test_text_answers_must_match_an_accepted_answer(typed: str) -> None:
    result = grade(TEXT, typed)
    assert not result.correct
    assert result.feedback == ""  # the author wrote no feedback


def test_ordering_must_match_the_authors_order_exactly() -> None:
    assert grade(ORDERING, ORDERING.items).score == 2.0
    swapped = (ORDERING.items[1], ORDERING.items[0], ORDERING.items[2])
    assert not grade(ORDERING, swapped).correct
    assert not grade(ORDERING, ORDERING.items[:2]).correct


@pytest.mark.parametrize(
    ("question", "response"),
    [(SINGLE, frozenset({"b"})), (MULTIPLE, "caps"), (TEXT, ("preheader",)), (ORDERING, "x")],
)
def test_a_response_of_the_wrong_shape_is_a_caller_bug(
    question: Question, response: object
) -> None:
    with pytest.raises(TypeError):
        grade(question, response)  # type: ignore[arg-type]
