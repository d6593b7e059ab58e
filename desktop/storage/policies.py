"""Policy Studio's rows: the company profile, documents, versions and their reviews.

Plain parametrised SQL on a connection from :class:`desktop.storage.database.Database`
(the caller opens the session). JSON columns hold answers and jurisdiction lists. An
approved version is frozen by triggers (see the migration): an attempt to change one
raises :class:`FrozenVersion`.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from desktop.storage.values import db_time, db_uuid, py_time, py_uuid

PROFILE_ID = "default"
_FROZEN = "approved and frozen"


class FrozenVersion(Exception):  # noqa: N818 (a state the user meets, not a crash)
    """The version is approved: its text, answers and checklist cannot change."""

    user_message = (
        "This version is approved and frozen, so it cannot change. Choose Edit to start "
        "a new draft version from it."
    )


def _frozen_guard(exc: sqlite3.DatabaseError) -> None:
    if _FROZEN in str(exc):
        raise FrozenVersion(str(exc)) from exc


@dataclass(frozen=True, slots=True)
class ProfileRecord:
    answers: dict[str, Any]
    logo_path: str | None
    updated_at: datetime | None


@dataclass(frozen=True, slots=True)
class DocumentRecord:
    id: uuid.UUID
    policy_type: str
    title: str
    jurisdictions: list[str]
    created_at: datetime
    updated_at: datetime
    latest_number: int = 0
    latest_state: str = "draft"
    approved_number: int | None = None  # the newest approved version, if any


@dataclass(frozen=True, slots=True)
class VersionRecord:
    id: uuid.UUID
    document_id: uuid.UUID
    number: int
    state: str
    answers: dict[str, Any]
    source: str
    effective_date: str | None
    author: str
    reviewer: str | None
    changelog: str
    notice: str
    frozen_hash: str | None
    created_at: datetime
    updated_at: datetime
    approved_at: datetime | None
    # The library template the text came from (None: the bundled one) and which of its
    # versions (the library's version seq).
    template_id: uuid.UUID | None = None
    template_version: int | None = None


@dataclass(frozen=True, slots=True)
class CommentRecord:
    id: uuid.UUID
    version_id: uuid.UUID
    section_key: str
    section_title: str
    author: str
    text: str
    resolved: bool
    created_at: datetime


@dataclass(frozen=True, slots=True)
class EventRecord:
    version_id: uuid.UUID
    action: str
    actor: str
    note: str
    occurred_at: datetime


@dataclass(frozen=True, slots=True)
class ChecklistRecord:
    item_id: str
    jurisdiction: str
    text: str
    checked: bool
    checked_by: str | None
    checked_at: datetime | None


# -- profile -------------------------------------------------------------------------


def profile(conn: sqlite3.Connection) -> ProfileRecord:
    row = conn.execute(
        "SELECT answers, logo_path, updated_at FROM policy_profile WHERE id = ?", (PROFILE_ID,)
    ).fetchone()
    if row is None:
        return ProfileRecord({}, None, None)
    return ProfileRecord(json.loads(row[0]), row[1], py_time(row[2]))


def save_profile(
    conn: sqlite3.Connection, answers: dict[str, Any], logo_path: str | None, now: datetime
) -> None:
    conn.execute(
        "INSERT INTO policy_profile (id, answers, logo_path, updated_at) VALUES (?, ?, ?, ?)"
        " ON CONFLICT (id) DO UPDATE SET answers = excluded.answers,"
        " logo_path = excluded.logo_path, updated_at = excluded.updated_at",
        (PROFILE_ID, json.dumps(answers, sort_keys=True), logo_path, db_time(now)),
    )


# -- documents -----------------------------------------------------------------------

_DOC_COLUMNS = (
    "d.id, d.policy_type, d.title, d.jurisdictions, d.created_at, d.updated_at,"
    " (SELECT MAX(number) FROM policy_versions v WHERE v.document_id = d.id),"
    " (SELECT state FROM policy_versions v WHERE v.document_id = d.id"
    "  ORDER BY number DESC LIMIT 1),"
    " (SELECT MAX(number) FROM policy_versions v WHERE v.document_id = d.id"
    "  AND v.state = 'approved')"
)


def _document(row: Sequence[Any]) -> DocumentRecord:
    return DocumentRecord(
        py_uuid(row[0]),
        row[1],
        row[2],
        list(json.loads(row[3])),
        py_time(row[4]),
        py_time(row[5]),
        row[6] or 0,
        row[7] or "draft",
        row[8],
    )


def insert_document(
    conn: sqlite3.Connection,
    id: uuid.UUID,
    policy_type: str,
    title: str,
    jurisdictions: Sequence[str],
    now: datetime,
) -> None:
    stamp = db_time(now)
    conn.execute(
        "INSERT INTO policy_documents (id, policy_type, title, jurisdictions, created_at,"
        " updated_at, deleted) VALUES (?, ?, ?, ?, ?, ?, 0)",
        (db_uuid(id), policy_type, title, json.dumps(list(jurisdictions)), stamp, stamp),
    )


def documents(conn: sqlite3.Connection) -> list[DocumentRecord]:
    """Live documents, most recently changed first."""
    rows = conn.execute(
        f"SELECT {_DOC_COLUMNS} FROM policy_documents d WHERE d.deleted = 0"
        " ORDER BY d.updated_at DESC, d.title"
    ).fetchall()
    return [_document(r) for r in rows]


def document(conn: sqlite3.Connection, id: uuid.UUID) -> DocumentRecord | None:
    row = conn.execute(
        f"SELECT {_DOC_COLUMNS} FROM policy_documents d WHERE d.id = ? AND d.deleted = 0",
        (db_uuid(id),),
    ).fetchone()
    return None if row is None else _document(row)


def update_document(
    conn: sqlite3.Connection,
    id: uuid.UUID,
    now: datetime,
    *,
    title: str | None = None,
    jurisdictions: Sequence[str] | None = None,
) -> None:
    if title is not None:
        conn.execute("UPDATE policy_documents SET title = ? WHERE id = ?", (title, db_uuid(id)))
    if jurisdictions is not None:
        conn.execute(
            "UPDATE policy_documents SET jurisdictions = ? WHERE id = ?",
            (json.dumps(list(jurisdictions)), db_uuid(id)),
        )
    touch_document(conn, id, now)


def touch_document(conn: sqlite3.Connection, id: uuid.UUID, now: datetime) -> None:
    conn.execute(
        "UPDATE policy_documents SET updated_at = ? WHERE id = ?", (db_time(now), db_uuid(id))
    )


def delete_document(conn: sqlite3.Connection, id: uuid.UUID, deleted: bool, now: datetime) -> None:
    """Hide (or bring back) a document; its versions stay, approved ones are frozen."""
    conn.execute(
        "UPDATE policy_documents SET deleted = ?, updated_at = ? WHERE id = ?",
        (int(deleted), db_time(now), db_uuid(id)),
    )


# -- versions ------------------------------------------------------------------------

_VERSION_COLUMNS = (
    "id, document_id, number, state, answers, source, effective_date, author, reviewer,"
    " changelog, notice, frozen_hash, created_at, updated_at, approved_at, template_id,"
    " template_version"
)


def _version(row: Sequence[Any]) -> VersionRecord:
    return VersionRecord(
        py_uuid(row[0]),
        py_uuid(row[1]),
        row[2],
        row[3],
        json.loads(row[4]),
        row[5],
        row[6],
        row[7],
        row[8],
        row[9],
        row[10],
        row[11],
        py_time(row[12]),
        py_time(row[13]),
        py_time(row[14]) if row[14] else None,
        py_uuid(row[15]) if row[15] else None,
        row[16],
    )


def insert_version(
    conn: sqlite3.Connection,
    id: uuid.UUID,
    document_id: uuid.UUID,
    number: int,
    answers: dict[str, Any],
    source: str,
    effective_date: str | None,
    author: str,
    now: datetime,
    changelog: str = "",
    template_id: uuid.UUID | None = None,
    template_version: int | None = None,
) -> None:
    stamp = db_time(now)
    conn.execute(
        f"INSERT INTO policy_versions ({_VERSION_COLUMNS}) VALUES"
        " (?, ?, ?, 'draft', ?, ?, ?, ?, NULL, ?, '', NULL, ?, ?, NULL, ?, ?)",
        (
            db_uuid(id),
            db_uuid(document_id),
            number,
            json.dumps(answers, sort_keys=True),
            source,
            effective_date,
            author,
            changelog,
            stamp,
            stamp,
            db_uuid(template_id) if template_id is not None else None,
            template_version,
        ),
    )
    touch_document(conn, document_id, now)


def version(conn: sqlite3.Connection, id: uuid.UUID) -> VersionRecord | None:
    row = conn.execute(
        f"SELECT {_VERSION_COLUMNS} FROM policy_versions WHERE id = ?", (db_uuid(id),)
    ).fetchone()
    return None if row is None else _version(row)


def versions(conn: sqlite3.Connection, document_id: uuid.UUID) -> list[VersionRecord]:
    """Every version of a document, newest first."""
    rows = conn.execute(
        f"SELECT {_VERSION_COLUMNS} FROM policy_versions WHERE document_id = ?"
        " ORDER BY number DESC",
        (db_uuid(document_id),),
    ).fetchall()
    return [_version(r) for r in rows]


def update_version(
    conn: sqlite3.Connection,
    id: uuid.UUID,
    now: datetime,
    **fields: Any,
) -> None:
    """Change some of a version's columns (``answers`` as a dict). A frozen version
    raises :class:`FrozenVersion`."""
    allowed = {
        "answers",
        "source",
        "effective_date",
        "author",
        "reviewer",
        "changelog",
        "notice",
        "state",
        "frozen_hash",
        "approved_at",
        "template_id",
        "template_version",
    }
    unknown = set(fields) - allowed
    if unknown:
        raise ValueError(f"unknown version columns: {sorted(unknown)}")
    sets = []
    params: list[Any] = []
    for name, value in fields.items():
        if name == "answers":
            value = json.dumps(value, sort_keys=True)
        elif name == "approved_at" and value is not None:
            value = db_time(value)
        elif name == "template_id" and value is not None:
            value = db_uuid(value)
        sets.append(f"{name} = ?")
        params.append(value)
    sets.append("updated_at = ?")
    params += [db_time(now), db_uuid(id)]
    try:
        conn.execute(f"UPDATE policy_versions SET {', '.join(sets)} WHERE id = ?", params)
    except sqlite3.DatabaseError as exc:
        _frozen_guard(exc)
        raise
    row = conn.execute(
        "SELECT document_id FROM policy_versions WHERE id = ?", (db_uuid(id),)
    ).fetchone()
    if row is not None:
        touch_document(conn, py_uuid(row[0]), now)


# -- review --------------------------------------------------------------------------


def add_comment(
    conn: sqlite3.Connection,
    id: uuid.UUID,
    version_id: uuid.UUID,
    section_key: str,
    section_title: str,
    author: str,
    text: str,
    now: datetime,
) -> None:
    conn.execute(
        "INSERT INTO policy_review_comments (id, version_id, section_key, section_title,"
        " author, text, resolved, created_at) VALUES (?, ?, ?, ?, ?, ?, 0, ?)",
        (db_uuid(id), db_uuid(version_id), section_key, section_title, author, text, db_time(now)),
    )


def comments(conn: sqlite3.Connection, version_id: uuid.UUID) -> list[CommentRecord]:
    rows = conn.execute(
        "SELECT id, version_id, section_key, section_title, author, text, resolved, created_at"
        " FROM policy_review_comments WHERE version_id = ? ORDER BY created_at, id",
        (db_uuid(version_id),),
    ).fetchall()
    return [
        CommentRecord(
            py_uuid(r[0]), py_uuid(r[1]), r[2], r[3], r[4], r[5], bool(r[6]), py_time(r[7])
        )
        for r in rows
    ]


def set_comment_resolved(conn: sqlite3.Connection, id: uuid.UUID, resolved: bool) -> None:
    conn.execute(
        "UPDATE policy_review_comments SET resolved = ? WHERE id = ?", (int(resolved), db_uuid(id))
    )


def add_event(
    conn: sqlite3.Connection,
    version_id: uuid.UUID,
    action: str,
    actor: str,
    note: str,
    now: datetime,
) -> None:
    conn.execute(
        "INSERT INTO policy_review_events (version_id, action, actor, note, occurred_at)"
        " VALUES (?, ?, ?, ?, ?)",
        (db_uuid(version_id), action, actor, note, db_time(now)),
    )


def events(conn: sqlite3.Connection, version_id: uuid.UUID) -> list[EventRecord]:
    rows = conn.execute(
        "SELECT version_id, action, actor, note, occurred_at FROM policy_review_events"
        " WHERE version_id = ? ORDER BY seq",
        (db_uuid(version_id),),
    ).fetchall()
    return [EventRecord(py_uuid(r[0]), r[1], r[2], r[3], py_time(r[4])) for r in rows]


def replace_checklist(
    conn: sqlite3.Connection,
    version_id: uuid.UUID,
    items: Sequence[tuple[str, str, str]],  # (item_id, jurisdiction, text)
) -> None:
    """Set the checklist's items, keeping the ticks of items that stay."""
    key = db_uuid(version_id)
    wanted = {item_id for item_id, _j, _t in items}
    try:
        for (item_id,) in conn.execute(
            "SELECT item_id FROM policy_checklist WHERE version_id = ?", (key,)
        ).fetchall():
            if item_id not in wanted:
                conn.execute(
                    "DELETE FROM policy_checklist WHERE version_id = ? AND item_id = ?",
                    (key, item_id),
                )
        for position, (item_id, jurisdiction, text) in enumerate(items):
            conn.execute(
                "INSERT INTO policy_checklist (version_id, item_id, jurisdiction, position, text,"
                " checked) VALUES (?, ?, ?, ?, ?, 0) ON CONFLICT (version_id, item_id) DO UPDATE"
                " SET jurisdiction = excluded.jurisdiction, position = excluded.position,"
                " text = excluded.text WHERE policy_checklist.position IS NOT excluded.position"
                " OR policy_checklist.text IS NOT excluded.text",
                (key, item_id, jurisdiction, position, text),
            )
    except sqlite3.DatabaseError as exc:
        _frozen_guard(exc)
        raise


def checklist(conn: sqlite3.Connection, version_id: uuid.UUID) -> list[ChecklistRecord]:
    rows = conn.execute(
        "SELECT item_id, jurisdiction, text, checked, checked_by, checked_at"
        " FROM policy_checklist WHERE version_id = ? ORDER BY position",
        (db_uuid(version_id),),
    ).fetchall()
    return [
        ChecklistRecord(r[0], r[1], r[2], bool(r[3]), r[4], py_time(r[5]) if r[5] else None)
        for r in rows
    ]


def set_checked(
    conn: sqlite3.Connection,
    version_id: uuid.UUID,
    item_id: str,
    checked: bool,
    by: str | None,
    now: datetime,
) -> None:
    try:
        conn.execute(
            "UPDATE policy_checklist SET checked = ?, checked_by = ?, checked_at = ?"
            " WHERE version_id = ? AND item_id = ?",
            (
                int(checked),
                by if checked else None,
                db_time(now) if checked else None,
                db_uuid(version_id),
                item_id,
            ),
        )
    except sqlite3.DatabaseError as exc:
        _frozen_guard(exc)
        raise
