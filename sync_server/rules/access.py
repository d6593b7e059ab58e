"""Who may read and write which sync scope."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass
from enum import StrEnum


class Role(StrEnum):
    OWNER = "owner"
    EDITOR = "editor"
    VIEWER = "viewer"


@dataclass(frozen=True)
class Scope:
    """A parsed scope key: ``user:<uuid>`` or ``team:<uuid>``."""

    kind: str
    id: uuid.UUID

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.id}"


def parse_scope(key: str) -> Scope | None:
    """The scope named by ``key``, or ``None`` when it is not a well-formed scope key."""
    kind, sep, raw = key.partition(":")
    if not sep or kind not in ("user", "team"):
        return None
    try:
        return Scope(kind, uuid.UUID(raw))
    except ValueError:
        return None


def can_read(scope: Scope, user_id: uuid.UUID, roles: Mapping[uuid.UUID, Role]) -> bool:
    """A user reads their own scope and the scope of every team they belong to."""
    if scope.kind == "user":
        return scope.id == user_id
    return scope.id in roles


def can_write(scope: Scope, user_id: uuid.UUID, roles: Mapping[uuid.UUID, Role]) -> bool:
    """A user writes their own scope; team templates need an editor or an owner."""
    if scope.kind == "user":
        return scope.id == user_id
    return roles.get(scope.id) in (Role.EDITOR, Role.OWNER)


def can_manage_team(team_id: uuid.UUID, roles: Mapping[uuid.UUID, Role]) -> bool:
    """Members, roles, invitations and the team progress read are for owners only."""
    return roles.get(team_id) is Role.OWNER
