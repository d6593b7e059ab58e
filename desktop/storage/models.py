"""The tables of the local database, as typed SQLAlchemy 2 models.

The schema itself is owned by the Alembic migrations in ``migrations/versions``; these
models must describe exactly what the migrations build (a test compares the two).

The app does not use these classes at run time: it reads and writes with the standard
library's ``sqlite3`` (see :mod:`desktop.storage.database`), storing each value the way
these column types store it on SQLite (:mod:`desktop.storage.values`). They serve Alembic
(``revision --autogenerate``, ``alembic check``) and the schema test, so importing this
module is fine in migrations and tests, never on the app's normal path.

Sync-ready rows (progress events, bookmarks, notes) carry a UUID ``id``, a nullable
``scope`` and ``server_version``, and dirtiness bookkeeping, so a later sync can push and
pull them without a schema rewrite. The full-text index is an FTS5 virtual table created
by raw SQL in the migration; it has no model here.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    DateTime,
    Dialect,
    Float,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

from desktop.storage.search_index import FTS_TABLE

NAMING_CONVENTION = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

# Tables that exist in the database but are not described by the models: the FTS5
# virtual table and the shadow tables SQLite creates for it. Alembic autogenerate must
# leave them alone.
UNMODELLED_TABLE_PREFIXES = (FTS_TABLE,)


class UtcDateTime(TypeDecorator[datetime]):
    """A timezone-aware UTC datetime. SQLite has no time zones, so the value is stored
    as naive UTC text and handed back with ``tzinfo=UTC``; naive input is refused
    because its zone is unknowable."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class MetaEntry(Base):
    """Small key/value facts about this database, e.g. ``device_id``."""

    __tablename__ = "meta"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class ProgressEventRow(Base):
    """One thing a learner did. Append-only: rows are inserted, never updated or deleted
    (only the sync bookkeeping columns ``server_version``/``synced`` may change).

    ``seq`` is the local order of arrival (device clocks are never trusted for order);
    ``id`` is the global identity used to merge event sets by union."""

    __tablename__ = "progress_events"
    __table_args__ = (
        UniqueConstraint("id"),
        CheckConstraint("seconds >= 0", name="seconds_not_negative"),
        # Everything about one course, in order: course progress, event export.
        Index("ix_progress_events_course_seq", "course_id", "seq"),
        # One lesson's events: completion checks after each view / attempt / tick.
        Index("ix_progress_events_lesson_seq", "course_id", "lesson_id", "seq"),
        # Attempts used for one question.
        Index("ix_progress_events_question", "course_id", "lesson_id", "question_id", "kind"),
        # Latest event of a kind: the resume point (overall) and recent activity.
        Index("ix_progress_events_kind_seq", "kind", "seq"),
        # Latest slide viewed in one course: the resume point of that course.
        Index("ix_progress_events_course_kind_seq", "course_id", "kind", "seq"),
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[uuid.UUID] = mapped_column(Uuid)
    kind: Mapped[str] = mapped_column(String(32))
    course_id: Mapped[str] = mapped_column(String(200))
    lesson_id: Mapped[str] = mapped_column(String(200))
    slide_id: Mapped[str | None] = mapped_column(String(200))
    question_id: Mapped[str | None] = mapped_column(String(200))
    correct: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[float] = mapped_column(Float, default=0.0)
    response: Mapped[str | None] = mapped_column(Text)  # JSON, when a response is kept
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)
    device_id: Mapped[str | None] = mapped_column(String(36))
    scope: Mapped[str | None] = mapped_column(String(200))
    server_version: Mapped[int | None] = mapped_column(Integer)
    synced: Mapped[bool] = mapped_column(Boolean, default=False)


class _Annotation:
    """Columns shared by bookmarks and notes: one row per (course, lesson, slide), whose
    ``id`` is a UUIDv5 of that natural key so two devices create the same row."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    course_id: Mapped[str] = mapped_column(String(200))
    lesson_id: Mapped[str] = mapped_column(String(200))
    slide_id: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)  # tombstone
    scope: Mapped[str | None] = mapped_column(String(200))
    server_version: Mapped[int | None] = mapped_column(Integer)
    # Bumped on every local change; the row is dirty while change_counter > synced_counter.
    change_counter: Mapped[int] = mapped_column(Integer, default=1)
    synced_counter: Mapped[int] = mapped_column(Integer, default=0)


class BookmarkRow(_Annotation, Base):
    __tablename__ = "bookmarks"
    __table_args__ = (
        UniqueConstraint("course_id", "lesson_id", "slide_id"),
        Index("ix_bookmarks_course_deleted_created", "course_id", "deleted", "created_at"),
    )


class NoteRow(_Annotation, Base):
    __tablename__ = "notes"
    __table_args__ = (
        UniqueConstraint("course_id", "lesson_id", "slide_id"),
        Index("ix_notes_course_deleted_updated", "course_id", "deleted", "updated_at"),
    )

    text: Mapped[str] = mapped_column(Text, default="")


class LibraryFolderRow(Base):
    """A course folder the user added to the library (kept across restarts)."""

    __tablename__ = "library_folders"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    path: Mapped[str] = mapped_column(Text, unique=True)
    added_at: Mapped[datetime] = mapped_column(UtcDateTime)


class SearchedCourseRow(Base):
    """A course present in the search index, with the fingerprint of the content that was
    indexed, so an unchanged course is not indexed again at every start."""

    __tablename__ = "search_courses"

    course_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    fingerprint: Mapped[str] = mapped_column(String(64))
    indexed_at: Mapped[datetime] = mapped_column(UtcDateTime)


# Each feature area declares its tables in its own module on the same Base; importing
# them here makes Base.metadata the whole schema.
from desktop.storage.schema import analytics, content, policies, sync  # noqa: E402, F401
