"""A fake OpenAI-compatible server on 127.0.0.1: real HTTP, real server-sent events.

Tests (and the benchmark) point the real ``openai`` client at it. Each request takes the
next scripted :class:`Reply` (or, when none is queued, a valid answer built from the
JSON schema in the request), so a test can make the server slow, refuse the key, rate
limit, drop the connection, send malformed or oversized output, or ignore the schema.
Every request body is recorded in :attr:`FakeOpenAI.requests`.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections import deque
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


@dataclass
class Reply:
    """One scripted answer."""

    content: str | None = None  # None: built from the request's schema
    status: int = 200
    error: str = ""  # the error message for a non-200 status
    headers: dict[str, str] = field(default_factory=dict)
    first_delay: float = 0.0  # seconds before the first chunk (time to first token)
    chunk_delay: float = 0.0  # seconds between chunks
    chunk_size: int = 12  # characters per streamed chunk
    chunks: list[str] | None = None  # exact chunks (overrides chunk_size)
    malformed_stream: bool = False  # send SSE lines that are not JSON
    drop_connection: bool = False  # close the socket mid-stream
    reject_response_format: bool = False  # HTTP 400 if response_format is present
    usage: tuple[int, int] = (120, 80)


def auto_content(body: dict[str, Any]) -> str:
    """A valid reply for the request: follows its JSON schema (when it sent one), with
    as many variants as the prompt asks for ("Number of variants: N")."""
    prompt = "\n".join(str(m.get("content", "")) for m in body.get("messages", []))
    m = re.search(r"Number of variants:\s*(\d+)", prompt)
    count = int(m.group(1)) if m else 1
    schema = (
        body.get("response_format", {}).get("json_schema", {}).get("schema")
        if isinstance(body.get("response_format"), dict)
        else None
    )
    fields: dict[str, Any] = {"text": {"type": "string"}}
    if schema:
        variants = schema.get("properties", {}).get("variants", {})
        fields = variants.get("items", {}).get("properties") or fields
    else:
        found = re.search(r"Fields: (.*)", prompt)
        if found:
            fields = {}
            for part in found.group(1).split(";"):
                name, _, kind = part.strip().partition(" ")
                if name:
                    fields[name] = {"type": "array" if "list" in kind else "string"}
    words = ["Fast", "Simple", "Clear", "Smart", "Bright", "Quick", "Calm", "Bold", "Fresh"]
    variants = []
    for i in range(count):
        v: dict[str, Any] = {}
        for name, spec in fields.items():
            base = f"{words[i % len(words)]} {name} {i + 1}"
            if spec.get("type") == "array":
                v[name] = [f"{base}.{j + 1}" for j in range(3)]
            else:
                v[name] = base
        variants.append(v)
    return json.dumps({"variants": variants})


class FakeOpenAI:
    """Start with ``with FakeOpenAI() as server:``; ``server.base_url`` ends in ``/v1``."""

    def __init__(self, models: tuple[str, ...] = ("fake-model",)) -> None:
        self.models = models
        self.replies: deque[Reply] = deque()
        self.default: Reply = Reply()
        self.requests: list[dict[str, Any]] = []
        self.responder: Callable[[dict[str, Any]], Reply] | None = None
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer(("127.0.0.1", 0), self._handler())
        self._server.daemon_threads = True
        self._server.block_on_close = False  # a handler still sleeping must not hold a test
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.request_seen = threading.Event()

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}/v1"

    def queue(self, *replies: Reply) -> None:
        with self._lock:
            self.replies.extend(replies)

    def start(self) -> FakeOpenAI:
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeOpenAI:
        return self.start()

    def __exit__(self, *_exc: object) -> None:
        self.stop()

    def _next(self, body: dict[str, Any]) -> Reply:
        with self._lock:
            self.requests.append(body)
            if self.replies:
                return self.replies.popleft()
        if self.responder is not None:
            return self.responder(body)
        return self.default

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *_args: object) -> None:  # quiet tests
                pass

            def _json(
                self, status: int, data: object, headers: dict[str, str] | None = None
            ) -> None:
                raw = json.dumps(data).encode()
                self.send_response(status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(raw)))
                for k, v in (headers or {}).items():
                    self.send_header(k, v)
                self.end_headers()
                self.wfile.write(raw)

            def do_GET(self) -> None:
                if self.path.rstrip("/").endswith("/models"):
                    self._json(
                        200,
                        {
                            "object": "list",
                            "data": [
                                {"id": m, "object": "model", "owned_by": "fake"}
                                for m in server.models
                            ],
                        },
                    )
                else:
                    self._json(404, {"error": {"message": "not found"}})

            def do_POST(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = json.loads(self.rfile.read(length) or b"{}")
                server.request_seen.set()
                if not self.path.rstrip("/").endswith("/chat/completions"):
                    self._json(404, {"error": {"message": "not found"}})
                    return
                reply = server._next(body)
                if reply.reject_response_format and "response_format" in body:
                    self._json(
                        400,
                        {
                            "error": {
                                "message": "response_format is not supported by this server",
                                "type": "invalid_request_error",
                            }
                        },
                    )
                    return
                if reply.status != 200:
                    time.sleep(reply.first_delay)
                    self._json(
                        reply.status,
                        {
                            "error": {
                                "message": reply.error or f"error {reply.status}",
                                "type": "error",
                                "code": reply.status,
                            }
                        },
                        reply.headers,
                    )
                    return
                content = reply.content if reply.content is not None else auto_content(body)
                model = str(body.get("model", "fake-model"))
                if not body.get("stream"):
                    time.sleep(reply.first_delay)
                    self._json(
                        200,
                        {
                            "id": "chatcmpl-fake",
                            "object": "chat.completion",
                            "created": 0,
                            "model": model,
                            "choices": [
                                {
                                    "index": 0,
                                    "finish_reason": "stop",
                                    "message": {"role": "assistant", "content": content},
                                }
                            ],
                            "usage": {
                                "prompt_tokens": reply.usage[0],
                                "completion_tokens": reply.usage[1],
                                "total_tokens": sum(reply.usage),
                            },
                        },
                    )
                    return
                self._stream(reply, content, model, body)

            def _send(self, raw: bytes) -> None:
                self.wfile.write(f"{len(raw):x}\r\n".encode() + raw + b"\r\n")
                self.wfile.flush()

            def _event(self, data: object) -> None:
                self._send(f"data: {json.dumps(data)}\n\n".encode())

            def _chunk(
                self, model: str, delta: dict[str, Any], finish: str | None = None
            ) -> dict[str, Any]:
                return {
                    "id": "chatcmpl-fake",
                    "object": "chat.completion.chunk",
                    "created": 0,
                    "model": model,
                    "choices": [{"index": 0, "delta": delta, "finish_reason": finish}],
                }

            def _pieces(self, reply: Reply, content: str) -> Iterator[str]:
                if reply.chunks is not None:
                    yield from reply.chunks
                    return
                for i in range(0, len(content), reply.chunk_size):
                    yield content[i : i + reply.chunk_size]

            def _stream(self, reply: Reply, content: str, model: str, body: dict[str, Any]) -> None:
                self.send_response(200)
                self.send_header("Content-Type", "text/event-stream")
                self.send_header("Cache-Control", "no-cache")
                self.send_header("Transfer-Encoding", "chunked")
                self.end_headers()
                try:
                    time.sleep(reply.first_delay)
                    if reply.malformed_stream:
                        self._send(b"data: {this is not json\n\n")
                        self._send(b"data: [DONE]\n\n")
                        self._send(b"")
                        return
                    self._event(self._chunk(model, {"role": "assistant", "content": ""}))
                    for n, piece in enumerate(self._pieces(reply, content)):
                        if n and reply.chunk_delay:
                            time.sleep(reply.chunk_delay)
                        if reply.drop_connection and n >= 2:
                            self.close_connection = True
                            self.wfile.flush()
                            self.connection.shutdown(2)
                            return
                        self._event(self._chunk(model, {"content": piece}))
                    self._event(self._chunk(model, {}, "stop"))
                    if (body.get("stream_options") or {}).get("include_usage"):
                        self._event(
                            {
                                "id": "chatcmpl-fake",
                                "object": "chat.completion.chunk",
                                "created": 0,
                                "model": model,
                                "choices": [],
                                "usage": {
                                    "prompt_tokens": reply.usage[0],
                                    "completion_tokens": reply.usage[1],
                                    "total_tokens": sum(reply.usage),
                                },
                            }
                        )
                    self._send(b"data: [DONE]\n\n")
                    self._send(b"")
                except (BrokenPipeError, ConnectionResetError, OSError):
                    self.close_connection = True

        return Handler
