"""Analytics: progress events by member and course; quiz answers as typed rows.

* ``(user_id, course_id)`` on ``progress_events`` serves the team and personal read-outs
  (a team's members' events, often for one course) and makes the single-column
  ``user_id`` index redundant.
* ``quiz_answers``: one row per quiz attempt that names its question: the question and
  whether it was right (devices send both in the event's free-form ``detail``, which the
  server otherwise keeps only inside the change log's JSON; reading it from there made
  per-question figures for a 200-member team cost ~400 ms), next to the event's member,
  course, lesson, score and time, so the per-question figures read this table alone. The
  push writes it with the event (``sync_server.sync._quiz_answer``); events stored before
  this revision are copied here from the change log. Deleting an account deletes its
  answers.

Revision ID: 0002
Revises: 0001
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

# Events stored before this revision: the answer as the device described it (a question
# id, at most 200 characters like every id, and ``correct`` only when it is a JSON
# boolean), the rest from the event row; the same rule as ``sync._quiz_answer``.
_COPY = """
    INSERT INTO quiz_answers
        (event_id, user_id, course_id, lesson_id, question_id, correct, score, at)
    SELECT e.id, e.user_id, e.course_id, e.lesson_id,
           left(c.data -> 'detail' ->> 'question_id', 200),
           CASE WHEN jsonb_typeof(c.data -> 'detail' -> 'correct') = 'boolean'
                THEN (c.data -> 'detail' ->> 'correct')::boolean END,
           e.score, COALESCE(e.occurred_at, e.received_at)
    FROM {changes} JOIN progress_events e ON e.id = c.entity_id AND e.type = 'attempt'
    WHERE c.kind = 'progress_event' AND c.data -> 'detail' ->> 'question_id' IS NOT NULL
    ON CONFLICT (event_id) DO NOTHING
"""


def upgrade() -> None:
    op.create_index("ix_progress_events_user_course", "progress_events", ["user_id", "course_id"])
    op.drop_index(op.f("ix_progress_events_user_id"), table_name="progress_events")
    op.create_table(
        "quiz_answers",
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column("user_id", sa.UUID(), nullable=False),
        sa.Column("course_id", sa.String(length=200), nullable=False),
        sa.Column("lesson_id", sa.String(length=200), nullable=False),
        sa.Column("question_id", sa.String(length=200), nullable=False),
        sa.Column("correct", sa.Boolean(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["event_id"],
            ["progress_events.id"],
            name=op.f("fk_quiz_answers_event_id_progress_events"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("event_id", name=op.f("pk_quiz_answers")),
    )
    op.create_index("ix_quiz_answers_user_course", "quiz_answers", ["user_id", "course_id"])
    op.execute(_COPY.format(changes="changes c"))


def downgrade() -> None:
    op.drop_table("quiz_answers")
    op.create_index(op.f("ix_progress_events_user_id"), "progress_events", ["user_id"])
    op.drop_index("ix_progress_events_user_course", table_name="progress_events")
