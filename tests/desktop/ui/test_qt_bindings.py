"""The Qt bindings survive a long session: PySide6 6.12.0 on Python 3.11 loses a
reference to ``None`` per void C++ call and one to ``True`` per signal emitted, and the
interpreter aborts once either runs out. The lock file pins a version without the bug;
this test fails if an upgrade brings it back."""

from __future__ import annotations

import os
import subprocess
import sys

LONG_SESSION = """
import desktop.ui
from PySide6.QtCore import QObject
probe = QObject()
for _ in range(100_000):  # more than None or True has references at start
    probe.setObjectName("")
    probe.objectNameChanged.emit("")
print("survived")
"""


def test_a_long_session_of_qt_calls_and_signals_does_not_abort_the_interpreter() -> None:
    env = dict(os.environ, QT_QPA_PLATFORM="offscreen")
    done = subprocess.run(
        [sys.executable, "-c", LONG_SESSION],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stdout.strip() == "survived"
