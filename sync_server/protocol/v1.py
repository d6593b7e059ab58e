"""Protocol version 1: request and response bodies of ``/v1``."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

__all__ = [
    "MIN_PASSWORD_LENGTH",
    "AcceptInvitation",
    "Change",
    "DeviceOut",
    "ErrorBody",
    "InvitationCreate",
    "InvitationOut",
    "LessonProgressOut",
    "LoginRequest",
    "MeOut",
    "MemberOut",
    "MemberProgressOut",
    "MemberRoleUpdate",
    "Mutation",
    "MutationResult",
    "ProgressEventMutation",
    "PullRequest",
    "PullResponse",
    "PushRequest",
    "PushResponse",
    "RecordPutMutation",
    "RefreshRequest",
    "RestoreRequest",
    "RevisionOut",
    "RoleName",
    "SignupRequest",
    "TeamCreate",
    "TeamOut",
    "TemplateDeleteMutation",
    "TemplatePutMutation",
    "TemplateState",
    "TokenPair",
]

Email = Annotated[str, Field(min_length=3, max_length=320, pattern=r"^[^@\s]+@[^@\s]+$")]
RoleName = Literal["owner", "editor", "viewer"]
ScopeKey = Annotated[str, Field(pattern=r"^(user|team):[0-9a-f-]{36}$", max_length=41)]
FieldText = Annotated[str, Field(max_length=200_000)]
FieldName = Annotated[str, Field(min_length=1, max_length=64, pattern=r"^[a-z][a-z0-9_]*$")]


def _has_nul(value: object) -> bool:
    if isinstance(value, str):
        return "\x00" in value
    if isinstance(value, dict):
        return any(_has_nul(k) or _has_nul(v) for k, v in value.items())
    if isinstance(value, list | tuple):
        return any(_has_nul(v) for v in value)
    return False


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid")

    @model_validator(mode="before")
    @classmethod
    def _refuse_nul_characters(cls, data: Any) -> Any:
        # PostgreSQL text cannot hold U+0000; refuse it here with a clear 422 rather
        # than failing deep in the database.
        if _has_nul(data):
            raise ValueError("text may not contain the NUL character (U+0000)")
        return data


class ErrorBody(BaseModel):
    """Every error: a stable machine ``code`` and a ``message`` written for the user."""

    code: str
    message: str


# -- accounts -------------------------------------------------------------------------


class LoginRequest(_Body):
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    device_name: Annotated[str, Field(min_length=1, max_length=200)]
    device_id: uuid.UUID | None = None  # an already registered device logging in again


MIN_PASSWORD_LENGTH = 8
"""The server refuses shorter passwords (``password_too_short``); clients may check first."""


class SignupRequest(_Body):
    """Create an account with a team invitation code: the account joins the team with the
    invitation's role, the code is used up, and this device is signed in."""

    invite_code: Annotated[str, Field(min_length=1, max_length=128)]
    email: Email
    password: Annotated[str, Field(min_length=1, max_length=1024)]
    device_name: Annotated[str, Field(min_length=1, max_length=200)]
    display_name: Annotated[str, Field(max_length=200)] = ""


class RefreshRequest(_Body):
    refresh_token: Annotated[str, Field(min_length=1, max_length=512)]


class TokenPair(BaseModel):
    access_token: str
    refresh_token: str
    token_type: Literal["bearer"] = "bearer"
    expires_in: int
    user_id: uuid.UUID
    device_id: uuid.UUID


class DeviceOut(BaseModel):
    id: uuid.UUID
    name: str
    created_at: datetime
    revoked: bool
    current: bool


class TeamOut(BaseModel):
    id: uuid.UUID
    name: str
    role: RoleName
    scope: str


class MeOut(BaseModel):
    id: uuid.UUID
    email: str
    display_name: str
    scope: str
    teams: list[TeamOut]


# -- teams ----------------------------------------------------------------------------


class TeamCreate(_Body):
    name: Annotated[str, Field(min_length=1, max_length=200)]


class MemberOut(BaseModel):
    user_id: uuid.UUID
    email: str
    display_name: str
    role: RoleName


class MemberRoleUpdate(_Body):
    role: RoleName


class InvitationCreate(_Body):
    role: RoleName = "viewer"
    expires_in_hours: Annotated[int, Field(ge=1, le=24 * 30)] = 72


class InvitationOut(BaseModel):
    code: str
    team_id: uuid.UUID
    role: RoleName
    expires_at: datetime


class AcceptInvitation(_Body):
    code: Annotated[str, Field(min_length=1, max_length=128)]


# -- sync -----------------------------------------------------------------------------


class _MutationBase(_Body):
    mutation_id: uuid.UUID
    scope: ScopeKey


class ProgressEventMutation(_MutationBase):
    """An append-only progress event; ``occurred_at`` is the device clock, kept for display
    only and never used for ordering or merging."""

    kind: Literal["progress_event"]
    event_id: uuid.UUID
    course_id: Annotated[str, Field(min_length=1, max_length=200)]
    lesson_id: Annotated[str, Field(min_length=1, max_length=200)]
    type: Literal["attempt", "session", "completion"]
    score: Annotated[float, Field(ge=0, le=100)] | None = None
    seconds: Annotated[int, Field(ge=0, le=86_400)] = 0
    occurred_at: datetime | None = None
    # What the device recorded beyond the aggregate facts above (e.g. the slide viewed or
    # the question answered), handed back verbatim on pull so every device of the user
    # rebuilds the same history. Never read by the server's rules.
    detail: Annotated[dict[FieldName, str | int | float | bool | None], Field(max_length=16)] = (
        Field(default_factory=dict)
    )


class RecordPutMutation(_MutationBase):
    """A bookmark or note (user scope); ``deleted`` makes a tombstone. Ordered by arrival
    at the server, never by device clock."""

    kind: Literal["record_put"]
    record_id: uuid.UUID
    collection: Literal["bookmark", "note"]
    data: dict[str, Any] = Field(default_factory=dict)
    deleted: bool = False


class TemplatePutMutation(_MutationBase):
    """Create or edit a team template. ``base_version`` is the head the device last saw
    (``None`` for a new template)."""

    kind: Literal["template_put"]
    template_id: uuid.UUID
    base_version: Annotated[int, Field(ge=1)] | None = None
    fields: Annotated[dict[FieldName, FieldText], Field(max_length=32)]


class TemplateDeleteMutation(_MutationBase):
    kind: Literal["template_delete"]
    template_id: uuid.UUID
    base_version: Annotated[int, Field(ge=1)]


Mutation = Annotated[
    ProgressEventMutation | RecordPutMutation | TemplatePutMutation | TemplateDeleteMutation,
    Field(discriminator="kind"),
]


class PushRequest(_Body):
    device_id: uuid.UUID
    mutations: Annotated[list[Mutation], Field(min_length=1, max_length=1000)]


class TemplateState(BaseModel):
    template_id: uuid.UUID
    version: int
    fields: dict[str, str]
    deleted: bool


class MutationResult(BaseModel):
    """What happened to one mutation. ``status``: ``applied`` (fast-forward or new),
    ``merged`` (three-way merge was clean), ``conflict`` (head kept; the device's text is
    stored as ``conflict_copy_id``), ``kept_edit`` (a delete lost to a newer edit),
    ``rejected`` (invalid, with ``error``)."""

    mutation_id: uuid.UUID
    status: Literal["applied", "merged", "conflict", "kept_edit", "rejected"]
    sequence: int | None = None
    template: TemplateState | None = None
    conflict_copy_id: uuid.UUID | None = None
    conflict_fields: dict[str, str] | None = None
    error: ErrorBody | None = None


class PushResponse(BaseModel):
    results: list[MutationResult]


class PullRequest(_Body):
    """Per-scope cursors (the last sequence applied; 0 = from the start). Scopes the user
    can read but omitted here are pulled from 0."""

    cursors: Annotated[dict[ScopeKey, Annotated[int, Field(ge=0)]], Field(max_length=500)] = Field(
        default_factory=dict
    )
    limit: Annotated[int, Field(ge=1, le=1000)] = 500


class Change(BaseModel):
    scope: str
    sequence: int
    kind: Literal["progress_event", "record", "template", "template_conflict"]
    entity_id: uuid.UUID
    data: dict[str, Any]


class PullResponse(BaseModel):
    """A page of changes in (scope, sequence) order. ``cursors`` are the new cursors to store
    after applying the page; ``more`` says another page is waiting; a scope listed in
    ``resync_required`` must be re-downloaded from cursor 0 (keeping unsynced rows)."""

    changes: list[Change]
    cursors: dict[str, int]
    more: bool
    resync_required: list[str]


class RevisionOut(BaseModel):
    version: int
    fields: dict[str, str]
    deleted: bool
    created_at: datetime
    author_id: uuid.UUID | None
    restored_from: int | None


class RestoreRequest(_Body):
    version: Annotated[int, Field(ge=1)]


class LessonProgressOut(BaseModel):
    course_id: str
    lesson_id: str
    completed: bool
    best_score: float | None
    total_seconds: int
    attempts: int


class MemberProgressOut(BaseModel):
    user_id: uuid.UUID
    email: str
    lessons: list[LessonProgressOut]
