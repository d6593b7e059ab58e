"""A questionnaire as a form: one input per question, shown only when it applies.

Built from a :class:`~desktop.domain.policy.Questionnaire` (data, not code). Every change
re-evaluates the branching (``when`` conditions) so that, say, answering "no" to "Do you
accept returns?" hides the return-window questions at once. Problems and broken
jurisdiction rules are shown under the question they concern, with the reason and the
legal basis, and a button that puts in the value the rule accepts.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import date
from typing import Any

from PySide6.QtCore import QDate, Qt, Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QDateEdit,
    QDoubleSpinBox,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QSpinBox,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.policy import (
    AnswerProblem,
    Facts,
    Question,
    Questionnaire,
    QuestionType,
    matches,
)
from desktop.domain.policy_rules import RuleViolation
from desktop.ui.models.policy_table import TableAnswerModel
from desktop.ui.widgets.common import Card, button, label

_BIG = 1_000_000_000


class QuestionRow(QWidget):
    """One question: its label, help, input and the problems found with the answer."""

    changed = Signal()
    fix_requested = Signal(str, object)  # question id, value

    def __init__(self, question: Question, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.question = question
        self.setObjectName(f"question-{question.id}")
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 4, 0, 4)
        col.setSpacing(4)
        title = label(
            question.label + (" *" if question.required else ""), "QuestionLabel", wrap=True
        )
        title.setStyleSheet("font-weight: 600;")
        col.addWidget(title)
        if question.help:
            col.addWidget(label(question.help, "Muted", wrap=True))
        self.editor = self._build_editor()
        col.addWidget(self.editor)
        self.problem = label("", wrap=True)
        self.problem.setObjectName("FieldProblem")
        self.problem.setStyleSheet("color: #B42318;")
        self.problem.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.problem.hide()
        col.addWidget(self.problem)
        self.fix_button = button("", variant="ghost")
        self.fix_button.hide()
        self.fix_button.clicked.connect(self._apply_fix)
        fix_row = QHBoxLayout()
        fix_row.addWidget(self.fix_button)
        fix_row.addStretch(1)
        col.addLayout(fix_row)
        self._fix: object = None

    # -- editors --------------------------------------------------------------------

    def _build_editor(self) -> QWidget:
        q = self.question
        kind = q.type
        name = q.label
        if kind is QuestionType.BOOL:
            box = QWidget()
            row = QHBoxLayout(box)
            row.setContentsMargins(0, 0, 0, 0)
            self._yes = QRadioButton("Yes")
            self._no = QRadioButton("No")
            self._yes.setAccessibleName(f"{name}: yes")
            self._no.setAccessibleName(f"{name}: no")
            group = QButtonGroup(box)
            group.addButton(self._yes)
            group.addButton(self._no)
            self._yes.toggled.connect(lambda _on: self.changed.emit())
            row.addWidget(self._yes)
            row.addWidget(self._no)
            row.addStretch(1)
            return box
        if kind is QuestionType.INT:
            spin = QSpinBox()
            spin.setRange(
                int(q.min if q.min is not None else 0), int(q.max if q.max is not None else _BIG)
            )
            spin.setAccessibleName(name)
            spin.setMaximumWidth(180)
            spin.valueChanged.connect(lambda _v: self.changed.emit())
            return spin
        if kind is QuestionType.PERCENT:
            dspin = QDoubleSpinBox()
            dspin.setRange(q.min or 0.0, q.max if q.max is not None else 100.0)
            dspin.setDecimals(1)
            dspin.setSuffix(" %")
            dspin.setAccessibleName(name)
            dspin.setMaximumWidth(180)
            dspin.valueChanged.connect(lambda _v: self.changed.emit())
            return dspin
        if kind is QuestionType.CHOICE:
            combo = QComboBox()
            for choice in q.choices:
                combo.addItem(choice.label, choice.value)
            combo.setAccessibleName(name)
            combo.currentIndexChanged.connect(lambda _i: self.changed.emit())
            return combo
        if kind is QuestionType.MULTI:
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            col.setSpacing(2)
            self._checks: dict[str, QCheckBox] = {}
            for choice in q.choices:
                check = QCheckBox(choice.label)
                check.setAccessibleName(f"{name}: {choice.label}")
                check.toggled.connect(lambda _on: self.changed.emit())
                self._checks[choice.value] = check
                col.addWidget(check)
            return box
        if kind is QuestionType.DATE:
            edit = QDateEdit()
            edit.setCalendarPopup(True)
            edit.setDisplayFormat("d MMMM yyyy")
            edit.setAccessibleName(name)
            edit.dateChanged.connect(lambda _d: self.changed.emit())
            return edit
        if kind in (QuestionType.LONGTEXT, QuestionType.LINES):
            text = QPlainTextEdit()
            text.setTabChangesFocus(True)
            text.setFixedHeight(72 if kind is QuestionType.LONGTEXT else 88)
            text.setAccessibleName(name)
            if kind is QuestionType.LINES:
                text.setPlaceholderText("One per line")
            elif q.example:
                text.setPlaceholderText(f"e.g. {q.example}")
            text.textChanged.connect(self.changed.emit)
            return text
        if kind is QuestionType.TABLE:
            box = QWidget()
            col = QVBoxLayout(box)
            col.setContentsMargins(0, 0, 0, 0)
            self.table_model = TableAnswerModel(q.columns, box)
            self.table_model.dataChanged.connect(lambda *_a: self.changed.emit())
            self.table_model.rowsInserted.connect(lambda *_a: self.changed.emit())
            self.table_model.rowsRemoved.connect(lambda *_a: self.changed.emit())
            view = QTableView()
            view.setModel(self.table_model)
            view.setAccessibleName(name)
            view.verticalHeader().setVisible(False)
            view.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.Stretch)
            view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
            view.setFixedHeight(140)
            self.table_view = view
            col.addWidget(view)
            actions = QHBoxLayout()
            add = button("Add row", variant="ghost")
            add.clicked.connect(self.table_model.add_row)
            remove = button("Remove row", variant="ghost")
            remove.clicked.connect(lambda: self.table_model.remove_row(view.currentIndex().row()))
            actions.addWidget(add)
            actions.addWidget(remove)
            actions.addStretch(1)
            col.addLayout(actions)
            return box
        line = QLineEdit()
        line.setAccessibleName(name)
        if q.example:
            line.setPlaceholderText(f"e.g. {q.example}")
        elif kind is QuestionType.EMAIL:
            line.setPlaceholderText("name@example.com")
        elif kind is QuestionType.URL:
            line.setPlaceholderText("https://example.com")
        line.textChanged.connect(lambda _t: self.changed.emit())
        return line

    # -- values ---------------------------------------------------------------------

    def value(self) -> Any:
        q, editor = self.question, self.editor
        kind = q.type
        if kind is QuestionType.BOOL:
            if self._yes.isChecked():
                return True
            if self._no.isChecked():
                return False
            return None
        if isinstance(editor, QSpinBox):
            return editor.value()
        if isinstance(editor, QDoubleSpinBox):
            value = editor.value()
            return int(value) if value.is_integer() else value
        if isinstance(editor, QComboBox):
            return editor.currentData()
        if kind is QuestionType.MULTI:
            return [v for v, check in self._checks.items() if check.isChecked()]
        if isinstance(editor, QDateEdit):
            return editor.date().toString("yyyy-MM-dd")
        if kind is QuestionType.LINES and isinstance(editor, QPlainTextEdit):
            return [ln.strip() for ln in editor.toPlainText().splitlines() if ln.strip()]
        if isinstance(editor, QPlainTextEdit):
            return editor.toPlainText()
        if kind is QuestionType.TABLE:
            return self.table_model.rows_as_dicts()
        if isinstance(editor, QLineEdit):
            return editor.text()
        return None

    def set_value(self, value: Any) -> None:
        q, editor = self.question, self.editor
        kind = q.type
        blockers = [editor.blockSignals(True)]
        try:
            if kind is QuestionType.BOOL:
                self._yes.setChecked(value is True)
                self._no.setChecked(value is False)
            elif isinstance(editor, QSpinBox):
                editor.setValue(int(value) if isinstance(value, int | float) else editor.minimum())
            elif isinstance(editor, QDoubleSpinBox):
                editor.setValue(float(value) if isinstance(value, int | float) else 0.0)
            elif isinstance(editor, QComboBox):
                found = editor.findData(value)
                editor.setCurrentIndex(max(found, 0))
            elif kind is QuestionType.MULTI:
                chosen = set(value or [])
                for v, check in self._checks.items():
                    check.setChecked(v in chosen)
            elif isinstance(editor, QDateEdit):
                if value:
                    day = date.fromisoformat(str(value))
                    editor.setDate(QDate(day.year, day.month, day.day))
            elif kind is QuestionType.LINES and isinstance(editor, QPlainTextEdit):
                editor.setPlainText("\n".join(value or []))
            elif isinstance(editor, QPlainTextEdit):
                editor.setPlainText("" if value is None else str(value))
            elif kind is QuestionType.TABLE:
                self.table_model.set_rows_from(value or [])
            elif isinstance(editor, QLineEdit):
                editor.setText("" if value is None else str(value))
        finally:
            editor.blockSignals(blockers[0])

    def set_read_only(self, read_only: bool) -> None:
        self.editor.setEnabled(not read_only)
        self.fix_button.setEnabled(not read_only)

    def show_problem(self, text: str, fix: object = None, fix_label: str = "") -> None:
        self.problem.setText(text)
        self.problem.setVisible(bool(text))
        self._fix = fix
        self.fix_button.setText(fix_label)
        self.fix_button.setVisible(bool(fix_label))

    def _apply_fix(self) -> None:
        self.set_value(self._fix)
        self.changed.emit()


class QuestionnaireForm(QWidget):
    """The whole questionnaire, section by section; ``changed`` on every edit."""

    changed = Signal()

    def __init__(self, questionnaire: Questionnaire, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.questionnaire = questionnaire
        self._profile: dict[str, Any] = {}
        self._jurisdictions: frozenset[str] = frozenset()
        self._kept: dict[str, Any] = {}  # answers of closed questions: kept, not shown
        self.rows: dict[str, QuestionRow] = {}
        self._sections: list[tuple[Card, Any]] = []
        self._loading = False
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(14)
        self.summary = label("", wrap=True)
        self.summary.setObjectName("FormSummary")
        self.summary.setStyleSheet(
            "background: #FEF3F2; color: #B42318; border: 1px solid #FECDCA;"
            " border-radius: 8px; padding: 8px 10px;"
        )
        self.summary.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.summary.hide()
        col.addWidget(self.summary)
        for section in questionnaire.sections:
            card = Card(padding=18)
            card.body.addWidget(label(section.title, "SectionTitle"))
            for question in section.questions:
                row = QuestionRow(question)
                row.changed.connect(self._on_changed)
                self.rows[question.id] = row
                card.body.addWidget(row)
            col.addWidget(card)
            self._sections.append((card, section))
        col.addStretch(1)

    def set_context(self, profile: Mapping[str, Any], jurisdictions: Sequence[str]) -> None:
        self._profile = dict(profile)
        self._jurisdictions = frozenset(jurisdictions)
        self._refresh_visibility()

    def set_answers(self, answers: Mapping[str, Any]) -> None:
        self._loading = True
        try:
            merged = {**self.questionnaire.defaults(), **dict(answers)}
            self._kept = dict(merged)
            for qid, row in self.rows.items():
                row.set_value(merged.get(qid))
                row.show_problem("")
            self.summary.hide()
        finally:
            self._loading = False
        self._refresh_visibility()

    def answers(self) -> dict[str, Any]:
        """Every answer: open questions from their inputs; closed ones as they were kept
        (the user may open them again)."""
        out = dict(self._kept)
        open_ids = self.open_ids()
        for qid, row in self.rows.items():
            if qid in open_ids:
                out[qid] = row.value()
        return out

    def open_ids(self) -> set[str]:
        return {q.id for q in self.questionnaire.open_questions(self._facts())}

    def _facts(self) -> Facts:
        values = dict(self._kept)
        for qid, row in self.rows.items():
            values[qid] = row.value()
        return Facts(values, self._profile, self._jurisdictions)

    def _refresh_visibility(self) -> None:
        facts = self._facts()
        open_ids = {q.id for q in self.questionnaire.open_questions(facts)}
        for card, section in self._sections:
            shown = matches(section.when, facts) and any(
                q.id in open_ids for q in section.questions
            )
            card.setVisible(shown)
            for q in section.questions:
                self.rows[q.id].setVisible(q.id in open_ids)

    def _on_changed(self) -> None:
        if self._loading:
            return
        self._refresh_visibility()
        self.changed.emit()

    def set_read_only(self, read_only: bool) -> None:
        for row in self.rows.values():
            row.set_read_only(read_only)

    def show_problems(
        self, problems: Sequence[AnswerProblem], violations: Sequence[RuleViolation]
    ) -> None:
        """Problems under their questions, and a summary at the top."""
        for row in self.rows.values():
            row.show_problem("")
        lines: list[str] = []
        for p in problems:
            if p.question_id in self.rows:
                self.rows[p.question_id].show_problem(p.message)
            lines.append(str(p))
        per_question: dict[str, list[str]] = {}
        fixes: dict[str, tuple[object, str]] = {}
        for v in violations:
            fix_label = ""
            if v.rule.check in ("min", "max"):
                fix_label = f"Use {v.fix}"
            elif v.rule.check == "is_true":
                fix_label = "Set to yes"
            elif v.rule.check == "subset":
                fix_label = "Remove what the law does not allow"
            text = f"{v.requirement} {v.rule.reason}\nLegal basis: {v.rule.legal_basis}"
            if not per_question.get(v.question_id):
                per_question[v.question_id] = [text]
                fixes[v.question_id] = (v.fix, fix_label)
            else:
                per_question[v.question_id].append(
                    f"{v.rule.reason}\nLegal basis: {v.rule.legal_basis}"
                )
            lines.append(f"{v.label}: {v.requirement} ({v.rule.legal_basis})")
        for qid, texts in per_question.items():
            if qid in self.rows:
                fix, fix_label = fixes[qid]
                self.rows[qid].show_problem("\n\n".join(texts), fix, fix_label)
        if lines:
            n = len(lines)
            self.summary.setText(
                f"{n} answer{'s' if n != 1 else ''} to fix before saving:\n• " + "\n• ".join(lines)
            )
        self.summary.setVisible(bool(lines))

    def first_problem_row(self) -> QuestionRow | None:
        for row in self.rows.values():
            if row.problem.isVisibleTo(self):
                return row
        return None
