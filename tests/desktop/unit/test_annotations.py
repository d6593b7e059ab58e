"""Bookmarks and private notes per slide."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from desktop.services.annotations import AnnotationService, annotation_id
from desktop.storage.database import Database


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "playbook.sqlite3")
    yield database
    database.close()


@dataclass(frozen=True)
class Row:
    """A bookmark or note row as stored, with its sync bookkeeping."""

    id: uuid.UUID
    deleted: bool
    change_counter: int
    synced_counter: int
    text: str | None = None


def stored_row(db: Database, table: str, course: str, lesson: str, slide: str) -> Row | None:
    text = "text" if table == "notes" else "NULL"
    with db.read_session() as conn:
        found = conn.execute(
            f"SELECT id, deleted, change_counter, synced_counter, {text} FROM {table}"
            " WHERE course_id = ? AND lesson_id = ? AND slide_id = ?",
            (course, lesson, slide),
        ).fetchone()
    if found is None:
        return None
    id, deleted, change_counter, synced_counter, note_text = found
    return Row(uuid.UUID(hex=id), bool(deleted), change_counter, synced_counter, note_text)


def bookmark_row(db: Database, course: str, lesson: str, slide: str) -> Row | None:
    return stored_row(db, "bookmarks", course, lesson, slide)


def note_row(db: Database, course: str, lesson: str, slide: str) -> Row | None:
    return stored_row(db, "notes", course, lesson, slide)


# -- bookmarks ---------------------------------------------------------------------------------


def test_toggling_a_bookmark_turns_it_on_and_off(db: Database) -> None:
    annotations = AnnotationService(db)
    assert not annotations.is_bookmarked("c1", "l1", "s1")

    assert annotations.toggle_bookmark("c1", "l1", "s1") is True
    assert annotations.is_bookmarked("c1", "l1", "s1")
    assert annotations.toggle_bookmark("c1", "l1", "s1") is False
    assert not annotations.is_bookmarked("c1", "l1", "s1")
    assert annotations.bookmarks("c1") == []
    assert annotations.toggle_bookmark("c1", "l1", "s1") is True
    assert [(b.lesson_id, b.slide_id) for b in annotations.bookmarks("c1")] == [("l1", "s1")]


def test_a_removed_bookmark_stays_as_a_tombstone_for_sync(db: Database) -> None:
    annotations = AnnotationService(db)
    annotations.toggle_bookmark("c1", "l1", "s1")
    annotations.toggle_bookmark("c1", "l1", "s1")

    row = bookmark_row(db, "c1", "l1", "s1")

    assert row is not None
    assert row.deleted
    assert row.change_counter == 2  # created, then removed: two changes to push
    assert row.synced_counter == 0
    assert row.id == annotation_id("bookmark", "c1", "l1", "s1")


def test_bookmarks_are_listed_per_course_oldest_first(db: Database) -> None:
    annotations = AnnotationService(db)
    annotations.toggle_bookmark("c1", "l2", "s9")
    annotations.toggle_bookmark("c2", "l1", "s1")
    annotations.toggle_bookmark("c1", "l1", "s1")

    listed = annotations.bookmarks("c1")

    assert [(b.course_id, b.lesson_id, b.slide_id) for b in listed] == [
        ("c1", "l2", "s9"),
        ("c1", "l1", "s1"),
    ]
    assert listed[0].created_at <= listed[1].created_at
    assert listed[0].created_at.tzinfo is not None


def test_two_devices_bookmarking_the_same_slide_create_the_same_row(tmp_path: Path) -> None:
    with Database.open(tmp_path / "laptop.sqlite3") as laptop:
        AnnotationService(laptop).toggle_bookmark("c1", "l1", "s1")
        on_laptop = bookmark_row(laptop, "c1", "l1", "s1")
    with Database.open(tmp_path / "desktop.sqlite3") as desktop:
        AnnotationService(desktop).toggle_bookmark("c1", "l1", "s1")
        on_desktop = bookmark_row(desktop, "c1", "l1", "s1")

    assert on_laptop is not None
    assert on_desktop is not None
    assert on_laptop.id == on_desktop.id
    assert annotation_id("bookmark", "c1", "l1", "s1") != annotation_id("note", "c1", "l1", "s1")
    assert annotation_id("bookmark", "c1", "l1", "s1") != annotation_id(
        "bookmark", "c1", "l1", "s2"
    )


# -- notes --------------------------------------------------------------------------------------


def test_a_note_is_saved_read_back_and_edited(db: Database) -> None:
    annotations = AnnotationService(db)
    assert annotations.note("c1", "l1", "s1") == ""

    annotations.set_note("c1", "l1", "s1", "Ask the client about budget")
    annotations.set_note("c1", "l1", "s1", "Ask about budget and timing — «urgent» 🚀")

    assert annotations.note("c1", "l1", "s1") == "Ask about budget and timing — «urgent» 🚀"
    (note,) = annotations.notes("c1")
    assert (note.lesson_id, note.slide_id) == ("l1", "s1")
    assert note.text == "Ask about budget and timing — «urgent» 🚀"


def test_emptying_a_note_deletes_it_but_keeps_a_tombstone(db: Database) -> None:
    annotations = AnnotationService(db)
    annotations.set_note("c1", "l1", "s1", "private thought")

    annotations.set_note("c1", "l1", "s1", "   \n ")

    assert annotations.note("c1", "l1", "s1") == ""
    assert annotations.notes("c1") == []
    row = note_row(db, "c1", "l1", "s1")
    assert row is not None
    assert row.deleted
    assert row.text == ""  # the private text itself is gone
    assert row.change_counter == 2


def test_saving_an_unchanged_note_is_not_a_change(db: Database) -> None:
    annotations = AnnotationService(db)
    annotations.set_note("c1", "l1", "s1", "same")
    annotations.set_note("c1", "l1", "s1", "same")
    annotations.set_note("c1", "l1", "s2", "")  # never existed: nothing to delete

    row = note_row(db, "c1", "l1", "s1")
    assert row is not None
    assert row.change_counter == 1
    assert note_row(db, "c1", "l1", "s2") is None


def test_notes_are_listed_per_course_most_recently_edited_first(db: Database) -> None:
    annotations = AnnotationService(db)
    annotations.set_note("c1", "l1", "s1", "first")
    annotations.set_note("c1", "l1", "s2", "second")
    annotations.set_note("c2", "l1", "s1", "other course")
    annotations.set_note("c1", "l1", "s1", "first, edited")

    assert [n.text for n in annotations.notes("c1")] == ["first, edited", "second"]
    assert [n.text for n in annotations.notes("c2")] == ["other course"]


def test_a_deleted_note_can_be_written_again(db: Database) -> None:
    annotations = AnnotationService(db)
    annotations.set_note("c1", "l1", "s1", "one")
    annotations.set_note("c1", "l1", "s1", "")
    annotations.set_note("c1", "l1", "s1", "two")

    assert annotations.note("c1", "l1", "s1") == "two"
    row = note_row(db, "c1", "l1", "s1")
    assert row is not None
    assert not row.deleted
    assert row.change_counter == 3
