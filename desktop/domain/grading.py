"""Grading a learner's answer to a quiz question. Pure rules, no Qt, no storage.

All-or-nothing: a question scores its full ``points`` when the answer is right and 0
otherwise; there is no partial credit (a multiple-choice answer must be exactly the set
of correct choices, an ordering must be exactly the author's order).
"""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.course import Question, QuestionKind
from desktop.domain.course_format import normalise_answer

# single: the chosen choice id; multiple: the set of chosen choice ids; text: what the
# learner typed; ordering: the items' texts in the learner's order.
Response = str | frozenset[str] | tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Grade:
    """The result of one attempt. ``feedback`` is what to show right away: the feedback of
    each chosen choice, then the question's correct/incorrect feedback (empty when the
    author wrote none). ``explanation`` is the question's explanation, for the UI to show
    once the learner got it right or has no attempts left."""

    correct: bool
    score: float
    feedback: str
    explanation: str


def grade(question: Question, response: Response) -> Grade:
    """Grade ``response`` to ``question``.

    Raises ``TypeError`` when the response has the wrong shape for the question's kind
    (e.g. a set of ids for a single-choice question): that is a bug in the caller, not a
    wrong answer. Unknown choice ids are simply wrong answers."""
    kind = question.kind
    chosen_feedback: list[str] = []
    if kind is QuestionKind.SINGLE:
        if not isinstance(response, str):
            raise TypeError(f"single-choice answer must be a choice id, got {response!r}")
        chosen = next((c for c in question.choices if c.id == response), None)
        correct = chosen is not None and chosen.correct
        if chosen is not None and chosen.feedback:
            chosen_feedback.append(chosen.feedback)
    elif kind is QuestionKind.MULTIPLE:
        if not isinstance(response, frozenset):
            raise TypeError(f"multiple-choice answer must be a frozenset of ids, got {response!r}")
        expected = frozenset(c.id for c in question.choices if c.correct)
        correct = response == expected
        chosen_feedback.extend(
            c.feedback for c in question.choices if c.id in response and c.feedback
        )
    elif kind is QuestionKind.TEXT:
        if not isinstance(response, str):
            raise TypeError(f"text answer must be a string, got {response!r}")
        typed = normalise_answer(response)
        correct = bool(typed) and any(typed == normalise_answer(a) for a in question.answers)
    elif kind is QuestionKind.ORDERING:
        if not isinstance(response, tuple):
            raise TypeError(f"ordering answer must be a tuple of items, got {response!r}")
        correct = response == question.items
    else:  # pragma: no cover - QuestionKind is closed
        raise TypeError(f"unknown question kind {kind!r}")

    general = question.correct_feedback if correct else question.incorrect_feedback
    feedback = "\n\n".join(part for part in (*chosen_feedback, general) if part)
    return Grade(
        correct=correct,
        score=float(question.points) if correct else 0.0,
        feedback=feedback,
        explanation=question.explanation,
    )
