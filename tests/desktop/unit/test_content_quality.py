"""Quality checks on variants: each finding has a severity, an explanation and, where
one can be made safely, a fix."""

from __future__ import annotations

import itertools
import tomllib
from pathlib import Path

import pytest

from desktop.domain.content import (
    BrandKit,
    Brief,
    Claim,
    ContentType,
    Finding,
    Severity,
    Spelling,
    Variant,
    content_type_from_mapping,
)
from desktop.domain.content_quality import (
    CheckContext,
    apply_fix,
    check_all,
    check_variant,
    luhn_ok,
)
from desktop.domain.content_readability import readability

RESOURCES = Path(__file__).resolve().parents[3] / "resources"


def ctype(type_id: str) -> ContentType:
    path = RESOURCES / "channels" / f"{type_id}.toml"
    return content_type_from_mapping(tomllib.loads(path.read_text()), str(path))


BRIEF = Brief("google-rsa", "Acme Analytics", audience="shops", offer="30-day free trial")
NO_BRAND = BrandKit()


def rsa(headlines: list[str], descriptions: list[str] | None = None) -> Variant:
    return Variant(
        {
            "headlines": tuple(headlines),
            "descriptions": tuple(descriptions or ["Know which ads pay off.", "Start today."]),
            "path1": ("acme",),
            "path2": (),
        }
    )


def codes(
    variant: Variant,
    brief: Brief = BRIEF,
    brand: BrandKit = NO_BRAND,
    type_id: str = "google-rsa",
) -> dict[str, list[str]]:
    report = check_variant(variant, CheckContext(ctype(type_id), brief, brand))
    out: dict[str, list[str]] = {}
    for f in report.findings:
        out.setdefault(f.code, []).append(f.severity.value)
    return out


def finding(
    variant: Variant,
    code: str,
    brief: Brief = BRIEF,
    brand: BrandKit = NO_BRAND,
    type_id: str = "google-rsa",
) -> Finding:
    report = check_variant(variant, CheckContext(ctype(type_id), brief, brand))
    return next(f for f in report.findings if f.code == code)


def test_a_clean_search_ad_passes_every_check() -> None:
    report = check_variant(
        rsa(["Analytics for shops", "Set up in 5 minutes", "See what sells"]),
        CheckContext(ctype("google-rsa"), BRIEF, BrandKit()),
    )
    assert report.findings == ()
    assert report.ok
    assert report.summary() == "All checks passed"


def test_headline_over_30_characters_is_an_error_with_a_clipped_fix() -> None:
    v = rsa(["Guaranteed results for every online shop owner", "B c d", "Fast"])
    f = finding(v, "over-limit")
    assert f.severity is Severity.ERROR
    assert "46 characters; the limit is 30" in f.message
    fixed = apply_fix(v, f)
    assert len(fixed.items("headlines")[0]) <= 30


def test_google_editorial_rules() -> None:
    found = codes(rsa(["Sale now!", "FREE stuff", "Buy 4 you"], ["Great deals!! Today.", "Ok!"]))
    assert found["google-exclamation-headline"] == ["error"]
    assert found["google-capitals"] == ["error"]
    assert found["google-symbols-as-words"] == ["error"]
    assert found["google-repeated-punctuation"] == ["error"]
    assert found["google-exclamation-ad"] == ["error"]  # four "!" in one ad


def test_acronyms_and_brand_capitals_are_not_gimmicky() -> None:
    brief = Brief("google-rsa", "ACME CRM")
    assert "google-capitals" not in codes(
        rsa(["ACME CRM for GDPR teams", "SEO in a day", "AI"]), brief
    )


def test_fixes_for_editorial_errors_remove_the_problem() -> None:
    v = rsa(["Sale now!", "FREE stuff", "Buy 4 you"])
    for code in ("google-exclamation-headline", "google-capitals", "google-symbols-as-words"):
        v = apply_fix(v, finding(v, code))
    assert v.items("headlines") == ("Sale now", "Free stuff", "Buy for you")
    assert codes(v, Brief("google-rsa", "Acme Analytics")) == {}


def test_too_few_headlines_is_an_error() -> None:
    assert codes(rsa(["Only one", "and two"]))["too-few-items"] == ["error"]


def test_claims_need_evidence_and_come_with_a_rewrite() -> None:
    v = rsa(["Guaranteed growth", "The best analytics", "#1 for shops"])
    found = codes(v)
    assert found["claim-guarantee"] == ["warning"]
    assert found["claim-superlative"] == ["warning", "warning"]
    f = finding(v, "claim-guarantee")
    assert "without evidence" in f.message
    assert f.fix
    assert "Guaranteed" not in f.fix


def test_a_claim_backed_in_the_brief_is_not_flagged() -> None:
    brief = Brief("google-rsa", "Acme", claims=(Claim("#1 for shops on G2", "G2 grid, 2026"),))
    assert "claim-superlative" not in codes(rsa(["#1 for shops", "b c", "d e"]), brief)
    # The same claim without evidence is still flagged.
    unbacked = Brief("google-rsa", "Acme", claims=(Claim("#1 for shops on G2", ""),))
    assert "claim-superlative" in codes(rsa(["#1 for shops", "b c", "d e"]), unbacked)


def test_free_with_conditions_must_say_so() -> None:
    brief = Brief("google-rsa", "Acme", offer="Free for 30 days, then $9/month")
    assert codes(rsa(["Try it free", "b c", "d e"]), brief)["claim-free-conditions"] == ["warning"]
    assert "claim-free-conditions" not in codes(
        rsa(["Try it free", "b c", "d e"]), Brief("google-rsa", "Acme", offer="Free plan")
    )


def test_health_and_earnings_claims() -> None:
    found = codes(rsa(["Cures back pain", "Earn $5,000 a month", "clinically proven"]))
    assert {"claim-cure", "claim-earnings", "claim-clinical"} <= set(found)


def test_personal_data_cards_phones_emails() -> None:
    # 4111 1111 1111 1111 passes the Luhn check; 4111 1111 1111 1112 does not.
    assert luhn_ok("4111111111111111")
    assert not luhn_ok("4111111111111112")
    v = Variant(
        {
            "text": (
                "Pay with 4111 1111 1111 1111, call +1 415 555 0132 or mail jane.doe@example.com",
            )
        }
    )
    found = codes(v, type_id="linkedin-post")
    assert found["pii-card-number"] == ["error"]
    assert found["pii-phone"] == ["warning"]
    assert found["pii-email"] == ["warning"]
    not_card = Variant({"text": ("Order 4111 1111 1111 1112 shipped",)})
    assert "pii-card-number" not in codes(not_card, type_id="linkedin-post")
    fixed = apply_fix(v, finding(v, "pii-card-number", type_id="linkedin-post"))
    assert "4111" not in fixed.text("text")


def test_email_subject_spam_hygiene() -> None:
    v = Variant(
        {
            "subject": ("ACT NOW!!! 100% free offer inside",),
            "preheader": ("x" * 50,),
            "body": ("Hello.",),
        }
    )
    found = codes(v, type_id="email")
    assert found["spam-exclamations"] == ["warning"]
    assert found["spam-capitals"] == ["warning"]
    assert found["spam-phrase"] == ["warning"]


def test_brand_kit_is_enforced() -> None:
    brand = BrandKit(
        banned_terms=("cheap",),
        preferred_terms=(("users", "customers"),),
        spelling=Spelling.UK,
        oxford_comma=True,
        contractions=False,
    )
    v = Variant({"text": ("Cheap tools users love: optimize color, speed and reach. Don't wait.",)})
    found = codes(v, brand=brand, type_id="linkedin-post")
    assert found["brand-banned-term"] == ["error"]
    assert found["brand-preferred-term"] == ["warning"]
    assert found["brand-spelling"] == ["warning"]
    assert found["brand-oxford-comma"] == ["info"]
    assert found["brand-contractions"] == ["info"]
    spelling = finding(v, "brand-spelling", brand=brand, type_id="linkedin-post")
    assert "optimise colour" in spelling.fix
    oxford = finding(v, "brand-oxford-comma", brand=brand, type_id="linkedin-post")
    assert "speed, and reach" in oxford.fix


def test_sms_with_emoji_is_flagged_ucs2_with_a_gsm_fix() -> None:
    v = Variant({"text": ("Sale ends Friday 🎉 don’t miss it",)})
    f = finding(v, "sms-ucs2", type_id="sms")
    assert "UCS-2" in f.message
    assert f.fix == "Sale ends Friday don't miss it"


def test_near_duplicate_variants_are_flagged() -> None:
    a = rsa(["Analytics for small shops", "Set up in 5 minutes", "See what sells"])
    b = rsa(["Analytics for small shops", "Set up in 5 minutes", "See what sells today"])
    c = rsa(
        ["Stop guessing your ads", "Weekly reports", "Built for Shopify"],
        ["Spend less on ads that do not work.", "Try it free."],
    )
    reports = check_all([a, b, c], CheckContext(ctype("google-rsa"), BRIEF, BrandKit()))
    assert [f.code for f in reports[1].findings] == ["near-duplicate"]
    assert "variant 1" in reports[1].findings[0].message
    assert "near-duplicate" not in [f.code for f in reports[2].findings]


def test_readability_per_language_offline() -> None:
    easy = readability("The cat sat on the mat. It was happy. We like it.", "en")
    hard = readability(
        "Comprehensive infrastructure optimization methodologies facilitate "
        "unprecedented organizational transformation capabilities.",
        "en",
    )
    assert easy is not None
    assert hard is not None
    assert easy.reading_ease > 80 > 20 > hard.reading_ease
    german = readability("Der Hund läuft schnell über die Straße. Er ist glücklich.", "de")
    assert german is not None
    assert german.language == "de"
    long_body = Variant(
        {
            "text": (
                " ".join(
                    [
                        "Comprehensive infrastructure optimization "
                        "methodologies facilitate transformation."
                    ]
                    * 4
                ),
            )
        }
    )
    assert codes(long_body, type_id="linkedin-post")["readability"] == ["warning"]


@pytest.mark.parametrize(
    "type_id",
    [
        "google-rsa",
        "meta-ad",
        "x-post",
        "linkedin-post",
        "email",
        "sms",
        "landing-hero",
        "blog-outline",
    ],
)
def test_every_channel_spec_loads(type_id: str) -> None:
    ct = ctype(type_id)
    assert ct.id == type_id
    assert ct.fields


def test_findings_are_sorted_most_severe_first() -> None:
    report = check_variant(
        rsa(["Guaranteed!", "b c", "d e"]), CheckContext(ctype("google-rsa"), BRIEF, BrandKit())
    )
    order = [f.severity for f in report.findings]
    rank = {Severity.ERROR: 0, Severity.WARNING: 1, Severity.INFO: 2}
    assert all(rank[x] <= rank[y] for x, y in itertools.pairwise(order))
