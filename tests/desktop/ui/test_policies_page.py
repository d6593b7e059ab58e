"""Policy Studio in the real window: questionnaire, editor with preview, review, export.

Screenshots go to tests/artifacts/ (policies-*.png), with the exported PDF."""

from __future__ import annotations

import dataclasses
import uuid
from collections.abc import Callable, Iterator
from datetime import date
from pathlib import Path

import pypdf
import pytest
from PySide6.QtCore import Qt
from pytestqt.qtbot import QtBot

from desktop.domain.policy_review import ReviewState
from desktop.integrations import pdf as pdf_integration
from desktop.services.container import Services
from desktop.services.policies import PolicyService
from desktop.storage.database import Database
from desktop.ui.main_window import MainWindow, Section
from desktop.ui.views.policies import PoliciesView
from tests.desktop.ui.conftest import ARTIFACTS

# Message boxes and dialogs on the offscreen platform log this; it is not a problem.
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


@pytest.fixture(scope="module", autouse=True)
def _pdf_worker() -> Iterator[None]:
    yield
    pdf_integration.shutdown()


@pytest.fixture
def policy_services(services: Services, data_dir: Path) -> Services:
    db = Database.open(data_dir / "db.sqlite3")
    policies = PolicyService(db)
    return dataclasses.replace(services, policies=policies)


@pytest.fixture
def page(
    policy_services: Services, open_window: Callable[[Services], MainWindow], qtbot: QtBot
) -> tuple[MainWindow, PoliciesView]:
    window = open_window(policy_services)
    window.show_section(Section.POLICIES)
    view = window.policies
    assert isinstance(view, PoliciesView)
    return window, view


def _wait_preview(qtbot: QtBot, view: PoliciesView) -> None:
    with qtbot.waitSignal(view.preview_ready, timeout=10_000):
        view.request_preview()


def test_empty_policies_page_explains_itself_and_the_legal_limits(page, shot) -> None:
    window, view = page
    assert view.stack.currentIndex() == 0
    assert "not legal advice" in view.disclaimer.text()
    assert view.empty_profile.isVisible()
    shot(window, "policies-empty.png")


def test_eu_withdrawal_under_14_days_is_refused_in_the_questionnaire(
    page, policy_services: Services, qtbot: QtBot, shot
) -> None:
    window, view = page
    service = policy_services.policies
    assert service is not None
    service.save_profile(PROFILE)
    doc = service.create_document("refund", author="Ana", jurisdictions=["eu", "uk"])
    view.refresh(doc)
    assert view.form is not None
    row = view.form.rows["withdrawal_days"]
    assert row.isVisibleTo(view.form)  # EU/UK consumers open the withdrawal questions
    row.set_value(10)
    row.changed.emit()
    qtbot.waitUntil(lambda: row.problem.isVisibleTo(view.form), timeout=3000)
    assert "at least 14" in row.problem.text()
    assert "Directive 2011/83/EU" in row.problem.text()
    assert not view.save_answers()
    assert service.latest(doc).answers["withdrawal_days"] == 14  # nothing saved
    view.questions_scroll.ensureWidgetVisible(row)
    shot(window, "policies-questionnaire.png")
    # The fix button puts in what the rule accepts.
    row.fix_button.click()
    assert row.value() == 14
    # Answering "no returns" closes the return window question (branching).
    view.form.rows["accepts_returns"].set_value(False)
    view.form.rows["accepts_returns"].changed.emit()
    assert not view.form.rows["return_window_days"].isVisibleTo(view.form)


def _keep_pdf(path: Path, name: str) -> None:
    """Keep the exported PDF under tests/artifacts/ and, where pypdfium2 is installed
    (not a dependency: `pip install pypdfium2`), a picture of its first page."""
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    (ARTIFACTS / f"{name}.pdf").write_bytes(path.read_bytes())
    try:
        import pypdfium2
    except ImportError:
        return
    document = pypdfium2.PdfDocument(str(path))
    document[0].render(scale=1.4).to_pil().save(ARTIFACTS / f"{name}-page1.png")
    document.close()


def _ready_refund(service: PolicyService) -> uuid.UUID:
    service.save_profile(PROFILE)
    doc = service.create_document("refund", author="Ana Lima", jurisdictions=["eu", "uk"])
    version = service.latest(doc)
    service.save_answers(
        version.id, {**version.answers, "start_return": "Email us your order number."}
    )
    return doc


def test_opening_a_policy_saves_nothing_until_its_text_is_edited(
    page, policy_services: Services, qtbot: QtBot
) -> None:
    _window, view = page
    service = policy_services.policies
    assert service is not None
    doc = _ready_refund(service)
    view.refresh(doc)
    view.tabs.setCurrentIndex(1)
    # The preview highlights the placeholders, which Qt reports as a text change.
    with qtbot.assertNotEmitted(view.editor.source_edited, wait=1000):
        _wait_preview(qtbot, view)
    with qtbot.waitSignal(view.editor.source_edited, timeout=3000):
        view.editor.text.insertPlainText("Thanks for shopping with us.\n")
    assert service.latest(doc).source.startswith("Thanks for shopping with us.")


def test_editor_flags_unfilled_placeholders_and_blocks_export_until_filled(
    page, policy_services: Services, qtbot: QtBot, shot, tmp_path: Path
) -> None:
    window, view = page
    service = policy_services.policies
    assert service is not None
    doc = _ready_refund(service)
    view.refresh(doc)
    view.tabs.setCurrentIndex(1)
    source = view.editor.source()
    edited = source.replace(
        "## Refunds", "## Refunds\n\nOur courier is {{ courier_name }} and [[confirm the fee]].", 1
    )
    view.editor.text.setPlainText(edited)
    qtbot.waitUntil(
        lambda: (
            "courier_name" in view.editor.status.text()
            or view.editor.placeholder_model.rowCount() > 0
        ),
        timeout=5000,
    )
    _wait_preview(qtbot, view)
    # An unknown variable stops rendering with a clear message (StrictUndefined).
    assert "courier_name" in view.editor.status.text()
    view.editor.text.setPlainText(
        source.replace("## Refunds", "## Refunds\n\n[[confirm the fee]]", 1)
    )
    _wait_preview(qtbot, view)
    rows = [str(p) for p in view.editor.placeholder_model.rows()]
    assert any("[[confirm the fee]]" in r for r in rows)
    assert any("effective_date" in r for r in rows)  # no effective date yet
    shot(window, "policies-editor.png")

    exports: list[Path] = []

    def choose(fmt: str, name: str) -> Path:
        exports.append(tmp_path / name)
        return tmp_path / name

    view.choose_export_path = choose
    view.export("pdf")
    assert exports == []  # blocked before asking where to save
    assert view.info_box is not None
    assert "cannot be exported" in view.info_box.text()
    view.info_box.close()

    view.editor.text.setPlainText(source)
    view.set_effective_date(date(2027, 3, 1))
    _wait_preview(qtbot, view)
    assert view.editor.placeholder_model.rowCount() == 0
    assert "Every placeholder is filled" in view.editor.status.text()
    with qtbot.waitSignal(view.exported, timeout=60_000) as done:
        view.export("pdf")
    written = done.args[0]
    _keep_pdf(written, "policies-refund")
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(written).pages)
    assert "Effective 1 March 2027" in text
    assert "Version 1" in text


def test_review_workflow_freezes_the_approved_version_and_editing_starts_version_2(
    page, policy_services: Services, qtbot: QtBot, shot, tmp_path: Path
) -> None:
    window, view = page
    service = policy_services.policies
    assert service is not None
    doc = _ready_refund(service)
    version = service.latest(doc)
    service.set_effective_date(version.id, date(2027, 3, 1))
    view.refresh(doc)
    view.tabs.setCurrentIndex(2)
    review = view.review
    review.author.setText("Ana Lima")
    review.submit_button.click()
    assert service.latest(doc).state == ReviewState.IN_REVIEW
    review.reviewer.setText("Ana Lima")
    review.approve_button.click()
    assert service.latest(doc).state == ReviewState.IN_REVIEW
    assert "colleague must review" in review.blockers.text()
    review.reviewer.setText("Ben Okafor")
    review.section.setCurrentIndex(review.section.findData("refunds"))
    review.comment_text.setText("Say which payment method refunds go to.")
    review.comment_text.returnPressed.emit()
    assert [c.section_title for c in service.comments(version.id)] == ["Refunds"]
    for row in range(review.checklist_model.rowCount()):
        index = review.checklist_model.index(row, 0)
        review.checklist_model.setData(
            index, Qt.CheckState.Checked.value, Qt.ItemDataRole.CheckStateRole
        )
    shot(window, "policies-review.png")
    review.approve_button.click()
    approved = service.latest(doc)
    assert approved.state == ReviewState.APPROVED
    assert approved.reviewer == "Ben Okafor"
    assert view.frozen_box.isVisible()
    assert not view.save_answers_button.isEnabled()

    view.edit_as_new_draft()
    draft = service.latest(doc)
    assert draft.number == 2
    assert draft.state == ReviewState.DRAFT
    assert view.version is not None
    assert view.version.id == draft.id
    assert view.form is not None
    view.form.rows["return_window_days"].set_value(45)
    assert view.save_answers()
    view.tabs.setCurrentIndex(3)
    qtbot.waitUntil(lambda: "45" in view.history.diff.toPlainText(), timeout=10_000)
    assert "30" in view.history.diff.toPlainText()
    shot(window, "policies-history.png")


def test_company_profile_dialog_saves_names_markets_and_a_checked_logo(
    page, policy_services: Services, qtbot: QtBot, shot, tmp_path: Path
) -> None:
    _window, view = page
    view.edit_profile()
    dialog = view.profile_dialog
    qtbot.waitExposed(dialog)
    form = dialog.form
    form.rows["company_name"].set_value("Northwind Outfitters")
    form.rows["website"].set_value("not a website")
    dialog.save()
    assert dialog.isVisible()  # refused: nothing lost, problems shown
    assert "web address" in form.rows["website"].problem.text()
    assert "needs an answer" in form.rows["legal_name"].problem.text()
    for key, value in PROFILE.items():
        form.rows[key].set_value(value)
    bad_logo = tmp_path / "logo.png"
    bad_logo.write_text("not an image")
    dialog.choose_logo = lambda: str(bad_logo)
    dialog._pick_logo()
    assert "not a PNG" in dialog.logo_problem.text()
    dialog.resize(720, 900)
    shot(dialog, "policies-profile.png")
    dialog.save()
    assert not dialog.isVisible()
    saved = policy_services.policies.profile() if policy_services.policies else None
    assert saved is not None
    assert saved.answers["company_name"] == "Northwind Outfitters"
    assert saved.answers["markets"] == ["eu", "uk"]
    assert saved.logo_path is None


def test_disagreeing_policies_are_flagged_and_a_deleted_policy_can_be_undone(
    page, policy_services: Services, qtbot: QtBot, shot
) -> None:
    window, view = page
    service = policy_services.policies
    assert service is not None
    service.save_profile(PROFILE)
    service.create_document("refund", author="Ana", jurisdictions=["eu"])
    terms = service.create_document("terms", author="Ana", jurisdictions=["eu"])
    version = service.latest(terms)
    service.save_answers(
        version.id, {**version.answers, "refund_window_days": 14, "governing_law": "Irish law"}
    )
    view.refresh(terms)
    assert view.banner.isVisible()
    assert "14 days" in view.banner.text()
    assert "30 days" in view.banner.text()
    assert view.list_model.rowCount() == 2
    qtbot.waitUntil(lambda: not window.runner.busy)
    shot(window, "policies-cross-check.png")

    view.ask_yes_no = lambda _title, _text: True
    view.delete_current()
    assert view.list_model.rowCount() == 1
    view.undo_delete()
    assert view.list_model.rowCount() == 2
    assert view.document is not None
    assert view.document.id == terms


def test_plain_language_rewrite_is_offered_side_by_side_and_undoable(
    policy_services: Services,
    open_window: Callable[[Services], MainWindow],
    data_dir: Path,
    qtbot: QtBot,
    shot,
) -> None:
    from desktop.integrations.providers.base import ProviderConfig
    from desktop.integrations.providers.keys import ApiKeys
    from desktop.integrations.secrets import MemorySecrets
    from desktop.services.content import ContentService
    from tests.desktop.fakes.openai_server import FakeOpenAI, Reply

    repo = Path(__file__).resolve().parents[3]
    db = Database.open(data_dir / "db.sqlite3")
    content = ContentService(db, repo / "resources", ApiKeys(MemorySecrets()))
    with FakeOpenAI() as server:
        content.save_provider(
            ProviderConfig("local", server.base_url, "fake-model", needs_key=False, timeout=10)
        )
        window = open_window(dataclasses.replace(policy_services, content=content))
        window.show_section(Section.POLICIES)
        view = window.policies
        assert isinstance(view, PoliciesView)
        service = policy_services.policies
        assert service is not None
        doc = _ready_refund(service)
        view.refresh(doc)
        view.tabs.setCurrentIndex(1)
        source = view.editor.source()
        clause = next(line for line in source.splitlines() if line.startswith("Once we have"))
        start = source.index(clause)
        cursor = view.editor.text.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(start + len(clause), cursor.MoveMode.KeepAnchor)
        view.editor.text.setTextCursor(cursor)
        plain = (
            "We refund you within **{{ refund_days }}** days of getting your return"
            '{% if refund_method == "original" %}, to the card you paid with'
            '{% elif refund_method == "credit" %}, as store credit'
            "{% else %}, as you prefer{% endif %}."
        )
        server.queue(Reply(content=plain))
        view.plain_button.click()
        qtbot.waitUntil(lambda: getattr(view, "rewrite_dialog", None) is not None, timeout=10_000)
        dialog = view.rewrite_dialog
        qtbot.waitExposed(dialog)
        shot(dialog, "policies-plain-language.png")
        dialog.accept()
        assert plain in view.editor.source()
        assert clause not in view.editor.source()
        view.editor.text.undo()
        assert view.editor.source() == source
    db.close()
