"""The course model: what a course *is*, independent of files, Qt or storage.

Every course, module, lesson, slide and question carries a stable ``id`` chosen by the
author. Progress is keyed to these ids, never to positions, so reordering slides or
lessons never wipes a learner's progress.
"""

from __future__ import annotations

import enum
import random
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path


class QuestionKind(enum.StrEnum):
    SINGLE = "single"
    MULTIPLE = "multiple"
    TEXT = "text"
    ORDERING = "ordering"


@dataclass(frozen=True, slots=True)
class Choice:
    id: str
    text: str
    correct: bool = False
    feedback: str = ""


@dataclass(frozen=True, slots=True)
class Question:
    """One quiz question. ``choices`` are used by single/multiple choice; ``answers`` are
    the accepted texts of a short-text question; ``items`` hold an ordering question's
    items in their *correct* order (the player shows them shuffled)."""

    id: str
    kind: QuestionKind
    prompt: str
    choices: tuple[Choice, ...] = ()
    answers: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    hint: str = ""
    explanation: str = ""
    correct_feedback: str = ""
    incorrect_feedback: str = ""
    points: int = 1
    max_attempts: int | None = None  # None: unlimited
    line: int = 0

    def shuffled_items(self) -> list[str]:
        """The ordering items in a stable shuffle (the same every time the question is
        shown, on any screen) that is never already the right order."""
        items = list(self.items)
        if len(items) < 2:
            return items
        rng = random.Random(self.id)
        for _ in range(12):
            rng.shuffle(items)
            if items != list(self.items):
                return items
        return items[1:] + items[:1]


class CompletionKind(enum.StrEnum):
    ALL_SLIDES = "all-slides"
    TIME = "time"
    MASTERY = "mastery"


@dataclass(frozen=True, slots=True)
class LessonCompletion:
    """When a lesson counts as completed.

    ``all-slides``: every slide viewed. ``time``: ``minutes`` spent in the lesson.
    ``mastery``: ``m`` of the lesson's questions (``n`` of them) answered correctly."""

    kind: CompletionKind = CompletionKind.ALL_SLIDES
    minutes: int = 0
    m: int = 0
    n: int = 0

    def describe(self) -> str:
        if self.kind is CompletionKind.TIME:
            return f"spend {self.minutes} min"
        if self.kind is CompletionKind.MASTERY:
            return f"answer {self.m} of {self.n} questions correctly"
        return "view every slide"


@dataclass(frozen=True, slots=True)
class Slide:
    id: str
    title: str
    body: str  # Markdown, with quiz and notes blocks removed
    notes: str = ""  # speaker notes: presenter only, never shown to an audience
    questions: tuple[Question, ...] = ()
    line: int = 0  # 1-based line of the slide's first line in its lesson file


@dataclass(frozen=True, slots=True)
class Lesson:
    id: str
    title: str
    slides: tuple[Slide, ...]
    estimated_minutes: int = 0
    objectives: tuple[str, ...] = ()
    completion: LessonCompletion = field(default_factory=LessonCompletion)
    source: Path | None = None
    # A library keeps an *outline* of the lessons it is not showing: every slide without
    # its text (``body`` and ``notes`` empty; ids, titles and questions kept), read again
    # from ``source`` when the lesson is shown (``CourseLibrary.lesson_content``).
    # ``digest`` (SHA-256 of the file as checked) tells whether the file still holds it.
    outline: bool = False
    digest: str = ""

    @property
    def questions(self) -> tuple[Question, ...]:
        return tuple(q for s in self.slides for q in s.questions)

    def slide_index(self, slide_id: str) -> int | None:
        for i, slide in enumerate(self.slides):
            if slide.id == slide_id:
                return i
        return None


@dataclass(frozen=True, slots=True)
class Module:
    id: str
    title: str
    lesson_ids: tuple[str, ...]


class CourseCompletionKind(enum.StrEnum):
    ALL_LESSONS = "all-lessons"
    PERCENT = "percent"


@dataclass(frozen=True, slots=True)
class CourseCompletion:
    kind: CourseCompletionKind = CourseCompletionKind.ALL_LESSONS
    percent: int = 100


@dataclass(frozen=True, slots=True)
class Course:
    id: str
    version: str
    title: str
    modules: tuple[Module, ...]
    lessons: Mapping[str, Lesson]
    summary: str = ""
    language: str = "en"
    authors: tuple[str, ...] = ()
    license: str = ""
    objectives: tuple[str, ...] = ()
    estimated_minutes: int = 0
    completion: CourseCompletion = field(default_factory=CourseCompletion)
    root: Path | None = None
    digest: str = ""  # SHA-256 over the files the course was read from ("" if not read)

    def ordered_lessons(self) -> list[Lesson]:
        """Lessons in the order the modules list them."""
        return [self.lessons[lid] for m in self.modules for lid in m.lesson_ids]

    def module_of(self, lesson_id: str) -> Module | None:
        for m in self.modules:
            if lesson_id in m.lesson_ids:
                return m
        return None

    def next_lesson(self, lesson_id: str) -> Lesson | None:
        order = self.ordered_lessons()
        for i, lesson in enumerate(order):
            if lesson.id == lesson_id and i + 1 < len(order):
                return order[i + 1]
        return None
