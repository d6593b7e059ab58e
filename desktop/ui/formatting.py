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


def relative_time(at: datetime, now: datetime | None = None) -> str:
    """``just now``, ``5 min ago``, ``3 h ago``, ``yesterday``, ``4 days ago``, ``12 Mar``."""
    now = now or datetime.now(UTC)
    if at.tzinfo is None:
        at = at.replace(tzinfo=UTC)
    seconds = (now - at).total_seconds()
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return f"{int(seconds // 60)} min ago"
    if seconds < 86400:
        return f"{int(seconds // 3600)} h ago"
    days = int(seconds // 86400)
    if days == 1:
        return "yesterday"
    if days < 7:
        return f"{days} days ago"
    return at.astimezone().strftime("%d %b")
