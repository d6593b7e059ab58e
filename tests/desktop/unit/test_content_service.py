"""Content Studio's use cases on a real database, with the real ``openai`` client talking
to a fake OpenAI-compatible server over HTTP."""

from __future__ import annotations

import asyncio
import csv
import io
import json
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.domain.content import Brief, Claim
from desktop.domain.sandbox import TemplateProblem
from desktop.integrations.providers.base import ProblemKind, ProviderConfig, ProviderProblem
from desktop.integrations.providers.keys import ApiKeys
from desktop.integrations.secrets import MemorySecrets
from desktop.services.content import (
    BriefProblem,
    ContentProblem,
    ContentService,
    GenerationEvent,
    Streaming,
)
from desktop.services.content_export import GOOGLE_ADS_COLUMNS, ExportBlocked
from desktop.storage.database import Database
from tests.desktop.fakes.openai_server import FakeOpenAI, Reply

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
SECRET = "sk-very-secret-key-0123456789"
BRIEF = Brief(
    "google-rsa",
    "Acme Analytics",
    audience="small online shops",
    offer="30-day free trial",
    key_facts=("Set up in 5 minutes", "Works with Shopify"),
    claims=(Claim("Rated 4.8 on G2", "G2 reviews, May 2026"),),
    variants=2,
)
GOOD = {
    "variants": [
        {
            "headlines": ["Analytics for small shops", "Set up in 5 minutes", "See what sells"],
            "descriptions": ["Know which ads pay off.", "Start your trial today."],
            "path1": "analytics",
            "path2": "",
        },
        {
            "headlines": ["Stop guessing your ads", "Reports every Monday", "Built for Shopify"],
            "descriptions": ["Spend less on ads that do not work.", "Try Acme Analytics."],
            "path1": "shops",
            "path2": "reports",
        },
    ]
}


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "playbook.sqlite3")
    yield database
    database.close()


@pytest.fixture
def secrets() -> MemorySecrets:
    return MemorySecrets()


@pytest.fixture
def service(db: Database, secrets: MemorySecrets, server: FakeOpenAI) -> ContentService:
    svc = ContentService(db, RESOURCES, ApiKeys(secrets))
    svc.save_provider(ProviderConfig("Fake", server.base_url, "fake-model", "openai"), SECRET)
    return svc


def test_template_mode_is_stored_with_its_quality_reports(service: ContentService) -> None:
    generation = service.generate_template(BRIEF)
    assert len(generation.variants) == 2
    assert all(v.report.ok for v in generation.variants)
    [entry] = service.history()
    assert (entry.provider, entry.status, entry.variants, entry.product) == (
        "offline",
        "done",
        2,
        "Acme Analytics",
    )
    reopened = service.open_generation(generation.id)
    assert [v.variant for v in reopened.variants] == [v.variant for v in generation.variants]
    assert reopened.brief == BRIEF


def test_generation_streams_and_records_everything(
    service: ContentService, server: FakeOpenAI
) -> None:
    server.queue(Reply(json.dumps(GOOD), chunk_size=7, usage=(300, 120)))
    events: list[GenerationEvent] = []
    generation = asyncio.run(service.generate(BRIEF, "Fake", on_event=events.append))
    assert len(events) > 10
    assert all(isinstance(e, Streaming) for e in events)
    assert [v.variant.items("headlines")[0] for v in generation.variants] == [
        "Analytics for small shops",
        "Stop guessing your ads",
    ]
    assert generation.mode == "json_schema"
    assert (generation.prompt_tokens, generation.completion_tokens) == (300, 120)
    [entry] = service.history()
    assert entry.tokens == 420
    assert entry.status == "done"
    assert entry.cost_usd == 0.0
    sent = server.requests[-1]
    assert "Acme Analytics" in sent["messages"][1]["content"]
    assert "Rated 4.8 on G2 (evidence: G2 reviews, May 2026)" in sent["messages"][1]["content"]
    assert sent["response_format"]["json_schema"]["schema"]["properties"]["variants"]


def test_a_repeat_is_answered_from_the_cache_and_regenerate_bypasses_it(
    service: ContentService, server: FakeOpenAI
) -> None:
    server.queue(Reply(json.dumps(GOOD)))
    first = asyncio.run(service.generate(BRIEF, "Fake"))
    # The same request, typed with different spacing and case: still a repeat.
    again = replace(BRIEF, product="  acme   ANALYTICS ")
    cached = asyncio.run(service.generate(again, "Fake"))
    assert cached.cached
    assert not first.cached
    assert len(server.requests) == 1
    assert [v.variant for v in cached.variants] == [v.variant for v in first.variants]
    server.queue(Reply(json.dumps(GOOD)))
    fresh = asyncio.run(service.generate(BRIEF, "Fake", bypass_cache=True))
    assert not fresh.cached
    assert len(server.requests) == 2


def test_api_keys_live_only_in_the_secret_store(
    service: ContentService, secrets: MemorySecrets, db: Database, server: FakeOpenAI
) -> None:
    server.queue(Reply(json.dumps(GOOD)))
    asyncio.run(service.generate(BRIEF, "Fake"))
    assert secrets.get("ai-provider:Fake") == SECRET
    for path in db.path.parent.iterdir():
        assert SECRET.encode() not in path.read_bytes(), path
    service.delete_provider("Fake")
    assert secrets.get("ai-provider:Fake") is None


def test_a_provider_without_its_key_says_where_to_add_it(
    service: ContentService, secrets: MemorySecrets
) -> None:
    secrets.delete("ai-provider:Fake")
    with pytest.raises(ProviderProblem) as info:
        asyncio.run(service.generate(BRIEF, "Fake"))
    assert info.value.kind is ProblemKind.NO_KEY
    assert "Providers" in info.value.user_message


def test_bad_provider_settings_are_refused_with_a_reason(service: ContentService) -> None:
    with pytest.raises(ContentProblem, match="http:// or https://"):
        service.save_provider(ProviderConfig("X", "api.openai.com", "gpt-4o"))
    with pytest.raises(ContentProblem, match="no provider called"):
        asyncio.run(service.generate(BRIEF, "Nope"))


def test_a_failure_keeps_the_brief_and_records_the_attempt(
    service: ContentService, server: FakeOpenAI
) -> None:
    server.queue(Reply(status=401, error="bad key"))
    with pytest.raises(ProviderProblem):
        asyncio.run(service.generate(BRIEF, "Fake"))
    assert service.last_brief() == BRIEF
    [entry] = service.history()
    assert entry.status == "failed"
    assert entry.error is not None
    assert "refused the API key" in entry.error


def test_an_incomplete_brief_says_what_to_fix(service: ContentService) -> None:
    with pytest.raises(BriefProblem) as info:
        service.generate_template(Brief("google-rsa", "", claims=(Claim("Best in class"),)))
    assert "Product field is empty" in info.value.user_message
    assert 'claim "Best in class" has no evidence' in info.value.user_message


def test_hostile_team_templates_are_stopped_with_a_clear_error(
    service: ContentService, server: FakeOpenAI
) -> None:
    service.set_template_source(
        lambda: [
            ("Escape", "{{ ''.__class__.__mro__[1].__subclasses__() }}"),
            (
                "Loop",
                "{% for i in range(10000) %}{% for j in range(10000) %}x{% endfor %}{% endfor %}",
            ),
            ("Huge", "{{ 'x' * 100000000 }}"),
            (
                "Team short",
                "Write {{ count }} punchy ads for {{ brief.product }}.\n"
                "Number of variants: {{ count }}",
            ),
        ]
    )
    assert service.prompt_templates() == ["Built-in", "Escape", "Loop", "Huge", "Team short"]
    for name in ("Escape", "Loop", "Huge"):
        with pytest.raises(TemplateProblem) as info:
            asyncio.run(service.generate(BRIEF, "Fake", template=name))
        assert info.value.user_message
    assert server.requests == []  # nothing was sent
    server.queue(Reply(json.dumps(GOOD)))
    asyncio.run(service.generate(BRIEF, "Fake", template="Team short"))
    assert server.requests[-1]["messages"][1]["content"].startswith(
        "Write 2 punchy ads for Acme Analytics."
    )


def test_regenerating_a_field_keeps_the_other_fields(
    service: ContentService, server: FakeOpenAI
) -> None:
    server.queue(Reply(json.dumps(GOOD)))
    generation = asyncio.run(service.generate(BRIEF, "Fake"))
    base = generation.variants[0].variant
    server.queue(Reply(json.dumps({"variants": [{"path1": "shopify"}]})))
    shown = asyncio.run(service.regenerate_field(BRIEF, "Fake", base, "path1"))
    assert shown.variant.items("path1") == ("shopify",)
    assert shown.variant.items("headlines") == base.items("headlines")
    prompt = server.requests[-1]["messages"][1]["content"]
    assert "Rewrite only the field(s) path1" in prompt
    assert "Analytics for small shops" in prompt  # the rest of the variant, kept


def test_template_mode_regenerates_fresh_drafts(service: ContentService) -> None:
    first = service.generate_template(BRIEF)
    others = [v.variant for v in first.variants]
    fresh = asyncio.run(service.regenerate_variant(BRIEF, "offline", others))
    assert fresh.variant not in others
    assert fresh.variant.label.startswith("Template draft")


def test_edits_favourites_and_fixes_are_stored(service: ContentService) -> None:
    generation = service.generate_template(BRIEF)
    ct = generation.content_type
    shown = generation.variants[0]
    edited = service.edit_variant(
        shown, shown.variant.with_field("headlines", ["BEST DEAL EVER!", "b c", "d e"]), ct, BRIEF
    )
    codes = {f.code for f in edited.report.findings}
    assert {"google-exclamation-headline", "google-capitals"} <= codes
    fix = next(f for f in edited.report.findings if f.code == "google-exclamation-headline")
    fixed = service.apply_fix(edited, fix, ct, BRIEF)
    assert fixed.variant.items("headlines")[0] == "BEST DEAL EVER"
    service.set_favourite(fixed, True)
    reopened = service.open_generation(generation.id).variants[0]
    assert reopened.variant.items("headlines")[0] == "BEST DEAL EVER"
    assert reopened.favourite
    assert reopened.edited
    assert [f.id for f in service.favourites()] == [shown.id]


def test_export_google_ads_editor_csv_and_markdown(service: ContentService, tmp_path: Path) -> None:
    generation = service.generate_template(BRIEF)
    path = service.export(
        generation.content_type,
        BRIEF,
        generation.variants,
        tmp_path / "ads.csv",
        final_url="https://acme.example",
    )
    rows = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8"))))
    assert tuple(rows[0]) == GOOGLE_ADS_COLUMNS
    assert rows[0][:5] == ["Campaign", "Ad group", "Ad type", "Headline 1", "Headline 2"]
    assert "Description 4" in rows[0]
    assert "Path 2" in rows[0]
    assert "Final URL" in rows[0]
    assert len(rows) == 3
    first = dict(zip(rows[0], rows[1], strict=True))
    assert first["Ad type"] == "Responsive search ad"
    assert first["Headline 1"] == generation.variants[0].variant.items("headlines")[0]
    assert first["Final URL"] == "https://acme.example"

    post = Brief("x-post", "Acme", key_facts=("Fast",), variants=2)
    gen = service.generate_template(post)
    md = service.export(gen.content_type, post, gen.variants, tmp_path / "posts.md")
    text = md.read_text(encoding="utf-8")
    assert text.startswith("# X post: Acme")
    assert "## Variant 2 — Template draft · PAS" in text


def test_variants_with_errors_are_not_exported(service: ContentService, tmp_path: Path) -> None:
    generation = service.generate_template(BRIEF)
    bad = service.edit_variant(
        generation.variants[1],
        generation.variants[1].variant.with_field("headlines", ["x" * 40, "b", "c"]),
        generation.content_type,
        BRIEF,
    )
    with pytest.raises(ExportBlocked) as info:
        service.export(
            generation.content_type, BRIEF, [generation.variants[0], bad], tmp_path / "ads.csv"
        )
    assert "Variant 2: Headline 1 is 40 characters" in info.value.user_message
    assert not (tmp_path / "ads.csv").exists()
