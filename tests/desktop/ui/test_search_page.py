"""Search from the sidebar: results with the lesson and a snippet, opened at the slide."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.main_window import MainWindow
from desktop.ui.models.base import Role, SlideRef


def test_search_results_open_the_lesson_at_the_slide(
    window: MainWindow, qtbot, qtmodeltester, sample, shot
) -> None:
    # A word from the body of a slide that is not the first of its lesson.
    lesson = next(lsn for lsn in sample.ordered_lessons() if len(lsn.slides) > 1)
    target = lesson.slides[-1]
    word = "preheader" if "preheader" in target.body.lower() else target.title.split()[-1]

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(window.search_field, "subject line")
    qtbot.waitUntil(lambda: window.current_page() is window.search_page)
    page = window.search_page
    qtbot.waitUntil(lambda: page.query == "subject line")
    model = page.model
    qtmodeltester.check(model)
    assert model.rowCount() > 0
    first = model.index(0, 0)
    assert "<b>" in first.data(Role.DETAIL_HTML)
    subtitles = [model.index(r, 0).data(Role.SUBTITLE) for r in range(model.rowCount())]
    assert any(s.endswith(f" · {sample.title}") for s in subtitles)
    assert "result" in page.header.subtitle.text()
    shot(window, "search.png")

    # Find the target slide's hit, and open it with a click.
    assert window.run_search(word) > 0
    rows = [model.index(r, 0) for r in range(model.rowCount())]
    hit = next(i for i in rows if i.data(Role.REF) == SlideRef(sample.id, lesson.id, target.id))
    view = page.view
    view.scrollTo(hit)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(hit).center())
    player = window.player
    assert window.current_page() is player
    assert player.lesson is not None
    assert player.lesson.id == lesson.id
    assert player.slide is not None
    assert player.slide.id == target.id


def test_enter_in_the_search_box_opens_the_best_result(window: MainWindow, qtbot, sample) -> None:
    window.focus_search()
    qtbot.keyClicks(window.search_field, "subject")
    qtbot.keyClick(window.search_field, Qt.Key.Key_Return)
    assert window.current_page() is window.player
    best = window.search_page.model.index(0, 0).data(Role.REF)
    assert window.player.slide is not None
    assert window.player.slide.id == best.slide_id


def test_searching_for_nothing_found_says_so(window: MainWindow, qtbot) -> None:
    assert window.run_search('"zzzz qqqq" AND OR (') == 0
    page = window.search_page
    assert page.empty.isVisibleTo(page)
    assert "No results" in page.header.subtitle.text()
