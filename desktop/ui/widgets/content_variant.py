"""One variant on screen: its fields (edited in place, each with a live counter), its
quality findings and its actions (favourite, copy, regenerate the variant or a field).

The card never talks to a service: it emits what the user asked for and the studio
answers. While a variant streams in, the card is read-only and shows "Writing…".
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from PySide6.QtCore import QSize, Qt, QTimer, Signal
from PySide6.QtGui import QFocusEvent, QResizeEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QFrame,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.content import ContentType, FieldSpec, Finding, QualityReport, Variant
from desktop.domain.content_counting import counter_state, counter_text
from desktop.ui import theme
from desktop.ui.models.content import FindingsModel
from desktop.ui.widgets.common import ElidedLabel, button, label, pill
from desktop.ui.widgets.delegates import CardDelegate, CardStyle

EDIT_DELAY_MS = 500  # typing pauses this long before an edit is stored and re-checked


class _PlainEdit(QPlainTextEdit):
    """A multi-line field editor that grows with its text (no inner scroll bar)."""

    focus_lost = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setTabChangesFocus(True)
        self.document().contentsChanged.connect(self._fit)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._fit()

    def _fit(self) -> None:
        lines = max(2, min(14, int(self.document().size().height())))
        height = self.fontMetrics().lineSpacing() * lines + 18
        if height != self.height():
            self.setFixedHeight(height)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._fit()

    def focusOutEvent(self, event: QFocusEvent) -> None:
        super().focusOutEvent(event)
        self.focus_lost.emit()


class FieldEditor(QWidget):
    """A field's items, each in an editor with its counter ("27/30", "1 segment · …")."""

    edited = Signal()
    regenerate_requested = Signal(str)

    def __init__(self, spec: FieldSpec, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.spec = spec
        self.editors: list[QLineEdit | _PlainEdit] = []
        self.counters: list[QLabel] = []
        self._read_only = False
        col = QVBoxLayout(self)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(6)
        head = QHBoxLayout()
        head.setSpacing(6)
        col.addLayout(head)
        title = spec.label + ("s" if spec.is_list else "")
        self.title = label(title, "FieldTitle")
        self.title.setToolTip(spec.guidance)
        head.addWidget(self.title)
        self.limit = label(_limit_hint(spec), "Subtle")
        head.addWidget(self.limit)
        head.addStretch(1)
        self.regenerate = button(
            "", variant="ghost", icon="refresh", tooltip=f"Write the {title.lower()} again"
        )
        self.regenerate.setAccessibleName(f"Regenerate {title}")
        self.regenerate.setFixedSize(QSize(30, 28))
        self.regenerate.clicked.connect(lambda: self.regenerate_requested.emit(spec.name))
        head.addWidget(self.regenerate)
        self.rows = QVBoxLayout()
        self.rows.setSpacing(4)
        col.addLayout(self.rows)

    def items(self) -> list[str]:
        return [e.text() if isinstance(e, QLineEdit) else e.toPlainText() for e in self.editors]

    def set_items(self, items: Sequence[str]) -> None:
        """Show ``items`` (as they stream in, or after a change), keeping the cursor of
        an editor the user is typing in."""
        while len(self.editors) < len(items):
            self._add_row()
        while len(self.editors) > max(len(items), 1 if not self.spec.is_list else 0):
            self._remove_row()
        if not self.editors:
            self._add_row()
        values = list(items) + [""] * (len(self.editors) - len(items))
        for editor, value in zip(self.editors, values, strict=True):
            current = editor.text() if isinstance(editor, QLineEdit) else editor.toPlainText()
            if current == value:
                continue
            editor.blockSignals(True)
            if isinstance(editor, QLineEdit):
                editor.setText(value)
            else:
                editor.setPlainText(value)
            editor.blockSignals(False)
        self._update_counters()

    def set_read_only(self, read_only: bool) -> None:
        self._read_only = read_only
        for editor in self.editors:
            editor.setReadOnly(read_only)
        self.regenerate.setEnabled(not read_only)

    def _add_row(self) -> None:
        row = QHBoxLayout()
        row.setSpacing(8)
        self.rows.addLayout(row)
        editor: QLineEdit | _PlainEdit
        if self.spec.multiline:
            editor = _PlainEdit()
            editor.textChanged.connect(self._changed)
        else:
            editor = QLineEdit()
            editor.textEdited.connect(self._changed)
        editor.setReadOnly(self._read_only)
        n = len(self.editors) + 1
        name = f"{self.spec.label} {n}" if self.spec.is_list else self.spec.label
        editor.setAccessibleName(name)
        row.addWidget(editor, 1)
        counter = label("", "Counter")
        counter.setMinimumWidth(64)
        counter.setAlignment(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignTop)
        row.addWidget(counter, 0, Qt.AlignmentFlag.AlignTop)
        self.editors.append(editor)
        self.counters.append(counter)

    def _remove_row(self) -> None:
        editor = self.editors.pop()
        counter = self.counters.pop()
        item = self.rows.takeAt(self.rows.count() - 1)
        for w in (editor, counter):
            w.hide()
            w.setParent(None)
            w.deleteLater()
        row = item.layout() if item is not None else None
        if row is not None:
            row.deleteLater()

    def _changed(self, *_args: object) -> None:
        if self._read_only:
            return
        self._update_counters()
        self.edited.emit()

    def _update_counters(self) -> None:
        for editor, counter in zip(self.editors, self.counters, strict=True):
            text = editor.text() if isinstance(editor, QLineEdit) else editor.toPlainText()
            counter.setText(counter_text(self.spec, text))
            theme.set_state(counter, "state", counter_state(self.spec, text))
            counter.setToolTip(_counter_tip(self.spec, counter_state(self.spec, text)))


def _limit_hint(spec: FieldSpec) -> str:
    parts = []
    if spec.is_list:
        parts.append(f"{spec.min_items}–{spec.max_items}")
    if spec.hard_limit is not None and spec.counting.value != "sms":
        parts.append(f"max {spec.hard_limit}")
    elif spec.soft_max is not None and spec.counting.value != "sms":
        parts.append(f"aim ≤ {spec.soft_max}")
    if spec.counting.value == "x-weighted":
        parts.append("X weighted")
    if spec.counting.value == "sms":
        parts.append("1 segment = 160 GSM-7 / 70 UCS-2")
    return " · ".join(parts)


def _counter_tip(spec: FieldSpec, state: str) -> str:
    if state == "over":
        return f"Over the limit: {spec.source or 'the channel'} rejects or cuts this."
    if state == "long":
        return "Longer than what shows before it is cut off."
    if state == "short":
        return "Shorter than what usually works here."
    return "Within the limit."


class VariantCard(QFrame):
    """A variant: header (number, source, quality), fields, findings, actions."""

    changed = Signal(object)  # Variant, after the user paused typing
    favourite_toggled = Signal(bool)
    copy_requested = Signal()
    regenerate_requested = Signal()
    field_regenerate_requested = Signal(str)
    fix_requested = Signal(object)  # Finding

    def __init__(self, number: int, ct: ContentType, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("VariantCard")
        self.number = number
        self.ct = ct
        self._variant: Variant | None = None
        self._streaming = False
        col = QVBoxLayout(self)
        col.setContentsMargins(18, 14, 18, 16)
        col.setSpacing(12)

        head = QHBoxLayout()
        head.setSpacing(8)
        col.addLayout(head)
        titles = QVBoxLayout()
        titles.setSpacing(2)
        head.addLayout(titles, 1)
        title_row = QHBoxLayout()
        title_row.setSpacing(8)
        titles.addLayout(title_row)
        self.title = label(f"Variant {number}", "CardTitle")
        title_row.addWidget(self.title)
        self.quality = pill("")
        title_row.addWidget(self.quality)
        title_row.addStretch(1)
        self.source = ElidedLabel("", "Subtle")
        titles.addWidget(self.source)
        self.favourite = button(
            "", variant="ghost", icon="bookmark", tooltip="Favourite: keep this variant"
        )
        self.favourite.setCheckable(True)
        self.favourite.setIcon(theme.icon("bookmark", "text-muted", on_colour="accent"))
        self.favourite.setAccessibleName(f"Favourite variant {number}")
        self.favourite.toggled.connect(self._on_favourite)
        head.addWidget(self.favourite)
        self.copy = button("Copy", variant="ghost", icon="note", tooltip="Copy as text")
        self.copy.setAccessibleName(f"Copy variant {number}")
        self.copy.clicked.connect(self.copy_requested)
        head.addWidget(self.copy)
        self.regenerate = button(
            "Regenerate",
            variant="ghost",
            icon="refresh",
            tooltip="Write this variant again (the others stay)",
        )
        self.regenerate.clicked.connect(self.regenerate_requested)
        head.addWidget(self.regenerate)

        self.fields: dict[str, FieldEditor] = {}
        for spec in ct.fields:
            editor = FieldEditor(spec)
            editor.edited.connect(self._on_edited)
            editor.regenerate_requested.connect(self.field_regenerate_requested)
            self.fields[spec.name] = editor
            col.addWidget(editor)

        self.findings_title = label("Quality checks", "FieldTitle")
        col.addWidget(self.findings_title)
        self.findings_model = FindingsModel(self)
        self.findings = QListView()
        self.findings.setObjectName("FindingsList")
        self.findings.setModel(self.findings_model)
        self.findings.setItemDelegate(
            CardDelegate(
                self.findings,
                CardStyle(card=False, padding=8, gap=2, lead=28, subtitle_lines=2, title_pt=9.5),
            )
        )
        self.findings.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.findings.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.findings.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.findings.setAccessibleName(f"Quality findings of variant {number}")
        self.findings.activated.connect(self._on_finding_activated)
        self.findings.doubleClicked.connect(self._on_finding_activated)
        col.addWidget(self.findings)
        fix_row = QHBoxLayout()
        self.passed = label("", "Muted", wrap=True)
        fix_row.addWidget(self.passed, 1)
        self.apply_fix = button(
            "Apply suggested fix",
            icon="check",
            tooltip="Replace the text with the suggested fix (Ctrl+Z undoes)",
        )
        self.apply_fix.setEnabled(False)
        self.apply_fix.clicked.connect(self._apply_selected)
        fix_row.addWidget(self.apply_fix)
        col.addLayout(fix_row)
        self.findings.selectionModel().currentChanged.connect(self._on_current)

        self._edit_timer = QTimer(self)
        self._edit_timer.setSingleShot(True)
        self._edit_timer.setInterval(EDIT_DELAY_MS)
        self._edit_timer.timeout.connect(self.flush_edit)

    # -- content ----------------------------------------------------------------------

    @property
    def variant(self) -> Variant | None:
        return self._variant

    def set_streaming(self, fields: Mapping[str, Sequence[str]], label_text: str) -> None:
        """Show a variant as it is being written (read-only)."""
        if not self._streaming:
            self._streaming = True
            for editor in self.fields.values():
                editor.set_read_only(True)
            self.favourite.setEnabled(False)
            self.copy.setEnabled(False)
            self.regenerate.setEnabled(False)
            self.quality.setText("Writing…")
            theme.set_state(self.quality, "tone", "neutral")
            self.findings_model.set_rows([])
            self._fit_findings()
            self.passed.setText("Checks run when the variant is complete.")
            self.apply_fix.setVisible(False)
        self.source.setText(label_text)
        for name, items in fields.items():
            field_editor = self.fields.get(name)
            if field_editor is not None:
                field_editor.set_items(items)

    def set_field_streaming(self, name: str, items: Sequence[str]) -> None:
        editor = self.fields.get(name)
        if editor is not None:
            editor.set_read_only(True)
            editor.set_items(items)

    def show_variant(self, variant: Variant, report: QualityReport, favourite: bool) -> None:
        self._streaming = False
        self._variant = variant
        self.source.setText(variant.label or "Draft")
        for spec in self.ct.fields:
            editor = self.fields[spec.name]
            editor.set_read_only(False)
            editor.set_items(variant.items(spec.name))
        self.favourite.setEnabled(True)
        self.copy.setEnabled(True)
        self.regenerate.setEnabled(True)
        self.favourite.blockSignals(True)
        self.favourite.setChecked(favourite)
        self.favourite.blockSignals(False)
        self.show_report(report)

    def show_report(self, report: QualityReport) -> None:
        self.quality.setText(report.summary())
        tone = "danger" if report.errors else ("warning" if report.warnings else "success")
        theme.set_state(self.quality, "tone", tone)
        self.findings_model.set_rows(list(report.findings))
        self._fit_findings()
        self.passed.setText(
            "Every check passed: limits, editorial rules, claims, brand kit, personal data."
            if not report.findings
            else "Double-click a finding with a fix to apply it."
        )
        self.apply_fix.setEnabled(False)
        self.apply_fix.setVisible(any(f.fix for f in report.findings))

    def _fit_findings(self) -> None:
        rows = self.findings_model.rowCount()
        self.findings.setVisible(rows > 0)
        height = sum(self.findings.sizeHintForRow(r) for r in range(rows))
        self.findings.setFixedHeight(max(height, 4) + 2 * self.findings.frameWidth() + 2)

    def current_variant(self) -> Variant | None:
        """The variant as edited on screen."""
        if self._variant is None:
            return None
        out = self._variant
        for name, editor in self.fields.items():
            items = [i for i in editor.items() if i.strip() or not editor.spec.is_list]
            if not editor.spec.is_list:
                items = [items[0]] if items and items[0].strip() else []
            out = out.with_field(name, items)
        return out

    # -- user actions -----------------------------------------------------------------

    def _on_edited(self) -> None:
        if not self._streaming and self._variant is not None:
            self._edit_timer.start()

    def flush_edit(self) -> None:
        """Store a pending edit now (e.g. before export)."""
        self._edit_timer.stop()
        variant = self.current_variant()
        if variant is not None and variant != self._variant:
            self._variant = variant
            self.changed.emit(variant)

    @property
    def edit_pending(self) -> bool:
        return self._edit_timer.isActive()

    def _on_favourite(self, checked: bool) -> None:
        self.favourite.setToolTip(
            "Favourite (click to remove)" if checked else "Favourite: keep this variant"
        )
        self.favourite_toggled.emit(checked)

    def _selected_finding(self) -> Finding | None:
        index = self.findings.currentIndex()
        return self.findings_model.row_at(index.row()) if index.isValid() else None

    def _on_current(self, *_args: object) -> None:
        finding = self._selected_finding()
        self.apply_fix.setEnabled(bool(finding and finding.fix))

    def _on_finding_activated(self, *_args: object) -> None:
        finding = self._selected_finding()
        if finding is not None and finding.fix:
            self.fix_requested.emit(finding)

    def _apply_selected(self) -> None:
        finding = self._selected_finding()
        if finding is not None and finding.fix:
            self.fix_requested.emit(finding)
