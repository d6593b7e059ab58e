"""The Home dashboard and the Analytics section in the main window: figures at a glance,
"See all analytics", Ctrl+7, and an honest page when the app runs without analytics."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel

from desktop.config import SettingsStore
from desktop.domain.analytics import DASHBOARD_WEEKS
from desktop.domain.progress import EventKind, ProgressEvent
from desktop.integrations import pdf as pdf_integration
from desktop.services.analytics import AnalyticsService
from desktop.services.annotations import AnnotationService
from desktop.services.container import Services
from desktop.services.course_library import CourseLibrary
from desktop.services.policies import PolicyService
from desktop.services.progress import ProgressService
from desktop.services.search import SearchService
from desktop.storage.database import Database, SqlFolderStore
from desktop.ui.main_window import MainWindow, Section
from desktop.ui.views.analytics import LEARNING, AnalyticsView
from desktop.ui.views.home import HomeView
from desktop.ui.views.placeholder import ComingSoonView
from desktop.ui.views.policies import PoliciesView
from tests.desktop.ui.conftest import BUNDLED

SAMPLE = "email-subject-lines"


@pytest.fixture
def full_services(data_dir: Path) -> Iterator[Services]:
    db = Database.open(data_dir / "db.sqlite3")
    yield Services(
        library=CourseLibrary(bundled_root=BUNDLED, folders=SqlFolderStore(db)),
        progress=ProgressService(db),
        annotations=AnnotationService(db),
        search=SearchService(db),
        settings=SettingsStore(data_dir / "settings.toml"),
        analytics=AnalyticsService(db),
        policies=PolicyService(db),
    )
    db.close()


@pytest.fixture(scope="module", autouse=True)
def _pdf_worker() -> Iterator[None]:
    yield
    pdf_integration.shutdown()


def _home_with_figures(
    qtbot, services: Services, open_window: Callable[[Services], MainWindow]
) -> tuple[MainWindow, HomeView]:
    window = open_window(services)
    home = window.home
    assert isinstance(home, HomeView)
    assert home.dashboard is not None
    if home.dashboard.dashboard is None:
        with qtbot.waitSignal(home.dashboard_shown, timeout=20_000):
            pass
    return window, home


def _learn_today(services: Services) -> None:
    """A lesson of the sample course completed today with 25 minutes, and 40 minutes in
    the same course three weeks ago."""
    course = services.library.course(SAMPLE)
    lesson = course.ordered_lessons()[0]
    now = datetime.now(UTC)
    events = [
        ProgressEvent.new(EventKind.SLIDE_VIEWED, course.id, lesson.id, slide_id=s.id, at=now)
        for s in lesson.slides
    ]
    events += [
        ProgressEvent.new(EventKind.LESSON_COMPLETED, course.id, lesson.id, at=now),
        ProgressEvent.new(EventKind.TIME_SPENT, course.id, lesson.id, seconds=1500, at=now),
        ProgressEvent.new(
            EventKind.TIME_SPENT,
            course.id,
            lesson.id,
            seconds=2400,
            at=now - timedelta(weeks=3),
        ),
    ]
    services.progress.import_events(events)


def test_home_dashboard_shows_rings_weeks_streak_and_next_step(
    qtbot,
    full_services: Services,
    open_window: Callable[[Services], MainWindow],
    shot,
) -> None:
    full_services.library.refresh()
    _learn_today(full_services)
    window, home = _home_with_figures(qtbot, full_services, open_window)
    strip = home.dashboard
    assert strip is not None
    assert strip.dashboard is not None

    course = full_services.library.course(SAMPLE)
    progress = full_services.progress.course_progress(course)
    rings = {r.label: r for r in strip.rings.rings}
    assert round(rings[course.title].fraction * 100) == round(progress.percent)
    bars = strip.weeks.bars
    assert len(bars) == DASHBOARD_WEEKS
    assert bars[-1].value == 25
    assert bars[-4].value == 40
    assert strip.streak.value.text() == "1 day"
    assert strip.next_step.isVisible()
    assert strip.next_title.text()
    assert strip.content_line.text() == "Content: nothing generated yet"
    assert strip.policies_line.text() == "Policies: none written yet"
    # Home's own parts still work beside it.
    assert home.continue_card.action.text().strip() == "Resume"
    assert home.courses_model.rowCount() >= 1
    shot(window, "home_dashboard.png")

    step = strip.dashboard.next_step
    assert step is not None
    strip.next_step.setFocus()
    qtbot.keyClick(strip.next_step, Qt.Key.Key_Return)
    assert window.current_page() is window.player
    assert window.player.lesson is not None
    assert window.player.lesson.id == step.lesson_id


def test_see_all_analytics_opens_the_section(
    qtbot, full_services: Services, open_window: Callable[[Services], MainWindow], shot
) -> None:
    full_services.library.refresh()
    _learn_today(full_services)
    window, home = _home_with_figures(qtbot, full_services, open_window)
    assert home.dashboard is not None
    page = window.analytics
    assert isinstance(page, AnalyticsView)
    with qtbot.waitSignal(page.loaded, timeout=20_000, check_params_cb=lambda k: k == LEARNING):
        qtbot.mouseClick(home.dashboard.see_all, Qt.MouseButton.LeftButton)
    assert window.current_page() is page
    assert window.nav_buttons[Section.ANALYTICS].isChecked()
    assert page.learning.showing == "content"
    assert page.learning.weeks.bars[-1].value == 25
    shot(window, "analytics_in_window.png")

    # Ctrl+1 goes home, Ctrl+7 comes back (and reads the figures again).
    qtbot.keyClick(window, Qt.Key.Key_1, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is home
    with qtbot.waitSignal(page.loaded, timeout=20_000):
        qtbot.keyClick(window, Qt.Key.Key_7, Qt.KeyboardModifier.ControlModifier)
    assert window.current_page() is page


def test_a_first_time_user_sees_no_wall_of_zeros_on_home(
    qtbot, full_services: Services, open_window: Callable[[Services], MainWindow], shot
) -> None:
    window, home = _home_with_figures(qtbot, full_services, open_window)
    strip = home.dashboard
    assert strip is not None
    assert all(r.fraction == 0 for r in strip.rings.rings)
    assert strip.weeks.is_empty()
    assert strip.weeks.accessibleDescription() == "Take a lesson to see your time here."
    assert strip.streak.value.text() == "0 days"
    # Nothing done yet: the strip stays hidden and the card invites the first course.
    assert not strip.isVisible()
    assert home.continue_card.action.text().strip() == "Start the sample course"
    shot(window, "home_dashboard_empty.png")


def test_without_analytics_the_section_says_so_and_home_has_no_strip(
    window: MainWindow,
) -> None:
    assert window.home.dashboard is None
    window.show_section(Section.ANALYTICS)
    page = window.current_page()
    assert isinstance(page, ComingSoonView)
    texts = " ".join(label.text() for label in page.findChildren(QLabel))
    assert "Analytics" in texts
    assert "without its analytics" in texts


def test_a_policy_due_for_review_opens_in_policies(
    qtbot, full_services: Services, open_window: Callable[[Services], MainWindow]
) -> None:
    policies = full_services.policies
    assert policies is not None
    document = policies.create_document("refund", author="Ana", jurisdictions=["eu"])
    window = open_window(full_services)
    page = window.analytics
    assert isinstance(page, AnalyticsView)
    page.policy_requested.emit(document)  # what a click on a "due for review" row says
    view = window.policies
    assert isinstance(view, PoliciesView)
    assert window.current_page() is view
    assert window.nav_buttons[Section.POLICIES].isChecked()
    assert view.document is not None
    assert view.document.id == document
    # Let the page settle while the database is open: its preview arrives, and the
    # preview's highlighting starts the editor's save-after-a-pause timer (Policies'
    # own behaviour), which then saves.
    qtbot.waitUntil(
        lambda: not window.runner.busy and not view.editor._timer.isActive(), timeout=20_000
    )
