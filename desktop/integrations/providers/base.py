"""The one interface every model provider implements, and the errors users can meet."""

from __future__ import annotations

import enum
from collections.abc import AsyncIterator, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Protocol
from urllib.parse import urlsplit


class OutputMode(enum.StrEnum):
    """How a reply is constrained to JSON, strongest first."""

    JSON_SCHEMA = "json_schema"  # response_format json_schema, strict
    JSON_OBJECT = "json_object"  # response_format json_object ("JSON mode")
    TEXT = "text"  # no constraint: the JSON is extracted from the text


class ProblemKind(enum.StrEnum):
    UNREACHABLE = "unreachable"
    TIMEOUT = "timeout"
    AUTH = "auth"
    RATE_LIMIT = "rate-limit"
    NOT_FOUND = "not-found"
    UNSUPPORTED = "unsupported"  # a request feature the server does not support
    REJECTED = "rejected"
    SERVER = "server"
    OVERSIZED = "oversized"
    MALFORMED = "malformed"
    NO_KEY = "no-key"
    CANCELLED = "cancelled"


class ProviderProblem(Exception):  # noqa: N818 (a problem for the user, not a crash)
    """A request to a provider failed. ``user_message`` says what happened and what to
    do; ``kind`` lets the caller react (queue when unreachable, downgrade when a feature
    is unsupported)."""

    def __init__(
        self,
        kind: ProblemKind,
        user_message: str,
        *,
        retry_after: float | None = None,
        detail: str = "",
    ) -> None:
        super().__init__(user_message)
        self.kind = kind
        self.user_message = user_message
        self.retry_after = retry_after
        self.detail = detail


@dataclass(frozen=True, slots=True)
class Capabilities:
    """What a server supports; requests are stripped of everything else."""

    json_schema: bool = False
    json_object: bool = False
    stream_usage: bool = False  # stream_options.include_usage
    seed: bool = False
    temperature: bool = True

    def best_mode(self) -> OutputMode:
        if self.json_schema:
            return OutputMode.JSON_SCHEMA
        if self.json_object:
            return OutputMode.JSON_OBJECT
        return OutputMode.TEXT

    def without(self, mode: OutputMode) -> Capabilities:
        """These capabilities once ``mode`` turned out not to work."""
        from dataclasses import replace

        if mode is OutputMode.JSON_SCHEMA:
            return replace(self, json_schema=False)
        if mode is OutputMode.JSON_OBJECT:
            return replace(self, json_object=False)
        return self


@dataclass(frozen=True, slots=True)
class ProviderConfig:
    """A configured provider. The API key is never here: it lives in the keyring under
    ``name`` (see :mod:`desktop.integrations.providers.keys`)."""

    name: str
    base_url: str
    model: str
    profile: str = "generic"  # a key of capabilities.PROFILES
    needs_key: bool = True
    timeout: float = 60.0  # seconds to wait for the next token before giving up

    @property
    def is_local(self) -> bool:
        return is_loopback(self.base_url)


def is_loopback(url: str) -> bool:
    host = (urlsplit(url).hostname or "").lower()
    return host in ("localhost", "::1") or host.startswith("127.")


@dataclass(frozen=True, slots=True)
class ChatRequest:
    messages: Sequence[Mapping[str, str]]
    mode: OutputMode = OutputMode.TEXT
    schema: Mapping[str, Any] | None = None
    schema_name: str = "copy"
    temperature: float | None = 0.8
    max_tokens: int | None = None
    seed: int | None = None


@dataclass(frozen=True, slots=True)
class Delta:
    """Text the model wrote since the last delta."""

    text: str


@dataclass(frozen=True, slots=True)
class Usage:
    prompt_tokens: int = 0
    completion_tokens: int = 0
    extra: Mapping[str, Any] = field(default_factory=dict)


StreamItem = Delta | Usage


class ChatProvider(Protocol):
    """Anything that streams a chat completion."""

    config: ProviderConfig
    capabilities: Capabilities

    def stream(self, request: ChatRequest) -> AsyncIterator[StreamItem]:
        """Yield :class:`Delta`\\ s as they arrive, then at most one :class:`Usage`.
        Raises :class:`ProviderProblem`."""
        ...

    async def aclose(self) -> None: ...
