"""``PresentationSession``: one talk — the deck, the two windows, the screens, the timer.

Keys from either window (and the presenter window's buttons) go through
:func:`desktop.domain.presenting.press`; the session shows the new state:

* the audience window full screen on the second screen (the first non-primary display;
  S swaps), or, with one screen, full screen on it with the presenter view in a normal
  window (S brings one or the other to the front);
* a screen plugged in or pulled out mid-talk (:class:`Screens` ``changed``) moves the
  audience window; nothing is lost and the talk goes on;
* the audience window only ever gets the slide and, on A, the quiz answer: never the
  speaker notes;
* nothing is recorded as learning progress (the session has no progress service).
"""

from __future__ import annotations

import contextlib
import dataclasses
import html
import logging
import time
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QLocale, QObject, QRect, QTime, QTimer, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QWidget

from desktop.domain.presenting import (
    Deck,
    DeckSlide,
    Effect,
    PresentingError,
    Show,
    Stopwatch,
    format_clock,
    format_duration,
    pacing,
    press,
)
from desktop.services.container import Services
from desktop.services.presenting import DeckRenderer, HandoutResult, deck_for
from desktop.ui.lookup import find_course
from desktop.ui.presenter.audience import AudienceWindow
from desktop.ui.presenter.handout import ask_path, save_handout
from desktop.ui.presenter.presenter_window import PresenterWindow
from desktop.ui.presenter.request import PresentRequest
from desktop.ui.presenter.screens import Display, Screens, SystemScreens
from desktop.ui.presenter.slides_model import DeckSlidesModel
from desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

TICK_MS = 1000


class PresentationSession(QObject):
    """Owns the presenter and audience windows of one talk; ``finished`` when closed."""

    finished = Signal()
    changed = Signal()  # the slide, the blanking, the freeze... (tests wait on it)

    def __init__(
        self,
        deck: Deck,
        *,
        screens: Screens,
        runner: TaskRunner,
        start_index: int = 0,
        monotonic: Callable[[], float] = time.monotonic,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.deck = deck
        self.renderer = DeckRenderer(deck)
        self.screens = screens
        self.runner = runner
        self._now = monotonic
        self.show = Show(len(deck)).go(start_index)
        self.origin = self.show.index  # the slide the timer started on (for pacing)
        self.stopwatch = Stopwatch().start(self._now())
        self._has_quiz = tuple(s.has_quiz for s in deck.slides)
        self.audience_display: Display | None = None
        self.presenter_display: Display | None = None
        self.swapped = False  # two screens: audience on the primary one instead
        self.audience_in_front = True  # one screen: which window is raised
        self.closed = False
        self.last_handout: HandoutResult | None = None
        # Asks where to save a handout; replaced by tests. None: the user cancelled.
        self.choose_handout_path: Callable[[bool], Path | None] = lambda notes: ask_path(
            self.presenter, self.deck, notes
        )

        root = deck.course.root
        self.presenter = PresenterWindow(deck.title, deck.subtitle)
        self.audience = AudienceWindow(deck.title)
        for stage in (self.presenter.current, self.presenter.next, self.audience.stage):
            stage.set_course_root(root)
        self.slides_model = DeckSlidesModel(deck, self.presenter)  # dies with its view
        self.presenter.set_slides_model(self.slides_model)
        self.presenter.key_pressed.connect(self.handle_key)
        self.presenter.slide_chosen.connect(self.go_to)
        self.audience.key_pressed.connect(self.handle_key)
        self.presenter.handout_requested.connect(self.export_handout)
        self.presenter.close_requested.connect(self.close)
        self.audience.closed.connect(self._on_audience_closed)
        screens.changed.connect(self._on_screens_changed)

        self._shown_presenter: tuple[int, bool] | None = None
        self._shown_audience: tuple[int, bool] | None = None
        self._details_pending = False
        self._details_timer = QTimer(self)
        self._details_timer.setSingleShot(True)
        self._details_timer.setInterval(0)
        self._details_timer.timeout.connect(self._show_details)
        self._tick_timer = QTimer(self)
        self._tick_timer.setInterval(TICK_MS)
        self._tick_timer.timeout.connect(self.tick)
        planned = deck.planned_seconds
        self.presenter.planned.setText(f"of {format_duration(planned)}" if planned else "")

    # -- starting and ending ----------------------------------------------------------

    def start(self) -> None:
        """Put the windows on their screens and show the first slide."""
        self._place_windows()
        self._refresh(details_now=True)
        self.tick()
        self._tick_timer.start()

    def close(self) -> None:
        """Close both windows; the session is over."""
        if self.closed:
            return
        self.closed = True
        self._tick_timer.stop()
        self._details_timer.stop()
        with contextlib.suppress(RuntimeError, TypeError):
            self.screens.changed.disconnect(self._on_screens_changed)
        self.audience.closed.disconnect(self._on_audience_closed)
        self.presenter.close_requested.disconnect(self.close)
        self.audience.close()
        self.presenter.close()
        self.audience.deleteLater()
        self.presenter.deleteLater()
        self.finished.emit()

    # -- keys -------------------------------------------------------------------------

    def handle_key(self, key: str) -> None:
        """Act on a key name (see :mod:`desktop.ui.presenter.keys`)."""
        if self.closed:
            return
        typed = self.show.typed
        self.show, effect = press(self.show, key, has_quiz=self._has_quiz)
        now = self._now()
        message = ""
        if effect is Effect.RESTART:
            self.stopwatch = Stopwatch().start(now)
            self.origin = 0
            self._shown_audience = None
            self._place_windows()
            message = "Started again from the first slide."
        elif effect is Effect.RESUME:
            self.stopwatch = self.stopwatch.start(now)
            if not self.audience.isVisible():
                self._place_windows()
            message = f"Showing slide {self.show.index + 1} to the room."
        elif effect is Effect.END:
            self.stopwatch = self.stopwatch.stop(now)
            self.audience.hide()
        elif effect is Effect.CLOSE:
            self.close()
            return
        elif effect is Effect.RESET_TIMER:
            self.stopwatch = self.stopwatch.reset(now)
            self.origin = self.show.index
            message = "Timer reset."
        elif effect is Effect.SWAP:
            message = self.swap()
        elif effect is Effect.NO_SUCH_SLIDE:
            message = (
                f"There is no slide {typed}: this presentation has slides 1 to {len(self.deck)}."
            )
        self.presenter.message.setText(message)
        self.presenter.set_ended(not self.show.running, self.show.index + 1)
        self._refresh()
        self.tick()

    def go_to(self, index: int) -> None:
        """Jump to a slide as its number and Enter would (the slide strip's clicks)."""
        if self.show.typed:  # a half-typed number is not part of the click
            self.show = dataclasses.replace(self.show, typed="")
        for key in (*str(index + 1), "Enter"):
            self.handle_key(key)

    # -- showing ----------------------------------------------------------------------

    def _stage_html(self, index: int, revealed: bool) -> str:
        rendered = self.renderer.slide(index)
        title = "" if rendered.has_heading else f"<h1>{html.escape(rendered.title)}</h1>"
        quiz = rendered.quiz_revealed if revealed else rendered.quiz
        return f"{title}{rendered.body}{quiz}"

    def _describe(self, item: DeckSlide) -> str:
        where = f"Slide {item.number} of {len(self.deck)}"
        if len(self.deck.slides) != item.lesson_slide_count:
            where += (
                f"  ·  {item.lesson.title} ({item.index_in_lesson + 1}/{item.lesson_slide_count})"
            )
        return where

    def _refresh(self, *, details_now: bool = False) -> None:
        """Show the state. What the room sees and the trainer's current slide are drawn
        at once; the next-slide preview, the notes, the answers and the slide list right
        after that paint (``pending`` until then), so a clicker press reaches the
        projector without waiting for the previews."""
        show, presenter = self.show, self.presenter
        audience = self.audience
        if show.running:
            target = (show.audience_index, show.audience_answer_revealed)
            if target != self._shown_audience:
                self._shown_audience = target
                audience.stage.show_slide(self._stage_html(*target))
            audience.stage.set_blank(show.blank)
        key = (show.index, show.answer_revealed)
        if key != self._shown_presenter:
            self._shown_presenter = key
            presenter.current.show_slide(self._stage_html(*key))
            presenter.current_detail.setText(self._describe(self.deck.slides[show.index]))
            self._details_pending = True
            if details_now:
                self._show_details()
            else:
                self._details_timer.start()
        presenter.show_audience_state(show, show.audience_index + 1)
        self.changed.emit()

    @property
    def pending(self) -> bool:
        """The previews and notes for the current slide are still to be shown."""
        return self._details_pending

    def _show_details(self) -> None:
        if not self._details_pending or self.closed:
            return
        self._details_pending = False
        deck, presenter = self.deck, self.presenter
        index = self.show.index
        item = deck.slides[index]
        rendered = self.renderer.slide(index)
        has_next = index + 1 < len(deck)
        presenter.next_box.setVisible(has_next)
        presenter.next_end.setVisible(not has_next)
        if has_next:
            following = deck.slides[index + 1]
            coming = self._stage_html(index + 1, False)
            presenter.next.show_slide(coming)
            # The next key press shows it on these two: size its text now, not then.
            self.audience.stage.prefit(coming)
            presenter.current.prefit(coming)
            presenter.next_detail.setText(f"Slide {following.number}  ·  {following.slide.title}")
        else:
            presenter.next_detail.setText("")
        presenter.notes.setHtml(
            rendered.notes
            or "<p style='color:#98A2B3'>No speaker notes for this slide. Add a "
            "```notes block under the slide in its lesson file.</p>"
        )
        presenter.slide_plan.setText(
            f"planned {format_duration(item.planned_seconds)}"
            + ("" if item.timed_by_notes else " (from the lesson estimate)")
            if item.planned_seconds
            else ""
        )
        presenter.set_answers(rendered.answers)
        self.slides_model.set_current(index)
        presenter.show_current_in_strip(index)
        # The slide after the next one is the likely next preview: render its HTML now,
        # while the trainer talks, not when the clicker is pressed.
        if index + 2 < len(deck):
            self.renderer.slide(index + 2)

    def tick(self) -> None:
        """Once a second: the timer, the clock and the pacing."""
        elapsed = self.stopwatch.elapsed(self._now())
        self.presenter.timer.setText(format_clock(elapsed))
        self.presenter.clock.setText(
            QLocale().toString(QTime.currentTime(), QLocale.FormatType.ShortFormat)
        )
        self.presenter.show_pacing(pacing(self.deck, self.show.index, elapsed, self.origin))

    @property
    def elapsed(self) -> float:
        return self.stopwatch.elapsed(self._now())

    # -- screens ----------------------------------------------------------------------

    def _choose_displays(self) -> tuple[Display | None, Display | None]:
        """(presenter display, audience display)."""
        displays = self.screens.displays()
        if not displays:
            return None, None
        primary = self.screens.primary or displays[0]
        others = [d for d in displays if d is not primary]
        if not others:
            return primary, primary
        if self.swapped:
            return others[0], primary
        return primary, others[0]

    @property
    def single_screen(self) -> bool:
        return self.audience_display is not None and self.audience_display is self.presenter_display

    def _place_windows(self) -> None:
        presenter_display, audience_display = self._choose_displays()
        self.presenter_display, self.audience_display = presenter_display, audience_display
        if presenter_display is not None:
            _put_in_window(self.presenter, presenter_display)
        if self.show.running and audience_display is not None:
            _put_full_screen(self.audience, audience_display)
            if self.single_screen and not self.audience_in_front:
                _raise(self.presenter)
            else:
                _raise(self.audience)
        if not self.single_screen or not self.audience_in_front or not self.show.running:
            _raise(self.presenter)

    def swap(self) -> str:
        """Two screens: swap them. One screen: bring the other view to the front."""
        if self.single_screen:
            self.audience_in_front = not self.audience_in_front
            if self.audience_in_front and self.show.running:
                _raise(self.audience)
                return "The audience view is in front. S brings the presenter view back."
            _raise(self.presenter)
            return "The presenter view is in front. S brings the audience view back."
        self.swapped = not self.swapped
        self._place_windows()
        name = self.audience_display.name if self.audience_display else ""
        return f"The audience view is now on {name}."

    def _on_screens_changed(self) -> None:
        before = self.audience_display
        displays = self.screens.displays()
        if self.swapped and len(displays) < 2:
            self.swapped = False
        self._place_windows()
        after = self.audience_display
        if after is None:
            text = "No screen is connected."
        elif self.single_screen and before is not None and before not in displays:
            text = (
                f"{before.name} was disconnected: the audience view is full screen on "
                f"{after.name}. S brings the presenter view to the front."
            )
        elif after is not before:
            text = f"{after.name} connected: the audience view moved there."
        else:
            text = ""
        if text:
            self.presenter.message.setText(text)
        log.info("screens changed: %s; audience on %s", displays, after)

    def _on_audience_closed(self) -> None:
        # The audience window was closed from outside (Alt+F4 on it): end, as Esc does.
        if self.show.running and not self.closed:
            self.handle_key("Escape")

    # -- handouts ---------------------------------------------------------------------

    def export_handout(self, with_notes: bool) -> None:
        """Ask where, then write the handout PDF in the background."""
        path = self.choose_handout_path(with_notes)
        if path is None:
            return
        self.presenter.handout_button.setEnabled(False)

        def tell(text: str) -> None:
            self.presenter.message.setText(text)
            if not text.endswith("…"):  # finished, one way or the other
                self.presenter.handout_button.setEnabled(True)

        def done(result: HandoutResult) -> None:
            self.last_handout = result

        save_handout(
            self.deck, path, with_notes=with_notes, runner=self.runner, tell=tell, on_done=done
        )


def _raise(window: QWidget) -> None:
    """Bring a window to the front and give it the keys. Qt's offscreen platform (the
    tests) has no window stacking and warns when asked."""
    if QGuiApplication.platformName() != "offscreen":
        window.raise_()
    window.activateWindow()


def _put_full_screen(window: QWidget, display: Display) -> None:
    if display.qscreen is not None:
        window.setScreen(display.qscreen)
    if window.isFullScreen():
        window.showNormal()
    window.setGeometry(display.geometry)
    window.showFullScreen()


def _put_in_window(window: QWidget, display: Display) -> None:
    if display.qscreen is not None:
        window.setScreen(display.qscreen)
    area = display.geometry
    if not area.contains(window.geometry().center()) or not window.isVisible():
        width = min(window.width(), round(area.width() * 0.94))
        height = min(window.height(), round(area.height() * 0.92))
        rect = QRect(0, 0, max(width, window.minimumWidth()), max(height, window.minimumHeight()))
        rect.moveCenter(area.center())
        window.setGeometry(rect)
    window.show()


def start_presentation(
    services: Services,
    request: PresentRequest,
    *,
    runner: TaskRunner,
    tell: Callable[[str], None],
    screens: Screens | None = None,
) -> PresentationSession | None:
    """Build the deck for ``request`` and start presenting it; None (after telling the
    user why) when there is nothing to present."""
    course = find_course(services.library, request.course_id)
    if course is None:
        tell("That course is not in the library any more, or it can't be opened.")
        return None
    try:
        deck = deck_for(course, request.scope, request.target_id)
    except PresentingError as problem:
        tell(problem.user_message)
        return None
    start = (
        deck.position_of(request.start_lesson_id, request.start_slide_id)
        if request.start_lesson_id
        else 0
    )
    own = screens is None
    displays = screens if screens is not None else SystemScreens()
    session = PresentationSession(deck, screens=displays, runner=runner, start_index=start)
    if own:
        displays.setParent(session)
    session.start()
    return session
