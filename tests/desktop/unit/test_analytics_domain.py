"""The pure rules of personal analytics: local days and weeks, streaks, review dates,
daylight-saving spans, the weakest-first order and the next-step choice."""

from __future__ import annotations

from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

import pytest

from desktop.domain.analytics import (
    AnalyticsFilter,
    ObjectiveFigures,
    ReviewStatus,
    add_months,
    median,
    offset_spans,
    rate,
    review_date,
    review_status,
    streak,
    weakest_first,
    weeks_between,
)

BERLIN = ZoneInfo("Europe/Berlin")


def test_a_streak_counts_consecutive_days_and_survives_until_the_day_is_over() -> None:
    today = date(2026, 3, 10)
    days = [date(2026, 3, d) for d in (1, 2, 3, 4, 6, 7, 8, 9)]
    # Yesterday was active, today not yet: the 4-day run (6..9) is still current.
    s = streak(days, today)
    assert (s.current_days, s.longest_days, s.last_active_day, s.active_today) == (
        4,
        4,
        date(2026, 3, 9),
        False,
    )
    # A missed day breaks it; the longest stays.
    assert streak([*days, date(2026, 3, 5)], date(2026, 3, 11)).current_days == 0
    assert streak([*days, date(2026, 3, 5)], today).longest_days == 9
    assert streak([today, today], today).current_days == 1  # duplicates count once


def test_no_activity_and_future_days_make_no_streak() -> None:
    assert streak([], date(2026, 1, 1)).current_days == 0
    assert streak([], date(2026, 1, 1)).last_active_day is None
    s = streak([date(2026, 1, 5)], date(2026, 1, 1))  # another device's clock ahead
    assert (s.current_days, s.longest_days) == (0, 0)


def test_weeks_are_contiguous_mondays_with_empty_weeks_kept() -> None:
    seconds = {date(2026, 3, 3): 60.0, date(2026, 3, 4): 30.0, date(2026, 3, 25): 15.0}
    weeks = weeks_between(date(2026, 3, 4), date(2026, 3, 25), seconds)
    assert [w.start for w in weeks] == [
        date(2026, 3, 2),
        date(2026, 3, 9),
        date(2026, 3, 16),
        date(2026, 3, 23),
    ]
    # The 3rd is before the range: only the 4th counts in the first week.
    assert [w.seconds for w in weeks] == [30.0, 0.0, 0.0, 15.0]
    assert [w.active_days for w in weeks] == [1, 0, 0, 1]
    assert weeks_between(date(2026, 3, 5), date(2026, 3, 4), seconds) == ()


def test_the_filter_turns_local_days_into_utc_bounds() -> None:
    flt = AnalyticsFilter(since=date(2026, 7, 1), until=date(2026, 7, 31), zone=BERLIN)
    assert flt.start_utc() == datetime(2026, 6, 30, 22, 0, tzinfo=UTC)  # CEST, UTC+2
    assert flt.end_utc() == datetime(2026, 7, 31, 22, 0, tzinfo=UTC)
    assert AnalyticsFilter().start_utc() is None
    with pytest.raises(ValueError, match=r"starts .* after it ends"):
        AnalyticsFilter(since=date(2026, 2, 1), until=date(2026, 1, 1))


def test_daylight_saving_splits_time_into_spans_of_one_offset() -> None:
    spans = offset_spans(
        BERLIN, datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 12, 31, tzinfo=UTC)
    )
    assert [(s.end, s.offset_minutes) for s in spans] == [
        (datetime(2026, 3, 29, 1, 0, tzinfo=UTC), 60),
        (datetime(2026, 10, 25, 1, 0, tzinfo=UTC), 120),
        (datetime(2026, 12, 31, tzinfo=UTC), 60),
    ]
    kolkata = offset_spans(
        ZoneInfo("Asia/Kolkata"), datetime(2026, 1, 1, tzinfo=UTC), datetime(2026, 2, 1, tzinfo=UTC)
    )
    assert [s.offset_minutes for s in kolkata] == [330]


def test_a_policy_is_due_for_review_twelve_months_after_it_takes_effect() -> None:
    effective = date(2025, 6, 15)
    assert review_date(effective) == date(2026, 6, 15)
    assert review_status(effective, date(2026, 5, 15)) is ReviewStatus.OK  # 31 days left
    assert review_status(effective, date(2026, 5, 16)) is ReviewStatus.DUE_SOON  # 30 left
    assert review_status(effective, date(2026, 6, 15)) is ReviewStatus.DUE_SOON  # the day
    assert review_status(effective, date(2026, 6, 16)) is ReviewStatus.OVERDUE
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2026, 1, 31), 1) == date(2026, 2, 28)
    assert add_months(date(2026, 12, 5), 1) == date(2027, 1, 5)


def test_rates_and_medians_say_none_without_data() -> None:
    assert rate(0, 0) is None
    assert rate(1, 4) == 0.25
    assert median([]) is None
    assert median([3.0, 1.0, 2.0]) == 2.0
    assert median([4.0, 1.0, 2.0, 3.0]) == 2.5


def _objective(name: str, score: float | None, answered: int, attempts: int) -> ObjectiveFigures:
    return ObjectiveFigures(
        "c", "Course", name, ("l",), 2, answered, attempts, 0, score, None, False
    )


def test_weakest_objectives_come_first_and_unanswered_ones_last() -> None:
    ordered = weakest_first(
        [
            _objective("never tried", None, 0, 0),
            _objective("good", 0.9, 2, 3),
            _objective("weak", 0.3, 1, 4),
            _objective("so-so", 0.6, 2, 2),
        ]
    )
    assert [o.objective for o in ordered] == ["weak", "so-so", "good", "never tried"]
