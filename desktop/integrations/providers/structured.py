"""Structured output from any provider: strict JSON schema, else JSON mode, else the JSON
extracted from plain text — always validated, with a bounded retry that tells the model
what was wrong.

The strongest mode the provider's capability profile allows is tried first. A server
that refuses it (HTTP 400 naming ``response_format``) is asked again in the next mode,
and the provider remembers. A reply that does not validate is sent back with the
validation errors, at most ``max_attempts`` times in all.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from desktop.domain.content_output import OutputProblem, extract_json
from desktop.integrations.providers.base import (
    ChatProvider,
    ChatRequest,
    Delta,
    OutputMode,
    ProblemKind,
    ProviderProblem,
    Usage,
)

T = TypeVar("T")

MAX_ATTEMPTS = 3
_NEXT_MODE = {
    OutputMode.JSON_SCHEMA: OutputMode.JSON_OBJECT,
    OutputMode.JSON_OBJECT: OutputMode.TEXT,
}


@dataclass(frozen=True, slots=True)
class StructuredResult(Generic[T]):
    value: T
    text: str  # the reply that validated
    mode: OutputMode
    attempts: int
    prompt_tokens: int
    completion_tokens: int
    first_token_s: float | None  # seconds from the request to the first text


def parse_reply(text: str, mode: OutputMode) -> object:
    """The JSON in a reply. JSON modes should give pure JSON; a server that ignored the
    schema may still wrap it in prose, so extraction is the fallback either way."""
    if mode is not OutputMode.TEXT:
        try:
            return json.loads(text)
        except ValueError:
            pass
    return extract_json(text)


async def generate_structured(
    provider: ChatProvider,
    messages: Sequence[Mapping[str, str]],
    schema: Mapping[str, Any],
    validate: Callable[[object], T],
    *,
    on_text: Callable[[str], None] | None = None,
    on_retry: Callable[[int, str], None] | None = None,
    temperature: float | None = 0.8,
    seed: int | None = None,
    max_attempts: int = MAX_ATTEMPTS,
    schema_name: str = "copy",
) -> StructuredResult[T]:
    """Ask ``provider`` for JSON matching ``schema`` and return ``validate(json)``.

    ``on_text(text_so_far)`` is called as the reply streams in (reset to "" when a new
    attempt starts); ``on_retry(attempt, reason)`` before each retry. Raises
    :class:`ProviderProblem` (also when every attempt gave unusable output)."""
    history = [dict(m) for m in messages]
    mode = provider.capabilities.best_mode()
    attempts = 0
    prompt_tokens = completion_tokens = 0
    first_token: float | None = None
    started = time.perf_counter()
    while True:
        request = ChatRequest(
            history, mode, schema, schema_name, temperature=temperature, seed=seed
        )
        parts: list[str] = []
        try:
            async for item in provider.stream(request):
                if isinstance(item, Delta):
                    if first_token is None:
                        first_token = time.perf_counter() - started
                    parts.append(item.text)
                    if on_text is not None:
                        on_text("".join(parts))
                elif isinstance(item, Usage):
                    prompt_tokens += item.prompt_tokens
                    completion_tokens += item.completion_tokens
        except ProviderProblem as problem:
            if problem.kind is ProblemKind.UNSUPPORTED and mode in _NEXT_MODE:
                provider.capabilities = provider.capabilities.without(mode)
                mode = _NEXT_MODE[mode]
                if on_retry is not None:
                    on_retry(
                        attempts + 1,
                        f"{provider.config.name} does not support "
                        f"that output format; asking again in {mode.value} mode.",
                    )
                continue
            raise
        text = "".join(parts)
        attempts += 1
        try:
            value = validate(parse_reply(text, mode))
        except OutputProblem as problem:
            if attempts >= max_attempts:
                raise ProviderProblem(
                    ProblemKind.MALFORMED,
                    f"{problem.user_message} Playbook asked {attempts} times and the model "
                    "still did not follow the format. Try again, ask for fewer variants, or "
                    "use a more capable model (or template mode).",
                    detail=problem.feedback,
                ) from problem
            if on_retry is not None:
                on_retry(attempts + 1, problem.user_message)
            history.append({"role": "assistant", "content": text[:8000]})
            history.append({"role": "user", "content": problem.feedback})
            continue
        return StructuredResult(
            value, text, mode, attempts, prompt_tokens, completion_tokens, first_token
        )
