"""Key events as the names :func:`desktop.domain.presenting.press` understands.

Clickers send PageDown/PageUp (some Right/Left, B or ".", F5/Shift+F5/Esc); a trainer at
the laptop types a slide number and Enter. Keys held with Ctrl, Alt or Meta are left to
the application (Ctrl+Q and the like)."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QWidget

_NAMES: dict[int, str] = {
    Qt.Key.Key_Right: "Right",
    Qt.Key.Key_Left: "Left",
    Qt.Key.Key_Up: "Up",
    Qt.Key.Key_Down: "Down",
    Qt.Key.Key_PageDown: "PageDown",
    Qt.Key.Key_PageUp: "PageUp",
    Qt.Key.Key_Home: "Home",
    Qt.Key.Key_End: "End",
    Qt.Key.Key_Space: "Space",
    Qt.Key.Key_F5: "F5",
    Qt.Key.Key_Escape: "Escape",
    Qt.Key.Key_Return: "Enter",
    Qt.Key.Key_Enter: "Enter",
    Qt.Key.Key_Backspace: "Backspace",
    Qt.Key.Key_Period: ".",
    Qt.Key.Key_Comma: ",",
    Qt.Key.Key_B: "B",
    Qt.Key.Key_W: "W",
    Qt.Key.Key_F: "F",
    Qt.Key.Key_A: "A",
    Qt.Key.Key_R: "R",
    Qt.Key.Key_S: "S",
    Qt.Key.Key_N: "N",
    Qt.Key.Key_P: "P",
    **{int(Qt.Key.Key_0) + d: str(d) for d in range(10)},
}
_SHIFTABLE = frozenset({"Space", "F5"})


def key_name(event: QKeyEvent) -> str | None:
    """``"PageDown"``, ``"Shift+F5"``, ``"B"``, ``"7"``...; None for keys presenting
    does not use."""
    mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
    if mods & (
        Qt.KeyboardModifier.ControlModifier
        | Qt.KeyboardModifier.AltModifier
        | Qt.KeyboardModifier.MetaModifier
    ):
        return None
    name = _NAMES.get(int(event.key()))
    if name is None:
        return None
    if mods & Qt.KeyboardModifier.ShiftModifier:
        return f"Shift+{name}" if name in _SHIFTABLE else (name if name.isalpha() else None)
    return name


class KeyWindow(QWidget):
    """A presentation window: the keys presenting uses go out as ``key_pressed`` with
    their names; any other key is handled as the widget would."""

    key_pressed = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        name = key_name(event)
        if name is None:
            super().keyPressEvent(event)
            return
        event.accept()
        self.key_pressed.emit(name)
