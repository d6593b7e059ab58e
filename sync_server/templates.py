"""Team templates: append-only revisions, fast-forward, three-way merge, conflict copies."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter
from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from sync_server import protocol as p
from sync_server.auth import CurrentPrincipal, Principal, Session
from sync_server.changes import ChangeWriter
from sync_server.errors import forbidden, not_found
from sync_server.models import ConflictCopy, Template, TemplateRevision
from sync_server.rules.access import Scope, can_read, can_write
from sync_server.rules.merge import merge_fields

router = APIRouter(tags=["templates"])


def _state(template: Template, fields: dict[str, str]) -> p.TemplateState:
    return p.TemplateState(
        template_id=template.id,
        version=template.head_version,
        fields=fields,
        deleted=template.deleted,
    )


def _rejected(mutation_id: uuid.UUID, code: str, message: str) -> p.MutationResult:
    return p.MutationResult(
        mutation_id=mutation_id, status="rejected", error=p.ErrorBody(code=code, message=message)
    )


async def _revision(
    session: AsyncSession, template_id: uuid.UUID, version: int
) -> TemplateRevision:
    revision = await session.get(TemplateRevision, (template_id, version))
    if revision is None:  # revisions are append-only, so this is a broken database
        raise RuntimeError(f"template {template_id} has no revision {version}")
    return revision


async def _append(
    session: AsyncSession,
    writer: ChangeWriter,
    scope: str,
    template: Template,
    fields: dict[str, str],
    deleted: bool,
    principal: Principal,
    restored_from: int | None = None,
) -> int:
    template.head_version += 1
    template.deleted = deleted
    session.add(
        TemplateRevision(
            template_id=template.id,
            version=template.head_version,
            fields=fields,
            deleted=deleted,
            author_id=principal.user_id,
            device_id=principal.device_id,
            restored_from=restored_from,
        )
    )
    data: dict[str, Any] = {
        "template_id": str(template.id),
        "version": template.head_version,
        "fields": fields,
        "deleted": deleted,
    }
    return writer.emit(scope, "template", template.id, data, tombstone=deleted)


async def apply_put(
    session: AsyncSession, writer: ChangeWriter, m: p.TemplatePutMutation, principal: Principal
) -> p.MutationResult:
    team_id = uuid.UUID(m.scope.partition(":")[2])
    fields = dict(m.fields)
    template = await session.get(Template, m.template_id)
    if template is None:
        if m.base_version is not None:
            return _rejected(m.mutation_id, "unknown_template", "That template does not exist.")
        template = Template(id=m.template_id, team_id=team_id, head_version=0, deleted=False)
        session.add(template)
        seq = await _append(session, writer, m.scope, template, fields, False, principal)
        return p.MutationResult(
            mutation_id=m.mutation_id,
            status="applied",
            sequence=seq,
            template=_state(template, fields),
        )
    if template.team_id != team_id:
        return _rejected(m.mutation_id, "wrong_scope", "That template belongs to another team.")
    base_version = m.base_version or 0
    if base_version > template.head_version:
        return _rejected(m.mutation_id, "invalid_base_version", "The base version is unknown.")
    head = await _revision(session, template.id, template.head_version)
    if base_version == template.head_version or template.deleted:
        # Fast-forward; or the head is a delete, and an edit against a delete keeps the edit.
        seq = await _append(session, writer, m.scope, template, fields, False, principal)
        return p.MutationResult(
            mutation_id=m.mutation_id,
            status="applied",
            sequence=seq,
            template=_state(template, fields),
        )
    base = (await _revision(session, template.id, base_version)).fields if base_version else {}
    merged = merge_fields(base, head.fields, fields)
    if merged.clean:
        if merged.fields == head.fields:
            return p.MutationResult(
                mutation_id=m.mutation_id, status="merged", template=_state(template, head.fields)
            )
        seq = await _append(session, writer, m.scope, template, merged.fields, False, principal)
        return p.MutationResult(
            mutation_id=m.mutation_id,
            status="merged",
            sequence=seq,
            template=_state(template, merged.fields),
        )
    copy = ConflictCopy(
        id=uuid.uuid4(),
        template_id=template.id,
        base_version=m.base_version,
        head_version=template.head_version,
        fields=fields,
        author_id=principal.user_id,
        device_id=principal.device_id,
    )
    session.add(copy)
    seq = writer.emit(
        m.scope,
        "template_conflict",
        copy.id,
        {
            "conflict_id": str(copy.id),
            "template_id": str(template.id),
            "base_version": m.base_version,
            "head_version": template.head_version,
            "fields": fields,
            "conflicting_fields": merged.conflicting_fields,
            "author_id": str(principal.user_id),
        },
    )
    return p.MutationResult(
        mutation_id=m.mutation_id,
        status="conflict",
        sequence=seq,
        template=_state(template, head.fields),
        conflict_copy_id=copy.id,
        conflict_fields=fields,
    )


async def apply_delete(
    session: AsyncSession, writer: ChangeWriter, m: p.TemplateDeleteMutation, principal: Principal
) -> p.MutationResult:
    team_id = uuid.UUID(m.scope.partition(":")[2])
    template = await session.get(Template, m.template_id)
    if template is None or template.team_id != team_id:
        return _rejected(m.mutation_id, "unknown_template", "That template does not exist.")
    if m.base_version > template.head_version:
        return _rejected(m.mutation_id, "invalid_base_version", "The base version is unknown.")
    head = await _revision(session, template.id, template.head_version)
    if template.deleted:
        return p.MutationResult(
            mutation_id=m.mutation_id, status="applied", template=_state(template, head.fields)
        )
    if m.base_version < template.head_version:
        # Someone edited after this device last saw the template: the edit wins.
        return p.MutationResult(
            mutation_id=m.mutation_id, status="kept_edit", template=_state(template, head.fields)
        )
    seq = await _append(session, writer, m.scope, template, head.fields, True, principal)
    return p.MutationResult(
        mutation_id=m.mutation_id,
        status="applied",
        sequence=seq,
        template=_state(template, head.fields),
    )


# -- endpoints ------------------------------------------------------------------------


async def _team_template(
    session: AsyncSession, team_id: uuid.UUID, template_id: uuid.UUID
) -> Template:
    template = await session.get(Template, template_id)
    if template is None or template.team_id != team_id:
        raise not_found("The template")
    return template


@router.get(
    "/teams/{team_id}/templates/{template_id}/revisions",
    response_model=list[p.RevisionOut],
    responses={403: {"model": p.ErrorBody}, 404: {"model": p.ErrorBody}},
)
async def revisions(
    team_id: uuid.UUID, template_id: uuid.UUID, principal: CurrentPrincipal, session: Session
) -> list[p.RevisionOut]:
    """Every revision of a template, oldest first (any member)."""
    if not can_read(Scope("team", team_id), principal.user_id, principal.roles):
        raise forbidden("You are not a member of this team.")
    await _team_template(session, team_id, template_id)
    rows = await session.execute(
        select(TemplateRevision)
        .where(TemplateRevision.template_id == template_id)
        .order_by(TemplateRevision.version)
    )
    return [
        p.RevisionOut(
            version=r.version,
            fields=r.fields,
            deleted=r.deleted,
            created_at=r.created_at,
            author_id=r.author_id,
            restored_from=r.restored_from,
        )
        for r in rows.scalars()
    ]


@router.post(
    "/teams/{team_id}/templates/{template_id}/restore",
    response_model=p.TemplateState,
    responses={403: {"model": p.ErrorBody}, 404: {"model": p.ErrorBody}},
)
async def restore(
    team_id: uuid.UUID,
    template_id: uuid.UUID,
    body: p.RestoreRequest,
    principal: CurrentPrincipal,
    session: Session,
) -> p.TemplateState:
    """Make an old revision the head again, as a new revision (editors and owners)."""
    scope = Scope("team", team_id)
    if not can_write(scope, principal.user_id, principal.roles):
        raise forbidden("Only editors and owners can change team templates.")
    writer = ChangeWriter(session)
    await writer.lock([scope.key])
    template = await _team_template(session, team_id, template_id)
    old = await session.get(TemplateRevision, (template_id, body.version))
    if old is None:
        raise not_found("That revision")
    fields = dict(old.fields)
    await _append(session, writer, scope.key, template, fields, False, principal, body.version)
    await writer.flush()
    await session.commit()
    return _state(template, fields)
