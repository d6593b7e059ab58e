"""Small building blocks every page uses: labels with a role, cards, pills, empty states."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPaintEvent,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QAbstractScrollArea,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLayout,
    QPushButton,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import theme
from desktop.ui.tasks import TaskRunner


def label(text: str = "", role: str = "", *, wrap: bool = False, rich: bool = False) -> QLabel:
    """A QLabel styled by app.qss through its object name (``PageTitle``, ``Muted``...)."""
    widget = QLabel(text)
    if role:
        widget.setObjectName(role)
    widget.setWordWrap(wrap)
    widget.setTextFormat(Qt.TextFormat.RichText if rich else Qt.TextFormat.PlainText)
    return widget


def button(
    text: str,
    *,
    variant: str = "",
    icon: str = "",
    icon_colour: str = "text-muted",
    tooltip: str = "",
) -> QPushButton:
    # Qt draws an icon flush against the text; a leading space gives it room to breathe.
    widget = QPushButton(f" {text}" if icon and text else text)
    if variant:
        widget.setProperty("variant", variant)
    if icon:
        widget.setIcon(theme.icon(icon, icon_colour))
        widget.setIconSize(theme.ICON_SIZE)
    if tooltip:
        widget.setToolTip(tooltip)
    widget.setCursor(Qt.CursorShape.PointingHandCursor)
    return widget


def filler_label(text: str) -> QLabel:
    """A muted message that fills the space of a list it stands in for, text at the top."""
    widget = label(text, "Muted", wrap=True)
    widget.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
    widget.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Expanding)
    return widget


def pill(text: str, tone: str = "") -> QLabel:
    widget = label(text, "Pill")
    if tone:
        widget.setProperty("tone", tone)
    widget.setSizePolicy(QSizePolicy.Policy.Maximum, QSizePolicy.Policy.Fixed)
    return widget


def icon_label(name: str, colour: str = "text-muted", size: int = 20) -> QLabel:
    widget = QLabel()
    widget.setPixmap(theme.pixmap(name, colour, size))
    widget.setFixedSize(size, size)
    return widget


class ElidedLabel(QLabel):
    """A one-line label that ends in "…" when it is too narrow, instead of being cut."""

    def __init__(self, text: str = "", role: str = "", parent: QWidget | None = None) -> None:
        super().__init__(text, parent)
        if role:
            self.setObjectName(role)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def minimumSizeHint(self) -> QSize:
        return QSize(40, super().minimumSizeHint().height())

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        rect = self.contentsRect()
        text = self.fontMetrics().elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(QPalette.ColorRole.WindowText))
        painter.setFont(self.font())
        painter.drawText(rect, int(self.alignment()), text)
        painter.end()
        if text != self.text():
            self.setToolTip(self.text())


class Card(QFrame):
    """A white rounded panel; ``layout()`` is a QVBoxLayout with comfortable padding."""

    def __init__(
        self, parent: QWidget | None = None, *, name: str = "Card", padding: int = 20
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.body = QVBoxLayout(self)
        self.body.setContentsMargins(padding, padding, padding, padding)
        self.body.setSpacing(10)


def centred(widget: QWidget, max_width: int) -> QHBoxLayout:
    """A row holding ``widget`` centred and at most ``max_width`` wide (stretches on both
    sides rather than an alignment flag, so wrapped text inside keeps its full width)."""
    widget.setMaximumWidth(max_width)
    widget.setSizePolicy(QSizePolicy.Policy.Expanding, widget.sizePolicy().verticalPolicy())
    row = QHBoxLayout()
    row.setContentsMargins(0, 0, 0, 0)
    row.addStretch(1)
    row.addWidget(widget, 100)
    row.addStretch(1)
    return row


def clear_layout(layout: QLayout) -> None:
    """Remove and delete every widget and sub-layout of ``layout``."""
    while layout.count():
        item = layout.takeAt(0)
        if item is None:
            break
        widget = item.widget()
        if widget is not None:
            widget.hide()
            widget.setParent(None)
            widget.deleteLater()
        child = item.layout()
        if child is not None:
            clear_layout(child)


class EmptyState(QFrame):
    """An honest "nothing here (yet)" panel: an icon, what this place is for, and —
    optionally — what arrives later or the one action that helps."""

    def __init__(
        self,
        icon: str,
        title: str,
        body: str,
        *,
        points: Sequence[str] = (),
        tag: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("EmptyState")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(40, 36, 40, 36)
        outer.setSpacing(12)

        badge = QLabel()
        badge.setPixmap(theme.pixmap(icon, "accent", 40))
        badge.setFixedSize(QSize(64, 64))
        badge.setAlignment(Qt.AlignmentFlag.AlignCenter)
        badge.setStyleSheet(f"background: {theme.PALETTE['accent-soft']}; border-radius: 16px;")
        outer.addWidget(badge, 0, Qt.AlignmentFlag.AlignHCenter)

        if tag:
            outer.addWidget(pill(tag), 0, Qt.AlignmentFlag.AlignHCenter)

        self.title = label(title, "EmptyTitle", wrap=True)
        self.title.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        outer.addWidget(self.title)

        self.body = label(body, "EmptyBody", wrap=True)
        self.body.setAlignment(Qt.AlignmentFlag.AlignHCenter)
        outer.addWidget(self.body)

        if points:
            # Wrapped labels only get a sensible height from a layout that gives them a
            # width: keep the list a fixed width, centred by stretches (not alignment).
            holder = QWidget()
            holder.setFixedWidth(460)
            box = QVBoxLayout(holder)
            box.setSpacing(8)
            box.setContentsMargins(0, 8, 0, 0)
            for point in points:
                row = QHBoxLayout()
                row.setSpacing(10)
                row.addWidget(icon_label("check", "accent", 16), 0, Qt.AlignmentFlag.AlignTop)
                row.addWidget(label(point, "Muted", wrap=True), 1)
                box.addLayout(row)
            centre = QHBoxLayout()
            centre.addStretch(1)
            centre.addWidget(holder)
            centre.addStretch(1)
            outer.addLayout(centre)

        self.action_row = QHBoxLayout()
        self.action_row.setSpacing(10)
        self.action_row.addStretch(1)
        self.action_row.addStretch(1)
        outer.addLayout(self.action_row)

    def add_action(self, widget: QWidget) -> None:
        self.action_row.insertWidget(self.action_row.count() - 1, widget)


class ProgressRing(QWidget):
    """A donut showing a percentage, with the number in the middle."""

    def __init__(self, size: int = 56, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._percent = 0.0
        self._size = size
        self.setFixedSize(size, size)

    def set_percent(self, percent: float) -> None:
        self._percent = max(0.0, min(100.0, percent))
        self.setToolTip(f"{round(self._percent)}% complete")
        self.update()

    @property
    def percent(self) -> float:
        return self._percent

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        paint_ring(painter, QRectF(0, 0, self._size, self._size), self._percent)
        painter.end()


def paint_ring(
    painter: QPainter,
    rect: QRectF,
    percent: float,
    *,
    track: QColor | None = None,
    fill: QColor | None = None,
    text: QColor | None = None,
) -> None:
    """Draw a progress ring into ``rect`` (used by ProgressRing and the list delegates)."""
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    width = max(4.0, rect.width() / 9)
    inner = rect.adjusted(width / 2 + 1, width / 2 + 1, -width / 2 - 1, -width / 2 - 1)
    done = percent >= 100
    pen = QPen(track or theme.color("track"), width)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    painter.setPen(pen)
    painter.drawEllipse(inner)
    if percent > 0:
        pen.setColor(fill or (theme.color("success") if done else theme.color("accent")))
        painter.setPen(pen)
        painter.drawArc(inner, 90 * 16, -round(360 * 16 * percent / 100))
    font = theme.ui_font(max(7.0, rect.height() / 5.2), QFont.Weight.DemiBold)
    painter.setFont(font)
    painter.setPen(text or theme.color("text"))
    painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, f"{round(percent)}%")
    painter.restore()


def scroll_page(content: QWidget) -> QScrollArea:
    """Wrap a page's content so long pages scroll while the window stays put."""
    area = QScrollArea()
    area.setWidgetResizable(True)
    area.setFrameShape(QFrame.Shape.NoFrame)
    area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
    area.setWidget(content)
    return area


class PageHeader(QWidget):
    """Title, one-line subtitle and a slot for actions on the right."""

    def __init__(self, title: str, subtitle: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(12)
        text = QVBoxLayout()
        text.setSpacing(4)
        # Into the row first: a label added to a free-standing layout has no parent yet,
        # and showing a widget with no parent opens it as a window of its own (a flash
        # on screen, and it takes the focus from the main window).
        row.addLayout(text, 1)
        self.title = label(title, "PageTitle")
        text.addWidget(self.title)
        self.subtitle = label(subtitle, "PageSubtitle", wrap=True)
        text.addWidget(self.subtitle)
        self.subtitle.setVisible(bool(subtitle))
        self.action_row = QHBoxLayout()
        self.action_row.setSpacing(8)
        row.addLayout(self.action_row)

    def set_subtitle(self, text: str) -> None:
        self.subtitle.setText(text)
        self.subtitle.setVisible(bool(text))


class ClickableCard(QFrame):
    """A card that acts like a button: click, Enter or Space activates it."""

    activated = Signal()

    def __init__(self, name: str = "Card", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        if event.button() == Qt.MouseButton.LeftButton and self.rect().contains(
            event.position().toPoint()
        ):
            self.activated.emit()
        super().mouseReleaseEvent(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter, Qt.Key.Key_Space):
            self.activated.emit()
            event.accept()
            return
        super().keyPressEvent(event)


def viewport_width(view: QAbstractScrollArea) -> int:
    """The width of ``view``'s viewport, worked out without ``view.viewport()``.

    A scroll area's viewport is a plain QWidget made by Qt, never seen by Python: handing
    it to Python makes PySide try every QWidget subclass for its type, which creates ~130
    Python types with their enums (QWizard, QCalendarWidget...) and keeps them: ~2 MiB of
    a learner's session for one number."""
    width = view.maximumViewportSize().width()
    bar = view.verticalScrollBar()
    if bar.isVisible():
        width -= bar.width()
    return width


def fit_list_height(view: QAbstractItemView, max_rows: int = 0) -> None:
    """Size a list to its rows (inside a page that scrolls as a whole)."""
    model = view.model()
    rows = model.rowCount() if model is not None else 0
    if max_rows:
        rows = min(rows, max_rows)
    height = sum(view.sizeHintForRow(r) for r in range(rows))
    view.setFixedHeight(max(height, 8) + 2 * view.frameWidth() + 4)


def page_runner(page: QWidget) -> TaskRunner:
    """The TaskRunner of the page's window (the one way the UI runs blocking work); a page
    shown on its own, as in tests, gets one of its own, made once."""
    window = page.window()
    runner = getattr(window, "runner", None) if window is not page else None
    if isinstance(runner, TaskRunner):
        return runner
    own = page.findChild(TaskRunner, "", Qt.FindChildOption.FindDirectChildrenOnly)
    return own if own is not None else TaskRunner(parent=page)
