"""The course library: added folders, broken courses shown as broken, the rest open."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt

from desktop.ui.main_window import MainWindow, Section
from desktop.ui.models.base import Role


def _broken_course(folder: Path) -> Path:
    (folder / "lessons").mkdir(parents=True)
    (folder / "course.toml").write_text(
        'format = 1\nid = "broken-course"\nversion = "1"\ntitle = "Broken course"\n'
        'modules = [ { id = "m", title = "M", lessons = ["missing-lesson"] } ]\n'
        "this line is not TOML\n",
        encoding="utf-8",
    )
    return folder


def _row_of(window: MainWindow, title_or_folder: str) -> int:
    model = window.library.model
    for row in range(model.rowCount()):
        index = model.index(row, 0)
        entry = index.data(Role.ITEM).entry
        if title_or_folder in (entry.title, entry.folder.name):
            return row
    raise LookupError(title_or_folder)


def test_broken_course_is_shown_as_broken_and_never_opens_while_others_do(
    window: MainWindow, tmp_path, qtbot, qtmodeltester, shot, copy_sample
) -> None:
    added = tmp_path / "team-courses"
    _broken_course(added / "broken")
    copy_sample(added / "second", "second-course")
    window.library.choose_folder = lambda: added  # the dialog's answer
    with qtbot.waitSignal(window.search_ready, timeout=20_000):
        qtbot.mouseClick(window.library.add_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.runner.busy)
    assert window.current_page() is window.library

    model = window.library.model
    qtmodeltester.check(model)
    broken = model.index(_row_of(window, "broken"), 0)
    assert broken.data(Role.BADGE) == "Broken"
    assert broken.data(Role.REF) is None
    detail = broken.data(Role.DETAIL)
    assert "course.toml:" in detail  # file:line of the first problems
    assert "Can't be opened" in broken.data(Role.SUBTITLE)
    window.show_section(Section.COURSES)
    shot(window, "library.png")

    view = window.library.view
    qtbot.mouseClick(
        view.viewport(), Qt.MouseButton.LeftButton, pos=view.visualRect(broken).center()
    )
    assert window.current_page() is window.library  # not opened
    assert "can't be opened" in window.statusBar().currentMessage()

    second = model.index(_row_of(window, "second"), 0)
    assert second.data(Role.BADGE) == ""
    view.setCurrentIndex(second)
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Return)
    assert window.current_page() is window.course_page
    assert window.course_page.course is not None
    assert window.course_page.course.id == "second-course"


def test_added_folder_is_kept_across_restarts_and_can_be_removed(
    make_services, open_window, tmp_path, qtbot, qtmodeltester, copy_sample
) -> None:
    added = copy_sample(tmp_path / "extra", "extra-course")
    first = open_window(make_services())
    with qtbot.waitSignal(first.search_ready, timeout=20_000):
        first.add_folder(added)
    first.close()

    second = open_window(make_services())
    model = second.library.model
    ids = [model.index(r, 0).data(Role.ITEM).entry.course_id for r in range(model.rowCount())]
    assert "extra-course" in ids
    second.show_section(Section.SETTINGS)
    page = second.settings_page
    qtmodeltester.check(page.folders_model)
    assert page.folders_model.rowCount() == 1
    assert page.folders_model.index(0, 0).data(Qt.ItemDataRole.DisplayRole) == str(added)

    page.folders_view.setCurrentIndex(page.folders_model.index(0, 0))
    assert page.remove_button.isEnabled()
    with qtbot.waitSignal(second.search_ready, timeout=20_000):
        qtbot.mouseClick(page.remove_button, Qt.MouseButton.LeftButton)
    assert page.folders_model.rowCount() == 0
    ids = [e.course_id for e in second.services.library.entries()]
    assert "extra-course" not in ids
    assert added.is_dir()  # its files are left alone
    # Its slides left the search index with it.
    assert all(hit.course_id != "extra-course" for hit in second.services.search.search("subject"))
