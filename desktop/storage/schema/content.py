"""Tables of the local database for Content Studio (issue 6).

Declared on the shared :class:`desktop.storage.models.Base`; the migration
``migrations/versions/0003_content.py`` must build exactly these (a test compares them).

- ``content_providers``: configured AI providers (address, model, profile). Never a key:
  API keys live only in the OS keyring.
- ``content_brand_kits``: the brand kit (JSON), one row per kit.
- ``content_briefs``: every brief a generation was made from (JSON).
- ``content_generations``: every generation: provider, model, parameters, rendered
  prompt, raw output, status, latency, tokens, estimated cost, cache key.
- ``content_variants``: the variants of a generation, edited in place, favourited, each
  with its stored quality report.
- ``content_cache``: raw replies keyed by the normalised request (repeats answer at once).
- ``content_queue``: requests for a remote provider made while offline.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, Uuid, false
from sqlalchemy.orm import Mapped, mapped_column

from desktop.storage.models import Base, UtcDateTime


class ContentProviderRow(Base):
    __tablename__ = "content_providers"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    profile: Mapped[str] = mapped_column(String(32))
    base_url: Mapped[str] = mapped_column(Text)
    model: Mapped[str] = mapped_column(String(200))
    needs_key: Mapped[bool] = mapped_column(Boolean, default=True)
    timeout: Mapped[float] = mapped_column(Float, default=60.0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BrandKitRow(Base):
    __tablename__ = "content_brand_kits"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    data: Mapped[str] = mapped_column(Text)  # JSON
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class BriefRow(Base):
    __tablename__ = "content_briefs"
    __table_args__ = (Index("ix_content_briefs_updated_at", "updated_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    content_type: Mapped[str] = mapped_column(String(64))
    data: Mapped[str] = mapped_column(Text)  # JSON
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)


class GenerationRow(Base):
    __tablename__ = "content_generations"
    __table_args__ = (
        Index("ix_content_generations_created_at", "created_at"),
        Index("ix_content_generations_brief_id", "brief_id"),
        # Analytics over a date range read only this (migration 0006): covering.
        Index(
            "ix_content_generations_analytics",
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
        ),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    brief_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("content_briefs.id"))
    content_type: Mapped[str] = mapped_column(String(64))
    provider: Mapped[str] = mapped_column(String(100))
    model: Mapped[str] = mapped_column(String(200))
    mode: Mapped[str] = mapped_column(String(32))  # json_schema, json_object, text, template
    parameters: Mapped[str] = mapped_column(Text)  # JSON
    prompt: Mapped[str] = mapped_column(Text)
    output: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(16))  # done, failed, cancelled
    error: Mapped[str | None] = mapped_column(Text)
    latency_ms: Mapped[float | None] = mapped_column(Float)
    first_token_ms: Mapped[float | None] = mapped_column(Float)
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    cost_usd: Mapped[float | None] = mapped_column(Float)
    cache_key: Mapped[str | None] = mapped_column(String(64))
    cached: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class VariantRow(Base):
    __tablename__ = "content_variants"
    __table_args__ = (
        Index("ix_content_variants_generation_position", "generation_id", "position"),
        Index("ix_content_variants_favourite", "favourite"),
        # Acceptance (favourited or exported) per generation, read from the index alone.
        Index("ix_content_variants_accepted", "generation_id", "favourite", "exported"),
    )

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    generation_id: Mapped[uuid.UUID] = mapped_column(
        Uuid, ForeignKey("content_generations.id", ondelete="CASCADE")
    )
    position: Mapped[int] = mapped_column(Integer)
    data: Mapped[str] = mapped_column(Text)  # JSON: fields, source, label
    quality: Mapped[str] = mapped_column(Text)  # JSON: findings
    favourite: Mapped[bool] = mapped_column(Boolean, default=False)
    edited: Mapped[bool] = mapped_column(Boolean, default=False)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
    updated_at: Mapped[datetime] = mapped_column(UtcDateTime)
    # Written to a file by an export (migration 0006): counts as accepted in analytics.
    exported: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


class ResponseCacheRow(Base):
    __tablename__ = "content_cache"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    output: Mapped[str] = mapped_column(Text)
    mode: Mapped[str] = mapped_column(String(32))
    prompt_tokens: Mapped[int] = mapped_column(Integer, default=0)
    completion_tokens: Mapped[int] = mapped_column(Integer, default=0)
    hits: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)


class QueuedRequestRow(Base):
    __tablename__ = "content_queue"
    __table_args__ = (Index("ix_content_queue_created_at", "created_at"),)

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True)
    brief_id: Mapped[uuid.UUID] = mapped_column(Uuid, ForeignKey("content_briefs.id"))
    provider: Mapped[str] = mapped_column(String(100))
    request: Mapped[str] = mapped_column(Text)  # JSON: brief, prompt template
    status: Mapped[str] = mapped_column(String(16))  # waiting, running, failed
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UtcDateTime)
