"""Tables of the local database for Policy Studio (issue 7).

Declared on the shared :class:`desktop.storage.models.Base`; the migration
``migrations/versions/0004_policies.py`` must build exactly these (a test compares them).

- ``policy_profile``: the company profile every policy shares (one row, ``id = 'default'``),
  answers as JSON, and the path of the logo the user picked.
- ``policy_documents``: one per policy the user writes (type, title, jurisdictions).
- ``policy_versions``: every version of a document: its answers (JSON), its Markdown +
  Jinja2 source, review state, author, reviewer, effective date, changelog entry and
  customer notice. An approved version is frozen: triggers in the migration refuse any
  change to its text, answers or dates, and its deletion.
- ``policy_review_comments``: reviewers' comments, each on one section of a version.
- ``policy_review_events``: every review step (submitted, approved...) with who and when.
- ``policy_checklist``: the reviewer's checklist of a version, one row per item.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import (
    Boolean,
    CheckConstraint,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    Uuid,
)
from sqlalchemy.orm import Mapped, mapped_column

from desktop.storage.models import Base, UtcDateTime

REVIEW_STATES = ("draft", "in_review", "changes_requested", "approved")
_STATE_CHECK = "state IN ('draft', 'in_review', 'changes_requested', 'approved')"


class PolicyProfileRow(Base):
    __tablename__ = "policy_profile"

    id: Mapped[str] = mapped_column(String(36), primary_key=True)
    answers: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    logo_path: Mapped[str | None] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PolicyDocumentRow(Base):
    __tablename__ = "policy_documents"
    __table_args__ = (Index("ix_policy_documents_deleted_updated", "deleted", "updated_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    policy_type: Mapped[str] = mapped_column(String(32))
    title: Mapped[str] = mapped_column(String(200))
    jurisdictions: Mapped[str] = mapped_column(Text, default="[]")  # JSON list
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    deleted: Mapped[bool] = mapped_column(Boolean, default=False)


class PolicyVersionRow(Base):
    __tablename__ = "policy_versions"
    __table_args__ = (
        UniqueConstraint("document_id", "number"),
        CheckConstraint(_STATE_CHECK, name="known_state"),
        CheckConstraint("number >= 1", name="number_positive"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    document_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("policy_documents.id", ondelete="CASCADE")
    )
    number: Mapped[int] = mapped_column(Integer)
    state: Mapped[str] = mapped_column(String(32), default="draft")
    answers: Mapped[str] = mapped_column(Text, default="{}")  # JSON
    source: Mapped[str] = mapped_column(Text, default="")  # Markdown + Jinja2
    effective_date: Mapped[str | None] = mapped_column(String(10))  # ISO date
    author: Mapped[str] = mapped_column(String(200), default="")
    reviewer: Mapped[str | None] = mapped_column(String(200))
    changelog: Mapped[str] = mapped_column(Text, default="")
    notice: Mapped[str] = mapped_column(Text, default="")  # customer-facing "what changed"
    frozen_hash: Mapped[str | None] = mapped_column(String(64))  # sha256 at approval
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    approved_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
    # Which library template the text started from (migration 0005); NULL: the bundled one.
    template_id: Mapped[uuid.UUID | None] = mapped_column(Uuid)
    template_version: Mapped[int | None] = mapped_column(Integer)  # the library's version seq


class PolicyReviewCommentRow(Base):
    __tablename__ = "policy_review_comments"
    __table_args__ = (Index("ix_policy_review_comments_version", "version_id", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    version_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("policy_versions.id", ondelete="CASCADE")
    )
    section_key: Mapped[str] = mapped_column(String(200))
    section_title: Mapped[str] = mapped_column(String(200))
    author: Mapped[str] = mapped_column(String(200))
    text: Mapped[str] = mapped_column(Text)
    resolved: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PolicyReviewEventRow(Base):
    __tablename__ = "policy_review_events"
    __table_args__ = (Index("ix_policy_review_events_version", "version_id", "seq"),)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("policy_versions.id", ondelete="CASCADE")
    )
    action: Mapped[str] = mapped_column(String(32))
    actor: Mapped[str] = mapped_column(String(200))
    note: Mapped[str] = mapped_column(Text, default="")
    occurred_at: Mapped[datetime] = mapped_column(UtcDateTime)


class PolicyChecklistRow(Base):
    __tablename__ = "policy_checklist"

    version_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("policy_versions.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[str] = mapped_column(String(100), primary_key=True)
    jurisdiction: Mapped[str] = mapped_column(String(32))
    position: Mapped[int] = mapped_column(Integer, default=0)
    text: Mapped[str] = mapped_column(Text)
    checked: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_by: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
