"""Progress aggregates derived from append-only events; never last-writer-wins."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class ProgressFact:
    """One progress event as the aggregate rules see it."""

    event_id: str
    course_id: str
    lesson_id: str
    type: str  # "attempt" | "session" | "completion"
    score: float | None
    seconds: int


@dataclass(frozen=True)
class LessonProgress:
    course_id: str
    lesson_id: str
    completed: bool
    best_score: float | None
    total_seconds: int
    attempts: int


def union_events(*replicas: Iterable[ProgressFact]) -> list[ProgressFact]:
    """Merge event sets by union on ``event_id`` (a replayed event is the same event)."""
    seen: dict[str, ProgressFact] = {}
    for replica in replicas:
        for event in replica:
            seen.setdefault(event.event_id, event)
    return list(seen.values())


def lesson_progress(events: Iterable[ProgressFact]) -> list[LessonProgress]:
    """One row per (course, lesson): completed once any completion exists, the best score
    is the maximum, time is the sum, attempts are counted."""
    rows: dict[tuple[str, str], LessonProgress] = {}
    for e in union_events(events):
        key = (e.course_id, e.lesson_id)
        old = rows.get(key) or LessonProgress(e.course_id, e.lesson_id, False, None, 0, 0)
        best = old.best_score
        if e.score is not None:
            best = e.score if best is None else max(best, e.score)
        rows[key] = LessonProgress(
            course_id=e.course_id,
            lesson_id=e.lesson_id,
            completed=old.completed or e.type == "completion",
            best_score=best,
            total_seconds=old.total_seconds + max(e.seconds, 0),
            attempts=old.attempts + (1 if e.type == "attempt" else 0),
        )
    return sorted(rows.values(), key=lambda r: (r.course_id, r.lesson_id))
