"""Charts drawn with QPainter: progress rings, bars over weeks, ranked bars, a heat map.

Not QtCharts: it pulls a large library into memory and into the start-up for a few
shapes we can draw ourselves in the app's own colours and fonts.

Every chart

* paints the data it was given and nothing else, antialiased and at any pixel ratio;
* answers :meth:`Chart.numbers` with the exact table behind it (the "Numbers" view and
  the CSV export);
* tells what is under the mouse in a tooltip (:meth:`Chart.tooltip_at`), and sums itself
  up in its accessible description;
* paints an empty state saying how to get data (the text comes from the view) when it
  has none.

:class:`ChartCard` frames a chart with a title, a subtitle, a "Numbers" toggle that swaps
in the table, and an Export menu (CSV, PNG).
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QFontMetricsF,
    QHelpEvent,
    QImage,
    QLinearGradient,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPaintEvent,
    QPen,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QMenu,
    QSizePolicy,
    QStackedWidget,
    QToolTip,
    QVBoxLayout,
    QWidget,
)

from desktop.ui import theme
from desktop.ui.models.analytics import ChartNumbers, NumbersModel, format_cell
from desktop.ui.widgets.common import button, label
from desktop.ui.widgets.delegates import wrap_lines

if TYPE_CHECKING:
    from PySide6.QtWidgets import QMessageBox, QTableView

ValueFormat = Callable[[float], str]

SMALL_PT = 8.5
LABEL_PT = 9.0


def plain_number(value: float) -> str:
    """``1,234``, ``12.5``: the default way a chart writes a value."""
    return format_cell(value)


def percent_text(value: float) -> str:
    return f"{round(value)}%"


def minutes_text(minutes: float) -> str:
    """``45 min``, ``2 h 5 min`` (charts of time take minutes)."""
    whole = round(minutes)
    if whole < 60:
        return f"{whole} min"
    hours, rest = divmod(whole, 60)
    return f"{hours} h" if rest == 0 else f"{hours} h {rest} min"


def minute_ticks(top: float, count: int = 4) -> list[float]:
    """Axis values for minutes on whole clock steps (15 min, 30 min, 1 h, 2 h…)."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 15.0]
    steps = (5, 10, 15, 30, 60, 120, 180, 240, 360, 480, 600, 1200, 2400)
    step = next((s for s in steps if s * count >= top), None)
    if step is None:
        return [t * 60 for t in nice_ticks(top / 60, count)]
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(ticks[-1] + step)
    return ticks


def nice_ticks(top: float, count: int = 4) -> list[float]:
    """Round axis values from 0 to at least ``top``: 0, 5, 10, 15 — steps of 1, 2, 2.5
    or 5 times a power of ten."""
    if top <= 0 or not math.isfinite(top):
        return [0.0, 1.0]
    raw = top / count
    power = 10 ** math.floor(math.log10(raw))
    step = next(m * power for m in (1, 2, 2.5, 5, 10) if m * power >= raw)
    ticks = [0.0]
    while ticks[-1] < top - 1e-9:
        ticks.append(round(ticks[-1] + step, 10))
    return ticks


def _mix(a: QColor, b: QColor, t: float) -> QColor:
    t = max(0.0, min(1.0, t))
    return QColor(
        round(a.red() + (b.red() - a.red()) * t),
        round(a.green() + (b.green() - a.green()) * t),
        round(a.blue() + (b.blue() - a.blue()) * t),
    )


# A score scale a reader gets without a legend: red is weak, amber middling, green strong.
HEAT_STOPS = (
    (0.0, QColor("#FDA29B")),
    (0.5, QColor("#FEDF89")),
    (1.0, QColor("#6CE9A6")),
)


def heat_colour(fraction: float) -> QColor:
    """The colour of a heat-map cell at ``fraction`` (0 = lowest, 1 = highest)."""
    fraction = max(0.0, min(1.0, fraction))
    for (p0, c0), (p1, c1) in itertools.pairwise(HEAT_STOPS):
        if fraction <= p1:
            return _mix(c0, c1, (fraction - p0) / (p1 - p0))
    return QColor(HEAT_STOPS[-1][1])


class Chart(QWidget):
    """What every chart shares: an empty state, tooltips, hover, and its numbers."""

    def __init__(self, empty_text: str = "No data yet.", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.empty_text = empty_text
        self._hover = -1
        self.setMouseTracking(True)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)

    # -- what subclasses answer -------------------------------------------------------

    def is_empty(self) -> bool:
        raise NotImplementedError

    def numbers(self) -> ChartNumbers:
        raise NotImplementedError

    def summary(self) -> str:
        """One sentence a screen reader says about the chart."""
        return ""

    def item_at(self, pos: QPointF) -> int:
        """The index of the item under ``pos`` (-1: none)."""
        return -1

    def item_tooltip(self, index: int) -> str:
        return ""

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        raise NotImplementedError

    def paint_ghost(self, painter: QPainter, rect: QRectF) -> None:
        """Faint shapes behind the empty-state text, hinting at what will be drawn."""

    # -- shared behaviour -------------------------------------------------------------

    def tooltip_at(self, pos: QPointF) -> str:
        index = self.item_at(pos)
        return self.item_tooltip(index) if index >= 0 else ""

    def _changed(self) -> None:
        self._hover = -1
        self.setAccessibleDescription(self.empty_text if self.is_empty() else self.summary())
        self.updateGeometry()
        self.update()

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ToolTip and isinstance(event, QHelpEvent):
            text = self.tooltip_at(QPointF(event.pos()))
            if text:
                QToolTip.showText(event.globalPos(), text, self)
            else:
                QToolTip.hideText()
                event.ignore()
            return True
        return super().event(event)

    def mouseMoveEvent(self, event: QMouseEvent) -> None:
        index = self.item_at(event.position())
        if index != self._hover:
            self._hover = index
            self.update()
        super().mouseMoveEvent(event)

    def leaveEvent(self, event: QEvent) -> None:
        if self._hover != -1:
            self._hover = -1
            self.update()
        super().leaveEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        rect = QRectF(self.rect())
        painter.fillRect(rect, theme.color("surface"))  # charts sit on white cards
        if self.is_empty():
            self._paint_empty(painter, rect)
        else:
            self.paint_chart(painter, rect)
        painter.end()

    def _paint_empty(self, painter: QPainter, rect: QRectF) -> None:
        painter.save()
        painter.setOpacity(0.55)
        self.paint_ghost(painter, rect)
        painter.restore()
        font = theme.ui_font(9.5)
        painter.setFont(font)
        metrics = QFontMetricsF(font)
        width = min(rect.width() - 24, 360.0)
        lines = wrap_lines(QFontMetrics(font), self.empty_text, int(width), 3)
        line_h = metrics.height()
        box_h = line_h * len(lines) + 16
        box_w = max(metrics.horizontalAdvance(line) for line in lines) + 28 if lines else 0
        box = QRectF(
            rect.center().x() - box_w / 2, rect.center().y() - box_h / 2, box_w, box_h
        ).intersected(rect)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("surface"))
        painter.drawRoundedRect(box, 8, 8)
        painter.setPen(theme.color("text-muted"))
        y = box.top() + 8
        for line in lines:
            painter.drawText(
                QRectF(box.left(), y, box.width(), line_h), Qt.AlignmentFlag.AlignCenter, line
            )
            y += line_h

    def render_image(self, scale: float = 2.0) -> QImage:
        """The chart as an image at ``scale`` times its size (sharp on hi-DPI screens)."""
        size = self.size() if self.width() > 0 else self.sizeHint()
        image = QImage(
            max(1, round(size.width() * scale)),
            max(1, round(size.height() * scale)),
            QImage.Format.Format_ARGB32_Premultiplied,
        )
        image.setDevicePixelRatio(scale)
        image.fill(theme.color("surface"))
        self.render(image)
        return image


# -- progress rings ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Ring:
    """One ring: ``fraction`` of 1 done, ``label`` under it, ``detail`` below that
    ("6 of 10 lessons"), ``centre`` in the middle (default: the percent)."""

    label: str
    fraction: float
    detail: str = ""
    centre: str = ""

    @property
    def clamped(self) -> float:
        return max(0.0, min(1.0, self.fraction)) if math.isfinite(self.fraction) else 0.0

    @property
    def centre_text(self) -> str:
        return self.centre or f"{round(self.clamped * 100)}%"


class RingChart(Chart):
    """Progress rings in rows (one per course, say), each with a caption under it."""

    activated = Signal(int)  # a ring was clicked

    def __init__(
        self,
        empty_text: str = "No data yet.",
        *,
        diameter: int = 84,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(empty_text, parent)
        self._rings: list[Ring] = []
        self.diameter = diameter
        self.cell_width = max(diameter + 40, 132)
        self._captions = 2
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self._changed()

    @property
    def rings(self) -> list[Ring]:
        return list(self._rings)

    def set_rings(self, rings: Sequence[Ring]) -> None:
        self._rings = list(rings)
        self._changed()

    def is_empty(self) -> bool:
        return not self._rings

    def numbers(self) -> ChartNumbers:
        return ChartNumbers.of(
            ("Item", "Complete (%)", "Detail"),
            [(r.label, round(r.clamped * 100, 1), r.detail) for r in self._rings],
        )

    def summary(self) -> str:
        return "; ".join(f"{r.label}: {r.centre_text}" for r in self._rings)

    def _cell_height(self) -> float:
        metrics = QFontMetricsF(theme.ui_font(LABEL_PT))
        return self.diameter + 10 + metrics.height() * self._captions + 4

    def _columns(self, width: float) -> int:
        return max(1, int((width + 8) // (self.cell_width + 8)))

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if not self._rings:
            return 150
        rows = math.ceil(len(self._rings) / self._columns(width))
        return round(rows * self._cell_height() + (rows - 1) * 12)

    def sizeHint(self) -> QSize:
        width = min(len(self._rings) or 3, 4) * (self.cell_width + 8)
        return QSize(width, self.heightForWidth(width))

    def minimumSizeHint(self) -> QSize:
        return QSize(self.cell_width, round(self._cell_height()) if self._rings else 150)

    def _cells(self, rect: QRectF) -> list[QRectF]:
        columns = min(self._columns(rect.width()), len(self._rings))
        gap = 8.0
        width = min(self.cell_width * 1.4, (rect.width() - gap * (columns - 1)) / columns)
        used = columns * width + gap * (columns - 1)
        left = rect.left() + (rect.width() - used) / 2 if len(self._rings) < columns else 0
        height = self._cell_height()
        return [
            QRectF(
                left + (i % columns) * (width + gap),
                rect.top() + (i // columns) * (height + 12),
                width,
                height,
            )
            for i in range(len(self._rings))
        ]

    def item_at(self, pos: QPointF) -> int:
        for i, cell in enumerate(self._cells(QRectF(self.rect()))):
            if cell.contains(pos):
                return i
        return -1

    def item_tooltip(self, index: int) -> str:
        ring = self._rings[index]
        detail = f"\n{ring.detail}" if ring.detail else ""
        return f"{ring.label}: {round(ring.clamped * 100, 1):g}% complete{detail}"

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        index = self.item_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and index >= 0:
            self.activated.emit(index)
        super().mouseReleaseEvent(event)

    def ring_rect(self, index: int) -> QRectF:
        """Where ring ``index`` is drawn (the circle's bounding box)."""
        cell = self._cells(QRectF(self.rect()))[index]
        d = float(self.diameter)
        return QRectF(cell.center().x() - d / 2, cell.top() + 2, d, d)

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        caption = theme.ui_font(LABEL_PT, QFont.Weight.DemiBold)
        detail_font = theme.ui_font(SMALL_PT)
        cm = QFontMetricsF(caption)
        dm = QFontMetricsF(detail_font)
        for i, (ring, cell) in enumerate(zip(self._rings, self._cells(rect), strict=True)):
            circle = self.ring_rect(i)
            if i == self._hover:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(theme.color("surface-alt"))
                painter.drawRoundedRect(cell.adjusted(0, -2, 0, 2), 10, 10)
            paint_ring(painter, circle, ring.clamped, ring.centre_text)
            y = circle.bottom() + 10
            painter.setFont(caption)
            painter.setPen(theme.color("text"))
            text = cm.elidedText(ring.label, Qt.TextElideMode.ElideRight, cell.width() - 8)
            painter.drawText(QRectF(cell.left(), y, cell.width(), cm.height()), _CENTRE, text)
            if ring.detail:
                painter.setFont(detail_font)
                painter.setPen(theme.color("text-muted"))
                text = dm.elidedText(ring.detail, Qt.TextElideMode.ElideRight, cell.width() - 8)
                painter.drawText(
                    QRectF(cell.left(), y + cm.height(), cell.width(), dm.height()), _CENTRE, text
                )

    def paint_ghost(self, painter: QPainter, rect: QRectF) -> None:
        d = float(self.diameter)
        for k in range(3):
            x = rect.center().x() + (k - 1) * (self.cell_width) - d / 2
            paint_ring(painter, QRectF(x, rect.top() + 10, d, d), 0.0, "")


_CENTRE = Qt.AlignmentFlag.AlignCenter


def paint_ring(painter: QPainter, rect: QRectF, fraction: float, centre: str) -> None:
    """A ring in ``rect``: a grey track and an arc of ``fraction`` from 12 o'clock,
    clockwise; green when complete. ``centre`` is written in the middle."""
    painter.save()
    width = max(5.0, rect.width() / 10)
    inner = rect.adjusted(width / 2, width / 2, -width / 2, -width / 2)
    pen = QPen(theme.color("track"), width)
    pen.setCapStyle(Qt.PenCapStyle.FlatCap)
    painter.setPen(pen)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    painter.drawEllipse(inner)
    if fraction > 0:
        done = fraction >= 1.0
        pen.setColor(theme.color("success") if done else theme.color("accent"))
        pen.setCapStyle(Qt.PenCapStyle.FlatCap if done else Qt.PenCapStyle.RoundCap)
        painter.setPen(pen)
        painter.drawArc(inner, 90 * 16, -round(360 * 16 * fraction))
    if centre:
        painter.setFont(theme.ui_font(max(7.5, rect.height() / 6.2), QFont.Weight.Bold))
        painter.setPen(theme.color("text"))
        painter.drawText(rect, _CENTRE, centre)
    painter.restore()


# -- vertical bars over time ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Bar:
    """One bar: ``label`` on the axis, ``value`` its height, ``tooltip`` (optional) what
    hovering shows in place of "label: value"."""

    label: str
    value: float
    tooltip: str = ""


class BarChart(Chart):
    """Vertical bars with a value axis (e.g. minutes per week), labels under the bars."""

    def __init__(
        self,
        empty_text: str = "No data yet.",
        *,
        value_title: str = "Value",
        label_title: str = "Label",
        value_format: ValueFormat = plain_number,
        ticks: Callable[[float, int], list[float]] = nice_ticks,
        height: int = 200,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(empty_text, parent)
        self._bars: list[Bar] = []
        self.ticks = ticks
        self.value_title = value_title
        self.label_title = label_title
        self.value_format = value_format
        self._height = height
        self._changed()

    @property
    def bars(self) -> list[Bar]:
        return list(self._bars)

    def set_bars(self, bars: Sequence[Bar]) -> None:
        self._bars = list(bars)
        self._changed()

    def is_empty(self) -> bool:
        return not self._bars or all(b.value <= 0 for b in self._bars)

    def numbers(self) -> ChartNumbers:
        return ChartNumbers.of(
            (self.label_title, self.value_title), [(b.label, b.value) for b in self._bars]
        )

    def summary(self) -> str:
        top = max(self._bars, key=lambda b: b.value)
        total = sum(b.value for b in self._bars)
        return (
            f"{len(self._bars)} bars; total {self.value_format(total)}; "
            f"highest {self.value_format(top.value)} ({top.label})"
        )

    def sizeHint(self) -> QSize:
        return QSize(420, self._height)

    def minimumSizeHint(self) -> QSize:
        return QSize(200, min(self._height, 140))

    def _layout(self, rect: QRectF) -> tuple[QRectF, list[float]]:
        # About one grid line per 30 px, 2 to 4 of them: a short chart is not striped.
        count = max(2, min(4, int((rect.height() - 30) // 30)))
        ticks = self.ticks(max((b.value for b in self._bars), default=0.0), count)
        metrics = QFontMetricsF(theme.ui_font(SMALL_PT))
        axis_w = max(metrics.horizontalAdvance(self.value_format(t)) for t in ticks) + 10
        plot = rect.adjusted(axis_w, metrics.height() / 2 + 4, -4, -(metrics.height() + 10))
        return plot, ticks

    def _bar_rects(self, rect: QRectF) -> list[QRectF]:
        plot, ticks = self._layout(rect)
        top = ticks[-1] or 1.0
        slot = plot.width() / max(1, len(self._bars))
        width = min(slot * 0.62, 44.0)
        rects = []
        for i, bar in enumerate(self._bars):
            h = plot.height() * max(0.0, bar.value) / top
            x = plot.left() + slot * i + (slot - width) / 2
            rects.append(QRectF(x, plot.bottom() - h, width, h))
        return rects

    def bar_rect(self, index: int) -> QRectF:
        return self._bar_rects(QRectF(self.rect()))[index]

    def item_at(self, pos: QPointF) -> int:
        if self.is_empty():
            return -1
        plot, _ticks = self._layout(QRectF(self.rect()))
        if not plot.left() <= pos.x() <= plot.right() or pos.y() > plot.bottom() + 24:
            return -1
        slot = plot.width() / len(self._bars)
        index = int((pos.x() - plot.left()) // slot)
        return index if 0 <= index < len(self._bars) else -1

    def item_tooltip(self, index: int) -> str:
        bar = self._bars[index]
        return bar.tooltip or f"{bar.label}: {self.value_format(bar.value)}"

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        plot, ticks = self._layout(rect)
        font = theme.ui_font(SMALL_PT)
        metrics = QFontMetricsF(font)
        painter.setFont(font)
        top = ticks[-1] or 1.0
        grid = QPen(theme.color("border"), 1)
        grid.setStyle(Qt.PenStyle.DashLine)
        for tick in ticks:
            y = plot.bottom() - plot.height() * tick / top
            painter.setPen(grid if tick > 0 else QPen(theme.color("border-strong"), 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(theme.color("text-subtle"))
            painter.drawText(
                QRectF(rect.left(), y - metrics.height() / 2, plot.left() - rect.left() - 8, 20),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop,
                self.value_format(tick),
            )
        rects = self._bar_rects(rect)
        slot = plot.width() / len(self._bars)
        widest = max(metrics.horizontalAdvance(b.label) for b in self._bars) + 8
        every = max(1, math.ceil(widest / slot))
        for i, (bar, r) in enumerate(zip(self._bars, rects, strict=True)):
            if r.height() > 0:
                colour = theme.color("accent-hover" if i == self._hover else "accent")
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(colour)
                painter.drawPath(_top_rounded(r, min(4.0, r.width() / 3)))
            # Labels: every ``every``-th from the last, so the newest week is always named.
            if (len(self._bars) - 1 - i) % every == 0:
                painter.setPen(theme.color("text" if i == self._hover else "text-muted"))
                painter.drawText(
                    QRectF(plot.left() + slot * i - slot, plot.bottom() + 6, slot * 3, 20),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    bar.label,
                )
        if 0 <= self._hover < len(rects):  # the hovered bar's value above it
            r = rects[self._hover]
            text = self.value_format(self._bars[self._hover].value)
            painter.setFont(theme.ui_font(SMALL_PT, QFont.Weight.DemiBold))
            painter.setPen(theme.color("text"))
            painter.drawText(
                QRectF(r.center().x() - 60, r.top() - metrics.height() - 2, 120, metrics.height()),
                _CENTRE,
                text,
            )

    def paint_ghost(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("track"))
        heights = (0.3, 0.5, 0.4, 0.7, 0.55, 0.8, 0.45, 0.6)
        slot = (rect.width() - 40) / len(heights)
        base = rect.bottom() - 16
        for i, h in enumerate(heights):
            bar_h = (rect.height() - 40) * h
            painter.drawPath(
                _top_rounded(
                    QRectF(
                        rect.left() + 20 + slot * i + slot * 0.2, base - bar_h, slot * 0.6, bar_h
                    ),
                    4,
                )
            )


def _top_rounded(rect: QRectF, radius: float) -> QPainterPath:
    """A bar with rounded top corners and a square foot."""
    radius = min(radius, rect.height(), rect.width() / 2)
    path = QPainterPath()
    path.moveTo(rect.bottomLeft())
    path.lineTo(rect.left(), rect.top() + radius)
    path.quadTo(rect.topLeft(), QPointF(rect.left() + radius, rect.top()))
    path.lineTo(rect.right() - radius, rect.top())
    path.quadTo(rect.topRight(), QPointF(rect.right(), rect.top() + radius))
    path.lineTo(rect.bottomRight())
    path.closeSubpath()
    return path


# -- horizontal ranked bars -------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Category:
    """One row of a ranked bar chart; ``tone`` colours the bar ("", "success",
    "warning", "danger", "muted")."""

    label: str
    value: float
    tone: str = ""
    tooltip: str = ""
    value_text: str = ""


TONES = {
    "": "accent",
    "accent": "accent",
    "success": "success",
    "warning": "warning",
    "danger": "danger",
    "muted": "text-subtle",
}


class HBarChart(Chart):
    """Horizontal bars, one row per category, in the order given (rank them first).

    ``maximum`` fixes the scale (100 for percentages); by default the longest bar fills."""

    activated = Signal(int)

    ROW = 30.0
    ROW_ABOVE = 44.0

    def __init__(
        self,
        empty_text: str = "No data yet.",
        *,
        value_title: str = "Value",
        label_title: str = "Category",
        value_format: ValueFormat = plain_number,
        maximum: float | None = None,
        label_above: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(empty_text, parent)
        self.label_above = label_above  # long labels (sentences): a line of their own
        self._items: list[Category] = []
        self.value_title = value_title
        self.label_title = label_title
        self.value_format = value_format
        self.maximum = maximum
        self.clickable = False
        self._changed()

    @property
    def items(self) -> list[Category]:
        return list(self._items)

    def set_items(self, items: Sequence[Category]) -> None:
        self._items = list(items)
        self._changed()

    def is_empty(self) -> bool:
        return not self._items

    def numbers(self) -> ChartNumbers:
        return ChartNumbers.of(
            (self.label_title, self.value_title), [(c.label, c.value) for c in self._items]
        )

    def summary(self) -> str:
        return "; ".join(f"{c.label}: {self._text(c)}" for c in self._items[:8])

    def _text(self, item: Category) -> str:
        return item.value_text or self.value_format(item.value)

    def hasHeightForWidth(self) -> bool:
        return True

    @property
    def row_height(self) -> float:
        return self.ROW_ABOVE if self.label_above else self.ROW

    def heightForWidth(self, width: int) -> int:
        return round(len(self._items) * self.row_height) if self._items else 140

    def sizeHint(self) -> QSize:
        return QSize(360, self.heightForWidth(360))

    def minimumSizeHint(self) -> QSize:
        return QSize(200, self.heightForWidth(200))

    def _columns(self, rect: QRectF) -> tuple[float, float]:
        """The width of the label column and of the value column."""
        label_m = QFontMetricsF(theme.ui_font(LABEL_PT))
        value_m = QFontMetricsF(theme.ui_font(LABEL_PT, QFont.Weight.DemiBold))
        widest = max((label_m.horizontalAdvance(c.label) for c in self._items), default=0.0)
        label_w = 4.0 if self.label_above else min(max(widest + 14, 80.0), rect.width() * 0.42)
        value_w = max((value_m.horizontalAdvance(self._text(c)) for c in self._items), default=0)
        return label_w, value_w + 12

    def bar_rect(self, index: int) -> QRectF:
        rect = QRectF(self.rect())
        label_w, value_w = self._columns(rect)
        top = self.maximum or max((c.value for c in self._items), default=0.0) or 1.0
        if self.label_above:  # a line of text, then the bar under it, across the row
            row_top = rect.top() + index * self.ROW_ABOVE
            track = QRectF(rect.left() + 4, row_top + self.ROW_ABOVE - 17, 0, 9)
            track.setRight(rect.right() - 4)
        else:
            track = QRectF(
                rect.left() + label_w, rect.top() + index * self.ROW + 8, 0, self.ROW - 16
            )
            track.setRight(rect.right() - value_w)
        fill = QRectF(track)
        fill.setWidth(track.width() * max(0.0, min(1.0, self._items[index].value / top)))
        return fill

    def item_at(self, pos: QPointF) -> int:
        index = int(pos.y() // self.row_height)
        return index if 0 <= index < len(self._items) and pos.y() >= 0 else -1

    def item_tooltip(self, index: int) -> str:
        item = self._items[index]
        return item.tooltip or f"{item.label}: {self._text(item)}"

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        index = self.item_at(event.position())
        if self.clickable and event.button() == Qt.MouseButton.LeftButton and index >= 0:
            self.activated.emit(index)
        super().mouseReleaseEvent(event)

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        label_font = theme.ui_font(LABEL_PT)
        value_font = theme.ui_font(LABEL_PT, QFont.Weight.DemiBold)
        lm = QFontMetricsF(label_font)
        label_w, value_w = self._columns(rect)
        above = self.label_above
        height = self.row_height
        for i, item in enumerate(self._items):
            row = QRectF(rect.left(), rect.top() + i * height, rect.width(), height)
            if i == self._hover:
                painter.setPen(Qt.PenStyle.NoPen)
                painter.setBrush(theme.color("surface-alt"))
                painter.drawRoundedRect(row, 6, 6)
            painter.setFont(label_font)
            painter.setPen(theme.color("text"))
            # Above the bar the label has the row's width, less the value on its right.
            text_row = QRectF(row.left(), row.top() + 4, row.width(), lm.height() + 4)
            text = lm.elidedText(
                item.label,
                Qt.TextElideMode.ElideRight,
                (row.width() - value_w - 16) if above else label_w - 14,
            )
            painter.drawText(
                (text_row if above else row).adjusted(4, 0, 0, 0),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                text,
            )
            fill = self.bar_rect(i)
            track = QRectF(
                fill.left(),
                fill.top(),
                (rect.right() - 4 if above else rect.right() - value_w) - fill.left(),
                fill.height(),
            )
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(theme.color("track"))
            painter.drawRoundedRect(track, track.height() / 2, track.height() / 2)
            if fill.width() > 0:
                painter.setBrush(theme.color(TONES.get(item.tone, "accent")))
                radius = min(fill.height() / 2, fill.width() / 2)
                painter.drawRoundedRect(fill, radius, radius)
            painter.setFont(value_font)
            painter.setPen(theme.color("text"))
            value_row = text_row if above else row
            painter.drawText(
                QRectF(rect.right() - value_w - 4, value_row.top(), value_w, value_row.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                self._text(item),
            )

    def paint_ghost(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("track"))
        for i, w in enumerate((0.8, 0.6, 0.45, 0.3)):
            painter.drawRoundedRect(
                QRectF(rect.left() + 8, rect.top() + 12 + i * 30, (rect.width() - 16) * w, 12),
                6,
                6,
            )


# -- heat map ---------------------------------------------------------------------------


class HeatMap(Chart):
    """Rows × columns of values on a red–amber–green scale (e.g. members × objectives,
    scores 0–100). ``None`` is "no data" and drawn hatched, never as a low value."""

    activated = Signal(int, int)

    ROW = 30.0
    HEADER_LINES = 3

    def __init__(
        self,
        empty_text: str = "No data yet.",
        *,
        corner_title: str = "Row",
        value_format: ValueFormat = percent_text,
        minimum: float = 0.0,
        maximum: float = 100.0,
        missing_text: str = "No data",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(empty_text, parent)
        self.corner_title = corner_title
        self.value_format = value_format
        self.minimum = minimum
        self.maximum = maximum
        self.missing_text = missing_text
        self._rows: list[str] = []
        self._columns: list[str] = []
        self._values: list[list[float | None]] = []
        self._changed()

    def set_data(
        self,
        rows: Sequence[str],
        columns: Sequence[str],
        values: Sequence[Sequence[float | None]],
    ) -> None:
        if len(values) != len(rows) or any(len(v) != len(columns) for v in values):
            raise ValueError("a heat map needs one value per row and column")
        self._rows = list(rows)
        self._columns = list(columns)
        self._values = [list(v) for v in values]
        self._changed()

    def value(self, row: int, column: int) -> float | None:
        return self._values[row][column]

    def is_empty(self) -> bool:
        return not self._rows or not self._columns

    def numbers(self) -> ChartNumbers:
        return ChartNumbers.of(
            (self.corner_title, *self._columns),
            [(name, *values) for name, values in zip(self._rows, self._values, strict=True)],
        )

    def summary(self) -> str:
        known = [v for row in self._values for v in row if v is not None]
        if not known:
            return f"{len(self._rows)} rows × {len(self._columns)} columns, no values yet"
        return (
            f"{len(self._rows)} rows × {len(self._columns)} columns; lowest "
            f"{self.value_format(min(known))}, highest {self.value_format(max(known))}"
        )

    def _header_height(self) -> float:
        return QFontMetricsF(theme.ui_font(SMALL_PT)).height() * self.HEADER_LINES + 8

    def _legend_height(self) -> float:
        return 40.0

    def hasHeightForWidth(self) -> bool:
        return True

    def heightForWidth(self, width: int) -> int:
        if self.is_empty():
            return 180
        return round(self._header_height() + len(self._rows) * self.ROW + self._legend_height())

    def sizeHint(self) -> QSize:
        return QSize(520, self.heightForWidth(520))

    def minimumSizeHint(self) -> QSize:
        return QSize(260, self.heightForWidth(260))

    def _geometry(self, rect: QRectF) -> tuple[float, float]:
        """The left label column's width and one column's width."""
        metrics = QFontMetricsF(theme.ui_font(LABEL_PT))
        widest = max((metrics.horizontalAdvance(r) for r in self._rows), default=0.0)
        label_w = min(max(widest + 16, 90.0), rect.width() * 0.32)
        column_w = min(120.0, (rect.width() - label_w) / max(1, len(self._columns)))
        return label_w, column_w

    def cell_rect(self, row: int, column: int) -> QRectF:
        rect = QRectF(self.rect())
        label_w, column_w = self._geometry(rect)
        return QRectF(
            rect.left() + label_w + column * column_w + 1.5,
            rect.top() + self._header_height() + row * self.ROW + 1.5,
            column_w - 3,
            self.ROW - 3,
        )

    def _cell_at(self, pos: QPointF) -> tuple[int, int]:
        rect = QRectF(self.rect())
        label_w, column_w = self._geometry(rect)
        column = math.floor((pos.x() - rect.left() - label_w) / column_w)
        row = math.floor((pos.y() - rect.top() - self._header_height()) / self.ROW)
        if 0 <= row < len(self._rows) and 0 <= column < len(self._columns):
            return row, column
        return -1, -1

    def item_at(self, pos: QPointF) -> int:
        row, column = self._cell_at(pos)
        return -1 if row < 0 else row * len(self._columns) + column

    def item_tooltip(self, index: int) -> str:
        row, column = divmod(index, len(self._columns))
        value = self._values[row][column]
        shown = self.missing_text if value is None else self.value_format(value)
        return f"{self._rows[row]}\n{self._columns[column]}\n{shown}"

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        row, column = self._cell_at(event.position())
        if event.button() == Qt.MouseButton.LeftButton and row >= 0:
            self.activated.emit(row, column)
        super().mouseReleaseEvent(event)

    def colour_for(self, value: float) -> QColor:
        span = (self.maximum - self.minimum) or 1.0
        return heat_colour((value - self.minimum) / span)

    def paint_chart(self, painter: QPainter, rect: QRectF) -> None:
        label_w, column_w = self._geometry(rect)
        small = theme.ui_font(SMALL_PT)
        sm = QFontMetricsF(small)
        label_font = theme.ui_font(LABEL_PT)
        lm = QFontMetricsF(label_font)
        header_h = self._header_height()
        # Column headers: wrapped to the column, bottom-aligned over it.
        painter.setFont(small)
        for c, name in enumerate(self._columns):
            lines = wrap_lines(QFontMetrics(small), name, int(column_w - 6), self.HEADER_LINES)
            hovered = self._hover >= 0 and self._hover % len(self._columns) == c
            painter.setPen(theme.color("text" if hovered else "text-muted"))
            y = rect.top() + header_h - 6 - sm.height() * len(lines)
            for line in lines:
                painter.drawText(
                    QRectF(rect.left() + label_w + c * column_w, y, column_w, sm.height()),
                    _CENTRE,
                    line,
                )
                y += sm.height()
        hatch = QBrush(theme.color("border-strong"), Qt.BrushStyle.BDiagPattern)
        value_font = theme.ui_font(SMALL_PT, QFont.Weight.DemiBold)
        for r, name in enumerate(self._rows):
            top = rect.top() + header_h + r * self.ROW
            hovered_row = self._hover >= 0 and self._hover // len(self._columns) == r
            painter.setFont(label_font)
            painter.setPen(theme.color("text" if hovered_row else "text-muted"))
            painter.drawText(
                QRectF(rect.left(), top, label_w - 10, self.ROW),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                lm.elidedText(name, Qt.TextElideMode.ElideRight, label_w - 12),
            )
            for c in range(len(self._columns)):
                cell = self.cell_rect(r, c)
                value = self._values[r][c]
                painter.setPen(Qt.PenStyle.NoPen)
                if value is None:
                    painter.setBrush(theme.color("surface-alt"))
                    painter.drawRoundedRect(cell, 4, 4)
                    painter.setBrush(hatch)
                    painter.drawRoundedRect(cell, 4, 4)
                else:
                    painter.setBrush(self.colour_for(value))
                    painter.drawRoundedRect(cell, 4, 4)
                    if cell.width() >= 30:
                        painter.setFont(value_font)
                        painter.setPen(QColor("#1D2433"))
                        painter.drawText(cell, _CENTRE, self.value_format(value))
                if r * len(self._columns) + c == self._hover:
                    painter.setPen(QPen(theme.color("text"), 1.5))
                    painter.setBrush(Qt.BrushStyle.NoBrush)
                    painter.drawRoundedRect(cell.adjusted(0.75, 0.75, -0.75, -0.75), 4, 4)
        self._paint_legend(painter, rect, header_h + len(self._rows) * self.ROW + 12)

    def _paint_legend(self, painter: QPainter, rect: QRectF, y: float) -> None:
        small = theme.ui_font(SMALL_PT)
        sm = QFontMetricsF(small)
        painter.setFont(small)
        x = rect.left() + self._geometry(rect)[0]
        low = self.value_format(self.minimum)
        high = self.value_format(self.maximum)
        painter.setPen(theme.color("text-muted"))
        painter.drawText(QPointF(x, y + 11), low)
        x += sm.horizontalAdvance(low) + 8
        bar = QRectF(x, y + 2, 140, 12)
        gradient = QLinearGradient(bar.topLeft(), bar.topRight())
        for stop, colour in HEAT_STOPS:
            gradient.setColorAt(stop, colour)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QBrush(gradient))
        painter.drawRoundedRect(bar, 6, 6)
        x = bar.right() + 8
        painter.setPen(theme.color("text-muted"))
        painter.drawText(QPointF(x, y + 11), high)
        x += sm.horizontalAdvance(high) + 24
        swatch = QRectF(x, y + 1, 18, 14)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("surface-alt"))
        painter.drawRoundedRect(swatch, 3, 3)
        painter.setBrush(QBrush(theme.color("border-strong"), Qt.BrushStyle.BDiagPattern))
        painter.drawRoundedRect(swatch, 3, 3)
        painter.setPen(theme.color("text-muted"))
        painter.drawText(QPointF(swatch.right() + 6, y + 11), self.missing_text)

    def paint_ghost(self, painter: QPainter, rect: QRectF) -> None:
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(theme.color("track"))
        w = (rect.width() - 40) / 6
        for r in range(4):
            for c in range(6):
                painter.drawRoundedRect(
                    QRectF(rect.left() + 20 + c * w + 2, rect.top() + 14 + r * 32, w - 4, 28), 4, 4
                )


# -- the card around a chart ------------------------------------------------------------


class ChartCard(QFrame):
    """A chart with its title, a subtitle, "Numbers" (the exact table, one click away)
    and Export (CSV of the numbers, PNG of the chart)."""

    message = Signal(str)  # "Saved … to …" for the status bar

    def __init__(
        self,
        title: str,
        chart: Chart,
        subtitle: str = "",
        *,
        file_stem: str = "",
        compact: bool = False,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Card")
        self.setProperty("compact", compact)  # smaller title and buttons (Home)
        self.chart = chart
        self.file_stem = file_stem or _slug(title)
        self.last_error = ""
        self.error_box: QMessageBox | None = None
        body = QVBoxLayout(self)
        if compact:
            body.setContentsMargins(14, 10, 12, 12)
        else:
            body.setContentsMargins(18, 14, 18, 16)
        body.setSpacing(8)

        head = QHBoxLayout()
        head.setSpacing(6)
        # Into the card first: a label shown in a layout without a parent would open as a
        # window of its own (and take the focus from the main window).
        body.addLayout(head)
        text = QVBoxLayout()
        text.setSpacing(2)
        head.addLayout(text, 1)
        self.header_row = head
        self.title = label(title, "CardTitle", wrap=True)
        text.addWidget(self.title)
        self.subtitle = label(subtitle, "Subtle", wrap=True)
        text.addWidget(self.subtitle)
        self.subtitle.setVisible(bool(subtitle))

        self.numbers_button = button("Numbers", variant="ghost", tooltip="Show the exact numbers")
        self.numbers_button.setObjectName("ChartToggle")
        self.numbers_button.setCheckable(True)
        self.numbers_button.setAccessibleName(f"Numbers of {title}")
        self.numbers_button.toggled.connect(self.show_numbers)
        head.addWidget(self.numbers_button, 0, Qt.AlignmentFlag.AlignTop)

        self.export_button = button("Export", variant="ghost", tooltip="Save as CSV or PNG")
        self.export_button.setObjectName("ChartExport")
        self.export_button.setAccessibleName(f"Export {title}")
        menu = QMenu(self.export_button)
        self.csv_action = menu.addAction("Numbers as CSV…")
        self.csv_action.triggered.connect(lambda: self._export("csv"))
        self.png_action = menu.addAction("Chart as PNG image…")
        self.png_action.triggered.connect(lambda: self._export("png"))
        self.export_button.setMenu(menu)
        head.addWidget(self.export_button, 0, Qt.AlignmentFlag.AlignTop)

        self.stack = QStackedWidget()
        self.stack.addWidget(chart)
        self.model = NumbersModel(self)
        self._table: QTableView | None = None  # made when the numbers are first shown
        body.addWidget(self.stack)
        body.addStretch(1)  # a card taller than its chart (beside a taller one): space below
        chart.setAccessibleName(title)
        self.refresh()

    @property
    def table(self) -> QTableView:
        """The Numbers table (built on first use: most charts are never asked)."""
        if self._table is None:
            # Imported here, as the file dialog and the message box below: Home shows
            # charts on every start, and PySide builds each Qt class's Python type (with
            # its enums) when first named.
            from PySide6.QtWidgets import QAbstractItemView, QHeaderView, QTableView

            table = self._table = QTableView()
            table.setObjectName("NumbersTable")
            table.setModel(self.model)
            table.setAccessibleName(f"{self.title.text()}: numbers")
            table.setAlternatingRowColors(True)
            table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
            table.verticalHeader().setVisible(False)
            table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Interactive)
            table.horizontalHeader().setStretchLastSection(True)
            # Ignored: the hidden table must not make the card taller than its chart
            # (the stack sizes to its largest page); it takes the chart's height when shown.
            table.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Ignored)
            self.stack.addWidget(table)
        return self._table

    def refresh(self) -> None:
        """Call after the chart's data changed: the table, buttons and description follow."""
        self.model.set_numbers(self.chart.numbers())
        empty = self.chart.is_empty()
        self.csv_action.setEnabled(not empty)
        self.numbers_button.setEnabled(not empty)
        if empty and self.numbers_button.isChecked():
            self.numbers_button.setChecked(False)
        if self.numbers_button.isChecked():
            self.table.resizeColumnsToContents()

    def add_header_widget(self, widget: QWidget) -> None:
        """A control of the chart's own, left of Numbers (e.g. "Show all")."""
        self.header_row.insertWidget(1, widget, 0, Qt.AlignmentFlag.AlignTop)

    def set_subtitle(self, text: str) -> None:
        self.subtitle.setText(text)
        self.subtitle.setVisible(bool(text))

    @property
    def showing_numbers(self) -> bool:
        return self._table is not None and self.stack.currentWidget() is self._table

    def show_numbers(self, shown: bool) -> None:
        if self.numbers_button.isChecked() != shown:
            self.numbers_button.setChecked(shown)  # toggled() calls back here
            return
        if shown:
            self.table.setMinimumHeight(max(140, self.chart.height()))
            self.table.resizeColumnsToContents()
            self.stack.setCurrentWidget(self.table)
        else:
            if self._table is not None:
                self._table.setMinimumHeight(0)
            self.stack.setCurrentWidget(self.chart)
        self.numbers_button.setText("Chart" if shown else "Numbers")
        self.numbers_button.setToolTip("Show the chart" if shown else "Show the exact numbers")

    # -- export -----------------------------------------------------------------------

    def export_csv(self, path: Path) -> None:
        """Write the chart's numbers to ``path`` (UTF-8 CSV); raises OSError."""
        path.write_text(self.chart.numbers().to_csv(), encoding="utf-8", newline="")

    def export_png(self, path: Path) -> None:
        """Save the chart, drawn at twice its size, as a PNG; raises OSError."""
        # The format by name, whatever the file is called (the stubs want bytes, PySide
        # wants a str).
        if not self.chart.render_image().save(str(path), "PNG"):  # type: ignore[call-overload]
            raise OSError(f"Could not write the image to {path}.")

    def ask_save_path(self, kind: str) -> Path | None:
        """Where to save (a file dialog); None if cancelled."""
        from PySide6.QtWidgets import QFileDialog

        kinds = {"csv": "CSV files (*.csv)", "png": "PNG images (*.png)"}
        chosen, _filter = QFileDialog.getSaveFileName(
            self, f"Export {self.title.text()}", f"{self.file_stem}.{kind}", kinds[kind]
        )
        if not chosen:
            return None
        path = Path(chosen)
        return path if path.suffix.lower() == f".{kind}" else path.with_suffix(f".{kind}")

    def _export(self, kind: str) -> None:
        path = self.ask_save_path(kind)
        if path is None:
            return
        try:
            if kind == "csv":
                self.export_csv(path)
            else:
                self.export_png(path)
        except OSError as exc:
            reason = exc.strerror or str(exc)
            self.last_error = (
                f"Could not save {path.name}: {reason}. "
                "Choose another folder (one you can write to) and try again."
            )
            from PySide6.QtWidgets import QMessageBox

            box = QMessageBox(self)
            box.setIcon(QMessageBox.Icon.Warning)
            box.setWindowTitle("Export failed")
            box.setText(self.last_error)
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            self.error_box = box
            box.finished.connect(lambda _r: setattr(self, "error_box", None))
            box.open()
            return
        self.last_error = ""
        self.message.emit(f"Saved {path.name} to {path.parent}")


def _slug(text: str) -> str:
    cleaned = "".join(ch.lower() if ch.isalnum() else "-" for ch in text)
    return "-".join(part for part in cleaned.split("-") if part) or "chart"


def tooltip_pos(chart: Chart, index: int) -> QPoint:
    """A point over item ``index`` (tests and keyboard users hovering by code)."""
    if isinstance(chart, BarChart):
        r = chart.bar_rect(index)
        return QPointF(r.center().x(), r.bottom() - 2).toPoint()
    if isinstance(chart, RingChart):
        return chart.ring_rect(index).center().toPoint()
    if isinstance(chart, HBarChart):
        return QPointF(chart.width() / 2, (index + 0.5) * chart.row_height).toPoint()
    if isinstance(chart, HeatMap):
        row, column = divmod(index, max(1, len(chart._columns)))
        return chart.cell_rect(row, column).center().toPoint()
    return QPoint()


# -- the look shared by the pages that show charts ---------------------------------------

CHART_QSS = """
QLabel#StatValue { font-size: 17pt; font-weight: 700; color: @text; }
QLabel#StatCaption { font-size: 8.5pt; font-weight: 600; color: @text-muted; }
QLabel#StatDetail { font-size: 8.5pt; color: @text-subtle; }
QLabel#StatValue[tone="danger"] { color: @danger-text; }
QLabel#StatValue[tone="warning"] { color: @warning-text; }
QLabel#StatValue[tone="success"] { color: @success-text; }
QPushButton#ChartToggle:checked { background: @accent-soft; color: @accent-text; }
QFrame#Card[compact="true"] QLabel#CardTitle { font-size: 11pt; }
QFrame#Card[compact="true"] QPushButton#ChartToggle { padding: 5px 6px; }
QFrame#Card[compact="true"] QPushButton#ChartExport { padding: 5px 20px 5px 6px; }
QPushButton#ChartExport::menu-indicator { image: url(@icons/arrow-down.svg); width: 10px;
    height: 10px; subcontrol-position: right center; subcontrol-origin: padding; right: 6px; }
QPushButton#ChartExport { padding-right: 22px; }
QTableView#NumbersTable {
    background: @surface; alternate-background-color: @surface-alt; border: 1px solid @border;
    border-radius: 8px; gridline-color: @border; selection-background-color: @accent-soft;
    selection-color: @text;
}
QTableView#NumbersTable QHeaderView::section {
    background: @surface-alt; color: @text-muted; border: none;
    border-bottom: 1px solid @border; padding: 6px 8px; font-weight: 600;
}
QFrame#NextStep {
    background: @surface; border: 1px solid @border; border-radius: 10px;
}
QFrame#NextStep:hover { border-color: @accent-soft-2; background: @surface-alt; }
QFrame#NextStep:focus { border: 1px solid @accent; }
QFrame#NextStep QLabel { background: transparent; }
QFrame#NextStep QLabel#Pill {
    background: @accent-soft; color: @accent-text; border-radius: 10px; padding: 3px 10px;
    font-size: 8.5pt; font-weight: 600;
}
QFrame#NextStep QLabel#Pill[tone="success"] { background: @success-soft; color: @success-text; }
QFrame#NextStep QLabel#Pill[tone="danger"] { background: @danger-soft; color: @danger-text; }
QLabel#ErrorText { color: @danger-text; }
"""


def chart_stylesheet() -> str:
    """The extra style rules of pages that show charts (stat tiles, the Numbers table)."""
    return theme.substitute_tokens(CHART_QSS)


class StatTile(QWidget):
    """A headline figure: a caption, a big value and a muted line under it."""

    def __init__(
        self, caption: str, value: str = "—", detail: str = "", parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(2)
        self.caption = label(caption.upper(), "StatCaption")
        self.value = label(value, "StatValue")
        self.detail = label(detail, "StatDetail", wrap=True)
        col.addWidget(self.caption)
        col.addWidget(self.value)
        col.addWidget(self.detail)
        col.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)
        self.set(value, detail)

    def set(self, value: str, detail: str = "", tone: str = "") -> None:
        self.value.setText(value)
        self.detail.setText(detail)
        self.detail.setVisible(bool(detail))
        theme.set_state(self.value, "tone", tone)
        caption = self.caption.text().capitalize()
        self.setAccessibleName(f"{caption}: {value}. {detail}".strip(". "))
        self.setToolTip(f"{value} — {detail}" if detail else value)
