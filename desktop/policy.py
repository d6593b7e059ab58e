"""Settings IT locks for every user of a machine: the managed-settings file.

Precedence is defaults < the user's settings < this file. A value set here is *locked*:
the UI shows it with IT's reason and offers no way to change it, and the services obey
it whatever the user's own file says.

The file is TOML, machine-wide (:func:`managed_path`; ``PLAYBOOK_MANAGED_SETTINGS``
overrides the path, for tests and unusual deployments)::

    reason = "Set by Acme IT — questions to it@acme.example"

    [sync]
    server_url = "https://playbook.acme.example"    # "" locks sync off

    [ai]
    providers = "local"     # "none" | "local" | "any" | a list of names and base URLs

    [privacy]
    telemetry = false
    update_checks = false

A file that cannot be read, or a value of the wrong shape, is never ignored: the app
reports it and locks the affected settings to their safest value (no sync server, no AI
provider, telemetry and update checks off). Dropping a lock silently because IT made a
typo would hand users exactly what IT meant to forbid.
"""

from __future__ import annotations

import os
import sys
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from desktop.integrations.providers.base import is_loopback

MANAGED_ENV = "PLAYBOOK_MANAGED_SETTINGS"
DEFAULT_REASON = "This setting is managed by your organisation's IT."
MAX_FILE_BYTES = 64 * 1024

LOCAL_PROVIDER_NAMES = frozenset({"ollama", "lm-studio", "llama.cpp", "vllm"})


def managed_path() -> Path:
    """Where this OS keeps the machine-wide file (or the override)."""
    override = os.environ.get(MANAGED_ENV)
    if override:
        return Path(override)
    if sys.platform == "win32":
        base = os.environ.get("PROGRAMDATA", r"C:\ProgramData")
        return Path(base) / "Playbook" / "managed.toml"
    if sys.platform == "darwin":
        return Path("/Library/Application Support/Playbook/managed.toml")
    return Path("/etc/playbook/managed.toml")


class ProviderRule(StrEnum):
    NONE = "none"  # no AI provider at all: template mode only
    LOCAL = "local"  # only servers on this machine (loopback)
    ANY = "any"  # whatever the user configures
    LIST = "list"  # only the named providers / base URLs


@dataclass(frozen=True, slots=True)
class ProviderPolicy:
    rule: ProviderRule = ProviderRule.ANY
    allowed: tuple[str, ...] = ()  # for LIST: provider names and base URLs

    def allows(self, name: str, base_url: str | None) -> bool:
        """May the app use the provider ``name`` at ``base_url``?"""
        if self.rule is ProviderRule.ANY:
            return True
        if self.rule is ProviderRule.NONE:
            return False
        if self.rule is ProviderRule.LOCAL:
            return base_url is not None and is_loopback(base_url)
        wanted = {a.rstrip("/").lower() for a in self.allowed}
        return name.lower() in wanted or (
            base_url is not None and base_url.rstrip("/").lower() in wanted
        )

    def describe(self) -> str:
        if self.rule is ProviderRule.LIST:
            return "only " + ", ".join(self.allowed)
        return {
            ProviderRule.NONE: "none (template mode only)",
            ProviderRule.LOCAL: "local servers on this machine only",
            ProviderRule.ANY: "any",
        }[self.rule]


@dataclass(frozen=True, slots=True)
class Lock:
    """One locked setting: its value, and why (IT's words)."""

    value: Any
    reason: str


@dataclass(frozen=True, slots=True)
class ManagedSettings:
    """What the machine-wide file locks. Absent keys are not locked."""

    path: Path
    found: bool = False
    sync_server_url: Lock | None = None  # value: str ("" = sync off)
    ai_providers: Lock | None = None  # value: ProviderPolicy
    telemetry: Lock | None = None  # value: bool (always False: the app has none)
    update_checks: Lock | None = None  # value: bool
    problems: tuple[str, ...] = field(default=())

    @property
    def any_locked(self) -> bool:
        return any(
            lock is not None
            for lock in (
                self.sync_server_url,
                self.ai_providers,
                self.telemetry,
                self.update_checks,
            )
        )

    def provider_policy(self) -> ProviderPolicy:
        return self.ai_providers.value if self.ai_providers is not None else ProviderPolicy()


def load_managed(path: Path | None = None) -> ManagedSettings:
    """Read the managed-settings file. Never raises: problems are reported in
    :attr:`ManagedSettings.problems` and resolved towards the safest setting."""
    path = path or managed_path()
    try:
        if not path.exists():
            return ManagedSettings(path)
        size = path.stat().st_size
        if size > MAX_FILE_BYTES:
            return _safest(path, f"{path} is {size:,} bytes; a managed-settings file is small.")
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
    except PermissionError:
        return _safest(path, f"{path} exists but cannot be read (permission denied).")
    except UnicodeDecodeError:
        return _safest(path, f"{path} is not UTF-8 text.")
    except tomllib.TOMLDecodeError as exc:
        return _safest(path, f"{path} is not valid TOML: {exc}.")
    except OSError as exc:
        return _safest(path, f"{path} cannot be read: {exc.strerror or exc}.")
    return _parse(path, raw)


def _safest(path: Path, problem: str) -> ManagedSettings:
    reason = (
        "Locked because your organisation's managed-settings file could not be read; "
        "ask IT to fix it."
    )
    return ManagedSettings(
        path,
        found=True,
        sync_server_url=Lock("", reason),
        ai_providers=Lock(ProviderPolicy(ProviderRule.NONE), reason),
        telemetry=Lock(False, reason),
        update_checks=Lock(False, reason),
        problems=(problem,),
    )


_KNOWN = {
    "reason": None,
    "sync": {"server_url"},
    "ai": {"providers"},
    "privacy": {"telemetry", "update_checks"},
}


def _parse(path: Path, raw: Mapping[str, Any]) -> ManagedSettings:
    problems: list[str] = []
    reason = raw.get("reason", DEFAULT_REASON)
    if not isinstance(reason, str) or not reason.strip():
        problems.append("'reason' must be a non-empty text; using the standard wording.")
        reason = DEFAULT_REASON
    doubt = "Locked to the safest value because IT's setting for it is not valid."

    for key, value in raw.items():
        if key not in _KNOWN:
            problems.append(f"unknown key '{key}' (this version knows {', '.join(_KNOWN)}).")
        elif _KNOWN[key] is not None:
            if not isinstance(value, dict):
                problems.append(f"'{key}' must be a table ([{key}]).")
                continue
            for sub in value:
                if sub not in (_KNOWN[key] or ()):
                    problems.append(f"unknown key '{key}.{sub}'.")

    def table(name: str) -> Mapping[str, Any]:
        value = raw.get(name, {})
        return value if isinstance(value, dict) else {}

    def not_a_table(name: str) -> bool:  # e.g. `sync = "https://…"`: locked off, in doubt
        return name in raw and not isinstance(raw[name], dict)

    sync_lock: Lock | None = None
    sync = table("sync")
    if "server_url" in sync:
        url = sync["server_url"]
        if isinstance(url, str) and (url == "" or _valid_server_url(url)):
            sync_lock = Lock(url.rstrip("/"), reason)
        else:
            problems.append(
                'sync.server_url must be an http(s) URL, or "" to turn sync off; '
                "sync is locked off."
            )
            sync_lock = Lock("", doubt)
    elif not_a_table("sync"):
        sync_lock = Lock("", doubt)

    ai_lock: Lock | None = None
    ai = table("ai")
    if "providers" in ai:
        policy = _provider_policy(ai["providers"])
        if policy is None:
            problems.append(
                'ai.providers must be "none", "local", "any" or a list of provider names '
                "and base URLs; AI providers are locked off."
            )
            ai_lock = Lock(ProviderPolicy(ProviderRule.NONE), doubt)
        else:
            ai_lock = Lock(policy, reason)
    elif not_a_table("ai"):
        ai_lock = Lock(ProviderPolicy(ProviderRule.NONE), doubt)

    privacy = table("privacy")
    locks: dict[str, Lock | None] = {"telemetry": None, "update_checks": None}
    for key in locks:
        if key in privacy:
            value = privacy[key]
            if isinstance(value, bool):
                locks[key] = Lock(value, reason)
            else:
                problems.append(f"privacy.{key} must be true or false; it is locked off.")
                locks[key] = Lock(False, doubt)
        elif not_a_table("privacy"):
            locks[key] = Lock(False, doubt)

    return ManagedSettings(
        path,
        found=True,
        sync_server_url=sync_lock,
        ai_providers=ai_lock,
        telemetry=locks["telemetry"],
        update_checks=locks["update_checks"],
        problems=tuple(problems),
    )


def _valid_server_url(url: str) -> bool:
    parts = urlsplit(url)
    return parts.scheme in {"http", "https"} and bool(parts.hostname)


def _provider_policy(value: object) -> ProviderPolicy | None:
    if isinstance(value, str):
        try:
            rule = ProviderRule(value.strip().lower())
        except ValueError:
            return None
        return None if rule is ProviderRule.LIST else ProviderPolicy(rule)
    if isinstance(value, list) and all(isinstance(v, str) and v.strip() for v in value):
        return ProviderPolicy(ProviderRule.LIST, tuple(v.strip() for v in value))
    return None
