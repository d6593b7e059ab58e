"""What the user sees when the local database (or the app) cannot be used as it is."""

from __future__ import annotations

from pathlib import Path

from PySide6.QtWidgets import QMessageBox, QWidget


def ask_start_fresh(message: str, path: Path, parent: QWidget | None = None) -> bool:
    """Explain the problem; True if the user chose to move the file aside and start fresh."""
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
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Playbook can't open your data")
    box.setText(message)
    box.setInformativeText(f"Your data file is {path}. Nothing was changed.")
    box.exec()


def tell_start_failed(message: str, parent: QWidget | None = None) -> None:
    """Explain that Playbook could not start for a reason nobody planned for."""
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Playbook could not start")
    box.setText("Playbook could not open your library.")
    box.setInformativeText(
        f"{message}\n\nThe details were written to the log. Nothing was changed; "
        "try starting Playbook again."
    )
    box.exec()
