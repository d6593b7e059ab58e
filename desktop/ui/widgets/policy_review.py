"""The review of one policy version: who wrote it, who reviews it, the checklist per
jurisdiction, comments per section, and the buttons that move it through review."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.policy_review import ReviewState
from desktop.domain.policy_text import TextSection
from desktop.storage.policies import ChecklistRecord, CommentRecord, EventRecord, VersionRecord
from desktop.ui import theme
from desktop.ui.models.policy import STATE_TONE, ChecklistModel, CommentListModel
from desktop.ui.widgets.common import Card, button, label, pill
from desktop.ui.widgets.delegates import CardList, CardStyle

_EVENT_WORDS = {
    "submit": "sent it for review",
    "withdraw": "took it back from review",
    "request_changes": "asked for changes",
    "approve": "approved it",
}


class ReviewPanel(QWidget):
    submit_requested = Signal(str, str)  # author, note
    withdraw_requested = Signal()
    changes_requested = Signal(str, str)  # reviewer, note
    approve_requested = Signal(str)  # reviewer
    comment_added = Signal(str, str, str)  # section key, author, text
    comment_resolved = Signal(object)  # comment id
    item_toggled = Signal(str, bool, str)  # item id, checked, reviewer

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._state = ReviewState.DRAFT
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(14)

        # Who and where it stands
        head = Card(padding=18)
        top = QHBoxLayout()
        self.title = label("", "SectionTitle")
        top.addWidget(self.title)
        self.state_pill = pill("Draft")
        top.addWidget(self.state_pill)
        top.addStretch(1)
        head.body.addLayout(top)
        form = QFormLayout()
        form.setLabelAlignment(Qt.AlignmentFlag.AlignLeft)
        self.author = QLineEdit()
        self.author.setPlaceholderText("Who wrote this version")
        self.author.setAccessibleName("Author")
        self.reviewer = QLineEdit()
        self.reviewer.setPlaceholderText("The colleague who reviews it")
        self.reviewer.setAccessibleName("Reviewer")
        self.note = QLineEdit()
        self.note.setPlaceholderText("What changed, or what should change (optional)")
        self.note.setAccessibleName("Review note")
        form.addRow("Author", self.author)
        form.addRow("Reviewer", self.reviewer)
        form.addRow("Note", self.note)
        head.body.addLayout(form)
        actions = QHBoxLayout()
        self.submit_button = button(
            "Send for review", variant="primary", icon="check-white", icon_colour="surface"
        )
        self.withdraw_button = button("Take back")
        self.changes_button = button("Request changes", variant="danger")
        self.approve_button = button("Approve", variant="primary")
        for widget in (
            self.submit_button,
            self.withdraw_button,
            self.changes_button,
            self.approve_button,
        ):
            actions.addWidget(widget)
        actions.addStretch(1)
        head.body.addLayout(actions)
        self.blockers = label("", wrap=True)
        self.blockers.setObjectName("ReviewBlockers")
        self.blockers.setStyleSheet(f"color: {theme.PALETTE['danger-text']};")
        self.blockers.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.blockers.hide()
        head.body.addWidget(self.blockers)
        self.signed = label("", "Muted", wrap=True)
        head.body.addWidget(self.signed)
        col.addWidget(head)

        self.submit_button.clicked.connect(
            lambda: self.submit_requested.emit(self.author.text(), self.note.text())
        )
        self.withdraw_button.clicked.connect(self.withdraw_requested.emit)
        self.changes_button.clicked.connect(
            lambda: self.changes_requested.emit(self.reviewer.text(), self.note.text())
        )
        self.approve_button.clicked.connect(
            lambda: self.approve_requested.emit(self.reviewer.text())
        )

        lower = QHBoxLayout()
        lower.setSpacing(14)
        # Checklist
        checks = Card(padding=18)
        checks.body.addWidget(label("Reviewer's checklist", "SectionTitle"))
        checks.body.addWidget(
            label(
                "Every item must be ticked before the version can be approved.", "Muted", wrap=True
            )
        )
        self.checklist_model = ChecklistModel(self)
        self.checklist_model.on_toggle = lambda item, on: self.item_toggled.emit(
            item, on, self.reviewer.text()
        )
        self.checklist = QListView()
        self.checklist.setObjectName("Checklist")
        self.checklist.setAccessibleName("Reviewer's checklist")
        self.checklist.setModel(self.checklist_model)
        self.checklist.setWordWrap(True)
        self.checklist.setMinimumHeight(220)
        self.checklist.setStyleSheet(
            theme.substitute_tokens(
                "QListView::item { padding: 5px 2px; }"
                " QListView::indicator { width: 15px; height: 15px; border-radius: 4px;"
                " border: 1px solid @border-strong; background: @surface; }"
                " QListView::indicator:checked { background: @accent; border-color: @accent;"
                " image: url(@icons/check-white.svg); }"
            )
        )
        checks.body.addWidget(self.checklist, 1)
        lower.addWidget(checks, 1)

        # Comments per section
        talk = Card(padding=18)
        talk.body.addWidget(label("Comments by section", "SectionTitle"))
        row = QHBoxLayout()
        self.section = QComboBox()
        self.section.setAccessibleName("Section to comment on")
        self.section.setMinimumWidth(160)
        self.comment_text = QLineEdit()
        self.comment_text.setPlaceholderText("Comment on this section…")
        self.comment_text.setAccessibleName("Comment")
        self.comment_text.returnPressed.connect(self._add_comment)
        add = button("Add")
        add.clicked.connect(self._add_comment)
        talk.body.addWidget(self.section)
        row.addWidget(self.comment_text, 1)
        row.addWidget(add)
        talk.body.addLayout(row)
        self.comment_model = CommentListModel(self)
        self.comments = CardList(CardStyle(card=False, padding=8, gap=2, lead=24, title_pt=10))
        self.comments.setObjectName("Comments")
        self.comments.setAccessibleName("Comments")
        self.comments.setModel(self.comment_model)
        self.comments.setMinimumHeight(160)
        talk.body.addWidget(self.comments, 1)
        resolve_row = QHBoxLayout()
        self.resolve_button = button("Mark resolved", variant="ghost", icon="check")
        self.resolve_button.clicked.connect(self._resolve)
        resolve_row.addWidget(self.resolve_button)
        resolve_row.addStretch(1)
        talk.body.addLayout(resolve_row)
        self.history = label("", "Muted", wrap=True)
        talk.body.addWidget(self.history)
        lower.addWidget(talk, 1)
        col.addLayout(lower, 1)

    # -- filling in -------------------------------------------------------------------

    def show_version(
        self,
        version: VersionRecord,
        sections: Sequence[TextSection],
        checklist: Sequence[ChecklistRecord],
        comments: Sequence[CommentRecord],
        events: Sequence[EventRecord],
    ) -> None:
        state = ReviewState(version.state)
        self._state = state
        self.title.setText(f"Version {version.number}")
        self.state_pill.setText(state.label)
        theme.set_state(
            self.state_pill, "tone", {"muted": "neutral"}.get(STATE_TONE[state], STATE_TONE[state])
        )
        if not self.author.text():
            self.author.setText(version.author)
        if version.reviewer and not self.reviewer.text():
            self.reviewer.setText(version.reviewer)
        self.submit_button.setEnabled(state in (ReviewState.DRAFT, ReviewState.CHANGES_REQUESTED))
        self.withdraw_button.setEnabled(state is ReviewState.IN_REVIEW)
        self.changes_button.setEnabled(state is ReviewState.IN_REVIEW)
        self.approve_button.setEnabled(state is ReviewState.IN_REVIEW)
        self.author.setReadOnly(state is ReviewState.APPROVED)
        self.reviewer.setReadOnly(state is ReviewState.APPROVED)
        self.checklist_model.editable = state is not ReviewState.APPROVED
        self.checklist_model.set_rows(checklist)
        self.comment_model.set_rows(comments)
        current = self.section.currentData()
        self.section.clear()
        self.section.addItem("Whole policy", "")
        for s in sections:
            self.section.addItem(s.title, s.key)
        found = self.section.findData(current)
        self.section.setCurrentIndex(max(found, 0))
        if state is ReviewState.APPROVED:
            when = version.approved_at.strftime("%d %b %Y %H:%M UTC") if version.approved_at else ""
            self.signed.setText(
                f"Approved by {version.reviewer} on {when}. This version is frozen; edit it to "
                f"start version {version.number + 1}."
            )
        else:
            self.signed.setText("")
        self.history.setText(
            "\n".join(
                f"{e.occurred_at:%d %b %H:%M} — {e.actor or 'Someone'} "
                f"{_EVENT_WORDS.get(e.action, e.action)}" + (f": “{e.note}”" if e.note else "")
                for e in events
            )
        )
        self.show_blockers([])

    def show_blockers(self, problems: Sequence[str]) -> None:
        self.blockers.setText("\n".join(f"• {p}" for p in problems))
        self.blockers.setVisible(bool(problems))

    def _add_comment(self) -> None:
        text = self.comment_text.text().strip()
        if not text:
            self.comment_text.setFocus()
            return
        author = self.reviewer.text().strip() or self.author.text().strip()
        self.comment_added.emit(str(self.section.currentData() or ""), author, text)

    def comment_saved(self) -> None:
        self.comment_text.clear()

    def _resolve(self) -> None:
        row = self.comment_model.row_at(self.comments.currentIndex().row())
        if row is not None:
            self.comment_resolved.emit(row.id)

    def selected_comment(self) -> uuid.UUID | None:
        row = self.comment_model.row_at(self.comments.currentIndex().row())
        return None if row is None else row.id
