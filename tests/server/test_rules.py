"""The pure rules: three-way merge, progress aggregates, scope checks."""

from __future__ import annotations

import uuid

from sync_server.rules.access import Role, Scope, can_manage_team, can_read, can_write, parse_scope
from sync_server.rules.merge import merge_fields, merge_text
from sync_server.rules.progress import ProgressFact, lesson_progress, union_events


def test_edits_on_different_lines_merge() -> None:
    assert merge_text("a\nb\nc\n", "A\nb\nc\n", "a\nb\nC\n").text == "A\nb\nC\n"


def test_edits_on_the_same_line_conflict_instead_of_interleaving() -> None:
    assert merge_text("a\nb\n", "a\nX\n", "a\nY\n").text is None


def test_identical_edits_and_one_sided_edits_merge() -> None:
    assert merge_text("a\n", "b\n", "b\n").text == "b\n"
    assert merge_text("a\n", "a\n", "c\n").text == "c\n"


def test_fields_merge_independently_and_a_conflict_keeps_ours() -> None:
    base = {"title": "T", "body": "x\n"}
    clean = merge_fields(base, {"title": "T2", "body": "x\n"}, {"title": "T", "body": "y\n"})
    assert clean.clean
    assert clean.fields == {"title": "T2", "body": "y\n"}
    dirty = merge_fields(base, {"title": "A", "body": "x\n"}, {"title": "B", "body": "x\n"})
    assert not dirty.clean
    assert dirty.conflicting_fields == ["title"]
    assert dirty.fields["title"] == "A"


def _fact(kind: str, score: float | None = None, seconds: int = 0, eid: str = "") -> ProgressFact:
    return ProgressFact(eid or str(uuid.uuid4()), "c", "l", kind, score, seconds)


def test_progress_aggregates_are_derived_never_last_writer_wins() -> None:
    events = [_fact("attempt", 90, 10), _fact("completion"), _fact("attempt", 30, 5)]
    (row,) = lesson_progress(events)
    assert (row.completed, row.best_score, row.total_seconds, row.attempts) == (True, 90, 15, 2)


def test_union_counts_a_replayed_event_once() -> None:
    one = _fact("attempt", 50, 10, eid="e1")
    assert len(union_events([one], [one, _fact("session", None, 5)])) == 2


def test_scope_rules() -> None:
    me, team, other = uuid.uuid4(), uuid.uuid4(), uuid.uuid4()
    roles = {team: Role.VIEWER}
    assert parse_scope(f"user:{me}") == Scope("user", me)
    assert parse_scope("team:nope") is None
    assert parse_scope("x:1") is None
    assert can_read(Scope("user", me), me, roles)
    assert can_write(Scope("user", me), me, roles)
    assert not can_read(Scope("user", other), me, roles)
    assert can_read(Scope("team", team), me, roles)
    assert not can_write(Scope("team", team), me, roles)
    assert can_write(Scope("team", team), me, {team: Role.EDITOR})
    assert not can_manage_team(team, {team: Role.EDITOR})
    assert can_manage_team(team, {team: Role.OWNER})
