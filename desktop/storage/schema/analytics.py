"""Tables of the local database for personal analytics (issue 10).

Declared on the shared :class:`desktop.storage.models.Base`; the migration
``migrations/versions/0006_analytics.py`` must build exactly these (a test compares them).

Both are *derived* from ``progress_events`` and kept current by an ``AFTER INSERT``
trigger on it, in the same transaction as the event (events are append-only: triggers
of migration 0001 refuse updates and deletes, and an event skipped as a duplicate fires
nothing). They exist so the Home dashboard reads a thousand rows instead of a hundred
thousand events; the events stay the truth, and the migration fills both from them.

- ``progress_rollup``: per (course, lesson, kind, slide, question), all time: event
  count, summed seconds, latest time, best score and correct answers. ``''`` stands for
  "no slide"/"no question" (a NULL would make every row unique).
- ``progress_quarters``: per UTC quarter hour and lesson: events and seconds. A local
  day of any time zone (offsets are multiples of 15 minutes) is a whole number of them.
- ``content_findings``: one row per quality finding of a content variant, kept by
  triggers on ``content_variants`` (insert, and update of ``quality``) from its JSON, so
  "findings most often hit" is a grouped count, not a JSON parse of every variant.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Float, ForeignKey, Index, Integer, String, Text, Uuid
from sqlalchemy.orm import Mapped, mapped_column

from desktop.storage.models import Base, ProgressEventRow, UtcDateTime

# Progress as of a past date, and quiz attempts within a range, grouped straight from
# this index in its own order (covering: the table is never read).
Index(
    "ix_progress_events_rollup",
    ProgressEventRow.course_id,
    ProgressEventRow.lesson_id,
    ProgressEventRow.kind,
    ProgressEventRow.slide_id,
    ProgressEventRow.question_id,
    ProgressEventRow.occurred_at,
    ProgressEventRow.seconds,
    ProgressEventRow.score,
    ProgressEventRow.correct,
)


class ProgressRollupRow(Base):
    __tablename__ = "progress_rollup"

    course_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(32), primary_key=True)
    slide_id: Mapped[str] = mapped_column(String(200), primary_key=True)  # '' for none
    question_id: Mapped[str] = mapped_column(String(200), primary_key=True)  # '' for none
    events: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)
    last_at: Mapped[datetime] = mapped_column(UtcDateTime)
    best_score: Mapped[float | None] = mapped_column(Float)
    correct: Mapped[int] = mapped_column(Integer)  # events with correct = 1


class ProgressQuarterRow(Base):
    __tablename__ = "progress_quarters"

    # UTC quarter hour as text, "YYYY-MM-DD HH:MM" with MM in 00, 15, 30, 45.
    bucket: Mapped[str] = mapped_column(String(16), primary_key=True)
    course_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    lesson_id: Mapped[str] = mapped_column(String(200), primary_key=True)
    events: Mapped[int] = mapped_column(Integer)
    seconds: Mapped[float] = mapped_column(Float)


class ContentFindingRow(Base):
    __tablename__ = "content_findings"
    # Counting findings per code reads one of these indexes alone: all time in code order,
    # a date range in time order.
    __table_args__ = (
        Index("ix_content_findings_code_severity", "code", "severity", "variant_id"),
        Index("ix_content_findings_created_at", "created_at", "code", "severity", "variant_id"),
    )

    variant_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("content_variants.id", ondelete="CASCADE"), primary_key=True
    )
    position: Mapped[int] = mapped_column(Integer, primary_key=True)  # in the JSON list
    code: Mapped[str] = mapped_column(String(100))
    severity: Mapped[str] = mapped_column(String(16))
    message: Mapped[str] = mapped_column(Text)
    # The generation's time, copied by the triggers (None if the generation is missing).
    created_at: Mapped[datetime | None] = mapped_column(UtcDateTime)
