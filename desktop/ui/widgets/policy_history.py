"""Version history of a policy: every version, a readable diff between any two, the
changelog, and the customer-facing "what changed" notice."""

from __future__ import annotations

import html
from collections.abc import Sequence

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QComboBox, QHBoxLayout, QTextBrowser, QVBoxLayout, QWidget

from desktop.storage.policies import VersionRecord
from desktop.ui import theme
from desktop.ui.models.policy import VersionListModel
from desktop.ui.widgets.common import Card, button, label
from desktop.ui.widgets.delegates import CardList, CardStyle

DIFF_CSS = f"""
.added {{ background: {theme.PALETTE["success-soft"]}; color: {theme.PALETTE["success-text"]}; }}
.removed {{ background: {theme.PALETTE["danger-soft"]}; color: {theme.PALETTE["danger-text"]};
  text-decoration: line-through; }}
.same {{ color: {theme.PALETTE["text-muted"]}; }}
h3 {{ margin-top: 12px; margin-bottom: 2px; }}
td, th {{ padding: 2px 8px; }}
"""


def diff_html(diff: object) -> str:
    """A readable diff (answers, then sections) as HTML for a QTextBrowser."""
    from desktop.services.policies import VersionDiff

    assert isinstance(diff, VersionDiff)
    parts = [
        f"<h2>Version {diff.old.number} → version {diff.new.number}</h2>",
    ]
    if diff.answers:
        parts.append("<h3>Answers</h3><table>")
        for change in diff.answers:
            parts.append(
                f"<tr><td>{html.escape(change.label)}</td>"
                f'<td><span class="removed">{html.escape(change.old)}</span></td>'
                f'<td>→ <span class="added">{html.escape(change.new)}</span></td></tr>'
            )
        parts.append("</table>")
    for section in diff.sections:
        kind = {"added": "new section", "removed": "section removed", "changed": "changed"}[
            section.kind
        ]
        parts.append(f"<h3>{html.escape(section.title)} <small>({kind})</small></h3>")
        for line in section.lines:
            css = {"+": "added", "-": "removed", " ": "same"}[line.op]
            mark = {"+": "+ ", "-": "− ", " ": "  "}[line.op]
            parts.append(f'<div class="{css}">{mark}{html.escape(line.text)}</div>')
    if not diff.answers and not diff.sections:
        parts.append("<p>No differences.</p>")
    return "\n".join(parts)


class HistoryPanel(QWidget):
    compare_requested = Signal(object, object)  # old version id, new version id
    edit_requested = Signal(object)  # version id
    open_requested = Signal(object)  # version id: show this version's text

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 0, 0)
        row.setSpacing(14)
        left = Card(padding=16)
        left.body.addWidget(label("Versions", "SectionTitle"))
        self.model = VersionListModel(self)
        self.list = CardList(CardStyle(card=False, padding=8, gap=2, lead=28, title_pt=10.5))
        self.list.setObjectName("VersionList")
        self.list.setAccessibleName("Versions")
        self.list.setModel(self.model)
        self.list.open_index.connect(self._on_open)
        left.body.addWidget(self.list, 1)
        self.edit_button = button("Edit as new draft", icon="note")
        self.edit_button.setToolTip("Approved versions are frozen: editing starts a new version")
        self.edit_button.clicked.connect(self._on_edit)
        left.body.addWidget(self.edit_button)
        left.setMaximumWidth(340)
        row.addWidget(left)

        right = QVBoxLayout()
        right.setSpacing(14)
        diff_card = Card(padding=16)
        head = QHBoxLayout()
        head.addWidget(label("What changed", "SectionTitle"), 1)
        head.addWidget(label("Compare with", "Muted"))
        self.compare_with = QComboBox()
        self.compare_with.setAccessibleName("Compare with version")
        self.compare_with.activated.connect(lambda _i: self._compare())
        head.addWidget(self.compare_with)
        diff_card.body.addLayout(head)
        self.diff = QTextBrowser()
        self.diff.setObjectName("DiffView")
        self.diff.setAccessibleName("Differences between versions")
        self.diff.document().setDefaultStyleSheet(DIFF_CSS)
        diff_card.body.addWidget(self.diff, 1)
        right.addWidget(diff_card, 3)

        notice_card = Card(padding=16)
        nhead = QHBoxLayout()
        nhead.addWidget(label("Notice for customers", "SectionTitle"), 1)
        self.copy_notice = button("Copy", icon="note")
        self.copy_notice.clicked.connect(self._copy)
        nhead.addWidget(self.copy_notice)
        notice_card.body.addLayout(nhead)
        self.notice = QTextBrowser()
        self.notice.setObjectName("NoticeView")
        self.notice.setAccessibleName("What changed, for customers")
        notice_card.body.addWidget(self.notice, 1)
        right.addWidget(notice_card, 2)
        row.addLayout(right, 1)
        self._notice_text = ""

    def set_versions(self, versions: Sequence[VersionRecord], selected: object = None) -> None:
        self.model.set_rows(versions)
        rows = self.model.rows()
        index = next((n for n, v in enumerate(rows) if v.id == selected), 0)
        if rows:
            self.list.setCurrentIndex(self.model.index(index, 0))
        self._fill_compare()

    def current(self) -> VersionRecord | None:
        return self.model.row_at(self.list.currentIndex().row())

    def _fill_compare(self) -> None:
        current = self.current()
        self.compare_with.clear()
        if current is None:
            return
        for v in self.model.rows():
            if v.id != current.id:
                self.compare_with.addItem(f"Version {v.number}", v.id)
        older = next(
            (n for n, v in enumerate(self.model.rows()) if v.number < current.number), None
        )
        if older is not None:
            wanted = self.model.rows()[older].id
            self.compare_with.setCurrentIndex(max(self.compare_with.findData(wanted), 0))
        self._compare()

    def _compare(self) -> None:
        current = self.current()
        other = self.compare_with.currentData()
        if current is None or other is None:
            self.diff.setHtml("<p>This is the only version so far.</p>")
            return
        old, new = sorted(
            [
                (current.number, current.id),
                *[(v.number, v.id) for v in self.model.rows() if v.id == other],
            ]
        )
        self.compare_requested.emit(old[1], new[1])

    def show_diff(self, diff: object) -> None:
        self.diff.setHtml(diff_html(diff))

    def show_notice(self, markdown_text: str, html_text: str) -> None:
        self._notice_text = markdown_text
        if markdown_text:
            self.notice.setHtml(html_text)
        else:
            self.notice.setHtml(
                "<p>A notice appears once there is an earlier approved version to compare with, "
                "and this version has an effective date.</p>"
            )
        self.copy_notice.setEnabled(bool(markdown_text))

    def _copy(self) -> None:
        QGuiApplication.clipboard().setText(self._notice_text)

    def _on_open(self, index: QModelIndex) -> None:
        row = self.model.row_at(index.row())
        if row is not None:
            self._fill_compare()
            self.open_requested.emit(row.id)

    def _on_edit(self) -> None:
        row = self.current()
        if row is not None:
            self.edit_requested.emit(row.id)
