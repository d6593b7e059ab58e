"""The sync client's light types: the problems it raises and the token pair.

Kept apart from :mod:`desktop.integrations.sync_client` so the app can start, show the
status bar and read its settings without importing httpx and pydantic (a quarter of a
second); those load with the first sync.
"""

from __future__ import annotations

import time
from collections.abc import Mapping
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sync_server.protocol import TokenPair


class SyncProblem(Exception):  # noqa: N818 (the family of problems, not one error)
    """A sync failure explained for the user. ``action``: ``check_server``, ``sign_in``,
    ``update_app``, or "" (read the message)."""

    action = ""

    def __init__(self, user_message: str, *, code: str = "", status: int | None = None) -> None:
        super().__init__(user_message)
        self.user_message = user_message
        self.code = code
        self.status = status


class ServerUnreachable(SyncProblem):
    action = "check_server"


class SignInRequired(SyncProblem):
    action = "sign_in"


class UpdateRequired(SyncProblem):
    action = "update_app"


class ServerRefused(SyncProblem):
    pass


@dataclass(frozen=True)
class Tokens:
    access_token: str
    refresh_token: str
    access_expires_at: float  # wall-clock seconds

    @classmethod
    def from_pair(cls, pair: TokenPair) -> Tokens:
        return cls(pair.access_token, pair.refresh_token, time.time() + pair.expires_in)

    def to_json(self) -> dict[str, Any]:
        return {
            "access_token": self.access_token,
            "refresh_token": self.refresh_token,
            "access_expires_at": self.access_expires_at,
        }

    @classmethod
    def from_json(cls, data: Mapping[str, Any]) -> Tokens:
        return cls(
            str(data["access_token"]),
            str(data["refresh_token"]),
            float(data.get("access_expires_at", 0)),
        )
