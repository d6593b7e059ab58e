"""The ASGI application: routers, error bodies, body size limit, request logs, health."""

from __future__ import annotations

import json
import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_server import accounts, analytics, progress, sync, teams, templates
from sync_server.auth import protocol_version
from sync_server.db import make_engine, make_gate, make_sessionmaker
from sync_server.errors import ApiError, body, install_error_handlers
from sync_server.migrate import head_revision
from sync_server.protocol import API_PREFIX, ErrorBody
from sync_server.settings import Settings

log = logging.getLogger("sync_server.http")


class RequestLog:
    """One JSON log line per request (id, method, path, status, duration) and the
    ``X-Request-ID`` response header. Plain ASGI: Starlette's ``BaseHTTPMiddleware``
    runs every request through an extra task and memory streams."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = time.perf_counter()
        raw_id = dict(scope.get("headers", [])).get(b"x-request-id")
        request_id = raw_id.decode("latin-1")[:200] if raw_id else uuid.uuid4().hex
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                headers = MutableHeaders(scope=message)
                headers["X-Request-ID"] = request_id
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            if log.isEnabledFor(logging.INFO):
                log.info(
                    "request",
                    extra={
                        "request_id": request_id,
                        "method": scope["method"],
                        "path": scope["path"],
                        "status": status,
                        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    },
                )


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes with 413 ``body_too_large``.

    A declared ``Content-Length`` over the limit is refused before the app runs. A body
    without one (``Transfer-Encoding: chunked``) is counted as it streams in: once past
    the limit the app is told the client went away, whatever it tries to answer is
    dropped, and the 413 goes out instead (nothing has been sent yet, since the app was
    still reading the body)."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(send)
            return
        seen = 0
        too_large = False
        started = False

        async def limited() -> Message:
            nonlocal seen, too_large
            if too_large:
                return {"type": "http.disconnect"}
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    too_large = True
                    return {"type": "http.disconnect"}
            return message

        async def guarded(message: Message) -> None:
            nonlocal started
            if too_large:
                return
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, limited, guarded)
        except Exception:
            if not too_large:
                raise
        if too_large and not started:
            await self._refuse(send)

    def _message(self) -> str:
        return f"The request is larger than {self.limit} bytes; send smaller batches."

    async def _refuse(self, send: Send) -> None:
        payload = json.dumps(body("body_too_large", self._message())).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [
                    (b"content-type", b"application/json"),
                    (b"content-length", str(len(payload)).encode()),
                    (b"connection", b"close"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": payload})


def create_app(settings: Settings | None = None, engine: AsyncEngine | None = None) -> FastAPI:
    settings = settings or Settings()
    if settings.secret_key is None or len(settings.secret_key.get_secret_value()) < 16:
        raise RuntimeError(
            "Set PLAYBOOK_SYNC_SECRET_KEY to a random string of at least 16 characters, "
            "the same for every worker (for example: openssl rand -hex 32)."
        )
    engine = engine or make_engine(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        yield
        await engine.dispose()

    app = FastAPI(
        title="Playbook sync server",
        version="1",
        description="Accounts, teams and the offline-first sync protocol of Playbook.",
        lifespan=lifespan,
    )
    app.state.settings = settings
    app.state.engine = engine
    app.state.sessions = make_sessionmaker(engine)
    app.state.db_gate = make_gate(settings)
    app.state.token_key = settings.secret_key.get_secret_value().encode()
    app.state.schema_head = head_revision()
    install_error_handlers(app)

    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)
    app.add_middleware(RequestLog)  # outermost: refused bodies are logged too

    @app.get("/healthz", tags=["health"])
    async def healthz() -> dict[str, str]:
        """The process is up."""
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["health"],
        responses={503: {"model": ErrorBody}},
    )
    async def readyz(request: Request) -> dict[str, str]:
        """The database answers and its schema is the one this server expects."""
        try:
            async with request.app.state.sessions() as session:
                current = (
                    await session.execute(text("SELECT version_num FROM alembic_version"))
                ).scalar_one_or_none()
        except Exception as exc:
            log.warning("database not ready", extra={"error": type(exc).__name__})
            raise ApiError(503, "database_unavailable", "The database cannot be reached.") from None
        if current != request.app.state.schema_head:
            raise ApiError(
                503, "migrations_pending", "The database schema is not current; run migrations."
            )
        return {"status": "ready", "schema": str(current)}

    v1 = APIRouter(
        prefix=API_PREFIX,
        dependencies=[Depends(protocol_version)],
        responses={
            401: {"model": ErrorBody},
            422: {"model": ErrorBody},
            426: {"model": ErrorBody},
        },
    )
    for module in (accounts, teams, sync, templates, progress, analytics):
        v1.include_router(module.router)
    app.include_router(v1)
    return app
