"""Analytics: variants remember being exported; progress roll-ups for the dashboard.

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25

- ``content_variants.exported``: set when Content Studio writes the variant to a file
  (an exported variant counts as accepted, like a favourite). Existing rows: not exported
  (nothing recorded it before).
- ``progress_rollup`` and ``progress_quarters`` (see ``schema/analytics.py``): derived
  from ``progress_events`` by an insert trigger, and filled here from the events already
  stored, so the dashboard never aggregates the whole event table.
- ``content_findings``: each variant's quality findings as rows, with their generation's
  time (so a date range reads one index, not the variants and generations), kept by
  triggers on ``content_variants`` and filled here from the variants already stored.
- ``ix_progress_events_rollup``: progress as of a past date and quiz attempts within a
  range are grouped from this covering index in its own order (no sort, no table reads).
- ``ix_content_generations_analytics`` and ``ix_content_variants_accepted``: generations
  per type and provider over a date range, and their variants' acceptance, read only
  these covering indexes, not the prompts, outputs and texts in the tables.
"""

from __future__ import annotations

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0006"
down_revision: str | Sequence[str] | None = "0005"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

# The UTC quarter hour of a stored time ("YYYY-MM-DD HH:MM:SS.ffffff").
_QUARTER = "substr({t}, 1, 14) || printf('%02d', (CAST(substr({t}, 15, 2) AS INTEGER) / 15) * 15)"


# One row per finding object in a variant's quality JSON (anything else is skipped, and
# text that is not JSON has no findings rather than failing the variant's write).
_FINDINGS_OF = """
    SELECT {v}.id, f.key, coalesce(json_extract(f.value, '$.code'), ''),
        coalesce(json_extract(f.value, '$.severity'), ''),
        coalesce(json_extract(f.value, '$.message'), ''),
        (SELECT g.created_at FROM content_generations g WHERE g.id = {v}.generation_id)
    FROM {source}json_each(CASE WHEN json_valid({v}.quality) THEN {v}.quality ELSE '[]' END) f
    WHERE f.type = 'object'"""


def upgrade() -> None:
    with op.batch_alter_table("content_variants", recreate="never") as batch:
        batch.add_column(
            sa.Column("exported", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_index(
        "ix_content_variants_accepted",
        "content_variants",
        ["generation_id", "favourite", "exported"],
    )
    op.create_index(
        "ix_content_generations_analytics",
        "content_generations",
        [
            "created_at",
            "content_type",
            "provider",
            "status",
            "cached",
            "latency_ms",
            "prompt_tokens",
            "completion_tokens",
            "cost_usd",
            "id",
        ],
    )
    op.create_index(
        "ix_progress_events_rollup",
        "progress_events",
        [
            "course_id",
            "lesson_id",
            "kind",
            "slide_id",
            "question_id",
            "occurred_at",
            "seconds",
            "score",
            "correct",
        ],
    )
    op.create_table(
        "progress_rollup",
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("kind", sa.String(length=32), nullable=False),
        sa.Column("slide_id", sa.String(length=200), nullable=False),
        sa.Column("question_id", sa.String(length=200), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.Column("last_at", sa.DateTime(), nullable=False),
        sa.Column("best_score", sa.Float(), nullable=True),
        sa.Column("correct", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint(
            "course_id",
            "lesson_id",
            "kind",
            "slide_id",
            "question_id",
            name=op.f("pk_progress_rollup"),
        ),
    )
    op.create_table(
        "progress_quarters",
        sa.Column("bucket", sa.String(length=16), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("events", sa.Integer(), nullable=False),
        sa.Column("seconds", sa.Float(), nullable=False),
        sa.PrimaryKeyConstraint(
            "bucket", "course_id", "lesson_id", name=op.f("pk_progress_quarters")
        ),
    )
    op.execute(
        "INSERT INTO progress_rollup (course_id, lesson_id, kind, slide_id, question_id,"
        " events, seconds, last_at, best_score, correct)"
        " SELECT course_id, lesson_id, kind, coalesce(slide_id, ''), coalesce(question_id, ''),"
        " count(*), total(seconds), max(occurred_at), max(score), total(correct = 1)"
        " FROM progress_events"
        " GROUP BY course_id, lesson_id, kind, coalesce(slide_id, ''), coalesce(question_id, '')"
    )
    quarter = _QUARTER.format(t="occurred_at")
    op.execute(
        "INSERT INTO progress_quarters (bucket, course_id, lesson_id, events, seconds)"
        f" SELECT {quarter} AS q, course_id, lesson_id, count(*), total(seconds)"
        " FROM progress_events GROUP BY q, course_id, lesson_id"
    )
    op.create_table(
        "content_findings",
        sa.Column("variant_id", sa.Uuid(), nullable=False),
        sa.Column("position", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=100), nullable=False),
        sa.Column("severity", sa.String(length=16), nullable=False),
        sa.Column("message", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["variant_id"],
            ["content_variants.id"],
            name=op.f("fk_content_findings_variant_id_content_variants"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("variant_id", "position", name=op.f("pk_content_findings")),
    )
    op.create_index(
        "ix_content_findings_code_severity",
        "content_findings",
        ["code", "severity", "variant_id"],
    )
    op.create_index(
        "ix_content_findings_created_at",
        "content_findings",
        ["created_at", "code", "severity", "variant_id"],
    )
    insert_findings = (
        "INSERT INTO content_findings (variant_id, position, code, severity, message, created_at)"
    )
    op.execute(
        insert_findings + _FINDINGS_OF.format(v="content_variants", source="content_variants, ")
    )
    op.execute(
        f"""
        CREATE TRIGGER content_variants_findings_insert AFTER INSERT ON content_variants
        BEGIN
            {insert_findings} {_FINDINGS_OF.format(v="NEW", source="")};
        END
        """
    )
    op.execute(
        f"""
        CREATE TRIGGER content_variants_findings_update AFTER UPDATE OF quality
        ON content_variants
        BEGIN
            DELETE FROM content_findings WHERE variant_id = OLD.id;
            {insert_findings} {_FINDINGS_OF.format(v="NEW", source="")};
        END
        """
    )
    new_quarter = _QUARTER.format(t="NEW.occurred_at")
    op.execute(
        f"""
        CREATE TRIGGER progress_events_rollup AFTER INSERT ON progress_events
        BEGIN
            INSERT INTO progress_rollup (course_id, lesson_id, kind, slide_id, question_id,
                events, seconds, last_at, best_score, correct)
            VALUES (NEW.course_id, NEW.lesson_id, NEW.kind, coalesce(NEW.slide_id, ''),
                coalesce(NEW.question_id, ''), 1, NEW.seconds, NEW.occurred_at, NEW.score,
                NEW.correct IS 1)
            ON CONFLICT (course_id, lesson_id, kind, slide_id, question_id) DO UPDATE SET
                events = events + 1,
                seconds = seconds + excluded.seconds,
                last_at = max(last_at, excluded.last_at),
                best_score = coalesce(max(best_score, excluded.best_score), best_score,
                                      excluded.best_score),
                correct = correct + excluded.correct;
            INSERT INTO progress_quarters (bucket, course_id, lesson_id, events, seconds)
            VALUES ({new_quarter}, NEW.course_id, NEW.lesson_id, 1, NEW.seconds)
            ON CONFLICT (bucket, course_id, lesson_id) DO UPDATE SET
                events = events + 1,
                seconds = seconds + excluded.seconds;
        END
        """
    )


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS content_variants_findings_update")
    op.execute("DROP TRIGGER IF EXISTS content_variants_findings_insert")
    op.drop_table("content_findings")
    op.execute("DROP TRIGGER IF EXISTS progress_events_rollup")
    op.drop_table("progress_quarters")
    op.drop_table("progress_rollup")
    op.drop_index("ix_progress_events_rollup", table_name="progress_events")
    op.drop_index("ix_content_generations_analytics", table_name="content_generations")
    op.drop_index("ix_content_variants_accepted", table_name="content_variants")
    with op.batch_alter_table("content_variants", recreate="never") as batch:
        batch.drop_column("exported")
