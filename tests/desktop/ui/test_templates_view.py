"""The Templates section on the real widgets and the real template service."""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.domain.templates import TemplateDraft, TemplateKind
from desktop.services.templates import TemplateService
from desktop.storage import sync as sync_repo
from desktop.storage import templates as template_repo
from desktop.storage.database import Database
from desktop.ui import theme
from desktop.ui.dialogs.sync_conflict import ConflictDialog
from desktop.ui.dialogs.sync_history import HistoryDialog
from desktop.ui.models.templates import TemplateListModel, VersionListModel
from desktop.ui.views.templates import TemplatesView

# The offscreen platform says this whenever a window's size limits change; not a problem.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

TEAM = uuid.UUID("2f1c6a3e-0000-4000-8000-000000000001")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "db.sqlite3")
    yield database
    database.close()


@pytest.fixture
def service(db: Database) -> TemplateService:
    return TemplateService(db)


@pytest.fixture
def view(qtbot: QtBot, service: TemplateService) -> TemplatesView:
    page = TemplatesView(service)
    page.setStyleSheet(theme.stylesheet())  # as the main window does for its pages
    page.resize(1240, 780)
    qtbot.addWidget(page)
    page.show()
    qtbot.waitExposed(page)
    return page


def join_team(db: Database, role: str) -> None:
    with db.session() as conn:
        sync_repo.replace_teams(conn, [sync_repo.TeamRecord(TEAM, "Northwind Marketing", role)])


def draft(name: str, body: str = "Hello {{ name }}\n", **kw: object) -> TemplateDraft:
    return TemplateDraft(kind=kw.pop("kind", TemplateKind.CONTENT), name=name, body=body, **kw)  # type: ignore[arg-type]


def test_an_empty_library_explains_itself_and_a_new_template_is_saved_with_ctrl_s(
    qtbot: Any,
    view: TemplatesView,
    service: TemplateService,
    shot: Callable[[QWidget, str], Path],
) -> None:
    assert view.pages.currentWidget() is view.empty_page
    assert "No templates yet" in view.list_empty.text()
    shot(view, "templates-empty.png")

    qtbot.keyClick(view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClicks(view.name, "Launch email")
    view.tags.setText("Email, launch, email")
    view.body.setFocus()
    view.body.insertPlainText("Hi {{ first_name }},\nMeet {{ product }}.")
    with qtbot.waitSignal(view.changed):
        qtbot.keyClick(view.body, Qt.Key.Key_S, Qt.KeyboardModifier.ControlModifier)

    (saved,) = service.list()
    assert saved.name == "Launch email"
    assert saved.tags == ("email", "launch")
    assert saved.body == "Hi {{ first_name }},\nMeet {{ product }}."
    assert view.model.rowCount() == 1


def test_search_kind_and_tag_filters_narrow_the_list(
    view: TemplatesView, service: TemplateService, qtmodeltester: object
) -> None:
    service.create(draft("Launch email", tags=("email",)))
    service.create(draft("Refund policy", "Refunds within 30 days.", kind=TemplateKind.POLICY))
    service.create(draft("LinkedIn post", "Three hooks about {{ topic }}", tags=("social",)))
    view.reload_filters()
    view.refresh()
    qtmodeltester.check(view.model)  # type: ignore[attr-defined]
    assert view.model.rowCount() == 3

    view.search.setText("hooks")
    assert [r.name for r in view.model.rows()] == ["LinkedIn post"]
    view.search.setText("")
    view.kind_filter.setCurrentIndex(view.kind_filter.findData("policy"))
    assert [r.name for r in view.model.rows()] == ["Refund policy"]
    view.kind_filter.setCurrentIndex(0)
    view.tag_filter.setCurrentIndex(view.tag_filter.findData("email"))
    assert [r.name for r in view.model.rows()] == ["Launch email"]
    view.search.setText("nothing like this")
    assert "No template matches" in view.list_empty.text()


def test_history_shows_a_readable_diff_and_restores_in_one_click(
    qtbot: QtBot,
    view: TemplatesView,
    service: TemplateService,
    shot: Callable[[QWidget, str], Path],
    qtmodeltester: object,
) -> None:
    t = service.create(draft("Welcome email", "Hi {{ name }},\nThanks for joining.\nBye\n"))
    service.update(t.id, draft("Welcome email", "Hi {{ name }},\nThanks for joining us!\nBye\n"))
    service.update(t.id, draft("Welcome email", "Hello {{ name }},\nThanks for joining us!\n"))
    view.refresh(select=t.id)
    view.open_template(t.id)
    view.open_history()
    dialog = view.history_dialog
    assert isinstance(dialog, HistoryDialog)
    qtbot.waitExposed(dialog)
    qtmodeltester.check(dialog.model)  # type: ignore[attr-defined]
    assert dialog.model.rowCount() == 3
    text = dialog.diff.toPlainText()
    assert "Hello {{ name }}," in text
    assert "Bye" in text  # the newest change: lines in and out
    assert "+1" in text
    assert "−2" in text
    shot(dialog, "templates-history-diff.png")

    # Any two versions: the oldest against the newest.
    dialog.compare_with(dialog.versions[-1].seq)
    assert "Thanks for joining." in dialog.diff.toPlainText()

    # Restore the first version.
    dialog.list.setCurrentIndex(dialog.model.index(2, 0))
    with qtbot.waitSignal(dialog.restored):
        dialog.restore_button.click()
    current = service.get(t.id)
    assert current is not None
    assert current.body == "Hi {{ name }},\nThanks for joining.\nBye\n"
    assert len(service.history(t.id)) == 4  # restoring added a version; nothing was lost
    assert view.body.toPlainText() == current.body


def test_a_conflict_is_shown_side_by_side_and_kept_until_the_user_chooses(
    qtbot: QtBot,
    db: Database,
    view: TemplatesView,
    service: TemplateService,
    shot: Callable[[QWidget, str], Path],
) -> None:
    join_team(db, "editor")
    t = service.create(
        draft("Refund policy", "Refunds within 14 days.\n", kind=TemplateKind.POLICY), TEAM
    )
    mine = draft(
        "Refund policy",
        "Refunds within 30 days of purchase.\nAsk support first.\n",
        kind=TemplateKind.POLICY,
    ).fields()
    theirs = draft(
        "Refund policy", "Refunds within 7 days of purchase.\n", kind=TemplateKind.POLICY
    ).fields()
    with db.session() as conn:
        template_repo.add_conflict(
            conn,
            uuid.uuid4(),
            t.id,
            base_version=1,
            head_version=2,
            mine=mine,
            theirs=theirs,
            conflicting_fields=["body"],
            now=datetime.now(UTC),
        )
    view.reload_filters()
    view.refresh(select=t.id)
    view.open_template(t.id)
    assert view.model.rows()[0].conflicted
    assert view.conflict_banner.isVisible()
    shot(view, "templates-library-conflict.png")

    view.conflict_banner.action.click()
    dialog = view.conflict_dialog
    assert isinstance(dialog, ConflictDialog)
    qtbot.waitExposed(dialog)
    html = dialog.compare.toHtml()
    assert "30" in html
    assert "7" in html
    assert "Ask support first." in html
    shot(dialog, "templates-conflict-side-by-side.png")

    # Edit a merged text.
    dialog.edit_merged.click()
    dialog.merged.setPlainText("Refunds within 21 days of purchase.\nAsk support first.\n")
    shot(dialog, "templates-conflict-merge.png")
    with qtbot.waitSignal(dialog.resolved):
        dialog.save_merged.click()
    current = service.get(t.id)
    assert current is not None
    assert current.body.startswith("Refunds within 21 days")
    assert service.conflicts() == []
    assert current.dirty
    assert not view.conflict_banner.isVisible()


def test_a_viewer_reads_team_templates_and_is_told_why_they_cannot_edit(
    db: Database,
    view: TemplatesView,
    service: TemplateService,
    shot: Callable[[QWidget, str], Path],
) -> None:
    join_team(db, "editor")
    t = service.create(draft("Brand voice", "Warm, direct, short.\n"), TEAM)
    join_team(db, "viewer")
    view.reload_filters()
    view.refresh(select=t.id)
    view.open_template(t.id)
    assert view.body.isReadOnly()
    assert not view.save_button.isEnabled()
    assert view.read_only_banner.isVisible()
    assert "viewer in Northwind Marketing" in view.read_only_banner.text.text()
    shot(view, "templates-viewer-read-only.png")

    view.read_only_banner.action.click()  # "Duplicate to edit"
    assert view.current is not None
    assert view.current.team_id is None
    assert not view.body.isReadOnly()


def test_delete_can_be_undone_and_import_export_round_trips_a_file(
    qtbot: QtBot, view: TemplatesView, service: TemplateService, tmp_path: Path
) -> None:
    t = service.create(draft("Cold email", "Hi {{ name }}", tags=("sales",)))
    view.refresh(select=t.id)
    view.open_template(t.id)
    view.delete_button.click()
    assert service.list() == []
    assert view.undo_banner.isVisible()
    view.undo_banner.action.click()
    assert [x.name for x in service.list()] == ["Cold email"]

    target = tmp_path / "cold"
    view.choose_export_path = lambda _template: target  # type: ignore[assignment]
    view.export_file()
    exported = tmp_path / "cold.playbook-template.json"
    assert json.loads(exported.read_text())["body"] == "Hi {{ name }}"

    view.choose_import_path = lambda: exported
    view.import_file()
    names = sorted(x.name for x in service.list())
    assert names == ["Cold email", "Cold email (imported)"]

    broken = tmp_path / "broken.json"
    broken.write_text("{not json")
    view.choose_import_path = lambda: broken
    view.import_file()
    box = view.problem_dialog
    qtbot.waitExposed(box)
    assert "not a Playbook template" in box.informativeText()
    box.close()


def test_item_models_pass_the_model_tester(qtmodeltester: object, service: TemplateService) -> None:
    t = service.create(draft("A"))
    service.update(t.id, draft("A", "changed"))
    model = TemplateListModel()
    model.set_rows(service.list())
    qtmodeltester.check(model)  # type: ignore[attr-defined]
    versions = VersionListModel()
    versions.set_rows(service.history(t.id))
    qtmodeltester.check(versions)  # type: ignore[attr-defined]
