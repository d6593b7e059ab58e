"""The ``playbook-sync`` command (the sync server arrives with its own issue)."""

from __future__ import annotations

import sys
from collections.abc import Sequence


def main(argv: Sequence[str] | None = None) -> int:
    print(
        "playbook-sync: the sync server is not part of this version yet; "
        "Playbook works fully offline without it.",
        file=sys.stderr,
    )
    return 2
