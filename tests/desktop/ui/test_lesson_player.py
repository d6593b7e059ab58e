"""The lesson player on the sample course: keys, progress, resume, bookmarks and notes."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from desktop.config import Settings
from desktop.domain.course import CompletionKind, Course
from desktop.domain.progress import EventKind
from desktop.ui.main_window import MainWindow
from desktop.ui.models.base import Role, SlideRef


def _longest_all_slides_lesson(course: Course) -> str:
    lessons = [
        lsn for lsn in course.ordered_lessons() if lsn.completion.kind is CompletionKind.ALL_SLIDES
    ]
    return max(lessons, key=lambda lsn: len(lsn.slides)).id


def test_keyboard_moves_through_slides_and_esc_goes_back(window: MainWindow, qtbot, sample) -> None:
    lesson_id = _longest_all_slides_lesson(sample)
    lesson = sample.lessons[lesson_id]
    last = len(lesson.slides) - 1
    assert last >= 2
    window.open_lesson(sample.id, lesson_id)
    player = window.player
    assert QApplication.focusWidget() is player

    steps = [
        (Qt.Key.Key_Right, 1),
        (Qt.Key.Key_Left, 0),
        (Qt.Key.Key_PageDown, 1),
        (Qt.Key.Key_PageUp, 0),
        (Qt.Key.Key_Space, 1),
        (Qt.Key.Key_End, last),
        (Qt.Key.Key_Right, last),  # no slide after the last one
        (Qt.Key.Key_Home, 0),
        (Qt.Key.Key_Left, 0),
    ]
    for key, index in steps:
        qtbot.keyClick(player, key)
        assert player.index == index, key
        assert player.counter.text() == f"Slide {index + 1} of {last + 1}"
        assert player.bar.value() == index + 1

    qtbot.keyClick(player, Qt.Key.Key_Escape)
    assert window.current_page() is window.course_page
    assert window.course_page.course is not None
    assert window.course_page.course.id == sample.id


def test_every_slide_shown_is_recorded_and_completion_offers_the_next_lesson(
    window: MainWindow, services, qtbot, sample
) -> None:
    lesson_id = _longest_all_slides_lesson(sample)
    lesson = sample.lessons[lesson_id]
    window.open_lesson(sample.id, lesson_id)
    player = window.player
    for _ in lesson.slides[1:]:
        assert not player.next_lesson_offered
        qtbot.keyClick(player, Qt.Key.Key_Right)

    kinds = [e.kind for e in services.progress.events(sample.id)]
    assert kinds.count(EventKind.LESSON_OPENED) == 1
    assert kinds.count(EventKind.SLIDE_VIEWED) == len(lesson.slides)
    assert kinds.count(EventKind.LESSON_COMPLETED) == 1
    assert player.done_pill.isVisibleTo(player)
    assert player.next_lesson_offered
    following = sample.next_lesson(lesson_id)
    assert following is not None
    assert following.title in player.banner_text.text()

    qtbot.mouseClick(player.banner_next, Qt.MouseButton.LeftButton)
    assert player.lesson is not None
    assert player.lesson.id == following.id
    assert player.index == 0


def test_resume_reopens_the_exact_slide_after_a_restart(
    make_services, open_window, qtbot, sample, shot
) -> None:
    lesson = sample.ordered_lessons()[1]
    first = open_window(make_services())
    first.open_lesson(sample.id, lesson.id)
    qtbot.keyClick(first.player, Qt.Key.Key_Right)
    qtbot.keyClick(first.player, Qt.Key.Key_Right)
    stopped_at = lesson.slides[2].id
    first.close()

    # A new app on the same database: Home says where we were, Enter takes us there.
    second = open_window(make_services())
    card = second.home.continue_card
    assert card.ref == SlideRef(sample.id, lesson.id, stopped_at)
    assert card.title.text() == lesson.title
    assert f"Slide 3 of {len(lesson.slides)}" in card.meta.text()
    assert second.home.courses_model.rowCount() >= 1
    assert second.home.activity_model.rowCount() >= 1
    shot(second, "home.png")

    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Enter)
    player = second.player
    assert second.current_page() is player
    assert player.lesson is not None
    assert player.lesson.id == lesson.id
    assert player.slide is not None
    assert player.slide.id == stopped_at


def test_bookmark_and_note_are_saved_and_listed_on_the_course(
    window: MainWindow, services, qtbot, qtmodeltester, sample, shot
) -> None:
    lesson = sample.ordered_lessons()[0]
    window.open_lesson(sample.id, lesson.id)
    player = window.player
    qtbot.keyClick(player, Qt.Key.Key_Right)
    slide = lesson.slides[1]

    qtbot.keyClick(player, Qt.Key.Key_B)
    assert player.bookmarked
    assert services.annotations.is_bookmarked(sample.id, lesson.id, slide.id)

    qtbot.keyClick(player, Qt.Key.Key_N)
    assert QApplication.focusWidget() is player.note
    qtbot.keyClicks(player.note, "Lead with the offer")
    qtbot.waitUntil(lambda: player.note_saved)  # saved by itself, a moment after typing
    assert services.annotations.note(sample.id, lesson.id, slide.id) == "Lead with the offer"
    shot(window, "lesson.png")

    qtbot.keyClick(player.note, Qt.Key.Key_Escape)  # out of the note, back to the slide
    assert QApplication.focusWidget() is player
    qtbot.keyClick(player, Qt.Key.Key_Home)
    qtbot.keyClick(player, Qt.Key.Key_Escape)  # back to the course
    page = window.course_page
    assert window.current_page() is page
    qtmodeltester.check(page.bookmarks_model)
    qtmodeltester.check(page.notes_model)
    assert page.bookmarks_model.rowCount() == 1
    assert page.notes_model.rowCount() == 1
    shot(window, "course.png")
    note = page.notes_model.index(0, 0)
    assert note.data(Role.DETAIL) == "Lead with the offer"
    assert note.data(Qt.ItemDataRole.DisplayRole) == slide.title

    rect = page.notes_view.visualRect(note)
    qtbot.mouseClick(page.notes_view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    assert window.current_page() is player
    assert player.slide is not None
    assert player.slide.id == slide.id
    assert player.note.toPlainText() == "Lead with the offer"
    assert player.bookmarked


def test_text_size_keys_change_and_keep_the_lesson_font(
    window: MainWindow, services, qtbot, sample
) -> None:
    window.open_lesson(sample.id, sample.ordered_lessons()[0].id)
    player = window.player
    start = services.settings.current.lesson_font_pt
    qtbot.keyClick(player, Qt.Key.Key_Equal, Qt.KeyboardModifier.ControlModifier)
    assert services.settings.current.lesson_font_pt == start + 1
    assert player.browser.font().pointSize() == start + 1
    assert window.settings_page.font_size.value() == start + 1
    qtbot.keyClick(player, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(player, Qt.Key.Key_Minus, Qt.KeyboardModifier.ControlModifier)
    assert services.settings.current.lesson_font_pt == start - 1
    qtbot.keyClick(player, Qt.Key.Key_0, Qt.KeyboardModifier.ControlModifier)
    assert services.settings.current.lesson_font_pt == Settings().lesson_font_pt
    # Kept in the settings file for the next start.
    assert f"lesson_font_pt = {Settings().lesson_font_pt}" in services.settings.path.read_text()


def test_time_spent_is_recorded_when_leaving(window: MainWindow, services, qtbot, sample) -> None:
    lesson = sample.ordered_lessons()[0]
    window.open_lesson(sample.id, lesson.id)
    player = window.player
    player._last_flush -= 30  # as if the learner had read for half a minute
    qtbot.keyClick(player, Qt.Key.Key_Escape)
    spent = [e for e in services.progress.events(sample.id) if e.kind is EventKind.TIME_SPENT]
    assert len(spent) == 1
    assert 29 <= spent[0].seconds <= 40


def test_a_lesson_edited_on_disk_after_the_library_was_read_asks_for_a_reload(
    services, open_window, tmp_path
) -> None:
    # The library keeps lessons as outlines and reads a lesson's text when it is shown:
    # a file changed since it was checked is not shown half-checked.
    import shutil
    from pathlib import Path

    source = Path(__file__).resolve().parents[3] / "courses" / "sample-course"
    folder = shutil.copytree(source, tmp_path / "copy")
    manifest = folder / "course.toml"
    manifest.write_text(
        manifest.read_text("utf-8").replace('"email-subject-lines"', '"copy-course"', 1), "utf-8"
    )
    services.library.add_folder(folder)
    window = open_window(services)
    course = services.library.course("copy-course")
    first, second = course.ordered_lessons()[:2]
    assert window.open_lesson(course.id, first.id)
    assert window.player.slide.body  # the text, read from the file

    path = second.source
    path.write_text(path.read_text("utf-8") + "\nAdded after the library was read.\n", "utf-8")
    assert not window.open_lesson(course.id, second.id)
    assert window.player.lesson.id == first.id  # still showing what it showed
    assert "changed on disk" in window.statusBar().currentMessage()
    assert "Refresh the library" in window.statusBar().currentMessage()
