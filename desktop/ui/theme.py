"""The look of Playbook: one palette, the stylesheet, icons and fonts.

Colours live here once. ``resources/style/app.qss`` refers to them as ``@name`` tokens
(``@accent``, ``@text-muted``) and :func:`stylesheet` substitutes them, so the QSS and
the item delegates that paint by hand can never drift apart.

Icons are SVG files drawn when first painted: QtSvg loads then, not when this module is
imported (the main window's shell imports it before its first frame).
"""

from __future__ import annotations

import functools
import logging
import math
import re

from PySide6.QtCore import QByteArray, QRect, QRectF, QSize
from PySide6.QtGui import QColor, QFont, QIcon, QIconEngine, QPainter, QPixmap
from PySide6.QtWidgets import QWidget

from desktop.paths import resources_dir

log = logging.getLogger(__name__)

PALETTE: dict[str, str] = {
    "bg": "#F5F6FA",
    "surface": "#FFFFFF",
    "surface-alt": "#F9FAFB",
    "sidebar": "#FFFFFF",
    "border": "#E4E7EC",
    "border-strong": "#D0D5DD",
    "text": "#1D2433",
    "text-muted": "#5D6679",
    "text-subtle": "#98A2B3",
    "accent": "#4F46E5",
    "accent-hover": "#4338CA",
    "accent-pressed": "#3730A3",
    "accent-soft": "#EEF0FF",
    "accent-soft-2": "#E0E4FF",
    "accent-text": "#3730A3",
    "success": "#12B76A",
    "success-soft": "#ECFDF3",
    "success-text": "#067647",
    "danger": "#D92D20",
    "danger-soft": "#FEF3F2",
    "danger-text": "#B42318",
    "warning": "#F79009",
    "warning-soft": "#FFFAEB",
    "warning-text": "#B54708",
    "track": "#EAECF0",
}

# Fonts are lists of families so each platform gets its best match; the first installed
# family wins (offscreen CI machines usually only have DejaVu).
UI_FAMILIES = [
    "Inter",
    "Segoe UI",
    "SF Pro Text",
    "Helvetica Neue",
    "Cantarell",
    "Noto Sans",
    "Ubuntu",
    "DejaVu Sans",
    "Arial",
]
READING_FAMILIES = [
    "Charter",
    "Iowan Old Style",
    "Georgia",
    "Source Serif 4",
    "Source Serif Pro",
    "Noto Serif",
    "Liberation Serif",
    "DejaVu Serif",
    "Times New Roman",
]
UI_POINT_SIZE = 10


def color(name: str) -> QColor:
    return QColor(PALETTE[name])


def ui_font(point_size: float = UI_POINT_SIZE, weight: QFont.Weight = QFont.Weight.Normal) -> QFont:
    font = QFont()
    font.setFamilies(UI_FAMILIES)
    font.setPointSizeF(point_size)
    font.setWeight(weight)
    return font


def reading_font(point_size: float) -> QFont:
    font = QFont()
    font.setFamilies(READING_FAMILIES)
    font.setPointSizeF(point_size)
    font.setStyleHint(QFont.StyleHint.Serif)
    return font


_TOKEN = re.compile(r"@([a-z][a-z0-9-]*)")


def substitute_tokens(qss: str) -> str:
    """Replace ``@name`` palette tokens (and ``@icons``, the icons folder, for ``url()``);
    an unknown token is left alone and logged."""

    icons = (resources_dir() / "icons").as_posix()

    def replace(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in PALETTE:
            return PALETTE[name]
        if name == "icons":
            return icons
        log.warning("app.qss: unknown colour token @%s", name)
        return match.group(0)

    return _TOKEN.sub(replace, qss)


@functools.cache
def stylesheet() -> str:
    path = resources_dir() / "style" / "app.qss"
    try:
        raw = path.read_text(encoding="utf-8")
    except OSError as exc:  # a broken install still runs, just plainer
        log.warning("stylesheet %s unreadable: %s", path, exc)
        return ""
    return substitute_tokens(raw)


@functools.cache
def _svg_source(name: str) -> str:
    path = resources_dir() / "icons" / f"{name}.svg"
    try:
        return path.read_text(encoding="utf-8")
    except OSError:
        log.warning("icon %s missing at %s", name, path)
        return ""


def pixmap(
    name: str, colour: str | QColor = "text-muted", size: int = 24, ratio: float = 2.0
) -> QPixmap:
    """Render icon ``name`` in ``colour`` (a palette name or a QColor) at ``size`` logical px."""
    qcolor = colour if isinstance(colour, QColor) else QColor(PALETTE.get(colour, colour))
    svg = _svg_source(name).replace("currentColor", qcolor.name())
    physical = max(1, round(size * ratio))
    pm = QPixmap(physical, physical)
    pm.fill(QColor(0, 0, 0, 0))  # transparent (``Qt`` is not imported here: see main_window)
    if svg:
        from PySide6.QtSvg import QSvgRenderer  # loaded with the first icon drawn

        renderer = QSvgRenderer(QByteArray(svg.encode("utf-8")))
        painter = QPainter(pm)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        renderer.render(painter, QRectF(0, 0, physical, physical))
        painter.end()
    pm.setDevicePixelRatio(ratio)
    return pm


class _ThemedIconEngine(QIconEngine):
    """Renders a themed SVG icon at the size and in the colour asked for, when asked.

    Lazy on purpose: building every icon of every page up front at four sizes and three
    states cost a noticeable part of the start-up time."""

    def __init__(self, name: str, colour: str, on_colour: str | None) -> None:
        super().__init__()
        self._name = name
        self._colour = colour
        self._on_colour = on_colour
        self._cache: dict[tuple[int, int, str], QPixmap] = {}

    def _colour_for(self, mode: QIcon.Mode, state: QIcon.State) -> str:
        if mode is QIcon.Mode.Disabled:
            return "text-subtle"
        if state is QIcon.State.On and self._on_colour is not None:
            return self._on_colour
        return self._colour

    def pixmap(self, size: QSize, mode: QIcon.Mode, state: QIcon.State) -> QPixmap:
        return self.scaledPixmap(size, mode, state, 1.0)

    def scaledPixmap(
        self, size: QSize, mode: QIcon.Mode, state: QIcon.State, scale: float
    ) -> QPixmap:
        side = max(1, min(size.width(), size.height()))
        colour = self._colour_for(mode, state)
        key = (side, round(scale * 100), colour)
        cached = self._cache.get(key)
        if cached is None:
            # A pixmap of ``side`` device pixels (the caller already multiplied by scale).
            cached = pixmap(self._name, colour, side, 1.0)
            self._cache[key] = cached
        return cached

    def paint(self, painter: QPainter, rect: QRect, mode: QIcon.Mode, state: QIcon.State) -> None:
        # Device pixels per logical pixel, read from the painter's transform (it includes
        # the screen's pixel ratio). Not ``painter.device()``: wrapping the device (the
        # search field's icon button) in Python cost 10 ms of the first frame.
        transform = painter.deviceTransform()
        ratio = math.hypot(transform.m11(), transform.m12()) or 1.0
        side = round(min(rect.width(), rect.height()) * ratio)
        pm = self.scaledPixmap(QSize(side, side), mode, state, ratio)
        painter.drawPixmap(rect, pm)

    def clone(self) -> QIconEngine:
        return _ThemedIconEngine(self._name, self._colour, self._on_colour)


@functools.cache
def icon(name: str, colour: str = "text-muted", on_colour: str | None = None) -> QIcon:
    """A themed icon. ``on_colour`` is used for the checked state (e.g. the current nav item)."""
    return QIcon(_ThemedIconEngine(name, colour, on_colour))


def repolish(widget: QWidget) -> None:
    """Re-apply the stylesheet after a dynamic property used by a QSS selector changed."""
    style = widget.style()
    style.unpolish(widget)
    style.polish(widget)
    widget.update()


def set_state(widget: QWidget, name: str, value: str | bool | int) -> None:
    """Set a dynamic property that app.qss styles on (``[state="correct"]``) and repolish."""
    if widget.property(name) == value:
        return
    widget.setProperty(name, value)
    repolish(widget)


ICON_SIZE = QSize(18, 18)
