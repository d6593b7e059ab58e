"""Engine and sessions. Services never commit; the endpoint (the request boundary) does."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator

from fastapi import Request
from sqlalchemy.exc import TimeoutError as PoolTimeout
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from sync_server.settings import Settings


def pool_connections(settings: Settings) -> int:
    """Database connections one worker may hold: its pool and as many again in overflow."""
    return 2 * settings.db_pool_size


def make_engine(settings: Settings) -> AsyncEngine:
    return create_async_engine(
        settings.async_database_url,
        pool_size=settings.db_pool_size,
        max_overflow=pool_connections(settings) - settings.db_pool_size,
        pool_timeout=settings.db_pool_timeout_seconds,
        pool_pre_ping=False,
    )


def make_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


def make_gate(settings: Settings) -> asyncio.Semaphore:
    """Requests wait here for a database connection, first come first served.

    The pool's own wait is not a queue: a connection given back goes to whichever request
    asks next, and a request that was woken for it and lost it waits again at the back.
    Under load some requests then waited the whole pool timeout and got 503 while later
    ones went through. With at most as many requests past this gate as the pool has
    connections, the pool never makes anyone wait, and the gate (a FIFO semaphore) does,
    in arrival order, for up to the same timeout."""
    return asyncio.Semaphore(pool_connections(settings))


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    """A session per request; rolled back unless the endpoint committed. Waits its turn
    at the database gate (:func:`make_gate`); 503 "busy" after the pool timeout."""
    factory: async_sessionmaker[AsyncSession] = request.app.state.sessions
    gate: asyncio.Semaphore = request.app.state.db_gate
    wait = request.app.state.settings.db_pool_timeout_seconds
    try:
        await asyncio.wait_for(gate.acquire(), wait)
    except TimeoutError:
        raise PoolTimeout(f"no database connection free within {wait:g} s") from None
    try:
        async with factory() as session:
            yield session
    finally:
        gate.release()
