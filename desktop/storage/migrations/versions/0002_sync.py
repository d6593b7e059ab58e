"""Desktop sync (issue 5): outbox, sync state, templates and their versions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0002"
down_revision: str | Sequence[str] | None = "0001"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_index("ix_progress_events_synced", "progress_events", ["synced"])
    op.create_table(
        "sync_state",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_sync_state")),
    )
    op.create_table(
        "sync_cursors",
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("cursor", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("scope", name=op.f("pk_sync_cursors")),
    )
    op.create_table(
        "sync_teams",
        sa.Column("team_id", sa.Uuid(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("role", sa.String(length=16), nullable=False),
        sa.PrimaryKeyConstraint("team_id", name=op.f("pk_sync_teams")),
    )
    op.create_table(
        "sync_outbox",
        sa.Column("mutation_id", sa.Uuid(), nullable=False),
        sa.Column("entity", sa.String(length=16), nullable=False),
        sa.Column("entity_id", sa.Uuid(), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("scope", sa.String(length=64), nullable=False),
        sa.Column("payload", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("mutation_id", name=op.f("pk_sync_outbox")),
        sa.UniqueConstraint("entity", "entity_id", name=op.f("uq_sync_outbox_entity_entity_id")),
    )
    op.create_table(
        "templates",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("kind", sa.String(length=16), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column("tags", sa.Text(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("extra", sa.Text(), nullable=False),
        sa.Column("team_id", sa.Uuid(), nullable=True),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.Column("change_counter", sa.Integer(), nullable=False),
        sa.Column("synced_counter", sa.Integer(), nullable=False),
        sa.CheckConstraint("kind IN ('content', 'policy')", name=op.f("ck_templates_known_kind")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_templates")),
    )
    op.create_index("ix_templates_kind_deleted_name", "templates", ["kind", "deleted", "name"])
    op.create_index("ix_templates_team_id", "templates", ["team_id"])
    op.create_table(
        "template_versions",
        sa.Column("seq", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("server_version", sa.Integer(), nullable=True),
        sa.Column("fields", sa.Text(), nullable=False),
        sa.Column("deleted", sa.Boolean(), nullable=False),
        sa.Column("source", sa.String(length=16), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("seq", name=op.f("pk_template_versions")),
    )
    op.create_index(
        "ix_template_versions_template_id_seq", "template_versions", ["template_id", "seq"]
    )
    op.create_table(
        "template_conflicts",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("template_id", sa.Uuid(), nullable=False),
        sa.Column("base_version", sa.Integer(), nullable=True),
        sa.Column("head_version", sa.Integer(), nullable=False),
        sa.Column("mine", sa.Text(), nullable=False),
        sa.Column("theirs", sa.Text(), nullable=False),
        sa.Column("conflicting_fields", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_template_conflicts")),
    )
    op.create_index("ix_template_conflicts_template_id", "template_conflicts", ["template_id"])


def downgrade() -> None:
    op.drop_index("ix_template_conflicts_template_id", table_name="template_conflicts")
    op.drop_table("template_conflicts")
    op.drop_index("ix_template_versions_template_id_seq", table_name="template_versions")
    op.drop_table("template_versions")
    op.drop_index("ix_templates_team_id", table_name="templates")
    op.drop_index("ix_templates_kind_deleted_name", table_name="templates")
    op.drop_table("templates")
    op.drop_table("sync_outbox")
    op.drop_table("sync_teams")
    op.drop_table("sync_cursors")
    op.drop_table("sync_state")
    op.drop_index("ix_progress_events_synced", table_name="progress_events")
