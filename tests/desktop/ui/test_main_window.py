"""The window shell: sections by keyboard, honest empty states, the first-run Home."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel

from desktop.ui.main_window import MainWindow, Section


def test_ctrl_digits_switch_sections_and_ctrl_f_focuses_search(window: MainWindow, qtbot) -> None:
    expected = [
        (Qt.Key.Key_2, window.library),
        (Qt.Key.Key_3, window.studio),
        (Qt.Key.Key_4, window.policies),
        (Qt.Key.Key_5, window.templates),
        (Qt.Key.Key_6, window.settings_page),
        (Qt.Key.Key_1, window.home),
    ]
    for key, page in expected:
        qtbot.keyClick(window, key, Qt.KeyboardModifier.ControlModifier)
        assert window.current_page() is page
        lit = [s for s, b in window.nav_buttons.items() if b.isChecked()]
        assert lit == [window.section]

    qtbot.keyClick(window, Qt.Key.Key_F, Qt.KeyboardModifier.ControlModifier)
    assert QApplication.focusWidget() is window.search_field


def test_sections_of_later_releases_say_what_they_will_do(window: MainWindow, shot) -> None:
    for section, page, words in (
        (Section.STUDIO, window.studio, "generate ads, emails and posts"),
        (Section.POLICIES, window.policies, "sales policies"),
        (Section.TEMPLATES, window.templates, "team"),
    ):
        window.show_section(section)
        texts = " ".join(label.text() for label in page.findChildren(QLabel))
        assert words in texts
        assert "later version" in texts
        # Nothing pretends to work: an announcement has no buttons to press.
        assert not page.empty.findChildren(type(window.library.add_button))
    window.show_section(Section.STUDIO)
    shot(window, "empty_state.png")


def test_first_run_home_offers_the_sample_course(window: MainWindow, qtbot, sample, shot) -> None:
    card = window.home.continue_card
    assert card.action.text().strip() == "Start the sample course"
    assert card.title.text() == sample.title
    assert window.home.activity_model.rowCount() == 0
    assert window.home.activity_empty.isVisibleTo(window.home)
    shot(window, "home_first_run.png")

    card.setFocus()
    qtbot.keyClick(card, Qt.Key.Key_Return)
    assert window.current_page() is window.player
    assert window.player.course is not None
    assert window.player.course.id == sample.id
    assert window.player.lesson is not None
    assert window.player.lesson.id == sample.ordered_lessons()[0].id
    assert window.player.index == 0
