"""The bundled courses play in the real lesson player from the first slide to the last,
every quiz answered the way a learner who read the lesson would, and the course ends
completed. Screenshots of flagship lessons and a quiz go to tests/artifacts/."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from desktop.domain.course import Course, Question, QuestionKind
from desktop.services.container import Services
from desktop.ui.main_window import MainWindow
from desktop.ui.widgets.quiz import QuestionView

SCREENSHOT_LESSONS = {
    "ai-marketing": ("how-llms-work", "search-ads", "sample-size-significance"),
    "sales-policies": ("commission-plans",),
}


def answer_correctly(view: QuestionView, question: Question) -> None:
    if question.kind is QuestionKind.SINGLE or question.kind is QuestionKind.MULTIPLE:
        view.choose(*(c.id for c in question.choices if c.correct))
    elif question.kind is QuestionKind.TEXT:
        view.type_answer(question.answers[0])
    else:
        view.set_order(list(question.items))


@pytest.mark.parametrize("course_id", ["ai-marketing", "sales-policies"])
def test_a_bundled_course_plays_from_start_to_end(
    course_id: str,
    services: Services,
    open_window: Callable[[Services], MainWindow],
    shot: Callable[[QWidget, str], Path],
):
    window = open_window(services)
    course: Course = services.library.course(course_id)
    player = window.player
    answered = 0
    quiz_shot = False
    for lesson in course.ordered_lessons():
        assert window.open_lesson(course.id, lesson.id)
        shown = services.library.lesson_content(course, lesson.id)  # read with its text
        for index, slide in enumerate(lesson.slides):
            assert player.index == index
            assert player.slide == shown.slides[index]
            assert player.slide.id == slide.id
            assert player.slide.body
            views = {v.question.id: v for v in player.quiz.views}
            assert set(views) == {q.id for q in slide.questions}
            for question in slide.questions:
                answer_correctly(views[question.id], question)
                result = views[question.id].check()
                assert result is not None, (lesson.id, question.id)
                assert result.correct, (lesson.id, question.id)
                answered += 1
            if index == 0 and lesson.id in SCREENSHOT_LESSONS.get(course_id, ()):
                QApplication.processEvents()
                shot(window, f"{course_id}-{lesson.id}.png")
            if slide.questions and lesson.id.endswith("-quiz") and not quiz_shot:
                player.reveal(player.quiz.views[0])
                QApplication.processEvents()
                shot(window, f"{course_id}-{lesson.id}.png")
                quiz_shot = True
            player.next_slide()
        assert services.progress.lesson_progress(course, lesson.id).completed, lesson.id

    progress = services.progress.course_progress(course)
    assert progress.completed
    assert progress.completed_lessons == progress.total_lessons == len(course.lessons)
    assert answered == sum(len(lesson.questions) for lesson in course.lessons.values())
