"""Where Playbook finds its bundled files and keeps its data."""

from __future__ import annotations

import sys
from pathlib import Path

APP_NAME = "Playbook"
APP_AUTHOR = "Playbook"


def install_root() -> Path:
    """The folder holding ``resources/`` and ``courses/``: the repo in development, the
    unpacked bundle in a frozen (PyInstaller) build."""
    frozen_root = getattr(sys, "_MEIPASS", None)
    if frozen_root:
        return Path(frozen_root)
    return Path(__file__).resolve().parent.parent


def resources_dir() -> Path:
    return install_root() / "resources"


def bundled_courses_dir() -> Path:
    return install_root() / "courses"


def default_data_dir() -> Path:
    """The platform's per-user data folder (e.g. ~/.local/share/Playbook on Linux)."""
    import platformdirs  # here, not at the top: start-up imports this module early

    return Path(platformdirs.user_data_dir(APP_NAME, APP_AUTHOR))


def database_path(data_dir: Path) -> Path:
    return data_dir / "playbook.sqlite3"


def settings_path(data_dir: Path) -> Path:
    return data_dir / "settings.toml"
