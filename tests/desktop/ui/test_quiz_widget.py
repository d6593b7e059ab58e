"""Quizzes in the player: feedback at once, hints, retry limits, mastery."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.domain.course import QuestionKind
from desktop.ui.main_window import MainWindow
from desktop.ui.widgets.quiz import QuestionView


def first_question(course, kind: QuestionKind):
    for lesson in course.ordered_lessons():
        for slide in lesson.slides:
            for question in slide.questions:
                if question.kind is kind:
                    return lesson.id, slide.id, question
    raise LookupError(f"the sample course has no {kind} question")


def _open_question(window: MainWindow, sample, kind: QuestionKind) -> QuestionView:
    lesson_id, slide_id, question = first_question(sample, kind)
    window.open_lesson(sample.id, lesson_id, slide_id)
    views = [v for v in window.player.quiz.views if v.question.id == question.id]
    assert len(views) == 1
    return views[0]


def test_wrong_then_right_answer_gets_feedback_at_once(
    window: MainWindow, services, qtbot, sample, shot
) -> None:
    view = _open_question(window, sample, QuestionKind.SINGLE)
    question = view.question
    wrong = next(c for c in question.choices if not c.correct)
    right = next(c for c in question.choices if c.correct)
    assert not view.check_button.isEnabled()  # nothing chosen yet

    if question.hint:
        qtbot.mouseClick(view.hint_button, Qt.MouseButton.LeftButton)
        assert view.hint_text.isVisibleTo(view)
        assert question.hint in view.hint_text.text()

    view.choose(wrong.id)
    qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert view.feedback.property("state") == "incorrect"
    assert view.feedback.isVisibleTo(view)
    if wrong.feedback:
        assert wrong.feedback in view.feedback.text()
    wrong_row = next(r for r in view._choice_rows if r.choice.id == wrong.id)
    assert wrong_row.property("state") == "incorrect"
    assert not view.explanation.isVisibleTo(view)  # never give the answer away early
    if question.max_attempts is not None:
        assert services.progress.attempts_used(sample.id, *_ids(sample, question.id)) == 1
    qtbot.waitUntil(lambda: not view.feedback.visibleRegion().isEmpty())  # scrolled into view
    shot(window, "quiz_feedback.png")

    view.choose(right.id)
    assert view.property("state") != "correct"
    qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
    assert view.feedback.property("state") == "correct"
    assert view.solved
    assert not view.check_button.isEnabled()
    if question.explanation:
        assert view.explanation.isVisibleTo(view)
    events = [e for e in services.progress.events(sample.id) if e.question_id == question.id]
    assert [e.correct for e in events] == [False, True]


def test_retry_limit_is_shown_and_enforced_even_after_reopening(
    window: MainWindow, services, qtbot, sample
) -> None:
    view = _open_question(window, sample, QuestionKind.SINGLE)
    question = view.question
    limit = question.max_attempts
    assert limit is not None, "the sample's first single-choice question has a retry limit"
    wrong = [c for c in question.choices if not c.correct]
    assert len(wrong) >= 2
    assert view.attempts_label.text() == f"{limit} of {limit} attempts left" or limit == 1

    for used in range(1, limit + 1):
        view.choose(wrong[used % len(wrong)].id)
        qtbot.mouseClick(view.check_button, Qt.MouseButton.LeftButton)
        assert view.attempts_used == used
        # The same wrong answer cannot be checked twice in a row.
        assert not view.check_button.isEnabled()
    assert view.attempts_label.text() == "No attempts left"
    assert not view.check_button.isEnabled()
    assert all(not r.button.isEnabled() for r in view._choice_rows)
    # Out of attempts: the right answer and the explanation are shown.
    right = next(r for r in view._choice_rows if r.choice.correct)
    assert right.property("state") == "missed"
    assert view.explanation.isVisibleTo(view)

    # Leave the slide and come back: still locked, from the stored attempts.
    player = window.player
    qtbot.keyClick(player, Qt.Key.Key_Home)
    lesson_id, slide_id, _ = first_question(sample, QuestionKind.SINGLE)
    window.open_lesson(sample.id, lesson_id, slide_id)
    again = next(v for v in player.quiz.views if v.question.id == question.id)
    assert again is not view
    assert again.attempts_used == limit
    assert not again.check_button.isEnabled()
    assert again.check() is None  # nothing is recorded beyond the limit
    assert services.progress.attempts_used(sample.id, lesson_id, question.id) == limit


def test_multiple_choice_text_and_ordering_answers(window: MainWindow, qtbot, sample) -> None:
    multiple = _open_question(window, sample, QuestionKind.MULTIPLE)
    multiple.choose(*(c.id for c in multiple.question.choices if c.correct))
    grade = multiple.check()
    assert grade is not None
    assert grade.correct

    text = _open_question(window, sample, QuestionKind.TEXT)
    assert text._text is not None
    qtbot.keyClicks(text._text, f"  {text.question.answers[0].upper()} ")
    qtbot.keyClick(text._text, Qt.Key.Key_Return)  # Enter checks
    assert text.solved
    assert text.feedback.property("state") == "correct"

    ordering = _open_question(window, sample, QuestionKind.ORDERING)
    items = list(ordering.question.items)
    model, view = ordering._ordering, ordering._ordering_view
    assert model is not None
    assert view is not None
    assert model.rows() != items  # shown shuffled
    # Put it right with the keyboard only: Alt+Up moves the current item up.
    for target, item in enumerate(items):
        row = model.rows().index(item)
        view.setCurrentIndex(model.index(row, 0))
        view.setFocus()
        for _ in range(row - target):
            qtbot.keyClick(view, Qt.Key.Key_Up, Qt.KeyboardModifier.AltModifier)
    assert model.rows() == items
    qtbot.mouseClick(ordering.check_button, Qt.MouseButton.LeftButton)
    assert ordering.solved


def test_ordering_buttons_move_the_selected_item(window: MainWindow, qtbot, sample) -> None:
    ordering = _open_question(window, sample, QuestionKind.ORDERING)
    model, view = ordering._ordering, ordering._ordering_view
    assert model is not None
    assert view is not None
    assert ordering.down_button is not None
    before = model.rows()
    view.setCurrentIndex(model.index(0, 0))
    qtbot.mouseClick(ordering.down_button, Qt.MouseButton.LeftButton)
    assert model.rows() == [before[1], before[0], *before[2:]]
    assert view.currentIndex().row() == 1
    assert model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled
    assert model.supportedDropActions() == Qt.DropAction.MoveAction


def test_mastery_lesson_completes_when_enough_questions_are_right(
    window: MainWindow, qtbot, sample
) -> None:
    from desktop.domain.course import CompletionKind

    lesson = next(
        lsn for lsn in sample.ordered_lessons() if lsn.completion.kind is CompletionKind.MASTERY
    )
    window.open_lesson(sample.id, lesson.id)
    player = window.player
    assert player.mastery.isVisibleTo(player)
    needed = min(lesson.completion.m, len(lesson.questions))
    answered = 0
    for index, slide in enumerate(lesson.slides):
        if answered >= needed:
            break
        if not slide.questions:
            continue
        player.go_to(index)
        for view in player.quiz.views:
            if answered >= needed:
                break
            _answer_right(view)
            assert view.solved
            answered += 1
    assert player.done_pill.isVisibleTo(player)
    assert player.mastery.property("state") == "done"
    assert player.next_lesson_offered or sample.next_lesson(lesson.id) is None


def _answer_right(view: QuestionView) -> None:
    q = view.question
    if q.kind is QuestionKind.SINGLE:
        view.choose(next(c.id for c in q.choices if c.correct))
    elif q.kind is QuestionKind.MULTIPLE:
        view.choose(*(c.id for c in q.choices if c.correct))
    elif q.kind is QuestionKind.TEXT:
        view.type_answer(q.answers[0])
    else:
        view.set_order(list(q.items))
    view.check()


def _ids(sample, question_id: str) -> tuple[str, str]:
    for lesson in sample.ordered_lessons():
        if any(q.id == question_id for q in lesson.questions):
            return lesson.id, question_id
    raise LookupError(question_id)
