"""A template's version history: every text it had, a readable diff between any two
versions, and one-click restore (as a new version, so nothing is lost)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QHBoxLayout,
    QTextBrowser,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.templates import TemplateVersion
from desktop.domain.templates_diff import fields_diff
from desktop.services.templates import TemplateService
from desktop.ui.formatting import relative_time
from desktop.ui.models.base import Role
from desktop.ui.models.templates import VersionListModel, version_title
from desktop.ui.tasks import TaskRunner, user_message
from desktop.ui.views.templates_diff import diff_html
from desktop.ui.widgets.common import button, label
from desktop.ui.widgets.delegates import CardList, CardStyle


class HistoryDialog(QDialog):
    """Pick a version on the left; the diff shows what changed from the one before it
    (or from any version chosen in "Compare with")."""

    restored = Signal(object)  # Template

    def __init__(
        self,
        templates: TemplateService,
        template_id: uuid.UUID,
        *,
        read_only: bool = False,
        fetch_team_history: Callable[[], Coroutine[Any, Any, int]] | None = None,
        runner: TaskRunner | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._templates = templates
        self._template_id = template_id
        self.setWindowTitle("Version history")
        self.resize(980, 620)
        versions = list(reversed(templates.history(template_id)))
        self.versions = versions

        root = QVBoxLayout(self)
        root.setContentsMargins(20, 18, 20, 18)
        root.setSpacing(12)
        current = templates.get(template_id)
        title = current.name if current is not None else "Template"
        root.addWidget(label(f"History of “{title}”", "SectionTitle"))
        root.addWidget(
            label(
                "Every text this template had, here and on your team's server. Pick a version "
                "to see what changed; restoring makes it the current text again as a new "
                "version.",
                "Muted",
                wrap=True,
            )
        )
        body = QHBoxLayout()
        body.setSpacing(14)
        self.model = VersionListModel(self)
        self.model.set_rows(versions)
        self.list = CardList(CardStyle(card=False, padding=8, lead=28, title_pt=10))
        self.list.setModel(self.model)
        self.list.setFixedWidth(300)
        self.list.setAccessibleName("Versions, newest first")
        self.list.selectionModel().currentChanged.connect(self._on_current)
        body.addWidget(self.list)

        right = QVBoxLayout()
        compare_row = QHBoxLayout()
        compare_row.addWidget(label("Compare with", "Muted"))
        self.compare = QComboBox()
        self.compare.setAccessibleName("Compare with version")
        self.compare.currentIndexChanged.connect(lambda _i: self._show_diff())
        compare_row.addWidget(self.compare, 1)
        right.addLayout(compare_row)
        self.diff = QTextBrowser()
        self.diff.setOpenLinks(False)
        self.diff.setAccessibleName("Differences")
        right.addWidget(self.diff, 1)
        body.addLayout(right, 1)
        root.addLayout(body, 1)

        buttons = QHBoxLayout()
        self.note = label("", "Muted", wrap=True)
        buttons.addWidget(self.note, 1)
        self._fetch = fetch_team_history
        self._runner = runner
        self.fetch_button = button("Get the team's full history", variant="ghost")
        self.fetch_button.setToolTip("Also the versions from before this computer joined")
        self.fetch_button.clicked.connect(self.fetch_team_history)
        self.fetch_button.setVisible(fetch_team_history is not None and runner is not None)
        buttons.addWidget(self.fetch_button)
        self.restore_button = button(
            "Restore this version", variant="primary", icon="refresh", icon_colour="surface"
        )
        self.restore_button.setToolTip("Make the selected version the current text (Ctrl+R)")
        self.restore_button.clicked.connect(self.restore_selected)
        self.restore_button.setVisible(not read_only)
        close = button("Close", variant="ghost")
        close.clicked.connect(self.reject)
        buttons.addWidget(self.restore_button)
        buttons.addWidget(close)
        root.addLayout(buttons)
        if read_only:
            self.note.setText("You can read this history; only editors and owners can restore.")
        QShortcut(QKeySequence("Ctrl+R"), self).activated.connect(self.restore_selected)

        self._fill()

    def _fill(self) -> None:
        versions = self.versions
        self.model.set_rows(versions)
        self.compare.blockSignals(True)
        self.compare.clear()
        team = any(v.number is not None for v in versions)
        for i, v in enumerate(versions):
            title = version_title(v, len(versions) - i, team)
            self.compare.addItem(f"{title} — {relative_time(v.created_at)}", v.seq)
        self.compare.blockSignals(False)
        if versions:
            self.list.selectionModel().setCurrentIndex(
                self.model.index(0, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
        else:
            self.diff.setHtml("<p>No versions yet.</p>")
            self.restore_button.setEnabled(False)

    def fetch_team_history(self) -> None:
        if self._fetch is None or self._runner is None:
            return
        self.fetch_button.setEnabled(False)
        self.note.setText("Asking the team's server for every version…")

        def done(count: int) -> None:
            self.versions = list(reversed(self._templates.history(self._template_id)))
            self._fill()
            self.note.setText(f"The team's server keeps {count} version(s) of this template.")
            self.fetch_button.setVisible(False)

        def failed(_description: str, exc: BaseException) -> None:
            self.fetch_button.setEnabled(True)
            self.note.setText(user_message(exc))

        self._runner.run_async(
            "Reading the team's history", self._fetch, owner=self, on_done=done, on_error=failed
        )

    def selected(self) -> TemplateVersion | None:
        index = self.list.currentIndex()
        row = index.data(Role.ITEM) if index.isValid() else None
        return row if isinstance(row, TemplateVersion) else None

    def compare_with(self, seq: int) -> None:
        i = self.compare.findData(seq)
        if i >= 0:
            self.compare.setCurrentIndex(i)

    def _on_current(self, index: QModelIndex, _previous: QModelIndex) -> None:
        # Default comparison: the version just before the selected one.
        older = index.row() + 1
        self.compare.blockSignals(True)
        self.compare.setCurrentIndex(min(older, len(self.versions) - 1))
        self.compare.blockSignals(False)
        self._show_diff()
        version = self.selected()
        self.restore_button.setEnabled(
            version is not None and version.draft is not None and index.row() != 0
        )

    def _show_diff(self) -> None:
        version = self.selected()
        other_seq = self.compare.currentData()
        other = next((v for v in self.versions if v.seq == other_seq), None)
        if version is None or version.draft is None:
            self.diff.setHtml("<p>This version cannot be shown by this app.</p>")
            return
        old = other.draft.fields() if other is not None and other.draft is not None else {}
        if other is not None and other.seq == version.seq:
            old = {}
        self.diff.setHtml(diff_html(fields_diff(old, version.draft.fields())))

    def restore_selected(self) -> None:
        version = self.selected()
        if (
            version is None
            or not self.restore_button.isEnabled()
            or not self.restore_button.isVisible()
        ):
            return
        template = self._templates.restore(self._template_id, version.seq)
        self.restored.emit(template)
        self.accept()
