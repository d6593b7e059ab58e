"""Policy Studio: which library template a policy version came from.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25

A version made from a team or personal template of the library records the template's
id and the library's version seq (NULL: the bundled template). The frozen-version
trigger now covers them too: an approved version's origin cannot change.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0005"
down_revision: str | Sequence[str] | None = "0004"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

_FROZEN_COLUMNS_0004 = """
            NEW.state IS NOT OLD.state OR NEW.source IS NOT OLD.source
            OR NEW.answers IS NOT OLD.answers OR NEW.effective_date IS NOT OLD.effective_date
            OR NEW.number IS NOT OLD.number OR NEW.document_id IS NOT OLD.document_id
            OR NEW.reviewer IS NOT OLD.reviewer OR NEW.frozen_hash IS NOT OLD.frozen_hash"""


def _frozen_trigger(columns: str) -> str:
    return f"""
        CREATE TRIGGER policy_versions_frozen_update BEFORE UPDATE ON policy_versions
        WHEN OLD.state = 'approved' AND ({columns}
        )
        BEGIN
            SELECT RAISE(ABORT, 'policy version is approved and frozen');
        END
        """


def upgrade() -> None:
    with op.batch_alter_table("policy_versions", recreate="never") as batch:
        batch.add_column(sa.Column("template_id", sa.Uuid(), nullable=True))
        batch.add_column(sa.Column("template_version", sa.Integer(), nullable=True))
    op.execute("DROP TRIGGER IF EXISTS policy_versions_frozen_update")
    op.execute(
        _frozen_trigger(
            _FROZEN_COLUMNS_0004
            + """
            OR NEW.template_id IS NOT OLD.template_id
            OR NEW.template_version IS NOT OLD.template_version"""
        )
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS policy_versions_frozen_update")
    with op.batch_alter_table("policy_versions", recreate="never") as batch:
        batch.drop_column("template_version")
        batch.drop_column("template_id")
    op.execute(_frozen_trigger(_FROZEN_COLUMNS_0004))
