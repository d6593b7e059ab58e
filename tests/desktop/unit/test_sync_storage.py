"""Applying pulled pages and push answers to the local database (no network here: the
pages are what the server sends, built from the protocol's own models)."""

from __future__ import annotations

import sqlite3
import uuid
from collections.abc import Iterator
from datetime import UTC, datetime
from pathlib import Path

import pytest

from desktop.domain.progress import EventKind, ProgressEvent
from desktop.services.annotations import AnnotationService, annotation_id
from desktop.services.progress import ProgressService
from desktop.storage import sync as repo
from desktop.storage.database import Database
from sync_server import protocol as p

USER = uuid.UUID("11111111-2222-4333-8444-555555555555")
SCOPE = f"user:{USER}"
NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "db.sqlite3")
    yield database
    database.close()


def event_change(seq: int, event_id: uuid.UUID, slide: str = "s1") -> p.Change:
    return p.Change(
        scope=SCOPE,
        sequence=seq,
        kind="progress_event",
        entity_id=event_id,
        data={
            "event_id": str(event_id),
            "course_id": "c",
            "lesson_id": "l",
            "type": "session",
            "score": None,
            "seconds": 0,
            "occurred_at": "2026-11-25T10:00:00.000001+00:00",
            "detail": {"kind": "slide_viewed", "slide_id": slide},
        },
    )


def note_change(seq: int, text: str) -> p.Change:
    rid = annotation_id("note", "c", "l", "s1")
    return p.Change(
        scope=SCOPE,
        sequence=seq,
        kind="record",
        entity_id=rid,
        data={
            "record_id": str(rid),
            "collection": "note",
            "deleted": False,
            "data": {"course_id": "c", "lesson_id": "l", "slide_id": "s1", "text": text},
        },
    )


def page(*changes: p.Change, cursor: int) -> p.PullResponse:
    return p.PullResponse(
        changes=list(changes), cursors={SCOPE: cursor}, more=False, resync_required=[]
    )


def test_a_pulled_page_rebuilds_events_exactly_and_applying_it_twice_changes_nothing(
    db: Database,
) -> None:
    ids = [uuid.uuid4(), uuid.uuid4()]
    pulled = page(event_change(1, ids[0], "s1"), event_change(2, ids[1], "s2"), cursor=2)
    for _ in range(2):
        with db.session() as conn:
            repo.apply_page(conn, pulled, USER, NOW)
    events = ProgressService(db).events()
    assert [(e.id, e.kind, e.slide_id) for e in events] == [
        (ids[0], EventKind.SLIDE_VIEWED, "s1"),
        (ids[1], EventKind.SLIDE_VIEWED, "s2"),
    ]
    assert events[0].occurred_at == datetime(2026, 11, 25, 10, 0, 0, 1, tzinfo=UTC)
    with db.read_session() as conn:
        assert repo.cursors(conn) == {SCOPE: 2}
        assert repo.pending_count(conn) == 0


def test_a_page_that_fails_half_way_leaves_no_rows_and_no_cursor_behind(db: Database) -> None:
    broken = p.Change(
        scope="team:not-a-uuid",
        sequence=3,
        kind="template",
        entity_id=uuid.uuid4(),
        data={"template_id": "x", "version": 1, "fields": {"name": "x"}, "deleted": False},
    )
    with pytest.raises(ValueError, match="badly formed"), db.session() as conn:
        repo.apply_page(conn, page(event_change(1, uuid.uuid4()), broken, cursor=3), USER, NOW)
    assert ProgressService(db).events() == []
    with db.read_session() as conn:
        assert repo.cursors(conn) == {}


def test_a_local_note_not_yet_pushed_is_not_overwritten_by_an_older_server_copy(
    db: Database,
) -> None:
    notes = AnnotationService(db)
    with db.session() as conn:
        repo.apply_page(conn, page(note_change(1, "from the server"), cursor=1), USER, NOW)
    assert notes.note("c", "l", "s1") == "from the server"
    notes.set_note("c", "l", "s1", "typed here, offline")
    with db.session() as conn:
        repo.apply_page(
            conn, page(note_change(2, "someone else's later edit"), cursor=2), USER, NOW
        )
    assert notes.note("c", "l", "s1") == "typed here, offline"  # waits in the outbox
    with db.session() as conn:
        added = repo.fill_outbox(conn, USER, [], NOW)
        (entry,) = repo.outbox_batch(conn, [SCOPE])
    assert added == 1
    assert entry.payload["data"]["text"] == "typed here, offline"


def test_the_outbox_keeps_a_mutation_id_until_the_server_answers(db: Database) -> None:
    ProgressService(db).import_events([ProgressEvent.new(EventKind.LESSON_OPENED, "c", "l")])
    with db.session() as conn:
        repo.fill_outbox(conn, USER, [], NOW)
        first = repo.outbox_batch(conn, [SCOPE])
        repo.fill_outbox(conn, USER, [], NOW)  # a retry after a lost answer
        again = repo.outbox_batch(conn, [SCOPE])
    assert [e.mutation_id for e in first] == [e.mutation_id for e in again]
    result = p.MutationResult(mutation_id=first[0].mutation_id, status="applied", sequence=7)
    with db.session() as conn:
        repo.ack(conn, first, [result], NOW)
        assert repo.pending_count(conn) == 0
        assert repo.outbox_batch(conn, [SCOPE]) == []


def test_refused_mutations_stop_being_retried_and_are_counted_for_the_user(db: Database) -> None:
    ProgressService(db).import_events([ProgressEvent.new(EventKind.LESSON_OPENED, "c", "l")])
    with db.session() as conn:
        repo.fill_outbox(conn, USER, [], NOW)
    for _ in range(repo.MAX_ATTEMPTS):
        with db.session() as conn:
            (entry,) = repo.outbox_batch(conn, [SCOPE])
            error = p.ErrorBody(code="invalid", message="That event is not valid.")
            refused = p.MutationResult(
                mutation_id=entry.mutation_id, status="rejected", error=error
            )
            report = repo.ack(conn, [entry], [refused], NOW)
        assert report.rejected == ["That event is not valid."]
    with db.read_session() as conn:
        assert repo.outbox_batch(conn, [SCOPE]) == []
        assert repo.refused(conn) == 1
        assert repo.pending_count(conn) == 1  # still here, never dropped


def test_sqlite_is_used_through_plain_parametrised_sql(db: Database) -> None:
    with db.session() as conn:
        assert isinstance(conn, sqlite3.Connection)
        repo.set_state(conn, "email", "a'; DROP TABLE templates; --")
        assert repo.get_state(conn, "email") == "a'; DROP TABLE templates; --"
        conn.execute("SELECT count(*) FROM templates").fetchone()
