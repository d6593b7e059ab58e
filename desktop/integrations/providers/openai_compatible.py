"""Any OpenAI-compatible chat completions endpoint, through the ``openai`` package.

Streams the reply (``stream=True``) so the UI shows copy as it is written. The request
carries only what the server's capability profile supports; every failure becomes a
:class:`ProviderProblem` whose message says what happened and what to do.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import AsyncIterator
from typing import Any

import openai

from desktop.integrations.providers.base import (
    Capabilities,
    ChatRequest,
    Delta,
    OutputMode,
    ProblemKind,
    ProviderConfig,
    ProviderProblem,
    StreamItem,
    Usage,
)

log = logging.getLogger(__name__)

MAX_REPLY_CHARS = 200_000  # a reply longer than this is cut off and refused
CONNECT_TIMEOUT = 5.0


class OpenAICompatibleProvider:
    """Streams chat completions from ``config.base_url`` with ``config.model``."""

    def __init__(
        self,
        config: ProviderConfig,
        capabilities: Capabilities,
        api_key: str | None,
        *,
        max_reply_chars: int = MAX_REPLY_CHARS,
    ) -> None:
        self.config = config
        self.capabilities = capabilities
        self.max_reply_chars = max_reply_chars
        # Local servers ignore the key, but the client insists on one.
        self._client = openai.AsyncOpenAI(
            api_key=api_key or "not-needed",
            base_url=config.base_url,
            timeout=openai.Timeout(config.timeout, connect=min(CONNECT_TIMEOUT, config.timeout)),
            max_retries=0,  # retries are ours: bounded, and visible to the user
        )

    async def aclose(self) -> None:
        await self._client.close()

    def request_arguments(self, request: ChatRequest) -> dict[str, Any]:
        """The keyword arguments sent: only what this server supports."""
        caps = self.capabilities
        kwargs: dict[str, Any] = {
            "model": self.config.model,
            "messages": [dict(m) for m in request.messages],
            "stream": True,
        }
        if caps.stream_usage:
            kwargs["stream_options"] = {"include_usage": True}
        if request.temperature is not None and caps.temperature:
            kwargs["temperature"] = request.temperature
        if request.max_tokens is not None:
            kwargs["max_tokens"] = request.max_tokens
        if request.seed is not None and caps.seed:
            kwargs["seed"] = request.seed
        if request.mode is OutputMode.JSON_SCHEMA and caps.json_schema and request.schema:
            kwargs["response_format"] = {
                "type": "json_schema",
                "json_schema": {
                    "name": request.schema_name,
                    "schema": dict(request.schema),
                    "strict": True,
                },
            }
        elif request.mode is OutputMode.JSON_OBJECT and caps.json_object:
            kwargs["response_format"] = {"type": "json_object"}
        return kwargs

    async def stream(self, request: ChatRequest) -> AsyncIterator[StreamItem]:
        kwargs = self.request_arguments(request)
        name = self.config.name
        written = 0
        try:
            stream = await self._client.chat.completions.create(**kwargs)
            try:
                async for chunk in stream:
                    usage = getattr(chunk, "usage", None)
                    for choice in chunk.choices or ():
                        text = getattr(choice.delta, "content", None) or ""
                        if text:
                            written += len(text)
                            if written > self.max_reply_chars:
                                raise ProviderProblem(
                                    ProblemKind.OVERSIZED,
                                    f"{name} sent a reply longer than "
                                    f"{self.max_reply_chars:,} characters; it was stopped "
                                    "and not used. Ask for fewer variants, or try again.",
                                )
                            yield Delta(text)
                    if usage is not None:
                        yield Usage(
                            int(getattr(usage, "prompt_tokens", 0) or 0),
                            int(getattr(usage, "completion_tokens", 0) or 0),
                        )
            finally:
                await stream.close()
        except ProviderProblem:
            raise
        except asyncio.CancelledError:
            raise
        except openai.APIError as exc:
            if (
                written
                and isinstance(exc, openai.APIConnectionError)
                and not isinstance(exc, openai.APITimeoutError)
            ):
                raise ProviderProblem(
                    ProblemKind.UNREACHABLE,
                    f"The connection to {name} was lost while it was writing. What arrived "
                    "was not used; try again.",
                    detail=str(exc),
                ) from exc
            raise self._problem(exc, request) from exc
        except (ValueError, KeyError, TypeError) as exc:  # a stream the SDK cannot read
            raise ProviderProblem(
                ProblemKind.MALFORMED,
                f"{name} sent a reply Playbook could not read ({type(exc).__name__}). "
                "Check that the address points to an OpenAI-compatible API.",
                detail=str(exc),
            ) from exc

    def _problem(self, exc: openai.APIError, request: ChatRequest) -> ProviderProblem:
        cfg = self.config
        name, url = cfg.name, cfg.base_url
        if isinstance(exc, openai.APITimeoutError):
            return ProviderProblem(
                ProblemKind.TIMEOUT,
                f"{name} did not answer within {cfg.timeout:g} seconds. The server may be "
                "busy or the model still loading; try again, or raise the time limit in the "
                "provider settings.",
            )
        if isinstance(exc, openai.APIConnectionError):
            return ProviderProblem(
                ProblemKind.UNREACHABLE,
                f"Playbook cannot reach {name} at {url}. "
                + (
                    "Check that the local server is running."
                    if cfg.is_local
                    else "Check your network connection and the address."
                ),
                detail=str(exc),
            )
        status = getattr(exc, "status_code", None)
        message = _server_message(exc)
        if isinstance(exc, openai.AuthenticationError | openai.PermissionDeniedError):
            return ProviderProblem(
                ProblemKind.AUTH,
                f"{name} refused the API key (HTTP {status}). Check the key in Content "
                "Studio › Providers, and that it may use the model "
                f"'{cfg.model}'.",
                detail=message,
            )
        if isinstance(exc, openai.RateLimitError):
            retry_after = _retry_after(exc)
            wait = f"Wait {retry_after:g} seconds" if retry_after else "Wait a moment"
            quota = "quota" in message.lower()
            return ProviderProblem(
                ProblemKind.RATE_LIMIT,
                f"{name} is limiting requests (HTTP 429). {wait} and try again"
                + (" — the account's quota may be used up." if quota else "."),
                retry_after=retry_after,
                detail=message,
            )
        if isinstance(exc, openai.NotFoundError):
            return ProviderProblem(
                ProblemKind.NOT_FOUND,
                f"{name} has no model '{cfg.model}' (HTTP 404). Pick one of the server's "
                "models in the provider settings.",
                detail=message,
            )
        if isinstance(exc, openai.BadRequestError | openai.UnprocessableEntityError):
            low = message.lower()
            if request.mode is not OutputMode.TEXT and any(
                w in low for w in ("response_format", "json_schema", "json_object", "schema")
            ):
                return ProviderProblem(
                    ProblemKind.UNSUPPORTED,
                    f"{name} does not support {request.mode.value} output.",
                    detail=message,
                )
            return ProviderProblem(
                ProblemKind.REJECTED,
                f"{name} rejected the request (HTTP {status}): {message[:300]}",
                detail=message,
            )
        if isinstance(exc, openai.APIStatusError):
            return ProviderProblem(
                ProblemKind.SERVER,
                f"{name} had a problem (HTTP {status}). Try again in a moment.",
                detail=message,
            )
        return ProviderProblem(
            ProblemKind.MALFORMED,
            f"{name} sent a reply Playbook could not read. Check that {url} is an "
            "OpenAI-compatible API.",
            detail=str(exc),
        )


def _server_message(exc: openai.APIError) -> str:
    body = getattr(exc, "body", None)
    if isinstance(body, dict):
        err = body.get("error", body)
        if isinstance(err, dict) and err.get("message"):
            return str(err["message"])
        if isinstance(err, str):
            return err
    return str(getattr(exc, "message", "") or exc)


def _retry_after(exc: openai.APIError) -> float | None:
    response = getattr(exc, "response", None)
    headers = getattr(response, "headers", None)
    if headers is None:
        return None
    raw = headers.get("retry-after")
    try:
        return float(raw) if raw is not None else None
    except ValueError:
        return None
