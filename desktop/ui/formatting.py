"""Small text helpers shared by the pages."""

from __future__ import annotations

from datetime import UTC, datetime


def duration(minutes: int) -> str:
    """``45 min``, ``2 h``, ``2 h 30 min`` — how long something takes, for people."""
    if minutes < 60:
        return f"{minutes} min"
    hours, rest = divmod(minutes, 60)
    return f"{hours} h" if rest == 0 else f"{hours} h {rest} min"


def plural(count: int, noun: str) -> str:
    """``1 lesson``, ``3 lessons``."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def ago(when: datetime, now: datetime | None = None) -> str:
    """ "just now", "5 min ago", "3 h ago", "yesterday", "12 Mar"."""
    now = now or datetime.now(UTC)
    seconds = (now - when).total_seconds()
    if seconds < 45:
        return "just now"
    if seconds < 3600:
        return f"{max(1, round(seconds / 60))} min ago"
    if seconds < 86_400:
        return f"{round(seconds / 3600)} h ago"
    if seconds < 2 * 86_400:
        return "yesterday"
    return when.astimezone().strftime("%d %b")
