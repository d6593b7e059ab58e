"""Home: continue where you left off, a glance at your figures, progress per course,
recent activity."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QSizePolicy, QVBoxLayout, QWidget

from desktop.domain.progress import EventKind
from desktop.services.container import Services
from desktop.services.course_library import CourseEntry
from desktop.ui.formatting import duration
from desktop.ui.lookup import describe, find_course, healthy, starter_course
from desktop.ui.models.activity import ActivityModel, ActivityRow
from desktop.ui.models.analytics import streak_figure
from desktop.ui.models.base import Role, SlideRef
from desktop.ui.models.courses import CourseListModel, CourseRow
from desktop.ui.tasks import Task
from desktop.ui.widgets.charts import (
    Bar,
    BarChart,
    ChartCard,
    Ring,
    RingChart,
    StatTile,
    chart_stylesheet,
    minute_ticks,
    minutes_text,
)
from desktop.ui.widgets.common import (
    Card,
    ClickableCard,
    ElidedLabel,
    PageHeader,
    button,
    filler_label,
    label,
    page_runner,
)
from desktop.ui.widgets.delegates import CardList, CardStyle

if TYPE_CHECKING:
    from desktop.domain.analytics import Dashboard

ACTIVITY_ICONS = {
    EventKind.LESSON_OPENED: "book-open",
    EventKind.QUIZ_ATTEMPT: "quiz",
    EventKind.LESSON_COMPLETED: "award",
    EventKind.SLIDE_VIEWED: "eye",
    EventKind.TIME_SPENT: "clock",
}


class ContinueCard(ClickableCard):
    """The big card at the top: resume the last slide, or start the sample course."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("HeroCard", parent)
        self.ref: SlideRef | None = None
        row = QHBoxLayout(self)
        row.setContentsMargins(28, 24, 28, 24)
        row.setSpacing(24)
        text = QVBoxLayout()
        text.setSpacing(6)
        self.eyebrow = label("", "Eyebrow")
        self.title = label("", "HeroTitle", wrap=True)
        self.meta = label("", "HeroMeta", wrap=True)
        text.addWidget(self.eyebrow)
        text.addWidget(self.title)
        text.addWidget(self.meta)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setRange(0, 100)
        self.bar.setMaximumWidth(360)
        self.bar_label = label("", "HeroMeta")
        bar_row = QHBoxLayout()
        bar_row.setSpacing(10)
        bar_row.addWidget(self.bar, 1)
        bar_row.addWidget(self.bar_label)
        bar_row.addStretch(1)
        text.addSpacing(6)
        text.addLayout(bar_row)
        row.addLayout(text, 1)
        self.action = button("Resume", variant="on-accent", icon="play", icon_colour="accent")
        self.action.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the card itself takes Enter
        self.action.clicked.connect(self.activated)
        row.addWidget(self.action, 0, Qt.AlignmentFlag.AlignVCenter)

    def show_place(
        self,
        eyebrow: str,
        title: str,
        meta: str,
        action: str,
        ref: SlideRef | None,
        percent: float | None = None,
    ) -> None:
        self.ref = ref
        self.eyebrow.setText(eyebrow.upper())
        self.title.setText(title)
        self.meta.setText(meta)
        self.action.setText(action)
        self.action.setVisible(bool(action))
        shown = percent is not None
        self.bar.setVisible(shown)
        self.bar_label.setVisible(shown)
        if percent is not None:
            self.bar.setValue(round(percent))
            self.bar_label.setText(f"{round(percent)}% of the course")
        self.setAccessibleName(f"{title}. {meta}. {action}".strip(". "))


class DashboardStrip(QWidget):
    """Home's glance at the figures: a ring per course, the last weeks of time, the
    streak, the next step, and a line each on content and policies."""

    open_requested = Signal(object)  # SlideRef
    analytics_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.dashboard: Dashboard | None = None
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(8)
        head = QHBoxLayout()
        col.addLayout(head)
        head.addWidget(label("Your progress", "SectionTitle"))
        self.status = label("Reading your figures…", "Subtle")
        head.addWidget(self.status)
        head.addStretch(1)
        self.see_all = button(
            "See all analytics", variant="ghost", icon="chevron-right", tooltip="Analytics"
        )
        self.see_all.setLayoutDirection(Qt.LayoutDirection.RightToLeft)  # the arrow after
        self.see_all.clicked.connect(self.analytics_requested)
        head.addWidget(self.see_all)

        row = QHBoxLayout()
        row.setSpacing(16)
        col.addLayout(row)
        self.rings = RingChart("Open a lesson: each course gets a ring here.", diameter=52)
        self.rings.cell_width = 100
        self.rings.activated.connect(self._open_course)
        self.rings_card = ChartCard(
            "Courses", self.rings, file_stem="course-progress", compact=True
        )
        row.addWidget(self.rings_card, 3)
        self.weeks = BarChart(
            "Take a lesson to see your time here.",
            value_title="Minutes",
            label_title="Week starting",
            value_format=minutes_text,
            ticks=minute_ticks,
            height=112,
        )
        self.weeks_card = ChartCard(
            "Time per week", self.weeks, "Last 8 weeks", file_stem="time-per-week", compact=True
        )
        row.addWidget(self.weeks_card, 3)

        glance = Card(padding=14)
        glance.body.setSpacing(8)
        self.streak = StatTile("Streak")
        glance.body.addWidget(self.streak)
        self.next_step = ClickableCard("NextStep")
        next_col = QVBoxLayout(self.next_step)
        next_col.setContentsMargins(10, 8, 10, 8)
        next_col.setSpacing(2)
        self.next_caption = label("NEXT STEP", "StatCaption")
        self.next_title = ElidedLabel("", "CardTitle")
        self.next_title.setStyleSheet("font-size: 10pt;")
        next_col.addWidget(self.next_caption)
        next_col.addWidget(self.next_title)
        self.next_step.activated.connect(self._open_next)
        glance.body.addWidget(self.next_step)
        self.content_line = label("", "Muted", wrap=True)
        self.policies_line = label("", "Muted", wrap=True)
        glance.body.addWidget(self.content_line)
        glance.body.addWidget(self.policies_line)
        glance.body.addStretch(1)
        row.addWidget(glance, 2)
        self.cards = (self.rings_card, self.weeks_card)
        # As tall as its contents: the lists below take the rest of the page.
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Maximum)

    def show_dashboard(self, dashboard: Dashboard) -> None:
        self.dashboard = dashboard
        self.status.setVisible(False)
        # Someone who has done nothing yet gets no wall of zeros: the card above invites
        # them to the first course, and Analytics explains how each figure fills.
        self.setVisible(
            any(c.started for c in dashboard.courses)
            or dashboard.generations > 0
            or dashboard.policies > 0
        )
        self.rings.set_rings(
            [
                Ring(c.title, c.progress, f"{c.completed_lessons} of {c.total_lessons} lessons")
                for c in dashboard.courses
            ]
        )
        self.weeks.set_bars(
            [
                Bar(
                    f"{w.start.day} {w.start.strftime('%b')}",
                    round(w.seconds / 60, 1),
                    f"Week of {w.start.day} {w.start.strftime('%b')}: "
                    f"{minutes_text(w.seconds / 60)}",
                )
                for w in dashboard.weeks
            ]
        )
        this_week = minutes_text(dashboard.seconds_this_week / 60)
        self.weeks_card.set_subtitle(f"{this_week} this week")
        self.streak.set(*streak_figure(dashboard.streak))
        step = dashboard.next_step
        self.next_step.setVisible(step is not None)
        if step is not None:
            self.next_title.setText(step.lesson_title)
            self.next_step.setToolTip(f"{step.course_title}\n{step.reason}")
            self.next_step.setAccessibleName(f"Next step: {step.lesson_title}. {step.reason}")
        if dashboard.generations:
            rate = dashboard.acceptance_rate
            kept = "" if rate is None else f" · {round(rate * 100)}% kept"
            self.content_line.setText(f"Content: {dashboard.generations:,} generations{kept}")
        else:
            self.content_line.setText("Content: nothing generated yet")
        if dashboard.policies:
            approved = next(
                (s.documents for s in dashboard.policy_states if s.state == "approved"), 0
            )
            due = dashboard.reviews_due_soon + dashboard.reviews_overdue
            review = f" · {due} due for review" if due else ""
            self.policies_line.setText(
                f"Policies: {approved} of {dashboard.policies} approved{review}"
            )
        else:
            self.policies_line.setText("Policies: none written yet")
        for card in self.cards:
            card.refresh()

    def _open_next(self) -> None:
        step = self.dashboard.next_step if self.dashboard is not None else None
        if step is not None:
            self.open_requested.emit(SlideRef(step.course_id, step.lesson_id, step.slide_id))

    def _open_course(self, index: int) -> None:
        if self.dashboard is not None and 0 <= index < len(self.dashboard.courses):
            self.open_requested.emit(SlideRef(self.dashboard.courses[index].course_id))


class HomeView(QWidget):
    open_requested = Signal(object)  # SlideRef
    browse_requested = Signal()  # "add a course" when there is none
    analytics_requested = Signal()  # "See all analytics"
    dashboard_shown = Signal()  # the dashboard strip shows fresh figures

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._services = services
        self._loaded = False
        root = QVBoxLayout(self)
        root.setContentsMargins(36, 32, 36, 28)
        root.setSpacing(22)

        self.header = PageHeader("Welcome to Playbook", "Loading your courses…")
        root.addWidget(self.header)

        self.continue_card = ContinueCard()
        self.continue_card.activated.connect(self._on_continue)
        root.addWidget(self.continue_card)

        self.dashboard: DashboardStrip | None = None
        if services.analytics is not None:
            self.setStyleSheet(chart_stylesheet())
            self.dashboard = DashboardStrip()
            self.dashboard.setVisible(False)  # until its figures say there is something
            self.dashboard.open_requested.connect(self.open_requested)
            self.dashboard.analytics_requested.connect(self.analytics_requested)
            root.addWidget(self.dashboard)
        self._dashboard_task: Task[Dashboard] | None = None

        columns = QHBoxLayout()
        columns.setSpacing(20)
        courses_card = Card(padding=18)
        courses_card.body.addWidget(label("Your courses", "SectionTitle"))
        self.courses_model = CourseListModel(compact=True)
        self.courses_view = self._list(
            self.courses_model, CardStyle(card=False, padding=10, lead=44)
        )
        courses_card.body.addWidget(self.courses_view, 1)
        self.courses_empty = filler_label("No courses yet. Add a course folder under Courses.")
        courses_card.body.addWidget(self.courses_empty)
        columns.addWidget(courses_card, 3)

        activity_card = Card(padding=18)
        activity_card.body.addWidget(label("Recent activity", "SectionTitle"))
        self.activity_model = ActivityModel()
        self.activity_view = self._list(
            self.activity_model,
            CardStyle(card=False, padding=8, lead=32, title_pt=10.5, subtitle_lines=1),
        )
        activity_card.body.addWidget(self.activity_view, 1)
        self.activity_empty = filler_label(
            "Nothing yet. What you open, answer and finish shows up here."
        )
        activity_card.body.addWidget(self.activity_empty)
        columns.addWidget(activity_card, 2)
        root.addLayout(columns, 1)
        self.continue_card.show_place("Getting ready", "Loading your courses…", "", "", None)

    def _list(self, model: CourseListModel | ActivityModel, style: CardStyle) -> CardList:
        view = CardList(style)
        view.setObjectName("PanelList")
        view.setModel(model)
        view.open_index.connect(self._open_index)
        return view

    def _open_index(self, index: QModelIndex) -> None:
        ref = index.data(Role.REF)
        if isinstance(ref, SlideRef):
            self.open_requested.emit(ref)

    def _on_continue(self) -> None:
        if self.continue_card.ref is not None:
            self.open_requested.emit(self.continue_card.ref)
        else:
            self.browse_requested.emit()

    # -- data -------------------------------------------------------------------------

    def refresh(self) -> None:
        """Re-read the resume point, progress and activity (cheap: a few indexed queries)."""
        self._loaded = True
        services = self._services
        entries = services.library.entries()
        rows: list[CourseRow] = []
        percents: dict[str, float] = {}
        for entry in entries:
            if entry.course is None or entry.broken:
                continue
            cp = services.progress.course_progress(entry.course)
            percents[entry.course.id] = cp.percent
            rows.append(
                CourseRow(
                    entry,
                    cp.percent,
                    cp.completed_lessons,
                    cp.total_lessons,
                    entry.course.estimated_minutes,
                    cp.last_activity,
                )
            )
        # Courses in progress first (the latest on top), then untouched ones, finished last.
        rows.sort(key=lambda r: r.entry.title.casefold())
        rows.sort(key=lambda r: r.last_activity.timestamp() if r.last_activity else 0, reverse=True)
        rows.sort(key=lambda r: r.completed)
        self.courses_model.set_rows(rows)
        self.courses_empty.setVisible(not rows)
        self.courses_view.setVisible(bool(rows))

        activity = []
        for item in services.progress.recent_activity(limit=12):
            course = find_course(services.library, item.course_id)
            if course is None:
                continue
            place = describe(course, item.lesson_id, item.slide_id)
            activity.append(
                ActivityRow(
                    ACTIVITY_ICONS.get(item.kind, "eye"),
                    "success" if item.kind is EventKind.LESSON_COMPLETED else "",
                    place.lesson_title,
                    f"{item.detail} · {course.title}",
                    item.at,
                    SlideRef(course.id, item.lesson_id, item.slide_id),
                )
            )
        self.activity_model.set_rows(activity)
        self.activity_empty.setVisible(not activity)
        self.activity_view.setVisible(bool(activity))
        self._refresh_continue(entries, percents)
        self.refresh_dashboard()

    def refresh_dashboard(self) -> None:
        """Read the dashboard's figures in the background (a newer read replaces one
        still running) and show them when they arrive."""
        analytics = self._services.analytics
        if analytics is None or self.dashboard is None:
            return
        if self._dashboard_task is not None and not self._dashboard_task.finished:
            self._dashboard_task.cancel()
        courses = healthy(self._services.library.entries())
        self._dashboard_task = page_runner(self).run(
            "Reading your progress",
            lambda: analytics.dashboard(courses),
            owner=self,
            on_done=self._show_dashboard,
        )

    def _show_dashboard(self, dashboard: Dashboard) -> None:
        if self.dashboard is not None:
            self.dashboard.show_dashboard(dashboard)
            self.dashboard_shown.emit()

    def _refresh_continue(self, entries: list[CourseEntry], percents: dict[str, float]) -> None:
        """The Continue card; ``percents``: each listed course's progress, just read."""
        services = self._services
        resume = services.progress.resume_point()
        course = find_course(services.library, resume.course_id) if resume else None
        if resume is not None and course is not None and resume.lesson_id in course.lessons:
            place = describe(course, resume.lesson_id, resume.slide_id)
            percent = percents[course.id]  # a course the library has is a listed one
            where = (
                f"Slide {place.slide_number} of {place.slide_count}"
                if place.slide_number
                else "Start"
            )
            slide = f" — {place.slide_title}" if place.slide_title else ""
            self.header.title.setText(_greeting(datetime.now()))
            self.header.set_subtitle("Pick up exactly where you stopped. Everything works offline.")
            self.continue_card.show_place(
                "Continue where you left off",
                place.lesson_title,
                f"{course.title}  ·  {where}{slide}",
                "Resume",
                SlideRef(course.id, resume.lesson_id, resume.slide_id),
                percent,
            )
            return
        self.header.title.setText("Welcome to Playbook")
        self.header.set_subtitle(
            "Short, practical courses for marketers — they work offline, and Playbook remembers "
            "exactly where you stopped."
        )
        starter = starter_course(entries)
        if starter is not None:
            lessons = starter.ordered_lessons()
            minutes = (
                f"about {duration(starter.estimated_minutes)} · "
                if starter.estimated_minutes
                else ""
            )
            self.continue_card.show_place(
                "Recommended first course",
                starter.title,
                f"{minutes}{len(lessons)} short lessons. {starter.summary}".strip(),
                "Start the sample course",
                SlideRef(starter.id, lessons[0].id) if lessons else SlideRef(starter.id),
            )
        else:
            self.continue_card.show_place(
                "No courses yet",
                "Add a course folder to begin",
                "Courses are folders with a course.toml and Markdown lessons.",
                "Go to Courses",
                None,
            )

    @property
    def loaded(self) -> bool:
        return self._loaded


def _greeting(now: datetime) -> str:
    if now.hour < 12:
        return "Good morning"
    if now.hour < 18:
        return "Good afternoon"
    return "Good evening"
