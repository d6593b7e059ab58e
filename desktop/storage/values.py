"""How Python values are stored in the database's columns.

The schema is described by SQLAlchemy types (:mod:`desktop.storage.models`, used by the
migrations), but the app reads and writes with the standard library's ``sqlite3``. These
helpers write exactly what those SQLAlchemy types write on SQLite, so rows look the same
whichever side wrote them:

- ``Uuid``: the 32 lowercase hex digits, no dashes (``CHAR(32)``);
- ``DateTime`` (``UtcDateTime``): naive UTC text ``YYYY-MM-DD HH:MM:SS.ffffff``, which
  sorts chronologically as text, so ``ORDER BY`` on it is ordering by time;
- ``Boolean``: the integers 0 and 1.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime


def db_time(value: datetime) -> str:
    """An aware datetime as stored: naive UTC text with microseconds. Naive input is
    refused because its zone is unknowable."""
    if value.tzinfo is None:
        raise ValueError(f"naive datetime {value!r}: pass an aware (UTC) datetime")
    return value.astimezone(UTC).replace(tzinfo=None).isoformat(" ", "microseconds")


def py_time(value: str) -> datetime:
    """A stored time back as an aware UTC datetime."""
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def db_uuid(value: uuid.UUID) -> str:
    return value.hex


def py_uuid(value: str) -> uuid.UUID:
    return uuid.UUID(hex=value)


def py_bool(value: int | None) -> bool | None:
    return None if value is None else bool(value)
