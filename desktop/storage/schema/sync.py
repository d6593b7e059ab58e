"""Tables of the local database for Desktop sync (issue 5).

Declared on the shared :class:`desktop.storage.models.Base`; the migration
``migrations/versions/0002_sync.py`` must build exactly these (a test compares them).

- ``sync_state``: small facts about the account (server URL, email, ids, last sync, last
  error). Never a secret: tokens live only in the OS keyring.
- ``sync_cursors``: the last server sequence applied, per scope.
- ``sync_teams``: the teams the account belongs to and its role in each (from ``/me``).
- ``sync_outbox``: local changes on their way to the server, each with the mutation id
  it keeps across retries (the server replays a stored result for a known id).
- ``templates``, ``template_versions``, ``template_conflicts``: the template library.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.storage.models import Base, ProgressEventRow, UtcDateTime

# Events not yet on the server: what the outbox and the pending count look for.
Index("ix_progress_events_synced", ProgressEventRow.synced)


class SyncStateEntry(Base):
    __tablename__ = "sync_state"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class SyncCursorRow(Base):
    __tablename__ = "sync_cursors"

    scope: Mapped[str] = mapped_column(String(64), primary_key=True)
    cursor: Mapped[int] = mapped_column(Integer, default=0)


class SyncTeamRow(Base):
    __tablename__ = "sync_teams"

    team_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))


class OutboxRow(Base):
    """One mutation waiting for the server. ``counter`` is the entity's change counter the
    payload was taken at: once the server answers, the entity is synced up to it."""

    __tablename__ = "sync_outbox"
    __table_args__ = (UniqueConstraint("entity", "entity_id"),)

    mutation_id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    entity: Mapped[str] = mapped_column(String(16))  # event | bookmark | note | template
    entity_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    counter: Mapped[int] = mapped_column(Integer)
    scope: Mapped[str] = mapped_column(String(64))
    payload: Mapped[str] = mapped_column(Text)  # the mutation, as JSON
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    attempts: Mapped[int] = mapped_column(Integer, default=0)


class TemplateRow(Base):
    """A content or policy template. ``team_id`` NULL: personal (stays on this computer);
    otherwise shared with that team. ``server_version`` is the team head this copy is
    based on; dirty while ``change_counter > synced_counter``."""

    __tablename__ = "templates"
    __table_args__ = (
        CheckConstraint("kind IN ('content', 'policy')", name="known_kind"),
        Index("ix_templates_kind_deleted_name", "kind", "deleted", "name"),
        Index("ix_templates_team_id", "team_id"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    kind: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(200))
    description: Mapped[str] = mapped_column(Text, default="")
    tags: Mapped[str] = mapped_column(Text, default="")  # one per line
    body: Mapped[str] = mapped_column(Text, default="")
    extra: Mapped[str] = mapped_column(Text, default="{}")  # JSON: kind-specific fields
    team_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    server_version: Mapped[int | None] = mapped_column(Integer)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    change_counter: Mapped[int] = mapped_column(Integer, default=1)
    synced_counter: Mapped[int] = mapped_column(Integer, default=0)


class TemplateVersionRow(Base):
    """Every text a template had, here or on the team's server: history, diff, restore."""

    __tablename__ = "template_versions"
    __table_args__ = (Index("ix_template_versions_template_id_seq", "template_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    template_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    server_version: Mapped[int | None] = mapped_column(Integer)
    fields: Mapped[str] = mapped_column(Text)  # JSON: the template's fields
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)
    source: Mapped[str] = mapped_column(String(16))  # edit | team | restore | import | merge
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class TemplateConflictRow(Base):
    """The server kept the team's text and stored ours as a conflict copy: both are kept
    here until the user chooses (keep mine, keep the team's, or a merged text)."""

    __tablename__ = "template_conflicts"
    __table_args__ = (Index("ix_template_conflicts_template_id", "template_id"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    template_id: Mapped[uuid.UUID] = mapped_column(Uuid)
    base_version: Mapped[int | None] = mapped_column(Integer)
    head_version: Mapped[int] = mapped_column(Integer)
    mine: Mapped[str] = mapped_column(Text)  # JSON fields
    theirs: Mapped[str] = mapped_column(Text)  # JSON fields
    conflicting_fields: Mapped[str] = mapped_column(Text, default="[]")
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
