"""What a page asks to present (light: the course page and the lesson player import it
without pulling in the presenter windows)."""

from __future__ import annotations

from dataclasses import dataclass

from desktop.domain.presenting import Scope


@dataclass(frozen=True, slots=True)
class PresentRequest:
    """Present ``scope`` (``target_id``: the lesson or module id; ignored for a course),
    starting at ``start_lesson_id`` / ``start_slide_id`` (the first slide when None)."""

    course_id: str
    scope: Scope
    target_id: str | None = None
    start_lesson_id: str | None = None
    start_slide_id: str | None = None
