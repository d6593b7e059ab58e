"""The policy text editor: Markdown with variables, a live preview, and placeholders.

Variables (``{{ return_window_days }}``) are highlighted as you type: filled ones in the
accent colour, ones with no answer in red with a wavy underline, as are markers left in
the text (``[[...]]``, ``TODO``, ``____``). The list under the editor names every
unfilled placeholder with its line; double-click (or Enter) jumps to it. The preview on
the right follows the text a moment after you stop typing.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QFont,
    QKeySequence,
    QShortcut,
    QSyntaxHighlighter,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QListView,
    QPlainTextEdit,
    QSplitter,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.policy_text import JINJA_RE, VARIABLE_RE, Placeholder
from desktop.ui import theme
from desktop.ui.models.policy import PlaceholderListModel
from desktop.ui.widgets.common import label

PREVIEW_DELAY_MS = 250
_LITERAL_RE = re.compile(
    r"\[\[[^\]\n]*\]\]|\b(?:TODO|TBD|FIXME|XXX+)\b|_{4,}|"
    r"\[(?:insert|enter|add|fill in|your)\b[^\]\n]*\](?!\()",
    re.I,
)
_HEADING_RE = re.compile(r"^#{1,6}\s.*$")

PREVIEW_CSS = f"""
body {{ color: {theme.PALETTE["text"]}; }}
h1 {{ font-size: 18pt; margin-bottom: 6px; }}
h2 {{ font-size: 13pt; color: {theme.PALETTE["accent-text"]}; margin-top: 14px; }}
span.var {{ background: {theme.PALETTE["accent-soft"]}; color: {theme.PALETTE["accent-text"]}; }}
span.missing {{ background: {theme.PALETTE["danger-soft"]}; color: {theme.PALETTE["danger-text"]};
  font-weight: 600; }}
td, th {{ padding: 3px 8px; }}
"""


class VariableHighlighter(QSyntaxHighlighter):
    """Colours headings, Jinja tags, variables (filled or not) and leftover markers."""

    def __init__(self, document: QTextDocument) -> None:
        super().__init__(document)
        self.missing: set[str] = set()
        self.known: set[str] | None = None  # None: every variable counts as known
        self._heading = QTextCharFormat()
        self._heading.setFontWeight(QFont.Weight.Bold)
        self._heading.setForeground(theme.color("accent-text"))
        self._tag = QTextCharFormat()
        self._tag.setForeground(theme.color("text-subtle"))
        self._tag.setFontItalic(True)
        self._var = QTextCharFormat()
        self._var.setBackground(theme.color("accent-soft"))
        self._var.setForeground(theme.color("accent-text"))
        self._bad = QTextCharFormat()
        self._bad.setBackground(theme.color("danger-soft"))
        self._bad.setForeground(theme.color("danger-text"))
        self._bad.setUnderlineStyle(QTextCharFormat.UnderlineStyle.WaveUnderline)
        self._bad.setUnderlineColor(QColor(theme.PALETTE["danger"]))

    def set_missing(self, names: Iterable[str], known: Iterable[str] | None = None) -> None:
        missing = set(names)
        known_set = set(known) if known is not None else None
        if missing != self.missing or known_set != self.known:
            self.missing = missing
            self.known = known_set
            self.rehighlight()

    def is_unfilled(self, name: str) -> bool:
        if name in self.missing:
            return True
        if self.known is None:
            return False
        root = name.split(".", 1)[0]
        return root not in self.known

    def highlightBlock(self, text: str) -> None:
        if _HEADING_RE.match(text):
            self.setFormat(0, len(text), self._heading)
        for match in JINJA_RE.finditer(text):
            self.setFormat(match.start(), match.end() - match.start(), self._tag)
        for match in VARIABLE_RE.finditer(text):
            fmt = self._bad if self.is_unfilled(match.group(1)) else self._var
            self.setFormat(match.start(), match.end() - match.start(), fmt)
        masked = JINJA_RE.sub(lambda m: " " * len(m.group(0)), text)
        for match in _LITERAL_RE.finditer(masked):
            self.setFormat(match.start(), match.end() - match.start(), self._bad)


class PolicyEditor(QWidget):
    """Source on the left, preview on the right, placeholders underneath."""

    source_edited = Signal()  # after a pause in typing (PREVIEW_DELAY_MS)
    save_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(8)
        split = QSplitter(Qt.Orientation.Horizontal)
        split.setChildrenCollapsible(False)
        self.text = QPlainTextEdit()
        self.text.setObjectName("PolicySource")
        self.text.setAccessibleName("Policy text (Markdown)")
        self.text.setFont(theme.reading_font(10.5))
        self.text.setLineWrapMode(QPlainTextEdit.LineWrapMode.WidgetWidth)
        self.text.setTabChangesFocus(False)
        self.text.setStyleSheet(
            f"QPlainTextEdit {{ background: {theme.PALETTE['surface']};"
            f" border: 1px solid {theme.PALETTE['border']}; border-radius: 8px; padding: 8px; }}"
        )
        self.highlighter = VariableHighlighter(self.text.document())
        self.preview = QTextBrowser()
        self.preview.setObjectName("PolicyPreview")
        self.preview.setAccessibleName("Preview")
        self.preview.setOpenLinks(False)
        self.preview.setOpenExternalLinks(False)
        self.preview.document().setDefaultStyleSheet(PREVIEW_CSS)
        self.preview.setFont(theme.reading_font(10.5))
        self.preview.setStyleSheet(
            f"QTextBrowser {{ background: {theme.PALETTE['surface']};"
            f" border: 1px solid {theme.PALETTE['border']}; border-radius: 8px; padding: 14px; }}"
        )
        split.addWidget(self.text)
        split.addWidget(self.preview)
        split.setSizes([520, 520])
        col.addWidget(split, 1)

        self.status = label("", wrap=True)
        self.status.setObjectName("EditorStatus")
        col.addWidget(self.status)
        self.placeholder_model = PlaceholderListModel(self)
        self.placeholders = QListView()
        self.placeholders.setObjectName("PlaceholderList")
        self.placeholders.setAccessibleName("Unfilled placeholders")
        self.placeholders.setModel(self.placeholder_model)
        self.placeholders.setMaximumHeight(96)
        self.placeholders.setStyleSheet(f"color: {theme.PALETTE['danger-text']};")
        self.placeholders.activated.connect(self._jump)
        self.placeholders.doubleClicked.connect(self._jump)
        col.addWidget(self.placeholders)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(PREVIEW_DELAY_MS)
        self._timer.timeout.connect(self._on_pause)
        self.text.textChanged.connect(self._on_text_changed)
        self._loading = False
        self._known_text = ""  # the text loaded or last reported as edited
        save = QShortcut(QKeySequence(QKeySequence.StandardKey.Save), self)
        save.activated.connect(self.save_requested.emit)

    # -- text -------------------------------------------------------------------------

    def set_source(self, source: str) -> None:
        """Load a version's text (not an edit: no ``source_edited``; undo starts here)."""
        self._loading = True
        try:
            self.text.setPlainText(source)
            self._known_text = source
        finally:
            self._loading = False

    def source(self) -> str:
        return self.text.toPlainText()

    def set_read_only(self, read_only: bool) -> None:
        self.text.setReadOnly(read_only)

    def _on_text_changed(self) -> None:
        if not self._loading:
            self._timer.start()

    def _on_pause(self) -> None:
        # Highlighting the placeholders changes formats, which Qt reports as a text
        # change too: only a different text is an edit (to save and preview).
        text = self.source()
        if text != self._known_text:
            self._known_text = text
            self.source_edited.emit()

    # -- preview and placeholders -----------------------------------------------------

    def show_preview(
        self,
        html: str,
        placeholders: list[Placeholder],
        problem: str = "",
        missing: Iterable[str] = (),
        known: Iterable[str] | None = None,
    ) -> None:
        self.highlighter.set_missing(missing, known)
        self.placeholder_model.set_rows(placeholders)
        self.placeholders.setVisible(bool(placeholders))
        if problem:
            self.status.setText(f"The text cannot be rendered: {problem}")
            self.status.setStyleSheet(f"color: {theme.PALETTE['danger-text']};")
            return
        scroll = self.preview.verticalScrollBar().value()
        self.preview.setHtml(html)
        self.preview.verticalScrollBar().setValue(scroll)
        if placeholders:
            n = len(placeholders)
            self.status.setText(
                f"{n} placeholder{'s' if n != 1 else ''} to fill before this policy can be "
                "exported. Answer the questions, or edit the text."
            )
            self.status.setStyleSheet(f"color: {theme.PALETTE['danger-text']};")
        else:
            self.status.setText(
                "Every placeholder is filled. Highlighted words come from your answers."
            )
            self.status.setStyleSheet(f"color: {theme.PALETTE['success-text']};")

    def _jump(self, index: QModelIndex) -> None:
        row = self.placeholder_model.row_at(index.row())
        if row is None or row.line <= 0:
            return
        block = self.text.document().findBlockByLineNumber(row.line - 1)
        cursor = QTextCursor(block)
        cursor.movePosition(
            QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.MoveAnchor, max(row.column - 1, 0)
        )
        cursor.movePosition(
            QTextCursor.MoveOperation.Right, QTextCursor.MoveMode.KeepAnchor, row.length
        )
        self.text.setTextCursor(cursor)
        self.text.setFocus()
