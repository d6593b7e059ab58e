"""Small text helpers shared by the pages."""

from __future__ import annotations


def duration(minutes: int) -> str:
    """``45 min``, ``2 h``, ``2 h 30 min`` — how long something takes, for people."""
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if rest == 0 else f"{hours} h {rest} min"


def plural(count: int, noun: str) -> str:
    """``1 lesson``, ``3 lessons``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"
