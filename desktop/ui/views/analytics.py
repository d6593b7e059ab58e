"""Analytics: what a learner, a marketer and a team owner learn from their own data.

Four tabs under one filter row (a date range and a course):

* **Learning** — progress rings per course with the modules of the chosen one, time per
  week, quiz scores by objective (weakest first), the streak and what to do next;
* **Content** — generations per week, content type and provider, acceptance, the quality
  findings hit most, latency, tokens, cost and the cache;
* **Policies** — documents by state, time to approval, policies due for review;
* **Team** — for the owner of a team, the team's figures from the sync server (members
  × objectives heat map, completion, time, template work); everyone else reads how to
  see them.

Figures are read through the window's :class:`TaskRunner` (never on the GUI thread),
only for the tab on screen; the other tabs read theirs when they are opened. Changing
the filter re-reads what is shown. Each chart has its numbers one click away and
exports as CSV and PNG (:class:`~desktop.ui.widgets.charts.ChartCard`).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QGridLayout,
    QHBoxLayout,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.analytics import (
    AnalyticsFilter,
    ContentFigures,
    LearningFigures,
    NextStep,
    NextStepKind,
    PolicyFigures,
    PolicyReviewDue,
    ReviewStatus,
    add_months,
    week_start,
)
from desktop.ui import theme
from desktop.ui.models.analytics import streak_figure
from desktop.ui.models.base import SlideRef
from desktop.ui.tasks import TaskRunner, user_message
from desktop.ui.views.placeholder import ComingSection
from desktop.ui.widgets.charts import (
    Bar,
    BarChart,
    Category,
    ChartCard,
    HBarChart,
    HeatMap,
    Ring,
    RingChart,
    StatTile,
    chart_stylesheet,
    minute_ticks,
    minutes_text,
    percent_text,
)
from desktop.ui.widgets.common import (
    Card,
    ClickableCard,
    EmptyState,
    PageHeader,
    button,
    centred,
    clear_layout,
    icon_label,
    label,
    pill,
    scroll_page,
)

if TYPE_CHECKING:
    from desktop.domain.course import Course
    from desktop.domain.team_analytics import TeamReport
    from desktop.services.analytics import AnalyticsService
    from desktop.services.course_library import CourseLibrary
    from desktop.services.team_analytics import TeamAnalyticsService

ANALYTICS_PLACEHOLDER = ComingSection(
    "Analytics",
    "Your learning, content and policies in charts.",
    "chart",
    "Analytics — what your own data says",
    "Progress rings per course, your time per week, where your quiz answers are weak, what "
    "you generate and keep, and which policies are due for review. This copy of Playbook "
    "was started without its analytics.",
    (
        "Every chart has its numbers one click away, and exports as CSV or PNG",
        "Computed on this computer, offline",
        "Team owners see their team's progress from the sync server",
    ),
)

LEARNING, CONTENT, POLICIES, TEAM = "learning", "content", "policies", "team"
WEAKEST_SHOWN = 10  # objectives in the chart until "Show all"
HEAT_COLUMNS = 12  # objectives in the team's heat map (the weakest)
TABS = (LEARNING, CONTENT, POLICIES, TEAM)
TAB_TITLES = {LEARNING: "Learning", CONTENT: "Content", POLICIES: "Policies", TEAM: "Team"}


@dataclass(frozen=True, slots=True)
class RangePreset:
    key: str
    label: str


RANGES = (
    RangePreset("4w", "Last 4 weeks"),
    RangePreset("12w", "Last 12 weeks"),
    RangePreset("12m", "Last 12 months"),
    RangePreset("all", "All time"),
)


def range_filter(key: str, today: date, course_id: str | None = None) -> AnalyticsFilter:
    """The filter of a date-range preset, ending today. Week ranges start on a Monday, so
    "last 4 weeks" is this week and the three before it: four whole bars.

    No end day is set: nothing happened after today (the figures' weeks and streak end
    today anyway), and an open end reads much faster than an end bound (SQLite uses the
    time index for one bound only)."""
    if key == "4w":
        since: date | None = week_start(today) - timedelta(weeks=3)
    elif key == "12w":
        since = week_start(today) - timedelta(weeks=11)
    elif key == "12m":
        since = add_months(today, -12) + timedelta(days=1)
    else:
        since = None
    return AnalyticsFilter(since=since, course_id=course_id)


# -- how figures are written -------------------------------------------------------------


def percent(fraction: float | None) -> str:
    return "—" if fraction is None else f"{round(fraction * 100)}%"


def time_text(seconds: float) -> str:
    return minutes_text(seconds / 60) if seconds >= 60 or seconds == 0 else "< 1 min"


def day_label(day: date) -> str:
    return f"{day.day} {day.strftime('%b')}"


def days_text(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    days = seconds / 86_400
    if days < 1:
        hours = seconds / 3600
        return f"{hours:.1f} h" if hours < 10 else f"{round(hours)} h"
    return f"{days:.1f} days" if days < 10 else f"{round(days)} days"


def score_tone(score: float | None) -> str:
    if score is None:
        return "muted"
    if score < 0.5:
        return "danger"
    if score < 0.7:
        return "warning"
    return "success"


def seconds_from_minutes(value: float) -> str:
    return minutes_text(value)


# -- small building blocks ---------------------------------------------------------------


class StatsStrip(Card):
    """A card of headline figures side by side."""

    def __init__(self, tiles: Sequence[StatTile], parent: QWidget | None = None) -> None:
        super().__init__(parent, padding=18)
        row = QHBoxLayout()
        row.setSpacing(28)
        for tile in tiles:
            row.addWidget(tile, 1, Qt.AlignmentFlag.AlignTop)
        self.body.addLayout(row)


class LinkRow(ClickableCard):
    """A row to open something: an icon, a title, a muted line and a pill."""

    def __init__(
        self,
        icon: str,
        title: str,
        detail: str,
        badge: str = "",
        tone: str = "",
        parent: QWidget | None = None,
    ) -> None:
        super().__init__("NextStep", parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 10, 12, 10)
        row.setSpacing(12)
        row.addWidget(icon_label(icon, "accent", 20), 0, Qt.AlignmentFlag.AlignTop)
        text = QVBoxLayout()
        text.setSpacing(2)
        self.title = label(title, "CardTitle", wrap=True)
        self.title.setStyleSheet("font-size: 10.5pt;")
        self.detail = label(detail, "Muted", wrap=True)
        text.addWidget(self.title)
        text.addWidget(self.detail)
        row.addLayout(text, 1)
        if badge:
            row.addWidget(pill(badge, tone), 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(
            icon_label("chevron-right", "text-subtle", 16), 0, Qt.AlignmentFlag.AlignVCenter
        )
        self.setAccessibleName(f"{title}. {detail}")
        self.setToolTip(detail)


NEXT_ICONS = {
    NextStepKind.RESUME: "play",
    NextStepKind.RETAKE: "quiz",
    NextStepKind.START: "book-open",
}
NEXT_BADGES = {
    NextStepKind.RESUME: "Resume",
    NextStepKind.RETAKE: "Practise",
    NextStepKind.START: "Start",
}


def next_step_row(step: NextStep) -> LinkRow:
    return LinkRow(
        NEXT_ICONS.get(step.kind, "book-open"),
        step.lesson_title,
        f"{step.course_title} · {step.reason}",
        NEXT_BADGES.get(step.kind, ""),
        "success" if step.kind is NextStepKind.RESUME else "",
    )


def review_row(review: PolicyReviewDue, today: date) -> LinkRow:
    if review.status is ReviewStatus.OVERDUE:
        badge, tone = f"Overdue {-review.days_left} d", "danger"
    else:
        badge, tone = ("Due today" if review.days_left == 0 else f"In {review.days_left} d"), ""
    detail = (
        f"Version {review.version} · effective {review.effective_date.isoformat()} · "
        f"review by {review.review_on.isoformat()}"
    )
    return LinkRow("policies", review.title, detail, badge, tone)


class ListCard(Card):
    """A titled card holding rows (next steps, policies due), or a line when there are none."""

    def __init__(self, title: str, empty_text: str, parent: QWidget | None = None) -> None:
        super().__init__(parent, padding=18)
        self.body.addWidget(label(title, "CardTitle"))
        self.rows = QVBoxLayout()
        self.rows.setSpacing(8)
        self.body.addLayout(self.rows)
        self.empty = label(empty_text, "Muted", wrap=True)
        self.body.addWidget(self.empty)
        self.body.addStretch(1)
        self.items: list[LinkRow] = []

    def set_rows(self, rows: Sequence[tuple[LinkRow, Callable[[], None]]]) -> None:
        clear_layout(self.rows)
        self.items = []
        for row, action in rows:
            row.activated.connect(action)
            self.rows.addWidget(row)
            self.items.append(row)
        self.empty.setVisible(not rows)


class TabPage(QWidget):
    """One tab: "Loading…" the first time, then its content (or what went wrong)."""

    def __init__(self, content: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        outer = QVBoxLayout(self)
        outer.setContentsMargins(0, 0, 0, 0)
        self.stack = QStackedWidget()
        outer.addWidget(self.stack)
        self.loading = label("Reading your figures…", "Opening")
        self.loading.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.stack.addWidget(self.loading)
        self.error_page = QWidget()
        box = QVBoxLayout(self.error_page)
        box.setContentsMargins(0, 24, 0, 0)
        self.error_state = EmptyState(
            "alert", "These figures can't be shown right now", "", parent=self.error_page
        )
        self.error_text = self.error_state.body
        self.retry = button("Try again", icon="refresh")
        self.error_state.add_action(self.retry)
        box.addLayout(centred(self.error_state, 640))
        box.addStretch(1)
        self.stack.addWidget(self.error_page)
        self.content = content
        self.scroll_area = scroll_page(content)
        self.scroll_area.setObjectName("AnalyticsScroll")
        self.stack.addWidget(self.scroll_area)
        self.has_data = False

    def show_loading(self) -> None:
        if not self.has_data:
            self.stack.setCurrentWidget(self.loading)

    def show_error(self, text: str) -> None:
        self.error_text.setText(text)
        self.stack.setCurrentWidget(self.error_page)

    def show_content(self) -> None:
        self.has_data = True
        self.stack.setCurrentWidget(self.scroll_area)

    @property
    def showing(self) -> str:
        current = self.stack.currentWidget()
        if current is self.scroll_area:
            return "content"
        return "error" if current is self.error_page else "loading"


def _content_widget() -> tuple[QWidget, QGridLayout]:
    widget = QWidget()
    widget.setObjectName("Page")
    grid = QGridLayout(widget)
    grid.setContentsMargins(0, 4, 12, 16)
    grid.setHorizontalSpacing(16)
    grid.setVerticalSpacing(16)
    grid.setColumnStretch(0, 3)
    grid.setColumnStretch(1, 2)
    return widget, grid


def _two_columns(grid: QGridLayout, row: int) -> tuple[QVBoxLayout, QVBoxLayout]:
    """Two columns in ``row`` of ``grid`` that stack cards on their own, so a tall card
    never leaves a gap in the card beside it."""
    left, right = QVBoxLayout(), QVBoxLayout()
    for column in (left, right):
        column.setSpacing(16)
    grid.addLayout(left, row, 0)
    grid.addLayout(right, row, 1)
    return left, right


# -- the tabs ----------------------------------------------------------------------------


class LearningTab(TabPage):
    open_requested = Signal(object)  # SlideRef

    def __init__(self, parent: QWidget | None = None) -> None:
        content, grid = _content_widget()
        super().__init__(content, parent)
        self.figures: LearningFigures | None = None
        self.time = StatTile("Time spent")
        self.days = StatTile("Active days")
        self.lessons = StatTile("Lessons completed")
        self.right = StatTile("Quiz answers right")
        self.streak = StatTile("Streak")
        grid.addWidget(
            StatsStrip([self.time, self.days, self.lessons, self.right, self.streak]), 0, 0, 1, 2
        )
        self.rings = RingChart(
            "Add a course under Courses and open a lesson: every course gets a ring here."
        )
        self.rings.activated.connect(self._pick_course)
        self.rings_card = ChartCard(
            "Progress per course", self.rings, "Lessons completed by the end of the range"
        )
        left, right = _two_columns(grid, 1)
        left.addWidget(self.rings_card)
        self.modules = HBarChart(
            "Pick a course ring to see its modules.",
            value_title="Complete (%)",
            label_title="Module",
            value_format=percent_text,
            maximum=100,
            label_above=True,
        )
        self.modules_card = ChartCard("Modules", self.modules)
        right.addWidget(self.modules_card)
        self.weeks = BarChart(
            "Take a lesson to see your time here: Playbook counts the minutes you spend on slides.",
            value_title="Minutes",
            label_title="Week starting",
            value_format=minutes_text,
            ticks=minute_ticks,
        )
        self.weeks_card = ChartCard("Time per week", self.weeks, "Minutes spent in lessons")
        left.addWidget(self.weeks_card)
        self.next_card = ListCard(
            "What to do next", "Nothing to suggest yet: add a course to get your first lesson."
        )
        right.insertWidget(0, self.next_card)
        self.objectives = HBarChart(
            "Answer a quiz in any lesson to see which objectives you master and where you "
            "are weak.",
            value_title="Score (%)",
            label_title="Objective",
            value_format=percent_text,
            maximum=100,
            label_above=True,
        )
        self.objectives.clickable = True
        self.objectives.activated.connect(self._open_objective)
        self.objectives_card = ChartCard(
            "Quiz scores by objective",
            self.objectives,
            "Weakest first · best score per question · click one to practise it",
        )
        self.show_all = button("Show all", variant="ghost")
        self.show_all.setCheckable(True)
        self.show_all.toggled.connect(lambda _on: self._show_objectives())
        self.objectives_card.add_header_widget(self.show_all)
        left.addWidget(self.objectives_card)
        left.addStretch(1)
        right.addStretch(1)
        grid.setRowStretch(2, 1)
        self.cards = [self.rings_card, self.modules_card, self.weeks_card, self.objectives_card]
        self._course_index = 0
        self._objective_refs: list[SlideRef | None] = []

    def show_figures(self, figures: LearningFigures) -> None:
        self.figures = figures
        totals = figures.totals
        self.time.set(time_text(totals.seconds), "in this range")
        self.days.set(str(totals.active_days), "days with any learning")
        self.lessons.set(
            f"{totals.completed_lessons} of {totals.total_lessons}",
            f"{totals.completed_courses} course{'s' if totals.completed_courses != 1 else ''} "
            "complete",
        )
        self.right.set(
            percent(totals.correct_rate),
            f"of {totals.attempts} attempt{'s' if totals.attempts != 1 else ''}",
            score_tone(totals.correct_rate) if totals.correct_rate is not None else "",
        )
        self.streak.set(*streak_figure(figures.streak))
        self.rings.set_rings(
            [
                Ring(c.title, c.progress, f"{c.completed_lessons} of {c.total_lessons} lessons")
                for c in figures.courses
            ]
        )
        started = [i for i, c in enumerate(figures.courses) if c.started]
        self._course_index = started[0] if started else 0
        self._show_modules()
        self.weeks.set_bars(
            [
                Bar(
                    day_label(w.start),
                    round(w.seconds / 60, 1),
                    f"Week of {day_label(w.start)}: {time_text(w.seconds)} · "
                    f"{w.active_days} active day{'s' if w.active_days != 1 else ''}",
                )
                for w in figures.weeks
            ]
        )
        self._show_objectives()
        self.next_card.set_rows([(next_step_row(s), self._opener(s)) for s in figures.next_steps])
        for card in self.cards:
            card.refresh()
        self.show_content()

    def _show_objectives(self) -> None:
        """The weakest objectives (all of them with "Show all")."""
        figures = self.figures
        answered = [o for o in figures.objectives if o.answered_questions] if figures else []
        more = len(answered) > WEAKEST_SHOWN
        self.show_all.setVisible(more)
        self.show_all.setText(
            "Show fewer" if self.show_all.isChecked() else f"Show all {len(answered)}"
        )
        if more and not self.show_all.isChecked():
            answered = answered[:WEAKEST_SHOWN]
        self.objectives.set_items(
            [
                Category(
                    o.objective,
                    round((o.score or 0.0) * 100, 1),
                    score_tone(o.score),
                    f"{o.objective}\n{o.course_title} · best score {percent(o.score)} · "
                    f"{o.answered_questions} of {o.questions} questions answered · "
                    f"{o.attempts} attempts",
                    percent(o.score),
                )
                for o in answered
            ]
        )
        self._objective_refs = [
            SlideRef(o.course_id, o.lesson_ids[0]) if o.lesson_ids else None for o in answered
        ]
        self.objectives_card.refresh()

    def _opener(self, step: NextStep) -> Callable[[], None]:
        ref = SlideRef(step.course_id, step.lesson_id, step.slide_id)
        return lambda: self.open_requested.emit(ref)

    def _pick_course(self, index: int) -> None:
        self._course_index = index
        self._show_modules()
        self.modules_card.refresh()

    def _show_modules(self) -> None:
        courses = self.figures.courses if self.figures is not None else ()
        if not courses:
            self.modules.set_items([])
            self.modules_card.set_subtitle("")
            return
        course = courses[min(self._course_index, len(courses) - 1)]
        hint = " · choose a ring to switch" if len(courses) > 1 else ""
        self.modules_card.set_subtitle(f"{course.title}{hint}")
        self.modules.empty_text = "This course has no modules."
        self.modules.set_items(
            [
                Category(
                    m.title,
                    round(m.progress * 100, 1),
                    "success" if m.progress >= 1 else "",
                    f"{m.title}: {m.completed_lessons} of {m.total_lessons} lessons · "
                    f"{time_text(m.seconds)}",
                    f"{m.completed_lessons}/{m.total_lessons}",
                )
                for m in course.modules
            ]
        )

    def _open_objective(self, index: int) -> None:
        if 0 <= index < len(self._objective_refs):
            ref = self._objective_refs[index]
            if ref is not None:
                self.open_requested.emit(ref)


class ContentTab(TabPage):
    def __init__(self, parent: QWidget | None = None) -> None:
        content, grid = _content_widget()
        super().__init__(content, parent)
        self.figures: ContentFigures | None = None
        self.generations = StatTile("Generations")
        self.acceptance = StatTile("Accepted")
        self.latency = StatTile("Average latency")
        self.tokens = StatTile("Tokens per generation")
        self.cost = StatTile("Cost per generation")
        self.cache = StatTile("Cache hits")
        grid.addWidget(
            StatsStrip(
                [
                    self.generations,
                    self.acceptance,
                    self.latency,
                    self.tokens,
                    self.cost,
                    self.cache,
                ]
            ),
            0,
            0,
            1,
            2,
        )
        hint = "Generate copy in Content Studio to see it here."
        self.weeks = BarChart(hint, value_title="Generations", label_title="Week starting")
        self.weeks_card = ChartCard(
            "Generations per week", self.weeks, "Every generation, failed ones included"
        )
        grid.addWidget(self.weeks_card, 1, 0)
        self.types = HBarChart(hint, value_title="Generations", label_title="Content type")
        self.types_card = ChartCard("By content type", self.types, "Most generated first")
        grid.addWidget(self.types_card, 1, 1)
        self.providers = HBarChart(hint, value_title="Generations", label_title="Provider")
        self.providers_card = ChartCard("By provider", self.providers)
        grid.addWidget(self.providers_card, 2, 1)
        self.accepted = HBarChart(
            "Favourite or export a variant to see what you keep.",
            value_title="Accepted (%)",
            label_title="Content type",
            value_format=percent_text,
            maximum=100,
        )
        self.accepted_card = ChartCard(
            "Acceptance by content type", self.accepted, "Variants favourited or exported"
        )
        grid.addWidget(self.accepted_card, 2, 0)
        self.findings = HBarChart(
            "No quality findings in this range: nothing generated yet, or nothing to flag.",
            value_title="Hits",
            label_title="Finding",
            label_above=True,
        )
        self.findings_card = ChartCard(
            "Quality findings hit most", self.findings, "Checks against the channel's rules"
        )
        grid.addWidget(self.findings_card, 3, 0, 1, 2)
        grid.setRowStretch(4, 1)
        self.cards = [
            self.weeks_card,
            self.types_card,
            self.providers_card,
            self.accepted_card,
            self.findings_card,
        ]

    def show_figures(self, figures: ContentFigures) -> None:
        self.figures = figures
        self.generations.set(
            f"{figures.generations:,}",
            f"{figures.failed} failed" if figures.failed else "none failed",
        )
        self.acceptance.set(
            percent(figures.acceptance_rate),
            f"{figures.accepted:,} of {figures.variants:,} variants",
        )
        self.latency.set(
            "—"
            if figures.average_latency_ms is None
            else f"{figures.average_latency_ms / 1000:.1f} s",
            "per generation, cache hits excluded",
        )
        if figures.average_prompt_tokens is None:
            self.tokens.set("—", "no generation yet")
        else:
            prompt = figures.average_prompt_tokens
            completion = figures.average_completion_tokens or 0.0
            self.tokens.set(
                f"{round(prompt + completion):,}",
                f"{round(prompt):,} in · {round(completion):,} out",
            )
        self.cost.set(
            "—" if figures.average_cost_usd is None else f"${figures.average_cost_usd:.4f}",
            f"${figures.total_cost_usd:.2f} in total",
        )
        self.cache.set(
            percent(figures.cache_hit_rate), f"{figures.cache_hits:,} answered from the cache"
        )
        self.weeks.set_bars(
            [
                Bar(
                    day_label(w.start),
                    w.generations,
                    f"Week of {day_label(w.start)}: {w.generations:,} generations",
                )
                for w in figures.weeks
            ]
        )
        self.types.set_items(
            [
                Category(
                    t.label,
                    t.generations,
                    "",
                    f"{t.label}: {t.generations:,} generations ({percent(t.share)})",
                )
                for t in figures.by_type
            ]
        )
        self.providers.set_items(
            [
                Category(
                    p.label,
                    p.generations,
                    "",
                    f"{p.label}: {p.generations:,} generations ({percent(p.share)})",
                )
                for p in figures.by_provider
            ]
        )
        self.accepted.set_items(
            [
                Category(
                    t.label,
                    round(t.acceptance_rate * 100, 1),
                    "",
                    f"{t.label}: {t.accepted:,} of {t.variants:,} variants kept",
                    percent(t.acceptance_rate),
                )
                for t in figures.by_type
                if t.acceptance_rate is not None
            ]
        )
        tones = {"error": "danger", "warning": "warning"}
        self.findings.set_items(
            [
                Category(
                    f.message or f.code,
                    f.hits,
                    tones.get(f.severity, "muted"),
                    f"{f.message}\n{f.code} · {f.severity} · {f.hits:,} hits in "
                    f"{f.variants:,} variants",
                )
                for f in figures.findings
            ]
        )
        for card in self.cards:
            card.refresh()
        self.show_content()


STATE_TONES = {
    "draft": "muted",
    "in_review": "warning",
    "changes_requested": "danger",
    "approved": "success",
}


class PoliciesTab(TabPage):
    policy_requested = Signal(object)  # uuid.UUID

    def __init__(self, parent: QWidget | None = None) -> None:
        content, grid = _content_widget()
        super().__init__(content, parent)
        self.figures: PolicyFigures | None = None
        self.documents = StatTile("Policies")
        self.approvals = StatTile("Approved in range")
        self.to_approval = StatTile("Draft to approval")
        self.due_soon = StatTile("Review due soon")
        self.overdue = StatTile("Review overdue")
        grid.addWidget(
            StatsStrip(
                [self.documents, self.approvals, self.to_approval, self.due_soon, self.overdue]
            ),
            0,
            0,
            1,
            2,
        )
        self.states = HBarChart(
            "Create a policy under Policies to follow its drafts, reviews and approvals here.",
            value_title="Policies",
            label_title="State",
        )
        self.states_card = ChartCard(
            "Policies by state", self.states, "Each policy's latest version"
        )
        grid.addWidget(self.states_card, 1, 0)
        self.reviews = ListCard(
            "Due for review",
            "No approved policy is due for review in the next 30 days.",
        )
        grid.addWidget(self.reviews, 1, 1)
        grid.setRowStretch(2, 1)
        self.cards = [self.states_card]

    def show_figures(self, figures: PolicyFigures) -> None:
        self.figures = figures
        self.documents.set(str(figures.documents), "not deleted")
        self.approvals.set(str(figures.approvals), "versions approved")
        self.to_approval.set(
            days_text(figures.average_seconds_to_approval),
            "average"
            if figures.median_seconds_to_approval is None
            else f"average · median {days_text(figures.median_seconds_to_approval)}",
        )
        self.due_soon.set(
            str(figures.due_soon), "within 30 days", "warning" if figures.due_soon else ""
        )
        without = figures.approved_without_date
        self.overdue.set(
            str(figures.overdue),
            f"{without} approved without an effective date" if without else "past the review date",
            "danger" if figures.overdue else "",
        )
        has_any = figures.documents > 0
        self.states.set_items(
            [
                Category(
                    s.label, s.documents, STATE_TONES.get(s.state, ""), f"{s.label}: {s.documents}"
                )
                for s in figures.by_state
            ]
            if has_any
            else []
        )
        self.reviews.set_rows(
            [(review_row(r, figures.today), self._opener(r)) for r in figures.reviews]
        )
        for card in self.cards:
            card.refresh()
        self.show_content()

    def _opener(self, review: PolicyReviewDue) -> Callable[[], None]:
        return lambda: self.policy_requested.emit(uuid.UUID(hex=review.document_id))


class TeamTab(TabPage):
    """The team's figures for its owner; for anyone else, how to see them."""

    account_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        content, grid = _content_widget()
        super().__init__(content, parent)
        self.report: TeamReport | None = None
        # What someone who cannot see team figures reads instead.
        self.explain = QWidget()
        box = QVBoxLayout(self.explain)
        box.setContentsMargins(0, 24, 0, 0)
        self.explain_state = EmptyState(
            "lock",
            "Team figures are for team owners",
            "Sign in under Settings → Account with the account that owns your team.",
        )
        self.sign_in = button("Open Account settings", variant="primary")
        self.sign_in.clicked.connect(self.account_requested)
        self.explain_state.add_action(self.sign_in)
        box.addLayout(centred(self.explain_state, 640))
        box.addStretch(1)
        self.stack.addWidget(self.explain)
        self.error_sign_in = button("Open Account settings", variant="primary")
        self.error_sign_in.clicked.connect(self.account_requested)
        self.error_state.add_action(self.error_sign_in)
        self.error_sign_in.setVisible(False)

        self.team_picker = QComboBox()
        self.team_picker.setAccessibleName("Team")
        self.team_picker.setMinimumWidth(220)
        self.picker_row = QWidget()
        picker = QHBoxLayout(self.picker_row)
        picker.setContentsMargins(0, 0, 0, 0)
        picker.addWidget(label("Team", "Muted"))
        picker.addWidget(self.team_picker)
        picker.addStretch(1)
        grid.addWidget(self.picker_row, 0, 0, 1, 2)
        self.picker_row.setVisible(False)
        self.members = StatTile("Members")
        self.not_started = StatTile("Not started")
        self.completion = StatTile("Average completion")
        self.score = StatTile("Quiz score")
        self.time = StatTile("Time spent")
        self.conflicts = StatTile("Conflicts resolved")
        grid.addWidget(
            StatsStrip(
                [
                    self.members,
                    self.not_started,
                    self.completion,
                    self.score,
                    self.time,
                    self.conflicts,
                ]
            ),
            1,
            0,
            1,
            2,
        )
        self.heat = HeatMap(
            "When members answer quizzes, their score per objective shows here.",
            corner_title="Member",
            missing_text="Not answered",
        )
        self.heat_card = ChartCard(
            "Objectives by member",
            self.heat,
            "Share of questions answered right · hatched: nothing answered yet",
        )
        grid.addWidget(self.heat_card, 2, 0, 1, 2)
        self.member_completion = HBarChart(
            "Members' completion shows once someone finishes a lesson.",
            value_title="Complete (%)",
            label_title="Member",
            value_format=percent_text,
            maximum=100,
        )
        self.member_card = ChartCard(
            "Completion per member", self.member_completion, "Lessons completed in the range"
        )
        left, right = _two_columns(grid, 3)
        left.addWidget(self.member_card)
        self.team_weeks = BarChart(
            "No learning in this range yet.",
            value_title="Minutes",
            label_title="Week starting",
            value_format=minutes_text,
            ticks=minute_ticks,
        )
        self.weeks_card = ChartCard("Team time per week", self.team_weeks, "Everyone's minutes")
        right.addWidget(self.weeks_card)
        self.lessons = HBarChart(
            "No quiz answered in this range yet.",
            value_title="Quiz score (%)",
            label_title="Lesson",
            value_format=percent_text,
            maximum=100,
            label_above=True,
        )
        self.lessons_card = ChartCard("Lessons, weakest first", self.lessons, "Team quiz score")
        left.addWidget(self.lessons_card)
        self.templates = HBarChart(
            "No template edits in this range.", value_title="Revisions", label_title="Member"
        )
        self.templates_card = ChartCard(
            "Template edits per member", self.templates, "Revisions saved to team templates"
        )
        right.addWidget(self.templates_card)
        left.addStretch(1)
        right.addStretch(1)
        self.not_started_list = label("", "Muted", wrap=True)
        grid.addWidget(self.not_started_list, 4, 0, 1, 2)
        grid.setRowStretch(5, 1)
        self.cards = [
            self.heat_card,
            self.member_card,
            self.weeks_card,
            self.lessons_card,
            self.templates_card,
        ]

    def show_error(self, text: str, *, sign_in: bool = False) -> None:
        super().show_error(text)
        self.error_sign_in.setVisible(sign_in)

    def explain_why(self, title: str, body: str, action: bool) -> None:
        self.explain_state.title.setText(title)
        self.explain_state.body.setText(body)
        self.sign_in.setVisible(action)
        self.stack.setCurrentWidget(self.explain)

    @property
    def explaining(self) -> bool:
        return self.stack.currentWidget() is self.explain

    def show_report(self, report: TeamReport) -> None:
        self.report = report
        members = report.members
        self.members.set(str(len(members)), "in the team now")
        waiting = report.not_started
        self.not_started.set(
            str(len(waiting)), "never opened a lesson", "warning" if waiting else "success"
        )
        completions = [m.completion for m in members if m.completion is not None]
        self.completion.set(
            percent(sum(completions) / len(completions) if completions else None),
            "of the lessons reported on",
        )
        answered = sum(m.questions_answered for m in members)
        correct = sum(m.questions_correct for m in members)
        team_score = correct / answered if answered else None
        self.score.set(
            percent(team_score),
            f"{answered:,} questions answered",
            score_tone(team_score) if answered else "",
        )
        self.time.set(time_text(sum(m.seconds for m in members)), "everyone, in the range")
        totals = report.template_totals
        self.conflicts.set(
            f"{totals.conflicts_resolved} of {totals.conflicts}",
            f"{totals.revisions:,} template revisions",
            "warning" if totals.conflicts_open else "",
        )
        # Columns: the objectives someone answered, weakest first; at most HEAT_COLUMNS
        # of them (all courses can hold a hundred; a course filter shows the rest).
        answered_objectives = sorted(
            (o for o in report.objectives if o.questions_answered),
            key=lambda o: o.score if o.score is not None else 2.0,
        )
        shown = answered_objectives[:HEAT_COLUMNS]
        objectives = [o.objective for o in shown]
        rows = [m for m in members if m.started]
        values = [
            [
                None
                if (cell := report.cell(m.user_id, o.key)) is None or cell.score is None
                else round(cell.score * 100, 1)
                for o in objectives
            ]
            for m in rows
        ]
        if objectives and rows:
            self.heat.set_data([m.name for m in rows], [o.text for o in objectives], values)
        else:
            self.heat.set_data([], [], [])
        more = len(answered_objectives) - len(shown)
        self.heat_card.set_subtitle(
            "Share of questions answered right · hatched: nothing answered yet"
            + (
                f" · the {len(shown)} weakest of {len(answered_objectives)} objectives: "
                "pick a course to see all of its own"
                if more > 0
                else ""
            )
        )
        self.member_completion.set_items(
            [
                Category(
                    m.name,
                    round((m.completion or 0.0) * 100, 1),
                    "success" if (m.completion or 0) >= 1 else "",
                    f"{m.name}: {m.lessons_completed} lessons completed · {time_text(m.seconds)}",
                    percent(m.completion),
                )
                for m in sorted(members, key=lambda m: -(m.completion or 0.0))
                if m.started
            ]
        )
        self.team_weeks.set_bars(
            [
                Bar(
                    day_label(w.week_start),
                    round(w.seconds / 60, 1),
                    f"Week of {day_label(w.week_start)}: {time_text(w.seconds)} · "
                    f"{w.active_members} active · {w.completions} lessons completed",
                )
                for w in report.weeks
            ]
        )
        scored = sorted(
            (lesson for lesson in report.lessons if lesson.quiz_score is not None),
            key=lambda lesson: lesson.quiz_score or 0.0,
        )
        self.lessons.set_items(
            [
                Category(
                    lesson.lesson_title,
                    round((lesson.quiz_score or 0.0) * 100, 1),
                    score_tone(lesson.quiz_score),
                    f"{lesson.lesson_title}: {percent(lesson.quiz_score)} · "
                    f"{lesson.members_completed} completed · {lesson.attempts} attempts",
                    percent(lesson.quiz_score),
                )
                for lesson in scored
            ]
        )
        self.templates.set_items(
            [
                Category(
                    m.name,
                    m.templates.revisions,
                    "",
                    f"{m.name}: {m.templates.revisions} revisions "
                    f"({m.templates.created} created, {m.templates.edits} edits) · "
                    f"{m.templates.conflicts_resolved} of {m.templates.conflicts} "
                    "conflicts resolved",
                )
                for m in sorted(members, key=lambda m: -m.templates.revisions)
                if m.templates.revisions
            ]
        )
        self.not_started_list.setText(
            "Not started yet: " + ", ".join(m.name for m in waiting) if waiting else ""
        )
        self.not_started_list.setVisible(bool(waiting))
        for card in self.cards:
            card.refresh()
        self.show_content()


# -- the section -------------------------------------------------------------------------


class AnalyticsView(QWidget):
    """The Analytics section (see the module doc)."""

    open_requested = Signal(object)  # SlideRef
    policy_requested = Signal(object)  # uuid.UUID of a policy document
    account_requested = Signal()
    message = Signal(str)
    loaded = Signal(str)  # a tab's figures are on screen (its key)

    def __init__(
        self,
        analytics: AnalyticsService,
        library: CourseLibrary,
        runner: TaskRunner,
        *,
        team: TeamAnalyticsService | None = None,
        today: Callable[[], date] = date.today,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.setStyleSheet(chart_stylesheet() + _VIEW_QSS)
        self.analytics = analytics
        self.library = library
        self.runner = runner
        self.team = team
        self.today = today
        self.requested: dict[str, Any] = {}  # tab -> the filter last asked for
        self._stale = set(TABS)
        self._generation = dict.fromkeys(TABS, 0)
        self._shown = False

        root = QVBoxLayout(self)
        root.setContentsMargins(36, 28, 24, 0)
        root.setSpacing(14)
        self.header = PageHeader(
            "Analytics", "Your learning, content and policies — computed on this computer."
        )
        root.addWidget(self.header)

        filters = QHBoxLayout()
        filters.setSpacing(10)
        self.range_picker = QComboBox()
        self.range_picker.setAccessibleName("Date range")
        for preset in RANGES:
            self.range_picker.addItem(preset.label, preset.key)
        self.range_picker.setCurrentIndex(1)
        self.course_picker = QComboBox()
        self.course_picker.setAccessibleName("Course")
        self.course_picker.setMinimumWidth(220)
        self.course_picker.addItem("All courses", None)
        filters.addWidget(icon_label("clock", "text-muted", 18))
        filters.addWidget(self.range_picker)
        filters.addSpacing(6)
        filters.addWidget(icon_label("courses", "text-muted", 18))
        filters.addWidget(self.course_picker)
        self.busy = label("Updating…", "Subtle")
        self.busy.setVisible(False)
        filters.addSpacing(8)
        filters.addWidget(self.busy)
        filters.addStretch(1)
        root.addLayout(filters)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("AnalyticsTabs")
        self.tabs.setDocumentMode(True)
        self.learning = LearningTab()
        self.learning.open_requested.connect(self.open_requested)
        self.content = ContentTab()
        self.policies = PoliciesTab()
        self.policies.policy_requested.connect(self.policy_requested)
        self.team_tab = TeamTab()
        self.team_tab.account_requested.connect(self.account_requested)
        self.team_tab.team_picker.currentIndexChanged.connect(lambda _i: self._reload(TEAM))
        self.pages: dict[str, TabPage] = {
            LEARNING: self.learning,
            CONTENT: self.content,
            POLICIES: self.policies,
            TEAM: self.team_tab,
        }
        for key in TABS:
            self.tabs.addTab(self.pages[key], TAB_TITLES[key])
            self.pages[key].retry.clicked.connect(lambda _c=False, k=key: self._reload(k))
        root.addWidget(self.tabs, 1)
        for page in self.pages.values():
            for card in getattr(page, "cards", ()):
                card.message.connect(self.message)

        self.range_picker.currentIndexChanged.connect(lambda _i: self.refresh())
        self.course_picker.currentIndexChanged.connect(lambda _i: self.refresh())
        self.tabs.currentChanged.connect(lambda _i: self._on_tab())

    def _on_tab(self) -> None:
        # Generations and policies belong to no course: the course filter does not apply.
        applies = self.current_tab in (LEARNING, TEAM)
        self.course_picker.setEnabled(applies)
        self.course_picker.setToolTip(
            "" if applies else "Content and policies are not tied to a course."
        )
        self._load_current()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._shown:  # built and shown at once: nobody asked it to refresh yet
            self._shown = True
            self.refresh()

    # -- filters ----------------------------------------------------------------------

    def current_filter(self) -> AnalyticsFilter:
        key = str(self.range_picker.currentData())
        course = self.course_picker.currentData()
        return range_filter(key, self.today(), course if isinstance(course, str) else None)

    def set_range(self, key: str) -> None:
        index = self.range_picker.findData(key)
        if index < 0:
            raise ValueError(f"unknown date range {key!r}")
        self.range_picker.setCurrentIndex(index)

    def set_course(self, course_id: str | None) -> None:
        index = self.course_picker.findData(course_id)
        self.course_picker.setCurrentIndex(max(0, index))

    def _courses(self) -> list[Course]:
        from desktop.ui.lookup import healthy

        return healthy(self.library.entries())

    def _fill_courses(self) -> None:
        chosen = self.course_picker.currentData()
        courses = sorted(self._courses(), key=lambda c: c.title.casefold())
        wanted = [(c.title, c.id) for c in courses]
        have = [
            (self.course_picker.itemText(i), self.course_picker.itemData(i))
            for i in range(1, self.course_picker.count())
        ]
        if wanted == have:
            return
        self.course_picker.blockSignals(True)
        self.course_picker.clear()
        self.course_picker.addItem("All courses", None)
        for title, course_id in wanted:
            self.course_picker.addItem(title, course_id)
        index = self.course_picker.findData(chosen)
        self.course_picker.setCurrentIndex(max(0, index))
        self.course_picker.blockSignals(False)

    # -- loading ----------------------------------------------------------------------

    @property
    def current_tab(self) -> str:
        return TABS[self.tabs.currentIndex()]

    def show_tab(self, key: str) -> None:
        self.tabs.setCurrentIndex(TABS.index(key))

    def refresh(self) -> None:
        """Re-read the figures of the tab on screen (the others when they are opened)."""
        self._shown = True
        self._fill_courses()
        self._stale = set(TABS)
        self._load_current()

    def _load_current(self) -> None:
        key = self.current_tab
        if key in self._stale:
            self._reload(key)

    def _reload(self, key: str) -> None:
        self._stale.discard(key)
        if key == TEAM:
            self._load_team()
            return
        flt = self.current_filter()
        self.requested[key] = flt
        self._generation[key] += 1
        generation = self._generation[key]
        page = self.pages[key]
        page.show_loading()
        self._set_busy(True)
        service = self.analytics
        today = self.today()
        courses = self._courses()
        work: Callable[[], object] = {
            LEARNING: lambda: service.learning(courses, flt, today),
            CONTENT: lambda: service.content(flt),
            POLICIES: lambda: service.policies(flt, today),
        }[key]
        self.runner.run(
            f"Reading {TAB_TITLES[key].lower()} figures",
            work,
            owner=self,
            on_done=lambda result: self._deliver(key, generation, result),
            on_error=lambda _d, exc: self._failed(key, generation, exc),
        )

    def _deliver(self, key: str, generation: int, result: object) -> None:
        if generation != self._generation[key]:
            return  # an older request: a newer filter is on its way
        self._set_busy(False)
        if key == LEARNING and isinstance(result, LearningFigures):
            self.learning.show_figures(result)
        elif key == CONTENT and isinstance(result, ContentFigures):
            self.content.show_figures(result)
        elif key == POLICIES and isinstance(result, PolicyFigures):
            self.policies.show_figures(result)
        self.loaded.emit(key)

    def _failed(self, key: str, generation: int, exc: BaseException) -> None:
        if generation != self._generation[key]:
            return
        self._set_busy(False)
        self.pages[key].show_error(
            f"Could not read the {TAB_TITLES[key].lower()} figures. {user_message(exc)}"
        )
        self.loaded.emit(key)

    def _set_busy(self, busy: bool) -> None:
        self.busy.setVisible(busy and any(p.has_data for p in self.pages.values()))

    # -- team -------------------------------------------------------------------------

    def _load_team(self) -> None:
        tab = self.team_tab
        team = self.team
        if team is None:
            tab.explain_why(
                "Team figures come from the sync server",
                "This copy of Playbook is not connected to a team server. Your own figures "
                "are under Learning, Content and Policies.",
                False,
            )
            self.loaded.emit(TEAM)
            return
        teams = team.owned_teams()  # None: signed out; []: owns no team
        if teams is None:
            tab.explain_why(
                "Sign in to see your team's figures",
                "Team figures come from your team's sync server. Sign in under Settings → "
                "Account; if you own a team, its members' progress shows here.",
                True,
            )
            self.loaded.emit(TEAM)
            return
        if not teams:
            tab.explain_why(
                "Team figures are for team owners",
                "Only a team's owners see its members' progress. Your own figures are under "
                "Learning; ask your team's owner for the team's.",
                False,
            )
            self.loaded.emit(TEAM)
            return
        picker = tab.team_picker
        if [picker.itemData(i) for i in range(picker.count())] != [t[0] for t in teams]:
            picker.blockSignals(True)
            picker.clear()
            for team_id, name in teams:
                picker.addItem(name, team_id)
            picker.blockSignals(False)
        tab.picker_row.setVisible(True)  # whose figures these are
        picker.setEnabled(len(teams) > 1)
        team_id = picker.currentData()
        flt = self.current_filter()
        courses = self._courses()
        self.requested[TEAM] = (team_id, flt)
        self._generation[TEAM] += 1
        generation = self._generation[TEAM]
        tab.show_loading()
        self._set_busy(True)
        self.runner.run_async(
            "Reading the team's figures",
            lambda: team.fetch(team_id, courses, flt.course_id, flt.start_utc(), flt.end_utc()),
            owner=self,
            on_done=lambda report: self._deliver_team(generation, report),
            on_error=lambda _d, exc: self._team_failed(generation, exc),
        )

    def _team_failed(self, generation: int, exc: BaseException) -> None:
        """The service's sentence in place of the figures (sign in, ask an owner, try
        again later...), with the button that helps."""
        if generation != self._generation[TEAM]:
            return
        self._set_busy(False)
        from desktop.services.team_analytics import TeamAnalyticsError

        if isinstance(exc, TeamAnalyticsError):
            self.team_tab.show_error(exc.message, sign_in=exc.action == "sign_in")
        else:
            self.team_tab.show_error(
                f"Could not read the team's figures. {user_message(exc)}", sign_in=False
            )
        self.loaded.emit(TEAM)

    def _deliver_team(self, generation: int, report: TeamReport) -> None:
        if generation != self._generation[TEAM]:
            return
        self._set_busy(False)
        self.team_tab.show_report(report)
        self.loaded.emit(TEAM)


_VIEW_QSS = theme.substitute_tokens(
    """
QTabWidget#AnalyticsTabs::pane { border: none; }
QTabWidget#AnalyticsTabs QTabBar { qproperty-drawBase: 0; }
QTabWidget#AnalyticsTabs QTabBar::tab {
    background: transparent; color: @text-muted; padding: 8px 16px; margin-right: 4px;
    border: none; border-bottom: 2px solid transparent; font-weight: 600;
}
QTabWidget#AnalyticsTabs QTabBar::tab:selected {
    color: @accent-text; border-bottom: 2px solid @accent;
}
QTabWidget#AnalyticsTabs QTabBar::tab:hover { color: @text; }
QTabWidget#AnalyticsTabs QTabBar::tab:focus { color: @accent; }
QComboBox {
    background: @surface; color: @text; border: 1px solid @border-strong;
    border-radius: 8px; padding: 5px 8px; min-height: 20px;
}
QComboBox:focus { border: 1px solid @accent; }
QComboBox:disabled { color: @text-subtle; background: @surface-alt; border-color: @border; }
QComboBox::drop-down {
    subcontrol-origin: padding; subcontrol-position: center right; width: 24px; border: none;
}
QComboBox::down-arrow { image: url(@icons/arrow-down.svg); width: 12px; height: 12px; }
QScrollArea#AnalyticsScroll { background: transparent; }
"""
)
