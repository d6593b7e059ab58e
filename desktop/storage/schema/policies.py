"""Tables of the local database for Policy Studio (issue 7).

Declared on the shared :class:`desktop.storage.models.Base`; the migration
``migrations/versions/0004_policies.py`` must build exactly these (a test compares them).
"""

from __future__ import annotations
