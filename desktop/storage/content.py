"""Content Studio's rows: providers, brand kit, briefs, generations, variants, the
response cache and the offline queue. Plain parametrised SQL on ``sqlite3``; JSON
columns hold the domain objects' ``to_dict()``.

Nothing here ever stores an API key (they live in the OS keyring).
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.storage.values import db_time, db_uuid, py_time, py_uuid

DEFAULT_KIT = "default"


@dataclass(frozen=True, slots=True)
class ProviderRecord:
    name: str
    profile: str
    base_url: str
    model: str
    needs_key: bool
    timeout: float


def save_provider(conn: sqlite3.Connection, p: ProviderRecord, now: datetime) -> None:
    stamp = db_time(now)
    conn.execute(
        "INSERT INTO content_providers (name, profile, base_url, model, needs_key, timeout,"
        " created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT(name) DO UPDATE SET profile = excluded.profile,"
        " base_url = excluded.base_url, model = excluded.model,"
        " needs_key = excluded.needs_key, timeout = excluded.timeout,"
        " updated_at = excluded.updated_at",
        (p.name, p.profile, p.base_url, p.model, int(p.needs_key), p.timeout, stamp, stamp),
    )


def delete_provider(conn: sqlite3.Connection, name: str) -> None:
    conn.execute("DELETE FROM content_providers WHERE name = ?", (name,))


def providers(conn: sqlite3.Connection) -> list[ProviderRecord]:
    rows = conn.execute(
        "SELECT name, profile, base_url, model, needs_key, timeout FROM content_providers"
        " ORDER BY name COLLATE NOCASE"
    )
    return [ProviderRecord(n, p, u, m, bool(k), float(t)) for n, p, u, m, k, t in rows]


def brand_kit(conn: sqlite3.Connection, kit_id: str = DEFAULT_KIT) -> dict[str, Any] | None:
    row = conn.execute("SELECT data FROM content_brand_kits WHERE id = ?", (kit_id,)).fetchone()
    return json.loads(row[0]) if row else None


def save_brand_kit(
    conn: sqlite3.Connection, data: Mapping[str, Any], now: datetime, kit_id: str = DEFAULT_KIT
) -> None:
    conn.execute(
        "INSERT INTO content_brand_kits (id, data, updated_at) VALUES (?, ?, ?)"
        " ON CONFLICT(id) DO UPDATE SET data = excluded.data, updated_at = excluded.updated_at",
        (kit_id, json.dumps(dict(data), ensure_ascii=False), db_time(now)),
    )


def save_brief(
    conn: sqlite3.Connection,
    brief_id: uuid.UUID,
    content_type: str,
    data: Mapping[str, Any],
    now: datetime,
) -> None:
    stamp = db_time(now)
    conn.execute(
        "INSERT INTO content_briefs (id, content_type, data, created_at, updated_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT(id) DO UPDATE SET data = excluded.data,"
        " content_type = excluded.content_type, updated_at = excluded.updated_at",
        (db_uuid(brief_id), content_type, json.dumps(dict(data), ensure_ascii=False), stamp, stamp),
    )


def brief(conn: sqlite3.Connection, brief_id: uuid.UUID) -> dict[str, Any] | None:
    row = conn.execute(
        "SELECT data FROM content_briefs WHERE id = ?", (db_uuid(brief_id),)
    ).fetchone()
    return json.loads(row[0]) if row else None


def latest_brief(conn: sqlite3.Connection) -> tuple[uuid.UUID, dict[str, Any]] | None:
    row = conn.execute(
        "SELECT id, data FROM content_briefs ORDER BY updated_at DESC LIMIT 1"
    ).fetchone()
    return (py_uuid(row[0]), json.loads(row[1])) if row else None


@dataclass(frozen=True, slots=True)
class GenerationRecord:
    id: uuid.UUID
    brief_id: uuid.UUID
    content_type: str
    provider: str
    model: str
    mode: str
    parameters: dict[str, Any]
    prompt: str
    output: str
    status: str
    error: str | None
    latency_ms: float | None
    first_token_ms: float | None
    prompt_tokens: int
    completion_tokens: int
    cost_usd: float | None
    cache_key: str | None
    cached: bool
    created_at: datetime


_GEN_COLUMNS = (
    "id, brief_id, content_type, provider, model, mode, parameters, prompt, output, status,"
    " error, latency_ms, first_token_ms, prompt_tokens, completion_tokens, cost_usd,"
    " cache_key, cached, created_at"
)


def add_generation(conn: sqlite3.Connection, g: GenerationRecord) -> None:
    conn.execute(
        f"INSERT INTO content_generations ({_GEN_COLUMNS})"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            db_uuid(g.id),
            db_uuid(g.brief_id),
            g.content_type,
            g.provider,
            g.model,
            g.mode,
            json.dumps(g.parameters, sort_keys=True),
            g.prompt,
            g.output,
            g.status,
            g.error,
            g.latency_ms,
            g.first_token_ms,
            g.prompt_tokens,
            g.completion_tokens,
            g.cost_usd,
            g.cache_key,
            int(g.cached),
            db_time(g.created_at),
        ),
    )


def _generation(row: tuple[Any, ...]) -> GenerationRecord:
    return GenerationRecord(
        py_uuid(row[0]),
        py_uuid(row[1]),
        row[2],
        row[3],
        row[4],
        row[5],
        json.loads(row[6]),
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        row[12],
        int(row[13]),
        int(row[14]),
        row[15],
        row[16],
        bool(row[17]),
        py_time(row[18]),
    )


def generation(conn: sqlite3.Connection, generation_id: uuid.UUID) -> GenerationRecord | None:
    row = conn.execute(
        f"SELECT {_GEN_COLUMNS} FROM content_generations WHERE id = ?", (db_uuid(generation_id),)
    ).fetchone()
    return _generation(row) if row else None


def generations(conn: sqlite3.Connection, limit: int = 200) -> list[GenerationRecord]:
    """The newest generations first."""
    rows = conn.execute(
        f"SELECT {_GEN_COLUMNS} FROM content_generations ORDER BY created_at DESC LIMIT ?",
        (limit,),
    )
    return [_generation(r) for r in rows]


@dataclass(frozen=True, slots=True)
class VariantRecord:
    id: uuid.UUID
    generation_id: uuid.UUID
    position: int
    data: dict[str, Any]
    quality: list[dict[str, Any]]
    favourite: bool
    edited: bool
    updated_at: datetime


def add_variant(conn: sqlite3.Connection, v: VariantRecord) -> None:
    stamp = db_time(v.updated_at)
    conn.execute(
        "INSERT INTO content_variants (id, generation_id, position, data, quality, favourite,"
        " edited, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            db_uuid(v.id),
            db_uuid(v.generation_id),
            v.position,
            json.dumps(v.data, ensure_ascii=False),
            json.dumps(v.quality, ensure_ascii=False),
            int(v.favourite),
            int(v.edited),
            stamp,
            stamp,
        ),
    )


def update_variant(
    conn: sqlite3.Connection,
    variant_id: uuid.UUID,
    data: Mapping[str, Any],
    quality: list[dict[str, Any]],
    now: datetime,
) -> None:
    conn.execute(
        "UPDATE content_variants SET data = ?, quality = ?, edited = 1, updated_at = ?"
        " WHERE id = ?",
        (
            json.dumps(dict(data), ensure_ascii=False),
            json.dumps(quality, ensure_ascii=False),
            db_time(now),
            db_uuid(variant_id),
        ),
    )


def set_favourite(
    conn: sqlite3.Connection, variant_id: uuid.UUID, favourite: bool, now: datetime
) -> None:
    conn.execute(
        "UPDATE content_variants SET favourite = ?, updated_at = ? WHERE id = ?",
        (int(favourite), db_time(now), db_uuid(variant_id)),
    )


def mark_exported(conn: sqlite3.Connection, variant_ids: Iterable[uuid.UUID]) -> None:
    """Remember that these variants were written to a file (analytics: accepted). The
    text is unchanged, so ``updated_at`` is too."""
    conn.executemany(
        "UPDATE content_variants SET exported = 1 WHERE id = ?",
        [(db_uuid(v),) for v in variant_ids],
    )


_VAR_COLUMNS = "id, generation_id, position, data, quality, favourite, edited, updated_at"


def _variant(row: tuple[Any, ...]) -> VariantRecord:
    return VariantRecord(
        py_uuid(row[0]),
        py_uuid(row[1]),
        int(row[2]),
        json.loads(row[3]),
        json.loads(row[4]),
        bool(row[5]),
        bool(row[6]),
        py_time(row[7]),
    )


def variants(conn: sqlite3.Connection, generation_id: uuid.UUID) -> list[VariantRecord]:
    rows = conn.execute(
        f"SELECT {_VAR_COLUMNS} FROM content_variants WHERE generation_id = ? ORDER BY position",
        (db_uuid(generation_id),),
    )
    return [_variant(r) for r in rows]


def variant(conn: sqlite3.Connection, variant_id: uuid.UUID) -> VariantRecord | None:
    row = conn.execute(
        f"SELECT {_VAR_COLUMNS} FROM content_variants WHERE id = ?", (db_uuid(variant_id),)
    ).fetchone()
    return _variant(row) if row else None


def favourites(conn: sqlite3.Connection) -> list[VariantRecord]:
    rows = conn.execute(
        f"SELECT {_VAR_COLUMNS} FROM content_variants WHERE favourite = 1 ORDER BY updated_at DESC"
    )
    return [_variant(r) for r in rows]


@dataclass(frozen=True, slots=True)
class CachedReply:
    output: str
    mode: str
    prompt_tokens: int
    completion_tokens: int


def cached_reply(conn: sqlite3.Connection, key: str) -> CachedReply | None:
    row = conn.execute(
        "SELECT output, mode, prompt_tokens, completion_tokens FROM content_cache WHERE key = ?",
        (key,),
    ).fetchone()
    if row is None:
        return None
    return CachedReply(row[0], row[1], int(row[2]), int(row[3]))


def count_cache_hit(conn: sqlite3.Connection, key: str) -> None:
    conn.execute("UPDATE content_cache SET hits = hits + 1 WHERE key = ?", (key,))


def cache_reply(conn: sqlite3.Connection, key: str, reply: CachedReply, now: datetime) -> None:
    conn.execute(
        "INSERT INTO content_cache (key, output, mode, prompt_tokens, completion_tokens, hits,"
        " created_at) VALUES (?, ?, ?, ?, ?, 0, ?) ON CONFLICT(key) DO UPDATE SET"
        " output = excluded.output, mode = excluded.mode,"
        " prompt_tokens = excluded.prompt_tokens,"
        " completion_tokens = excluded.completion_tokens, created_at = excluded.created_at",
        (key, reply.output, reply.mode, reply.prompt_tokens, reply.completion_tokens, db_time(now)),
    )


@dataclass(frozen=True, slots=True)
class QueuedRecord:
    id: uuid.UUID
    brief_id: uuid.UUID
    provider: str
    request: dict[str, Any]
    status: str
    attempts: int
    last_error: str | None
    created_at: datetime


def enqueue(conn: sqlite3.Connection, q: QueuedRecord) -> None:
    conn.execute(
        "INSERT INTO content_queue (id, brief_id, provider, request, status, attempts,"
        " last_error, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            db_uuid(q.id),
            db_uuid(q.brief_id),
            q.provider,
            json.dumps(q.request),
            q.status,
            q.attempts,
            q.last_error,
            db_time(q.created_at),
        ),
    )


def queued(conn: sqlite3.Connection) -> list[QueuedRecord]:
    rows = conn.execute(
        "SELECT id, brief_id, provider, request, status, attempts, last_error, created_at"
        " FROM content_queue ORDER BY created_at"
    )
    return [
        QueuedRecord(py_uuid(i), py_uuid(b), p, json.loads(r), s, int(a), e, py_time(c))
        for i, b, p, r, s, a, e, c in rows
    ]


def update_queued(
    conn: sqlite3.Connection, queue_id: uuid.UUID, status: str, error: str | None
) -> None:
    conn.execute(
        "UPDATE content_queue SET status = ?, last_error = ?, attempts = attempts + 1 WHERE id = ?",
        (status, error, db_uuid(queue_id)),
    )


def dequeue(conn: sqlite3.Connection, queue_id: uuid.UUID) -> None:
    conn.execute("DELETE FROM content_queue WHERE id = ?", (db_uuid(queue_id),))
