"""Policy analytics on a real database: documents and versions written by the Policy
Studio repositories with known dates, figures checked against a hand count."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from desktop.domain.analytics import AnalyticsFilter, ReviewStatus
from desktop.services.analytics import AnalyticsService
from desktop.storage import policies as store
from desktop.storage.database import Database

TODAY = date(2026, 1, 15)
DAY = 86400.0


@pytest.fixture
def db(tmp_path: Path) -> Iterator[Database]:
    database = Database.open(tmp_path / "playbook.sqlite3")
    yield database
    database.close()


def _at(y: int, m: int, d: int) -> datetime:
    return datetime(y, m, d, 12, tzinfo=UTC)


def _document(db: Database, title: str, created: datetime) -> uuid.UUID:
    doc = uuid.uuid4()
    with db.session() as conn:
        store.insert_document(conn, doc, "refund", title, ["eu"], created)
    return doc


def _version(
    db: Database,
    doc: uuid.UUID,
    number: int,
    created: datetime,
    state: str = "draft",
    *,
    effective: str | None = None,
    approved: datetime | None = None,
) -> None:
    vid = uuid.uuid4()
    with db.session() as conn:
        store.insert_version(conn, vid, doc, number, {}, "# P\n", effective, "Ann", created)
        if state == "approved":
            assert approved is not None
            store.update_version(
                conn, vid, approved, state="approved", reviewer="Bob", approved_at=approved
            )
        elif state != "draft":
            store.update_version(conn, vid, created, state=state)


def _seed(db: Database) -> None:
    """As of 15 January 2026:

    - Refund: approved 10 days after its draft (2025-01-10 -> 01-20), effective
      2025-02-01: review on 2026-02-01, 17 days away (due soon).
    - Shipping: v1 approved in 3 days (2024-11-01 -> 11-04), effective 2024-12-01: review
      was due 2025-12-01 (45 days overdue); v2 is a draft.
    - Terms in review; Warranty with changes requested.
    - Privacy approved in 1 day (2025-06-01 -> 06-02) with no effective date.
    - Discount: approved, then deleted: not counted.
    """
    refund = _document(db, "Refund", _at(2025, 1, 10))
    _version(db, refund, 1, _at(2025, 1, 10), "approved", effective="2025-02-01",
             approved=_at(2025, 1, 20))  # fmt: skip
    shipping = _document(db, "Shipping", _at(2024, 11, 1))
    _version(db, shipping, 1, _at(2024, 11, 1), "approved", effective="2024-12-01",
             approved=_at(2024, 11, 4))  # fmt: skip
    _version(db, shipping, 2, _at(2025, 12, 20))
    _version(db, _document(db, "Terms", _at(2025, 9, 1)), 1, _at(2025, 9, 1), "in_review")
    warranty = _document(db, "Warranty", _at(2025, 9, 2))
    _version(db, warranty, 1, _at(2025, 9, 2), "changes_requested")
    privacy = _document(db, "Privacy", _at(2025, 6, 1))
    _version(db, privacy, 1, _at(2025, 6, 1), "approved", approved=_at(2025, 6, 2))
    gone = _document(db, "Discount", _at(2025, 3, 1))
    _version(db, gone, 1, _at(2025, 3, 1), "approved", effective="2025-03-01",
             approved=_at(2025, 3, 2))  # fmt: skip
    with db.session() as conn:
        store.delete_document(conn, gone, True, _at(2025, 4, 1))


def test_policy_figures_match_the_hand_count(db: Database) -> None:
    _seed(db)
    figures = AnalyticsService(db).policies(AnalyticsFilter(zone=UTC), TODAY)
    assert figures.documents == 5
    assert [(s.state, s.documents) for s in figures.by_state] == [
        ("draft", 1),
        ("in_review", 1),
        ("changes_requested", 1),
        ("approved", 2),
    ]
    assert figures.approvals == 3
    assert figures.average_seconds_to_approval == pytest.approx(14 / 3 * DAY)
    assert figures.median_seconds_to_approval == pytest.approx(3 * DAY)
    assert [(r.title, r.version, r.review_on, r.days_left, r.status) for r in figures.reviews] == [
        ("Shipping", 1, date(2025, 12, 1), -45, ReviewStatus.OVERDUE),
        ("Refund", 1, date(2026, 2, 1), 17, ReviewStatus.DUE_SOON),
    ]
    assert (figures.due_soon, figures.overdue, figures.approved_without_date) == (1, 1, 1)


def test_the_date_range_picks_the_approvals_made_in_it(db: Database) -> None:
    _seed(db)
    flt = AnalyticsFilter(since=date(2025, 1, 1), until=date(2025, 12, 31), zone=UTC)
    figures = AnalyticsService(db).policies(flt, TODAY)
    assert figures.approvals == 2  # Refund and Privacy
    assert figures.average_seconds_to_approval == pytest.approx(5.5 * DAY)
    assert figures.documents == 5  # states are as of now, whatever the range
    # Thirty days later Refund is overdue too.
    later = AnalyticsService(db).policies(flt, TODAY + timedelta(days=30))
    assert [r.status for r in later.reviews] == [ReviewStatus.OVERDUE, ReviewStatus.OVERDUE]


def test_no_policies_mean_zero_counts_and_no_durations(db: Database) -> None:
    figures = AnalyticsService(db).policies(None, TODAY)
    assert figures.documents == 0
    assert [s.documents for s in figures.by_state] == [0, 0, 0, 0]
    assert figures.average_seconds_to_approval is None
    assert figures.median_seconds_to_approval is None
    assert figures.reviews == ()
