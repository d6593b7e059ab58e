"""The app's version and the commit it was built from, from one place each.

The version is the one in ``pyproject.toml`` (read from the installed distribution's
metadata, which the frozen build carries too). The commit comes from ``build-info.json``
written by ``packaging/build.py`` into a frozen build, or, in a source checkout, from git.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

from desktop.paths import install_root

BUILD_INFO = "build-info.json"


def version() -> str:
    # importlib.metadata pulls in zipfile, email and more: only callers that ask pay.
    from importlib.metadata import PackageNotFoundError
    from importlib.metadata import version as dist_version

    try:
        return dist_version("playbook")
    except PackageNotFoundError:  # a source tree that was never installed
        return "0+unknown"


def build_commit(root: Path | None = None) -> str | None:
    """The commit this copy was built from: the frozen build's record, or the source
    checkout's HEAD (with ``-dirty`` if it has uncommitted changes); None if unknown."""
    root = root or install_root()
    info = root / BUILD_INFO
    if info.is_file():
        try:
            commit = json.loads(info.read_text(encoding="utf-8")).get("commit")
        except (OSError, ValueError):
            return None
        return commit if isinstance(commit, str) and commit else None
    if not (root / ".git").exists():
        return None
    try:
        head = subprocess.run(
            ["git", "-C", str(root), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            timeout=5,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.SubprocessError):
        return None
    return head or None


def describe() -> str:
    """What ``playbook --version`` prints, e.g. ``Playbook 0.1.0 (commit 1a2b3c4d5e6f)``."""
    commit = build_commit()
    return f"Playbook {version()}" + (f" (commit {commit})" if commit else "")
