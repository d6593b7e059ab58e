"""Sync bookkeeping in the local database: account facts, cursors, teams, the outbox,
applying pulled pages and the server's answers to pushes.

Every function works on a connection the caller holds inside one session, so a pulled
page and its cursors are applied in one transaction (all or nothing), and so are the
answers to one pushed batch.
"""

from __future__ import annotations

import json
import sqlite3
import uuid
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from desktop.domain.templates import draft_from_fields
from desktop.storage import templates as template_repo
from desktop.storage.values import db_time, db_uuid, py_uuid

if TYPE_CHECKING:  # the wire types only describe what arrives; pydantic is not needed here
    from sync_server import protocol as p

# Local progress event kinds -> the server's aggregate types (see sync_server.rules).
_EVENT_TYPES = {"quiz_attempt": "attempt", "lesson_completed": "completion"}
_TYPE_KINDS = {"attempt": "quiz_attempt", "completion": "lesson_completed", "session": "time_spent"}
MAX_ATTEMPTS = 3  # a mutation the server refused this often waits for the user


@dataclass(frozen=True, slots=True)
class TeamRecord:
    team_id: uuid.UUID
    name: str
    role: str

    @property
    def scope(self) -> str:
        return f"team:{self.team_id}"

    @property
    def writable(self) -> bool:
        return self.role in ("owner", "editor")


@dataclass(frozen=True, slots=True)
class OutboxEntry:
    mutation_id: uuid.UUID
    entity: str
    entity_id: uuid.UUID
    counter: int
    scope: str
    payload: dict[str, Any]


@dataclass
class ApplyReport:
    """What a pulled page or a push answer changed here."""

    events: int = 0
    records: int = 0
    templates: int = 0
    conflicts: int = 0
    rejected: list[str] = field(default_factory=list)

    def add(self, other: ApplyReport) -> None:
        self.events += other.events
        self.records += other.records
        self.templates += other.templates
        self.conflicts += other.conflicts
        self.rejected.extend(other.rejected)


# -- state ----------------------------------------------------------------------------


def get_state(conn: sqlite3.Connection, key: str) -> str | None:
    row = conn.execute("SELECT value FROM sync_state WHERE key = ?", (key,)).fetchone()
    return None if row is None else str(row[0])


def set_state(conn: sqlite3.Connection, key: str, value: str | None) -> None:
    if value is None:
        conn.execute("DELETE FROM sync_state WHERE key = ?", (key,))
    else:
        conn.execute(
            "INSERT INTO sync_state (key, value) VALUES (?, ?)"
            " ON CONFLICT (key) DO UPDATE SET value = excluded.value",
            (key, value),
        )


def all_state(conn: sqlite3.Connection) -> dict[str, str]:
    return dict(conn.execute("SELECT key, value FROM sync_state").fetchall())


def clear_account(conn: sqlite3.Connection) -> None:
    """Forget the account (sign out): state, cursors, teams. Local data stays."""
    conn.execute("DELETE FROM sync_state")
    conn.execute("DELETE FROM sync_cursors")
    conn.execute("DELETE FROM sync_teams")
    conn.execute("DELETE FROM sync_outbox")


def cursors(conn: sqlite3.Connection) -> dict[str, int]:
    return {scope: int(c) for scope, c in conn.execute("SELECT scope, cursor FROM sync_cursors")}


def set_cursors(conn: sqlite3.Connection, values: Mapping[str, int]) -> None:
    conn.executemany(
        "INSERT INTO sync_cursors (scope, cursor) VALUES (?, ?)"
        " ON CONFLICT (scope) DO UPDATE SET cursor = excluded.cursor",
        list(values.items()),
    )


def teams(conn: sqlite3.Connection) -> list[TeamRecord]:
    return [
        TeamRecord(py_uuid(tid), name, role)
        for tid, name, role in conn.execute(
            "SELECT team_id, name, role FROM sync_teams ORDER BY lower(name)"
        )
    ]


def replace_teams(conn: sqlite3.Connection, records: Iterable[TeamRecord]) -> None:
    conn.execute("DELETE FROM sync_teams")
    conn.executemany(
        "INSERT INTO sync_teams (team_id, name, role) VALUES (?, ?, ?)",
        [(db_uuid(t.team_id), t.name, t.role) for t in records],
    )


def forget_team(conn: sqlite3.Connection, team_id: uuid.UUID, now: datetime) -> tuple[int, int]:
    """This account left (or was removed from) a team: its templates go, except those with
    changes that never reached the server, which stay as personal templates (nothing
    typed here is lost). Returns (removed, kept as personal)."""
    key = db_uuid(team_id)
    dirty = [
        py_uuid(tid)
        for (tid,) in conn.execute(
            "SELECT id FROM templates WHERE team_id = ? AND deleted = 0"
            " AND change_counter > synced_counter",
            (key,),
        )
    ]
    for tid in dirty:
        template_repo.make_personal(conn, tid, now)
    ids = [tid for (tid,) in conn.execute("SELECT id FROM templates WHERE team_id = ?", (key,))]
    conn.executemany("DELETE FROM template_conflicts WHERE template_id = ?", [(i,) for i in ids])
    conn.executemany("DELETE FROM template_versions WHERE template_id = ?", [(i,) for i in ids])
    conn.execute("DELETE FROM templates WHERE team_id = ?", (key,))
    scope = f"team:{team_id}"
    conn.execute("DELETE FROM sync_cursors WHERE scope = ?", (scope,))
    conn.execute("DELETE FROM sync_outbox WHERE scope = ?", (scope,))
    set_state(conn, f"resync:{scope}", None)
    return len(ids), len(dirty)


def detach_unwritable_edits(conn: sqlite3.Connection, team_id: uuid.UUID, now: datetime) -> int:
    """The account may no longer write to the team (now a viewer): unsynced edits of its
    templates become personal copies, and the team's text comes back with the next pull."""
    key = db_uuid(team_id)
    rows = conn.execute(
        "SELECT id FROM templates WHERE team_id = ? AND change_counter > synced_counter",
        (key,),
    ).fetchall()
    kept = 0
    for (tid,) in rows:
        template = template_repo.get(conn, py_uuid(tid))
        if template is None:
            continue
        if not template.deleted:
            copy = uuid.uuid4()
            template_repo.insert(conn, copy, template.draft, None, now)
            template_repo.add_version(conn, copy, template.draft.fields(), source="edit", now=now)
            kept += 1
        # The team's copy goes back to the last state the server had.
        conn.execute("UPDATE templates SET synced_counter = change_counter WHERE id = ?", (tid,))
    conn.execute("DELETE FROM sync_outbox WHERE scope = ?", (f"team:{team_id}",))
    if rows:  # pull the team's texts again
        conn.execute("DELETE FROM sync_cursors WHERE scope = ?", (f"team:{team_id}",))
    return kept


# -- the outbox -----------------------------------------------------------------------


def _iso(value: str) -> str:
    return datetime.fromisoformat(value).replace(tzinfo=UTC).isoformat()


def fill_outbox(
    conn: sqlite3.Connection,
    user_id: uuid.UUID,
    writable_teams: Iterable[uuid.UUID],
    now: datetime,
) -> int:
    """Queue every local change not yet queued. Returns how many entries were added.

    An entity already in the outbox keeps its entry (and mutation id) until the server
    answers it, so a retry after a lost answer is recognised by the server; changes
    made meanwhile are queued on the next round."""
    scope = f"user:{user_id}"
    stamp = db_time(now)
    rows: list[tuple[object, ...]] = []

    events = conn.execute(
        "SELECT id, kind, course_id, lesson_id, slide_id, question_id, correct, score, seconds,"
        " occurred_at FROM progress_events e WHERE synced = 0 AND NOT EXISTS"
        " (SELECT 1 FROM sync_outbox o WHERE o.entity = 'event' AND o.entity_id = e.id)"
        " ORDER BY seq"
    ).fetchall()
    for eid, kind, course, lesson, slide, question, correct, score, seconds, at in events:
        detail: dict[str, object] = {"kind": kind}
        for key, value in (
            ("slide_id", slide),
            ("question_id", question),
            ("correct", None if correct is None else bool(correct)),
            ("score", score),
            ("seconds", seconds),
        ):
            if value is not None:
                detail[key] = value
        mutation_id = uuid.uuid4()
        payload = {
            "kind": "progress_event",
            "mutation_id": str(mutation_id),
            "scope": scope,
            "event_id": str(py_uuid(eid)),
            "course_id": course,
            "lesson_id": lesson,
            "type": _EVENT_TYPES.get(kind, "session"),
            "score": None if score is None else max(0.0, min(100.0, float(score))),
            "seconds": max(0, min(86_400, round(seconds or 0))),
            "occurred_at": _iso(at),
            "detail": detail,
        }
        rows.append((db_uuid(mutation_id), "event", eid, 1, scope, json.dumps(payload), stamp))

    for table, collection in (("bookmarks", "bookmark"), ("notes", "note")):
        text = ", text" if table == "notes" else ", ''"
        found = conn.execute(
            f"SELECT id, course_id, lesson_id, slide_id, created_at, updated_at, deleted,"
            f" change_counter{text} FROM {table} r WHERE change_counter > synced_counter"
            f" AND NOT EXISTS (SELECT 1 FROM sync_outbox o WHERE o.entity = ?"
            f" AND o.entity_id = r.id)",
            (collection,),
        ).fetchall()
        for rid, course, lesson, slide, created, updated, deleted, counter, note in found:
            data: dict[str, object] = {
                "course_id": course,
                "lesson_id": lesson,
                "slide_id": slide,
                "created_at": _iso(created),
                "updated_at": _iso(updated),
            }
            if collection == "note":
                data["text"] = note
            mutation_id = uuid.uuid4()
            payload = {
                "kind": "record_put",
                "mutation_id": str(mutation_id),
                "scope": scope,
                "record_id": str(py_uuid(rid)),
                "collection": collection,
                "data": data,
                "deleted": bool(deleted),
            }
            rows.append(
                (db_uuid(mutation_id), collection, rid, counter, scope, json.dumps(payload), stamp)
            )

    teams_ok = [db_uuid(t) for t in writable_teams]
    if teams_ok:
        marks = ", ".join("?" * len(teams_ok))
        found = conn.execute(
            f"SELECT id, team_id, server_version, deleted, change_counter FROM templates t"
            f" WHERE team_id IN ({marks}) AND change_counter > synced_counter AND NOT EXISTS"
            f" (SELECT 1 FROM sync_outbox o WHERE o.entity = 'template' AND o.entity_id = t.id)",
            teams_ok,
        ).fetchall()
        for tid, team, version, deleted, counter in found:
            template = template_repo.get(conn, py_uuid(tid))
            if template is None:
                continue
            tscope = f"team:{py_uuid(team)}"
            mutation_id = uuid.uuid4()
            if deleted:
                if version is None:  # never reached the server: nothing to tell it
                    conn.execute(
                        "UPDATE templates SET synced_counter = change_counter WHERE id = ?", (tid,)
                    )
                    continue
                payload = {
                    "kind": "template_delete",
                    "mutation_id": str(mutation_id),
                    "scope": tscope,
                    "template_id": str(py_uuid(tid)),
                    "base_version": version,
                }
            else:
                payload = {
                    "kind": "template_put",
                    "mutation_id": str(mutation_id),
                    "scope": tscope,
                    "template_id": str(py_uuid(tid)),
                    "base_version": version,
                    "fields": template.draft.fields(),
                }
            rows.append(
                (db_uuid(mutation_id), "template", tid, counter, tscope, json.dumps(payload), stamp)
            )

    conn.executemany(
        "INSERT INTO sync_outbox (mutation_id, entity, entity_id, counter, scope, payload,"
        " created_at, attempts) VALUES (?, ?, ?, ?, ?, ?, ?, 0)",
        rows,
    )
    return len(rows)


def outbox_batch(
    conn: sqlite3.Connection,
    writable_scopes: Iterable[str],
    limit: int = 500,
    max_bytes: int = 600_000,
    skip: Sequence[uuid.UUID] = (),
) -> list[OutboxEntry]:
    """The oldest entries that fit in one push (by count and by body size)."""
    scopes = list(writable_scopes)
    if not scopes:
        return []
    marks = ", ".join("?" * len(scopes))
    rows = conn.execute(
        f"SELECT mutation_id, entity, entity_id, counter, scope, payload FROM sync_outbox"
        f" WHERE attempts < ? AND scope IN ({marks}) ORDER BY created_at, rowid LIMIT ?",
        (MAX_ATTEMPTS, *scopes, limit + len(skip)),
    ).fetchall()
    skipped = {db_uuid(s) for s in skip}
    out: list[OutboxEntry] = []
    size = 0
    for mid, entity, eid, counter, scope, payload in rows:
        if mid in skipped:
            continue
        if out and size + len(payload) > max_bytes:
            break
        size += len(payload)
        out.append(
            OutboxEntry(py_uuid(mid), entity, py_uuid(eid), counter, scope, json.loads(payload))
        )
        if len(out) == limit:
            break
    return out


def pending_count(conn: sqlite3.Connection) -> int:
    """Local changes the server has not confirmed yet."""
    (n,) = conn.execute(
        "SELECT (SELECT count(*) FROM progress_events WHERE synced = 0)"
        " + (SELECT count(*) FROM bookmarks WHERE change_counter > synced_counter)"
        " + (SELECT count(*) FROM notes WHERE change_counter > synced_counter)"
        " + (SELECT count(*) FROM templates WHERE team_id IS NOT NULL"
        "    AND change_counter > synced_counter)"
    ).fetchone()
    return int(n)


def refused(conn: sqlite3.Connection) -> int:
    (n,) = conn.execute(
        "SELECT count(*) FROM sync_outbox WHERE attempts >= ?", (MAX_ATTEMPTS,)
    ).fetchone()
    return int(n)


# -- answers to a push ----------------------------------------------------------------


def ack(
    conn: sqlite3.Connection,
    entries: Sequence[OutboxEntry],
    results: Sequence[p.MutationResult],
    now: datetime,
) -> ApplyReport:
    """Apply the server's answers to one pushed batch (in the caller's transaction)."""
    report = ApplyReport()
    by_id = {r.mutation_id: r for r in results}
    events: list[tuple[object, ...]] = []
    done: list[tuple[str]] = []
    for entry in entries:
        result = by_id.get(entry.mutation_id)
        if result is None:
            continue
        key = db_uuid(entry.mutation_id)
        if result.status == "rejected":
            message = result.error.message if result.error else "refused"
            report.rejected.append(message)
            conn.execute(
                "UPDATE sync_outbox SET attempts = attempts + 1 WHERE mutation_id = ?", (key,)
            )
            continue
        done.append((key,))
        if entry.entity == "event":
            events.append((entry.scope, result.sequence, db_uuid(entry.entity_id)))
        elif entry.entity in ("bookmark", "note"):
            table = "bookmarks" if entry.entity == "bookmark" else "notes"
            conn.execute(
                f"UPDATE {table} SET synced_counter = max(synced_counter, ?), scope = ?,"
                f" server_version = coalesce(?, server_version) WHERE id = ?",
                (entry.counter, entry.scope, result.sequence, db_uuid(entry.entity_id)),
            )
            report.records += 1
        else:
            report.add(_ack_template(conn, entry, result, now))
    if events:
        conn.executemany(
            "UPDATE progress_events SET synced = 1, scope = ?,"
            " server_version = coalesce(?, server_version) WHERE id = ?",
            events,
        )
        report.events += len(events)
    conn.executemany("DELETE FROM sync_outbox WHERE mutation_id = ?", done)
    return report


def _ack_template(
    conn: sqlite3.Connection, entry: OutboxEntry, result: p.MutationResult, now: datetime
) -> ApplyReport:
    report = ApplyReport(templates=1)
    key = db_uuid(entry.entity_id)
    local = template_repo.get(conn, entry.entity_id)
    state = result.template
    if local is None or state is None:
        return report
    row = conn.execute("SELECT change_counter FROM templates WHERE id = ?", (key,)).fetchone()
    newer = int(row[0]) > entry.counter
    theirs = draft_from_fields(state.fields)
    if result.status == "conflict" and result.conflict_copy_id is not None and theirs is not None:
        mine = local.draft.fields()
        names = sorted(
            n for n in set(mine) | set(state.fields) if mine.get(n) != state.fields.get(n)
        )
        template_repo.add_conflict(
            conn,
            result.conflict_copy_id,
            entry.entity_id,
            base_version=entry.payload.get("base_version"),
            head_version=state.version,
            mine=mine,
            theirs=state.fields,
            conflicting_fields=names,
            now=now,
        )
        _write_team_state(conn, entry.entity_id, state, theirs, now)
        conn.execute("UPDATE templates SET synced_counter = change_counter WHERE id = ?", (key,))
        report.conflicts += 1
        return report
    if theirs is None:
        return report
    source = {"applied": "edit", "merged": "merge"}.get(result.status, "team")
    if not newer:
        _write_team_state(conn, entry.entity_id, state, theirs, now, source)
    elif result.status == "applied":
        # The head is exactly what was pushed; later edits build on it.
        conn.execute("UPDATE templates SET server_version = ? WHERE id = ?", (state.version, key))
    conn.execute(
        "UPDATE templates SET synced_counter = max(synced_counter, ?) WHERE id = ?",
        (entry.counter, key),
    )
    template_repo.add_version(
        conn,
        entry.entity_id,
        state.fields,
        source=source,
        now=now,
        server_version=state.version,
        deleted=state.deleted,
    )
    return report


def _write_team_state(
    conn: sqlite3.Connection,
    template_id: uuid.UUID,
    state: p.TemplateState,
    draft: Any,
    now: datetime,
    source: str = "team",
) -> None:
    conn.execute(
        "UPDATE templates SET kind = ?, name = ?, description = ?, tags = ?, body = ?,"
        " extra = ?, server_version = ?, deleted = ?, updated_at = ? WHERE id = ?",
        (
            *template_repo.draft_values(draft),
            state.version,
            int(state.deleted),
            db_time(now),
            db_uuid(template_id),
        ),
    )
    template_repo.add_version(
        conn,
        template_id,
        state.fields,
        source=source,
        now=now,
        server_version=state.version,
        deleted=state.deleted,
    )


# -- applying a pulled page -----------------------------------------------------------

_EVENT_INSERT = (
    "INSERT INTO progress_events (id, kind, course_id, lesson_id, slide_id, question_id,"
    " correct, score, seconds, occurred_at, device_id, scope, server_version, synced)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, 1) ON CONFLICT DO NOTHING"
)
_BOOKMARK_UPSERT = (
    "INSERT INTO bookmarks (id, course_id, lesson_id, slide_id, created_at, updated_at, deleted,"
    " scope, server_version, change_counter, synced_counter)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)"
    " ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at,"
    " updated_at = excluded.updated_at, deleted = excluded.deleted, scope = excluded.scope,"
    " server_version = excluded.server_version"
    " WHERE bookmarks.change_counter <= bookmarks.synced_counter"
    " ON CONFLICT DO NOTHING"
)
_NOTE_UPSERT = (
    "INSERT INTO notes (id, course_id, lesson_id, slide_id, created_at, updated_at, deleted,"
    " scope, server_version, change_counter, synced_counter, text)"
    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0, ?)"
    " ON CONFLICT (id) DO UPDATE SET created_at = excluded.created_at,"
    " updated_at = excluded.updated_at, deleted = excluded.deleted, scope = excluded.scope,"
    " server_version = excluded.server_version, text = excluded.text"
    " WHERE notes.change_counter <= notes.synced_counter"
    " ON CONFLICT DO NOTHING"
)


def _time(value: object, fallback: str) -> str:
    if not isinstance(value, str):
        return fallback
    # The common case, fast: what the server echoes of an aware UTC time with microseconds
    # ("2026-11-25T19:33:27.123456+00:00") becomes the stored form by slicing.
    if len(value) == 32 and value[10] == "T" and value[19] == "." and value.endswith("+00:00"):
        return f"{value[:10]} {value[11:26]}"
    try:
        parsed = datetime.fromisoformat(value)
    except ValueError:
        return fallback
    if parsed.tzinfo is None:
        parsed = parsed.replace(tzinfo=UTC)
    return db_time(parsed)


def apply_page(
    conn: sqlite3.Connection,
    page: p.PullResponse,
    user_id: uuid.UUID,
    now: datetime,
) -> ApplyReport:
    """Apply one pulled page and store its cursors, in the caller's transaction.

    Local rows with changes the server has not seen are never overwritten: they reach
    the server with the next push (and win, or merge, there)."""
    report = ApplyReport()
    stamp = db_time(now)
    events: list[tuple[object, ...]] = []
    bookmarks: list[tuple[object, ...]] = []
    notes: list[tuple[object, ...]] = []
    me = str(user_id)
    resyncing = {
        scope: set(json.loads(value))
        for scope, value in (
            (k[len("resync:") :], v)
            for k, v in conn.execute("SELECT key, value FROM sync_state WHERE key LIKE 'resync:%'")
        )
    }
    for change in page.changes:
        data = change.data
        if change.kind == "progress_event":
            detail = data.get("detail") or {}
            kind = detail.get("kind") or _TYPE_KINDS.get(str(data.get("type")), "time_spent")
            score = detail.get("score", data.get("score"))
            seconds = detail.get("seconds", data.get("seconds") or 0)
            correct = detail.get("correct")
            events.append(
                (
                    db_uuid(change.entity_id),
                    str(kind),
                    str(data.get("course_id", "")),
                    str(data.get("lesson_id", "")),
                    detail.get("slide_id"),
                    detail.get("question_id"),
                    None if correct is None else int(bool(correct)),
                    score,
                    max(0.0, float(seconds)),
                    _time(data.get("occurred_at"), stamp),
                    change.scope,
                    change.sequence,
                )
            )
        elif change.kind == "record":
            inner = data.get("data") or {}
            created = _time(inner.get("created_at"), stamp)
            values = (
                db_uuid(change.entity_id),
                str(inner.get("course_id", "")),
                str(inner.get("lesson_id", "")),
                str(inner.get("slide_id", "")),
                created,
                _time(inner.get("updated_at"), created),
                int(bool(data.get("deleted"))),
                change.scope,
                change.sequence,
            )
            if data.get("collection") == "note":
                notes.append((*values, "" if data.get("deleted") else str(inner.get("text", ""))))
            else:
                bookmarks.append(values)
            seen = resyncing.get(change.scope)
            if seen is not None:
                seen.discard(db_uuid(change.entity_id))
        elif change.kind == "template":
            if _apply_template(conn, change, now):
                report.templates += 1
            seen = resyncing.get(change.scope)
            if seen is not None:
                seen.discard(db_uuid(change.entity_id))
        elif (
            change.kind == "template_conflict"
            and data.get("author_id") == me
            and _apply_conflict(conn, change, now)
        ):
            report.conflicts += 1
    if events:
        before = conn.total_changes
        conn.executemany(_EVENT_INSERT, events)
        report.events = conn.total_changes - before
    if bookmarks:
        conn.executemany(_BOOKMARK_UPSERT, bookmarks)
    if notes:
        conn.executemany(_NOTE_UPSERT, notes)
    report.records = len(bookmarks) + len(notes)
    for scope, seen in resyncing.items():
        set_state(conn, f"resync:{scope}", json.dumps(sorted(seen)))
    set_cursors(conn, page.cursors)
    return report


def _apply_template(conn: sqlite3.Connection, change: p.Change, now: datetime) -> bool:
    data = change.data
    fields = data.get("fields") or {}
    draft = draft_from_fields({str(k): str(v) for k, v in fields.items()})
    if draft is None:
        return False
    version = int(data.get("version", 0))
    deleted = bool(data.get("deleted"))
    team_id = uuid.UUID(change.scope.partition(":")[2])
    key = db_uuid(change.entity_id)
    row = conn.execute(
        "SELECT change_counter, synced_counter, server_version, team_id FROM templates"
        " WHERE id = ?",
        (key,),
    ).fetchone()
    stamp = db_time(now)
    local_edits = False
    if row is None:
        conn.execute(
            "INSERT INTO templates (id, kind, name, description, tags, body, extra, team_id,"
            " server_version, deleted, created_at, updated_at, change_counter, synced_counter)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 0, 0)",
            (
                key,
                *template_repo.draft_values(draft),
                db_uuid(team_id),
                version,
                int(deleted),
                stamp,
                stamp,
            ),
        )
    else:
        counter, synced, local_version, local_team = row
        if local_team != db_uuid(team_id):
            return False  # not this team's any more (or a personal copy): leave it be
        # Unsynced local edits are kept; they go up against their base version.
        local_edits = counter > synced
        if not local_edits:
            if local_version is not None and local_version >= version:
                return False
            conn.execute(
                "UPDATE templates SET kind = ?, name = ?, description = ?, tags = ?, body = ?,"
                " extra = ?, server_version = ?, deleted = ?, updated_at = ? WHERE id = ?",
                (*template_repo.draft_values(draft), version, int(deleted), stamp, key),
            )
    # The team's text goes into the history either way.
    template_repo.add_version(
        conn,
        change.entity_id,
        fields,
        source="team",
        now=now,
        server_version=version,
        deleted=deleted,
    )
    if local_edits:
        return True
    # A conflict whose text the team now has (someone kept it) is settled.
    for conflict in template_repo.conflicts(conn, change.entity_id):
        if conflict.mine.fields() == draft.fields():
            template_repo.delete_conflict(conn, conflict.id)
    return True


def _apply_conflict(conn: sqlite3.Connection, change: p.Change, now: datetime) -> bool:
    """Another device of this account pushed a text that conflicted: show it here too."""
    data = change.data
    template_id = uuid.UUID(str(data.get("template_id")))
    local = template_repo.get(conn, template_id)
    if local is None:
        return False
    head = int(data.get("head_version", 0))
    theirs: Mapping[str, str] | None = None
    for version in reversed(template_repo.versions(conn, template_id)):
        if version.number == head and version.draft is not None:
            theirs = version.draft.fields()
            break
    if theirs is None:
        theirs = local.draft.fields()
    mine = {str(k): str(v) for k, v in (data.get("fields") or {}).items()}
    if mine == dict(theirs):
        return False
    return template_repo.add_conflict(
        conn,
        change.entity_id,
        template_id,
        base_version=data.get("base_version"),
        head_version=head,
        mine=mine,
        theirs=theirs,
        conflicting_fields=[str(n) for n in data.get("conflicting_fields") or []],
        now=now,
    )


# -- resync ---------------------------------------------------------------------------


def start_resync(conn: sqlite3.Connection, scope: str) -> None:
    """The server pruned changes this replica never saw: download the scope again from
    the start. Rows with unsynced local changes are kept; clean rows the re-download
    does not bring back (deleted meanwhile) are removed when it completes."""
    kind, _, raw = scope.partition(":")
    clean: list[str] = []
    if kind == "team":
        clean = [
            tid
            for (tid,) in conn.execute(
                "SELECT id FROM templates WHERE team_id = ? AND change_counter <= synced_counter",
                (db_uuid(uuid.UUID(raw)),),
            )
        ]
    set_state(conn, f"resync:{scope}", json.dumps(clean))
    set_cursors(conn, {scope: 0})


def finish_resync(conn: sqlite3.Connection) -> int:
    """After a complete pull: remove the clean rows a re-download did not bring back."""
    removed = 0
    for key, value in conn.execute(
        "SELECT key, value FROM sync_state WHERE key LIKE 'resync:%'"
    ).fetchall():
        for tid in json.loads(value):
            cur = conn.execute(
                "DELETE FROM templates WHERE id = ? AND change_counter <= synced_counter", (tid,)
            )
            removed += max(cur.rowcount, 0)
        set_state(conn, key, None)
    return removed
