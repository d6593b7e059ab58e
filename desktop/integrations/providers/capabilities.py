"""Capability profiles per kind of server, and prices for the cost estimate.

Profiles are conservative: a feature is on only where the server documents it. When a
server still refuses one (HTTP 400 naming it), the request is retried without it and the
provider remembers (:meth:`Capabilities.without`).
"""

from __future__ import annotations

from desktop.integrations.providers.base import Capabilities

PROFILES: dict[str, Capabilities] = {
    "openai": Capabilities(json_schema=True, json_object=True, stream_usage=True, seed=True),
    "azure": Capabilities(json_schema=True, json_object=True, stream_usage=True, seed=True),
    # Ollama's OpenAI-compatible API: structured outputs (json_schema) and JSON mode.
    "ollama": Capabilities(json_schema=True, json_object=True, seed=True),
    # LM Studio accepts json_schema but refuses json_object.
    "lmstudio": Capabilities(json_schema=True, seed=True),
    # llama.cpp's server: response_format json_object and json_schema (grammar-backed).
    "llamacpp": Capabilities(json_schema=True, json_object=True, seed=True),
    "vllm": Capabilities(json_schema=True, json_object=True, stream_usage=True, seed=True),
    # Anything else: plain text, JSON extracted from the reply.
    "generic": Capabilities(),
}

PROFILE_LABELS = {
    "openai": "OpenAI",
    "azure": "Azure OpenAI",
    "ollama": "Ollama",
    "lmstudio": "LM Studio",
    "llamacpp": "llama.cpp",
    "vllm": "vLLM",
    "generic": "Other OpenAI-compatible",
}

# USD per million tokens (input, output). Estimates for the history view only; check the
# provider's price page for billing. Local servers cost nothing per token.
PRICES: dict[str, tuple[float, float]] = {
    "gpt-4o": (2.50, 10.00),
    "gpt-4o-mini": (0.15, 0.60),
    "gpt-4.1": (2.00, 8.00),
    "gpt-4.1-mini": (0.40, 1.60),
    "gpt-4.1-nano": (0.10, 0.40),
}


def capabilities_for(profile: str) -> Capabilities:
    return PROFILES.get(profile, PROFILES["generic"])


def estimated_cost(
    model: str, prompt_tokens: int, completion_tokens: int, local: bool
) -> float | None:
    """Estimated cost in USD, 0 for a local server, None when the price is unknown."""
    if local:
        return 0.0
    price = PRICES.get(model) or next(
        (
            p
            for name, p in sorted(PRICES.items(), key=lambda kv: -len(kv[0]))
            if model.startswith(name)
        ),
        None,
    )
    if price is None:
        return None
    return (prompt_tokens * price[0] + completion_tokens * price[1]) / 1_000_000
