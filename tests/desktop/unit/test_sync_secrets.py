"""Secrets live only in the OS keyring; without one, the app says so and writes nothing."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.integrations.secrets import (
    NO_KEYRING,
    KeyringUnavailable,
    MemorySecrets,
    OsKeyring,
    keyring_problem,
)


def files_under(path: Path) -> list[Path]:
    return [p for p in path.rglob("*") if p.is_file()]


def test_without_a_keyring_backend_the_problem_is_said_plainly_and_nothing_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import keyring
    from keyring.backends import fail

    for var in ("HOME", "XDG_DATA_HOME", "XDG_CONFIG_HOME"):
        monkeypatch.setenv(var, str(tmp_path))
    previous = keyring.get_keyring()
    keyring.set_keyring(fail.Keyring())  # type: ignore[no-untyped-call]
    try:
        store = OsKeyring()
        assert store.problem == NO_KEYRING
        assert "no password keyring" in store.problem
        assert store.get("sync-session:x") is None
        with pytest.raises(KeyringUnavailable) as refused:
            store.set("sync-session:x", "refresh-token-value")
        assert "Everything still works offline" in refused.value.user_message
        store.delete("sync-session:x")  # harmless
    finally:
        keyring.set_keyring(previous)
    # No plaintext fallback: not a single file appeared anywhere under the home folder.
    assert files_under(tmp_path) == []
    assert os.environ["HOME"] == str(tmp_path)


def test_a_chainer_with_no_backends_counts_as_no_keyring() -> None:
    import keyring
    from keyring.backends import chainer

    previous = keyring.get_keyring()
    empty = chainer.ChainerBackend()  # type: ignore[no-untyped-call]
    empty.__dict__["backends"] = []  # what keyring builds when nothing is installed
    keyring.set_keyring(empty)
    try:
        assert keyring_problem() == NO_KEYRING
    finally:
        keyring.set_keyring(previous)


def test_the_memory_store_for_tests_keeps_values_and_can_play_a_missing_keyring() -> None:
    store = MemorySecrets()
    store.set("a", "1")
    assert store.get("a") == "1"
    store.delete("a")
    assert store.get("a") is None
    broken = MemorySecrets(problem=NO_KEYRING)
    with pytest.raises(KeyringUnavailable):
        broken.set("a", "1")
