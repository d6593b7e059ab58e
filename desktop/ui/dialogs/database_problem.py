"""What the user sees when the local database (or the app) cannot be used as it is.

Every start imports this module, and hardly any shows these boxes: QMessageBox is
imported when one is shown (PySide builds a Qt class's Python type, with its enums, when
it is first named)."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PySide6.QtWidgets import QWidget


def ask_start_fresh(message: str, path: Path, parent: QWidget | None = None) -> bool:
    """Explain the problem; True if the user chose to move the file aside and start fresh."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Warning)
    box.setWindowTitle("Playbook can't open your data")
    box.setText(message)
    box.setInformativeText(
        f"Your data file is {path}.\n\n"
        "Start fresh moves it aside (nothing is deleted) and creates a new, empty one. "
        "Quit leaves everything as it is."
    )
    fresh = box.addButton("Start fresh", QMessageBox.ButtonRole.AcceptRole)
    box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    box.exec()
    return box.clickedButton() is fresh


def tell_problem(message: str, path: Path, parent: QWidget | None = None) -> None:
    """Explain a problem the user has to fix outside Playbook (a locked file, permissions)."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Playbook can't open your data")
    box.setText(message)
    box.setInformativeText(f"Your data file is {path}. Nothing was changed.")
    box.exec()


def tell_start_failed(message: str, parent: QWidget | None = None) -> None:
    """Explain that Playbook could not start for a reason nobody planned for."""
    from PySide6.QtWidgets import QMessageBox

    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Playbook could not start")
    box.setText("Playbook could not open your library.")
    box.setInformativeText(
        f"{message}\n\nThe details were written to the log. Nothing was changed; "
        "try starting Playbook again."
    )
    box.exec()
