"""One course: its modules and lessons with completion ticks, and the learner's
bookmarks and notes in it (each opens at its slide)."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QMenu,
    QProgressBar,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.course import Course
from desktop.services.container import Services
from desktop.ui import theme
from desktop.ui.formatting import duration
from desktop.ui.lookup import describe
from desktop.ui.models.activity import AnnotationListModel, AnnotationRow
from desktop.ui.models.base import Role, SlideRef
from desktop.ui.models.outline import CourseOutlineModel, LessonState
from desktop.ui.widgets.common import Card, PageHeader, button, filler_label, label
from desktop.ui.widgets.delegates import CardList, CardStyle


class OutlineTree(QTreeView):
    """The lesson tree; Enter opens the current lesson."""

    open_index = Signal(QModelIndex)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_index.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class CourseDetailView(QWidget):
    open_requested = Signal(object)  # SlideRef
    back_requested = Signal()
    present_requested = Signal(object)  # PresentRequest: present to a room (presenter mode)
    handout_requested = Signal(object, bool)  # PresentRequest, with speaker notes

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._services = services
        self.course: Course | None = None
        self._primary_ref: SlideRef | None = None

        root = QVBoxLayout(self)
        root.setContentsMargins(36, 20, 36, 24)
        root.setSpacing(16)

        back = button("All courses", variant="ghost", icon="arrow-left")
        back.clicked.connect(self.back_requested)
        root.addWidget(back, 0, Qt.AlignmentFlag.AlignLeft)

        self.header = PageHeader("", "")
        self.primary = button("Start course", variant="primary", icon="play", icon_colour="surface")
        self.primary.clicked.connect(self._open_primary)
        self.header.action_row.addWidget(self.primary)
        self.present_button = button("Present", icon="presentation")
        self.present_button.setToolTip(
            "Present the selected lesson, its module or the whole course on a projector"
        )
        self.present_menu = QMenu(self.present_button)
        self.present_menu.aboutToShow.connect(self._fill_present_menu)
        self.present_button.setMenu(self.present_menu)
        self.header.action_row.addWidget(self.present_button)
        root.addWidget(self.header)

        facts = QHBoxLayout()
        facts.setSpacing(14)
        self.progress_bar = QProgressBar()
        self.progress_bar.setTextVisible(False)
        self.progress_bar.setRange(0, 100)
        self.progress_bar.setFixedWidth(280)
        self.progress_label = label("", "Muted")
        self.facts = label("", "Subtle")
        facts.addWidget(self.progress_bar)
        facts.addWidget(self.progress_label)
        facts.addStretch(1)
        facts.addWidget(self.facts)
        root.addLayout(facts)

        columns = QHBoxLayout()
        columns.setSpacing(20)
        outline_card = Card(padding=16)
        outline_card.body.addWidget(label("Lessons", "SectionTitle"))
        self.outline_model = CourseOutlineModel(self)
        self.outline = OutlineTree()
        self.outline.setObjectName("Outline")
        self.outline.setModel(self.outline_model)
        self.outline.setHeaderHidden(True)
        self.outline.setRootIsDecorated(False)
        self.outline.setItemsExpandable(False)
        self.outline.setIndentation(10)
        self.outline.setIconSize(theme.ICON_SIZE)
        self.outline.setUniformRowHeights(True)
        self.outline.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.outline.setAccessibleName("Lessons of the course")
        header = self.outline.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.outline.clicked.connect(self._open_index)
        self.outline.open_index.connect(self._open_index)
        outline_card.body.addWidget(self.outline, 1)
        columns.addWidget(outline_card, 3)

        side = QVBoxLayout()
        side.setSpacing(20)
        self.bookmarks_model = AnnotationListModel(self)
        self.bookmarks_view, self.bookmarks_empty = self._annotation_card(
            side,
            "Bookmarks",
            self.bookmarks_model,
            "No bookmarks yet. Press B on any slide to keep it here.",
        )
        self.notes_model = AnnotationListModel(self)
        self.notes_view, self.notes_empty = self._annotation_card(
            side,
            "My notes",
            self.notes_model,
            "No notes yet. Press N on a slide to write one — only you see it.",
        )
        columns.addLayout(side, 2)
        root.addLayout(columns, 1)

    def _annotation_card(
        self, into: QVBoxLayout, title: str, model: AnnotationListModel, empty_text: str
    ) -> tuple[CardList, QWidget]:
        card = Card(padding=16)
        card.body.addWidget(label(title, "SectionTitle"))
        view = CardList(CardStyle(card=False, padding=8, lead=30, title_pt=10.5, subtitle_lines=1))
        view.setObjectName("PanelList")
        view.setModel(model)
        view.setAccessibleName(title)
        view.open_index.connect(self._open_index)
        card.body.addWidget(view, 1)
        empty = filler_label(empty_text)
        card.body.addWidget(empty)
        into.addWidget(card, 1)
        return view, empty

    # -- data -------------------------------------------------------------------------

    def show_course(self, course: Course) -> None:
        self.course = course
        self.refresh()
        first = (
            self.outline_model.lesson_index(self._primary_ref.lesson_id or "")
            if self._primary_ref
            else None
        )
        if first is not None and first.isValid():
            self.outline.setCurrentIndex(first)

    def refresh(self) -> None:
        course = self.course
        if course is None:
            return
        services = self._services
        cp = services.progress.course_progress(course)
        resume = services.progress.resume_point(course.id)
        state = {
            lid: LessonState(done=lp.completed, viewed=len(lp.viewed_slides))
            for lid, lp in cp.lessons.items()
        }
        self.outline_model.set_course(course, state, resume.lesson_id if resume else None)
        self.outline.expandAll()

        self.header.title.setText(course.title)
        self.header.set_subtitle(course.summary)
        self.progress_bar.setValue(round(cp.percent))
        self.progress_label.setText(
            f"{cp.completed_lessons} of {cp.total_lessons} lessons done · {round(cp.percent)}%"
        )
        facts = []
        if course.estimated_minutes:
            facts.append(f"about {duration(course.estimated_minutes)}")
        if course.authors:
            facts.append("by " + ", ".join(course.authors))
        if course.version:
            facts.append(f"version {course.version}")
        self.facts.setText(" · ".join(facts))

        lessons = course.ordered_lessons()
        if resume is not None and resume.lesson_id in course.lessons:
            self._primary_ref = SlideRef(course.id, resume.lesson_id, resume.slide_id)
            self.primary.setText("Review course" if cp.completed else "Continue")
        elif lessons:
            self._primary_ref = SlideRef(course.id, lessons[0].id)
            self.primary.setText("Start course")
        else:
            self._primary_ref = None
        self.primary.setEnabled(self._primary_ref is not None)

        bookmarks = []
        for b in services.annotations.bookmarks(course.id):
            place = describe(course, b.lesson_id, b.slide_id)
            bookmarks.append(
                AnnotationRow(
                    "bookmark",
                    place.lesson_title,
                    place.slide_title or "A slide that was removed",
                    place.slide_number,
                    "",
                    b.created_at,
                    SlideRef(course.id, b.lesson_id, b.slide_id),
                )
            )
        self.bookmarks_model.set_rows(bookmarks)
        self.bookmarks_view.setVisible(bool(bookmarks))
        self.bookmarks_empty.setVisible(not bookmarks)

        notes = []
        for n in services.annotations.notes(course.id):
            place = describe(course, n.lesson_id, n.slide_id)
            notes.append(
                AnnotationRow(
                    "note",
                    place.lesson_title,
                    place.slide_title or "A slide that was removed",
                    place.slide_number,
                    n.text,
                    n.updated_at,
                    SlideRef(course.id, n.lesson_id, n.slide_id),
                )
            )
        self.notes_model.set_rows(notes)
        self.notes_view.setVisible(bool(notes))
        self.notes_empty.setVisible(not notes)

    def present_choices(self) -> list[tuple[str, object]]:
        """What the Present menu offers for the outline's current row: the lesson, its
        module, the whole course (label, PresentRequest)."""
        from desktop.domain.presenting import Scope
        from desktop.ui.presenter.request import PresentRequest

        course = self.course
        if course is None:
            return []
        index = self.outline.currentIndex().siblingAtColumn(0)
        lesson_id: str | None = None
        module = None
        if index.isValid() and index.parent().isValid():
            ref = index.data(Role.REF)
            lesson_id = ref.lesson_id if isinstance(ref, SlideRef) else None
            module = course.module_of(lesson_id) if lesson_id else None
        elif index.isValid() and index.row() < len(course.modules):
            module = course.modules[index.row()]
        choices: list[tuple[str, object]] = []
        if lesson_id is not None and lesson_id in course.lessons:
            title = course.lessons[lesson_id].title
            choices.append(
                (f"Present lesson: {title}", PresentRequest(course.id, Scope.LESSON, lesson_id))
            )
        if module is not None:
            request = PresentRequest(course.id, Scope.MODULE, module.id)
            choices.append((f"Present module: {module.title}", request))
        choices.append(("Present the whole course", PresentRequest(course.id, Scope.COURSE)))
        return choices

    def _fill_present_menu(self) -> None:
        self.present_menu.clear()
        choices = self.present_choices()
        for text, request in choices:
            action = self.present_menu.addAction(text)
            action.triggered.connect(lambda _c=False, r=request: self.present_requested.emit(r))
        self.present_menu.addSeparator()
        handouts = self.present_menu.addMenu("Save a handout (PDF)")
        for text, request in choices:
            what = text.removeprefix("Present ")
            what = what[:1].upper() + what[1:]
            for notes, kind in ((True, "with speaker notes"), (False, "slides only")):
                action = handouts.addAction(f"{what} — {kind}…")
                action.triggered.connect(
                    lambda _c=False, r=request, n=notes: self.handout_requested.emit(r, n)
                )

    def _open_primary(self) -> None:
        if self._primary_ref is not None:
            self.open_requested.emit(self._primary_ref)

    def _open_index(self, index: QModelIndex) -> None:
        ref = index.siblingAtColumn(0).data(Role.REF) if index.isValid() else None
        if not isinstance(ref, SlideRef) or ref.lesson_id is None:
            return
        if (
            ref.slide_id is None
            and self._primary_ref is not None
            and self._primary_ref.lesson_id == ref.lesson_id
        ):
            ref = self._primary_ref  # the lesson the learner was in: back at their slide
        self.open_requested.emit(ref)
