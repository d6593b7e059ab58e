"""Finding local model servers: loopback only, sub-second timeouts, all at once.

Nothing remote is ever contacted here: the host is always 127.0.0.1, and only the
well-known ports of local servers are tried.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections.abc import Mapping
from dataclasses import dataclass

import httpx

LOOPBACK = "127.0.0.1"
LOCAL_SERVERS: Mapping[int, str] = {
    11434: "ollama",
    1234: "lmstudio",
    8080: "llamacpp",
    8000: "vllm",
}
PROBE_TIMEOUT = 0.4  # seconds per server; they are probed concurrently


@dataclass(frozen=True, slots=True)
class LocalServer:
    profile: str
    base_url: str
    models: tuple[str, ...]


async def _probe(client: httpx.AsyncClient, port: int, profile: str) -> LocalServer | None:
    base = f"http://{LOOPBACK}:{port}/v1"
    try:
        response = await client.get(f"{base}/models")
        if response.status_code != 200:
            return None
        data = response.json()
    except (httpx.HTTPError, ValueError):
        return None
    items = data.get("data") if isinstance(data, dict) else None
    if not isinstance(items, list):
        return None
    models = tuple(str(m["id"]) for m in items if isinstance(m, dict) and m.get("id"))
    return LocalServer(profile, base, models)


async def discover_local_servers(
    ports: Mapping[int, str] = LOCAL_SERVERS, timeout: float = PROBE_TIMEOUT
) -> list[LocalServer]:
    """The local OpenAI-compatible servers answering on loopback, with their models."""
    limits = httpx.Timeout(timeout, connect=timeout)
    async with httpx.AsyncClient(timeout=limits, trust_env=False) as client:
        found = await asyncio.gather(*(_probe(client, p, k) for p, k in ports.items()))
    return [s for s in found if s is not None]


async def reachable(host: str, port: int, timeout: float = 1.5) -> bool:
    """Whether a TCP connection to ``host:port`` opens (the network is back)."""
    try:
        _reader, writer = await asyncio.wait_for(asyncio.open_connection(host, port), timeout)
    except (OSError, TimeoutError):
        return False
    writer.close()
    with contextlib.suppress(OSError):
        await writer.wait_closed()
    return True
