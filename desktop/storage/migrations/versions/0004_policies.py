"""Policy Studio (issue 7): company profile, policy documents, versions, reviews.

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-25

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0004"
down_revision: str | Sequence[str] | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_STATE_CHECK = "state IN ('draft', 'in_review', 'changes_requested', 'approved')"


def upgrade() -> None:
    op.create_table(
        "policy_profile",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("logo_path", sa.Text(), nullable=True),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_profile")),
    )
    op.create_table(
        "policy_documents",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("policy_type", sa.String(length=32), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("jurisdictions", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_documents")),
    )
    op.create_index(
        "ix_policy_documents_deleted_updated", "policy_documents", ["deleted", "updated_at"]
    )
    op.create_table(
        "policy_versions",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("document_id", sa.Uuid(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("state", sa.String(length=32), nullable=False),
        sa.Column("answers", sa.Text(), nullable=False),
        sa.Column("source", sa.Text(), nullable=False),
        sa.Column("effective_date", sa.String(length=10), nullable=True),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("reviewer", sa.String(length=200), nullable=True),
        sa.Column("changelog", sa.Text(), nullable=False),
        sa.Column("notice", sa.Text(), nullable=False),
        sa.Column("frozen_hash", sa.String(length=64), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("approved_at", sa.DateTime(), nullable=True),
        sa.CheckConstraint(_STATE_CHECK, name=op.f("ck_policy_versions_known_state")),
        sa.CheckConstraint("number >= 1", name=op.f("ck_policy_versions_number_positive")),
        sa.ForeignKeyConstraint(
            ["document_id"],
            ["policy_documents.id"],
            name=op.f("fk_policy_versions_document_id_policy_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_versions")),
        sa.UniqueConstraint(
            "document_id", "number", name=op.f("uq_policy_versions_document_id_number")
        ),
    )
    op.create_table(
        "policy_review_comments",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("section_key", sa.String(length=200), nullable=False),
        sa.Column("section_title", sa.String(length=200), nullable=False),
        sa.Column("author", sa.String(length=200), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("resolved", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_versions.id"],
            name=op.f("fk_policy_review_comments_version_id_policy_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_policy_review_comments")),
    )
    op.create_index(
        "ix_policy_review_comments_version",
        "policy_review_comments",
        ["version_id", "created_at"],
    )
    op.create_table(
        "policy_review_events",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("actor", sa.String(length=200), nullable=False),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("occurred_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_versions.id"],
            name=op.f("fk_policy_review_events_version_id_policy_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_policy_review_events")),
    )
    op.create_index(
        "ix_policy_review_events_version", "policy_review_events", ["version_id", "seq"]
    )
    op.create_table(
        "policy_checklist",
        sa.Column("version_id", sa.Uuid(), nullable=False),
        sa.Column("item_id", sa.String(length=100), nullable=False),
        sa.Column("jurisdiction", sa.String(length=32), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("checked", sa.Boolean(), nullable=False),
        sa.Column("checked_by", sa.String(length=200), nullable=True),
        sa.Column("checked_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["version_id"],
            ["policy_versions.id"],
            name=op.f("fk_policy_checklist_version_id_policy_versions"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("version_id", "item_id", name=op.f("pk_policy_checklist")),
    )
    # An approved version is frozen, enforced by the database: its text, answers and
    # dates cannot change and it cannot be deleted. Editing starts a new version.
    op.execute(
        """
        CREATE TRIGGER policy_versions_frozen_update BEFORE UPDATE ON policy_versions
        WHEN OLD.state = 'approved' AND (
            NEW.state IS NOT OLD.state OR NEW.source IS NOT OLD.source
            OR NEW.answers IS NOT OLD.answers OR NEW.effective_date IS NOT OLD.effective_date
            OR NEW.number IS NOT OLD.number OR NEW.document_id IS NOT OLD.document_id
            OR NEW.reviewer IS NOT OLD.reviewer OR NEW.frozen_hash IS NOT OLD.frozen_hash
        )
        BEGIN
            SELECT RAISE(ABORT, 'policy version is approved and frozen');
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER policy_versions_frozen_delete BEFORE DELETE ON policy_versions
        WHEN OLD.state = 'approved'
        BEGIN
            SELECT RAISE(ABORT, 'policy version is approved and frozen');
        END
        """
    )
    op.execute(
        """
        CREATE TRIGGER policy_checklist_frozen BEFORE UPDATE ON policy_checklist
        WHEN (SELECT state FROM policy_versions WHERE id = OLD.version_id) = 'approved'
        BEGIN
            SELECT RAISE(ABORT, 'policy version is approved and frozen');
        END
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS policy_checklist_frozen")
    op.execute("DROP TRIGGER IF EXISTS policy_versions_frozen_delete")
    op.execute("DROP TRIGGER IF EXISTS policy_versions_frozen_update")
    op.drop_table("policy_checklist")
    op.drop_index("ix_policy_review_events_version", table_name="policy_review_events")
    op.drop_table("policy_review_events")
    op.drop_index("ix_policy_review_comments_version", table_name="policy_review_comments")
    op.drop_table("policy_review_comments")
    op.drop_table("policy_versions")
    op.drop_index("ix_policy_documents_deleted_updated", table_name="policy_documents")
    op.drop_table("policy_documents")
    op.drop_table("policy_profile")
