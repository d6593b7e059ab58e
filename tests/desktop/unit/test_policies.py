"""Policy Studio without the UI: questionnaires, jurisdiction rules, placeholders, the
review state machine, storage (frozen versions), exports read back, hostile input."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pypdf
import pytest

from desktop.domain.policy import Facts, validate_answers
from desktop.domain.policy_review import (
    ApprovalCheck,
    ReviewAction,
    ReviewError,
    ReviewState,
    approval_blockers,
    can_edit,
    next_state,
)
from desktop.domain.policy_rules import check_rules, cross_check
from desktop.domain.policy_text import find_placeholders, section_changes, sections
from desktop.integrations import pdf as pdf_integration
from desktop.services.policies import (
    AnswersRefused,
    PolicyService,
    export_from_answers,
)
from desktop.services.policies_catalog import PolicyCatalog
from desktop.services.policies_render import ExportBlocked, LogoProblem, markdown_to_html
from desktop.storage.database import Database
from desktop.storage.policies import FrozenVersion

PROFILE = {
    "company_name": "Northwind Outfitters",
    "legal_name": "Northwind Outfitters Ltd",
    "address": "1 Harbour Road, Dublin D02 X285, Ireland",
    "email": "help@northwind.example",
    "website": "https://northwind.example",
    "currency": "EUR",
    "markets": ["eu", "uk", "us"],
    "sells_to_consumers": True,
    "sells_physical": True,
}
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00"
    b"\x00\x1f\x15\xc4\x89\x00\x00\x00\rIDATx\x9cc\xf8\xcf\xc0\xf0\x1f\x00\x05\x00\x01\xff"
    b"\x89\x99=\x1d\x00\x00\x00\x00IEND\xaeB`\x82"
)


@pytest.fixture(scope="module")
def catalog() -> PolicyCatalog:
    return PolicyCatalog.bundled()


@pytest.fixture(scope="module", autouse=True)
def _pdf_worker() -> Iterator[None]:
    yield
    pdf_integration.shutdown()


@pytest.fixture
def service(tmp_path: Path) -> Iterator[PolicyService]:
    db = Database.open(tmp_path / "db.sqlite3")
    yield PolicyService(db)
    db.close()


def _data(**answers: object) -> dict[str, object]:
    return {
        "company": PROFILE,
        "answers": {"start_return": "Email us your order number.", **answers},
        "effective_date": "2027-03-01",
    }


# -- questionnaires and rules ------------------------------------------------------------


def test_every_bundled_questionnaire_template_and_pack_loads(catalog: PolicyCatalog) -> None:
    assert len(catalog.questionnaires) == 8
    assert {p.id for p in catalog.packs} == {"eu", "uk", "us_ca", "us"}
    for policy_type in catalog.questionnaires:
        assert catalog.template(policy_type).startswith("# ")


def test_physical_goods_subscriptions_and_eu_consumers_open_their_questions(
    catalog: PolicyCatalog,
) -> None:
    refund = catalog.questionnaire("refund")
    shop = Facts({"accepts_returns": True}, PROFILE, frozenset({"eu"}))
    b2b = Facts(
        {"accepts_returns": True},
        {**PROFILE, "sells_to_consumers": False, "sells_physical": False},
        frozenset({"us"}),
    )
    open_shop = {q.id for q in refund.open_questions(shop)}
    open_b2b = {q.id for q in refund.open_questions(b2b)}
    assert {"withdrawal_days", "return_shipping_paid_by"} <= open_shop
    assert "withdrawal_days" not in open_b2b
    assert "return_shipping_paid_by" not in open_b2b
    assert "sells_in_florida" in open_b2b
    types = {"refund", "shipping", "subscription", "warranty"}
    from desktop.domain.policy import applicable_types

    offered = set(applicable_types(catalog.questionnaires, {**PROFILE, "sells_physical": False}))
    assert "shipping" not in offered
    assert "warranty" not in offered
    assert "subscription" not in offered
    assert (
        types
        & set(applicable_types(catalog.questionnaires, {**PROFILE, "sells_subscriptions": True}))
        == types
    )


def test_answers_are_validated_with_messages_naming_the_question(catalog: PolicyCatalog) -> None:
    refund = catalog.questionnaire("refund")
    _clean, problems = validate_answers(
        refund, {"return_window_days": "soon", "restocking_fee_percent": 140, "start_return": ""},
        profile=PROFILE, jurisdictions=["eu"],
    )  # fmt: skip
    messages = {p.question_id: p.message for p in problems}
    assert messages["return_window_days"] == "enter a whole number."
    assert messages["restocking_fee_percent"] == "must be at most 100."
    assert messages["start_return"] == "needs an answer."


@pytest.mark.parametrize(
    ("jurisdiction", "basis"),
    [("eu", "Directive 2011/83/EU"), ("uk", "Consumer Contracts")],
)
def test_a_withdrawal_window_under_14_days_is_refused_with_reason_and_legal_basis(
    catalog: PolicyCatalog, jurisdiction: str, basis: str
) -> None:
    refund = catalog.questionnaire("refund")
    answers, _ = validate_answers(
        refund, {"withdrawal_days": 13}, profile=PROFILE, jurisdictions=[jurisdiction]
    )
    violations = check_rules(
        refund, answers, catalog.packs, profile=PROFILE, jurisdictions=[jurisdiction]
    )
    assert [v.question_id for v in violations] == ["withdrawal_days"]
    assert violations[0].fix == 14
    assert "14 days" in violations[0].rule.reason
    assert basis in str(violations[0])
    longer, _ = validate_answers(
        refund, {"withdrawal_days": 30}, profile=PROFILE, jurisdictions=[jurisdiction]
    )
    assert (
        check_rules(refund, longer, catalog.packs, profile=PROFILE, jurisdictions=[jurisdiction])
        == []
    )


def test_sale_items_cannot_be_excluded_from_eu_withdrawal(catalog: PolicyCatalog) -> None:
    refund = catalog.questionnaire("refund")
    answers, _ = validate_answers(
        refund, {"withdrawal_exclusions": ["custom", "sale"]}, profile=PROFILE, jurisdictions=["eu"]
    )
    (violation,) = check_rules(
        refund, answers, catalog.packs, profile=PROFILE, jurisdictions=["eu"]
    )
    assert "Art. 16" in violation.rule.legal_basis
    assert violation.fix == ["custom"]


def test_florida_no_refund_shop_must_post_its_policy(catalog: PolicyCatalog) -> None:
    refund = catalog.questionnaire("refund")
    base = {"accepts_returns": False, "sells_in_florida": True}
    answers, _ = validate_answers(refund, base, profile=PROFILE, jurisdictions=["us"])
    (violation,) = check_rules(
        refund, answers, catalog.packs, profile=PROFILE, jurisdictions=["us"]
    )
    assert "501.142" in violation.rule.legal_basis
    assert "7 days" in violation.rule.reason
    posted, _ = validate_answers(
        refund, {**base, "posted_at_point_of_sale": True}, profile=PROFILE, jurisdictions=["us"]
    )
    assert check_rules(refund, posted, catalog.packs, profile=PROFILE, jurisdictions=["us"]) == []
    text = export_from_answers(
        "refund", {**_data(**base, posted_at_point_of_sale=True)}, ["us"], "md"
    ).data.decode()
    assert "This store does not give refunds." in text


def test_california_privacy_notice_needs_do_not_sell_link_when_data_is_sold(
    catalog: PolicyCatalog,
) -> None:
    privacy = catalog.questionnaire("privacy")
    answers, _ = validate_answers(
        privacy, {"sells_or_shares_data": True, "privacy_contact": "privacy@northwind.example"},
        profile=PROFILE, jurisdictions=["us_ca"],
    )  # fmt: skip
    (violation,) = check_rules(
        privacy, answers, catalog.packs, profile=PROFILE, jurisdictions=["us_ca"]
    )
    assert "1798.135" in violation.rule.legal_basis


def test_refund_window_must_agree_between_terms_and_refund_policy(catalog: PolicyCatalog) -> None:
    found = cross_check(
        catalog.cross_checks,
        {"terms": {"refund_window_days": 30}, "refund": {"return_window_days": 14}},
    )
    assert [d.check.id for d in found] == ["refund-window"]
    assert "30 days" in found[0].message
    assert "14 days" in found[0].message
    assert (
        cross_check(
            catalog.cross_checks,
            {"terms": {"refund_window_days": 14}, "refund": {"return_window_days": 14}},
        )
        == []
    )


# -- placeholders, sections, diffs -------------------------------------------------------


def test_placeholders_are_found_with_their_line() -> None:
    source = "# T\n\nCall {{ phone }} today.\n\n## Fees\n\n[[confirm fee]] and TODO ____\n"
    rendered = "# T\n\nCall \u27e6phone\u27e7 today.\n\n## Fees\n\n[[confirm fee]] and TODO ____\n"
    found = find_placeholders(source, rendered)
    assert [(p.line, p.text) for p in found] == [
        (3, "{{ phone }}"), (7, "[[confirm fee]]"), (7, "TODO"), (7, "____"),
    ]  # fmt: skip
    assert (
        find_placeholders(
            "A [link](https://x.example) and {{ x }}", "A [link](https://x.example) and 5"
        )
        == []
    )


def test_section_diff_names_what_changed() -> None:
    old = "# P\n\n## Returns\n\nWithin 30 days.\n\n## Refunds\n\nIn 14 days.\n"
    new = (
        "# P\n\n## Returns\n\nWithin 45 days.\n\n## Refunds\n\nIn 14 days.\n\n"
        "## Exchanges\n\nYes.\n"
    )
    changes = {c.title: c for c in section_changes(old, new)}
    assert set(changes) == {"Returns", "Exchanges"}
    assert changes["Exchanges"].kind == "added"
    assert [(line.op, line.text) for line in changes["Returns"].lines] == [
        ("-", "Within 30 days."), ("+", "Within 45 days."),
    ]  # fmt: skip
    assert [s.key for s in sections(new)] == ["introduction", "returns", "refunds", "exchanges"]


# -- review state machine -----------------------------------------------------------------


def test_review_state_machine_allows_only_the_drawn_transitions() -> None:
    s = ReviewState
    assert next_state(s.DRAFT, ReviewAction.SUBMIT) is s.IN_REVIEW
    assert next_state(s.IN_REVIEW, ReviewAction.REQUEST_CHANGES) is s.CHANGES_REQUESTED
    assert next_state(s.CHANGES_REQUESTED, ReviewAction.SUBMIT) is s.IN_REVIEW
    assert next_state(s.IN_REVIEW, ReviewAction.APPROVE) is s.APPROVED
    assert next_state(s.IN_REVIEW, ReviewAction.WITHDRAW) is s.DRAFT
    refused = [
        (s.DRAFT, ReviewAction.APPROVE),
        (s.APPROVED, ReviewAction.SUBMIT),
        (s.CHANGES_REQUESTED, ReviewAction.APPROVE),
        (s.APPROVED, ReviewAction.REQUEST_CHANGES),
    ]
    for state, action in refused:
        with pytest.raises(ReviewError):
            next_state(state, action)
    assert can_edit(s.DRAFT)
    assert can_edit(s.CHANGES_REQUESTED)
    assert not can_edit(s.IN_REVIEW)
    assert not can_edit(s.APPROVED)
    blockers = approval_blockers(ApprovalCheck(reviewer="ana", author="Ana", unchecked_items=["x"]))
    assert any("colleague" in b for b in blockers)
    assert any("x" in b for b in blockers)


# -- the service on a real database -------------------------------------------------------


def test_approved_version_is_frozen_and_editing_starts_a_new_draft(service: PolicyService) -> None:
    service.save_profile(PROFILE)
    doc = service.create_document("refund", author="Ana", jurisdictions=["eu"])
    v1 = service.latest(doc)
    service.save_answers(v1.id, {**v1.answers, "start_return": "Email us."})
    with pytest.raises(AnswersRefused) as refused:
        service.save_answers(
            v1.id, {**v1.answers, "start_return": "Email us.", "withdrawal_days": 7}
        )
    assert "Art. 9(1)" in refused.value.user_message
    assert service.version(v1.id).answers["withdrawal_days"] == 14  # nothing saved
    service.set_effective_date(v1.id, date(2027, 3, 1))
    service.submit(v1.id, "Ana")
    with pytest.raises(ReviewError):
        service.request_changes(v1.id, "Ben")  # no comment saying what to change
    service.add_comment(v1.id, "refunds", "Ben", "Name the payment method.")
    service.request_changes(v1.id, "Ben")
    assert service.version(v1.id).state == ReviewState.CHANGES_REQUESTED
    service.submit(v1.id, "Ana")
    with pytest.raises(ReviewError) as blocked:
        service.approve(v1.id, "Ben")
    assert "Checklist not ticked" in blocked.value.user_message
    for item in service.checklist(v1.id):
        service.set_checked(v1.id, item.item_id, True, "Ben")
    approved = service.approve(v1.id, "Ben")
    assert approved.state == ReviewState.APPROVED
    assert approved.frozen_hash
    with pytest.raises(FrozenVersion):
        service.save_source(v1.id, "changed")
    # Even behind the service's back, the database refuses to change a frozen version.
    with service._db.session() as conn, pytest.raises(sqlite3.IntegrityError):
        conn.execute("UPDATE policy_versions SET source = 'x' WHERE state = 'approved'")
    v2 = service.edit(v1.id, "Ana")
    assert (v2.number, v2.state) == (2, "draft")
    service.save_answers(v2.id, {**v2.answers, "return_window_days": 45})
    service.set_effective_date(v2.id, date(2027, 6, 1))
    diff = service.diff(v1.id, v2.id)
    assert [(c.old, c.new) for c in diff.answers] == [("30", "45")]
    notice = service.notice(v2.id)
    assert "From 1 June 2027" in notice
    assert "30 → 45" in notice
    assert [e.number for e in service.changelog(doc)] == [2, 1]


def test_export_is_blocked_while_a_placeholder_is_unfilled(service: PolicyService) -> None:
    service.save_profile(PROFILE)
    doc = service.create_document("refund", author="Ana", jurisdictions=["eu"])
    v = service.latest(doc)
    service.save_answers(v.id, {**v.answers, "start_return": "Email us."})
    with pytest.raises(ExportBlocked) as blocked:
        service.export(v.id, "md")
    assert "effective_date" in blocked.value.user_message
    service.set_effective_date(v.id, date(2027, 3, 1))
    service.save_source(v.id, v.source + "\nFees: [[fill in the fee]]\n")
    with pytest.raises(ExportBlocked) as still:
        service.export(v.id, "pdf")
    assert "[[fill in the fee]]" in still.value.user_message
    service.save_source(v.id, v.source)
    assert service.export(v.id, "md").decode().startswith("# Returns and refunds")


def test_pdf_is_read_back_with_names_numbers_footer_and_toc(tmp_path: Path) -> None:
    logo = tmp_path / "logo.png"
    logo.write_bytes(PNG)
    data = {**_data(return_window_days=45), "version": 3, "logo": "logo.png"}
    pdf = export_from_answers("refund", data, ["eu", "uk"], "pdf", base=tmp_path).data
    reader = pypdf.PdfReader(__import__("io").BytesIO(pdf))
    pages = [p.extract_text() for p in reader.pages]
    text = "\n".join(pages)
    assert len(pages) >= 2
    assert "Northwind Outfitters" in pages[0]
    assert "45 days" in text
    assert "14 days" in text  # the EU/UK withdrawal period
    assert "Model withdrawal form" in text
    for page_text in pages:  # footer on every page: version and effective date, page numbers
        assert "Version 3 · Effective 1 March 2027" in page_text
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Contents" in pages[0]
    assert "Right of withdrawal" not in pages[0].split("Contents")[0]
    assert "Your right to cancel (consumers in the EU and UK)" in pages[0]  # a TOC entry
    html = export_from_answers("refund", data, ["eu"], "html", base=tmp_path).data.decode()
    assert 'src="data:image/png;base64,' in html


@pytest.mark.parametrize(
    "hostile",
    [
        '<img src="file:///etc/passwd"> <iframe src="https://evil.example"></iframe>',
        '<link rel="stylesheet" href="https://evil.example/x.css"><style>@import url(file:///etc/hosts);</style>',
        "<script>alert(1)</script>",
    ],
)
def test_hostile_markup_in_an_answer_is_refused_and_never_reaches_the_renderer(
    hostile: str,
) -> None:
    seen: list[str] = []

    def fake_pdf(html: str) -> bytes:  # records what WeasyPrint would be given
        seen.append(html)
        return b"%PDF"

    with pytest.raises(ExportBlocked) as blocked:
        export_from_answers("refund", _data(start_return=hostile), ["eu"], "pdf", pdf=fake_pdf)
    assert "may not load files, images or web pages" in blocked.value.user_message
    assert seen == []
    # And should it get that far, the sanitiser drops it: defence in depth.
    cleaned = markdown_to_html(hostile)
    for forbidden in ("file:", "evil.example", "<script", "<iframe", "<img", "<link", "@import"):
        assert forbidden not in cleaned


def test_hostile_templates_are_stopped_with_a_clear_error(tmp_path: Path) -> None:
    for name, source, expected in [
        ("loop.md.j2", "{% for i in range(10**8) %}x{% endfor %}", "loop"),
        (
            "slow.md.j2",
            "{% for a in range(9999) %}{% for b in range(9999) %}{% endfor %}{% endfor %}",
            "longer than",
        ),
        ("escape.md.j2", "{{ company.__class__.__mro__ }}", "may not"),
        ("include.md.j2", "{% include '/etc/passwd' %}", "no loader"),
    ]:
        (tmp_path / name).write_text(source)
        with pytest.raises(ExportBlocked) as blocked:
            export_from_answers(
                "refund", {**_data(), "template": name}, ["eu"], "md", base=tmp_path
            )
        message = blocked.value.user_message
        assert "cannot be rendered" in message, (name, message)
        assert expected in message, (name, message)
        assert "root:" not in message


def test_a_logo_that_is_not_an_image_is_refused(tmp_path: Path) -> None:
    fake = tmp_path / "logo.png"
    fake.write_text("<svg><image href='file:///etc/passwd'/></svg>")
    with pytest.raises(LogoProblem) as refused:
        export_from_answers("refund", {**_data(), "logo": "logo.png"}, ["eu"], "pdf", base=tmp_path)
    assert "not a PNG, JPEG or GIF" in refused.value.user_message


REQUIRED = {
    "refund": {"start_return": "Email us."},
    "shipping": {"ship_to": "the European Union"},
    "terms": {"governing_law": "the laws of Ireland"},
    "privacy": {"privacy_contact": "privacy@northwind.example"},
}


@pytest.mark.parametrize(
    "policy_type",
    [
        "refund",
        "shipping",
        "terms",
        "warranty",
        "subscription",
        "privacy",
        "discount",
        "commission",
    ],
)
@pytest.mark.parametrize("jurisdictions", [["eu", "uk", "us_ca", "us"], []])
def test_every_policy_type_renders_from_its_defaults_with_every_heading_apart(
    policy_type: str, jurisdictions: list[str]
) -> None:
    profile = {**PROFILE, "markets": ["eu", "uk", "us_ca", "us"], "sells_subscriptions": True}
    data = {
        "company": profile,
        "answers": REQUIRED.get(policy_type, {}),
        "effective_date": "2027-03-01",
    }
    text = export_from_answers(policy_type, data, jurisdictions, "md").data.decode()
    assert "Northwind Outfitters" in text
    assert "1 March 2027" in text
    lines = text.splitlines()
    for n, line in enumerate(lines):
        if line.startswith("## "):
            assert lines[n - 1] == "", f"{policy_type}: heading {line!r} runs into the text above"


def test_cross_document_check_flags_terms_that_disagree_with_the_refund_policy(
    service: PolicyService,
) -> None:
    service.save_profile(PROFILE)
    refund = service.create_document("refund", author="Ana", jurisdictions=["eu"])
    terms = service.create_document("terms", author="Ana", jurisdictions=["eu"])
    assert service.cross_document_problems() == []  # defaults agree: 30 days both
    version = service.latest(terms)
    service.save_answers(
        version.id, {**version.answers, "refund_window_days": 14, "governing_law": "Irish law"}
    )
    (problem,) = service.cross_document_problems()
    assert problem.check.id == "refund-window"
    assert set(problem.policies) == {"terms", "refund"}
    assert refund != terms
