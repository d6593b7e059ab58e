"""The sync UI against the real server: signing in from Settings, background sync that
resumes by itself, and a conflict shown and resolved in the Templates section."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication, QWidget

from desktop.config import SettingsStore
from desktop.domain.templates import TemplateDraft, TemplateKind
from desktop.integrations.secrets import NO_KEYRING, MemorySecrets
from desktop.services.annotations import AnnotationService
from desktop.services.container import Services
from desktop.services.course_library import CourseLibrary
from desktop.services.progress import ProgressService
from desktop.services.search import SearchService
from desktop.services.sync_schedule import SyncSchedule
from desktop.storage.database import SqlFolderStore
from desktop.ui import theme
from desktop.ui.dialogs.sync_conflict import ConflictDialog
from desktop.ui.main_window import MainWindow, Section
from desktop.ui.views.account import AccountPanel
from desktop.ui.views.templates import TemplatesView
from desktop.ui.widgets.sync_status import SyncController, SyncStatusWidget
from tests.e2e.conftest import PASSWORD, Admin, Client, LiveServer

pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

REPO = Path(__file__).resolve().parents[2]
ARTIFACTS = REPO / "tests" / "artifacts"


def shot(widget: QWidget, name: str) -> None:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    QApplication.processEvents()
    assert widget.grab().save(str(ARTIFACTS / name))


def styled(widget: QWidget) -> QWidget:
    widget.setStyleSheet(theme.stylesheet())  # as the main window styles its pages
    return widget


@pytest.fixture
def panel_for(qtbot: Any) -> Callable[[Client], AccountPanel]:
    def make(client: Client) -> AccountPanel:
        panel = AccountPanel(client.account)
        styled(panel).resize(900, 820)
        qtbot.addWidget(panel)
        panel.show()
        qtbot.waitExposed(panel)
        return panel

    return make


def test_sign_in_from_settings_shows_the_team_and_a_wrong_password_says_what_to_do(
    qtbot: Any,
    server: LiveServer,
    admin: Admin,
    make_client: Callable[..., Client],
    panel_for: Callable[[Client], AccountPanel],
    qtmodeltester: Any,
) -> None:
    owner = admin.user("olivia@example.com")
    member = admin.user("max@example.com")
    admin.team(owner, {member: "editor"})
    client = make_client("olivia")
    panel = panel_for(client)
    assert panel.form.isVisible()
    assert "Sign in to see your teams." in panel.team_note.text()

    panel.server.setText(server.url)
    panel.email.setText("olivia@example.com")
    panel.password.setText("not the password")
    panel.device.setText("Olivia's laptop")
    shot(panel, "account-sign-in.png")
    panel.submit_button.click()
    qtbot.waitUntil(lambda: panel.error.isVisible(), timeout=10_000)
    assert "email or password is not right" in panel.error.text()
    assert client.account.account() is None

    panel.password.setText(PASSWORD)
    with qtbot.waitSignal(panel.signed_in, timeout=10_000):
        panel.submit_button.click()
    assert panel.signed_in_box.isVisible()
    assert "olivia@example.com" in panel.who.text()
    qtbot.waitUntil(lambda: panel.members_model.rowCount() == 2, timeout=10_000)
    qtmodeltester.check(panel.members_model)
    assert panel.owner_tools.isVisible()  # an owner manages members from the app

    # Owners invite from the app: a code to send, copied for them.
    panel.invite_button.click()
    qtbot.waitUntil(lambda: panel.invitation.isVisible(), timeout=10_000)
    assert len(panel.invitation.text()) > 10
    assert "Invitation code copied" in panel.team_note.text()
    shot(panel, "account-signed-in-team.png")

    # ... and change roles: Max becomes a viewer.
    rows = [panel.members_model.member(r) for r in range(panel.members_model.rowCount())]
    max_row = next(i for i, m in enumerate(rows) if m.email == "max@example.com")
    panel.members.selectRow(max_row)
    panel.role_picker.setCurrentIndex(panel.role_picker.findData("viewer"))
    panel.change_role_button.click()
    qtbot.waitUntil(lambda: "now viewer" in panel.team_note.text(), timeout=10_000)
    qtbot.waitUntil(
        lambda: any(
            panel.members_model.member(r).role == "viewer"
            for r in range(panel.members_model.rowCount())
        ),
        timeout=10_000,
    )


def test_without_a_keyring_the_app_says_so_and_keeps_working_offline(
    make_client: Callable[..., Client], panel_for: Callable[[Client], AccountPanel]
) -> None:
    client = make_client("headless")
    client.sync.secrets = MemorySecrets(problem=NO_KEYRING)
    panel = panel_for(client)
    assert panel.keyring_banner.isVisible()
    assert "no password keyring" in panel.keyring_banner.text.text()
    assert not panel.submit_button.isEnabled()
    shot(panel, "account-no-keyring.png")
    # Offline work goes on: templates are saved locally.
    client.templates.create(TemplateDraft(TemplateKind.CONTENT, "Offline note", "text"))
    assert [t.name for t in client.templates.list()] == ["Offline note"]


def test_background_sync_resumes_by_itself_when_the_server_comes_back(
    qtbot: Any, server: LiveServer, admin: Admin, make_client: Callable[..., Client]
) -> None:
    admin.user("nina@example.com")
    client = make_client("nina")
    client.sign_in(server, "nina@example.com")
    from desktop.ui.tasks import TaskRunner

    runner = TaskRunner()
    schedule = SyncSchedule(debounce=0.05, period=3600, first_backoff=0.3, max_backoff=1.0)
    controller = SyncController(client.sync, runner, schedule)
    status = SyncStatusWidget(controller)
    styled(status).resize(640, 36)
    qtbot.addWidget(status)
    status.show()

    def settled(text: str) -> bool:
        return not controller.running and status.text.text().startswith(text)

    controller.start()
    qtbot.waitUntil(lambda: settled("Synced"), timeout=10_000)

    server.kill()
    AnnotationService(client.db).set_note("course", "lesson", "slide", "Written offline")
    controller.local_change()  # what the Templates view does after a save
    qtbot.waitUntil(lambda: settled("Offline"), timeout=10_000)
    assert "1 change waiting" in status.text.text()
    assert "cannot reach" in status.toolTip()
    shot(status, "sync-status-offline.png")
    failures = schedule.failures
    assert failures >= 1

    server.start()  # nobody presses anything: the backoff timer tries again
    qtbot.waitUntil(lambda: client.sync.status().pending == 0, timeout=20_000)
    qtbot.waitUntil(lambda: settled("Synced"), timeout=10_000)
    assert schedule.failures == 0
    shot(status, "sync-status-synced.png")
    controller.stop()
    qtbot.waitUntil(lambda: not runner.busy, timeout=10_000)
    runner.shutdown()


@pytest.fixture
def window_for(qtbot: Any) -> Iterator[Callable[[Client], MainWindow]]:
    windows: list[MainWindow] = []

    def make(client: Client) -> MainWindow:
        services = Services(
            library=CourseLibrary(bundled_root=REPO / "courses", folders=SqlFolderStore(client.db)),
            progress=ProgressService(client.db),
            annotations=AnnotationService(client.db),
            search=SearchService(client.db),
            settings=SettingsStore(client.data_dir / "settings.toml"),
            templates=client.templates,
            sync=client.sync,
            account=client.account,
        )
        window = MainWindow(services)
        qtbot.addWidget(window)
        with qtbot.waitSignal(window.search_ready, timeout=20_000):
            window.show()
        qtbot.waitExposed(window)
        windows.append(window)
        return window

    yield make
    for window in windows:
        if window.sync_controller is not None:
            window.sync_controller.stop()
        qtbot.waitUntil(lambda w=window: not w.runner.busy, timeout=20_000)


def test_a_conflict_from_the_server_is_shown_and_resolved_through_the_ui(
    qtbot: Any,
    server: LiveServer,
    admin: Admin,
    make_client: Callable[..., Client],
    window_for: Callable[[Client], MainWindow],
) -> None:
    alice = admin.user("alice@example.com")
    bob = admin.user("bob@example.com")
    team = admin.team(alice, {bob: "editor"})
    a, b = make_client("alice"), make_client("bob")
    a.sign_in(server, "alice@example.com")
    b.sign_in(server, "bob@example.com")
    policy = TemplateDraft(TemplateKind.POLICY, "Refund policy", "Refunds within 14 days.\n")
    t = a.templates.create(policy, team)
    a.templates.create(
        TemplateDraft(
            TemplateKind.CONTENT, "Launch email", "Hi {{ name }}\n", tags=("email", "launch")
        ),
        team,
    )
    a.sync_now()
    b.sync_now()
    a.templates.update(
        t.id,
        TemplateDraft(
            TemplateKind.POLICY, "Refund policy", "Refunds within 30 days of purchase.\n"
        ),
    )
    b.templates.update(
        t.id,
        TemplateDraft(
            TemplateKind.POLICY, "Refund policy", "Refunds within 7 days.\nAsk support first.\n"
        ),
    )
    a.sync_now()
    b.sync_now()

    window = window_for(b)
    assert window.sync_controller is not None
    window.show_section(Section.TEMPLATES)
    page = window.templates
    assert isinstance(page, TemplatesView)
    qtbot.waitUntil(
        lambda: window.sync_status is not None and "Synced" in window.sync_status.text.text(),
        timeout=15_000,
    )
    row = page.model.index_of(t.id)
    assert page.model.rows()[row].conflicted
    page.open_template(t.id)
    assert page.conflict_banner.isVisible()
    shot(window, "templates-library.png")

    page.conflict_banner.action.click()
    dialog = page.conflict_dialog
    assert isinstance(dialog, ConflictDialog)
    qtbot.waitExposed(dialog)
    assert "Ask support first." in dialog.compare.toPlainText()
    shot(dialog, "conflict-view.png")
    with qtbot.waitSignal(dialog.resolved):
        dialog.keep_mine.click()
    # The save is a local change: the controller syncs it a few seconds later.
    qtbot.waitUntil(lambda: b.sync.status().pending == 0, timeout=20_000)
    a.sync_now()
    current = a.templates.get(t.id)
    assert current is not None
    assert current.body == "Refunds within 7 days.\nAsk support first.\n"
    assert b.templates.conflicts() == []
    assert uuid.UUID(str(t.id)) == t.id
    # The history can ask the team's server for every version it keeps.
    page.open_history()
    history = page.history_dialog
    qtbot.waitExposed(history)
    assert history.fetch_button.isVisible()
    history.fetch_button.click()
    qtbot.waitUntil(lambda: "keeps" in history.note.text(), timeout=15_000)
    assert [v.number for v in history.versions if v.number is not None][:2] == [3, 2]
    shot(history, "templates-history-team.png")
    history.close()


def test_a_revoked_device_is_asked_to_sign_in_again_and_keeps_its_changes(
    qtbot: Any,
    server: LiveServer,
    admin: Admin,
    make_client: Callable[..., Client],
    panel_for: Callable[[Client], AccountPanel],
) -> None:
    from desktop.integrations.sync_client import SignInRequired

    admin.user("ivy@example.com")
    laptop, phone = make_client("laptop"), make_client("desktop")
    laptop.sign_in(server, "ivy@example.com", "laptop")
    phone.sign_in(server, "ivy@example.com", "desktop")

    async def revoke_laptop() -> None:
        async with phone.sync.client(server.url, phone.sync.load_tokens()) as client:
            (lost,) = [d for d in await client.devices() if d.name == "laptop"]
            await client.revoke_device(lost.id)

    from tests.e2e.conftest import run

    run(revoke_laptop())
    AnnotationService(laptop.db).set_note("c", "l", "s", "Kept while signed out")
    with pytest.raises(SignInRequired):
        laptop.sync_now()

    panel = panel_for(laptop)
    assert panel.form.isVisible()
    assert "signed out of sync" in panel.keyring_banner.text.text()
    assert panel.email.text() == "ivy@example.com"
    shot(panel, "account-sign-in-again.png")
    panel.password.setText(PASSWORD)
    with qtbot.waitSignal(panel.signed_in, timeout=10_000):
        panel.submit_button.click()
    assert panel.signed_in_box.isVisible()
    laptop.sync_now()
    assert laptop.sync.status().pending == 0
    phone.sync_now()
    assert AnnotationService(phone.db).note("c", "l", "s") == "Kept while signed out"
