"""Settings: the lesson text size is kept, the data folder is shown."""

from __future__ import annotations

from PySide6.QtCore import Qt

from desktop.ui.main_window import MainWindow, Section


def test_text_size_is_saved_and_follows_into_the_lesson(
    window: MainWindow, services, qtbot, sample, shot
) -> None:
    window.show_section(Section.SETTINGS)
    page = window.settings_page
    assert str(services.settings.path.parent) in page.data_label.text()
    start = services.settings.current.lesson_font_pt
    page.font_size.setFocus()
    qtbot.keyClick(page.font_size, Qt.Key.Key_Right)  # the slider follows the keyboard
    assert services.settings.current.lesson_font_pt == start + 1
    assert page.font_value.text() == f"{start + 1} pt"
    shot(window, "settings.png")

    window.open_lesson(sample.id, sample.ordered_lessons()[0].id)
    assert window.player.browser.font().pointSize() == start + 1
