"""Bookmarks and notes: one row per slide, deleted by tombstone so a sync can tell
"removed here" from "never existed here"."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from desktop.storage.models import BookmarkRow, NoteRow


def toggle_bookmark(
    session: Session,
    id: uuid.UUID,
    course_id: str,
    lesson_id: str,
    slide_id: str,
    now: datetime,
) -> bool:
    """Flip the bookmark on that slide; returns whether it is bookmarked afterwards."""
    row = session.get(BookmarkRow, id)
    if row is None:
        session.add(
            BookmarkRow(
                id=id,
                course_id=course_id,
                lesson_id=lesson_id,
                slide_id=slide_id,
                created_at=now,
                updated_at=now,
                deleted=False,
                change_counter=1,
                synced_counter=0,
            )
        )
        return True
    row.deleted = not row.deleted
    if not row.deleted:
        row.created_at = now  # bookmarked again: it is a new bookmark to the user
    row.updated_at = now
    row.change_counter += 1
    return not row.deleted


def is_bookmarked(session: Session, id: uuid.UUID) -> bool:
    deleted = session.scalar(select(BookmarkRow.deleted).where(BookmarkRow.id == id))
    return deleted is False


def bookmarks(session: Session, course_id: str) -> Sequence[BookmarkRow]:
    """Live bookmarks of a course, oldest first."""
    stmt = (
        select(BookmarkRow)
        .where(BookmarkRow.course_id == course_id, BookmarkRow.deleted.is_(False))
        .order_by(BookmarkRow.created_at, BookmarkRow.lesson_id, BookmarkRow.slide_id)
    )
    return session.scalars(stmt).all()


def set_note(
    session: Session,
    id: uuid.UUID,
    course_id: str,
    lesson_id: str,
    slide_id: str,
    text: str,
    now: datetime,
) -> None:
    """Store the note's text; empty text leaves a tombstone. Unchanged text is a no-op
    (so it does not become a change to sync)."""
    row = session.get(NoteRow, id)
    if row is None:
        if not text:
            return
        session.add(
            NoteRow(
                id=id,
                course_id=course_id,
                lesson_id=lesson_id,
                slide_id=slide_id,
                text=text,
                created_at=now,
                updated_at=now,
                deleted=False,
                change_counter=1,
                synced_counter=0,
            )
        )
        return
    if not text:
        if row.deleted:
            return
        row.deleted = True
        row.text = ""
    else:
        if not row.deleted and row.text == text:
            return
        if row.deleted:
            row.created_at = now
        row.deleted = False
        row.text = text
    row.updated_at = now
    row.change_counter += 1


def note_text(session: Session, id: uuid.UUID) -> str:
    stmt = select(NoteRow.text).where(NoteRow.id == id, NoteRow.deleted.is_(False))
    return session.scalar(stmt) or ""


def notes(session: Session, course_id: str) -> Sequence[NoteRow]:
    """Live notes of a course, most recently edited first."""
    stmt = (
        select(NoteRow)
        .where(NoteRow.course_id == course_id, NoteRow.deleted.is_(False))
        .order_by(NoteRow.updated_at.desc(), NoteRow.lesson_id, NoteRow.slide_id)
    )
    return session.scalars(stmt).all()
