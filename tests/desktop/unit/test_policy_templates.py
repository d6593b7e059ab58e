"""Policy templates from the team library, on the real services and database: choosing
one for a new policy, hostile and broken templates refused, saving a policy's text back
to the library (personal or a team), the version recording where its text came from."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from desktop.domain.templates import TemplateDraft, TemplateKind
from desktop.services.policies import PolicyService
from desktop.services.policies_templates import PolicyTemplateProblem
from desktop.services.templates import ReadOnlyTemplate, TemplateService
from desktop.storage import policies as repo
from desktop.storage import sync as sync_repo
from desktop.storage.database import Database

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
    "# Refunds at {{ company.name }}\n\n"
    "## Returns\n\nSend it back within {{ return_window_days }} days; we refund in "
    "{{ company.currency }}.\n"
)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "db.sqlite3")
    yield database
    database.close()


@pytest.fixture
def library(db: Database) -> TemplateService:
    with db.session() as conn:
        sync_repo.replace_teams(
            conn,
            [
                sync_repo.TeamRecord(TEAM, "Northwind Marketing", "editor"),
                sync_repo.TeamRecord(VIEWERS, "Head office", "viewer"),
            ],
        )
    return TemplateService(db)


@pytest.fixture
def service(db: Database, library: TemplateService) -> PolicyService:
    policies = PolicyService(db, templates=library)
    policies.save_profile(PROFILE)
    return policies


def policy_template(
    library: TemplateService, name: str, body: str, policy_type: str = "refund", team=TEAM
):
    return library.create(
        TemplateDraft(TemplateKind.POLICY, name, body, extra={"policy_type": policy_type}), team
    )


def test_a_team_template_is_offered_for_its_type_and_a_new_policy_starts_from_it(
    service: PolicyService, library: TemplateService
) -> None:
    team = policy_template(library, "Northwind refunds", TEAM_REFUNDS)
    policy_template(library, "Our shipping", "# Shipping\n", policy_type="shipping")
    library.create(TemplateDraft(TemplateKind.CONTENT, "Launch email", "Hi {{ name }}"))

    offered = service.template_choices("refund")
    assert [c.label for c in offered] == [
        "Built-in",
        "Northwind refunds — Team: Northwind Marketing",
    ]
    assert offered[0].built_in
    assert offered[1].template_id == team.id

    doc = service.create_document("refund", jurisdictions=["eu"], template_id=team.id)
    version = service.latest(doc)
    assert version.source == TEAM_REFUNDS
    assert version.template_id == team.id
    assert version.template_version == library.history(team.id)[-1].seq
    rendering = service.render(version.id)
    assert "Refunds at Northwind Outfitters" in rendering.markdown
    assert "within 30 days" in rendering.markdown  # the default answer
    assert "in EUR" in rendering.markdown
    origin = service.template_origin(version)
    assert origin is not None
    assert origin.name == "Northwind refunds"
    assert origin.where == "Team: Northwind Marketing"

    assert origin.number == 1

    # A teammate's new text of the template: the next policy records that version.
    updated = library.update(
        team.id,
        TemplateDraft(
            TemplateKind.POLICY,
            "Northwind refunds",
            TEAM_REFUNDS + "\nThank you.\n",
            extra={"policy_type": "refund"},
        ),
    )
    assert service.template_choices("refund")[1].number == 2
    second = service.latest(
        service.create_document("refund", jurisdictions=["eu"], template_id=updated.id)
    )
    assert second.template_version == library.history(team.id)[-1].seq
    assert second.template_version != version.template_version
    second_origin = service.template_origin(second)
    assert second_origin is not None
    assert second_origin.number == 2

    # The built-in template records no origin.
    built_in = service.latest(service.create_document("refund", jurisdictions=["eu"]))
    assert built_in.template_id is None
    assert service.template_origin(built_in) is None

    # A new draft from an approved version keeps where the text came from; Restore
    # template puts the library template's text back, not the bundled one.
    service.save_source(version.id, "# Changed\n")
    assert service.reset_source(version.id) == updated.body  # the template's current text


def test_a_hostile_library_template_is_refused_with_a_clear_message_and_nothing_created(
    service: PolicyService, library: TemplateService
) -> None:
    hostile = policy_template(library, "Sneaky", "# Refunds\n{{ ''.__class__.__mro__ }}\n")
    with pytest.raises(PolicyTemplateProblem) as caught:
        service.create_document("refund", jurisdictions=["eu"], template_id=hostile.id)
    message = caught.value.user_message
    assert "“Sneaky” cannot be used" in message
    assert "__class__" in message
    assert "unsafe" in message
    assert "Nothing was created" in message
    assert service.documents() == []


def test_a_template_with_an_undefined_variable_names_it(
    service: PolicyService, library: TemplateService
) -> None:
    typo = policy_template(
        library, "Typo", "# Refunds\nWithin {{ return_window_dayz }} days.\n", team=None
    )
    assert service.template_choices("refund")[1].where == "Personal"
    with pytest.raises(PolicyTemplateProblem) as caught:
        service.create_document("refund", jurisdictions=["eu"], template_id=typo.id)
    assert "return_window_dayz" in caught.value.user_message
    assert "is undefined" in caught.value.user_message
    assert service.documents() == []


def test_a_template_for_another_type_or_deleted_is_refused(
    service: PolicyService, library: TemplateService
) -> None:
    shipping = policy_template(library, "Our shipping", "# Shipping\n", policy_type="shipping")
    with pytest.raises(PolicyTemplateProblem, match="not a template for this type"):
        service.create_document("refund", template_id=shipping.id)
    gone = policy_template(library, "Old refunds", TEAM_REFUNDS)
    library.delete(gone.id)
    assert [c.name for c in service.template_choices("refund")] == ["Built-in"]
    with pytest.raises(PolicyTemplateProblem, match="no longer in the library"):
        service.create_document("refund", template_id=gone.id)
    assert service.documents() == []


def test_save_as_template_adds_a_policy_template_for_the_team_or_personal(
    service: PolicyService, library: TemplateService
) -> None:
    doc = service.create_document("refund", jurisdictions=["eu"])
    version = service.latest(doc)
    edited = version.source.replace("# Returns and refunds", "# Returns at Northwind")

    saved = service.save_as_template(version.id, "Northwind returns", TEAM, source=edited)
    assert saved.kind is TemplateKind.POLICY
    assert saved.team_id == TEAM
    assert saved.dirty
    assert saved.draft.extra["policy_type"] == "refund"
    assert saved.body.startswith("# Returns at Northwind")
    assert [t.name for t in service.template_teams()] == ["Northwind Marketing"]

    mine = service.save_as_template(version.id, "My returns")
    assert mine.team_id is None
    assert mine.body == version.source
    names = [c.name for c in service.template_choices("refund")]
    assert names == ["Built-in", "My returns", "Northwind returns"]

    with pytest.raises(ReadOnlyTemplate, match="Only editors and owners"):
        service.save_as_template(version.id, "Not allowed", VIEWERS)
    with pytest.raises(PolicyTemplateProblem, match="Give the template a name"):
        service.save_as_template(version.id, "  ")


def test_an_approved_versions_template_origin_is_frozen(
    service: PolicyService, library: TemplateService, db: Database
) -> None:
    team = policy_template(library, "Northwind refunds", TEAM_REFUNDS)
    doc = service.create_document(
        "refund",
        jurisdictions=["eu"],
        template_id=team.id,
        answers={"start_return": "Email us your order number."},
    )
    version = service.latest(doc)

    service.set_effective_date(version.id, date(2027, 3, 1))
    for item in service.checklist(version.id):
        service.set_checked(version.id, item.item_id, True, "Ben")
    service.submit(version.id, "Ana")
    service.approve(version.id, "Ben")
    with pytest.raises((sqlite3.DatabaseError, repo.FrozenVersion)), db.session() as conn:
        repo.update_version(conn, version.id, version.updated_at, template_version=99)
    with pytest.raises(repo.FrozenVersion):
        service.save_source(version.id, "# Changed\n")
    draft = service.edit(version.id, "Ana")
    assert draft.template_id == team.id
    assert draft.template_version == version.template_version


def test_a_library_template_that_loops_for_ever_is_stopped_and_refused(
    service: PolicyService, library: TemplateService
) -> None:
    loop = policy_template(
        library,
        "Endless",
        "{% for i in range(10000) %}{% for j in range(10000) %}{{ j }}{% endfor %}{% endfor %}",
    )
    with pytest.raises(PolicyTemplateProblem) as caught:
        service.create_document("refund", jurisdictions=["eu"], template_id=loop.id)
    assert "“Endless” cannot be used" in caught.value.user_message
    assert service.documents() == []
