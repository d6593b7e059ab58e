"""Secrets (sync tokens) in the OS keyring, behind a small interface.

Never a file: when the machine has no keyring (a headless Linux box without Secret
Service, say), :class:`OsKeyring` says so plainly (:attr:`SecretStore.problem`) and every
write raises :class:`KeyringUnavailable` with that sentence; the app keeps working
offline. There is no silent plaintext fallback. Tests use :class:`MemorySecrets`.
"""

from __future__ import annotations

import logging
import threading
from typing import Protocol

log = logging.getLogger(__name__)

SERVICE = "Playbook"

NO_KEYRING = (
    "This computer has no password keyring (the system's secure storage for passwords), "
    "so Playbook cannot keep you signed in to sync. Everything still works offline. "
    "To sync, install and unlock a keyring (GNOME Keyring, KWallet or KeePassXC with "
    "Secret Service on Linux), then sign in again."
)


class KeyringUnavailable(Exception):  # noqa: N818 (reads as the situation, like the others)
    """No usable OS keyring; ``user_message`` says what to do."""

    def __init__(self, user_message: str = NO_KEYRING) -> None:
        super().__init__(user_message)
        self.user_message = user_message


class SecretStore(Protocol):
    """Where secrets live. ``problem`` is "" when the store works."""

    @property
    def problem(self) -> str: ...

    @property
    def known_problem(self) -> str:
        """``problem`` if the store was already looked at, else "" (never looks: finding
        the OS keyring imports the ``keyring`` package and every backend, tens of MB)."""
        ...

    def get(self, key: str) -> str | None: ...

    def set(self, key: str, value: str) -> None: ...

    def delete(self, key: str) -> None: ...


class MemorySecrets:
    """Secrets in memory (tests, and a store to hand out when nothing else works)."""

    def __init__(self, problem: str = "") -> None:
        self._values: dict[str, str] = {}
        self._lock = threading.Lock()
        self._problem = problem

    @property
    def problem(self) -> str:
        return self._problem

    @property
    def known_problem(self) -> str:
        return self._problem

    def get(self, key: str) -> str | None:
        with self._lock:
            return self._values.get(key)

    def set(self, key: str, value: str) -> None:
        if self._problem:
            raise KeyringUnavailable(self._problem)
        with self._lock:
            self._values[key] = value

    def delete(self, key: str) -> None:
        with self._lock:
            self._values.pop(key, None)


def keyring_problem() -> str:
    """Why the OS keyring cannot be used ("" when it can). Imports ``keyring`` (its
    backends are looked up once, on first use)."""
    try:
        import keyring
        from keyring.backends import chainer, fail
    except ImportError:  # pragma: no cover - a broken install
        return NO_KEYRING
    try:
        backend = keyring.get_keyring()
    except Exception as exc:  # a backend crashing while it is probed
        log.warning("keyring backend lookup failed: %s", exc)
        return NO_KEYRING
    if isinstance(backend, fail.Keyring):
        return NO_KEYRING
    if isinstance(backend, chainer.ChainerBackend) and not backend.backends:
        return NO_KEYRING
    if "plaintext" in type(backend).__module__.lower() or "file" in type(backend).__name__.lower():
        # keyrings.alt's file backends keep secrets in a file: exactly what we refuse.
        return NO_KEYRING
    return ""


class OsKeyring:
    """The operating system's keyring (Keychain, Windows Credential Locker, Secret
    Service). Reads on a machine without one return None; writes raise
    :class:`KeyringUnavailable`."""

    def __init__(self, service: str = SERVICE) -> None:
        self._service = service
        self._problem: str | None = None

    @property
    def problem(self) -> str:
        if self._problem is None:
            self._problem = keyring_problem()
        return self._problem

    @property
    def known_problem(self) -> str:
        return self._problem or ""

    def get(self, key: str) -> str | None:
        if self.problem:
            return None
        import keyring
        from keyring.errors import KeyringError

        try:
            return keyring.get_password(self._service, key)
        except KeyringError as exc:  # locked, or the user said no
            log.warning("keyring read failed: %s", type(exc).__name__)
            return None

    def set(self, key: str, value: str) -> None:
        if self.problem:
            raise KeyringUnavailable(self.problem)
        import keyring
        from keyring.errors import KeyringError

        try:
            keyring.set_password(self._service, key, value)
        except KeyringError as exc:
            raise KeyringUnavailable(
                "Playbook could not save your sign-in in the system keyring "
                f"({type(exc).__name__}). Unlock the keyring and sign in again."
            ) from exc

    def delete(self, key: str) -> None:
        if self.problem:
            return
        import keyring
        from keyring.errors import KeyringError, PasswordDeleteError

        try:
            keyring.delete_password(self._service, key)
        except PasswordDeleteError:
            pass
        except KeyringError as exc:
            log.warning("keyring delete failed: %s", type(exc).__name__)
