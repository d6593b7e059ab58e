"""Tables of the local database for Desktop sync (issue 5).

Declared on the shared :class:`desktop.storage.models.Base`; the migration
``migrations/versions/0002_sync.py`` must build exactly these (a test compares them).
"""

from __future__ import annotations
