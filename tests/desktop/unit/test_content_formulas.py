"""Template mode: genuinely different variants from AIDA, PAS, FAB and 4U, within the
channel's limits, labelled as template drafts, with no model at all."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import pytest

from desktop.domain.content import BrandKit, Brief, Claim, SpecProblem, VariantSource
from desktop.domain.content_counting import measure
from desktop.domain.content_formulas import fill, formula_from_mapping, template_variants
from desktop.domain.content_quality import NEAR_DUPLICATE, CheckContext, check_all, similarity
from desktop.services.content import load_catalogue

RESOURCES = Path(__file__).resolve().parents[3] / "resources"
CATALOGUE = load_catalogue(RESOURCES)
BRIEF = Brief(
    "google-rsa",
    "Acme Analytics",
    audience="small online shops",
    offer="30-day free trial",
    key_facts=("Set up in 5 minutes", "Works with Shopify and WooCommerce", "Reports every Monday"),
    claims=(Claim("Rated 4.8 on G2", "G2 reviews, May 2026"),),
    variants=15,
    pain="guessing which ads work",
)


def test_the_four_formulas_are_installed_in_order() -> None:
    assert [f.name for f in CATALOGUE.formulas] == ["AIDA", "PAS", "FAB", "4U"]


@pytest.mark.parametrize("type_id", sorted(CATALOGUE.types))
def test_fifteen_template_variants_are_distinct_fit_and_labelled(type_id: str) -> None:
    ct = CATALOGUE.types[type_id]
    brief = Brief(
        type_id,
        BRIEF.product,
        BRIEF.audience,
        BRIEF.offer,
        key_facts=BRIEF.key_facts,
        claims=BRIEF.claims,
        variants=15,
        pain=BRIEF.pain,
    )
    variants = template_variants(ct, brief, BrandKit(), CATALOGUE.formulas)
    assert len(variants) == 15
    assert all(v.source is VariantSource.TEMPLATE for v in variants)
    assert all(v.label.startswith("Template draft · ") for v in variants)
    texts = [v.all_text() for v in variants]
    assert len(set(texts)) == 15, "every variant differs"
    for a, b in itertools.combinations(texts, 2):
        assert similarity(a, b) < NEAR_DUPLICATE
    for v in variants:
        for spec in ct.fields:
            items = v.items(spec.name)
            if not spec.optional:
                assert len(items) >= spec.min_items, (spec.name, v)
            for item in items:
                assert "{" not in item, item
                if spec.hard_limit is not None:
                    assert measure(spec, item) <= spec.hard_limit, (spec.name, item)
    reports = check_all(variants, CheckContext(ct, brief, BrandKit()))
    assert all(r.ok for r in reports), [f.message for r in reports for f in r.errors]


def test_sms_drafts_fit_one_segment() -> None:
    ct = CATALOGUE.types["sms"]
    brief = Brief("sms", "Acme", key_facts=("Set up in 5 minutes",), variants=8)
    for v in template_variants(ct, brief, BrandKit(), CATALOGUE.formulas):
        assert measure(ct.field("text"), v.text("text")) == 1


def test_brand_kit_call_to_action_is_used_when_the_brief_has_none() -> None:
    ct = CATALOGUE.types["landing-hero"]
    brief = Brief("landing-hero", "Acme", key_facts=("Fast",), variants=4)
    drafts = template_variants(
        ct, brief, BrandKit(call_to_action="Book a demo"), CATALOGUE.formulas
    )
    assert any("Book a demo" in v.all_text() for v in drafts)


def test_a_new_round_gives_new_drafts() -> None:
    ct = CATALOGUE.types["x-post"]
    brief = Brief("x-post", "Acme", key_facts=("Fast", "Simple", "Cheap to run"), variants=4)
    first = template_variants(ct, brief, BrandKit(), CATALOGUE.formulas)
    later = template_variants(ct, brief, BrandKit(), CATALOGUE.formulas, start=4)
    assert {v.all_text() for v in first}.isdisjoint({v.all_text() for v in later})


def test_placeholders_fill_and_skip_patterns_missing_a_value() -> None:
    values = {"product": "Acme", "benefit": "Set up in 5 minutes", "offer": ""}
    assert fill("{product}: {benefit}", values) == "Acme: set up in 5 minutes"
    assert fill("{Benefit} with {product}", values) == "Set up in 5 minutes with Acme"
    assert fill("{Offer} today", values) is None
    # No attribute access, no format specs: a placeholder is a name and nothing else.
    assert fill("{product.__class__}", values) == "{product.__class__}"


def test_a_malformed_formula_file_is_named() -> None:
    with pytest.raises(SpecProblem, match=r"broken\.toml"):
        formula_from_mapping(tomllib.loads('id = "x"\nname = "X"\ntitle = "X"'), "broken.toml")
