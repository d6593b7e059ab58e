"""Tables of the local database for Content Studio (issue 6).

Declared on the shared :class:`desktop.storage.models.Base`; the migration
``migrations/versions/0003_content.py`` must build exactly these (a test compares them).
"""

from __future__ import annotations
