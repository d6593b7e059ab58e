"""API keys of AI providers, kept only in the OS keyring — never in SQLite, settings
files or logs.

Stored through the shared :class:`desktop.integrations.secrets.SecretStore` (the OS
keyring in the app, :class:`~desktop.integrations.secrets.MemorySecrets` in tests) under
``ai-provider:<name>``. On a machine without a usable keyring, saving a key fails with a
clear message; nothing falls back to a plaintext file. Scripts may pass a key in the
environment (``PLAYBOOK_API_KEY_<NAME>``), read only by ``playbook generate``.
"""

from __future__ import annotations

import os
import re

from desktop.integrations.secrets import KeyringUnavailable, SecretStore

PREFIX = "ai-provider:"

NO_KEYRING = (
    "This computer has no password keyring Playbook can use, so the API key cannot be "
    "saved safely (Playbook never writes keys to a file). Install and unlock a keyring "
    "(GNOME Keyring, KWallet, macOS Keychain, Windows Credential Manager) and add the key "
    "again; for the command line, set the environment variable {env} instead. Local "
    "servers and template mode need no key."
)


class KeyStoreUnavailable(Exception):  # noqa: N818 (a problem for the user)
    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


def env_name(provider: str) -> str:
    return "PLAYBOOK_API_KEY_" + re.sub(r"[^A-Z0-9]+", "_", provider.upper()).strip("_")


class ApiKeys:
    """API keys per provider name, in a :class:`SecretStore`."""

    def __init__(self, store: SecretStore, *, read_environment: bool = False) -> None:
        self.store = store
        self.read_environment = read_environment

    def get(self, provider: str) -> str | None:
        if self.read_environment:
            value = os.environ.get(env_name(provider))
            if value:
                return value
        return self.store.get(PREFIX + provider)

    def set(self, provider: str, key: str) -> None:
        try:
            self.store.set(PREFIX + provider, key)
        except KeyringUnavailable as exc:
            raise KeyStoreUnavailable(NO_KEYRING.format(env=env_name(provider))) from exc

    def delete(self, provider: str) -> None:
        self.store.delete(PREFIX + provider)
