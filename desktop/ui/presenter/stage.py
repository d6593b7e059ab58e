"""``SlideStage``: one slide drawn large on a white stage, text sized to the stage.

The audience window is one big stage; the presenter window shows the current and the
next slide on small stages of the same 16:9 shape, so the trainer sees the slide as the
room does. The slide HTML is shown by the lesson player's :class:`SlideBrowser`, which
only ever loads files inside the course folder.

Text is sized from the stage's height, then shrunk (a few steps at most) until the slide
fits: a projector is read from the back of the room, and nothing may fall off its bottom.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QSize, Qt, Signal
from PySide6.QtGui import QFont, QPaintEvent, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QFrame, QLabel, QSizePolicy, QStackedLayout, QVBoxLayout, QWidget

from desktop.domain.presenting import Blank
from desktop.ui import theme
from desktop.ui.widgets.slide_browser import SlideBrowser, lesson_css

ASPECT = 16 / 9
LINES_PER_STAGE = 17  # body text size: the stage is about this many lines high
MIN_PT = 4  # a preview may shrink this far; the audience screen has its own floor
MAX_FIT_STEPS = 4
PREFITS_KEPT = 8  # text sizes worked out ahead, per stage


def stage_css(pt: int) -> str:
    """Rules on top of the lesson stylesheet: the quiz classes of
    :mod:`desktop.services.presenting`, and table text that shrinks with the slide (the
    lesson stylesheet keeps table text at 9 pt or more, which a small preview can't fit).
    Qt's rich text knows a small CSS subset: colours, weights, sizes, margins, padding."""
    small = max(4, pt - 2)
    return f"""<style>
td {{ font-size: {small}pt; padding: {max(2, pt // 3)}px; }}
th {{ font-size: {max(4, pt - 3)}pt; padding: {max(2, pt // 3)}px; }}
td b, td strong {{ font-size: {small}pt; }}
.question {{ margin-top: 10px; }}
.qkind {{ color: #5D6679; font-size: {small}pt; margin-bottom: 2px; }}
.qprompt {{ font-weight: 600; margin-bottom: 6px; }}
td.letter {{ color: #4F46E5; font-weight: 700; font-size: {pt}pt; border: none; }}
td.choice {{ font-size: {pt}pt; border: none; }}
td.correct {{ color: #067647; font-weight: 700; font-size: {pt}pt; border: none; }}
td.wrong {{ color: #98A2B3; font-size: {pt}pt; border: none; }}
ol.correct li {{ color: #067647; font-weight: 600; }}
p.correct {{ color: #067647; font-weight: 700; }}
p.blank {{ color: #98A2B3; }}
.explanation {{ color: #5D6679; }}
</style>
"""


class StageBrowser(SlideBrowser):
    """A SlideBrowser for a stage: no focus, no text selection; ``painted`` after each
    paint of the slide."""

    painted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.viewport().setCursor(Qt.CursorShape.ArrowCursor)
        self.setObjectName("StageBrowser")

    def paintEvent(self, event: QPaintEvent) -> None:
        super().paintEvent(event)
        self.painted.emit()


class SlideStage(QFrame):
    """A slide on a white stage, or a black or white blank; ``painted`` after the slide
    is painted (the benchmark waits for it)."""

    painted = Signal()

    def __init__(
        self, *, eyebrow: bool = True, min_pt: int = MIN_PT, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Stage")
        self.min_pt = min_pt
        self.setAutoFillBackground(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self._html = ""
        self._pt = 0
        self._blank = Blank.NONE
        # (hash of a slide's HTML, stage width, height) -> the text size it fits at.
        self._prefits: dict[tuple[int, int, int], int] = {}

        self._stack = QStackedLayout(self)
        self._stack.setStackingMode(QStackedLayout.StackingMode.StackOne)
        page = QWidget()
        page.setObjectName("StagePage")
        self._column = QVBoxLayout(page)
        self._column.setSpacing(0)
        self.eyebrow = QLabel()
        self.eyebrow.setObjectName("StageEyebrow")
        self.eyebrow.setVisible(eyebrow)
        self._column.addWidget(self.eyebrow)
        self.browser = StageBrowser()
        self.browser.painted.connect(self.painted)
        self._column.addWidget(self.browser)
        self._column.addStretch(1)
        self._stack.addWidget(page)
        self._black = QWidget()
        self._black.setObjectName("BlackStage")
        self._white = QWidget()
        self._white.setObjectName("WhiteStage")
        self._stack.addWidget(self._black)
        self._stack.addWidget(self._white)
        self.setStyleSheet(
            "QFrame#Stage, QWidget#StagePage, QWidget#WhiteStage { background: #FFFFFF; }"
            "QWidget#BlackStage { background: #000000; }"
            "SlideBrowser, QTextBrowser#StageBrowser { background: transparent; border: none; }"
            f"QLabel#StageEyebrow {{ color: {theme.PALETTE['accent']}; font-weight: 600; }}"
        )
        self._apply_margins()

    # -- content ----------------------------------------------------------------------

    def set_course_root(self, root: Path | None) -> None:
        self.browser.set_course_root(root, root)

    def show_slide(self, html: str, eyebrow: str = "") -> None:
        """Show ``html`` (a sanitised fragment); text is sized to fit the stage."""
        self._html = html
        self.eyebrow.setText(eyebrow)
        self._render()

    def set_blank(self, blank: Blank) -> None:
        self._blank = blank
        target = {Blank.NONE: 0, Blank.BLACK: 1, Blank.WHITE: 2}[blank]
        if self._stack.currentIndex() != target:
            self._stack.setCurrentIndex(target)

    @property
    def blank(self) -> Blank:
        return self._blank

    @property
    def html(self) -> str:
        return self._html

    @property
    def point_size(self) -> int:
        return self._pt

    def text(self) -> str:
        """What the stage shows, as plain text (the tests read it)."""
        if self._blank is not Blank.NONE:
            return ""
        return self.browser.toPlainText()

    # -- sizing -----------------------------------------------------------------------

    def _base_pt(self) -> int:
        # 1 pt is 4/3 px at 96 dpi; a line is about 1.6 times the text size.
        px = self.height() / LINES_PER_STAGE / 1.6
        return max(self.min_pt, round(px * 0.75))

    def _apply_margins(self) -> None:
        h = max(1, self.height())
        w = max(1, self.width())
        self._column.setContentsMargins(round(w * 0.07), round(h * 0.07), round(w * 0.07), 0)
        size = max(6, round(self._base_pt() * 0.55))
        self.eyebrow.setFont(theme.ui_font(size, QFont.Weight.DemiBold))

    def _available_height(self) -> int:
        eyebrow = self.eyebrow.sizeHint().height() if self.eyebrow.isVisible() else 0
        return max(40, round(self.height() * 0.88) - eyebrow)

    def prefit(self, html: str) -> None:
        """Work out now, while nothing is waiting, the text size ``html`` will need on
        this stage at its present size, so that showing it next lays it out once (a long
        slide otherwise takes up to MAX_FIT_STEPS layouts while the room waits). The same
        fitting as :meth:`_render`, on a document laid out like the stage's own: its
        width, margins, fonts and style, and images loaded by the stage's browser (the
        document's parent), within the course."""
        key = (hash(html), self.width(), self.height())
        if not html or key in self._prefits or not self.isVisible():
            return
        doc = QTextDocument(self.browser)
        try:
            doc.setDocumentMargin(self.browser.document().documentMargin())
            doc.setTextWidth(self.browser.viewport().width())
            pt = self._fit(lambda size: self._laid_out_height(doc, html, size))
        finally:
            doc.setParent(None)
            doc.deleteLater()
        if len(self._prefits) >= PREFITS_KEPT:
            self._prefits.pop(next(iter(self._prefits)))  # the oldest
        self._prefits[key] = pt

    @staticmethod
    def _laid_out_height(doc: QTextDocument, html: str, pt: int) -> float:
        doc.setDefaultFont(theme.reading_font(pt))
        doc.setDefaultStyleSheet(lesson_css(pt))
        doc.setHtml(stage_css(pt) + html)
        return doc.size().height()

    def _fit(self, height_at: Callable[[int], float], pt: int | None = None) -> int:
        """The text size the slide fits at: from ``pt`` (the base size), shrunk by the
        square root of the overflow (text area grows with the square of the size)."""
        pt = self._base_pt() if pt is None else pt
        available = self._available_height()
        height = height_at(pt)
        for _ in range(MAX_FIT_STEPS):
            if height <= available or pt <= self.min_pt:
                break
            pt = max(self.min_pt, math.floor(pt * math.sqrt(available / height) * 0.97))
            height = height_at(pt)
        return pt

    def _render(self) -> None:
        key = (hash(self._html), self.width(), self.height())
        start = self._prefits.get(key)

        def shown_at(size: int) -> float:
            self._show_at(size)
            return self.browser.document().size().height()

        self._fit(shown_at, start)

    def _show_at(self, pt: int) -> None:
        if pt != self._pt:
            self._pt = pt
            self.browser.show_html("")  # so the size change does not render the old slide
            self.browser.set_reading_font_size(pt)
        self.browser.show_html(stage_css(pt) + self._html)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._apply_margins()
        # The browser's width follows the layout; lay the text out for the new size.
        self._column.activate()
        if self._html:
            self._render()

    def sizeHint(self) -> QSize:
        return QSize(640, 360)


class AspectBox(QWidget):
    """Holds one widget at a fixed aspect ratio, centred across and at the top (the
    slide previews)."""

    def __init__(self, child: QWidget, aspect: float = ASPECT, parent: QWidget | None = None):
        super().__init__(parent)
        self.child = child
        self.aspect = aspect
        child.setParent(self)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        w, h = self.width(), self.height()
        if w / max(1, h) > self.aspect:
            cw, ch = round(h * self.aspect), h
        else:
            cw, ch = w, round(w / self.aspect)
        self.child.setGeometry((w - cw) // 2, 0, cw, ch)  # at the top, under its title

    def sizeHint(self) -> QSize:
        return QSize(480, round(480 / self.aspect))

    def minimumSizeHint(self) -> QSize:
        return QSize(160, 90)
