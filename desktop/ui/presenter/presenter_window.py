"""``PresenterWindow``: the trainer's screen.

The current slide as the room sees it, the next slide, the speaker notes (with the
slide's planned time), the quiz answers on a quiz slide, the elapsed timer (reset with R
or its button), the clock, and how the talk is paced against its plan. A strip at the top
says what the audience screen shows right now (live, black, white, frozen, ended).

Every button sends the same key name a clicker would, so a click and a key press take one
path through :func:`desktop.domain.presenting.press`.
"""

from __future__ import annotations

from PySide6.QtCore import QAbstractItemModel, Qt, Signal
from PySide6.QtGui import QCloseEvent, QPaintEvent, QResizeEvent
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QSizePolicy,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.presenting import Blank, PaceState, Pacing, Show
from desktop.ui import theme
from desktop.ui.presenter.keys import KeyWindow
from desktop.ui.presenter.stage import ASPECT, AspectBox, SlideStage

NOTES_PT = 15
ANSWERS_MAX_HEIGHT = 230

_QSS = """
QWidget#PresenterWindow { background: #12151C; }
QWidget#PresenterWindow QLabel { color: #E6E9F0; }
QFrame#PresenterBar, QFrame#PresenterFooter { background: #1A1E27; border: none; }
QFrame#PresenterBar { border-bottom: 1px solid #2A303C; }
QFrame#PresenterFooter { border-top: 1px solid #2A303C; }
QLabel#DeckTitle { font-size: 13pt; font-weight: 700; color: #FFFFFF; }
QLabel#DeckSubtitle, QLabel#Hints, QLabel#PaneTitle { color: #98A2B3; }
QLabel#PaneTitle { font-size: 8.5pt; font-weight: 700; letter-spacing: 1px; }
QLabel#PaneDetail { color: #C9CED8; }
QLabel#Timer { font-size: 24pt; font-weight: 700; color: #FFFFFF; }
QLabel#Clock { font-size: 16pt; font-weight: 600; color: #C9CED8; }
QLabel#Caption { color: #98A2B3; font-size: 8pt; font-weight: 600; }
QLabel#AudiencePill, QLabel#PacePill {
    border-radius: 11px; padding: 4px 12px; font-weight: 700; font-size: 9pt; }
QLabel#AudiencePill[state="live"] { background: #0B3B24; color: #6CE9A6; }
QLabel#AudiencePill[state="black"] { background: #000000; color: #FFFFFF;
                                     border: 1px solid #5D6679; }
QLabel#AudiencePill[state="white"] { background: #FFFFFF; color: #1D2433; }
QLabel#AudiencePill[state="frozen"] { background: #0B2A4A; color: #84CAFF; }
QLabel#AudiencePill[state="ended"] { background: #3B1F0B; color: #FDB022; }
QLabel#PacePill[state="on-pace"] { background: #0B3B24; color: #6CE9A6; }
QLabel#PacePill[state="ahead"] { background: #0B2A4A; color: #84CAFF; }
QLabel#PacePill[state="behind"] { background: #4A1410; color: #FDA29B; }
QLabel#PacePill[state="no-plan"] { background: #2A303C; color: #C9CED8; }
QFrame#PreviewFrame { background: #0D1016; border: 1px solid #2A303C; border-radius: 8px; }
QFrame#NextFrame { background: #0D1016; border: 1px solid #2A303C; border-radius: 8px; }
QTextBrowser#Notes { background: #1A1E27; color: #F2F4F7; border: 1px solid #2A303C;
                     border-radius: 8px; padding: 10px 12px; }
QTextBrowser#Answers { background: #0B3B24; color: #D1FADF; border: none;
                       border-radius: 8px; padding: 6px 10px; }
QFrame#EndedBanner { background: #3B1F0B; border: 1px solid #93370D; border-radius: 8px; }
QLabel#EndedText { color: #FEC84B; font-weight: 600; }
QLabel#JumpLabel { background: #4F46E5; color: #FFFFFF; border-radius: 6px;
                   padding: 4px 10px; font-weight: 700; }
QLabel#Message { color: #FEC84B; }
QPushButton#PresenterButton { background: #2A303C; color: #E6E9F0; border: 1px solid #3A4150;
    border-radius: 6px; padding: 6px 12px; }
QPushButton#PresenterButton:hover { background: #343B4A; }
QPushButton#PresenterButton:checked { background: #4F46E5; border-color: #6366F1;
                                      color: #FFFFFF; }
QPushButton#PresenterButton[variant="danger"] { background: #7A271A; border-color: #912018; }
QPushButton#PresenterButton:disabled { color: #5D6679; }
QListView#SlideStrip { background: #1A1E27; border: 1px solid #2A303C; border-radius: 8px;
                       padding: 4px; color: #C9CED8; }
QListView#SlideStrip::item { padding: 3px 6px; border-radius: 4px; }
QListView#SlideStrip::item:hover { background: #232838; }
QWidget#PresenterWindow QScrollBar:vertical { background: transparent; width: 10px; margin: 2px; }
QWidget#PresenterWindow QScrollBar::handle:vertical { background: #3A4150; border-radius: 3px;
                                                      min-height: 24px; }
QWidget#PresenterWindow QScrollBar::add-line:vertical,
QWidget#PresenterWindow QScrollBar::sub-line:vertical { height: 0px; }
QWidget#PresenterWindow QScrollBar::add-page:vertical,
QWidget#PresenterWindow QScrollBar::sub-page:vertical { background: transparent; }
"""


class NotesView(QTextBrowser):
    """Speaker notes: read-only rich text that never loads anything (no images, links)."""

    def __init__(self, name: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.document().setDefaultStyleSheet(
            "p, li { margin-bottom: 8px; } a { color: #A4BCFD; } code { color: #FDB022; }"
        )

    def loadResource(self, type: int, name: object) -> object:
        return None  # notes are text; nothing is fetched


def _button(text: str, key: str, tooltip: str) -> QPushButton:
    b = QPushButton(text)
    b.setObjectName("PresenterButton")
    b.setProperty("key", key)
    b.setToolTip(tooltip)
    b.setFocusPolicy(Qt.FocusPolicy.NoFocus)
    b.setCursor(Qt.CursorShape.PointingHandCursor)
    return b


def _caption(text: str) -> QLabel:
    widget = QLabel(text)
    widget.setObjectName("Caption")
    return widget


class PresenterWindow(KeyWindow):
    slide_chosen = Signal(int)  # a row of the slide strip was clicked
    handout_requested = Signal(bool)  # with notes
    close_requested = Signal()
    painted = Signal()

    def __init__(self, title: str, subtitle: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("PresenterWindow")
        self.setWindowTitle(f"Presenter view — {title} — Playbook")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setFont(theme.ui_font())
        self.setStyleSheet(_QSS)
        self.setMinimumSize(900, 560)
        self.resize(1440, 900)
        self.buttons: dict[str, QPushButton] = {}

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_bar(title, subtitle))
        self.ended = QFrame()
        self.ended.setObjectName("EndedBanner")
        erow = QHBoxLayout(self.ended)
        erow.setContentsMargins(16, 10, 16, 10)
        erow.addWidget(theme_icon("alert", "warning"))
        self.ended_text = QLabel()
        self.ended_text.setObjectName("EndedText")
        self.ended_text.setWordWrap(True)
        erow.addWidget(self.ended_text, 1)
        for text, key, tip in (
            ("Start again", "F5", "From the first slide, timer at 00:00 (F5)"),
            ("Resume", "Shift+F5", "Back on the audience screen from this slide (Shift+F5)"),
            ("Close", "Escape", "Close the presenter view (Esc)"),
        ):
            b = _button(text, key, tip)
            b.clicked.connect(lambda _c=False, k=key: self.key_pressed.emit(k))
            erow.addWidget(b)
        self.ended.setVisible(False)
        wrap = QHBoxLayout()
        wrap.setContentsMargins(20, 12, 20, 0)
        wrap.addWidget(self.ended)
        root.addLayout(wrap)
        root.addLayout(self._build_body(), 1)
        root.addWidget(self._build_footer())

    # -- building ---------------------------------------------------------------------

    def _build_bar(self, title: str, subtitle: str) -> QWidget:
        bar = QFrame()
        bar.setObjectName("PresenterBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(20, 10, 20, 10)
        row.setSpacing(18)
        names = QVBoxLayout()
        names.setSpacing(0)
        self.title = QLabel(title)
        self.title.setObjectName("DeckTitle")
        self.subtitle = QLabel(subtitle)
        self.subtitle.setObjectName("DeckSubtitle")
        names.addWidget(self.title)
        names.addWidget(self.subtitle)
        row.addLayout(names, 1)

        self.audience_pill = QLabel()
        self.audience_pill.setObjectName("AudiencePill")
        self.audience_pill.setToolTip("What the audience screen shows right now")
        row.addLayout(_stacked(_caption("AUDIENCE"), self.audience_pill))
        self.pace_pill = QLabel()
        self.pace_pill.setObjectName("PacePill")
        row.addLayout(_stacked(_caption("PACING"), self.pace_pill))
        self.planned = QLabel()
        self.planned.setObjectName("DeckSubtitle")

        timer_box = QVBoxLayout()
        timer_box.setSpacing(0)
        timer_box.addWidget(_caption("ELAPSED"))
        timer_row = QHBoxLayout()
        timer_row.setSpacing(8)
        self.timer = QLabel("00:00")
        self.timer.setObjectName("Timer")
        self.timer.setAccessibleName("Elapsed time")
        timer_row.addWidget(self.timer)
        timer_row.addWidget(self.planned, 0, Qt.AlignmentFlag.AlignBottom)
        reset = _button("Reset", "R", "Timer back to 00:00 (R)")
        reset.clicked.connect(lambda: self.key_pressed.emit("R"))
        self.buttons["R"] = reset
        timer_row.addSpacing(4)
        timer_row.addWidget(reset, 0, Qt.AlignmentFlag.AlignVCenter)
        timer_box.addLayout(timer_row)
        row.addLayout(timer_box)

        self.clock = QLabel("--:--")
        self.clock.setObjectName("Clock")
        self.clock.setAccessibleName("Time of day")
        row.addLayout(_stacked(_caption("CLOCK"), self.clock))
        return bar

    def _build_body(self) -> QHBoxLayout:
        body = QHBoxLayout()
        body.setContentsMargins(20, 14, 20, 14)
        body.setSpacing(20)

        left = QVBoxLayout()
        left.setSpacing(8)
        head = QHBoxLayout()
        head.addWidget(_pane_title("CURRENT SLIDE"))
        self.current_detail = QLabel()
        self.current_detail.setObjectName("PaneDetail")
        head.addWidget(self.current_detail, 1)
        left.addLayout(head)
        self.current = SlideStage(eyebrow=False)
        self.current_box = AspectBox(self.current)
        left.addWidget(self.current_box, 3)
        left.addSpacing(6)
        left.addWidget(_pane_title("ALL SLIDES  ·  click one, or type its number and Enter"))
        self.strip = QListView()
        self.strip.setObjectName("SlideStrip")
        self.strip.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.strip.setMinimumHeight(110)
        self.strip.setUniformItemSizes(True)
        self.strip.setEditTriggers(QListView.EditTrigger.NoEditTriggers)
        self.strip.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.strip.clicked.connect(lambda index: self.slide_chosen.emit(index.row()))
        left.addWidget(self.strip, 1)
        body.addLayout(left, 62)

        right = QVBoxLayout()
        right.setSpacing(8)
        nhead = QHBoxLayout()
        nhead.addWidget(_pane_title("NEXT"))
        self.next_detail = QLabel()
        self.next_detail.setObjectName("PaneDetail")
        nhead.addWidget(self.next_detail, 1)
        right.addLayout(nhead)
        self.next = SlideStage(eyebrow=False)
        self.next_box = AspectBox(self.next)
        self.next_end = QLabel("End of the presentation")
        self.next_end.setObjectName("DeckSubtitle")
        self.next_end.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.next_end.setVisible(False)
        right.addWidget(self.next_box)
        right.addWidget(self.next_end)

        notes_head = QHBoxLayout()
        notes_head.addWidget(_pane_title("SPEAKER NOTES"))
        self.slide_plan = QLabel()
        self.slide_plan.setObjectName("PaneDetail")
        notes_head.addStretch(1)
        notes_head.addWidget(self.slide_plan)
        right.addSpacing(6)
        right.addLayout(notes_head)
        self.notes = NotesView("Notes")
        self.notes.setAccessibleName("Speaker notes")
        self.set_notes_size(NOTES_PT)
        right.addWidget(self.notes, 5)
        self.answers_title = _pane_title("QUIZ ANSWER  ·  A shows it to the room")
        right.addWidget(self.answers_title)
        self.answers = NotesView("Answers")
        right.addWidget(self.answers)
        body.addLayout(right, 38)
        return body

    def _build_footer(self) -> QWidget:
        footer = QFrame()
        footer.setObjectName("PresenterFooter")
        col = QVBoxLayout(footer)
        col.setContentsMargins(20, 10, 20, 10)
        col.setSpacing(6)
        row = QHBoxLayout()
        row.setSpacing(8)
        for text, key, tip in (
            ("◀  Previous", "PageUp", "Previous slide (PageUp, ←)"),
            ("Next  ▶", "PageDown", "Next slide (PageDown, →, Space)"),
        ):
            b = _button(text, key, tip)
            b.clicked.connect(lambda _c=False, k=key: self.key_pressed.emit(k))
            self.buttons[key] = b
            row.addWidget(b)
        row.addSpacing(14)
        for text, key, tip in (
            ("Black screen", "B", "Black out the audience screen (B or .)"),
            ("White screen", "W", "White out the audience screen (W or ,)"),
            ("Freeze", "F", "Keep the audience screen still while you look ahead (F)"),
            ("Show answer", "A", "Show the quiz answer and explanation to the room (A)"),
        ):
            b = _button(text, key, tip)
            b.setCheckable(True)
            b.clicked.connect(lambda _c=False, k=key: self.key_pressed.emit(k))
            self.buttons[key] = b
            row.addWidget(b)
        row.addSpacing(14)
        self.jump = QLabel()
        self.jump.setObjectName("JumpLabel")
        self.jump.setVisible(False)
        row.addWidget(self.jump)
        self.message = QLabel()
        self.message.setObjectName("Message")
        row.addWidget(self.message, 1)
        handout = _button("Handout", "", "Save the slides as a PDF handout")
        menu = QMenu(handout)
        self.handout_with_notes = menu.addAction("Slides with speaker notes (PDF)…")
        self.handout_with_notes.triggered.connect(lambda: self.handout_requested.emit(True))
        self.handout_slides_only = menu.addAction("Slides only (PDF)…")
        self.handout_slides_only.triggered.connect(lambda: self.handout_requested.emit(False))
        handout.setMenu(menu)
        self.handout_button = handout
        row.addWidget(handout)
        swap = _button(
            "Swap screens",
            "S",
            "Swap the screens, or with one screen bring the other view to the front (S)",
        )
        swap.clicked.connect(lambda: self.key_pressed.emit("S"))
        self.buttons["S"] = swap
        row.addWidget(swap)
        end = _button("End", "Escape", "End the presentation (Esc)")
        end.setProperty("variant", "danger")
        end.clicked.connect(lambda: self.key_pressed.emit("Escape"))
        self.buttons["Escape"] = end
        row.addWidget(end)
        col.addLayout(row)
        hints = QLabel(
            "→ PageDown Space next  ·  ← PageUp previous  ·  number + Enter go to slide  ·  "
            "B . black  ·  W , white  ·  F freeze  ·  A answer  ·  R reset timer  ·  "
            "F5 from the start  ·  Shift+F5 from here  ·  Esc end"
        )
        hints.setObjectName("Hints")
        col.addWidget(hints)
        return footer

    # -- showing ----------------------------------------------------------------------

    def set_slides_model(self, model: QAbstractItemModel) -> None:
        self.strip.setModel(model)

    def show_current_in_strip(self, row: int) -> None:
        model = self.strip.model()
        if model is not None:
            index = model.index(row, 0)
            self.strip.setCurrentIndex(index)
            self.strip.scrollTo(index, QListView.ScrollHint.PositionAtCenter)

    def set_answers(self, html: str) -> None:
        """The quiz answers for the trainer, as tall as they need (up to a limit)."""
        self.answers.setHtml(html)
        self.answers.setVisible(bool(html))
        self.answers_title.setVisible(bool(html))
        if html:
            doc = self.answers.document()
            doc.setTextWidth(max(200, self.answers.viewport().width()))
            height = round(doc.size().height()) + 2 * self.answers.frameWidth() + 24
            self.answers.setFixedHeight(max(60, min(ANSWERS_MAX_HEIGHT, height)))

    def set_notes_size(self, pt: int) -> None:
        font = theme.reading_font(pt)
        self.notes.setFont(font)
        self.notes.document().setDefaultFont(font)

    def show_audience_state(self, show: Show, audience_number: int) -> None:
        if not show.running:
            state, text = "ended", "ENDED"
        elif show.blank is Blank.BLACK:
            state, text = "black", "BLACK SCREEN"
        elif show.blank is Blank.WHITE:
            state, text = "white", "WHITE SCREEN"
        elif show.frozen:
            state, text = "frozen", f"FROZEN ON SLIDE {audience_number}"
        else:
            state, text = "live", f"●  LIVE · SLIDE {audience_number}"
        self.audience_pill.setText(text)
        theme.set_state(self.audience_pill, "state", state)
        self.buttons["B"].setChecked(show.blank is Blank.BLACK)
        self.buttons["W"].setChecked(show.blank is Blank.WHITE)
        self.buttons["F"].setChecked(show.frozen)
        self.buttons["A"].setChecked(show.answer_revealed)
        self.buttons["PageUp"].setEnabled(show.index > 0)
        self.buttons["PageDown"].setEnabled(show.index < show.count - 1)
        if show.typed:
            self.jump.setText(f"Go to slide {show.typed} ↵")
        self.jump.setVisible(bool(show.typed))

    def show_pacing(self, pacing: Pacing) -> None:
        self.pace_pill.setText(pacing.text.upper())
        theme.set_state(self.pace_pill, "state", pacing.state.value)
        tips = {
            PaceState.NO_PLAN: "No planned time: add 'Timing: N min' to the speaker notes, "
            "or estimated_minutes to the lesson.",
            PaceState.ON_PACE: "You are where the plan says you should be.",
            PaceState.AHEAD: "You reached this slide before its planned start.",
            PaceState.BEHIND: "You are past this slide's planned end.",
        }
        self.pace_pill.setToolTip(tips[pacing.state])

    def set_ended(self, ended: bool, resume_number: int) -> None:
        self.ended_text.setText(
            "The presentation has ended and the audience screen is closed.  "
            f"F5 starts again from slide 1 · Shift+F5 resumes at slide {resume_number} · "
            "Esc closes this window."
        )
        self.ended.setVisible(ended)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # The next-slide preview keeps one height whatever the slide below it holds (an
        # answer box coming and going would otherwise resize and redraw it).
        width = max(160, round((self.width() - 60) * 0.38))  # the right column
        height = min(round(width / ASPECT), round(self.height() * 0.34))
        self.next_box.setFixedHeight(height)
        self.next_end.setFixedHeight(height)

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.close_requested.emit()


def _pane_title(text: str) -> QLabel:
    widget = QLabel(text)
    widget.setObjectName("PaneTitle")
    widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return widget


def _stacked(top: QWidget, bottom: QWidget) -> QVBoxLayout:
    col = QVBoxLayout()
    col.setSpacing(3)
    col.addWidget(top)
    col.addWidget(bottom)
    return col


def theme_icon(name: str, colour: str, size: int = 18) -> QLabel:
    widget = QLabel()
    widget.setPixmap(theme.pixmap(name, colour, size))
    widget.setFixedSize(size, size)
    return widget
