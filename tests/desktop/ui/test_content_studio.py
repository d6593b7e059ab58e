"""Content Studio in the real window: template mode, variants streamed from a real HTTP
server through the real ``openai`` client, quality findings and fixes, cancel, errors,
the offline queue, export. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import csv
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QLabel, QLineEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop.integrations.providers.base import ProviderConfig
from desktop.integrations.providers.keys import ApiKeys
from desktop.integrations.secrets import MemorySecrets
from desktop.services.container import Services
from desktop.services.content import ContentService, HistoryEntry, QueuedRequest
from desktop.storage.database import Database
from desktop.ui.main_window import MainWindow, Section
from desktop.ui.models.content import FindingsModel, HistoryModel, ProvidersModel, QueueModel
from desktop.ui.views.content_studio import ContentStudio
from tests.desktop.fakes.openai_server import FakeOpenAI, Reply

REPO = Path(__file__).resolve().parents[3]

# The offscreen platform cannot size native dialog windows; that warning is harmless.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

GOOD_RSA = {
    "variants": [
        {
            "headlines": ["Analytics for small shops", "Set up in 5 minutes", "See what sells"],
            "descriptions": [
                "Know which ads pay off. Acme Analytics sets up in 5 minutes.",
                "Start your 30-day free trial today.",
            ],
            "path1": "analytics",
            "path2": "trial",
        },
        {
            "headlines": ["Stop guessing your ads", "Reports every Monday", "Built for Shopify"],
            "descriptions": [
                "Weekly reports show what works, so you spend less on what does not.",
                "Try Acme Analytics free for 30 days.",
            ],
            "path1": "shops",
            "path2": "reports",
        },
    ]
}

# A reply a weak model might write: a shouting headline with "!" and one far too long.
BAD_RSA = {
    "variants": [
        {
            "headlines": [
                "BEST analytics EVER!",
                "Guaranteed results for every online shop owner",
                "See what sells",
            ],
            "descriptions": ["Call 415 555 0132 today", "Start your trial."],
            "path1": "analytics",
            "path2": "",
        }
    ]
}


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def studio_services(make_services: Callable[[], Services], data_dir: Path) -> Iterator[Services]:
    services = make_services()
    db = Database.open(data_dir / "db.sqlite3")
    content = ContentService(db, REPO / "resources", ApiKeys(MemorySecrets()))
    yield replace(services, content=content)
    db.close()


def open_studio(window: MainWindow, qtbot: QtBot) -> ContentStudio:
    window.show_section(Section.STUDIO)
    studio = window.studio
    assert isinstance(studio, ContentStudio)
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    return studio


def fill_brief(studio: ContentStudio, variants: int = 3, type_id: str = "google-rsa") -> None:
    studio.content_type.setCurrentIndex(studio.content_type.findData(type_id))
    studio.product.setText("Acme Analytics")
    studio.audience.setText("small online shops")
    studio.offer.setText("30-day free trial")
    studio.pain.setText("guessing which ads work")
    studio.facts.setPlainText("Set up in 5 minutes\nWorks with Shopify\nReports every Monday")
    studio.claims.setPlainText("Rated 4.8 on G2 | G2 reviews, May 2026")
    studio.variants.setValue(variants)


def add_provider(studio: ContentStudio, server: FakeOpenAI, name: str = "Fake") -> None:
    assert studio.service is not None
    studio.service.save_provider(
        ProviderConfig(name, server.base_url, "fake-model", "openai", needs_key=True, timeout=10),
        "sk-test-123",
    )
    studio.refresh_providers()
    studio.provider.setCurrentIndex(studio.provider.findData(name))


def test_template_mode_writes_distinct_drafts_offline(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    shot: Callable[[QWidget, str], Path],
) -> None:
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    shot(window, "content_studio_empty.png")
    empty = studio.results.findChild(QLabel, "EmptyTitle")
    assert empty is not None
    assert empty.text() == "Write your first variants"
    fill_brief(studio, variants=4)
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        QTest.keyClick(studio.product, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert len(studio.cards) == 4
    labels = [c.source.text() for c in studio.cards]
    assert all(text.startswith("Template draft") for text in labels)
    assert len(set(labels)) == 4  # AIDA, PAS, FAB, 4U
    headlines = [tuple(c.fields["headlines"].items()) for c in studio.cards]
    assert len(set(headlines)) == 4
    first = studio.cards[0].fields["headlines"]
    assert first.counters[0].text() == f"{len(first.items()[0])}/30"
    assert all(c.quality.text() == "All checks passed" for c in studio.cards)
    shot(window, "content_studio_template_mode.png")


def test_variants_stream_in_with_live_counters_then_findings_and_fixes(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    server: FakeOpenAI,
    shot: Callable[[QWidget, str], Path],
) -> None:
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    fill_brief(studio, variants=1)
    add_provider(studio, server)
    server.queue(Reply(json.dumps(BAD_RSA), chunk_size=9, chunk_delay=0.02))
    with qtbot.waitSignal(studio.first_text_shown, timeout=10_000):
        studio.generate()
    # Mid-stream: the card is there, read-only, growing, with counters.
    qtbot.waitUntil(lambda: len(studio.cards[0].fields["headlines"].items()[0]) > 5)
    card = studio.cards[0]
    assert card.quality.text() == "Writing…"
    assert card.fields["headlines"].editors[0].isReadOnly()
    assert studio.cancel_button.isVisible()
    shot(window, "content_studio_streaming.png")
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        pass
    card = studio.cards[0]
    assert card.fields["headlines"].items()[0] == "BEST analytics EVER!"
    assert "error" in card.quality.text()
    codes = [f.code for f in card.findings_model.rows()]
    assert "google-exclamation-headline" in codes
    assert "google-capitals" in codes
    assert "over-limit" in codes
    assert "claim-guarantee" in codes
    assert "pii-phone" in codes
    over = card.fields["headlines"].counters[1]
    assert over.property("state") == "over"
    shot(window, "content_studio_findings.png")

    # One click applies a suggested fix; Ctrl+Z puts it back.
    over_limit = next(f for f in card.findings_model.rows() if f.code == "over-limit")
    studio.apply_fix(0, over_limit)
    fixed = studio.cards[0].fields["headlines"].items()[1]
    assert len(fixed) <= 30
    assert fixed.startswith("Guaranteed results")
    studio.undo()
    assert studio.cards[0].fields["headlines"].items()[1] == BAD_RSA["variants"][0]["headlines"][1]

    # Editing in place re-runs the checks: the exclamation error goes away.
    editor = studio.cards[0].fields["headlines"].editors[0]
    assert isinstance(editor, QLineEdit)
    editor.setFocus()
    editor.selectAll()
    QTest.keyClicks(editor, "Analytics for shops")
    studio.cards[0].flush_edit()
    codes = [f.code for f in studio.cards[0].findings_model.rows()]
    assert "google-exclamation-headline" not in codes
    assert studio.cards[0].fields["headlines"].counters[0].text() == "19/30"


def test_cancel_keeps_the_brief_and_the_earlier_variants(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    server: FakeOpenAI,
) -> None:
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    fill_brief(studio, variants=2)
    add_provider(studio, server)
    server.queue(Reply(json.dumps(GOOD_RSA)))
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.generate()
    before = [c.fields["headlines"].items() for c in studio.cards]
    server.queue(Reply(json.dumps(BAD_RSA), chunk_size=4, chunk_delay=0.05))
    with qtbot.waitSignal(studio.first_text_shown, timeout=10_000):
        studio.generate(bypass_cache=True)
    with qtbot.waitSignal(studio.generation_finished, timeout=5_000):
        QTest.keyClick(studio.product, Qt.Key.Key_Escape)
    assert "Cancelled" in studio.status_text.text()
    assert [c.fields["headlines"].items() for c in studio.cards] == before
    assert studio.product.text() == "Acme Analytics"
    assert studio.generate_button.isEnabled()
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)


@pytest.mark.parametrize(
    ("reply", "expected"),
    [
        (Reply(status=401, error="Incorrect API key"), "refused the API key"),
        (Reply(status=429, headers={"retry-after": "12"}), "Wait 12 seconds"),
        (Reply(malformed_stream=True), "could not read"),
        (Reply(content="I cannot help with that."), "did not return the structured copy"),
    ],
    ids=["401", "429", "malformed", "schema-ignored"],
)
def test_failures_are_explained_and_nothing_is_lost(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    server: FakeOpenAI,
    reply: Reply,
    expected: str,
) -> None:
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    fill_brief(studio, variants=2)
    add_provider(studio, server)
    server.queue(Reply(json.dumps(GOOD_RSA)))
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.generate()
    server.queue(reply, reply, reply)  # the schema retry asks up to three times
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.generate(bypass_cache=True)
    assert studio.banner.isVisible()
    assert expected in studio.banner_text.text()
    assert "brief and the earlier variants are kept" in studio.banner_text.text()
    assert len(studio.cards) == 2
    assert studio.cards[0].fields["headlines"].items()[0] == "Analytics for small shops"
    assert studio.product.text() == "Acme Analytics"


def test_server_down_says_so(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    shot: Callable[[QWidget, str], Path],
) -> None:
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    fill_brief(studio, variants=1)
    server = FakeOpenAI().start()
    add_provider(studio, server, "Local")
    server.stop()  # nothing listens on that port any more
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.generate()
    assert "cannot reach Local" in studio.banner_text.text()
    assert "local server is running" in studio.banner_text.text()
    shot(window, "content_studio_error.png")


def test_remote_request_made_offline_waits_in_the_queue_and_runs_when_back(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    server: FakeOpenAI,
    monkeypatch: pytest.MonkeyPatch,
    shot: Callable[[QWidget, str], Path],
) -> None:
    from desktop.integrations.providers.capabilities import capabilities_for
    from desktop.integrations.providers.openai_compatible import OpenAICompatibleProvider

    service = studio_services.content
    assert service is not None
    online = {"now": False}
    closed = FakeOpenAI().start()
    closed_url = closed.base_url
    closed.stop()

    def factory(config: ProviderConfig, key: str | None) -> OpenAICompatibleProvider:
        # The "remote" provider, as the network sees it: unreachable, then back.
        url = server.base_url if online["now"] else closed_url
        return OpenAICompatibleProvider(
            replace(config, base_url=url), capabilities_for(config.profile), key
        )

    async def network_back(_name: str) -> bool:
        return online["now"]

    monkeypatch.setattr(service, "_provider_factory", factory)
    monkeypatch.setattr(service, "network_back", network_back)
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    fill_brief(studio, variants=2)
    service.save_provider(
        ProviderConfig("OpenAI", "https://api.openai.example/v1", "gpt-4o-mini", "openai"),
        "sk-remote",
    )
    studio.refresh_providers()
    studio.provider.setCurrentIndex(studio.provider.findData("OpenAI"))
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.generate()
    assert "waits in the queue" in studio.banner_text.text()
    assert studio.queue_box.isVisible()
    assert studio.queue_model.rowCount() == 1
    shot(window, "content_studio_queue.png")

    studio.retry_queue()  # still offline: it keeps waiting
    qtbot.waitUntil(lambda: not window.runner.busy, timeout=10_000)
    assert studio.queue_model.rowCount() == 1

    online["now"] = True
    server.queue(Reply(json.dumps(GOOD_RSA)))
    studio.retry_queue()
    qtbot.waitUntil(lambda: studio.queue_model.rowCount() == 0, timeout=10_000)
    assert not studio.queue_box.isVisible()
    assert len(studio.cards) == 2
    assert studio.cards[1].fields["headlines"].items()[0] == "Stop guessing your ads"


def test_regenerate_one_variant_and_one_field(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    server: FakeOpenAI,
) -> None:
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    fill_brief(studio, variants=2)
    add_provider(studio, server)
    server.queue(Reply(json.dumps(GOOD_RSA)))
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.generate()
    second = studio.cards[1].fields["headlines"].items()
    server.queue(
        Reply(
            json.dumps(
                {
                    "variants": [
                        {
                            "headlines": ["Fresh take one", "Fresh take two", "Fresh take three"],
                            "descriptions": ["New description one.", "New description two."],
                            "path1": "new",
                            "path2": "take",
                        }
                    ]
                }
            )
        )
    )
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.cards[0].regenerate.click()
    assert studio.cards[0].fields["headlines"].items()[0] == "Fresh take one"
    assert studio.cards[1].fields["headlines"].items() == second
    sent = server.requests[-1]["messages"][-1]["content"]
    assert "Stop guessing your ads" in sent  # told what not to repeat

    server.queue(
        Reply(
            json.dumps(
                {
                    "variants": [
                        {"descriptions": ["Only the descriptions change.", "The headlines stay."]}
                    ]
                }
            )
        )
    )
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.cards[0].fields["descriptions"].regenerate.click()
    card = studio.cards[0]
    assert card.fields["descriptions"].items() == [
        "Only the descriptions change.",
        "The headlines stay.",
    ]
    assert card.fields["headlines"].items()[0] == "Fresh take one"
    schema = server.requests[-1]["response_format"]["json_schema"]["schema"]
    assert list(schema["properties"]["variants"]["items"]["properties"]) == ["descriptions"]


def test_favourite_copy_and_export(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    tmp_path: Path,
) -> None:
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    fill_brief(studio, variants=3)
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.generate_button.click()
    studio.cards[1].favourite.click()
    assert studio.cards[1].favourite.isChecked()
    assert studio_services.content is not None
    favs = studio_services.content.favourites()
    assert [f.id for f in favs] == [studio.shown[1].id]

    text = studio.copy_variant(0)
    assert QGuiApplication.clipboard().text() == text
    assert text.startswith("Headlines:\n- ")

    target = tmp_path / "ads.csv"
    studio.choose_export_path = lambda name, _f: target
    studio.export()
    rows = list(csv.DictReader(target.open(encoding="utf-8")))
    assert len(rows) == 3
    assert rows[0]["Ad type"] == "Responsive search ad"
    assert rows[0]["Headline 1"] == studio.cards[0].fields["headlines"].items()[0]
    assert rows[0]["Campaign"] == "Acme Analytics"


def test_brand_kit_dialog_saves_and_rechecks(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    shot: Callable[[QWidget, str], Path],
) -> None:
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    fill_brief(studio, variants=2)
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.generate()
    dialog = studio.edit_brand_kit()
    dialog.banned.setText("Discover, Meet")
    shot(dialog, "content_studio_brand_kit.png")
    dialog.accept()
    assert studio_services.content is not None
    assert studio_services.content.brand_kit().banned_terms == ("Discover", "Meet")
    codes = {f.code for c in studio.cards for f in c.findings_model.rows()}
    assert "brand-banned-term" in codes


def test_history_and_providers_dialogs(
    studio_services: Services,
    open_window: Callable[[Services], MainWindow],
    qtbot: QtBot,
    server: FakeOpenAI,
    shot: Callable[[QWidget, str], Path],
) -> None:
    window = open_window(studio_services)
    studio = open_studio(window, qtbot)
    fill_brief(studio, variants=2)
    with qtbot.waitSignal(studio.generation_finished, timeout=10_000):
        studio.generate()
    history = studio.show_history()
    assert history.model.rowCount() == 1
    assert history.model.index(0, 3).data() == "Template mode"
    shot(history, "content_studio_history.png")
    history.reject()
    providers = studio.edit_providers()
    providers.name.setText("Local test server")
    providers.base_url.setText(server.base_url)
    providers.model_name.setText("fake-model")
    providers.save.click()
    assert providers.model.rowCount() == 1
    assert "Saved" in providers.message.text()
    shot(providers, "content_studio_providers.png")
    providers.accept()


def test_content_models(qapp: object, qtmodeltester: object) -> None:
    from datetime import UTC, datetime
    from uuid import uuid4

    from desktop.domain.content import Finding, Severity

    findings = FindingsModel()
    findings.set_rows(
        [
            Finding(
                Severity.ERROR,
                "over-limit",
                "Headline 1 is 34 characters",
                "Too long",
                "headlines",
                0,
                "Shorter",
            ),
            Finding(Severity.INFO, "short", "Short", ""),
        ]
    )
    qtmodeltester.check(findings)  # type: ignore[attr-defined]
    assert findings.index(0, 0).data(Qt.ItemDataRole.ToolTipRole).endswith("Shorter")
    now = datetime.now(UTC)
    queue = QueueModel()
    queue.set_rows(
        [
            QueuedRequest(
                uuid4(), "OpenAI", "Acme", "Google search ad (RSA)", "waiting", 0, None, now
            )
        ]
    )
    qtmodeltester.check(queue)  # type: ignore[attr-defined]
    providers = ProvidersModel()
    providers.set_rows([ProviderConfig("Ollama", "http://127.0.0.1:11434/v1", "llama3")])
    qtmodeltester.check(providers)  # type: ignore[attr-defined]
    assert "on this computer" in providers.index(0, 0).data(0x0100 + 1)
    history = HistoryModel()
    history.set_rows(
        [
            HistoryEntry(
                uuid4(),
                now,
                "X post",
                "Acme",
                "offline",
                "copy formulas",
                "done",
                3,
                12.0,
                0,
                0.0,
                False,
                None,
            )
        ]
    )
    qtmodeltester.check(history)  # type: ignore[attr-defined]
    assert history.index(0, 8).data() == "free"
