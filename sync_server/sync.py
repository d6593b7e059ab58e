"""Push and pull: idempotent batches of mutations in, per-scope pages of changes out."""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from fastapi import APIRouter, Request
from sqlalchemy import literal, null, select, union_all
from sqlalchemy.dialects.postgresql import JSONB
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server import protocol as p
from sync_server.auth import CurrentPrincipal, OneSnapshot, Principal, Session
from sync_server.changes import ChangeWriter
from sync_server.errors import ApiError, forbidden
from sync_server.models import (
    AppliedMutation,
    ChangeEntry,
    ProgressEvent,
    QuizAnswer,
    Record,
    SyncScope,
)
from sync_server.ratelimit import enforce
from sync_server.rules.access import can_read, can_write, parse_scope
from sync_server.settings import Settings
from sync_server.templates import apply_delete, apply_put

router = APIRouter(tags=["sync"])


# -- push -----------------------------------------------------------------------------


def _check_writable(principal: Principal, mutations: Sequence[p.Mutation]) -> None:
    for m in mutations:
        scope = parse_scope(m.scope)
        if scope is None or not can_write(scope, principal.user_id, principal.roles):
            raise forbidden(f"You cannot write to {m.scope}.")
        user_kind = isinstance(m, p.ProgressEventMutation | p.RecordPutMutation)
        if user_kind != (scope.kind == "user"):
            raise ApiError(
                422, "wrong_scope", f"A {m.kind} mutation cannot go to a {scope.kind} scope."
            )


async def push(session: AsyncSession, principal: Principal, body: p.PushRequest) -> p.PushResponse:
    """Apply a batch in one transaction (the caller commits) and store every result."""
    if body.device_id != principal.device_id:
        raise forbidden("The device_id is not the device this session signed in on.")
    _check_writable(principal, body.mutations)
    writer = ChangeWriter(session)
    await writer.lock(m.scope for m in body.mutations)
    # Looked up under the scope locks: a concurrent retry of the same batch waits above.
    # One round trip for both: the stored results of this batch, and which of its
    # progress events the server already has (from any device).
    ids = [m.mutation_id for m in body.mutations]
    event_ids = [m.event_id for m in body.mutations if isinstance(m, p.ProgressEventMutation)]
    lookup = select(
        literal("m").label("what"), AppliedMutation.mutation_id, AppliedMutation.result
    ).where(AppliedMutation.device_id == principal.device_id, AppliedMutation.mutation_id.in_(ids))
    if event_ids:
        lookup = union_all(  # type: ignore[assignment]
            lookup,
            select(literal("e").label("what"), ProgressEvent.id, null().cast(JSONB)).where(
                ProgressEvent.id.in_(event_ids)
            ),
        )
    done: dict[uuid.UUID, p.MutationResult] = {}
    known_events: set[uuid.UUID] = set()
    for what, some_id, result in await session.execute(lookup):
        if what == "m":
            done[some_id] = p.MutationResult.model_validate(result)
        else:
            known_events.add(some_id)
    events: list[dict[str, Any]] = []
    answers: list[dict[str, Any]] = []
    applied: list[dict[str, Any]] = []
    results: list[p.MutationResult] = []
    for m in body.mutations:
        if m.mutation_id in done:
            results.append(done[m.mutation_id])
            continue
        if isinstance(m, p.ProgressEventMutation):
            result = _apply_event(writer, m, principal, known_events, events, answers)
        elif isinstance(m, p.RecordPutMutation):
            result = await _apply_record(session, writer, m, principal)
        elif isinstance(m, p.TemplatePutMutation):
            result = await apply_put(session, writer, m, principal)
        else:
            result = await apply_delete(session, writer, m, principal)
        done[m.mutation_id] = result
        results.append(result)
        applied.append(
            {
                "device_id": principal.device_id,
                "mutation_id": m.mutation_id,
                "user_id": principal.user_id,
                "result": result.model_dump(mode="json"),
            }
        )
    await session.flush()
    if events:
        await session.execute(pg_insert(ProgressEvent).on_conflict_do_nothing(), events)
    if answers:  # after their events (foreign key), in the same transaction
        await session.execute(pg_insert(QuizAnswer).on_conflict_do_nothing(), answers)
    await writer.flush()
    if applied:
        await session.execute(pg_insert(AppliedMutation), applied)
    return p.PushResponse(results=results)


def _apply_event(
    writer: ChangeWriter,
    m: p.ProgressEventMutation,
    principal: Principal,
    known: set[uuid.UUID],
    rows: list[dict[str, Any]],
    answers: list[dict[str, Any]],
) -> p.MutationResult:
    """Progress is a union of events: an event already stored is not stored twice. A
    quiz attempt that names its question also becomes a typed ``quiz_answers`` row, which
    the analytics read instead of the change log's JSON."""
    if m.event_id in known:
        return p.MutationResult(mutation_id=m.mutation_id, status="applied")
    known.add(m.event_id)
    data = {
        "event_id": str(m.event_id),
        "course_id": m.course_id,
        "lesson_id": m.lesson_id,
        "type": m.type,
        "score": m.score,
        "seconds": m.seconds,
        "occurred_at": m.occurred_at.isoformat() if m.occurred_at else None,
        "detail": m.detail,
    }
    seq = writer.emit(m.scope, "progress_event", m.event_id, data)
    rows.append(
        {
            "id": m.event_id,
            "user_id": principal.user_id,
            "device_id": principal.device_id,
            "course_id": m.course_id,
            "lesson_id": m.lesson_id,
            "type": m.type,
            "score": m.score,
            "seconds": m.seconds,
            "occurred_at": m.occurred_at,
        }
    )
    answer = _quiz_answer(m, principal)
    if answer is not None:
        answers.append(answer)
    return p.MutationResult(mutation_id=m.mutation_id, status="applied", sequence=seq)


def _quiz_answer(m: p.ProgressEventMutation, principal: Principal) -> dict[str, Any] | None:
    """The answer as the device described it in ``detail``: the question id (any JSON,
    as text, at most 200 characters like every id) and ``correct`` only when it is a
    boolean; None for events that are not attempts at a named question."""
    detail = m.detail or {}
    question = detail.get("question_id")
    if m.type != "attempt" or question is None:
        return None
    correct = detail.get("correct")
    return {
        "event_id": m.event_id,
        "user_id": principal.user_id,
        "course_id": m.course_id,
        "lesson_id": m.lesson_id,
        "question_id": (question if isinstance(question, str) else json.dumps(question))[:200],
        "correct": correct if isinstance(correct, bool) else None,
        "score": m.score,
        "at": m.occurred_at or datetime.now(UTC),
    }


async def _apply_record(
    session: AsyncSession, writer: ChangeWriter, m: p.RecordPutMutation, principal: Principal
) -> p.MutationResult:
    """Bookmarks and notes: the latest to reach the server wins (never a device clock)."""
    record = await session.get(Record, m.record_id)
    if record is not None and record.user_id != principal.user_id:
        return p.MutationResult(
            mutation_id=m.mutation_id,
            status="rejected",
            error=p.ErrorBody(code="wrong_scope", message="That record belongs to someone else."),
        )
    if record is None:
        record = Record(id=m.record_id, user_id=principal.user_id, collection=m.collection)
        session.add(record)
    record.collection = m.collection
    record.data = m.data
    record.deleted = m.deleted
    data = {
        "record_id": str(m.record_id),
        "collection": m.collection,
        "data": m.data,
        "deleted": m.deleted,
    }
    seq = writer.emit(m.scope, "record", m.record_id, data, tombstone=m.deleted)
    return p.MutationResult(mutation_id=m.mutation_id, status="applied", sequence=seq)


# -- pull -----------------------------------------------------------------------------


async def pull(
    session: AsyncSession, principal: Principal, body: p.PullRequest, page_max: int
) -> p.PullResponse:
    """One bounded page of changes across the caller's scopes, in (scope, sequence) order."""
    readable = {principal.user_scope} | {f"team:{t}" for t in principal.roles}
    for key in body.cursors:
        scope = parse_scope(key)
        if scope is None or not can_read(scope, principal.user_id, principal.roles):
            raise forbidden(f"You cannot read {key}.")
    cursors = {key: body.cursors.get(key, 0) for key in readable}
    rows = await session.execute(
        select(SyncScope.key, SyncScope.last_sequence, SyncScope.pruned_through)
        .where(SyncScope.key.in_(cursors))
        .order_by(SyncScope.key)
    )
    budget = min(body.limit, page_max)
    changes: list[p.Change] = []
    resync: list[str] = []
    more = False
    for key, last, pruned_through in rows:
        cursor = cursors[key]
        if 0 < cursor < pruned_through or cursor > last:
            resync.append(key)
            continue
        if cursor == last:
            continue
        if budget == 0:
            more = True
            continue
        page = await session.execute(
            select(ChangeEntry)
            .where(ChangeEntry.scope == key, ChangeEntry.sequence > cursor)
            .order_by(ChangeEntry.sequence)
            .limit(budget)
        )
        for change in page.scalars():
            changes.append(
                p.Change(
                    scope=key,
                    sequence=change.sequence,
                    kind=change.kind,  # type: ignore[arg-type]
                    entity_id=change.entity_id,
                    data=change.data,
                )
            )
            cursors[key] = change.sequence
            budget -= 1
        if cursors[key] < last:
            more = True
    return p.PullResponse(changes=changes, cursors=cursors, more=more, resync_required=resync)


# -- endpoints ------------------------------------------------------------------------


@router.post(
    "/sync/push",
    response_model=p.PushResponse,
    responses={403: {"model": p.ErrorBody}, 429: {"model": p.ErrorBody}},
)
async def push_endpoint(
    body: p.PushRequest, request: Request, principal: CurrentPrincipal, session: Session
) -> p.PushResponse:
    """Apply a batch of mutations. Replaying a batch returns the stored results."""
    settings: Settings = request.app.state.settings
    key, limit = f"push:{principal.user_id}", settings.push_requests_per_minute
    # The count rides in the push's own transaction (taken before the scope locks, so
    # the lock order is always: rate-limit row, then scopes in key order).
    await enforce(session, key, limit, "sync", commit=False)
    try:
        response = await push(session, principal, body)
        await session.commit()
    except ApiError:
        # The rollback took the count with it; a refused push still counts.
        await session.rollback()
        await enforce(session, key, limit, "sync")
        raise
    return response


@router.post(
    "/sync/pull",
    response_model=p.PullResponse,
    responses={403: {"model": p.ErrorBody}},
    dependencies=[OneSnapshot],
)
async def pull_endpoint(
    body: p.PullRequest, request: Request, principal: CurrentPrincipal, session: Session
) -> p.PullResponse:
    """The next page of changes for every scope you can read."""
    settings: Settings = request.app.state.settings
    return await pull(session, principal, body, settings.pull_page_max)
