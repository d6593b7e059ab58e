"""``LessonPlayer``: one lesson, slide by slide.

What it records (through ``ProgressService``): ``lesson_opened`` when a lesson opens,
``slide_viewed`` for every slide shown (this is also the resume point), quiz attempts,
and time spent — counted while the learner is active, written every minute and when the
lesson is left. Notes save themselves a moment after the learner stops typing, and
always before the slide changes.

Keys (the player has the focus; inside a quiz control or the note, keys belong to it and
Esc comes back to the slide): Right / PageDown / Space next, Left / PageUp previous,
Home / End first / last, Up / Down scroll, Ctrl+= / Ctrl+- / Ctrl+0 text size, B bookmark,
N note, F5 / Shift+F5 present the lesson from its start / from this slide, Esc back to the
course.
"""

from __future__ import annotations

import logging
import time

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeyEvent, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QApplication,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.config import MAX_FONT_PT, MIN_FONT_PT, Settings
from desktop.domain.course import CompletionKind, Course, Lesson, Question, Slide
from desktop.domain.grading import Grade
from desktop.services.container import Services
from desktop.services.rendering import render_slide_html
from desktop.ui import theme
from desktop.ui.models.base import SlideRef
from desktop.ui.models.slides import SlideListModel, SlideRow
from desktop.ui.widgets.common import ElidedLabel, button, icon_label, label, pill
from desktop.ui.widgets.delegates import SlideRowDelegate
from desktop.ui.widgets.quiz import QuestionView, QuizPanel
from desktop.ui.widgets.slide_browser import SlideBrowser

log = logging.getLogger(__name__)

NOTE_SAVE_DELAY_MS = 700
TIME_FLUSH_MS = 60_000
IDLE_AFTER_S = 180.0  # no input for this long: the learner stepped away, stop counting
CONTENT_MAX_WIDTH = 820


class LessonPlayer(QWidget):
    back_requested = Signal(str)  # course id
    open_requested = Signal(object)  # SlideRef: the next lesson, or a lesson linked from a slide
    font_changed = Signal(int)
    message = Signal(str)  # a short status-bar message
    present_requested = Signal(object)  # PresentRequest: present this lesson to a room

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self._services = services
        self.course: Course | None = None
        self.lesson: Lesson | None = None
        self.index = 0
        self._lesson_done = False
        self._note_slide: str | None = None  # the slide the note editor holds
        self._note_dirty = False
        self._loading_note = False
        self._last_flush = time.monotonic()
        self._last_input = time.monotonic()

        root = QVBoxLayout(self)
        root.setContentsMargins(0, 0, 0, 0)
        root.setSpacing(0)
        root.addWidget(self._build_bar())
        body = QHBoxLayout()
        body.setContentsMargins(0, 0, 0, 0)
        body.setSpacing(0)
        body.addWidget(self._build_content(), 1)
        body.addWidget(self._build_side())
        root.addLayout(body, 1)
        root.addWidget(self._build_footer())

        self._note_timer = QTimer(self)
        self._note_timer.setSingleShot(True)
        self._note_timer.setInterval(NOTE_SAVE_DELAY_MS)
        self._note_timer.timeout.connect(self.save_note)
        self._time_timer = QTimer(self)
        self._time_timer.setInterval(TIME_FLUSH_MS)
        self._time_timer.timeout.connect(self.flush_time)

        for standard, extra, slot in (
            (QKeySequence.StandardKey.ZoomIn, "Ctrl+=", lambda: self.change_font(1)),
            (QKeySequence.StandardKey.ZoomOut, "Ctrl+-", lambda: self.change_font(-1)),
            (None, "Ctrl+0", self.reset_font),
        ):
            sequences = {QKeySequence(extra).toString(): QKeySequence(extra)}
            if standard is not None:
                for seq in QKeySequence.keyBindings(standard):
                    sequences.setdefault(seq.toString(), seq)
            for seq in sequences.values():
                shortcut = QShortcut(seq, self)
                shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
                shortcut.activated.connect(slot)
        self.apply_font(self._services.settings.current.lesson_font_pt)

    # -- building ---------------------------------------------------------------------

    def _build_bar(self) -> QWidget:
        bar = QFrame()
        bar.setObjectName("PlayerBar")
        row = QHBoxLayout(bar)
        row.setContentsMargins(16, 10, 20, 10)
        row.setSpacing(12)
        self.back_button = button(
            "Course", variant="ghost", icon="arrow-left", tooltip="Back to the course (Esc)"
        )
        self.back_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.back_button.clicked.connect(self.leave)
        row.addWidget(self.back_button)
        titles = QVBoxLayout()
        titles.setSpacing(1)
        self.breadcrumb = ElidedLabel("", "Breadcrumb")
        self.title = ElidedLabel("", "LessonTitle")
        titles.addWidget(self.breadcrumb)
        titles.addWidget(self.title)
        row.addLayout(titles, 1)
        self.done_pill = pill("Completed", "success")
        self.done_pill.setVisible(False)
        row.addWidget(self.done_pill)
        self.mastery = QFrame()
        self.mastery.setObjectName("MasteryBar")
        self.mastery.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        mrow = QHBoxLayout(self.mastery)
        mrow.setContentsMargins(10, 5, 12, 5)
        mrow.setSpacing(6)
        self.mastery_icon = icon_label("award", "accent", 16)
        mrow.addWidget(self.mastery_icon)
        self.mastery_label = QLabel()
        mrow.addWidget(self.mastery_label)
        self.mastery.setVisible(False)
        row.addWidget(self.mastery)
        self.smaller_button = button("A−", variant="ghost", tooltip="Smaller text (Ctrl+−)")
        self.smaller_button.setAccessibleName("Smaller text")
        self.smaller_button.clicked.connect(lambda: self.change_font(-1))
        self.larger_button = button("A+", variant="ghost", tooltip="Larger text (Ctrl+=)")
        self.larger_button.setAccessibleName("Larger text")
        self.larger_button.clicked.connect(lambda: self.change_font(1))
        for b in (self.smaller_button, self.larger_button):
            b.setFocusPolicy(Qt.FocusPolicy.TabFocus)
            row.addWidget(b)
        self.present_button = button(
            "Present",
            variant="ghost",
            icon="presentation",
            tooltip="Present this lesson on a projector from this slide (Shift+F5)",
        )
        self.present_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.present_button.clicked.connect(lambda: self.present(from_here=True))
        row.addWidget(self.present_button)
        self.bookmark_button = button(
            "Bookmark", variant="ghost", icon="bookmark", tooltip="Bookmark this slide (B)"
        )
        self.bookmark_button.setCheckable(True)
        self.bookmark_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.bookmark_button.clicked.connect(self.toggle_bookmark)
        row.addWidget(self.bookmark_button)
        return bar

    def _build_content(self) -> QWidget:
        self.scroller = QScrollArea()
        self.scroller.setObjectName("SlideScroll")
        self.scroller.setWidgetResizable(True)
        self.scroller.setFrameShape(QFrame.Shape.NoFrame)
        self.scroller.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.scroller.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.scroller.verticalScrollBar().valueChanged.connect(self._touch)

        page = QWidget()
        outer = QHBoxLayout(page)
        outer.setContentsMargins(32, 28, 32, 32)
        outer.addStretch(1)
        column = QWidget()
        column.setMaximumWidth(CONTENT_MAX_WIDTH)
        column.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        col = QVBoxLayout(column)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(20)

        self.sheet = QFrame()
        self.sheet.setObjectName("SlideSheet")
        sheet = QVBoxLayout(self.sheet)
        sheet.setContentsMargins(44, 36, 44, 32)
        sheet.setSpacing(14)
        self.eyebrow = label("", "Eyebrow")
        sheet.addWidget(self.eyebrow)
        self.slide_title = label("", "SlideTitle", wrap=True)
        self.slide_title.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        sheet.addWidget(self.slide_title)
        self.browser = SlideBrowser()
        self.browser.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.browser.internal_link.connect(self._open_internal_link)
        sheet.addWidget(self.browser)
        col.addWidget(self.sheet)

        self.quiz = QuizPanel()
        self.quiz.graded.connect(self._on_graded)
        self.quiz.setVisible(False)
        col.addWidget(self.quiz)

        self.banner = QFrame()
        self.banner.setObjectName("CompletionBanner")
        brow = QHBoxLayout(self.banner)
        brow.setContentsMargins(16, 12, 12, 12)
        brow.setSpacing(10)
        brow.addWidget(icon_label("award", "success", 22))
        self.banner_text = QLabel("Lesson complete")
        self.banner_text.setWordWrap(True)
        brow.addWidget(self.banner_text, 1)
        self.banner_next = button(
            "Next lesson", variant="primary", icon="chevron-right", icon_colour="surface"
        )
        self.banner_next.clicked.connect(self.open_next_lesson)
        self.banner_next.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        brow.addWidget(self.banner_next)
        self.banner.setVisible(False)
        col.addWidget(self.banner)
        col.addStretch(1)

        outer.addWidget(column, 100)
        outer.addStretch(1)
        self.scroller.setWidget(page)
        return self.scroller

    def _build_side(self) -> QWidget:
        side = QFrame()
        side.setObjectName("PlayerSide")
        side.setMinimumWidth(240)
        side.setMaximumWidth(300)
        col = QVBoxLayout(side)
        col.setContentsMargins(16, 18, 16, 16)
        col.setSpacing(8)
        col.addWidget(label("In this lesson", "SectionTitle"))
        self.slides_model = SlideListModel(self)
        self.slide_list = QListView()
        self.slide_list.setObjectName("SlideList")
        self.slide_list.setModel(self.slides_model)
        self.slide_list.setItemDelegate(SlideRowDelegate(self.slide_list))
        self.slide_list.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        self.slide_list.setIconSize(theme.ICON_SIZE)
        self.slide_list.setSpacing(1)
        self.slide_list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.slide_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.slide_list.setWordWrap(False)
        self.slide_list.clicked.connect(self._on_slide_clicked)
        col.addWidget(self.slide_list, 3)

        note_head = QHBoxLayout()
        note_head.addWidget(icon_label("note", "warning", 16))
        note_head.addWidget(label("My note", "SectionTitle"), 1)
        self.save_state = label("", "SaveState")
        note_head.addWidget(self.save_state)
        col.addSpacing(8)
        col.addLayout(note_head)
        self.note = QPlainTextEdit()
        self.note.setObjectName("NoteEdit")
        self.note.setPlaceholderText("A private note for this slide. Only you see it. (N)")
        self.note.setAccessibleName("Private note for this slide")
        self.note.setTabChangesFocus(True)
        self.note.textChanged.connect(self._on_note_changed)
        col.addWidget(self.note, 2)
        col.addWidget(label("Notes stay on this computer.", "Subtle"))
        return side

    def _build_footer(self) -> QWidget:
        footer = QFrame()
        footer.setObjectName("PlayerFooter")
        row = QHBoxLayout(footer)
        row.setContentsMargins(20, 10, 20, 10)
        row.setSpacing(14)
        self.prev_button = button("Previous", icon="chevron-left", tooltip="Previous slide (←)")
        self.prev_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.prev_button.clicked.connect(self.previous_slide)
        row.addWidget(self.prev_button)
        row.addStretch(1)
        self.counter = label("", "SlideCounter")
        row.addWidget(self.counter)
        self.bar = QProgressBar()
        self.bar.setTextVisible(False)
        self.bar.setFixedWidth(260)
        self.bar.setAccessibleName("Position in the lesson")
        row.addWidget(self.bar)
        row.addStretch(1)
        self.next_button = button("Next", variant="primary", tooltip="Next slide (→)")
        self.next_button.setLayoutDirection(Qt.LayoutDirection.RightToLeft)
        self.next_button.setIcon(theme.icon("chevron-right", "surface"))
        self.next_button.setIconSize(theme.ICON_SIZE)
        self.next_button.setFocusPolicy(Qt.FocusPolicy.TabFocus)
        self.next_button.clicked.connect(self.next_slide)
        row.addWidget(self.next_button)
        return footer

    # -- opening and leaving ----------------------------------------------------------

    @property
    def slide(self) -> Slide | None:
        if self.lesson is None or not self.lesson.slides:
            return None
        return self.lesson.slides[self.index]

    def open(self, course: Course, lesson_id: str, slide_id: str | None = None) -> None:
        """Show ``lesson_id`` of ``course`` at ``slide_id`` (the first slide if None or gone).

        ``KeyError`` if the course has no such lesson, ``LessonChangedError`` if its file
        changed since the library read it; the player is left as it was."""
        if lesson_id not in course.lessons:
            raise KeyError(f"lesson {lesson_id!r} is not in course {course.id!r}")
        lesson = self._services.library.lesson_content(course, lesson_id)  # with its text
        self.close_lesson()
        self.course, self.lesson = course, lesson
        progress = self._services.progress
        progress.lesson_opened(course, lesson_id)
        lp = progress.lesson_progress(course, lesson_id)
        self._lesson_done = lp.completed
        root = course.root
        # The renderer writes paths relative to the course folder (see rendering.py).
        self.browser.set_course_root(root, root)
        module = course.module_of(lesson_id)
        self.breadcrumb.setText(f"{course.title}  ›  {module.title}" if module else course.title)
        self.title.setText(lesson.title)
        self.done_pill.setVisible(self._lesson_done)
        self.banner.setVisible(False)
        viewed = lp.viewed_slides
        bookmarked = {
            b.slide_id
            for b in self._services.annotations.bookmarks(course.id)
            if b.lesson_id == lesson_id
        }
        self.slides_model.set_rows(
            [
                SlideRow(
                    i + 1, s.id, s.title, s.id in viewed, s.id in bookmarked, bool(s.questions)
                )
                for i, s in enumerate(lesson.slides)
            ]
        )
        self._update_mastery()
        index = lesson.slide_index(slide_id) if slide_id else None
        self._last_flush = self._last_input = time.monotonic()
        self._time_timer.start()
        self.go_to(index or 0)

    def close_lesson(self) -> None:
        """Save the note and the time spent; the player then holds no lesson."""
        if self.lesson is None:
            return
        self.save_note()
        self.flush_time()
        self._time_timer.stop()
        self.course = self.lesson = None
        self._note_slide = None
        self.quiz.set_questions([])

    def leave(self) -> None:
        """Back to the course page (Esc)."""
        course_id = self.course.id if self.course else ""
        self.close_lesson()
        self.back_requested.emit(course_id)

    # -- navigation -------------------------------------------------------------------

    def go_to(self, index: int) -> None:
        lesson, course = self.lesson, self.course
        if lesson is None or course is None or not lesson.slides:
            return
        index = max(0, min(len(lesson.slides) - 1, index))
        self.save_note()
        previous = self.index
        self.index = index
        slide = lesson.slides[index]
        self._touch()
        self._show_slide(course, lesson, slide)
        for row in (previous, index):
            old = self.slides_model.row_at(row)
            if old is not None:
                self.slides_model.update_row(
                    row,
                    SlideRow(
                        old.number,
                        old.slide_id,
                        old.title,
                        old.viewed or row == index,
                        old.bookmarked,
                        old.has_quiz,
                        row == index,
                    ),
                )
        self.slide_list.setCurrentIndex(self.slides_model.index(index, 0))
        completed = self._services.progress.slide_viewed(course, lesson.id, slide.id)
        if completed:
            self._on_lesson_completed()

    def _show_slide(self, course: Course, lesson: Lesson, slide: Slide) -> None:
        total = len(lesson.slides)
        n = self.index + 1
        self.eyebrow.setText(f"SLIDE {n} OF {total}")
        html = render_slide_html(slide)
        # Most slides open with their title as a heading; show the title only when not.
        has_heading = html.lstrip().startswith(("<h1", "<h2"))
        self.slide_title.setText(slide.title)
        self.slide_title.setVisible(bool(slide.title) and not has_heading)
        self.browser.show_html(html)
        self.counter.setText(f"Slide {n} of {total}")
        self.bar.setRange(0, total)
        self.bar.setValue(n)
        self.prev_button.setEnabled(self.index > 0)
        last = self.index == total - 1
        self.next_button.setText("Finish" if last else "Next")
        self.next_button.setToolTip("Finish the lesson" if last else "Next slide (→)")
        if self.banner.isVisible() and not (self._lesson_done and last):
            self.banner.setVisible(False)  # shown again on the last slide, or on completion
        bookmarked = self._services.annotations.is_bookmarked(course.id, lesson.id, slide.id)
        self._show_bookmark(bookmarked)
        self._load_note(course, lesson, slide)
        self._build_quiz(course, lesson, slide)
        self.scroller.verticalScrollBar().setValue(0)

    def _build_quiz(self, course: Course, lesson: Lesson, slide: Slide) -> None:
        if not slide.questions:
            self.quiz.set_questions([])
            return
        lp = self._services.progress.lesson_progress(course, lesson.id)
        pt = self._services.settings.current.lesson_font_pt

        def recorder(question: Question, grade: Grade) -> int:
            return self._services.progress.quiz_attempt(
                course, lesson.id, slide.id, question, grade
            )

        self.quiz.set_questions(
            [
                QuestionView(
                    q,
                    recorder,
                    attempts_used=lp.attempts.get(q.id, 0),
                    solved=q.id in lp.correct_questions,
                    font_pt=pt,
                )
                for q in slide.questions
            ]
        )

    def next_slide(self) -> None:
        if self.lesson is None:
            return
        if self.index < len(self.lesson.slides) - 1:
            self.go_to(self.index + 1)
        else:
            self._finish()

    def previous_slide(self) -> None:
        if self.index > 0:
            self.go_to(self.index - 1)

    def first_slide(self) -> None:
        self.go_to(0)

    def last_slide(self) -> None:
        if self.lesson is not None:
            self.go_to(len(self.lesson.slides) - 1)

    def _finish(self) -> None:
        """Next on the last slide: show where the lesson stands, and what comes next."""
        self.flush_time()
        self._show_banner()

    def _on_slide_clicked(self, index: QModelIndex) -> None:
        if index.isValid():
            self.go_to(index.row())
            self.setFocus()

    def _open_internal_link(self, path: object) -> None:
        if self.course is None:
            return
        for lesson in self.course.ordered_lessons():
            if lesson.source is not None and lesson.source.resolve() == path:
                self.open_requested.emit(SlideRef(self.course.id, lesson.id))
                return
        self.message.emit("That link points to a file that is not a lesson of this course.")

    # -- completion -------------------------------------------------------------------

    def _on_lesson_completed(self) -> None:
        self._lesson_done = True
        self.done_pill.setVisible(True)
        self._show_banner()
        if self.lesson is not None:
            self.message.emit(f"Lesson complete: {self.lesson.title}")

    def _show_banner(self) -> None:
        if self.course is None or self.lesson is None:
            return
        nxt = self.course.next_lesson(self.lesson.id)
        if self._lesson_done:
            text = "Lesson complete — well done."
            if nxt is not None:
                text += f"  Up next: {nxt.title}"
        else:
            text = f"To complete this lesson: {self.lesson.completion.describe()}."
        self.banner_text.setText(text)
        self.banner_next.setText("Next lesson" if nxt is not None else "Back to the course")
        self.banner.setVisible(True)
        self.reveal(self.banner)

    def open_next_lesson(self) -> None:
        if self.course is None or self.lesson is None:
            return
        nxt = self.course.next_lesson(self.lesson.id)
        if nxt is None:
            self.leave()
            return
        self.open_requested.emit(SlideRef(self.course.id, nxt.id))

    def reveal(self, widget: QWidget) -> None:
        """Scroll the slide so ``widget`` (feedback, the banner) is in view once laid out."""

        def scroll() -> None:
            if widget.isVisible():
                self.scroller.ensureWidgetVisible(widget, 0, 24)

        QTimer.singleShot(0, scroll)

    @property
    def next_lesson_offered(self) -> bool:
        return self.banner.isVisible() and self._lesson_done

    # -- quiz -------------------------------------------------------------------------

    def _on_graded(self, question_id: str, correct: bool) -> None:
        self._touch()
        view = next((v for v in self.quiz.views if v.question.id == question_id), None)
        if view is not None:
            self.reveal(view.check_button)  # the feedback and explanation sit just above
        if self.course is None or self.lesson is None:
            return
        self._update_mastery()
        if not self._lesson_done:
            lp = self._services.progress.lesson_progress(self.course, self.lesson.id)
            if lp.completed:
                self._on_lesson_completed()

    def _update_mastery(self) -> None:
        lesson, course = self.lesson, self.course
        if lesson is None or course is None or lesson.completion.kind is not CompletionKind.MASTERY:
            self.mastery.setVisible(False)
            return
        ids = {q.id for q in lesson.questions}
        needed = min(lesson.completion.m, len(ids))
        lp = self._services.progress.lesson_progress(course, lesson.id)
        got = len(ids & lp.correct_questions)
        done = got >= needed
        self.mastery_label.setText(
            f"{got} of {needed} to master" if not done else f"Mastered · {got} of {len(ids)} right"
        )
        self.mastery_icon.setPixmap(theme.pixmap("award", "success" if done else "accent", 16))
        theme.set_state(self.mastery, "state", "done" if done else "")
        self.mastery.setToolTip(f"To complete this lesson: {lesson.completion.describe()}.")
        self.mastery.setVisible(True)

    # -- bookmarks and notes ----------------------------------------------------------

    def toggle_bookmark(self) -> None:
        course, lesson, slide = self.course, self.lesson, self.slide
        if course is None or lesson is None or slide is None:
            return
        state = self._services.annotations.toggle_bookmark(course.id, lesson.id, slide.id)
        self._show_bookmark(state)
        old = self.slides_model.row_at(self.index)
        if old is not None:
            self.slides_model.update_row(
                self.index,
                SlideRow(
                    old.number,
                    old.slide_id,
                    old.title,
                    old.viewed,
                    state,
                    old.has_quiz,
                    old.current,
                ),
            )
        self.message.emit("Bookmarked this slide" if state else "Bookmark removed")

    def _show_bookmark(self, on: bool) -> None:
        self.bookmark_button.setChecked(on)
        self.bookmark_button.setText("Bookmarked" if on else "Bookmark")
        self.bookmark_button.setIcon(
            theme.icon("bookmark-filled", "accent") if on else theme.icon("bookmark", "text-muted")
        )

    @property
    def bookmarked(self) -> bool:
        return self.bookmark_button.isChecked()

    def focus_note(self) -> None:
        self.note.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.note.moveCursor(self.note.textCursor().MoveOperation.End)

    def _load_note(self, course: Course, lesson: Lesson, slide: Slide) -> None:
        self._loading_note = True
        self.note.setPlainText(self._services.annotations.note(course.id, lesson.id, slide.id))
        self._loading_note = False
        self._note_slide = slide.id
        self._note_dirty = False
        self.save_state.setText("")

    def _on_note_changed(self) -> None:
        if self._loading_note or self._note_slide is None:
            return
        self._touch()
        self._note_dirty = True
        self.save_state.setText("Editing…")
        self._note_timer.start()

    def save_note(self) -> None:
        """Write the note now if it changed (also called before the slide changes)."""
        self._note_timer.stop()
        if (
            not self._note_dirty
            or self.course is None
            or self.lesson is None
            or self._note_slide is None
        ):
            return
        self._services.annotations.set_note(
            self.course.id, self.lesson.id, self._note_slide, self.note.toPlainText()
        )
        self._note_dirty = False
        self.save_state.setText("Saved")

    @property
    def note_saved(self) -> bool:
        return not self._note_dirty

    # -- time spent -------------------------------------------------------------------

    def _touch(self, *_: object) -> None:
        self._last_input = time.monotonic()

    def flush_time(self) -> None:
        """Record the active time since the last flush (idle stretches don't count)."""
        now = time.monotonic()
        start, self._last_flush = self._last_flush, now
        active_until = min(now, self._last_input + IDLE_AFTER_S)
        seconds = active_until - start
        if self.course is None or self.lesson is None or seconds < 1:
            return
        if self._services.progress.add_time(self.course, self.lesson.id, round(seconds, 1)):
            self._on_lesson_completed()

    # -- text size --------------------------------------------------------------------

    def apply_font(self, pt: int) -> None:
        self.browser.set_reading_font_size(pt)
        title_font = theme.reading_font(round(pt * 1.6))
        title_font.setWeight(QFont.Weight.Bold)
        self.slide_title.setFont(title_font)
        self.smaller_button.setEnabled(pt > MIN_FONT_PT)
        self.larger_button.setEnabled(pt < MAX_FONT_PT)

    def change_font(self, delta: int) -> None:
        self.set_font_size(self._services.settings.current.lesson_font_pt + delta)

    def reset_font(self) -> None:
        self.set_font_size(Settings().lesson_font_pt)

    def set_font_size(self, pt: int) -> None:
        store = self._services.settings
        new = store.current.with_font(pt)
        if new != store.current:
            store.update(new)
        self.apply_font(new.lesson_font_pt)
        for view in self.quiz.views:
            view.set_font_pt(new.lesson_font_pt)
        self.message.emit(f"Text size {new.lesson_font_pt} pt")
        self.font_changed.emit(new.lesson_font_pt)

    # -- presenting -------------------------------------------------------------------

    def present(self, *, from_here: bool) -> None:
        """Ask to present this lesson, from its first slide or from the one shown."""
        from desktop.domain.presenting import Scope
        from desktop.ui.presenter.request import PresentRequest

        course, lesson, slide = self.course, self.lesson, self.slide
        if course is None or lesson is None:
            return
        start = slide.id if from_here and slide is not None else None
        self.present_requested.emit(
            PresentRequest(course.id, Scope.LESSON, lesson.id, lesson.id, start)
        )

    def set_presenting(self, on: bool) -> None:
        """While its trainer presents, the time is not counted as learning time."""
        if on:
            self.flush_time()
            self._time_timer.stop()
            self._last_input = float("-inf")  # nothing is active until the next input
        else:
            self._last_flush = self._last_input = time.monotonic()
            if self.lesson is not None:
                self._time_timer.start()

    # -- keyboard ---------------------------------------------------------------------

    def keyPressEvent(self, event: QKeyEvent) -> None:
        mods = event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        key = event.key()
        self._touch()
        if key == Qt.Key.Key_Escape:
            focus = QApplication.focusWidget()
            if (
                focus is not None
                and focus is not self
                and (isinstance(focus, QPlainTextEdit | QLineEdit) or self.quiz.isAncestorOf(focus))
            ):
                self.setFocus(Qt.FocusReason.ShortcutFocusReason)  # out of the note or the quiz
            else:
                self.leave()
            return
        if mods not in (Qt.KeyboardModifier.NoModifier, Qt.KeyboardModifier.ShiftModifier):
            super().keyPressEvent(event)
            return
        shift = mods == Qt.KeyboardModifier.ShiftModifier
        bar = self.scroller.verticalScrollBar()
        if key in (Qt.Key.Key_Right, Qt.Key.Key_PageDown) or (
            key == Qt.Key.Key_Space and not shift
        ):
            self.next_slide()
        elif key in (Qt.Key.Key_Left, Qt.Key.Key_PageUp) or (key == Qt.Key.Key_Space and shift):
            self.previous_slide()
        elif key == Qt.Key.Key_Home:
            self.first_slide()
        elif key == Qt.Key.Key_End:
            self.last_slide()
        elif key == Qt.Key.Key_Down:
            bar.setValue(bar.value() + bar.singleStep() * 3)
        elif key == Qt.Key.Key_Up:
            bar.setValue(bar.value() - bar.singleStep() * 3)
        elif key == Qt.Key.Key_B and not shift:
            self.toggle_bookmark()
        elif key == Qt.Key.Key_N and not shift:
            self.focus_note()
        elif key == Qt.Key.Key_F5:
            self.present(from_here=shift)
        else:
            super().keyPressEvent(event)
