"""The ASGI application: routers, error bodies, body size limit, request logs, health."""

from __future__ import annotations

import logging
import time
import uuid
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import APIRouter, Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncEngine
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from sync_server import accounts, progress, sync, teams, templates
from sync_server.auth import protocol_version
from sync_server.db import make_engine, make_sessionmaker
from sync_server.errors import ApiError, body, install_error_handlers
from sync_server.migrate import head_revision
from sync_server.protocol import API_PREFIX, ErrorBody
from sync_server.settings import Settings

log = logging.getLogger("sync_server.http")


class BodySizeLimit:
    """Refuse request bodies over ``limit`` bytes (413) before the app reads them."""

    def __init__(self, app: ASGIApp, limit: int) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > self.limit):
            await self._refuse(scope, receive, send)
            return
        seen = 0

        async def limited() -> Message:
            nonlocal seen
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.limit:
                    raise ApiError(413, "body_too_large", self._message())
            return message

        await self.app(scope, limited, send)

    def _message(self) -> str:
        return f"The request is larger than {self.limit} bytes; send smaller batches."

    async def _refuse(self, scope: Scope, receive: Receive, send: Send) -> None:
        response = JSONResponse(body("body_too_large", self._message()), 413)
        await response(scope, receive, send)


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
    app.state.token_key = settings.secret_key.get_secret_value().encode()
    app.state.schema_head = head_revision()
    install_error_handlers(app)

    @app.middleware("http")
    async def request_log(request: Request, call_next):  # type: ignore[no-untyped-def]
        started = time.perf_counter()
        request_id = request.headers.get("x-request-id") or uuid.uuid4().hex
        response = await call_next(request)
        response.headers["X-Request-ID"] = request_id
        log.info(
            "request",
            extra={
                "request_id": request_id,
                "method": request.method,
                "path": request.url.path,
                "status": response.status_code,
                "duration_ms": round((time.perf_counter() - started) * 1000, 2),
            },
        )
        return response

    app.add_middleware(BodySizeLimit, limit=settings.max_body_bytes)

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
    for module in (accounts, teams, sync, templates, progress):
        v1.include_router(module.router)
    app.include_router(v1)
    return app
