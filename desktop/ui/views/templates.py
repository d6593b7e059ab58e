"""The Templates section: the library of content and policy templates, personal or
shared with a team.

Left: search, filters and the list. Right: the template open for editing, with its
history, conflicts, duplicate/export/delete. Edits are saved with Ctrl+S, and also when
another template is opened, so nothing typed is lost. A viewer of a team sees its
templates read-only, with the reason and the way out (duplicate, or ask an owner).
"""

from __future__ import annotations

import uuid
from collections.abc import Coroutine, Mapping
from pathlib import Path
from typing import Any

from PySide6.QtCore import QItemSelectionModel, QModelIndex, Qt, QTimer, Signal
from PySide6.QtGui import QFont, QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QMenu,
    QPlainTextEdit,
    QSizePolicy,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.templates import (
    EXPORT_SUFFIX,
    Template,
    TemplateDraft,
    TemplateKind,
    TemplateProblem,
    normalise_tags,
)
from desktop.services.sync import SyncService
from desktop.services.templates import TemplateService
from desktop.ui import theme
from desktop.ui.models.base import Role
from desktop.ui.models.templates import TemplateListModel
from desktop.ui.tasks import TaskRunner
from desktop.ui.widgets.common import EmptyState, PageHeader, button, label, page_runner
from desktop.ui.widgets.delegates import CardList, CardStyle

PERSONAL = "personal"
UNDO_MS = 10_000
POLICY_TYPE = "policy_type"  # a policy template's extra field: which policy it is for


class Banner(QFrame):
    """A tinted strip with a sentence and an optional action."""

    def __init__(self, tone: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        soft, text = {
            "warning": ("warning-soft", "warning-text"),
            "danger": ("danger-soft", "danger-text"),
            "info": ("accent-soft", "accent-text"),
        }[tone]
        self.setObjectName("Banner")
        self.setStyleSheet(
            f"QFrame#Banner {{ background: {theme.PALETTE[soft]}; border-radius: 8px; }}"
            f"QFrame#Banner QLabel {{ color: {theme.PALETTE[text]}; background: transparent; }}"
        )
        row = QHBoxLayout(self)
        row.setContentsMargins(12, 8, 8, 8)
        self.text = label("", wrap=True)
        self.text.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        row.addWidget(self.text, 1)
        self.action = button("", variant="ghost")
        self.action.setVisible(False)
        row.addWidget(self.action)
        self.setVisible(False)

    def show_text(self, text: str, action: str = "") -> None:
        self.text.setText(text)
        self.action.setText(action)
        self.action.setVisible(bool(action))
        self.setVisible(True)


def _mono() -> QFont:
    font = QFont(theme.ui_font())
    font.setFamilies(["JetBrains Mono", "DejaVu Sans Mono", "Menlo", "Consolas", "monospace"])
    font.setStyleHint(QFont.StyleHint.Monospace)
    return font


class TemplatesView(QWidget):
    message = Signal(str)  # a short status-bar sentence
    changed = Signal()  # a local change was saved (the sync controller listens)

    def __init__(
        self,
        templates: TemplateService,
        sync: SyncService | None = None,
        parent: QWidget | None = None,
        *,
        policy_types: Mapping[str, str] | None = None,
    ) -> None:
        """``policy_types``: Policy Studio's types (id -> title), offered for policy
        templates so the studio knows which policies each one is for."""
        super().__init__(parent)
        self.setObjectName("Page")
        self.templates = templates
        self.policy_types = dict(policy_types or {})
        self.sync = sync  # for the team's full history (None: offline-only app)
        self.current: Template | None = None  # None with the editor open: a new template
        self._loaded_draft: TemplateDraft | None = None  # the text the form was filled from
        self._new_kind = TemplateKind.CONTENT
        self._loading = False
        self._form_dirty = False
        self._undo: Template | None = None
        # Hooks the tests replace (no native dialogs in tests).
        self.choose_import_path = self._ask_import_path
        self.choose_export_path = self._ask_export_path

        root = QVBoxLayout(self)
        root.setContentsMargins(36, 28, 36, 24)
        root.setSpacing(16)
        header = PageHeader(
            "Templates",
            "Prompt templates for the Content Studio and policy templates — yours, and your "
            "team's when you sync.",
        )
        self.new_button = button(
            "New template", variant="primary", icon="studio", icon_colour="surface"
        )
        menu = QMenu(self.new_button)
        menu.addAction("Content template", lambda: self.new_template(TemplateKind.CONTENT))
        menu.addAction("Policy template", lambda: self.new_template(TemplateKind.POLICY))
        self.new_button.setMenu(menu)
        self.new_button.setToolTip("New content template (Ctrl+N), policy template (Ctrl+Shift+N)")
        self.import_button = button("Import…", icon="folder")
        self.import_button.setToolTip("Add a template from a .playbook-template.json file")
        self.import_button.clicked.connect(self.import_file)
        header.action_row.addWidget(self.import_button)
        header.action_row.addWidget(self.new_button)
        root.addWidget(header)

        self.undo_banner = Banner("info")
        self.undo_banner.action.clicked.connect(self.undo_delete)
        root.addWidget(self.undo_banner)
        self._undo_timer = QTimer(self)
        self._undo_timer.setSingleShot(True)
        self._undo_timer.setInterval(UNDO_MS)
        self._undo_timer.timeout.connect(lambda: self.undo_banner.setVisible(False))

        body = QHBoxLayout()
        body.setSpacing(20)
        root.addLayout(body, 1)

        # -- the list -------------------------------------------------------------------
        left = QVBoxLayout()
        left.setSpacing(8)
        self.search = QLineEdit()
        self.search.setPlaceholderText("Search templates   Ctrl+Shift+F")
        self.search.setClearButtonEnabled(True)
        self.search.setAccessibleName("Search templates")
        self.search.addAction(
            theme.icon("search", "text-subtle"), QLineEdit.ActionPosition.LeadingPosition
        )
        self.search.textChanged.connect(lambda _t: self.refresh())
        left.addWidget(self.search)
        filters = QHBoxLayout()
        self.kind_filter = QComboBox()
        self.kind_filter.setAccessibleName("Kind of template")
        self.kind_filter.addItem("All kinds", None)
        self.kind_filter.addItem("Content", TemplateKind.CONTENT.value)
        self.kind_filter.addItem("Policy", TemplateKind.POLICY.value)
        self.kind_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.place_filter = QComboBox()
        self.place_filter.setAccessibleName("Personal or team templates")
        self.place_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        self.tag_filter = QComboBox()
        self.tag_filter.setAccessibleName("Tag")
        self.tag_filter.currentIndexChanged.connect(lambda _i: self.refresh())
        filters.addWidget(self.kind_filter)
        filters.addWidget(self.place_filter)
        filters.addWidget(self.tag_filter)
        left.addLayout(filters)
        self.model = TemplateListModel(self)
        self.list = CardList(CardStyle(padding=12, lead=34, title_pt=10.5, subtitle_lines=2))
        self.list.setObjectName("TemplateList")
        self.list.setModel(self.model)
        self.list.setAccessibleName("Templates")
        self.list.selectionModel().currentChanged.connect(self._on_current)
        left.addWidget(self.list, 1)
        self.list_empty = label("", "Muted", wrap=True)
        self.list_empty.setAlignment(Qt.AlignmentFlag.AlignTop)
        left.addWidget(self.list_empty, 1)
        holder = QWidget()
        holder.setLayout(left)
        holder.setFixedWidth(360)
        body.addWidget(holder)

        # -- the editor -----------------------------------------------------------------
        self.pages = QStackedWidget()
        self.empty = EmptyState(
            "templates",
            "Your template library",
            "Templates are reusable starting points: prompts the Content Studio fills in, and "
            "policy texts the Policy Studio builds on.",
            points=(
                "Personal templates stay on this computer.",
                "Team templates sync to everyone in your team; edits made apart are merged, "
                "and real conflicts are shown side by side.",
                "Every save is kept: compare any two versions and restore one in a click.",
            ),
        )
        start = button("New content template", variant="primary")
        start.clicked.connect(lambda: self.new_template(TemplateKind.CONTENT))
        self.empty.add_action(start)
        start_policy = button("New policy template")
        start_policy.clicked.connect(lambda: self.new_template(TemplateKind.POLICY))
        self.empty.add_action(start_policy)
        empty_page = QWidget()
        centre = QVBoxLayout(empty_page)
        centre.setContentsMargins(0, 0, 0, 0)
        centre.addStretch(1)
        centre.addWidget(self.empty)
        centre.addStretch(2)
        self.empty_page = empty_page
        self.pages.addWidget(empty_page)
        self.pages.addWidget(self._build_editor())
        body.addWidget(self.pages, 1)

        for keys, slot in (
            ("Ctrl+N", lambda: self.new_template(TemplateKind.CONTENT)),
            ("Ctrl+Shift+N", lambda: self.new_template(TemplateKind.POLICY)),
            ("Ctrl+S", self.save),
            ("Ctrl+D", self.duplicate),
            ("Ctrl+H", self.open_history),
            ("Ctrl+E", self.export_file),
            ("Ctrl+Shift+F", self._focus_search),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            # Only while this page has the focus: other sections use the same keys.
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)
        delete = QShortcut(QKeySequence(QKeySequence.StandardKey.Delete), self.list)
        delete.activated.connect(self.delete)
        self.reload_filters()
        self.refresh()

    def _build_editor(self) -> QWidget:
        page = QFrame()
        page.setObjectName("Card")
        col = QVBoxLayout(page)
        col.setContentsMargins(22, 20, 22, 18)
        col.setSpacing(10)
        self.read_only_banner = Banner("warning")
        self.read_only_banner.action.clicked.connect(self.duplicate)
        col.addWidget(self.read_only_banner)
        self.conflict_banner = Banner("danger")
        self.conflict_banner.action.clicked.connect(self.open_conflict)
        col.addWidget(self.conflict_banner)

        top = QHBoxLayout()
        self.name = QLineEdit()
        self.name.setPlaceholderText("Template name")
        self.name.setAccessibleName("Template name")
        f = self.name.font()
        f.setPointSizeF(14)
        f.setWeight(QFont.Weight.DemiBold)
        self.name.setFont(f)
        top.addWidget(self.name, 1)
        self.state = label("", "Muted")
        top.addWidget(self.state)
        col.addLayout(top)

        meta = QHBoxLayout()
        self.kind = QComboBox()
        self.kind.setAccessibleName("Kind")
        self.kind.addItem("Content template", TemplateKind.CONTENT.value)
        self.kind.addItem("Policy template", TemplateKind.POLICY.value)
        self.where = QComboBox()
        self.where.setAccessibleName("Personal or shared with a team")
        self.tags = QLineEdit()
        self.tags.setPlaceholderText("Tags, separated by commas")
        self.tags.setAccessibleName("Tags")
        self.policy_type = QComboBox()
        self.policy_type.setAccessibleName("Policy type")
        self.policy_type.setToolTip(
            "Which policy this template is for: Policies offers it when you create a new "
            "policy of this type"
        )
        self.policy_type.setVisible(False)
        meta.addWidget(self.kind)
        meta.addWidget(self.policy_type)
        meta.addWidget(self.where)
        meta.addWidget(self.tags, 1)
        col.addLayout(meta)
        self.description = QLineEdit()
        self.description.setPlaceholderText("What is it for? (shown in the list)")
        self.description.setAccessibleName("Description")
        col.addWidget(self.description)
        self.body = QPlainTextEdit()
        self.body.setFont(_mono())
        self.body.setPlaceholderText(
            "The template text. Content templates may use {{ fields }} the Content Studio "
            "fills in, e.g. {{ product }} or {{ audience }}."
        )
        self.body.setAccessibleName("Template text")
        col.addWidget(self.body, 1)
        self.problem = label("", wrap=True)
        self.problem.setStyleSheet(f"color: {theme.PALETTE['danger-text']};")
        self.problem.setVisible(False)
        col.addWidget(self.problem)

        actions = QHBoxLayout()
        self.save_button = button("Save", variant="primary")
        self.save_button.setToolTip("Save (Ctrl+S)")
        self.save_button.clicked.connect(self.save)
        self.duplicate_button = button("Duplicate")
        self.duplicate_button.setToolTip("A personal copy you can edit (Ctrl+D)")
        self.duplicate_button.clicked.connect(self.duplicate)
        self.history_button = button("History", icon="clock")
        self.history_button.setToolTip("Versions, differences, restore (Ctrl+H)")
        self.history_button.clicked.connect(self.open_history)
        self.export_button = button("Export…", icon="external")
        self.export_button.setToolTip("Save as a file to share outside the team (Ctrl+E)")
        self.export_button.clicked.connect(self.export_file)
        self.delete_button = button("Delete", variant="danger", icon="trash", icon_colour="danger")
        self.delete_button.setToolTip("Delete (Del in the list); you can undo it")
        self.delete_button.clicked.connect(self.delete)
        for b in (self.save_button, self.duplicate_button, self.history_button, self.export_button):
            actions.addWidget(b)
        actions.addStretch(1)
        actions.addWidget(self.delete_button)
        col.addLayout(actions)

        for edit in (self.name, self.tags, self.description):
            edit.textEdited.connect(self._mark_dirty)
        self.body.textChanged.connect(self._mark_dirty)
        self.kind.currentIndexChanged.connect(self._mark_dirty)
        self.kind.currentIndexChanged.connect(lambda _i: self._show_policy_type())
        self.policy_type.currentIndexChanged.connect(self._mark_dirty)
        self.where.currentIndexChanged.connect(self._mark_dirty)
        return page

    def _fill_policy_type(self, value: str) -> None:
        """The policy types to choose from, with ``value`` chosen (kept even when this
        Playbook does not know it, so a newer teammate's choice is not lost)."""
        self.policy_type.blockSignals(True)
        self.policy_type.clear()
        self.policy_type.addItem("Policy type: not set", "")
        for type_id, title in self.policy_types.items():
            self.policy_type.addItem(f"For: {title}", type_id)
        if value and self.policy_type.findData(value) < 0:
            self.policy_type.addItem(f"For: {value} (unknown here)", value)
        self.policy_type.setCurrentIndex(max(0, self.policy_type.findData(value)))
        self.policy_type.blockSignals(False)

    def _show_policy_type(self) -> None:
        self.policy_type.setVisible(self.kind.currentData() == TemplateKind.POLICY.value)

    # -- the list ---------------------------------------------------------------------

    def reload_filters(self) -> None:
        """Teams and tags change with sync; rebuild the filter choices, keeping the pick."""
        teams = self.templates.teams()
        self.model.team_names = {t.team_id: t.name for t in teams}
        for combo, items in (
            (
                self.place_filter,
                [("Everywhere", None), ("Personal", PERSONAL)]
                + [(t.name, str(t.team_id)) for t in teams],
            ),
            (self.tag_filter, [("All tags", None)] + [(f"#{t}", t) for t in self.templates.tags()]),
        ):
            chosen = combo.currentData()
            combo.blockSignals(True)
            combo.clear()
            for text, data in items:
                combo.addItem(text, data)
            i = combo.findData(chosen)
            combo.setCurrentIndex(max(i, 0))
            combo.blockSignals(False)
        self.place_filter.setVisible(bool(teams))

    def refresh(self, select: uuid.UUID | None = None) -> None:
        """Read the library again (after a sync, an import...), keeping the selection."""
        kind_value = self.kind_filter.currentData()
        kind = TemplateKind(kind_value) if kind_value else None
        place = self.place_filter.currentData()
        team_id = uuid.UUID(place) if place and place != PERSONAL else None
        rows = self.templates.list(kind, self.search.text(), self.tag_filter.currentData(), team_id)
        if place == PERSONAL:
            rows = [t for t in rows if t.team_id is None]
        keep = select or (self.current.id if self.current is not None else None)
        self._loading = True
        self.model.set_rows(rows)
        self._loading = False
        has_rows = bool(rows)
        self.list.setVisible(has_rows)
        self.list_empty.setVisible(not has_rows)
        filtered = bool(self.search.text() or kind or place or self.tag_filter.currentData())
        self.list_empty.setText(
            "No template matches. Clear the search or the filters to see them all."
            if filtered
            else "No templates yet. Create one with New template (Ctrl+N), or import a file."
        )
        if keep is not None:
            row = self.model.index_of(keep)
            if row >= 0:
                self._loading = True
                self.list.selectionModel().setCurrentIndex(
                    self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
                )
                self._loading = False
                fresh = self.model.row_at(row)
                if fresh is not None and not self._form_dirty:
                    self._show(fresh)
                elif fresh is not None:
                    self.current = fresh
                    self._show_state(fresh)
                return
        if self.current is not None and self.templates.get(self.current.id) is None:
            self.current = None
        if self.current is None and not (self.pages.currentIndex() == 1 and self._form_dirty):
            self.pages.setCurrentIndex(0)

    def _on_current(self, index: QModelIndex, _previous: QModelIndex) -> None:
        if self._loading or not index.isValid():
            return
        template = index.data(Role.ITEM)
        if not isinstance(template, Template):
            return
        if self.current is not None and template.id == self.current.id:
            return
        if self._form_dirty and not self.save(quiet=True):
            return
        self.open_template(template.id)

    def open_template(self, template_id: uuid.UUID) -> None:
        template = self.templates.get(template_id)
        if template is None:
            return
        self._show(template)
        row = self.model.index_of(template_id)
        if row >= 0 and self.list.currentIndex().row() != row:
            self._loading = True
            self.list.selectionModel().setCurrentIndex(
                self.model.index(row, 0), QItemSelectionModel.SelectionFlag.ClearAndSelect
            )
            self._loading = False

    def _focus_search(self) -> None:
        self.search.setFocus(Qt.FocusReason.ShortcutFocusReason)
        self.search.selectAll()

    # -- the editor -------------------------------------------------------------------

    def _fill_where(self, template: Template | None) -> None:
        self.where.blockSignals(True)
        self.where.clear()
        self.where.addItem("Personal", PERSONAL)
        for team in self.templates.teams():
            if team.writable or (template is not None and template.team_id == team.team_id):
                self.where.addItem(f"Team: {team.name}", str(team.team_id))
        chosen = str(template.team_id) if template is not None and template.team_id else PERSONAL
        self.where.setCurrentIndex(max(0, self.where.findData(chosen)))
        self.where.blockSignals(False)

    def _show(self, template: Template) -> None:
        self.current = template
        self._loaded_draft = template.draft
        self._loading = True
        self.name.setText(template.name)
        self.kind.setCurrentIndex(max(0, self.kind.findData(template.kind.value)))
        self._fill_policy_type(template.draft.extra.get(POLICY_TYPE, ""))
        self._show_policy_type()
        self._fill_where(template)
        self.tags.setText(", ".join(template.tags))
        self.description.setText(template.draft.description)
        self.body.setPlainText(template.body)
        self._loading = False
        self._form_dirty = False
        self.problem.setVisible(False)
        self._show_state(template)
        self.pages.setCurrentIndex(1)

    def _show_state(self, template: Template) -> None:
        editable = self.templates.editability(template)
        for edit in (self.name, self.tags, self.description):
            edit.setReadOnly(not editable.can_edit)
        self.body.setReadOnly(not editable.can_edit)
        self.kind.setEnabled(editable.can_edit)
        self.policy_type.setEnabled(editable.can_edit)
        self.where.setEnabled(editable.can_edit)
        self.save_button.setEnabled(editable.can_edit)
        self.delete_button.setEnabled(editable.can_edit)
        if editable.can_edit:
            self.read_only_banner.setVisible(False)
        else:
            self.read_only_banner.show_text(editable.reason, "Duplicate to edit")
        if template.conflicted:
            self.conflict_banner.show_text(
                "You and your team changed this template at the same time. Both texts are "
                "kept until you choose.",
                "Resolve…",
            )
        else:
            self.conflict_banner.setVisible(False)
        if template.team_id is None:
            self.state.setText("Personal · on this computer")
        elif template.dirty:
            self.state.setText("Team · changes waiting to sync")
        elif template.server_version is not None:
            self.state.setText(f"Team · v{template.server_version}")
        else:
            self.state.setText("Team")
        self.history_button.setEnabled(True)
        self.duplicate_button.setEnabled(True)
        self.export_button.setEnabled(True)

    def _mark_dirty(self, *_args: object) -> None:
        if not self._loading:
            self._form_dirty = True

    def new_template(self, kind: TemplateKind) -> None:
        if self._form_dirty and not self.save(quiet=True):
            return
        self.current = None
        self._new_kind = kind
        self._loading = True
        self.list.clearSelection()
        self.name.setText("")
        self.kind.setCurrentIndex(max(0, self.kind.findData(kind.value)))
        self._fill_policy_type("")
        self._show_policy_type()
        self._fill_where(None)
        self.tags.setText("")
        self.description.setText("")
        self.body.setPlainText("")
        self._loading = False
        self._form_dirty = False
        for edit in (self.name, self.tags, self.description):
            edit.setReadOnly(False)
        self.body.setReadOnly(False)
        for widget in (self.kind, self.policy_type, self.where, self.save_button):
            widget.setEnabled(True)
        for widget in (
            self.delete_button,
            self.history_button,
            self.duplicate_button,
            self.export_button,
        ):
            widget.setEnabled(False)
        self.read_only_banner.setVisible(False)
        self.conflict_banner.setVisible(False)
        self.problem.setVisible(False)
        self.state.setText(f"New {kind.label.lower()}")
        self.pages.setCurrentIndex(1)
        self.name.setFocus()

    def draft(self) -> TemplateDraft:
        """The form as a draft (extra fields of the open template are kept)."""
        extra = dict(self.current.draft.extra) if self.current is not None else {}
        kind = TemplateKind(self.kind.currentData())
        if kind is TemplateKind.POLICY:
            chosen = str(self.policy_type.currentData() or "")
            if chosen:
                extra[POLICY_TYPE] = chosen
            else:
                extra.pop(POLICY_TYPE, None)
        return TemplateDraft(
            kind=kind,
            name=self.name.text().strip() or "Untitled template",
            body=self.body.toPlainText(),
            description=self.description.text().strip(),
            tags=normalise_tags(self.tags.text()),
            extra=extra,
        )

    def _where(self) -> uuid.UUID | None:
        data = self.where.currentData()
        return uuid.UUID(data) if data and data != PERSONAL else None

    def save(self, quiet: bool = False) -> bool:
        """Save the form; returns False (with the reason shown) when it cannot be saved."""
        if self.pages.currentIndex() != 1:
            return True
        if self.current is not None and not self.templates.editability(self.current).can_edit:
            return True
        try:
            draft = self.draft()
            where = self._where()
            if self.current is None:
                template = self.templates.create(draft, where)
                text = f"Created “{template.name}”."
            else:
                template = self.templates.update(
                    self.current.id, draft, based_on=self._loaded_draft
                )
                if template.conflicted and not self.current.conflicted:
                    text = (
                        f"Your team changed “{template.name}” while you were editing: both "
                        "texts are kept. Resolve the conflict to choose."
                    )
                if where != template.team_id:
                    template = self.templates.share(template.id, where)
                text = f"Saved “{template.name}”."
        except TemplateProblem as problem:
            self.problem.setText(problem.user_message)
            self.problem.setVisible(True)
            return False
        self._form_dirty = False
        self.problem.setVisible(False)
        self.current = template
        self.reload_filters()
        self.refresh(select=template.id)
        self._show(template)
        if not quiet:
            self.message.emit(text)
        self.changed.emit()
        return True

    def duplicate(self) -> None:
        if self.current is None:
            return
        copy = self.templates.duplicate(self.current.id)
        self._form_dirty = False
        self.refresh(select=copy.id)
        self._show(copy)
        self.message.emit(f"Made a personal copy: “{copy.name}”.")
        self.changed.emit()

    def delete(self) -> None:
        if self.current is None or not self.templates.editability(self.current).can_edit:
            return
        deleted = self.templates.delete(self.current.id)
        self._undo = deleted
        self.current = None
        self._form_dirty = False
        self.refresh()
        self.pages.setCurrentIndex(0)
        self.undo_banner.show_text(f"Deleted “{deleted.name}”.", "Undo")
        self._undo_timer.start()
        self.changed.emit()

    def undo_delete(self) -> None:
        if self._undo is None:
            return
        back = self.templates.undelete(self._undo.id)
        self._undo = None
        self.undo_banner.setVisible(False)
        self.refresh(select=back.id)
        self._show(back)
        self.message.emit(f"“{back.name}” is back.")
        self.changed.emit()

    def open_history(self) -> None:
        if self.current is None:
            return
        from desktop.ui.dialogs.sync_history import HistoryDialog

        if self._form_dirty:
            self.save(quiet=True)
        editable = self.templates.editability(self.current).can_edit
        template_id, team_id = self.current.id, self.current.team_id
        fetch = None
        sync = self.sync
        if sync is not None and team_id is not None and sync.account() is not None:

            def fetch() -> Coroutine[Any, Any, int]:
                assert sync is not None
                assert team_id is not None
                return sync.fetch_history(template_id, team_id)

        dialog = HistoryDialog(
            self.templates,
            template_id,
            read_only=not editable,
            fetch_team_history=fetch,
            runner=self.runner,
            parent=self,
        )
        dialog.restored.connect(self._after_restore)
        self.history_dialog = dialog
        dialog.open()

    @property
    def runner(self) -> TaskRunner:
        """The window's TaskRunner (a page of its own when shown alone, in tests)."""
        return page_runner(self)

    def _after_restore(self, template: Template) -> None:
        self.refresh(select=template.id)
        self._show(template)
        self.message.emit(f"Restored an earlier version of “{template.name}”.")
        self.changed.emit()

    def open_conflict(self) -> None:
        if self.current is None:
            return
        conflicts = self.templates.conflicts(self.current.id)
        if not conflicts:
            return
        from desktop.ui.dialogs.sync_conflict import ConflictDialog

        dialog = ConflictDialog(self.templates, conflicts[0], parent=self)
        dialog.resolved.connect(self._after_resolve)
        self.conflict_dialog = dialog
        dialog.open()

    def _after_resolve(self, template: Template) -> None:
        self._form_dirty = False
        self.refresh(select=template.id)
        self._show(template)
        self.message.emit(f"Conflict resolved: “{template.name}” will sync to your team.")
        self.changed.emit()

    # -- files ------------------------------------------------------------------------

    def export_file(self) -> None:
        if self.current is None:
            return
        path = self.choose_export_path(self.current)
        if path is None:
            return
        try:
            written = self.templates.export_to(self.current.id, path)
        except TemplateProblem as problem:
            self.message.emit(problem.user_message)
            return
        self.message.emit(f"Exported to {written.name}.")

    def import_file(self) -> None:
        path = self.choose_import_path()
        if path is None:
            return
        try:
            template = self.templates.import_from(path)
        except TemplateProblem as problem:
            self.undo_banner.setVisible(False)
            self.problem_box(problem.user_message)
            return
        self.reload_filters()
        self.refresh(select=template.id)
        self._show(template)
        self.message.emit(f"Imported “{template.name}” as a personal template.")
        self.changed.emit()

    def problem_box(self, text: str) -> None:
        from PySide6.QtWidgets import QMessageBox

        box = QMessageBox(
            QMessageBox.Icon.Warning,
            "Import",
            "The template could not be imported.",
            QMessageBox.StandardButton.Ok,
            self,
        )
        box.setInformativeText(text)
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.problem_dialog = box
        box.open()

    def _ask_import_path(self) -> Path | None:
        chosen, _ = QFileDialog.getOpenFileName(
            self, "Import template", "", f"Playbook templates (*{EXPORT_SUFFIX} *.json)"
        )
        return Path(chosen) if chosen else None

    def _ask_export_path(self, template: Template) -> Path | None:
        safe = "".join(c if c.isalnum() or c in " -_" else "_" for c in template.name).strip()
        chosen, _ = QFileDialog.getSaveFileName(
            self,
            "Export template",
            f"{safe or 'template'}{EXPORT_SUFFIX}",
            f"Playbook templates (*{EXPORT_SUFFIX})",
        )
        return Path(chosen) if chosen else None
