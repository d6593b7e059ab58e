"""The Qt user interface: the only package that imports PySide6.

Importing it works around a cost of the bindings, measured here:

* PySide6's ``from __feature__ import ...`` support reads the whole source of every
  module imported after Qt (it looks for the word "PySide6" in it) and keeps it in
  ``linecache``: about 200 files for this app, 6-9 MB of resident memory and 20-30 ms of
  start-up. Playbook uses no ``__feature__``, so :func:`_skip_feature_source_scan` has
  that check answer "no" without reading. (A module that imports ``__feature__`` is
  still handled: that import is dealt with on its own.)

PySide6 6.12.0 on Python 3.11 drops a reference to ``None`` per void C++ call and to
``True`` per signal emitted, and aborts the interpreter after minutes of use; the lock
file keeps us on 6.11, and ``tests/desktop/ui/test_qt_bindings.py`` fails on a version
that has the bug.
"""

from __future__ import annotations

import sys
from typing import Any


def _skip_feature_source_scan() -> None:
    import PySide6.QtCore  # noqa: F401  (sets up PySide6.support.feature)

    feature: Any = sys.modules.get("PySide6.support.feature")  # private: may change
    if feature is not None and callable(getattr(feature, "_mod_uses_pyside", None)):
        feature._mod_uses_pyside = lambda _module: False


_skip_feature_source_scan()
