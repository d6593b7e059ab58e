"""The template library's service: the API the Content and Policy studios use too."""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.domain.templates import (
    ConflictChoice,
    TemplateDraft,
    TemplateKind,
    TemplateProblem,
    draft_from_fields,
    export_json,
    import_json,
)
from desktop.domain.templates_diff import fields_diff, line_diff, side_by_side
from desktop.services.templates import ReadOnlyTemplate, TemplateService
from desktop.storage import sync as sync_repo
from desktop.storage.database import Database

TEAM = uuid.UUID("2f1c6a3e-0000-4000-8000-000000000009")


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "db.sqlite3")
    yield database
    database.close()


@pytest.fixture
def templates(db: Database) -> TemplateService:
    return TemplateService(db)


def role(db: Database, value: str) -> None:
    with db.session() as conn:
        sync_repo.replace_teams(conn, [sync_repo.TeamRecord(TEAM, "Growth", value)])


def content(name: str, body: str = "Write about {{ product }}.", **kw: object) -> TemplateDraft:
    return TemplateDraft(TemplateKind.CONTENT, name, body, **kw)  # type: ignore[arg-type]


def test_content_and_policy_templates_are_created_listed_and_found_by_kind_tag_and_words(
    templates: TemplateService,
) -> None:
    templates.create(content("Launch email", tags=("Email", "launch")))
    templates.create(TemplateDraft(TemplateKind.POLICY, "Refunds", "Refunds within 30 days."))
    templates.create(
        content("Ad", extra={"channel": "linkedin", "tone": "warm"}, description="short ads")
    )
    assert [t.name for t in templates.list()] == ["Ad", "Launch email", "Refunds"]
    assert [t.name for t in templates.list(TemplateKind.POLICY)] == ["Refunds"]
    assert [t.name for t in templates.list(tag="email")] == ["Launch email"]
    assert [t.name for t in templates.list(query="30 days")] == ["Refunds"]
    assert [t.name for t in templates.list(query="short")] == ["Ad"]
    ad = templates.list(query="Ad")[0]
    assert dict(ad.draft.extra) == {"channel": "linkedin", "tone": "warm"}
    assert templates.tags() == ["email", "launch"]


def test_a_draft_with_problems_is_refused_with_what_to_fix(templates: TemplateService) -> None:
    with pytest.raises(TemplateProblem, match="Give the template a name"):
        templates.create(content("   "))
    with pytest.raises(TemplateProblem, match="Extra field"):
        templates.create(content("x", extra={"Bad Name": "v"}))


def test_every_save_is_a_version_unchanged_saves_are_not_and_restore_adds_one(
    templates: TemplateService,
) -> None:
    t = templates.create(content("Welcome", "one\n"))
    templates.update(t.id, content("Welcome", "two\n"))
    templates.update(t.id, content("Welcome", "two\n"))  # no change: no version
    history = templates.history(t.id)
    assert [v.draft.body for v in history if v.draft] == ["one\n", "two\n"]
    restored = templates.restore(t.id, history[0].seq)
    assert restored.body == "one\n"
    assert len(templates.history(t.id)) == 3


def test_duplicate_delete_and_undo(templates: TemplateService) -> None:
    t = templates.create(content("Cold email", tags=("sales",)))
    copy = templates.duplicate(t.id)
    assert copy.name == "Cold email (copy)"
    assert copy.tags == ("sales",)
    templates.delete(t.id)
    assert [x.name for x in templates.list()] == ["Cold email (copy)"]
    templates.undelete(t.id)
    assert len(templates.list()) == 2


def test_a_viewer_cannot_change_team_templates_and_is_told_why(
    db: Database, templates: TemplateService
) -> None:
    role(db, "editor")
    t = templates.create(content("Team voice"), TEAM)
    assert templates.editability(t).can_edit
    role(db, "viewer")
    verdict = templates.editability(t)
    assert not verdict.can_edit
    assert "viewer in Growth" in verdict.reason
    with pytest.raises(ReadOnlyTemplate):
        templates.update(t.id, content("Team voice", "changed"))
    with pytest.raises(ReadOnlyTemplate):
        templates.create(content("New one"), TEAM)
    assert templates.duplicate(t.id).team_id is None  # a personal copy is always possible


def test_resolving_a_conflict_keeps_the_choice_and_drops_nothing_before(
    db: Database, templates: TemplateService
) -> None:
    from datetime import UTC, datetime

    from desktop.storage import templates as template_repo

    role(db, "editor")
    t = templates.create(content("Pricing", "team text\n"), TEAM)
    for choice, expected in (
        (ConflictChoice.KEEP_THEIRS, "team text\n"),
        (ConflictChoice.KEEP_MINE, "my text\n"),
        (ConflictChoice.MERGED, "merged text\n"),
    ):
        cid = uuid.uuid4()
        with db.session() as conn:
            template_repo.add_conflict(
                conn,
                cid,
                t.id,
                base_version=1,
                head_version=2,
                mine=content("Pricing", "my text\n").fields(),
                theirs=content("Pricing", "team text\n").fields(),
                conflicting_fields=["body"],
                now=datetime.now(UTC),
            )
        templates.update(t.id, content("Pricing", "team text\n"))
        assert templates.get(t.id).conflicted  # type: ignore[union-attr]
        merged = content("Pricing", "merged text\n") if choice is ConflictChoice.MERGED else None
        after = templates.resolve(cid, choice, merged)
        assert after.body == expected
        assert not after.conflicted
    with pytest.raises(TemplateProblem, match="already resolved"):
        templates.resolve(cid, ConflictChoice.KEEP_MINE)


def test_export_and_import_round_trip_and_bad_files_say_what_is_wrong(
    templates: TemplateService, tmp_path: Path
) -> None:
    t = templates.create(content("Ad", extra={"channel": "x"}, tags=("ads",)))
    path = templates.export_to(t.id, tmp_path / "ad")
    assert path.name == "ad.playbook-template.json"
    data = json.loads(path.read_text())
    assert data["format"] == "playbook-template"
    again = templates.import_from(path)
    assert again.name == "Ad (imported)"
    assert again.draft.extra == t.draft.extra
    newer = tmp_path / "newer.json"
    newer.write_text(json.dumps({**data, "version": 99}))
    with pytest.raises(TemplateProblem, match="newer Playbook"):
        templates.import_from(newer)
    with pytest.raises(TemplateProblem, match="must be “content” or “policy”"):
        import_json(json.dumps({**data, "kind": "slides"}))
    assert import_json(export_json(t.draft)) == t.draft


def test_fields_travel_to_the_server_and_back_unchanged() -> None:
    draft = content("Ad", tags=("b", "a"), extra={"channel": "linkedin"}, description="d").checked()
    fields = draft.fields()
    assert fields["tags"] == "a\nb"  # one per line: two people adding tags merge cleanly
    assert fields["x_channel"] == "linkedin"
    assert draft_from_fields(fields) == draft
    assert draft_from_fields({**fields, "kind": "from-a-newer-app"}) is None


def test_diffs_are_line_based_and_mark_the_changed_words() -> None:
    lines = line_diff("a\nb\nc\n", "a\nB\nc\nd\n")
    assert [(d.kind, d.text) for d in lines] == [
        ("same", "a"),
        ("removed", "b"),
        ("added", "B"),
        ("same", "c"),
        ("added", "d"),
    ]
    (row,) = side_by_side("Refunds within 30 days.", "Refunds within 7 days.")
    assert row.kind == "changed"
    assert [s.text for s in row.left or () if s.changed] == ["30 "]
    assert [s.text for s in row.right or () if s.changed] == ["7 "]
    assert list(fields_diff({"name": "a", "body": "x"}, {"name": "a", "body": "y"})) == ["body"]


def test_an_edit_made_while_a_sync_brought_a_new_team_text_becomes_a_conflict(
    db: Database, templates: TemplateService
) -> None:
    role(db, "editor")
    t = templates.create(content("Pricing", "v1\n"), TEAM)
    shown = t.draft  # what the editor was filled from
    # A sync lands the team's newer text while the user types.
    with db.session() as conn:
        conn.execute(
            "UPDATE templates SET body = 'team v2\n', server_version = 2,"
            " synced_counter = change_counter WHERE id = ?",
            (t.id.hex,),
        )
    after = templates.update(t.id, content("Pricing", "my edit\n"), based_on=shown)
    assert after.body == "team v2\n"
    assert after.conflicted
    (conflict,) = templates.conflicts(t.id)
    assert conflict.mine.body == "my edit\n"
    assert conflict.theirs.body == "team v2\n"
    # Editing on top of what is shown now is a plain save.
    saved = templates.update(t.id, content("Pricing", "fine\n"), based_on=after.draft)
    assert saved.body == "fine\n"
