"""The template library's tables: templates, their versions, their open conflicts.

Plain parametrised SQL on a connection the caller holds inside a session. Every local
change bumps ``change_counter``; a team template is dirty (waiting for sync) while it is
above ``synced_counter``.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Mapping
from datetime import datetime
from types import MappingProxyType
from typing import Any

from desktop.domain.templates import (
    Template,
    TemplateConflict,
    TemplateDraft,
    TemplateKind,
    TemplateVersion,
    draft_from_fields,
    normalise_tags,
)
from desktop.storage.values import db_time, db_uuid, py_time, py_uuid

_COLUMNS = (
    "t.id, t.kind, t.name, t.description, t.tags, t.body, t.extra, t.team_id,"
    " t.server_version, t.deleted, t.created_at, t.updated_at,"
    " t.change_counter > t.synced_counter,"
    " EXISTS (SELECT 1 FROM template_conflicts c WHERE c.template_id = t.id)"
)


def _template(row: Any) -> Template:
    (
        tid,
        kind,
        name,
        description,
        tags,
        body,
        extra,
        team,
        version,
        deleted,
        created,
        updated,
        dirty,
        conflicted,
    ) = row
    draft = TemplateDraft(
        kind=TemplateKind(kind),
        name=name,
        body=body,
        description=description,
        tags=normalise_tags(tags),
        extra=MappingProxyType(json.loads(extra or "{}")),
    )
    return Template(
        id=py_uuid(tid),
        draft=draft,
        team_id=py_uuid(team) if team else None,
        server_version=version,
        created_at=py_time(created),
        updated_at=py_time(updated),
        deleted=bool(deleted),
        dirty=bool(dirty) and team is not None,
        conflicted=bool(conflicted),
    )


def draft_values(draft: TemplateDraft) -> tuple[str, str, str, str, str, str]:
    return (
        draft.kind.value,
        draft.name,
        draft.description,
        "\n".join(draft.tags),
        draft.body,
        json.dumps(dict(draft.extra), sort_keys=True),
    )


def insert(
    conn: sqlite3.Connection,
    template_id: uuid.UUID,
    draft: TemplateDraft,
    team_id: uuid.UUID | None,
    now: datetime,
) -> None:
    stamp = db_time(now)
    conn.execute(
        "INSERT INTO templates (id, kind, name, description, tags, body, extra, team_id,"
        " server_version, deleted, created_at, updated_at, change_counter, synced_counter)"
        " VALUES (?, ?, ?, ?, ?, ?, ?, ?, NULL, 0, ?, ?, 1, 0)",
        (
            db_uuid(template_id),
            *draft_values(draft),
            db_uuid(team_id) if team_id else None,
            stamp,
            stamp,
        ),
    )


def update(
    conn: sqlite3.Connection,
    template_id: uuid.UUID,
    draft: TemplateDraft,
    now: datetime,
    *,
    deleted: bool = False,
) -> None:
    conn.execute(
        "UPDATE templates SET kind = ?, name = ?, description = ?, tags = ?, body = ?,"
        " extra = ?, deleted = ?, updated_at = ?, change_counter = change_counter + 1"
        " WHERE id = ?",
        (*draft_values(draft), int(deleted), db_time(now), db_uuid(template_id)),
    )


def set_deleted(
    conn: sqlite3.Connection, template_id: uuid.UUID, deleted: bool, now: datetime
) -> None:
    conn.execute(
        "UPDATE templates SET deleted = ?, updated_at = ?, change_counter = change_counter + 1"
        " WHERE id = ?",
        (int(deleted), db_time(now), db_uuid(template_id)),
    )


def make_personal(conn: sqlite3.Connection, template_id: uuid.UUID, now: datetime) -> None:
    """Detach a template from its team: it stays here as a personal template."""
    conn.execute(
        "UPDATE templates SET team_id = NULL, server_version = NULL, updated_at = ?,"
        " change_counter = 1, synced_counter = 0 WHERE id = ?",
        (db_time(now), db_uuid(template_id)),
    )
    conn.execute("DELETE FROM template_conflicts WHERE template_id = ?", (db_uuid(template_id),))


def get(conn: sqlite3.Connection, template_id: uuid.UUID) -> Template | None:
    row = conn.execute(
        f"SELECT {_COLUMNS} FROM templates t WHERE t.id = ?", (db_uuid(template_id),)
    ).fetchone()
    return _template(row) if row is not None else None


def search(
    conn: sqlite3.Connection,
    kind: TemplateKind | None = None,
    query: str = "",
    tag: str | None = None,
    team_id: uuid.UUID | None = None,
    include_deleted: bool = False,
) -> list[Template]:
    """Templates by name; filtered by kind, tag, team and words found in any text."""
    where: list[str] = []
    params: list[object] = []
    if not include_deleted:
        where.append("t.deleted = 0")
    if kind is not None:
        where.append("t.kind = ?")
        params.append(kind.value)
    if team_id is not None:
        where.append("t.team_id = ?")
        params.append(db_uuid(team_id))
    if tag:
        where.append("('\n' || t.tags || '\n') LIKE ? ESCAPE '\\'")
        params.append(f"%\n{_like(tag.strip().lower())}\n%")
    for word in query.split():
        where.append(
            "(t.name || '\n' || t.description || '\n' || t.tags || '\n' || t.body)"
            " LIKE ? ESCAPE '\\'"
        )
        params.append(f"%{_like(word)}%")
    sql = f"SELECT {_COLUMNS} FROM templates t"
    if where:
        sql += " WHERE " + " AND ".join(where)
    sql += " ORDER BY lower(t.name), t.created_at"
    return [_template(row) for row in conn.execute(sql, params)]


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def all_tags(conn: sqlite3.Connection) -> list[str]:
    tags: set[str] = set()
    for (text,) in conn.execute("SELECT tags FROM templates WHERE deleted = 0"):
        tags.update(normalise_tags(text))
    return sorted(tags)


# -- versions -------------------------------------------------------------------------


def add_version(
    conn: sqlite3.Connection,
    template_id: uuid.UUID,
    fields: Mapping[str, str],
    *,
    source: str,
    now: datetime,
    server_version: int | None = None,
    deleted: bool = False,
) -> None:
    """Remember one text of a template. A team version already remembered is not added
    twice (it comes back in the pull after this device pushed it)."""
    conn.execute(
        "INSERT INTO template_versions (template_id, server_version, fields, deleted, source,"
        " created_at) SELECT ?, ?, ?, ?, ?, ? WHERE ? IS NULL OR NOT EXISTS (SELECT 1 FROM"
        " template_versions WHERE template_id = ? AND server_version = ?)",
        (
            db_uuid(template_id),
            server_version,
            json.dumps(dict(fields), sort_keys=True),
            int(deleted),
            source,
            db_time(now),
            server_version,
            db_uuid(template_id),
            server_version,
        ),
    )


def versions(conn: sqlite3.Connection, template_id: uuid.UUID) -> list[TemplateVersion]:
    """Oldest first (by when each text was written, here or on the server)."""
    rows = conn.execute(
        "SELECT seq, server_version, fields, deleted, source, created_at FROM template_versions"
        " WHERE template_id = ? ORDER BY created_at, seq",
        (db_uuid(template_id),),
    )
    return [
        TemplateVersion(
            seq=seq,
            template_id=template_id,
            number=number,
            draft=draft_from_fields(json.loads(fields)),
            deleted=bool(deleted),
            source=source,
            created_at=py_time(created),
        )
        for seq, number, fields, deleted, source, created in rows
    ]


def version(conn: sqlite3.Connection, seq: int) -> TemplateVersion | None:
    row = conn.execute(
        "SELECT template_id, server_version, fields, deleted, source, created_at"
        " FROM template_versions WHERE seq = ?",
        (seq,),
    ).fetchone()
    if row is None:
        return None
    tid, number, fields, deleted, source, created = row
    return TemplateVersion(
        seq,
        py_uuid(tid),
        number,
        draft_from_fields(json.loads(fields)),
        bool(deleted),
        source,
        py_time(created),
    )


# -- conflicts ------------------------------------------------------------------------


def add_conflict(
    conn: sqlite3.Connection,
    conflict_id: uuid.UUID,
    template_id: uuid.UUID,
    *,
    base_version: int | None,
    head_version: int,
    mine: Mapping[str, str],
    theirs: Mapping[str, str],
    conflicting_fields: list[str],
    now: datetime,
) -> bool:
    """Keep a conflict (once: the same conflict pulled again is not added twice)."""
    cursor = conn.execute(
        "INSERT INTO template_conflicts (id, template_id, base_version, head_version, mine,"
        " theirs, conflicting_fields, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
        " ON CONFLICT (id) DO NOTHING",
        (
            db_uuid(conflict_id),
            db_uuid(template_id),
            base_version,
            head_version,
            json.dumps(dict(mine), sort_keys=True),
            json.dumps(dict(theirs), sort_keys=True),
            json.dumps(conflicting_fields),
            db_time(now),
        ),
    )
    return cursor.rowcount > 0


def conflicts(
    conn: sqlite3.Connection, template_id: uuid.UUID | None = None
) -> list[TemplateConflict]:
    sql = (
        "SELECT id, template_id, head_version, mine, theirs, conflicting_fields, created_at"
        " FROM template_conflicts"
    )
    params: tuple[object, ...] = ()
    if template_id is not None:
        sql += " WHERE template_id = ?"
        params = (db_uuid(template_id),)
    out: list[TemplateConflict] = []
    for cid, tid, head, mine, theirs, names, created in conn.execute(
        sql + " ORDER BY created_at", params
    ):
        mine_draft = draft_from_fields(json.loads(mine))
        theirs_draft = draft_from_fields(json.loads(theirs))
        if mine_draft is None or theirs_draft is None:
            continue
        out.append(
            TemplateConflict(
                id=py_uuid(cid),
                template_id=py_uuid(tid),
                head_version=head,
                mine=mine_draft,
                theirs=theirs_draft,
                conflicting_fields=tuple(json.loads(names)),
                created_at=py_time(created),
            )
        )
    return out


def delete_conflict(conn: sqlite3.Connection, conflict_id: uuid.UUID) -> None:
    conn.execute("DELETE FROM template_conflicts WHERE id = ?", (db_uuid(conflict_id),))
