"""Autogenerate hooks shared by ``env.py`` and the schema test."""

from __future__ import annotations

from typing import Any, Literal

from sqlalchemy import DateTime

from desktop.storage.models import UNMODELLED_TABLE_PREFIXES, UtcDateTime


def include_object(
    obj: object, name: str | None, type_: str, reflected: bool, compare_to: object
) -> bool:
    """Keep autogenerate away from the FTS5 table and its shadow tables."""
    return not (type_ == "table" and name and name.startswith(UNMODELLED_TABLE_PREFIXES))


def render_item(type_: str, obj: Any, autogen_context: Any) -> str | Literal[False]:
    """Migrations must not import app types: ``UtcDateTime`` is a plain DATETIME."""
    if type_ == "type" and isinstance(obj, UtcDateTime):
        return "sa.DateTime()"
    return False


def compare_type(
    context: Any,
    inspected_column: Any,
    metadata_column: Any,
    inspected_type: Any,
    metadata_type: Any,
) -> bool | None:
    if isinstance(metadata_type, UtcDateTime) and isinstance(inspected_type, DateTime):
        return False
    return None
