"""Initial schema: meta, progress events, bookmarks, notes, library folders, search.

Revision ID: 0001
Revises:
Create Date: 2025-11-25

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0001"
down_revision: str | Sequence[str] | None = None
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def _annotation_columns() -> list[sa.Column[object]]:
    return [
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("slide_id", sa.String(length=200), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("scope", sa.String(length=200), nullable=True),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("change_counter", sa.Integer(), nullable=False),
        sa.Column("synced_counter", sa.Integer(), nullable=False),
    ]


def upgrade() -> None:
    op.create_table(
        "meta",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_meta")),
    )

    op.create_table(
        "progress_events",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("slide_id", sa.String(length=200), nullable=True),
        sa.Column("question_id", sa.String(length=200), nullable=True),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("response", sa.Text(), nullable=True),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.Column("device_id", sa.String(length=36), nullable=True),
        sa.Column("scope", sa.String(length=200), nullable=True),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("synced", sa.Boolean(), nullable=False),
        sa.CheckConstraint("seconds >= 0", name=op.f("ck_progress_events_seconds_not_negative")),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_progress_events")),
        sa.UniqueConstraint("id", name=op.f("uq_progress_events_id")),
    )
    for name, columns in (
        ("ix_progress_events_course_seq", ["course_id", "seq"]),
        ("ix_progress_events_lesson_seq", ["course_id", "lesson_id", "seq"]),
        ("ix_progress_events_question", ["course_id", "lesson_id", "question_id", "kind"]),
        ("ix_progress_events_kind_seq", ["kind", "seq"]),
        ("ix_progress_events_course_kind_seq", ["course_id", "kind", "seq"]),
    ):
        op.create_index(name, "progress_events", columns)
    # Append-only, enforced by the database: what happened cannot be rewritten or erased.
    # Only the sync bookkeeping (scope, server_version, synced) may change later.
    op.execute(
        """
        CREATE TRIGGER progress_events_no_delete BEFORE DELETE ON progress_events
        BEGIN SELECT RAISE(ABORT, 'progress events are append-only'); END
        """
    )
    op.execute(
        """
        CREATE TRIGGER progress_events_no_update BEFORE UPDATE OF
            seq, id, kind, course_id, lesson_id, slide_id, question_id, correct, score,
            seconds, response, occurred_at, device_id
        ON progress_events
        BEGIN SELECT RAISE(ABORT, 'progress events are append-only'); END
        """
    )

    op.create_table(
        "bookmarks",
        *_annotation_columns(),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_bookmarks")),
        sa.UniqueConstraint(
            "course_id",
            "lesson_id",
            "slide_id",
            name=op.f("uq_bookmarks_course_id_lesson_id_slide_id"),
        ),
    )
    op.create_index(
        "ix_bookmarks_course_deleted_created", "bookmarks", ["course_id", "deleted", "created_at"]
    )

    op.create_table(
        "notes",
        *_annotation_columns(),
        sa.Column("text", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_notes")),
        sa.UniqueConstraint(
            "course_id", "lesson_id", "slide_id", name=op.f("uq_notes_course_id_lesson_id_slide_id")
        ),
    )
    op.create_index(
        "ix_notes_course_deleted_updated", "notes", ["course_id", "deleted", "updated_at"]
    )

    op.create_table(
        "library_folders",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("path", sa.Text(), nullable=False),
        sa.Column("added_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_library_folders")),
        sa.UniqueConstraint("path", name=op.f("uq_library_folders_path")),
    )

    op.create_table(
        "search_courses",
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("fingerprint", sa.String(length=64), nullable=False),
        sa.Column("indexed_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("course_id", name=op.f("pk_search_courses")),
    )

    # Full-text search over every slide of every course. The ids are stored, not indexed;
    # titles and body are indexed with diacritics folded ("cafe" finds "café"); the prefix
    # indexes keep search-as-you-type ("bran" -> "brand") fast.
    op.execute(
        """
        CREATE VIRTUAL TABLE search_index USING fts5(
            course_id UNINDEXED,
            lesson_id UNINDEXED,
            slide_id UNINDEXED,
            course_title,
            lesson_title,
            slide_title,
            body,
            tokenize = 'unicode61 remove_diacritics 2',
            prefix = '1 2 3'
        )
        """
    )


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS search_index")
    op.drop_table("search_courses")
    op.drop_table("library_folders")
    op.drop_index("ix_notes_course_deleted_updated", table_name="notes")
    op.drop_table("notes")
    op.drop_index("ix_bookmarks_course_deleted_created", table_name="bookmarks")
    op.drop_table("bookmarks")
    op.execute("DROP TRIGGER IF EXISTS progress_events_no_update")
    op.execute("DROP TRIGGER IF EXISTS progress_events_no_delete")
    op.drop_table("progress_events")
    op.drop_table("meta")
