"""Quiz questions on a slide: answer, Check, immediate feedback, hints and retry limits.

``QuestionView`` grades with :func:`desktop.domain.grading.grade` and records each attempt
through the ``record`` callable the player gives it (``ProgressService.quiz_attempt``),
which enforces the question's retry limit. The explanation is shown once the question is
settled — answered correctly, or out of attempts — so it never gives the answer away
while the learner can still try.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont, QKeyEvent, QMouseEvent, QShowEvent
from PySide6.QtWidgets import (
    QAbstractButton,
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPushButton,
    QRadioButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.course import Choice, Question, QuestionKind
from desktop.domain.grading import Grade, Response, grade
from desktop.ui import theme
from desktop.ui.models.slides import OrderingModel
from desktop.ui.widgets.common import button, label

RecordAttempt = Callable[
    [Question, Grade], int
]  # returns attempts used, raises ValueError when none left

KIND_LABEL = {
    QuestionKind.SINGLE: "Choose one answer",
    QuestionKind.MULTIPLE: "Choose every answer that applies",
    QuestionKind.TEXT: "Type your answer",
    QuestionKind.ORDERING: "Put these in the right order",
}


def _fonts(font_pt: int) -> tuple[QFont, QFont]:
    """The prompt and answer fonts for a lesson text size (a little smaller than the
    reading text: quiz controls are UI, not prose)."""
    return theme.ui_font(max(11, font_pt - 1), QFont.Weight.DemiBold), theme.ui_font(
        max(10, font_pt - 3)
    )


class ChoiceRow(QFrame):
    """One choice: a radio button or check box plus its wrapping text; the whole row clicks."""

    def __init__(
        self, choice: Choice, multiple: bool, font: QFont, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Choice")
        self.choice = choice
        self.button: QAbstractButton = QCheckBox() if multiple else QRadioButton()
        self.button.setAccessibleName(choice.text)
        self.button.setCursor(Qt.CursorShape.PointingHandCursor)
        self.text = QLabel(choice.text)
        self.text.setWordWrap(True)
        self.text.setTextFormat(Qt.TextFormat.PlainText)
        self.text.setFont(font)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.mark = QLabel()
        self.mark.setFixedSize(18, 18)
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 10, 12, 10)
        row.setSpacing(10)
        row.addWidget(self.button, 0, Qt.AlignmentFlag.AlignTop)
        row.addWidget(self.text, 1)
        row.addWidget(self.mark, 0, Qt.AlignmentFlag.AlignTop)
        self.setCursor(Qt.CursorShape.PointingHandCursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:
        if self.button.isEnabled() and event.button() == Qt.MouseButton.LeftButton:
            if isinstance(self.button, QRadioButton):
                self.button.setChecked(True)
            else:
                self.button.toggle()
            self.button.setFocus(Qt.FocusReason.MouseFocusReason)
        super().mousePressEvent(event)

    def set_state(self, state: str) -> None:
        """ "" | "selected" | "correct" | "incorrect" | "missed"."""
        theme.set_state(self, "state", state)
        icons = {
            "correct": ("check", "success"),
            "incorrect": ("x", "danger"),
            "missed": ("check", "success"),
        }
        if state in icons:
            name, colour = icons[state]
            self.mark.setPixmap(theme.pixmap(name, colour, 18))
        else:
            self.mark.clear()


class OrderingList(QListView):
    """The items of an ordering question; Alt+Up / Alt+Down move the current item."""

    moved = Signal()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        model = self.model()
        if (
            isinstance(model, OrderingModel)
            and event.modifiers() & Qt.KeyboardModifier.AltModifier
            and event.key() in (Qt.Key.Key_Up, Qt.Key.Key_Down)
        ):
            self.move_current(-1 if event.key() == Qt.Key.Key_Up else 1)
            event.accept()
            return
        super().keyPressEvent(event)

    def move_current(self, delta: int) -> None:
        model = self.model()
        if not isinstance(model, OrderingModel):
            return
        current = self.currentIndex()
        row = current.row() if current.isValid() else 0
        new_row = model.move(row, delta)
        if new_row != row:
            self.setCurrentIndex(model.index(new_row, 0))
            self.moved.emit()


class QuestionView(QFrame):
    """One question with its answer controls, Check and Hint buttons, and feedback."""

    graded = Signal(str, bool)  # question id, correct — after the attempt was recorded

    def __init__(
        self,
        question: Question,
        record: RecordAttempt,
        *,
        attempts_used: int = 0,
        solved: bool = False,
        font_pt: int = 14,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("QuestionCard")
        self.question = question
        self._record = record
        self.attempts_used = attempts_used
        self.solved = solved
        self.last_grade: Grade | None = None
        self._checked_response: Response | None = None  # the answer last found wrong
        self._choice_rows: list[ChoiceRow] = []
        self._group: QButtonGroup | None = None
        self._text: QLineEdit | None = None
        self._ordering: OrderingModel | None = None
        self._ordering_view: OrderingList | None = None
        self.up_button: QPushButton | None = None
        self.down_button: QPushButton | None = None

        prompt_font, body_font = _fonts(font_pt)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(20, 18, 20, 18)
        layout.setSpacing(12)

        kind = label(KIND_LABEL[question.kind].upper(), "QuestionKind")
        points = f"{question.points} point{'s' if question.points != 1 else ''}"
        head = QHBoxLayout()
        head.addWidget(kind)
        head.addStretch(1)
        head.addWidget(label(points, "Subtle"))
        layout.addLayout(head)

        self.prompt = label(question.prompt, "QuestionPrompt", wrap=True)
        self.prompt.setFont(prompt_font)
        self.prompt.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.prompt)

        self.answer_area = QVBoxLayout()
        self.answer_area.setSpacing(8)
        layout.addLayout(self.answer_area)
        self._build_answer(body_font)

        self.hint_text = label(f"Hint: {question.hint}", "HintText", wrap=True)
        self.hint_text.setVisible(False)
        layout.addWidget(self.hint_text)

        self.feedback = label("", "Feedback", wrap=True, rich=True)
        self.feedback.setVisible(False)
        self.feedback.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        layout.addWidget(self.feedback)

        self.explanation = label("", "Explanation", wrap=True)
        self.explanation.setVisible(False)
        layout.addWidget(self.explanation)

        actions = QHBoxLayout()
        actions.setSpacing(8)
        self.check_button = button("Check answer", variant="primary")
        self.check_button.setToolTip("Check your answer (Enter)")
        self.check_button.clicked.connect(self.check)
        actions.addWidget(self.check_button)
        self.hint_button = button("Show hint", variant="ghost", icon="hint", icon_colour="warning")
        self.hint_button.setCheckable(True)
        self.hint_button.toggled.connect(self._toggle_hint)
        self.hint_button.setVisible(bool(question.hint))
        actions.addWidget(self.hint_button)
        actions.addStretch(1)
        self.attempts_label = label("", "Attempts")
        actions.addWidget(self.attempts_label)
        layout.addLayout(actions)

        self._refresh_attempts()
        if solved:
            self._settle(correct=True)
            self._show_feedback("You answered this correctly.", "correct")
        elif self.attempts_left == 0:
            self._settle(correct=False)
            self._show_feedback("No attempts left for this question.", "locked")
        self._update_check_enabled()

    def set_font_pt(self, font_pt: int) -> None:
        """Follow the lesson text size without losing the answer in progress."""
        prompt_font, body_font = _fonts(font_pt)
        self.prompt.setFont(prompt_font)
        for row in self._choice_rows:
            row.text.setFont(body_font)
        if self._text is not None:
            self._text.setFont(body_font)
        if self._ordering_view is not None:
            self._ordering_view.setFont(body_font)
            self._fit_ordering()

    # -- answer controls --------------------------------------------------------------

    def _build_answer(self, font: QFont) -> None:
        q = self.question
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            multiple = q.kind is QuestionKind.MULTIPLE
            self._group = QButtonGroup(self)
            self._group.setExclusive(not multiple)
            for i, choice in enumerate(q.choices):
                row = ChoiceRow(choice, multiple, font)
                self._group.addButton(row.button, i)
                row.button.toggled.connect(self._on_answer_changed)
                self._choice_rows.append(row)
                self.answer_area.addWidget(row)
        elif q.kind is QuestionKind.TEXT:
            self._text = QLineEdit()
            self._text.setPlaceholderText("Your answer")
            self._text.setFont(font)
            self._text.setAccessibleName("Your answer")
            self._text.textChanged.connect(self._on_answer_changed)
            self._text.returnPressed.connect(self._check_if_enabled)
            self.answer_area.addWidget(self._text)
        else:
            self._ordering = OrderingModel(q.shuffled_items(), self)
            view = OrderingList()
            view.setObjectName("OrderingList")
            view.setModel(self._ordering)
            view.setFont(font)
            view.setDragDropMode(QAbstractItemView.DragDropMode.InternalMove)
            view.setDefaultDropAction(Qt.DropAction.MoveAction)
            view.setDragDropOverwriteMode(False)
            view.setDropIndicatorShown(True)
            view.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
            view.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
            view.setAccessibleName(
                "Items to put in order; Alt+Up and Alt+Down move the selected item"
            )
            view.setCurrentIndex(self._ordering.index(0, 0))
            self._ordering.rowsMoved.connect(self._on_answer_changed)
            self._ordering_view = view
            self._fit_ordering()
            holder = QHBoxLayout()
            holder.setSpacing(8)
            holder.addWidget(view, 1)
            buttons = QVBoxLayout()
            buttons.setSpacing(6)
            up = button("", icon="arrow-up", tooltip="Move up (Alt+Up)")
            up.setAccessibleName("Move the selected item up")
            up.clicked.connect(lambda: self._move(-1))
            down = button("", icon="arrow-down", tooltip="Move down (Alt+Down)")
            down.setAccessibleName("Move the selected item down")
            down.clicked.connect(lambda: self._move(1))
            buttons.addWidget(up)
            buttons.addWidget(down)
            self.up_button, self.down_button = up, down
            buttons.addStretch(1)
            holder.addLayout(buttons)
            self.answer_area.addLayout(holder)

    def _fit_ordering(self) -> None:
        """Show every item without a scroll bar. Row heights depend on the stylesheet,
        so this runs again once the question is shown inside the window."""
        view, model = self._ordering_view, self._ordering
        if view is None or model is None:
            return
        view.ensurePolished()
        rows = sum(view.sizeHintForRow(r) for r in range(model.rowCount()))
        margins = view.contentsMargins()
        view.setFixedHeight(
            max(rows, 32) + margins.top() + margins.bottom() + 2 * view.frameWidth() + 4
        )

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self._fit_ordering()

    def _move(self, delta: int) -> None:
        if self._ordering_view is not None:
            self._ordering_view.move_current(delta)
            self._ordering_view.setFocus()

    def response(self) -> Response | None:
        """The learner's current answer in the shape ``grade`` expects, None if none yet."""
        q = self.question
        if q.kind is QuestionKind.SINGLE:
            chosen = [r.choice.id for r in self._choice_rows if r.button.isChecked()]
            return chosen[0] if chosen else None
        if q.kind is QuestionKind.MULTIPLE:
            ids = frozenset(r.choice.id for r in self._choice_rows if r.button.isChecked())
            return ids or None
        if q.kind is QuestionKind.TEXT:
            text = self._text.text() if self._text is not None else ""
            return text if text.strip() else None
        if self._ordering is not None:
            return tuple(self._ordering.rows())
        return None

    # Programmatic answering, for keyboard shortcuts, the self-test and tests.
    def choose(self, *choice_ids: str) -> None:
        for row in self._choice_rows:
            row.button.setChecked(row.choice.id in choice_ids)

    def type_answer(self, text: str) -> None:
        if self._text is not None:
            self._text.setText(text)

    def set_order(self, items: list[str]) -> None:
        if self._ordering is not None:
            self._ordering.set_rows(items)
            self._on_answer_changed()

    # -- checking ---------------------------------------------------------------------

    @property
    def attempts_left(self) -> int | None:
        limit = self.question.max_attempts
        return None if limit is None else max(0, limit - self.attempts_used)

    @property
    def settled(self) -> bool:
        return self.solved or self.attempts_left == 0

    def _check_if_enabled(self) -> None:
        if self.check_button.isEnabled():
            self.check()

    def check(self) -> Grade | None:
        """Grade the current answer, record the attempt, show the feedback."""
        response = self.response()
        if response is None or self.settled:
            return None
        result = grade(self.question, response)
        try:
            self.attempts_used = self._record(self.question, result)
        except ValueError:
            # The store says the limit is used up (e.g. attempts made on another device).
            limit = self.question.max_attempts
            self.attempts_used = limit if limit is not None else self.attempts_used
            self._refresh_attempts()
            self._settle(correct=False)
            self._show_feedback("No attempts left for this question.", "locked")
            self._update_check_enabled()
            return None
        self.last_grade = result
        self._checked_response = None if result.correct else response
        self._mark_choices(result)
        if result.correct:
            self.solved = True
        lead = "Correct!" if result.correct else "Not quite."
        parts = [result.feedback] if result.feedback else []
        if not result.correct:
            left = self.attempts_left
            if left == 0:
                parts.append("That was your last attempt.")
            elif left is not None:
                parts.append(f"Try again — {left} attempt{'s' if left != 1 else ''} left.")
            else:
                parts.append("Try again.")
        stem = lead.rstrip(".!").lower()
        if any(part.strip().lower().startswith(stem) for part in parts):
            lead = ""  # the author already says it ("Not quite. Look again…")
        self._show_feedback(lead, "correct" if result.correct else "incorrect", parts)
        self._refresh_attempts()
        if self.solved or self.attempts_left == 0:  # not self.settled: mypy keeps it narrowed
            self._settle(correct=result.correct)
        self._update_check_enabled()
        self.graded.emit(self.question.id, result.correct)
        return result

    def _mark_choices(self, result: Grade) -> None:
        if self.question.kind not in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            return
        for row in self._choice_rows:
            if row.button.isChecked():
                # Multiple choice is all-or-nothing; each ticked box still shows if it was right.
                row.set_state("correct" if row.choice.correct else "incorrect")
            else:
                row.set_state("")

    def _settle(self, *, correct: bool) -> None:
        """Lock the answer; reveal the right answer and the explanation."""
        q = self.question
        for row in self._choice_rows:
            row.button.setEnabled(False)
            if row.choice.correct:
                if correct or row.button.isChecked():
                    row.set_state("correct")
                else:
                    row.set_state("missed")
                if correct and not row.button.isChecked():
                    row.button.setChecked(True)
        if self._text is not None:
            self._text.setReadOnly(True)
            if not correct and q.answers:
                self._text.setToolTip("Accepted answers: " + ", ".join(q.answers))
        if self._ordering is not None:
            if correct:
                self._ordering.set_rows(list(q.items))
            self._ordering.set_locked(True)
            for move_button in (self.up_button, self.down_button):
                if move_button is not None:
                    move_button.setEnabled(False)
        reveal = q.explanation
        if not correct:
            answer = self._right_answer_text()
            reveal = f"{answer}\n\n{reveal}" if reveal else answer
        if reveal:
            self.explanation.setText(reveal)
            self.explanation.setVisible(True)
        theme.set_state(self, "state", "correct" if correct else "incorrect")

    def _right_answer_text(self) -> str:
        q = self.question
        if q.kind is QuestionKind.TEXT and q.answers:
            return "Accepted answer: " + " / ".join(q.answers)
        if q.kind is QuestionKind.ORDERING:
            return "The right order: " + " → ".join(q.items)
        if q.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
            right = [c.text for c in q.choices if c.correct]
            return ("Right answer: " if len(right) == 1 else "Right answers: ") + "; ".join(right)
        return ""

    def _show_feedback(self, lead: str, state: str, parts: list[str] | None = None) -> None:
        """``lead`` in bold, then each part as its own paragraph (author text is escaped)."""
        paragraphs = [html.escape(p).replace("\n", "<br>") for p in parts or []]
        body = "".join(f"<p style='margin-top:6px'>{p}</p>" for p in paragraphs)
        head = f"<b>{html.escape(lead)}</b>" if lead else ""
        if not head and body.startswith("<p style='margin-top:6px'>"):
            body = body.replace("<p style='margin-top:6px'>", "<p style='margin-top:0px'>", 1)
        self.feedback.setText(head + body)
        theme.set_state(self.feedback, "state", state)
        self.feedback.setVisible(True)

    def _refresh_attempts(self) -> None:
        left = self.attempts_left
        if self.solved:
            text, state = "Answered correctly", ""
        elif left is None:
            text, state = "Unlimited attempts", ""
        elif left == 0:
            text, state = "No attempts left", "none"
        elif left == 1:
            text, state = "Last attempt", "last"
        else:
            text, state = f"{left} of {self.question.max_attempts} attempts left", ""
        self.attempts_label.setText(text)
        theme.set_state(self.attempts_label, "state", state)

    def _toggle_hint(self, shown: bool) -> None:
        self.hint_text.setVisible(shown)
        self.hint_button.setText("Hide hint" if shown else "Show hint")

    def _on_answer_changed(self, *_: object) -> None:
        if self.settled:
            return
        # A new answer clears the marks of the previous attempt.
        for row in self._choice_rows:
            row.set_state("selected" if row.button.isChecked() else "")
        if self.feedback.property("state") == "incorrect":
            self.feedback.setVisible(False)
        self._update_check_enabled()

    def _update_check_enabled(self) -> None:
        # The same wrong answer again would only burn an attempt: change it first.
        response = self.response()
        self.check_button.setEnabled(
            not self.settled and response is not None and response != self._checked_response
        )
        if self.settled:
            self.check_button.setText("Answered" if self.solved else "No attempts left")


class QuizPanel(QWidget):
    """Every question of one slide, stacked."""

    graded = Signal(str, bool)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._layout = QVBoxLayout(self)
        self._layout.setContentsMargins(0, 0, 0, 0)
        self._layout.setSpacing(16)
        self.views: list[QuestionView] = []

    def set_questions(self, views: list[QuestionView]) -> None:
        for old in self.views:
            old.hide()
            old.setParent(None)
            old.deleteLater()
        self.views = views
        for view in views:
            view.graded.connect(self.graded)
            self._layout.addWidget(view)
        self.setVisible(bool(views))
