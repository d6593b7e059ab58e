"""``AudienceWindow``: what the room sees — the slide, large, and nothing else.

It has no place for speaker notes at all: the session gives it the slide's HTML and
(on A) the quiz answers, never the notes. The mouse pointer is hidden over it."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QCloseEvent, QResizeEvent
from PySide6.QtWidgets import QWidget

from desktop.ui.presenter.keys import KeyWindow
from desktop.ui.presenter.stage import SlideStage

AUDIENCE_MIN_PT = 12  # below this a slide is not read from the back of a room


class AudienceWindow(KeyWindow):
    closed = Signal()

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("AudienceWindow")
        self.setWindowTitle(f"{title} — Playbook")
        self.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose, False)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.BlankCursor)
        self.setStyleSheet("QWidget#AudienceWindow { background: #000000; }")
        # Not in a layout: the slide's height changes with every slide, and a layout would
        # pass that on to the window's size hints (which a full-screen window ignores).
        self.stage = SlideStage(eyebrow=False, min_pt=AUDIENCE_MIN_PT, parent=self)
        self.resize(1280, 720)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self.stage.setGeometry(self.rect())

    def closeEvent(self, event: QCloseEvent) -> None:
        super().closeEvent(event)
        self.closed.emit()
