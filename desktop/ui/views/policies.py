"""Policy Studio: the user's policies, each with its questionnaire, text, review and history.

Left, the policies; right, the one open: answer its questions (checked as you type
against the jurisdiction rules), edit its text with a live preview, send it for review,
and export it. Rendering previews and PDFs runs through the window's
:class:`~desktop.ui.tasks.TaskRunner`, never on the UI thread.

Keys: Ctrl+N new policy, Ctrl+S save (answers or text, whichever tab is open),
Ctrl+E export PDF, Ctrl+Shift+P company profile, Ctrl+PageUp/PageDown switch tabs.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QDate, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDateEdit,
    QFileDialog,
    QHBoxLayout,
    QMessageBox,
    QSplitter,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.policy import NOT_LEGAL_ADVICE
from desktop.domain.policy_review import ReviewError, ReviewState, can_edit
from desktop.domain.policy_text import Placeholder, sections
from desktop.domain.templates import TemplateProblem
from desktop.services.policies import (
    AnswersRefused,
    PolicyService,
    Preview,
    VersionDiff,
)
from desktop.services.policies_plain import PlainLanguageProblem, Rewrite, providers, rewrite_plain
from desktop.services.policies_render import ExportBlocked, markdown_to_html
from desktop.services.policies_templates import PolicyTemplateProblem
from desktop.storage.policies import DocumentRecord, FrozenVersion, VersionRecord
from desktop.ui import theme
from desktop.ui.dialogs.policy_new import NewPolicyDialog
from desktop.ui.dialogs.policy_profile import ProfileDialog
from desktop.ui.models.policy import STATE_TONE, PolicyListModel
from desktop.ui.tasks import TaskRunner, user_message
from desktop.ui.widgets.common import (
    Card,
    ElidedLabel,
    EmptyState,
    PageHeader,
    button,
    centred,
    label,
    pill,
    scroll_page,
)
from desktop.ui.widgets.delegates import CardList, CardStyle
from desktop.ui.widgets.policy_editor import PolicyEditor
from desktop.ui.widgets.policy_form import QuestionnaireForm
from desktop.ui.widgets.policy_history import HistoryPanel
from desktop.ui.widgets.policy_review import ReviewPanel

if TYPE_CHECKING:
    from desktop.services.content import ContentService

FORMAT_NAMES = {"pdf": ("PDF", "PDF files (*.pdf)"), "html": ("HTML", "Web pages (*.html)"),
                "md": ("Markdown", "Markdown files (*.md)")}  # fmt: skip
CHECK_DELAY_MS = 300


class PoliciesView(QWidget):
    message = Signal(str)  # a short status line for the window
    preview_ready = Signal()  # a preview was shown (tests wait for it)
    exported = Signal(object)  # Path of a finished export
    template_saved = Signal(object)  # uuid of a template saved to the library

    def __init__(
        self,
        service: PolicyService,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        content: ContentService | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.service = service
        self.runner = runner
        self.content = content  # Content Studio, for the optional plain-language rewrite
        self.document: DocumentRecord | None = None
        self.version: VersionRecord | None = None
        self.form: QuestionnaireForm | None = None
        self._preview_seq = 0
        self._last_deleted: uuid.UUID | None = None
        # Replaceable in tests: what would otherwise open a native dialog.
        self.choose_export_path: Callable[[str, str], Path | None] = self._ask_export_path
        self.ask_yes_no: Callable[[str, str], bool] = self._ask_yes_no

        root = QVBoxLayout(self)
        root.setContentsMargins(28, 24, 28, 18)
        root.setSpacing(12)
        self.header = PageHeader(
            "Policies",
            "Sales policies from your answers, checked against the law of your markets, "
            "reviewed by a colleague and exported as PDF.",
        )
        self.profile_button = button("Company profile…", icon="settings")
        self.profile_button.setToolTip(
            "Names, addresses and markets shared by every policy (Ctrl+Shift+P)"
        )
        self.profile_button.clicked.connect(self.edit_profile)
        self.new_button = button("New policy", variant="primary")
        self.new_button.setToolTip("Write a new policy (Ctrl+N)")
        self.new_button.clicked.connect(self.new_policy)
        self.header.action_row.addWidget(self.profile_button)
        self.header.action_row.addWidget(self.new_button)
        root.addWidget(self.header)
        self.disclaimer = label(f"⚠  {NOT_LEGAL_ADVICE}", wrap=True)
        self.disclaimer.setObjectName("LegalNotice")
        self.disclaimer.setStyleSheet(
            f"background: {theme.PALETTE['warning-soft']}; color: {theme.PALETTE['warning-text']};"
            " border-radius: 8px; padding: 7px 12px;"
        )
        root.addWidget(self.disclaimer)

        self.stack = QStackedWidget()
        root.addWidget(self.stack, 1)
        # Empty state
        empty_page = QWidget()
        empty_col = QVBoxLayout(empty_page)
        empty_col.addSpacing(12)
        self.empty = EmptyState(
            "policies",
            "Write your first sales policy",
            "Answer a few questions about your business and Playbook drafts the policy, with "
            "the rules of your markets built in. A colleague reviews it before you publish.",
            points=(
                "Returns and refunds, shipping, terms of sale, warranty, subscriptions, privacy",
                "Discount authority and commission plans for the sales team",
                "EU and UK withdrawal rights, California privacy and Florida's refund rule checked",
            ),
        )
        self.empty_profile = button("Set up company profile", icon="settings")
        self.empty_profile.clicked.connect(self.edit_profile)
        self.empty_new = button("New policy", variant="primary")
        self.empty_new.clicked.connect(self.new_policy)
        self.empty.add_action(self.empty_profile)
        self.empty.add_action(self.empty_new)
        empty_col.addLayout(centred(self.empty, 760))
        empty_col.addStretch(1)
        self.stack.addWidget(empty_page)

        # Policies and the one open
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.list_model = PolicyListModel(self)
        self.list = CardList(CardStyle(padding=12, gap=6, lead=32, title_pt=10.5))
        self.list.setObjectName("PolicyList")
        self.list.setAccessibleName("Your policies")
        self.list.setModel(self.list_model)
        self.list.setMinimumWidth(290)
        self.list.setMaximumWidth(330)
        self.list.open_index.connect(self._on_list_open)
        split.addWidget(self.list)
        split.addWidget(self._build_document_pane())
        split.setStretchFactor(1, 1)
        self.stack.addWidget(split)

        self._check_timer = QTimer(self)
        self._check_timer.setSingleShot(True)
        self._check_timer.setInterval(CHECK_DELAY_MS)
        self._check_timer.timeout.connect(self._live_check)

        for keys, slot in (
            ("Ctrl+N", self.new_policy),
            ("Ctrl+S", self.save_current),
            ("Ctrl+E", lambda: self.export("pdf")),
            ("Ctrl+Shift+P", self.edit_profile),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        self.refresh()

    # -- building -----------------------------------------------------------------------

    def _build_document_pane(self) -> QWidget:
        pane = QWidget()
        col = QVBoxLayout(pane)
        col.setContentsMargins(12, 0, 0, 0)
        col.setSpacing(10)
        top = QHBoxLayout()
        top.setSpacing(10)
        self.doc_title = ElidedLabel("", "PageTitle")
        self.doc_title.setStyleSheet("font-size: 15pt;")
        self.doc_state = pill("Draft")
        self.doc_version = label("", "Muted")
        self.doc_origin = ElidedLabel("", "Muted")
        self.doc_origin.setAccessibleName("Template this policy started from")
        self.doc_origin.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        self.doc_origin.hide()
        top.addWidget(self.doc_title, 1)
        top.addWidget(self.doc_origin, 1)
        top.addWidget(self.doc_state)
        col.addLayout(top)
        top = QHBoxLayout()
        top.setSpacing(8)
        top.addWidget(self.doc_version)
        top.addStretch(1)
        top.addWidget(label("Effective", "Muted"))
        self.effective = QDateEdit()
        self.effective.setCalendarPopup(True)
        self.effective.setDisplayFormat("d MMM yyyy")
        self.effective.setMinimumDate(QDate(2000, 1, 1))
        self.effective.setSpecialValueText("Not set")
        self.effective.setAccessibleName("Effective date")
        self.effective.setMinimumWidth(130)
        self.effective.dateChanged.connect(self._on_effective_changed)
        top.addWidget(self.effective)
        self.export_pdf = button("Export PDF", variant="primary")
        self.export_pdf.setToolTip("Export as PDF (Ctrl+E)")
        self.export_pdf.clicked.connect(lambda: self.export("pdf"))
        self.export_html = button("HTML")
        self.export_html.clicked.connect(lambda: self.export("html"))
        self.export_md = button("Markdown")
        self.export_md.clicked.connect(lambda: self.export("md"))
        self.delete_button = button("", variant="ghost", icon="trash", icon_colour="danger")
        self.delete_button.setToolTip("Delete this policy (you can undo)")
        self.delete_button.setAccessibleName("Delete policy")
        self.delete_button.clicked.connect(self.delete_current)
        for widget in (self.export_pdf, self.export_html, self.export_md, self.delete_button):
            top.addWidget(widget)
        col.addLayout(top)

        self.banner = label("", wrap=True)
        self.banner.setObjectName("PolicyBanner")
        self.banner.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.banner.hide()
        col.addWidget(self.banner)
        frozen_row = QHBoxLayout()
        self.frozen = label("", wrap=True)
        self.frozen.setObjectName("FrozenNotice")
        self.frozen.setStyleSheet(
            f"background: {theme.PALETTE['success-soft']}; color: {theme.PALETTE['success-text']};"
            " border-radius: 8px; padding: 7px 12px;"
        )
        self.edit_new = button("Edit as new draft", icon="note")
        self.edit_new.clicked.connect(self.edit_as_new_draft)
        frozen_row.addWidget(self.frozen, 1)
        frozen_row.addWidget(self.edit_new)
        self.frozen_box = QWidget()
        self.frozen_box.setLayout(frozen_row)
        frozen_row.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.frozen_box)

        self.tabs = QTabWidget()
        self.tabs.setObjectName("PolicyTabs")
        # Questions
        self.questions_page = QWidget()
        self.questions_page.setObjectName("Page")
        self.questions_col = QVBoxLayout(self.questions_page)
        self.questions_col.setContentsMargins(0, 8, 8, 8)
        self.questions_scroll = scroll_page(self.questions_page)
        questions_tab = QWidget()
        qcol = QVBoxLayout(questions_tab)
        qcol.setContentsMargins(0, 0, 0, 0)
        qcol.addWidget(self.questions_scroll, 1)
        qactions = QHBoxLayout()
        self.answers_state = label("", "Muted", wrap=True)
        qactions.addWidget(self.answers_state, 1)
        self.save_answers_button = button("Save answers", variant="primary")
        self.save_answers_button.setToolTip("Save answers (Ctrl+S)")
        self.save_answers_button.clicked.connect(self.save_answers)
        qactions.addWidget(self.save_answers_button)
        qcol.addLayout(qactions)
        self.tabs.addTab(questions_tab, "Questions")
        # Text
        text_tab = QWidget()
        tcol = QVBoxLayout(text_tab)
        tcol.setContentsMargins(0, 8, 0, 0)
        self.editor = PolicyEditor()
        self.editor.source_edited.connect(self._on_source_edited)
        self.editor.save_requested.connect(self.save_text)
        tcol.addWidget(self.editor, 1)
        tactions = QHBoxLayout()
        tactions.addWidget(
            label("Variables like {{ return_window_days }} are filled from your answers.", "Muted"),
            1,
        )
        self.plain_button = button("Plain language…", variant="ghost")
        self.plain_button.setToolTip(
            "Rewrite the selected clause in plain language with a Content Studio model "
            "(optional; facts are checked before anything is replaced)"
        )
        self.plain_button.clicked.connect(self.rewrite_selection)
        tactions.addWidget(self.plain_button)
        self.save_template_button = button("Save as template…", variant="ghost")
        self.save_template_button.setToolTip(
            "Save this text as a policy template in your library, personal or for your "
            "team (teammates get it when they sync)"
        )
        self.save_template_button.clicked.connect(self.save_as_template)
        tactions.addWidget(self.save_template_button)
        self.reset_text = button("Restore template", variant="ghost")
        self.reset_text.setToolTip(
            "Put the template this policy started from back (your edits can be undone with Ctrl+Z)"
        )
        self.reset_text.clicked.connect(self.restore_template)
        tactions.addWidget(self.reset_text)
        tcol.addLayout(tactions)
        self.tabs.addTab(text_tab, "Text")
        # Review
        self.review = ReviewPanel()
        self.review.submit_requested.connect(self.submit)
        self.review.withdraw_requested.connect(self.withdraw)
        self.review.changes_requested.connect(self.request_changes)
        self.review.approve_requested.connect(self.approve)
        self.review.comment_added.connect(self.add_comment)
        self.review.comment_resolved.connect(self.resolve_comment)
        self.review.item_toggled.connect(self.toggle_item)
        self.review.setMinimumHeight(720)
        self.tabs.addTab(scroll_page(self.review), "Review")
        # History
        self.history = HistoryPanel()
        self.history.compare_requested.connect(self.compare)
        self.history.edit_requested.connect(lambda vid: self.edit_as_new_draft())
        self.history.open_requested.connect(self.open_version)
        self.tabs.addTab(self.history, "History")
        col.addWidget(self.tabs, 1)
        return pane

    # -- listing ------------------------------------------------------------------------

    def refresh(self, select: uuid.UUID | None = None) -> None:
        """Read the policies again and show ``select`` (or the one open, or the first)."""
        docs = self.service.documents()
        try:
            problems = self.service.cross_document_problems()
        except Exception:  # a broken document must not hide the others
            problems = []
        counts: dict[str, int] = {}
        for p in problems:
            for t in p.policies:
                counts[t] = counts.get(t, 0) + 1
        self._disagreements = problems
        self.list_model.problems = counts
        self.list_model.set_rows(docs)
        has_profile = self.service.profile().complete
        self.empty_profile.setVisible(not has_profile)
        self.stack.setCurrentIndex(1 if docs else 0)
        if not docs:
            self.document = self.version = None
            return
        wanted = select or (self.document.id if self.document else None)
        index = self.list_model.index_of(wanted) if wanted else QModelIndex()
        if not index.isValid():
            index = self.list_model.index(0, 0)
        self.list.setCurrentIndex(index)
        row = self.list_model.row_at(index.row())
        if row is not None:
            self.open_document(row.id)

    def _on_list_open(self, index: QModelIndex) -> None:
        row = self.list_model.row_at(index.row())
        if row is not None and (self.document is None or row.id != self.document.id):
            self.open_document(row.id)

    def open_document(self, document_id: uuid.UUID, version_id: uuid.UUID | None = None) -> None:
        doc = self.service.document(document_id)
        version = (
            self.service.version(version_id) if version_id else self.service.latest(document_id)
        )
        changed_type = self.document is None or self.document.policy_type != doc.policy_type
        self.document, self.version = doc, version
        if changed_type or self.form is None:
            if self.form is not None:
                self.form.hide()
                self.form.setParent(None)
                self.form.deleteLater()
            self.form = QuestionnaireForm(self.service.catalog.questionnaire(doc.policy_type))
            self.form.changed.connect(self._on_answers_changed)
            self.questions_col.insertWidget(0, self.form)
        self._show_version()

    def open_version(self, version_id: uuid.UUID) -> None:
        if self.document is not None:
            self.open_document(self.document.id, version_id)

    def _show_version(self) -> None:
        doc, version, form = self.document, self.version, self.form
        if doc is None or version is None or form is None:
            return
        state = ReviewState(version.state)
        editable = can_edit(state)
        profile = self.service.profile()
        form.set_context(profile.answers, doc.jurisdictions)
        form.set_answers(version.answers)
        form.set_read_only(not editable)
        self.save_answers_button.setEnabled(editable)
        self.answers_state.setText(
            "" if editable else "This version cannot change now; answers are shown as they were."
        )
        self.doc_title.setText(doc.title)
        self.doc_state.setText(state.label)
        tone = STATE_TONE[state]
        theme.set_state(self.doc_state, "tone", "neutral" if tone == "muted" else tone)
        jur = ", ".join(j.upper().replace("_", "-") for j in doc.jurisdictions) or "no jurisdiction"
        self.doc_version.setText(f"Version {version.number} · {jur}")
        origin = self.service.template_origin(version)
        if origin is not None:
            number = f" · v{origin.number}" if origin.number is not None else ""
            self.doc_origin.setText(
                f"From “{origin.name}” · {origin.where}{number}"
                if origin.available
                else "From a template no longer in the library"
            )
        self.doc_origin.setVisible(origin is not None)
        self.effective.blockSignals(True)
        if version.effective_date:
            day = date.fromisoformat(version.effective_date)
            self.effective.setDate(QDate(day.year, day.month, day.day))
        else:
            self.effective.setDate(self.effective.minimumDate())
        self.effective.setEnabled(editable)
        self.effective.blockSignals(False)
        self.editor.set_source(version.source)
        self.editor.set_read_only(not editable)
        self.reset_text.setEnabled(editable)
        self.save_template_button.setVisible(self.service.has_template_library)
        self.frozen_box.setVisible(state in (ReviewState.APPROVED, ReviewState.IN_REVIEW))
        if state is ReviewState.APPROVED:
            self.frozen.setText(
                f"Version {version.number} is approved by {version.reviewer} and frozen. "
                "Editing starts a new draft version."
            )
            self.edit_new.show()
        elif state is ReviewState.IN_REVIEW:
            self.frozen.setText(
                f"Version {version.number} is in review. Take it back from review "
                "(Review tab) to edit it."
            )
            self.edit_new.hide()
        self._show_banner()
        self._refresh_review()
        self.history.set_versions(self.service.versions(doc.id), version.id)
        self.request_preview()
        self._live_check()

    def _show_banner(self) -> None:
        doc = self.document
        if doc is None:
            return
        mine = [d for d in getattr(self, "_disagreements", []) if doc.policy_type in d.policies]
        if mine:
            self.banner.setText(
                "Your policies disagree:\n" + "\n".join(f"• {d.message}" for d in mine)
            )
            self.banner.setStyleSheet(
                f"background: {theme.PALETTE['danger-soft']};"
                f" color: {theme.PALETTE['danger-text']};"
                " border-radius: 8px; padding: 7px 12px;"
            )
        self.banner.setVisible(bool(mine))

    # -- answers ------------------------------------------------------------------------

    def _on_answers_changed(self) -> None:
        self._check_timer.start()

    def _live_check(self) -> None:
        """Check the answers as typed (without saving) and show what the rules refuse."""
        if self.form is None or self.document is None or self.version is None:
            return
        if not can_edit(ReviewState(self.version.state)):
            self.form.show_problems([], [])
            return
        check = self.service.check_answers(self.document.id, self.form.answers())
        self.form.show_problems(check.problems, check.violations)

    def save_answers(self) -> bool:
        if self.form is None or self.version is None:
            return False
        try:
            self.service.save_answers(self.version.id, self.form.answers())
        except AnswersRefused as exc:
            self.form.show_problems(exc.problems, exc.violations)
            first = self.form.first_problem_row()
            if first is not None:
                self.questions_scroll.ensureWidgetVisible(first)
            self.message.emit("Answers not saved: fix what is marked in red.")
            return False
        except (FrozenVersion, ReviewError) as exc:
            self._tell(exc)
            return False
        self.message.emit("Answers saved.")
        self._reload()
        return True

    def save_current(self) -> None:
        if self.tabs.currentIndex() == 1:
            self.save_text()
        else:
            self.save_answers()

    # -- text ---------------------------------------------------------------------------

    def _on_source_edited(self) -> None:
        if self.version is not None and can_edit(ReviewState(self.version.state)):
            self.service.save_source(self.version.id, self.editor.source())
        self.request_preview()

    def save_text(self) -> None:
        if self.version is None:
            return
        try:
            self.service.save_source(self.version.id, self.editor.source())
        except (FrozenVersion, ReviewError) as exc:
            self._tell(exc)
            return
        self.message.emit("Text saved.")

    def restore_template(self) -> None:
        if self.version is None:
            return
        source = self.service.template_source(self.version.id)
        cursor = self.editor.text.textCursor()
        cursor.select(cursor.SelectionType.Document)
        cursor.insertText(source)  # one undoable edit
        self.message.emit("Template restored — Ctrl+Z brings your text back.")

    def request_preview(self) -> None:
        """Render the text with the answers in the background; only the newest result
        is shown."""
        if self.version is None:
            return
        self._preview_seq += 1
        seq, version_id, source = self._preview_seq, self.version.id, self.editor.source()

        def done(preview: Preview) -> None:
            if seq == self._preview_seq:
                self._show_preview(preview)

        self.runner.run(
            "Rendering preview",
            lambda: (self.service.preview(version_id, source), self.service.variables(version_id)),
            owner=self,
            on_done=lambda pair: done(self._remember_variables(pair)),
        )

    def _remember_variables(self, pair: tuple[Preview, dict[str, Any]]) -> Preview:
        self._variables = pair[1]
        return pair[0]

    def _show_preview(self, preview: Preview) -> None:
        rendering = preview.rendering
        known = set(getattr(self, "_variables", {}) or {})
        unsafe = [
            Placeholder(0, 0, 0, snippet, "would load a file or web page; remove it")
            for snippet in rendering.unsafe
        ]
        self.editor.show_preview(
            preview.html,
            [*rendering.placeholders, *unsafe],
            rendering.problem,
            rendering.missing_variables,
            known or None,
        )
        self.preview_ready.emit()

    # -- plain language (optional) -------------------------------------------------------

    def rewrite_selection(self) -> None:
        """Ask a Content Studio provider for a plain-language version of the selected
        clause, and offer it side by side; nothing changes without the user's word."""
        names = providers(self.content)
        if self.content is None or not names:
            self._tell(
                PlainLanguageProblem(
                    "No model is set up. Add a provider in Content Studio to rewrite clauses "
                    "in plain language.\nThis is optional: policies work without it."
                )
            )
            return
        if self.version is None or not can_edit(ReviewState(self.version.state)):
            return
        cursor = self.editor.text.textCursor()
        clause = cursor.selectedText().replace("\u2029", "\n")
        if not clause.strip():
            self._tell(PlainLanguageProblem("Select the clause to rewrite first."))
            return
        start, end = cursor.selectionStart(), cursor.selectionEnd()
        content = self.content
        self.runner.run_async(
            "Rewriting in plain language",
            lambda: rewrite_plain(content, names[0], clause),
            owner=self,
            on_done=lambda rewrite: self._offer_rewrite(rewrite, start, end),
            on_error=lambda _what, exc: self._tell(exc),
        )

    def _offer_rewrite(self, rewrite: Rewrite, start: int, end: int) -> None:
        from desktop.ui.dialogs.policy_rewrite import RewriteDialog

        dialog = RewriteDialog(rewrite, self)
        dialog.setStyleSheet(theme.stylesheet())
        dialog.accepted.connect(lambda: self._apply_rewrite(rewrite, dialog.text(), start, end))
        self.rewrite_dialog = dialog
        dialog.open()

    def _apply_rewrite(self, rewrite: Rewrite, text: str, start: int, end: int) -> None:
        cursor = self.editor.text.textCursor()
        cursor.setPosition(start)
        cursor.setPosition(end, cursor.MoveMode.KeepAnchor)
        if cursor.selectedText().replace("\u2029", "\n") != rewrite.original:
            self._tell(
                PlainLanguageProblem(
                    "The text changed while the rewrite was being written; select the "
                    "clause and try again."
                )
            )
            return
        cursor.insertText(text)  # one undoable edit (Ctrl+Z)
        self.message.emit("Clause rewritten in plain language — Ctrl+Z undoes it.")

    # -- effective date -----------------------------------------------------------------

    def _on_effective_changed(self, value: QDate) -> None:
        if self.version is None:
            return
        chosen = (
            None
            if value == self.effective.minimumDate()
            else date(value.year(), value.month(), value.day())
        )
        try:
            self.service.set_effective_date(self.version.id, chosen)
        except (FrozenVersion, ReviewError) as exc:
            self._tell(exc)
            return
        self.version = self.service.version(self.version.id)
        self.request_preview()

    def set_effective_date(self, value: date | None) -> None:
        """Set the effective date as the date field would (tests, keyboard macros)."""
        if value is None:
            self.effective.setDate(self.effective.minimumDate())
        else:
            self.effective.setDate(QDate(value.year, value.month, value.day))

    # -- review -------------------------------------------------------------------------

    def _refresh_review(self) -> None:
        version = self.version
        if version is None:
            return
        rendering = self.service.render(version.id)
        self.review.show_version(
            version,
            sections(rendering.markdown or version.source),
            self.service.checklist(version.id),
            self.service.comments(version.id),
            self.service.events(version.id),
        )

    def _reload(self) -> None:
        if self.version is None:
            return
        self.version = self.service.version(self.version.id)
        self.refresh(self.version.document_id)

    def _review_step(self, step: Callable[[], object], done: str) -> None:
        try:
            step()
        except ReviewError as exc:
            self.review.show_blockers(list(exc.problems) or [exc.user_message])
            self.message.emit(exc.user_message.splitlines()[0])
            return
        except FrozenVersion as exc:
            self._tell(exc)
            return
        self.message.emit(done)
        self.review.note.clear()
        self._reload()

    def submit(self, author: str, note: str) -> None:
        if self.version is None:
            return
        version_id = self.version.id
        self._review_step(lambda: self.service.submit(version_id, author, note), "Sent for review.")

    def withdraw(self) -> None:
        if self.version is not None:
            version_id = self.version.id
            self._review_step(lambda: self.service.withdraw(version_id), "Taken back from review.")

    def request_changes(self, reviewer: str, note: str) -> None:
        if self.version is not None:
            version_id = self.version.id
            self._review_step(
                lambda: self.service.request_changes(version_id, reviewer, note),
                "Sent back to the author with changes requested.",
            )

    def approve(self, reviewer: str) -> None:
        if self.version is not None:
            version_id = self.version.id
            self._review_step(
                lambda: self.service.approve(version_id, reviewer),
                "Approved. This version is now frozen.",
            )

    def add_comment(self, section_key: str, author: str, text: str) -> None:
        if self.version is None:
            return
        try:
            self.service.add_comment(self.version.id, section_key, author, text)
        except ReviewError as exc:
            self.review.show_blockers([exc.user_message])
            return
        self.review.comment_saved()
        self._refresh_review()

    def resolve_comment(self, comment_id: uuid.UUID) -> None:
        self.service.resolve_comment(comment_id)
        self._refresh_review()

    def toggle_item(self, item_id: str, checked: bool, by: str) -> None:
        if self.version is None:
            return
        try:
            self.service.set_checked(self.version.id, item_id, checked, by)
        except FrozenVersion as exc:
            self._tell(exc)
            self._refresh_review()

    def edit_as_new_draft(self) -> None:
        """Approved versions are frozen: start the next version from it."""
        if self.version is None:
            return
        try:
            draft = self.service.edit(self.version.id, self.review.author.text())
        except ReviewError as exc:
            self._tell(exc)
            return
        self.message.emit(f"Version {draft.number} started as a draft.")
        self.version = draft
        self.refresh(draft.document_id)
        self.open_document(draft.document_id, draft.id)
        self.tabs.setCurrentIndex(0)

    # -- history ------------------------------------------------------------------------

    def compare(self, old_id: uuid.UUID, new_id: uuid.UUID) -> None:
        def done(result: tuple[VersionDiff, str]) -> None:
            diff, notice = result
            self.history.show_diff(diff)
            self.history.show_notice(notice, markdown_to_html(notice) if notice else "")

        self.runner.run(
            "Comparing versions",
            lambda: (self.service.diff(old_id, new_id), self.service.notice(new_id)),
            owner=self,
            on_done=done,
        )

    # -- profile, new, delete -----------------------------------------------------------

    def edit_profile(self) -> None:
        dialog = ProfileDialog(self.service, self)
        dialog.setStyleSheet(theme.stylesheet())
        dialog.finished.connect(lambda result: self._profile_closed(result))
        self.profile_dialog = dialog
        dialog.open()

    def _profile_closed(self, result: int) -> None:
        if result:
            self.message.emit("Company profile saved; every policy uses it.")
            self.refresh()

    def new_policy(self) -> None:
        profile = self.service.profile()
        from desktop.domain.policy import jurisdictions_for

        dialog = NewPolicyDialog(
            self.service.catalog.questionnaires,
            self.service.applicable_types(),
            jurisdictions_for(profile.answers),
            self,
            template_choices=self.service.template_choices,
            create=self._create,
        )
        dialog.setStyleSheet(theme.stylesheet())
        self.new_dialog = dialog
        dialog.open()

    def _create(
        self, policy_type: str, jurisdictions: list[str], template_id: uuid.UUID | None = None
    ) -> None:
        """Create the draft in the background (a library template is rendered in the
        sandbox first, under its time limit); a problem goes back to the dialog, which
        keeps its choices."""
        author = self.review.author.text().strip()
        dialog = self.new_dialog

        def failed(_what: str, exc: BaseException) -> None:
            dialog.show_problem(user_message(exc))

        self.runner.run(
            "Creating the draft",
            lambda: self.service.create_document(
                policy_type, author=author, jurisdictions=jurisdictions, template_id=template_id
            ),
            owner=self,
            on_done=lambda doc_id: self._created(dialog, doc_id, template_id),
            on_error=failed,
        )

    def _created(
        self, dialog: NewPolicyDialog, doc_id: uuid.UUID, template_id: uuid.UUID | None
    ) -> None:
        dialog.created()
        self.message.emit(
            "Draft created from the "
            + ("library template" if template_id else "template")
            + ". Answer the questions to fill it in."
        )
        self.document = None
        self.refresh(doc_id)
        self.tabs.setCurrentIndex(0)

    def save_as_template(self) -> None:
        """Offer to save the text in the editor as a policy template of the library."""
        if self.version is None or self.document is None:
            return
        from desktop.ui.dialogs.policy_save_template import SaveTemplateDialog

        version_id = self.version.id
        questionnaire = self.service.catalog.questionnaire(self.document.policy_type)
        source = self.editor.source()

        def save(name: str, team_id: uuid.UUID | None, description: str) -> str | None:
            try:
                template = self.service.save_as_template(
                    version_id, name, team_id, description=description, source=source
                )
            except (PolicyTemplateProblem, TemplateProblem) as exc:
                return exc.user_message
            where = "your library" if template.team_id is None else "your team's library"
            self.message.emit(
                f"Saved “{template.name}” to {where}. It is offered for new "
                f"{questionnaire.title.lower()} policies."
            )
            self.template_saved.emit(template.id)
            return None

        dialog = SaveTemplateDialog(
            self.document.title,
            questionnaire.title,
            self.service.template_teams(),
            save,
            self,
        )
        dialog.setStyleSheet(theme.stylesheet())
        self.save_template_dialog = dialog
        dialog.open()

    def delete_current(self) -> None:
        if self.document is None:
            return
        title = self.document.title
        if not self.ask_yes_no(
            "Delete policy", f"Delete “{title}”? Its versions are kept and you can undo."
        ):
            return
        self._last_deleted = self.document.id
        self.service.delete_document(self.document.id)
        self.document = self.version = None
        self.message.emit(f"Deleted “{title}”. Press Ctrl+Z in the list to undo.")
        self.refresh()
        undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self.list)
        undo.activated.connect(self.undo_delete)

    def undo_delete(self) -> None:
        if self._last_deleted is not None:
            self.service.restore_document(self._last_deleted)
            restored, self._last_deleted = self._last_deleted, None
            self.message.emit("Policy restored.")
            self.refresh(restored)

    # -- export -------------------------------------------------------------------------

    def export(self, fmt: str) -> None:
        """Export the open version; blocked (with the reasons) while anything is unfilled."""
        if self.version is None or self.document is None:
            return
        if self.tabs.currentIndex() == 1 and can_edit(ReviewState(self.version.state)):
            self.service.save_source(self.version.id, self.editor.source())
        blockers = self.service.export_blockers(self.version.id)
        if blockers:
            self._tell(ExportBlocked(blockers))
            return
        name, _filter = FORMAT_NAMES[fmt]
        suggested = f"{self.document.title} v{self.version.number}.{fmt}"
        path = self.choose_export_path(fmt, suggested)
        if path is None:
            return
        version_id = self.version.id
        self.runner.run(
            f"Exporting {name}",
            lambda: self.service.export_to(version_id, fmt, path),
            owner=self,
            on_done=self._exported,
        )

    def _exported(self, path: Path) -> None:
        self.message.emit(f"Exported {path.name}.")
        self.exported.emit(path)

    def _ask_export_path(self, fmt: str, suggested: str) -> Path | None:
        _name, pattern = FORMAT_NAMES[fmt]
        chosen, _f = QFileDialog.getSaveFileName(
            self, "Export policy", str(Path.home() / suggested), pattern
        )
        return Path(chosen) if chosen else None

    def _ask_yes_no(self, title: str, text: str) -> bool:
        answer = QMessageBox.question(self, title, text)
        return answer == QMessageBox.StandardButton.Yes

    def _tell(self, exc: BaseException) -> None:
        box = QMessageBox(self)
        box.setIcon(QMessageBox.Icon.Information)
        box.setWindowTitle("Policies")
        box.setText(user_message(exc).split("\n", 1)[0])
        rest = user_message(exc).split("\n", 1)
        if len(rest) > 1:
            box.setInformativeText(rest[1])
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.info_box = box
        box.open()


def _card(title: str) -> Card:
    card = Card(padding=16)
    card.body.addWidget(label(title, "SectionTitle"))
    return card
