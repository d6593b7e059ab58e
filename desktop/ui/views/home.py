"""Home: continue where you left off, progress per course, recent activity."""

from __future__ import annotations

from datetime import datetime

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtWidgets import QHBoxLayout, QProgressBar, QVBoxLayout, QWidget

from desktop.domain.progress import EventKind
from desktop.services.container import Services
from desktop.services.course_library import CourseEntry
from desktop.ui.formatting import duration
from desktop.ui.lookup import describe, find_course, starter_course
from desktop.ui.models.activity import ActivityModel, ActivityRow
from desktop.ui.models.base import Role, SlideRef
from desktop.ui.models.courses import CourseListModel, CourseRow
from desktop.ui.widgets.common import Card, ClickableCard, PageHeader, button, filler_label, label
from desktop.ui.widgets.delegates import CardList, CardStyle

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


class HomeView(QWidget):
    open_requested = Signal(object)  # SlideRef
    browse_requested = Signal()  # "add a course" when there is none

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
        for entry in entries:
            if entry.course is None or entry.broken:
                continue
            cp = services.progress.course_progress(entry.course)
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
        self._refresh_continue(entries)

    def _refresh_continue(self, entries: list[CourseEntry]) -> None:
        services = self._services
        resume = services.progress.resume_point()
        course = find_course(services.library, resume.course_id) if resume else None
        if resume is not None and course is not None and resume.lesson_id in course.lessons:
            place = describe(course, resume.lesson_id, resume.slide_id)
            percent = services.progress.course_progress(course).percent
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
