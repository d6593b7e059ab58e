"""``playbook sync``: one headless sync with a meaningful exit status."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

from desktop.domain.progress import EventKind, ProgressEvent
from desktop.services.progress import ProgressService
from desktop.services.sync_cli import (
    EXIT_OK,
    EXIT_SIGN_IN,
    EXIT_UNREACHABLE,
    sync_folder,
)
from tests.e2e.conftest import Admin, Client, LiveServer


def test_the_command_line_says_sign_in_first_with_exit_status_2(tmp_path: Path) -> None:
    done = subprocess.run(
        [sys.executable, "-m", "desktop.cli", "--data-dir", str(tmp_path), "sync"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == EXIT_SIGN_IN
    assert "Sign in to sync" in done.stderr


def test_one_headless_sync_pushes_and_exits_0_and_3_when_the_server_is_down(
    server: LiveServer,
    admin: Admin,
    make_client: Callable[..., Client],
    capsys: object,
) -> None:
    admin.user("hal@example.com")
    client = make_client("hal")
    client.sign_in(server, "hal@example.com")
    ProgressService(client.db).import_events(
        [ProgressEvent.new(EventKind.LESSON_OPENED, "c", "l") for _ in range(3)]
    )
    # The same folder, the same keyring, as a scheduled job would use them.
    assert sync_folder(client.data_dir, client.secrets) == EXIT_OK
    assert client.sync.status().pending == 0
    server.kill()
    assert sync_folder(client.data_dir, client.secrets) == EXIT_UNREACHABLE
