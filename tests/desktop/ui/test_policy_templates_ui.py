"""Policy templates from the team library in the real window: the New policy dialog lists
them (and refuses a hostile one in place, keeping every choice), a policy's text is
saved as a template for the team, and the Templates section sets a template's policy
type. Screenshots: tests/artifacts/policies-template-*.png."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from desktop.domain.templates import TemplateDraft, TemplateKind
from desktop.services.container import Services
from desktop.services.policies import PolicyService
from desktop.services.templates import TemplateService
from desktop.storage import sync as sync_repo
from desktop.storage.database import Database
from desktop.ui import theme
from desktop.ui.main_window import MainWindow, Section
from desktop.ui.views.policies import PoliciesView
from desktop.ui.views.templates import TemplatesView

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

PROFILE = {
    "company_name": "Northwind Outfitters",
    "legal_name": "Northwind Outfitters Ltd",
    "address": "1 Harbour Road, Dublin D02 X285, Ireland",
    "email": "help@northwind.example",
    "website": "https://northwind.example",
    "currency": "EUR",
    "markets": ["eu", "uk"],
    "sells_to_consumers": True,
    "sells_physical": True,
}
TEAM = uuid.UUID("2f1c6a3e-0000-4000-8000-0000000000aa")
VIEWERS = uuid.UUID("2f1c6a3e-0000-4000-8000-0000000000bb")
TEAM_REFUNDS = (
    "# Refunds at {{ company.name }}\n\n## Returns\n\n"
    "Send it back within **{{ return_window_days }} days** and we refund you in "
    "{{ company.currency }}.\n\n## Contact\n\nWrite to {{ company.email }}.\n"
)


@dataclasses.dataclass
class Studio:
    window: MainWindow
    view: PoliciesView
    library: TemplateService
    service: PolicyService


@pytest.fixture
def studio(
    services: Services, data_dir: Path, open_window: Callable[[Services], MainWindow]
) -> Studio:
    db = Database.open(data_dir / "db.sqlite3")
    with db.session() as conn:
        sync_repo.replace_teams(
            conn,
            [
                sync_repo.TeamRecord(TEAM, "Northwind Marketing", "editor"),
                sync_repo.TeamRecord(VIEWERS, "Head office", "viewer"),
            ],
        )
    library = TemplateService(db)
    policies = PolicyService(db, templates=library)
    policies.save_profile(PROFILE)
    window = open_window(dataclasses.replace(services, policies=policies, templates=library))
    window.show_section(Section.POLICIES)
    view = window.policies
    assert isinstance(view, PoliciesView)
    return Studio(window, view, library, policies)


def add(library: TemplateService, name: str, body: str, policy_type: str, team: Any = TEAM):
    return library.create(
        TemplateDraft(TemplateKind.POLICY, name, body, extra={"policy_type": policy_type}), team
    )


def labels(dialog: Any) -> list[str]:
    model = dialog.template_model
    return [model.index(i, 0).data() for i in range(model.rowCount())]


def test_new_policy_dialog_lists_library_templates_and_refuses_a_hostile_one_in_place(
    studio: Studio, qtbot: Any, qtmodeltester: Any, shot: Callable[[QWidget, str], Path]
) -> None:
    team = add(studio.library, "Northwind refunds", TEAM_REFUNDS, "refund")
    add(studio.library, "My refunds", "# Refunds\n", "refund", team=None)
    add(studio.library, "Sneaky", "# Refunds\n{{ ''.__class__.__mro__ }}\n", "refund")
    add(studio.library, "Our shipping", "# Shipping\n", "shipping")
    studio.library.create(TemplateDraft(TemplateKind.CONTENT, "Launch email", "Hi"))

    qtbot.keyClick(studio.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = studio.view.new_dialog
    qtbot.waitExposed(dialog)
    dialog.choose("refund", ["eu"])
    qtmodeltester.check(dialog.template_model)
    assert labels(dialog) == [
        "Built-in",
        "My refunds — Personal",
        "Northwind refunds — Team: Northwind Marketing",
        "Sneaky — Team: Northwind Marketing",
    ]
    assert "3 templates from your library" in dialog.template_hint.text()
    dialog.choose("shipping", ["eu"])  # the list follows the chosen type
    assert labels(dialog) == ["Built-in", "Our shipping — Team: Northwind Marketing"]

    # A hostile template: refused with the reason, in the dialog, every choice kept.
    sneaky = studio.service.template_choices("refund")[3].template_id
    dialog.choose("refund", ["eu", "uk"], sneaky)
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: dialog.problem.isVisible(), timeout=5000)
    assert dialog.isVisible()
    assert not dialog.busy
    assert "“Sneaky” cannot be used" in dialog.problem.text()
    assert "__class__" in dialog.problem.text()
    assert "choices are kept" in dialog.problem.text()
    assert dialog.chosen_type() == "refund"
    assert dialog.chosen_jurisdictions() == ["eu", "uk"]
    assert dialog.chosen_template() == sneaky
    assert studio.service.documents() == []
    shot(dialog, "policies-template-refused.png")

    # The team's template: the draft starts from it, and says so.
    dialog.choose("refund", ["eu", "uk"], team.id)
    assert not dialog.problem.isVisible()
    assert "Team: Northwind Marketing template, version 1." in dialog.template_hint.text()
    shot(dialog, "policies-template-choose.png")
    dialog.ok_button.click()
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    version = studio.view.version
    assert version is not None
    assert version.template_id == team.id
    assert version.source == TEAM_REFUNDS
    assert studio.view.doc_origin.isVisible()
    assert studio.view.doc_origin.text() == (
        "From “Northwind refunds” · Team: Northwind Marketing · v1"
    )
    studio.view.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(studio.view.preview_ready, timeout=10_000):
        studio.view.request_preview()
    assert "Refunds at Northwind Outfitters" in studio.view.editor.preview.toPlainText()
    assert "in EUR" in studio.view.editor.preview.toPlainText()
    shot(studio.window, "policies-template-draft.png")


def test_save_as_template_puts_the_text_in_the_teams_library(
    studio: Studio, qtbot: Any, shot: Callable[[QWidget, str], Path]
) -> None:
    doc = studio.service.create_document("refund", jurisdictions=["eu"])
    studio.view.refresh(doc)
    studio.view.tabs.setCurrentIndex(1)
    editor = studio.view.editor
    cursor = editor.text.textCursor()
    cursor.movePosition(cursor.MoveOperation.End)
    editor.text.setTextCursor(cursor)
    editor.text.insertPlainText("\n## Gift cards\n\n")
    qtbot.keyClicks(editor.text, "Gift cards cannot be refunded.")
    edited = editor.source()

    assert studio.view.save_template_button.isVisible()
    studio.view.save_template_button.click()
    dialog = studio.view.save_template_dialog
    qtbot.waitExposed(dialog)
    teams = [dialog.where.itemText(i) for i in range(dialog.where.count())]
    assert teams == [
        "Personal — only on this computer",
        "Team: Northwind Marketing — syncs to teammates",
    ]  # a viewer's team is not offered
    dialog.name.clear()
    dialog.save_button.click()
    assert dialog.isVisible()
    assert "Give the template a name" in dialog.problem.text()

    qtbot.keyClicks(dialog.name, "Northwind returns (gift cards)")
    assert not dialog.problem.isVisible()  # the message goes once the name is typed
    dialog.description.setText("Our refund policy with the gift card rule")
    dialog.choose_team(TEAM)
    shot(dialog, "policies-template-save.png")
    with qtbot.waitSignal(studio.view.template_saved, timeout=3000) as saved:
        dialog.save_button.click()
    assert not dialog.isVisible()
    template = studio.library.get(saved.args[0])
    assert template is not None
    assert template.kind is TemplateKind.POLICY
    assert template.team_id == TEAM
    assert template.dirty  # waits for the next sync to reach teammates
    assert template.draft.extra["policy_type"] == "refund"
    assert template.body == edited
    assert "Gift cards cannot be refunded." in template.body

    # It is offered for the next refund policy.
    studio.view.new_policy()
    new = studio.view.new_dialog
    new.choose("refund", ["eu"])
    assert "Northwind returns (gift cards) — Team: Northwind Marketing" in labels(new)
    new.reject()


def test_templates_section_sets_the_policy_type_of_a_policy_template(
    qtbot: QtBot, tmp_path: Path, shot: Callable[[QWidget, str], Path]
) -> None:
    db = Database.open(tmp_path / "db.sqlite3")
    try:
        library = TemplateService(db)
        policy = add(library, "Northwind refunds", TEAM_REFUNDS, "refund", team=None)
        content = library.create(TemplateDraft(TemplateKind.CONTENT, "Launch email", "Hi"))
        view = TemplatesView(
            library,
            policy_types={"refund": "Returns and refunds", "shipping": "Shipping and delivery"},
        )
        view.setStyleSheet(theme.stylesheet())
        view.resize(1240, 780)
        qtbot.addWidget(view)
        view.show()
        qtbot.waitExposed(view)

        view.open_template(content.id)
        assert not view.policy_type.isVisible()  # content templates have no policy type
        view.open_template(policy.id)
        assert view.policy_type.isVisible()
        assert view.policy_type.currentText() == "For: Returns and refunds"
        shot(view, "policies-template-in-library.png")
        view.policy_type.setCurrentIndex(view.policy_type.findData("shipping"))
        assert view.save()
        saved = library.get(policy.id)
        assert saved is not None
        assert saved.draft.extra["policy_type"] == "shipping"
        assert saved.body == TEAM_REFUNDS

        # A new policy template starts without a type; choosing one saves it.
        view.new_template(TemplateKind.POLICY)
        assert view.policy_type.isVisible()
        assert view.policy_type.currentData() == ""
        view.name.setText("Warranty basics")
        view.body.setPlainText("# Warranty\n")
        view.policy_type.setCurrentIndex(view.policy_type.findData("refund"))
        assert view.save()
        created = [t for t in library.list(TemplateKind.POLICY) if t.name == "Warranty basics"]
        assert created[0].draft.extra["policy_type"] == "refund"
    finally:
        db.close()


def test_a_template_that_breaks_on_other_answers_is_explained_in_the_editor_and_answers_stay(
    studio: Studio, qtbot: QtBot, shot: Callable[[QWidget, str], Path]
) -> None:
    body = (
        "# Refunds\n\n{% if accepts_returns %}Within {{ return_window_days }} days."
        "{% else %}No returns: {{ no_return_reason }}.{% endif %}\n"
    )
    tricky = add(studio.library, "Tricky refunds", body, "refund")
    studio.view.new_policy()
    dialog = studio.view.new_dialog
    dialog.choose("refund", ["eu"], tricky.id)
    dialog.ok_button.click()  # renders with the default answers: accepted
    qtbot.waitUntil(lambda: not dialog.isVisible(), timeout=5000)
    assert dialog.result() == QDialog.DialogCode.Accepted
    view = studio.view
    assert view.form is not None
    returns = view.form.rows["accepts_returns"]
    returns.set_value(False)
    returns.changed.emit()
    view.form.rows["start_return"].set_value("Email us your order number.")
    assert view.save_answers()
    view.tabs.setCurrentIndex(1)
    with qtbot.waitSignal(view.preview_ready, timeout=10_000):
        view.request_preview()
    status = view.editor.status.text()
    assert status.startswith("The text cannot be rendered")
    assert "no_return_reason" in status
    assert view.version is not None
    assert studio.service.version(view.version.id).answers["accepts_returns"] is False
    assert view.service.export_blockers(view.version.id)[0].startswith(
        "The template cannot be rendered"
    )
    shot(studio.window, "policies-template-broken-in-editor.png")


def test_a_saved_policy_template_shows_its_policy_type_in_the_templates_section(
    studio: Studio, qtbot: QtBot
) -> None:
    doc = studio.service.create_document("terms", jurisdictions=["eu"])
    saved = studio.service.save_as_template(studio.service.latest(doc).id, "Our terms", TEAM)
    studio.window.show_section(Section.TEMPLATES)
    page = studio.window.templates
    assert isinstance(page, TemplatesView)
    page.open_template(saved.id)
    assert page.policy_type.isVisible()
    assert page.policy_type.currentData() == "terms"
    assert page.policy_type.currentText() == "For: Terms of sale"


def test_the_new_policy_dialog_cannot_be_cancelled_while_the_draft_is_written(
    studio: Studio, qtbot: Any
) -> None:
    qtbot.keyClick(studio.view, Qt.Key.Key_N, Qt.KeyboardModifier.ControlModifier)
    dialog = studio.view.new_dialog
    qtbot.waitExposed(dialog)
    dialog.set_busy(True)  # what "Create draft" does until the background work answers
    assert not dialog.cancel_button.isEnabled()
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert dialog.isVisible()
    dialog.set_busy(False)
    qtbot.keyClick(dialog, Qt.Key.Key_Escape)
    assert not dialog.isVisible()
    assert dialog.result() == QDialog.DialogCode.Rejected
