"""A conflict, side by side: your text and the team's, the differences highlighted; keep
yours, keep the team's, or edit a merged text. Nothing is let go before you choose."""

from __future__ import annotations

from dataclasses import replace

from PySide6.QtCore import Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QDialog,
    QHBoxLayout,
    QPlainTextEdit,
    QStackedWidget,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.templates import ConflictChoice, TemplateConflict
from desktop.domain.templates_diff import side_by_side
from desktop.services.templates import TemplateService
from desktop.ui import theme
from desktop.ui.views.templates_diff import field_label, side_by_side_html
from desktop.ui.widgets.common import button, label


class ConflictDialog(QDialog):
    resolved = Signal(object)  # Template

    def __init__(
        self,
        templates: TemplateService,
        conflict: TemplateConflict,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._templates = templates
        self.conflict = conflict
        self.setWindowTitle("Resolve a conflict")
        self.resize(1040, 640)
        root = QVBoxLayout(self)
        root.setContentsMargins(20, 18, 20, 18)
        root.setSpacing(10)
        root.addWidget(
            label(
                f"“{conflict.theirs.name}” was changed by you and by your team",
                "SectionTitle",
                wrap=True,
            )
        )
        root.addWidget(
            label(
                "You and a teammate edited the same lines while apart. The team's server kept "
                f"its version (v{conflict.head_version}); your text is kept here until you "
                "choose. Removed or changed words are marked red on your side, green on the "
                "team's.",
                "Muted",
                wrap=True,
            )
        )
        mine, theirs = conflict.mine.fields(), conflict.theirs.fields()
        others = [
            n
            for n in sorted(set(mine) | set(theirs))
            if n != "body" and mine.get(n) != theirs.get(n)
        ]
        if others:
            differ = "; ".join(
                f"{field_label(n)}: yours “{mine.get(n, '')}”, the team's “{theirs.get(n, '')}”"
                for n in others
            )
            root.addWidget(label(f"Also different — {differ}", "Muted", wrap=True))

        self.pages = QStackedWidget()
        self.compare = QTextBrowser()
        self.compare.setAccessibleName("Your text and the team's, side by side")
        self.compare.setHtml(
            side_by_side_html(
                side_by_side(conflict.mine.body, conflict.theirs.body),
                "Yours (not on the server)",
                f"The team's (v{conflict.head_version})",
            )
        )
        self.pages.addWidget(self.compare)
        editor_page = QWidget()
        editor_layout = QVBoxLayout(editor_page)
        editor_layout.setContentsMargins(0, 0, 0, 0)
        hint = "Write the text the team should have. Both originals stay in the history."
        editor_layout.addWidget(label(hint, "Muted"))
        self.merged = QPlainTextEdit()
        self.merged.setAccessibleName("Merged text")
        mono = QFont(theme.ui_font())
        mono.setStyleHint(QFont.StyleHint.Monospace)
        mono.setFamilies(["JetBrains Mono", "DejaVu Sans Mono", "Menlo", "Consolas", "monospace"])
        self.merged.setFont(mono)
        self.merged.setPlainText(_merge_draft(conflict.mine.body, conflict.theirs.body))
        editor_layout.addWidget(self.merged, 1)
        self.pages.addWidget(editor_page)
        root.addWidget(self.pages, 1)

        self.problem = label("", "Muted", wrap=True)
        self.problem.setStyleSheet(f"color: {theme.PALETTE['danger-text']};")
        self.problem.setVisible(False)
        root.addWidget(self.problem)

        row = QHBoxLayout()
        self.keep_mine = button("Keep mine", variant="primary")
        self.keep_mine.setToolTip("Send your text to the team (Ctrl+1)")
        self.keep_mine.clicked.connect(lambda: self.choose(ConflictChoice.KEEP_MINE))
        self.keep_theirs = button("Keep the team's")
        self.keep_theirs.setToolTip("Let your text go; it stays in the history (Ctrl+2)")
        self.keep_theirs.clicked.connect(lambda: self.choose(ConflictChoice.KEEP_THEIRS))
        self.edit_merged = button("Edit merged text…")
        self.edit_merged.setToolTip("Combine both texts yourself (Ctrl+3)")
        self.edit_merged.clicked.connect(self.start_merge)
        self.save_merged = button("Save merged text", variant="primary")
        self.save_merged.clicked.connect(lambda: self.choose(ConflictChoice.MERGED))
        self.save_merged.setVisible(False)
        self.back = button("Back to comparison", variant="ghost")
        self.back.clicked.connect(lambda: self._show_compare())
        self.back.setVisible(False)
        later = button("Decide later", variant="ghost")
        later.clicked.connect(self.reject)
        row.addWidget(self.keep_mine)
        row.addWidget(self.keep_theirs)
        row.addWidget(self.edit_merged)
        row.addWidget(self.back)
        row.addWidget(self.save_merged)
        row.addStretch(1)
        row.addWidget(later)
        root.addLayout(row)
        mine_key = QShortcut(QKeySequence("Ctrl+1"), self)
        mine_key.activated.connect(lambda: self.choose(ConflictChoice.KEEP_MINE))
        theirs_key = QShortcut(QKeySequence("Ctrl+2"), self)
        theirs_key.activated.connect(lambda: self.choose(ConflictChoice.KEEP_THEIRS))
        QShortcut(QKeySequence("Ctrl+3"), self).activated.connect(self.start_merge)

    def start_merge(self) -> None:
        self.pages.setCurrentIndex(1)
        for b in (self.keep_mine, self.keep_theirs, self.edit_merged):
            b.setVisible(False)
        self.save_merged.setVisible(True)
        self.back.setVisible(True)
        self.merged.setFocus()

    def _show_compare(self) -> None:
        self.pages.setCurrentIndex(0)
        for b in (self.keep_mine, self.keep_theirs, self.edit_merged):
            b.setVisible(True)
        self.save_merged.setVisible(False)
        self.back.setVisible(False)

    def choose(self, choice: ConflictChoice) -> None:
        from desktop.domain.templates import TemplateProblem

        merged = None
        if choice is ConflictChoice.MERGED:
            merged = replace(self.conflict.mine, body=self.merged.toPlainText())
        try:
            template = self._templates.resolve(self.conflict.id, choice, merged)
        except TemplateProblem as problem:
            self.problem.setText(problem.user_message)
            self.problem.setVisible(True)
            return
        self.resolved.emit(template)
        self.accept()


def _merge_draft(mine: str, theirs: str) -> str:
    """A starting point for a merged text: the team's text, then the lines only yours
    has, so nothing has to be retyped."""
    theirs_lines = theirs.splitlines()
    extra = [line for line in mine.splitlines() if line not in theirs_lines]
    if not extra:
        return theirs
    return theirs.rstrip("\n") + "\n" + "\n".join(extra) + "\n"
