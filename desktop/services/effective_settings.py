"""Every setting IT may ask about, its effective value, and where that value came from:
what ``playbook admin settings`` prints and what the Settings page shows as locked."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from desktop.config import Settings
from desktop.policy import Lock, ManagedSettings, ProviderPolicy


class Source(StrEnum):
    DEFAULT = "default"
    USER = "user settings"
    MANAGED = "managed (locked)"
    BUILT_IN = "built in"


@dataclass(frozen=True, slots=True)
class Effective:
    key: str
    label: str
    value: str
    source: Source
    note: str = ""  # the lock's reason, or what a built-in value means

    @property
    def locked(self) -> bool:
        return self.source is Source.MANAGED


def effective_settings(
    user: Settings,
    managed: ManagedSettings,
    *,
    user_has_font: bool,
    user_server_url: str | None = None,
    user_providers: str | None = None,
) -> list[Effective]:
    """The effective settings, in the order people read them."""
    rows = [
        Effective(
            "lesson_font_pt",
            "Lesson font size",
            f"{user.lesson_font_pt} pt",
            Source.USER if user_has_font else Source.DEFAULT,
        )
    ]
    rows.append(
        _locked_or(
            "sync.server_url",
            "Sync server",
            managed.sync_server_url,
            lambda v: str(v) or "none (sync off)",
            user_server_url,
            "none (not signed in)",
        )
    )
    rows.append(
        _locked_or(
            "ai.providers",
            "AI providers allowed",
            managed.ai_providers,
            lambda v: v.describe() if isinstance(v, ProviderPolicy) else str(v),
            user_providers,
            "any the user configures",
        )
    )
    for key, label, built_in in (
        ("privacy.telemetry", "Usage data (telemetry)", "Playbook sends no usage data"),
        ("privacy.update_checks", "Update checks", "Playbook never checks for updates itself"),
    ):
        lock = managed.telemetry if key.endswith("telemetry") else managed.update_checks
        if lock is not None:
            rows.append(Effective(key, label, _on_off(lock.value), Source.MANAGED, lock.reason))
        else:
            rows.append(Effective(key, label, "off", Source.BUILT_IN, built_in))
    return rows


def _on_off(value: object) -> str:
    return "on" if value is True else "off"


def _locked_or(
    key: str,
    label: str,
    lock: Lock | None,
    show: Callable[[object], str],
    user_value: str | None,
    default: str,
) -> Effective:
    if lock is not None:
        return Effective(key, label, str(show(lock.value)), Source.MANAGED, lock.reason)
    if user_value:
        return Effective(key, label, user_value, Source.USER)
    return Effective(key, label, default, Source.DEFAULT)
