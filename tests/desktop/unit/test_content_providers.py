"""Providers through the real ``openai`` client against a real HTTP server on 127.0.0.1:
streaming, capability profiles, structured output fallbacks, bounded retries, and a clear
message for every failure."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from typing import Any

import pytest

from desktop.domain.content_output import OutputProblem
from desktop.integrations.providers.base import (
    ChatRequest,
    Delta,
    OutputMode,
    ProblemKind,
    ProviderConfig,
    ProviderProblem,
    Usage,
    is_loopback,
)
from desktop.integrations.providers.capabilities import capabilities_for, estimated_cost
from desktop.integrations.providers.discovery import discover_local_servers
from desktop.integrations.providers.openai_compatible import OpenAICompatibleProvider
from desktop.integrations.providers.structured import generate_structured
from tests.desktop.fakes.openai_server import FakeOpenAI, Reply

SCHEMA = {"type": "object", "properties": {"variants": {"type": "array"}}}


@pytest.fixture
def server() -> Iterator[FakeOpenAI]:
    with FakeOpenAI() as fake:
        yield fake


def provider(
    url: str, profile: str = "openai", timeout: float = 10.0, **kwargs: Any
) -> OpenAICompatibleProvider:
    return OpenAICompatibleProvider(
        ProviderConfig("Test server", url, "fake-model", profile, timeout=timeout),
        capabilities_for(profile),
        "sk-test",
        **kwargs,
    )


async def collect(p: OpenAICompatibleProvider, request: ChatRequest) -> list[Any]:
    try:
        return [item async for item in p.stream(request)]
    finally:
        await p.aclose()


def run(coro: Any) -> Any:
    return asyncio.run(coro)


def test_stream_arrives_in_pieces_with_usage(server: FakeOpenAI) -> None:
    server.queue(Reply('{"variants": []}', chunk_size=3, usage=(11, 7)))
    items = run(
        collect(provider(server.base_url), ChatRequest([{"role": "user", "content": "hi"}]))
    )
    deltas = [i.text for i in items if isinstance(i, Delta)]
    assert len(deltas) > 3
    assert "".join(deltas) == '{"variants": []}'
    assert items[-1] == Usage(11, 7)


def test_requests_carry_only_what_the_server_supports(server: FakeOpenAI) -> None:
    request = ChatRequest(
        [{"role": "user", "content": "x"}], OutputMode.JSON_SCHEMA, SCHEMA, seed=7
    )
    run(collect(provider(server.base_url, "openai"), request))
    sent = server.requests[-1]
    assert sent["response_format"]["type"] == "json_schema"
    assert sent["response_format"]["json_schema"]["strict"] is True
    assert sent["stream_options"] == {"include_usage": True}
    assert sent["seed"] == 7
    run(collect(provider(server.base_url, "generic"), request))
    plain = server.requests[-1]
    assert "response_format" not in plain
    assert "stream_options" not in plain
    assert "seed" not in plain
    run(
        collect(
            provider(server.base_url, "lmstudio"),
            ChatRequest([{"role": "user", "content": "x"}], OutputMode.JSON_OBJECT),
        )
    )
    assert "response_format" not in server.requests[-1]  # LM Studio refuses json_object


@pytest.mark.parametrize(
    ("reply", "kind", "words"),
    [
        (
            Reply(status=401, error="Incorrect API key provided"),
            ProblemKind.AUTH,
            "refused the API key",
        ),
        (
            Reply(status=429, headers={"retry-after": "20"}),
            ProblemKind.RATE_LIMIT,
            "Wait 20 seconds",
        ),
        (
            Reply(status=429, error="You exceeded your current quota"),
            ProblemKind.RATE_LIMIT,
            "quota",
        ),
        (Reply(status=404, error="model not found"), ProblemKind.NOT_FOUND, "has no model"),
        (Reply(status=500), ProblemKind.SERVER, "had a problem (HTTP 500)"),
        (
            Reply(status=400, error="messages is required"),
            ProblemKind.REJECTED,
            "rejected the request",
        ),
        (Reply(malformed_stream=True), ProblemKind.MALFORMED, "could not read"),
        (
            Reply(content="x" * 400, drop_connection=True, chunk_size=10),
            ProblemKind.UNREACHABLE,
            "lost while it was writing",
        ),
    ],
    ids=["401", "429-retry-after", "429-quota", "404", "500", "400", "malformed", "dropped"],
)
def test_each_failure_has_a_clear_message(
    server: FakeOpenAI, reply: Reply, kind: ProblemKind, words: str
) -> None:
    server.queue(reply)
    with pytest.raises(ProviderProblem) as info:
        run(collect(provider(server.base_url), ChatRequest([{"role": "user", "content": "x"}])))
    assert info.value.kind is kind
    assert words in info.value.user_message
    assert "Test server" in info.value.user_message


def test_timeout_and_server_down(server: FakeOpenAI) -> None:
    server.queue(Reply(first_delay=1.5))
    with pytest.raises(ProviderProblem) as info:
        run(
            collect(
                provider(server.base_url, timeout=0.3),
                ChatRequest([{"role": "user", "content": "x"}]),
            )
        )
    assert info.value.kind is ProblemKind.TIMEOUT
    assert "did not answer within 0.3 seconds" in info.value.user_message
    down = FakeOpenAI().start()
    url = down.base_url
    down.stop()
    with pytest.raises(ProviderProblem) as info:
        run(collect(provider(url), ChatRequest([{"role": "user", "content": "x"}])))
    assert info.value.kind is ProblemKind.UNREACHABLE
    assert "Check that the local server is running" in info.value.user_message


def test_oversized_output_is_stopped(server: FakeOpenAI) -> None:
    server.queue(Reply("y" * 5000, chunk_size=100))
    with pytest.raises(ProviderProblem) as info:
        run(
            collect(
                provider(server.base_url, max_reply_chars=1000),
                ChatRequest([{"role": "user", "content": "x"}]),
            )
        )
    assert info.value.kind is ProblemKind.OVERSIZED


def _validate(data: object) -> list[str]:
    if not isinstance(data, dict) or not isinstance(data.get("variants"), list):
        raise OutputProblem("no variants", 'Reply with {"variants": [...]}.')
    if not all(isinstance(v, str) for v in data["variants"]):
        raise OutputProblem("bad variants", "variants must be strings, fix variant 1")
    return list(data["variants"])


def test_schema_refused_falls_back_to_json_mode_then_text(server: FakeOpenAI) -> None:
    p = provider(server.base_url)
    server.queue(
        Reply(reject_response_format=True),
        Reply(reject_response_format=True),
        Reply('Here you go: {"variants": ["a", "b"]} enjoy'),
    )
    retries: list[str] = []
    result = run(
        generate_structured(
            p,
            [{"role": "user", "content": "x"}],
            SCHEMA,
            _validate,
            on_retry=lambda n, why: retries.append(why),
        )
    )
    assert result.value == ["a", "b"]
    assert result.mode is OutputMode.TEXT
    formats = [r.get("response_format", {}).get("type") for r in server.requests]
    assert formats == ["json_schema", "json_object", None]
    assert not p.capabilities.json_schema
    assert not p.capabilities.json_object
    assert len(retries) == 2


def test_invalid_output_is_retried_with_what_was_wrong(server: FakeOpenAI) -> None:
    server.queue(Reply('{"variants": [1, 2]}'), Reply('{"variants": ["fixed"]}'))
    texts: list[str] = []
    result = run(
        generate_structured(
            provider(server.base_url),
            [{"role": "user", "content": "x"}],
            SCHEMA,
            _validate,
            on_text=texts.append,
        )
    )
    assert result.value == ["fixed"]
    assert result.attempts == 2
    retry = server.requests[1]["messages"]
    assert retry[-2] == {"role": "assistant", "content": '{"variants": [1, 2]}'}
    assert "fix variant 1" in retry[-1]["content"]
    assert texts[-1] == '{"variants": ["fixed"]}'


def test_schema_ignored_every_time_gives_up_after_three_tries(server: FakeOpenAI) -> None:
    server.queue(*(Reply("I'd rather write a poem.") for _ in range(5)))
    with pytest.raises(ProviderProblem) as info:
        run(
            generate_structured(
                provider(server.base_url), [{"role": "user", "content": "x"}], SCHEMA, _validate
            )
        )
    assert info.value.kind is ProblemKind.MALFORMED
    assert "asked 3 times" in info.value.user_message
    assert len(server.requests) == 3


def test_local_servers_are_found_on_loopback_only(server: FakeOpenAI) -> None:
    closed = FakeOpenAI().start()
    closed_port = closed.port
    closed.stop()
    found = run(
        discover_local_servers({server.port: "ollama", closed_port: "lmstudio"}, timeout=0.3)
    )
    assert len(found) == 1
    assert found[0].profile == "ollama"
    assert found[0].base_url == f"http://127.0.0.1:{server.port}/v1"
    assert found[0].models == ("fake-model",)
    assert all(is_loopback(s.base_url) for s in found)


def test_cost_estimates() -> None:
    assert estimated_cost("gpt-4o-mini", 1_000_000, 1_000_000, local=False) == pytest.approx(0.75)
    assert estimated_cost("gpt-4o-mini-2024-07-18", 1000, 0, local=False) == pytest.approx(0.00015)
    assert estimated_cost("llama3.1", 5000, 5000, local=True) == 0.0
    assert estimated_cost("mystery-model", 10, 10, local=False) is None


def test_fake_server_answers_from_the_schema(server: FakeOpenAI) -> None:
    schema = {
        "type": "object",
        "properties": {
            "variants": {
                "type": "array",
                "items": {"type": "object", "properties": {"text": {"type": "string"}}},
            }
        },
    }
    items = run(
        collect(
            provider(server.base_url),
            ChatRequest(
                [{"role": "user", "content": "Number of variants: 2"}],
                OutputMode.JSON_SCHEMA,
                schema,
            ),
        )
    )
    data = json.loads("".join(i.text for i in items if isinstance(i, Delta)))
    assert len(data["variants"]) == 2
