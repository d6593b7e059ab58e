"""Presenting a course to a room: the deck, the pacing, and what each key does.

Pure rules, no Qt and no clock of their own (times are passed in), so every key a
clicker sends and every pacing case is tested without a window.

* A :class:`Deck` is the slides of one lesson, one module or a whole course, in order,
  each with its planned time: the ``Timing: N min`` line of its speaker notes, or else an
  even share of what its lesson's ``estimated_minutes`` leaves over.
* :func:`pacing` compares the elapsed time with the plan at the current slide: ahead,
  on pace or behind.
* :class:`Show` is the state of a running presentation, and :func:`press` what a key does
  to it (PageDown, B, a slide number then Enter...). It never records learning progress:
  presenting is teaching, not studying.
"""

from __future__ import annotations

import enum
import re
from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from desktop.domain.course import Course, Lesson, Slide


class Scope(enum.StrEnum):
    LESSON = "lesson"
    MODULE = "module"
    COURSE = "course"


class PresentingError(ValueError):
    """What the trainer asked to present does not exist or has nothing to show."""

    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


# "Timing: 2 min", "timing: 90 s", "Timing: 1:30", "Time: 3 minutes" on a line of its own.
_TIMING_RE = re.compile(
    r"^[ \t]*(?:timing|time)[ \t]*:[ \t]*"
    r"(?:(?P<mm>\d{1,3}):(?P<ss>[0-5]\d)"
    r"|(?P<num>\d{1,4}(?:[.,]\d+)?)[ \t]*(?P<unit>min(?:ute)?s?|m|sec(?:ond)?s?|s)?\.?)"
    r"[ \t]*$",
    re.IGNORECASE | re.MULTILINE,
)


def parse_timing(notes: str) -> tuple[str, float | None]:
    """Split speaker notes into the text to show and the planned seconds, if a
    ``Timing: N min`` (or ``90 s``, ``1:30``) line gives them. A number without a unit is
    minutes. Several timing lines add up."""
    total: float | None = None
    for match in _TIMING_RE.finditer(notes):
        if match.group("mm") is not None:
            seconds = float(int(match.group("mm")) * 60 + int(match.group("ss")))
        else:
            value = float(match.group("num").replace(",", "."))
            unit = (match.group("unit") or "min").lower()
            seconds = value if unit.startswith("s") else value * 60
        total = (total or 0.0) + seconds
    text = _TIMING_RE.sub("", notes) if total is not None else notes
    text = re.sub(r"\n{3,}", "\n\n", text).strip()
    return text, total


@dataclass(frozen=True, slots=True)
class DeckSlide:
    """One slide of a deck, with where it comes from and its planned time."""

    number: int  # 1-based position in the deck: what the trainer types to jump here
    course_id: str
    lesson: Lesson
    module_title: str
    slide: Slide
    index_in_lesson: int
    notes: str  # speaker notes without the timing line
    planned_seconds: float  # 0 when nothing plans this slide
    timed_by_notes: bool  # True when the notes say how long it takes

    @property
    def lesson_id(self) -> str:
        return self.lesson.id

    @property
    def lesson_slide_count(self) -> int:
        return len(self.lesson.slides)

    @property
    def has_quiz(self) -> bool:
        return bool(self.slide.questions)


@dataclass(frozen=True, slots=True)
class Deck:
    title: str  # what is presented: a lesson, a module or a course title
    subtitle: str  # the course (and module) it belongs to
    scope: Scope
    course: Course
    slides: tuple[DeckSlide, ...]
    starts: tuple[float, ...] = field(default=())  # planned start of each slide, seconds

    def __len__(self) -> int:
        return len(self.slides)

    @property
    def planned_seconds(self) -> float:
        return sum(s.planned_seconds for s in self.slides)

    @property
    def has_plan(self) -> bool:
        return self.planned_seconds > 0

    def planned_start(self, index: int) -> float:
        return self.starts[index] if self.starts else 0.0

    def position_of(self, lesson_id: str, slide_id: str | None) -> int:
        """Deck index of a lesson's slide (its first slide when ``slide_id`` is None or
        gone); 0 when the lesson is not in the deck."""
        first: int | None = None
        for i, s in enumerate(self.slides):
            if s.lesson.id == lesson_id:
                if first is None:
                    first = i
                if slide_id is None or s.slide.id == slide_id:
                    return i
        return first or 0


def _lesson_slides(
    course: Course, lesson: Lesson, module_title: str, start_number: int
) -> list[DeckSlide]:
    parsed = [parse_timing(s.notes) for s in lesson.slides]
    timed = sum(seconds for _, seconds in parsed if seconds is not None)
    untimed = sum(1 for _, seconds in parsed if seconds is None)
    # The lesson's estimate covers its slides: what the timed ones leave is shared evenly.
    leftover = max(0.0, lesson.estimated_minutes * 60 - timed)
    share = leftover / untimed if untimed else 0.0
    return [
        DeckSlide(
            number=start_number + i,
            course_id=course.id,
            lesson=lesson,
            module_title=module_title,
            slide=slide,
            index_in_lesson=i,
            notes=text,
            planned_seconds=seconds if seconds is not None else share,
            timed_by_notes=seconds is not None,
        )
        for i, (slide, (text, seconds)) in enumerate(zip(lesson.slides, parsed, strict=True))
    ]


def build_deck(course: Course, scope: Scope, target_id: str | None = None) -> Deck:
    """The deck for a lesson (``target_id`` a lesson id), a module (a module id) or the
    whole course (``target_id`` ignored). Raises :class:`PresentingError`."""
    if scope is Scope.LESSON:
        lesson = course.lessons.get(target_id or "")
        if lesson is None:
            raise PresentingError(
                f"There is no lesson '{target_id}' in '{course.title}' any more. "
                "Reload the course and pick a lesson from its outline."
            )
        module = course.module_of(lesson.id)
        module_title = module.title if module else ""
        lessons = [(lesson, module_title)]
        title = lesson.title
        subtitle = f"{course.title} · {module_title}" if module_title else course.title
    elif scope is Scope.MODULE:
        found = next((m for m in course.modules if m.id == target_id), None)
        if found is None:
            raise PresentingError(
                f"There is no module '{target_id}' in '{course.title}' any more. "
                "Reload the course and pick a module from its outline."
            )
        lessons = [(course.lessons[lid], found.title) for lid in found.lesson_ids]
        title, subtitle = found.title, course.title
    else:
        lessons = [(course.lessons[lid], m.title) for m in course.modules for lid in m.lesson_ids]
        title, subtitle = course.title, ", ".join(course.authors)
    slides: list[DeckSlide] = []
    for lesson, module_title in lessons:
        slides.extend(_lesson_slides(course, lesson, module_title, len(slides) + 1))
    if not slides:
        raise PresentingError(
            f"'{title}' has no slides to present. Add slides to its lesson files "
            "(a line holding only --- starts a new slide)."
        )
    starts: list[float] = []
    at = 0.0
    for s in slides:
        starts.append(at)
        at += s.planned_seconds
    return Deck(title, subtitle, scope, course, tuple(slides), tuple(starts))


# -- pacing ----------------------------------------------------------------------------


class PaceState(enum.StrEnum):
    NO_PLAN = "no-plan"
    AHEAD = "ahead"
    ON_PACE = "on-pace"
    BEHIND = "behind"


MIN_TOLERANCE_S = 30.0
TOLERANCE_SHARE = 0.05  # of the whole talk's planned time


@dataclass(frozen=True, slots=True)
class Pacing:
    state: PaceState
    seconds: float  # how far ahead (or behind); 0 when on pace or without a plan
    planned_total: float

    @property
    def text(self) -> str:
        if self.state is PaceState.NO_PLAN:
            return "No planned time"
        if self.state is PaceState.ON_PACE:
            return "On pace"
        return f"{format_duration(self.seconds)} {self.state.value}"


def pacing(deck: Deck, index: int, elapsed: float, origin: int = 0) -> Pacing:
    """Ahead when the trainer reached slide ``index`` before its planned start, behind
    when still on it after its planned end, on pace in between (with some tolerance: 30 s
    or 5 % of the talk, whichever is more). ``origin`` is the slide the timer started
    on: a talk resumed at slide 12 is not 20 minutes ahead."""
    total = deck.planned_seconds
    if total <= 0 or not deck.slides:
        return Pacing(PaceState.NO_PLAN, 0.0, 0.0)
    index = max(0, min(len(deck.slides) - 1, index))
    offset = deck.planned_start(max(0, min(len(deck.slides) - 1, origin)))
    start = deck.planned_start(index) - offset
    end = start + deck.slides[index].planned_seconds
    tolerance = max(MIN_TOLERANCE_S, total * TOLERANCE_SHARE)
    if elapsed < start - tolerance:
        return Pacing(PaceState.AHEAD, start - elapsed, total)
    if elapsed > end + tolerance:
        return Pacing(PaceState.BEHIND, elapsed - end, total)
    return Pacing(PaceState.ON_PACE, 0.0, total)


def format_duration(seconds: float) -> str:
    """``42 s``, ``3 min``, ``1 h 05 min``: how far ahead or behind a trainer is."""
    seconds = max(0.0, seconds)
    if seconds < 60:
        return f"{round(seconds)} s"
    minutes = round(seconds / 60)
    if minutes < 60:
        return f"{minutes} min"
    return f"{minutes // 60} h {minutes % 60:02d} min"


def format_clock(seconds: float) -> str:
    """Elapsed time as ``MM:SS`` (``H:MM:SS`` past an hour)."""
    whole = int(max(0.0, seconds))
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m:02d}:{s:02d}"


@dataclass(frozen=True, slots=True)
class Stopwatch:
    """The elapsed-time timer, with the time passed in (``time.monotonic()`` in the app)."""

    started_at: float | None = None  # None: stopped
    banked: float = 0.0  # time counted before the last stop

    def elapsed(self, now: float) -> float:
        running = now - self.started_at if self.started_at is not None else 0.0
        return self.banked + max(0.0, running)

    @property
    def running(self) -> bool:
        return self.started_at is not None

    def start(self, now: float) -> Stopwatch:
        return self if self.started_at is not None else replace(self, started_at=now)

    def stop(self, now: float) -> Stopwatch:
        if self.started_at is None:
            return self
        return Stopwatch(None, self.elapsed(now))

    def reset(self, now: float) -> Stopwatch:
        """Back to 00:00, still running if it was."""
        return Stopwatch(now if self.started_at is not None else None, 0.0)


# -- keys ------------------------------------------------------------------------------


class Blank(enum.StrEnum):
    NONE = "none"
    BLACK = "black"
    WHITE = "white"


class Effect(enum.StrEnum):
    """What the windows must do besides showing the new state."""

    NONE = "none"
    RESTART = "restart"  # F5: from the first slide, timer back to 00:00
    RESUME = "resume"  # Shift+F5 after an end: the audience window comes back
    END = "end"  # Esc: the audience window goes away, the presenter window stays
    CLOSE = "close"  # Esc once ended: close the presenter window too
    RESET_TIMER = "reset-timer"
    SWAP = "swap"  # which screen (or which window in front) shows the audience view
    NO_SUCH_SLIDE = "no-such-slide"  # a number was typed that is not a slide


MAX_TYPED_DIGITS = 4

NEXT_KEYS = frozenset({"Right", "PageDown", "Space", "Down", "N", "Enter"})
PREVIOUS_KEYS = frozenset({"Left", "PageUp", "Shift+Space", "Up", "P", "Backspace"})
BLACK_KEYS = frozenset({"B", "."})
WHITE_KEYS = frozenset({"W", ","})


@dataclass(frozen=True, slots=True)
class Show:
    """A running (or ended) presentation: where the presenter is and what the room sees."""

    count: int
    index: int = 0
    running: bool = True
    blank: Blank = Blank.NONE
    frozen_at: int | None = None  # the slide the audience keeps seeing while frozen
    typed: str = ""  # digits typed for a jump, waiting for Enter
    revealed: frozenset[int] = frozenset()  # slides whose quiz answers are shown

    @property
    def audience_index(self) -> int:
        return self.frozen_at if self.frozen_at is not None else self.index

    @property
    def frozen(self) -> bool:
        return self.frozen_at is not None

    @property
    def answer_revealed(self) -> bool:
        return self.index in self.revealed

    @property
    def audience_answer_revealed(self) -> bool:
        return self.audience_index in self.revealed

    def go(self, index: int) -> Show:
        return replace(self, index=max(0, min(self.count - 1, index)), typed="")


def press(show: Show, key: str, *, has_quiz: Sequence[bool] = ()) -> tuple[Show, Effect]:
    """What ``key`` does. Keys are named as Qt prints them: ``PageDown``, ``Shift+F5``,
    ``B``, ``.``, ``5``, ``Enter``, ``Escape``. ``has_quiz[i]`` says whether slide ``i``
    has questions (A reveals their answers).

    Once ended (Esc), only F5 (start again), Shift+F5 (resume here) and Esc (close) act.
    """
    if not show.running:
        if key == "F5":
            return Show(show.count), Effect.RESTART
        if key == "Shift+F5":
            return replace(show, running=True, typed=""), Effect.RESUME
        if key == "Escape":
            return show, Effect.CLOSE
        return show, Effect.NONE

    if key.isdigit() and len(key) == 1:
        if len(show.typed) >= MAX_TYPED_DIGITS:
            return show, Effect.NONE
        return replace(show, typed=show.typed + key), Effect.NONE
    if show.typed:
        if key == "Backspace":
            return replace(show, typed=show.typed[:-1]), Effect.NONE
        if key == "Escape":  # forget the number; a second Esc ends
            return replace(show, typed=""), Effect.NONE
        if key == "Enter":
            number = int(show.typed)
            if 1 <= number <= show.count:
                return show.go(number - 1), Effect.NONE
            return replace(show, typed=""), Effect.NO_SUCH_SLIDE
        show = replace(show, typed="")  # any other key drops a half-typed number

    if key in NEXT_KEYS:
        return show.go(show.index + 1), Effect.NONE
    if key in PREVIOUS_KEYS:
        return show.go(show.index - 1), Effect.NONE
    if key == "Home":
        return show.go(0), Effect.NONE
    if key == "End":
        return show.go(show.count - 1), Effect.NONE
    if key == "F5":
        return Show(show.count), Effect.RESTART
    if key == "Shift+F5":  # from here: everything back on the audience screen
        return replace(show, blank=Blank.NONE, frozen_at=None), Effect.RESUME
    if key == "Escape":
        return replace(show, running=False, typed=""), Effect.END
    if key in BLACK_KEYS:
        blank = Blank.NONE if show.blank is Blank.BLACK else Blank.BLACK
        return replace(show, blank=blank), Effect.NONE
    if key in WHITE_KEYS:
        blank = Blank.NONE if show.blank is Blank.WHITE else Blank.WHITE
        return replace(show, blank=blank), Effect.NONE
    if key == "F":
        frozen_at = None if show.frozen else show.index
        return replace(show, frozen_at=frozen_at), Effect.NONE
    if key == "A":
        if show.index < len(has_quiz) and has_quiz[show.index]:
            revealed = show.revealed ^ {show.index}
            return replace(show, revealed=frozenset(revealed)), Effect.NONE
        return show, Effect.NONE
    if key == "R":
        return show, Effect.RESET_TIMER
    if key == "S":
        return show, Effect.SWAP
    return show, Effect.NONE
