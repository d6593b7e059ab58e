"""The status bar's sync line: what it says in each situation, and the button it offers."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import UTC, datetime, timedelta

from desktop.integrations.secrets import NO_KEYRING
from desktop.services.sync import Account, SyncStatus
from desktop.ui.widgets.sync_status import describe

NOW = datetime(2026, 11, 25, 12, 0, tzinfo=UTC)
ACCOUNT = Account(
    "https://sync.example.com", "a@example.com", uuid.uuid4(), uuid.uuid4(), "laptop", "A"
)
SYNCED = SyncStatus(
    signed_in=True,
    account=ACCOUNT,
    online=True,
    syncing=False,
    last_sync_at=NOW - timedelta(minutes=3),
    pending=0,
    refused=0,
    problem="",
    action="",
    keyring_problem="",
)


def test_each_situation_reads_as_a_sentence_with_the_action_that_helps() -> None:
    assert describe(SYNCED, now=NOW) == ("Synced 3 min ago", "ok", "Sync now")
    assert (
        describe(replace(SYNCED, pending=2), now=NOW)[0] == "Synced 3 min ago · 2 changes waiting"
    )
    offline = replace(
        SYNCED, online=False, pending=1, problem="cannot reach", action="check_server"
    )
    assert describe(offline, retry_in=40, now=NOW) == (
        "Offline · 1 change waiting · retrying in 40 s",
        "warning",
        "Sync now",
    )
    revoked = replace(SYNCED, problem="signed out", action="sign_in")
    assert describe(revoked, now=NOW) == (
        "Signed out · sign in again to sync",
        "warning",
        "Sign in…",
    )
    old_app = replace(SYNCED, problem="update", action="update_app")
    assert describe(old_app, now=NOW)[0] == "Update Playbook to keep syncing"
    signed_out = replace(SYNCED, signed_in=False, account=None)
    assert describe(signed_out, now=NOW) == (
        "Sync off · working on this computer only",
        "off",
        "Sign in…",
    )
    no_keyring = replace(signed_out, keyring_problem=NO_KEYRING)
    assert describe(no_keyring, now=NOW)[0] == "Sync off · no password keyring on this computer"
    syncing = replace(SYNCED, syncing=True)
    assert describe(syncing, now=NOW) == ("Synced 3 min ago", "busy", "")
