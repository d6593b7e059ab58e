"""Bookmarks and notes: one row per slide, deleted by tombstone so a sync can tell
"removed here" from "never existed here".

Every local change bumps the row's ``change_counter`` (the row is dirty for sync while it
is above ``synced_counter``); a change that changes nothing is not written at all.
"""

from __future__ import annotations

import sqlite3
import uuid
from datetime import datetime
from typing import NamedTuple

from desktop.storage.values import db_time, db_uuid, py_time


class BookmarkRecord(NamedTuple):
    course_id: str
    lesson_id: str
    slide_id: str
    created_at: datetime


class NoteRecord(NamedTuple):
    course_id: str
    lesson_id: str
    slide_id: str
    text: str
    updated_at: datetime


def toggle_bookmark(
    conn: sqlite3.Connection,
    id: uuid.UUID,
    course_id: str,
    lesson_id: str,
    slide_id: str,
    now: datetime,
) -> bool:
    """Flip the bookmark on that slide; returns whether it is bookmarked afterwards."""
    key, stamp = db_uuid(id), db_time(now)
    row = conn.execute("SELECT deleted FROM bookmarks WHERE id = ?", (key,)).fetchone()
    if row is None:
        conn.execute(
            "INSERT INTO bookmarks (id, course_id, lesson_id, slide_id, created_at, updated_at,"
            " deleted, change_counter, synced_counter) VALUES (?, ?, ?, ?, ?, ?, 0, 1, 0)",
            (key, course_id, lesson_id, slide_id, stamp, stamp),
        )
        return True
    if row[0]:  # bookmarked again: it is a new bookmark to the user
        conn.execute(
            "UPDATE bookmarks SET deleted = 0, created_at = ?, updated_at = ?,"
            " change_counter = change_counter + 1 WHERE id = ?",
            (stamp, stamp, key),
        )
        return True
    conn.execute(
        "UPDATE bookmarks SET deleted = 1, updated_at = ?,"
        " change_counter = change_counter + 1 WHERE id = ?",
        (stamp, key),
    )
    return False


def is_bookmarked(conn: sqlite3.Connection, id: uuid.UUID) -> bool:
    row = conn.execute("SELECT deleted FROM bookmarks WHERE id = ?", (db_uuid(id),)).fetchone()
    return row is not None and not row[0]


def bookmarks(conn: sqlite3.Connection, course_id: str) -> list[BookmarkRecord]:
    """Live bookmarks of a course, oldest first."""
    cursor = conn.execute(
        "SELECT course_id, lesson_id, slide_id, created_at FROM bookmarks"
        " WHERE course_id = ? AND deleted = 0 ORDER BY created_at, lesson_id, slide_id",
        (course_id,),
    )
    return [BookmarkRecord(c, lesson, s, py_time(at)) for c, lesson, s, at in cursor]


def set_note(
    conn: sqlite3.Connection,
    id: uuid.UUID,
    course_id: str,
    lesson_id: str,
    slide_id: str,
    text: str,
    now: datetime,
) -> None:
    """Store the note's text; empty text leaves a tombstone. Unchanged text is a no-op
    (so it does not become a change to sync)."""
    key, stamp = db_uuid(id), db_time(now)
    row = conn.execute("SELECT deleted, text FROM notes WHERE id = ?", (key,)).fetchone()
    if row is None:
        if text:
            conn.execute(
                "INSERT INTO notes (id, course_id, lesson_id, slide_id, text, created_at,"
                " updated_at, deleted, change_counter, synced_counter)"
                " VALUES (?, ?, ?, ?, ?, ?, ?, 0, 1, 0)",
                (key, course_id, lesson_id, slide_id, text, stamp, stamp),
            )
        return
    deleted, stored = bool(row[0]), row[1]
    if not text:
        if deleted:
            return
        # The private text itself goes; the tombstone stays for sync.
        conn.execute(
            "UPDATE notes SET deleted = 1, text = '', updated_at = ?,"
            " change_counter = change_counter + 1 WHERE id = ?",
            (stamp, key),
        )
        return
    if not deleted and stored == text:
        return
    conn.execute(
        "UPDATE notes SET deleted = 0, text = ?, updated_at = ?,"
        " created_at = CASE WHEN deleted THEN ? ELSE created_at END,"
        " change_counter = change_counter + 1 WHERE id = ?",
        (text, stamp, stamp, key),
    )


def note_text(conn: sqlite3.Connection, id: uuid.UUID) -> str:
    row = conn.execute(
        "SELECT text FROM notes WHERE id = ? AND deleted = 0", (db_uuid(id),)
    ).fetchone()
    return str(row[0]) if row is not None else ""


def notes(conn: sqlite3.Connection, course_id: str) -> list[NoteRecord]:
    """Live notes of a course, most recently edited first."""
    cursor = conn.execute(
        "SELECT course_id, lesson_id, slide_id, text, updated_at FROM notes"
        " WHERE course_id = ? AND deleted = 0 ORDER BY updated_at DESC, lesson_id, slide_id",
        (course_id,),
    )
    return [NoteRecord(c, lesson, s, text, py_time(at)) for c, lesson, s, text, at in cursor]
