"""Bookmarks and private notes, one of each per slide.

A slide's bookmark (and note) has an id derived from its natural key (course, lesson,
slide) with UUIDv5, so two devices that bookmark the same slide create the *same* row
and a later sync merges them instead of duplicating them.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from desktop.domain.digests import uuid5
from desktop.storage import annotations as repo
from desktop.storage.database import Database

# Fixed forever: changing it would change every bookmark's and note's id.
ANNOTATION_NAMESPACE = uuid.UUID("7c6f3a52-1f0e-5d4b-9a43-2b1d3c9e8f10")


def annotation_id(kind: str, course_id: str, lesson_id: str, slide_id: str) -> uuid.UUID:
    """The stable id of the ``kind`` ("bookmark" or "note") annotation on a slide."""
    # uuid.uuid5 would import hashlib and with it OpenSSL (desktop.domain.digests).
    return uuid5(ANNOTATION_NAMESPACE, "\x1f".join((kind, course_id, lesson_id, slide_id)))


@dataclass(frozen=True, slots=True)
class Bookmark:
    course_id: str
    lesson_id: str
    slide_id: str
    created_at: datetime


@dataclass(frozen=True, slots=True)
class Note:
    course_id: str
    lesson_id: str
    slide_id: str
    text: str
    updated_at: datetime


class AnnotationService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def toggle_bookmark(self, course_id: str, lesson_id: str, slide_id: str) -> bool:
        """Bookmark the slide, or remove its bookmark. Returns the new state."""
        id = annotation_id("bookmark", course_id, lesson_id, slide_id)
        with self._db.session() as conn:
            return repo.toggle_bookmark(conn, id, course_id, lesson_id, slide_id, datetime.now(UTC))

    def is_bookmarked(self, course_id: str, lesson_id: str, slide_id: str) -> bool:
        id = annotation_id("bookmark", course_id, lesson_id, slide_id)
        with self._db.read_session() as conn:
            return repo.is_bookmarked(conn, id)

    def bookmarks(self, course_id: str) -> list[Bookmark]:
        """The course's bookmarks, oldest first."""
        with self._db.read_session() as conn:
            rows = repo.bookmarks(conn, course_id)
        return [Bookmark(r.course_id, r.lesson_id, r.slide_id, r.created_at) for r in rows]

    def set_note(self, course_id: str, lesson_id: str, slide_id: str, text: str) -> None:
        """Save the slide's note. Text that is empty (or only whitespace) deletes it."""
        id = annotation_id("note", course_id, lesson_id, slide_id)
        clean = text if text.strip() else ""
        with self._db.session() as conn:
            repo.set_note(conn, id, course_id, lesson_id, slide_id, clean, datetime.now(UTC))

    def note(self, course_id: str, lesson_id: str, slide_id: str) -> str:
        """The slide's note, or "" when it has none."""
        id = annotation_id("note", course_id, lesson_id, slide_id)
        with self._db.read_session() as conn:
            return repo.note_text(conn, id)

    def notes(self, course_id: str) -> list[Note]:
        """The course's notes, most recently edited first."""
        with self._db.read_session() as conn:
            rows = repo.notes(conn, course_id)
        return [Note(r.course_id, r.lesson_id, r.slide_id, r.text, r.updated_at) for r in rows]
