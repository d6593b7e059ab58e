"""Settings IT locks show as locked, with IT's reason, and cannot be changed."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from PySide6.QtWidgets import QWidget
from pytestqt.qtbot import QtBot

from desktop.app import build_services
from desktop.integrations.providers.base import ProviderConfig
from desktop.services.container import Services
from desktop.services.content import ContentProblem
from desktop.storage.database import Database
from desktop.ui.main_window import MainWindow, Section
from desktop.ui.views.settings import SettingsView
from desktop.ui.widgets.content_dialogs import ProvidersDialog

REASON = "Acme IT policy 7 - questions to it@acme.example"


@pytest.fixture
def managed_app(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Callable[[str], Services]]:
    opened: list[Database] = []

    def start(managed_toml: str) -> Services:
        path = tmp_path / "managed.toml"
        path.write_text(managed_toml, encoding="utf-8")
        monkeypatch.setenv("PLAYBOOK_MANAGED_SETTINGS", str(path))
        data = tmp_path / "data"
        data.mkdir(exist_ok=True)
        db = Database.open(data / "playbook.sqlite3")
        opened.append(db)
        return build_services(db, data)

    yield start
    for db in opened:
        db.close()


def _settings_page(
    open_window: Callable[[Services], MainWindow], services: Services
) -> SettingsView:
    window = open_window(services)
    window.show_section(Section.SETTINGS)
    return window.settings_page


def test_every_locked_setting_is_listed_with_its_reason(
    open_window: Callable[[Services], MainWindow],
    managed_app: Callable[[str], Services],
    shot: Callable[[QWidget, str], Path],
) -> None:
    services = managed_app(
        f'reason = "{REASON}"\n[sync]\nserver_url = "https://pb.acme.example"\n'
        '[ai]\nproviders = "local"\n[privacy]\ntelemetry = false\n'
    )
    page = _settings_page(open_window, services)
    card = page.managed_card
    assert card is not None
    assert card.isVisible()
    shown = {(r.label, r.value, r.note) for r in card.locked_rows}
    assert ("Sync server", "https://pb.acme.example", REASON) in shown
    assert ("AI providers allowed", "local servers on this machine only", REASON) in shown
    assert ("Usage data (telemetry)", "off", REASON) in shown
    assert not card.problem_label.isVisible()
    assert any("locked by your organisation" in line for line in page.privacy_card.lines)
    # The account form shows the locked server, and it cannot be edited.
    assert page.account_panel is not None
    assert page.account_panel.server.text() == "https://pb.acme.example"
    assert page.account_panel.server.isReadOnly()
    shot(page.window(), "settings-managed.png")


def test_without_a_managed_file_nothing_is_shown_as_locked(
    open_window: Callable[[Services], MainWindow], services: Services
) -> None:
    page = _settings_page(open_window, services)
    assert page.managed_card is None
    assert any("Playbook sends no usage data" in line for line in page.privacy_card.lines)


def test_a_broken_managed_file_is_explained_and_locks_everything_off(
    open_window: Callable[[Services], MainWindow],
    managed_app: Callable[[str], Services],
    shot: Callable[[QWidget, str], Path],
) -> None:
    services = managed_app("[ai\nproviders = 'any'\n")
    page = _settings_page(open_window, services)
    card = page.managed_card
    assert card is not None
    assert card.problem_label.isVisible()
    assert "is not valid TOML" in card.problem_label.text()
    labels = {r.label: r.value for r in card.locked_rows}
    assert labels["AI providers allowed"] == "none (template mode only)"
    assert labels["Sync server"] == "none (sync off)"
    shot(page.window(), "settings-managed-broken.png")


def test_providers_outside_the_allowed_set_cannot_be_added_or_used(
    qtbot: QtBot, managed_app: Callable[[str], Services]
) -> None:
    services = managed_app(f'reason = "{REASON}"\n[ai]\nproviders = "local"\n')
    content = services.content
    assert content is not None
    remote = ProviderConfig("OpenAI", "https://api.openai.com/v1", "gpt-4o-mini")
    with pytest.raises(ContentProblem, match="local servers on this machine only"):
        content.save_provider(remote, "sk-test")
    local = ProviderConfig("Ollama", "http://127.0.0.1:11434/v1", "llama3.1", needs_key=False)
    content.save_provider(local)
    assert [p.name for p in content.providers()] == ["Ollama"]

    dialog = ProvidersDialog(content, lambda _done: None)
    qtbot.addWidget(dialog)
    assert dialog.lock_note.isVisibleTo(dialog)
    assert REASON in dialog.lock_note.text()
    assert dialog.save.isEnabled()


def test_with_no_provider_allowed_the_dialog_offers_template_mode_only(
    qtbot: QtBot, managed_app: Callable[[str], Services], shot: Callable[[QWidget, str], Path]
) -> None:
    services = managed_app('[ai]\nproviders = "none"\n')
    content = services.content
    assert content is not None
    dialog = ProvidersDialog(content, lambda _done: None)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    assert not dialog.save.isEnabled()
    assert not dialog.find_button.isEnabled()
    assert "template mode only" in dialog.lock_note.text()
    with pytest.raises(ContentProblem):
        content.save_provider(
            ProviderConfig("Ollama", "http://127.0.0.1:11434/v1", "llama3.1", needs_key=False)
        )
    shot(dialog, "content-providers-locked.png")
