"""Which screens there are, as the presenter needs to know it.

The session asks a :class:`Screens` for its displays and listens to ``changed``; it
never talks to ``QGuiApplication`` itself. :class:`SystemScreens` follows the real
screens (``screenAdded`` / ``screenRemoved``: a projector plugged in or pulled out
mid-talk); a plain :class:`Screens` holds displays that tests add and remove at will,
since Qt's offscreen platform has exactly one screen.
"""

from __future__ import annotations

from collections.abc import Iterable

from PySide6.QtCore import QObject, QRect, Signal
from PySide6.QtGui import QGuiApplication, QScreen


class Display:
    """One screen: its name, where it sits on the desktop, and the QScreen (None for a
    simulated one)."""

    def __init__(
        self, name: str, geometry: QRect, *, primary: bool = False, qscreen: QScreen | None = None
    ) -> None:
        self.name = name
        self.geometry = QRect(geometry)
        self.primary = primary
        self.qscreen = qscreen

    def __repr__(self) -> str:
        g = self.geometry
        role = ", primary" if self.primary else ""
        return f"Display({self.name!r}, {g.width()}x{g.height()}+{g.x()}+{g.y()}{role})"


class Screens(QObject):
    """The displays, in desktop order; ``changed`` after one is added or removed."""

    changed = Signal()

    def __init__(self, displays: Iterable[Display] = (), parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._displays = list(displays)

    def displays(self) -> list[Display]:
        return list(self._displays)

    @property
    def primary(self) -> Display | None:
        return next((d for d in self._displays if d.primary), None) or (
            self._displays[0] if self._displays else None
        )

    def add(self, display: Display) -> None:
        """A screen was plugged in."""
        self._displays.append(display)
        self.changed.emit()

    def remove(self, display: Display) -> None:
        """A screen was unplugged."""
        if display in self._displays:
            self._displays.remove(display)
            self.changed.emit()


class SystemScreens(Screens):
    """The real screens, kept up to date as they come and go."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__((), parent)
        app = QGuiApplication.instance()
        if not isinstance(app, QGuiApplication):
            raise RuntimeError("SystemScreens needs a running QGuiApplication")
        self._read()
        app.screenAdded.connect(self._on_change)
        app.screenRemoved.connect(self._on_change)
        app.primaryScreenChanged.connect(self._on_change)

    def _read(self) -> None:
        primary = QGuiApplication.primaryScreen()
        self._displays = [
            Display(s.name() or "Screen", s.geometry(), primary=s is primary, qscreen=s)
            for s in QGuiApplication.screens()
        ]

    def _on_change(self, *_: object) -> None:
        self._read()
        self.changed.emit()
