"""Content analytics on a real database: generations written by the Content Studio
repositories (and by ContentService itself for favourites and exports), figures checked
against a hand count."""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest

from desktop.domain.analytics import AnalyticsFilter
from desktop.domain.content import Brief
from desktop.integrations.providers.keys import ApiKeys
from desktop.integrations.secrets import MemorySecrets
from desktop.services.analytics import AnalyticsService
from desktop.services.content import ContentService
from desktop.storage import content as store
from desktop.storage.database import Database

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
BANNED = {"severity": "warning", "code": "banned-word", "message": "“free” is banned."}
TOO_LONG = {"severity": "error", "code": "over-limit", "message": "Headline 1 is too long."}


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "playbook.sqlite3")
    yield database
    database.close()


def _generation(
    db: Database,
    content_type: str,
    provider: str,
    at: datetime,
    *,
    status: str = "done",
    cached: bool = False,
    latency: float | None = None,
    tokens: tuple[int, int] = (0, 0),
    cost: float | None = None,
    variants: Sequence[tuple[list[dict[str, Any]], bool]] = (),
) -> list[uuid.UUID]:
    gen, brief = uuid.uuid4(), uuid.uuid4()
    ids = []
    with db.session() as conn:
        store.save_brief(conn, brief, content_type, {"product": "Acme"}, at)
        store.add_generation(
            conn,
            store.GenerationRecord(
                gen, brief, content_type, provider, "m", "json_schema", {}, "prompt", "out",
                status, None, latency, None, tokens[0], tokens[1], cost, None, cached, at,
            ),
        )  # fmt: skip
        for position, (findings, favourite) in enumerate(variants):
            vid = uuid.uuid4()
            store.add_variant(
                conn,
                store.VariantRecord(vid, gen, position, {}, findings, favourite, False, at),
            )
            ids.append(vid)
    return ids


def _seed(db: Database) -> None:
    """Four generations (UTC):

    - 2 March, google-rsa by Fake: 1000 ms, 100+50 tokens, $0.002; three variants, the
      first favourited, the others with findings (over-limit + banned-word, banned-word).
    - 10 March, google-rsa by Fake from the cache: 100+50 tokens, $0; two variants, the
      first exported.
    - 11 March, x-post offline template: no tokens, no cost; two variants, the first both
      favourited and exported.
    - 12 March, x-post by Fake, failed.
    """
    _generation(
        db, "google-rsa", "Fake", datetime(2026, 3, 2, 10, tzinfo=UTC), latency=1000.0,
        tokens=(100, 50), cost=0.002,
        variants=[([], True), ([TOO_LONG, BANNED], False), ([BANNED], False)],
    )  # fmt: skip
    cached = _generation(
        db, "google-rsa", "Fake", datetime(2026, 3, 10, 10, tzinfo=UTC), cached=True,
        latency=5.0, tokens=(100, 50), cost=0.0, variants=[([], False), ([], False)],
    )  # fmt: skip
    offline = _generation(
        db, "x-post", "offline", datetime(2026, 3, 11, 10, tzinfo=UTC),
        variants=[([], True), ([], False)],
    )  # fmt: skip
    _generation(db, "x-post", "Fake", datetime(2026, 3, 12, 10, tzinfo=UTC), status="failed")
    with db.session() as conn:
        store.mark_exported(conn, [cached[0], offline[0]])


def test_content_figures_match_the_hand_count(db: Database) -> None:
    _seed(db)
    labels = {"google-rsa": "Google responsive search ad"}
    figures = AnalyticsService(db, lambda: labels).content(AnalyticsFilter(zone=UTC))

    assert (figures.generations, figures.failed) == (4, 1)
    assert [(c.key, c.label, c.generations, c.share) for c in figures.by_type] == [
        ("google-rsa", "Google responsive search ad", 2, 0.5),
        ("x-post", "x-post", 2, 0.5),
    ]
    assert [(c.key, c.generations, c.variants, c.accepted) for c in figures.by_provider] == [
        ("Fake", 3, 5, 2),
        ("offline", 1, 2, 1),
    ]
    assert (figures.variants, figures.favourited, figures.exported, figures.accepted) == (
        7,
        2,
        2,
        3,
    )
    assert figures.acceptance_rate == pytest.approx(3 / 7)
    assert [(f.code, f.severity, f.hits, f.variants) for f in figures.findings] == [
        ("banned-word", "warning", 2, 2),
        ("over-limit", "error", 1, 1),
    ]
    assert figures.findings[0].message == "“free” is banned."
    # Latency: successful generations not answered from the cache (the first only).
    assert figures.average_latency_ms == 1000.0
    # Tokens and cost per successful generation (3); cost over those with one known (2).
    assert figures.average_prompt_tokens == pytest.approx(200 / 3)
    assert figures.average_completion_tokens == pytest.approx(100 / 3)
    assert figures.average_cost_usd == pytest.approx(0.001)
    assert figures.total_cost_usd == pytest.approx(0.002)
    assert figures.cache_hits == 1
    assert figures.cache_hit_rate == pytest.approx(1 / 3)
    assert [(w.start, w.generations) for w in figures.weeks] == [
        (date(2026, 3, 2), 1),
        (date(2026, 3, 9), 3),
    ]


def test_content_date_range_counts_only_generations_made_in_it(db: Database) -> None:
    _seed(db)
    flt = AnalyticsFilter(since=date(2026, 3, 9), until=date(2026, 3, 11), zone=UTC)
    figures = AnalyticsService(db).content(flt)
    assert (figures.generations, figures.variants, figures.accepted) == (2, 4, 2)
    assert figures.acceptance_rate == 0.5
    assert figures.findings == ()
    assert figures.average_latency_ms is None  # the only remote one came from the cache
    assert figures.cache_hit_rate == 0.5
    assert [(w.start, w.generations) for w in figures.weeks] == [(date(2026, 3, 9), 2)]


def test_findings_in_a_range_count_and_quote_only_what_was_hit_in_it(db: Database) -> None:
    _seed(db)
    cheap = {**BANNED, "message": "“cheap” is banned."}
    _generation(
        db, "x-post", "Fake", datetime(2026, 3, 20, 10, tzinfo=UTC),
        variants=[([cheap], False), ([cheap, TOO_LONG], False)],
    )  # fmt: skip
    flt = AnalyticsFilter(since=date(2026, 3, 15), zone=UTC)
    findings = AnalyticsService(db).content(flt).findings
    assert [(f.code, f.hits, f.variants, f.message) for f in findings] == [
        ("banned-word", 2, 2, "“cheap” is banned."),
        ("over-limit", 1, 1, "Headline 1 is too long."),
    ]
    everything = AnalyticsService(db).content(AnalyticsFilter(zone=UTC)).findings
    assert [(f.code, f.hits) for f in everything] == [("banned-word", 4), ("over-limit", 2)]


def test_no_generations_mean_no_rates(db: Database) -> None:
    figures = AnalyticsService(db).content(AnalyticsFilter(zone=UTC))
    assert (figures.generations, figures.variants, figures.by_type, figures.findings) == (
        0,
        0,
        (),
        (),
    )
    assert figures.acceptance_rate is None
    assert figures.average_latency_ms is None
    assert figures.average_cost_usd is None
    assert figures.cache_hit_rate is None
    assert figures.weeks == ()


def test_exporting_and_favouriting_in_the_studio_count_as_accepted(
    db: Database, tmp_path: Path
) -> None:
    studio = ContentService(db, RESOURCES, ApiKeys(MemorySecrets()))
    brief = Brief("x-post", "Acme", key_facts=("Fast",), variants=3)
    generation = studio.generate_template(brief)
    analytics = AnalyticsService(db)
    assert analytics.content().accepted == 0

    studio.export(generation.content_type, brief, generation.variants[:2], tmp_path / "x.md")
    studio.set_favourite(generation.variants[1], True)  # exported and favourite: once
    figures = analytics.content()
    assert (figures.variants, figures.exported, figures.favourited, figures.accepted) == (
        3,
        2,
        1,
        2,
    )
    assert figures.acceptance_rate == pytest.approx(2 / 3)


def test_findings_follow_edits_of_a_variant(db: Database) -> None:
    [first, second] = _generation(
        db,
        "google-rsa",
        "Fake",
        datetime(2026, 3, 2, tzinfo=UTC),
        variants=[([TOO_LONG, BANNED], False), ([BANNED], False)],
    )
    service = AnalyticsService(db)
    assert [(f.code, f.hits) for f in service.content().findings] == [
        ("banned-word", 2),
        ("over-limit", 1),
    ]
    with db.session() as conn:  # the user fixed the headline: only the banned word is left
        store.update_variant(conn, first, {}, [BANNED], datetime(2026, 3, 3, tzinfo=UTC))
        store.update_variant(conn, second, {}, [], datetime(2026, 3, 3, tzinfo=UTC))
    assert [(f.code, f.hits, f.variants) for f in service.content().findings] == [
        ("banned-word", 1, 1)
    ]
