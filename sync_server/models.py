"""Database tables. Only the repositories (``*_repo``/service modules) query them."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import (
    BigInteger,
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)


def _now() -> Mapped[datetime]:
    return mapped_column(DateTime(timezone=True), server_default=func.now())


class User(Base):
    __tablename__ = "users"
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    email: Mapped[str] = mapped_column(String(320), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    password_hash: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = _now()


class Device(Base):
    __tablename__ = "devices"
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = _now()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class TokenFamily(Base):
    """One login session of one device; every rotated refresh token belongs to it."""

    __tablename__ = "token_families"
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    device_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("devices.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = _now()
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    revoked_reason: Mapped[str | None] = mapped_column(String(50))


class RefreshToken(Base):
    __tablename__ = "refresh_tokens"
    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    family_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("token_families.id", ondelete="CASCADE"), index=True
    )
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    created_at: Mapped[datetime] = _now()


class Team(Base):
    __tablename__ = "teams"
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    created_at: Mapped[datetime] = _now()


class Membership(Base):
    __tablename__ = "memberships"
    team_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    role: Mapped[str] = mapped_column(String(10))
    created_at: Mapped[datetime] = _now()


class Invitation(Base):
    __tablename__ = "invitations"
    code_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("teams.id", ondelete="CASCADE"))
    role: Mapped[str] = mapped_column(String(10))
    created_by: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True))
    used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    used_by: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))


class SyncScope(Base):
    """One row per scope: its lock (``SELECT ... FOR UPDATE``) and its sequence counter.

    ``pruned_through``: the highest sequence removed by retention; a cursor below it must
    resync.
    """

    __tablename__ = "sync_scopes"
    key: Mapped[str] = mapped_column(String(41), primary_key=True)
    last_sequence: Mapped[int] = mapped_column(BigInteger, default=0)
    pruned_through: Mapped[int] = mapped_column(BigInteger, default=0)


class ChangeEntry(Base):
    """The change log that pull reads, in per-scope sequence order."""

    __tablename__ = "changes"
    scope: Mapped[str] = mapped_column(
        ForeignKey("sync_scopes.key", ondelete="CASCADE"), primary_key=True
    )
    sequence: Mapped[int] = mapped_column(BigInteger, primary_key=True)
    kind: Mapped[str] = mapped_column(String(20))
    entity_id: Mapped[uuid.UUID] = mapped_column(UUID)
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    tombstone: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = _now()

    __table_args__ = (Index("ix_changes_scope_entity", "scope", "entity_id", "sequence"),)


class AppliedMutation(Base):
    """The stored result of every applied mutation, replayed on a retry."""

    __tablename__ = "applied_mutations"
    device_id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    mutation_id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    result: Mapped[dict[str, Any]] = mapped_column(JSONB)
    created_at: Mapped[datetime] = _now()


class ProgressEvent(Base):
    __tablename__ = "progress_events"
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    device_id: Mapped[uuid.UUID] = mapped_column(UUID)
    course_id: Mapped[str] = mapped_column(String(200))
    lesson_id: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(20))
    score: Mapped[float | None] = mapped_column(Float)
    seconds: Mapped[int] = mapped_column(Integer)
    occurred_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    received_at: Mapped[datetime] = _now()

    # Analytics and progress read a member's events, often for one course (migration 0002).
    __table_args__ = (Index("ix_progress_events_user_course", "user_id", "course_id"),)


class QuizAnswer(Base):
    """A quiz attempt that names its question, for analytics: written by the push with
    its event, from the event's ``detail`` (``sync._quiz_answer``)."""

    __tablename__ = "quiz_answers"
    event_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("progress_events.id", ondelete="CASCADE"), primary_key=True
    )
    user_id: Mapped[uuid.UUID] = mapped_column(UUID)
    course_id: Mapped[str] = mapped_column(String(200))
    lesson_id: Mapped[str] = mapped_column(String(200))
    question_id: Mapped[str] = mapped_column(String(200))
    correct: Mapped[bool | None] = mapped_column(Boolean)
    score: Mapped[float | None] = mapped_column(Float)
    at: Mapped[datetime] = mapped_column(DateTime(timezone=True))

    __table_args__ = (Index("ix_quiz_answers_user_course", "user_id", "course_id"),)


class Record(Base):
    """Bookmarks and notes: the latest state by server arrival; ``deleted`` is a tombstone."""

    __tablename__ = "records"
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    collection: Mapped[str] = mapped_column(String(20))
    data: Mapped[dict[str, Any]] = mapped_column(JSONB)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    updated_at: Mapped[datetime] = _now()


class Template(Base):
    __tablename__ = "templates"
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    team_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("teams.id", ondelete="CASCADE"), index=True
    )
    head_version: Mapped[int] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class TemplateRevision(Base):
    """Append-only: merge base, audit trail and restore source."""

    __tablename__ = "template_revisions"
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), primary_key=True
    )
    version: Mapped[int] = mapped_column(Integer, primary_key=True)
    fields: Mapped[dict[str, str]] = mapped_column(JSONB)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    device_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
    restored_from: Mapped[int | None] = mapped_column(Integer)
    created_at: Mapped[datetime] = _now()


class ConflictCopy(Base):
    """A device's text that did not merge cleanly, kept next to the template's head."""

    __tablename__ = "template_conflicts"
    id: Mapped[uuid.UUID] = mapped_column(UUID, primary_key=True)
    template_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("templates.id", ondelete="CASCADE"), index=True
    )
    base_version: Mapped[int | None] = mapped_column(Integer)
    head_version: Mapped[int] = mapped_column(Integer)
    fields: Mapped[dict[str, str]] = mapped_column(JSONB)
    author_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"))
    device_id: Mapped[uuid.UUID | None] = mapped_column(UUID)
    created_at: Mapped[datetime] = _now()


class RateLimitHit(Base):
    """Fixed-window counters shared by every worker."""

    __tablename__ = "rate_limit_hits"
    key: Mapped[str] = mapped_column(String(400), primary_key=True)
    window_start: Mapped[datetime] = mapped_column(DateTime(timezone=True), primary_key=True)
    count: Mapped[int] = mapped_column(Integer)


# -- analytics (migration 0003) --------------------------------------------------


def _learner_key(*columns: Column[Any]) -> list[Column[Any]]:
    user: Column[uuid.UUID] = Column(
        "user_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True
    )
    return [user, Column("course_id", String(200), primary_key=True), *columns]


# With a date range the analytics statements read the events: one member's, of one course, in a
# time range (migration 0003).
Index(
    "ix_progress_events_user_course_at",
    ProgressEvent.user_id,
    ProgressEvent.course_id,
    func.coalesce(ProgressEvent.occurred_at, ProgressEvent.received_at),
    postgresql_include=["lesson_id", "type", "score", "seconds"],
)

# Per-learner sums that only the triggers of migration 0003 write (on every insert,
# update, delete and truncate of ``progress_events`` / ``quiz_answers``) and only the
# statements of :mod:`sync_server.analytics` read; the events stay the record.
ROLLUPS = (
    Table(
        "analytics_lessons",
        Base.metadata,
        *_learner_key(
            Column("lesson_id", String(200), primary_key=True),
            Column("events", Integer, nullable=False),
            Column("completions", Integer, nullable=False),
            Column("attempts", Integer, nullable=False),
            Column("best", Float),
            Column("seconds", BigInteger, nullable=False),
            Column("first_at", DateTime(timezone=True), nullable=False),
            Column("last_at", DateTime(timezone=True), nullable=False),
        ),
    ),
    Table(
        "analytics_weeks",
        Base.metadata,
        *_learner_key(
            Column("week", Date, primary_key=True),
            Column("events", Integer, nullable=False),
            Column("completions", Integer, nullable=False),
            Column("attempts", Integer, nullable=False),
            Column("seconds", BigInteger, nullable=False),
        ),
    ),
    Table(
        "analytics_questions",
        Base.metadata,
        *_learner_key(
            Column("lesson_id", String(200), primary_key=True),
            Column("question_id", String(200), primary_key=True),
            Column("attempts", Integer, nullable=False),
            Column("correct", Integer, nullable=False),
            Column("best", Float),
        ),
    ),
    Table(
        "analytics_quizzes",
        Base.metadata,
        *_learner_key(
            Column("lesson_id", String(200), primary_key=True),
            Column("questions", Integer, nullable=False),
            Column("questions_correct", Integer, nullable=False),
            Column("correct", BigInteger, nullable=False),
            Column("quiz_sum", Float),
            Column("quiz_n", Integer, nullable=False),
        ),
    ),
)
