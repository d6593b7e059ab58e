"""Turning ids into what a learner recognises: course, lesson and slide titles."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # types only: the main window imports this before any service exists
    from desktop.domain.course import Course
    from desktop.services.course_library import CourseEntry, CourseLibrary


@dataclass(frozen=True, slots=True)
class Place:
    """A slide (or lesson) described for people; numbers are 1-based, 0 when unknown."""

    course_title: str
    lesson_title: str
    slide_title: str
    slide_number: int
    slide_count: int


def find_course(library: CourseLibrary, course_id: str) -> Course | None:
    try:
        return library.course(course_id)
    except KeyError:
        return None


def describe(course: Course, lesson_id: str, slide_id: str | None) -> Place:
    lesson = course.lessons.get(lesson_id)
    if lesson is None:
        return Place(course.title, "A lesson that was removed", "", 0, 0)
    index = lesson.slide_index(slide_id) if slide_id else None
    if index is None:
        return Place(course.title, lesson.title, "", 0, len(lesson.slides))
    slide = lesson.slides[index]
    return Place(course.title, lesson.title, slide.title, index + 1, len(lesson.slides))


def healthy(entries: list[CourseEntry]) -> list[Course]:
    return [e.course for e in entries if e.course is not None and not e.broken]


def starter_course(entries: list[CourseEntry]) -> Course | None:
    """The course to suggest to a first-time user: the bundled sample if there is one
    (``courses/sample-course``), else the first course in the library."""
    usable = [e for e in entries if e.course is not None and not e.broken]
    for entry in usable:
        if "sample" in entry.folder.name.lower() or "sample" in entry.course_id.lower():
            return entry.course
    return usable[0].course if usable else None


def user_folders(library: CourseLibrary) -> list[Path]:
    """The folders the user added to the library, in the order they were added.

    ``CourseLibrary`` does not list them publicly yet; until it offers ``folders()``, ask
    its folder store (the only reader is the Settings page)."""
    lister = getattr(library, "folders", None)
    if callable(lister):
        return [Path(p) for p in lister()]
    store = getattr(library, "_folders", None)
    list_folders = getattr(store, "list_folders", None)
    if callable(list_folders):
        return [Path(p) for p in list_folders()]
    return []
