"""Content Studio (issue 6): briefs, generations, variants, brand kit, queue.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25

"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | Sequence[str] | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "content_providers",
        sa.Column("name", sa.String(length=100), nullable=False),
        sa.Column("profile", sa.String(length=32), nullable=False),
        sa.Column("base_url", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("needs_key", sa.Boolean(), nullable=False),
        sa.Column("timeout", sa.Float(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("name", name=op.f("pk_content_providers")),
    )
    op.create_table(
        "content_brand_kits",
        sa.Column("id", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_brand_kits")),
    )
    op.create_table(
        "content_briefs",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_briefs")),
    )
    op.create_index("ix_content_briefs_updated_at", "content_briefs", ["updated_at"])
    op.create_table(
        "content_generations",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("brief_id", sa.Uuid(), nullable=False),
        sa.Column("content_type", sa.String(length=64), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("model", sa.String(length=200), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("parameters", sa.Text(), nullable=False),
        sa.Column("prompt", sa.Text(), nullable=False),
        sa.Column("output", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("first_token_ms", sa.Float(), nullable=True),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("cost_usd", sa.Float(), nullable=True),
        sa.Column("cache_key", sa.String(length=64), nullable=True),
        sa.Column("cached", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["brief_id"],
            ["content_briefs.id"],
            name=op.f("fk_content_generations_brief_id_content_briefs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_generations")),
    )
    op.create_index("ix_content_generations_created_at", "content_generations", ["created_at"])
    op.create_index("ix_content_generations_brief_id", "content_generations", ["brief_id"])
    op.create_table(
        "content_variants",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("generation_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("data", sa.Text(), nullable=False),
        sa.Column("quality", sa.Text(), nullable=False),
        sa.Column("favourite", sa.Boolean(), nullable=False),
        sa.Column("edited", sa.Boolean(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.Column("updated_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["generation_id"],
            ["content_generations.id"],
            name=op.f("fk_content_variants_generation_id_content_generations"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_variants")),
    )
    op.create_index(
        "ix_content_variants_generation_position",
        "content_variants",
        ["generation_id", "position"],
    )
    op.create_index("ix_content_variants_favourite", "content_variants", ["favourite"])
    op.create_table(
        "content_cache",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("output", sa.Text(), nullable=False),
        sa.Column("mode", sa.String(length=32), nullable=False),
        sa.Column("prompt_tokens", sa.Integer(), nullable=False),
        sa.Column("completion_tokens", sa.Integer(), nullable=False),
        sa.Column("hits", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_content_cache")),
    )
    op.create_table(
        "content_queue",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("brief_id", sa.Uuid(), nullable=False),
        sa.Column("provider", sa.String(length=100), nullable=False),
        sa.Column("request", sa.Text(), nullable=False),
        sa.Column("status", sa.String(length=16), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["brief_id"],
            ["content_briefs.id"],
            name=op.f("fk_content_queue_brief_id_content_briefs"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_content_queue")),
    )
    op.create_index("ix_content_queue_created_at", "content_queue", ["created_at"])


def downgrade() -> None:
    op.drop_index("ix_content_queue_created_at", table_name="content_queue")
    op.drop_table("content_queue")
    op.drop_table("content_cache")
    op.drop_index("ix_content_variants_favourite", table_name="content_variants")
    op.drop_index("ix_content_variants_generation_position", table_name="content_variants")
    op.drop_table("content_variants")
    op.drop_index("ix_content_generations_brief_id", table_name="content_generations")
    op.drop_index("ix_content_generations_created_at", table_name="content_generations")
    op.drop_table("content_generations")
    op.drop_index("ix_content_briefs_updated_at", table_name="content_briefs")
    op.drop_table("content_briefs")
    op.drop_table("content_brand_kits")
    op.drop_table("content_providers")
