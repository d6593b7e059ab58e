"""When to sync next: at start, shortly after local changes (debounced), periodically,
on "Sync now"; with exponential backoff while the server cannot be reached, and not at
all (until the user acts) when the problem needs them: sign in again, update the app.

Pure rules, no timers: the UI's controller (:mod:`desktop.ui.widgets.sync_status`) arms
Qt timers with these delays; tests call them directly.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

USER_ACTIONS = ("sign_in", "update_app")


@dataclass
class SyncSchedule:
    debounce: float = 4.0  # seconds after the last local change
    period: float = 300.0  # between syncs when nothing happens
    first_backoff: float = 5.0
    max_backoff: float = 600.0
    jitter: float = 0.2  # +-20%, so a room of laptops does not retry in step
    failures: int = 0
    paused_for: str = ""  # the action the user must take before syncing again
    _random: random.Random = field(default_factory=random.Random, repr=False)

    def after_success(self) -> float:
        """Seconds until the next periodic sync."""
        self.failures = 0
        self.paused_for = ""
        return self.period

    def after_failure(self, action: str) -> float | None:
        """Seconds until the next try, or None: wait for the user (sign in, update)."""
        if action in USER_ACTIONS:
            self.paused_for = action
            return None
        self.failures += 1
        delay = min(self.max_backoff, self.first_backoff * 2 ** (self.failures - 1))
        spread = delay * self.jitter
        return float(max(1.0, delay + self._random.uniform(-spread, spread)))

    def after_local_change(self) -> float | None:
        """Seconds until a sync for a local change; None while paused or backing off
        (the change waits in the outbox for the next try)."""
        if self.paused_for or self.failures:
            return None
        return self.debounce

    def user_acted(self) -> None:
        """Signed in again, or "Sync now": forget the pause and the backoff."""
        self.failures = 0
        self.paused_for = ""
