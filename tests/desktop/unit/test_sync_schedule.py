"""When background sync runs next: debounce, period, backoff, and pauses for the user."""

from __future__ import annotations

import random

from desktop.services.sync_schedule import SyncSchedule


def schedule() -> SyncSchedule:
    return SyncSchedule(
        debounce=4,
        period=300,
        first_backoff=5,
        max_backoff=60,
        jitter=0,
        _random=random.Random(1),
    )


def test_backoff_doubles_while_the_server_is_unreachable_and_stops_growing_at_the_cap() -> None:
    s = schedule()
    delays = [s.after_failure("check_server") for _ in range(6)]
    assert delays == [5, 10, 20, 40, 60, 60]
    assert s.after_success() == 300
    assert s.after_failure("check_server") == 5  # a success resets the backoff


def test_local_changes_sync_after_a_short_pause_but_never_hammer_a_failing_server() -> None:
    s = schedule()
    assert s.after_local_change() == 4
    s.after_failure("check_server")
    assert s.after_local_change() is None  # waits for the backoff's own retry
    s.user_acted()  # "Sync now"
    assert s.after_local_change() == 4


def test_problems_only_the_user_can_fix_pause_background_sync_until_they_act() -> None:
    s = schedule()
    assert s.after_failure("sign_in") is None
    assert s.paused_for == "sign_in"
    assert s.after_local_change() is None
    s.user_acted()
    assert s.paused_for == ""
    assert s.after_failure("update_app") is None


def test_jitter_spreads_retries_around_the_backoff() -> None:
    s = SyncSchedule(first_backoff=10, jitter=0.2, _random=random.Random(7))
    delays = {round(s.after_failure("check_server") or 0, 3) for _ in range(1)}
    (delay,) = delays
    assert 8 <= delay <= 12
