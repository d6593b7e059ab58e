"""``playbook sync``: one sync, headless, for automation and tests.

Exit status (also printed on stderr in words):

- 0 — synced;
- 2 — not signed in, or this computer must sign in again (open the app: Settings → Account);
- 3 — the server cannot be reached (try again later; nothing is lost);
- 4 — this app is too old for the server (update Playbook);
- 5 — the server refused, or there is no keyring to read the sign-in from;
- 1 — anything unexpected (details in the log).
"""

from __future__ import annotations

import argparse
import logging
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:  # `playbook` builds its parser on every start: keep this module light
    from desktop.integrations.secrets import SecretStore

EXIT_OK = 0
EXIT_UNEXPECTED = 1
EXIT_SIGN_IN = 2
EXIT_UNREACHABLE = 3
EXIT_UPDATE = 4
EXIT_REFUSED = 5

log = logging.getLogger(__name__)


def add_parser(sub: Any) -> None:
    sync = sub.add_parser(
        "sync",
        help="sync once with your team's server and exit",
        description="Pushes this computer's changes, pulls the team's and your other "
        "devices' changes, then exits: 0 synced, 2 sign in needed, 3 server unreachable, "
        "4 update Playbook, 5 refused (or no keyring), 1 unexpected.",
    )
    sync.add_argument("--data-dir", type=Path, metavar="DIR", dest="sync_data_dir")


def run(args: argparse.Namespace, secrets: SecretStore | None = None) -> int:
    from desktop import paths

    data_dir = getattr(args, "sync_data_dir", None) or args.data_dir or paths.default_data_dir()
    return sync_folder(Path(data_dir), secrets)


def sync_folder(data_dir: Path, secrets: SecretStore | None = None) -> int:
    """One sync of the Playbook data in ``data_dir``; returns the exit status."""
    import asyncio

    from desktop.integrations.secrets import KeyringUnavailable, OsKeyring
    from desktop.integrations.sync_types import (
        ServerUnreachable,
        SignInRequired,
        SyncProblem,
        UpdateRequired,
    )
    from desktop.paths import database_path
    from desktop.services.sync import SyncService
    from desktop.storage.database import Database, DatabaseProblem

    try:
        db = Database.open(database_path(data_dir))
    except DatabaseProblem as problem:
        print(problem.user_message, file=sys.stderr)
        return EXIT_UNEXPECTED
    try:
        service = SyncService(db, secrets if secrets is not None else OsKeyring())
        try:
            report = asyncio.run(service.sync_once())
        except SignInRequired as problem:
            print(problem.user_message, file=sys.stderr)
            return EXIT_SIGN_IN
        except ServerUnreachable as problem:
            print(problem.user_message, file=sys.stderr)
            return EXIT_UNREACHABLE
        except UpdateRequired as problem:
            print(problem.user_message, file=sys.stderr)
            return EXIT_UPDATE
        except (SyncProblem, KeyringUnavailable) as problem:
            print(problem.user_message, file=sys.stderr)
            return EXIT_REFUSED
        except Exception:
            log.exception("sync failed")
            print(
                "The sync failed unexpectedly; the details were written to the log.",
                file=sys.stderr,
            )
            return EXIT_UNEXPECTED
        print(report.summary())
        status = service.status()
        if status.pending:
            print(
                f"{status.pending} change(s) still waiting (refused by the server: "
                f"{status.refused})."
            )
        return EXIT_OK
    finally:
        db.close()
