"""Choosing what policy to write, for which jurisdictions, and from which template.

The template is the bundled one ("Built-in") or a policy template of the team library
(personal, or a team's, synced) written for the chosen type. A library template that
cannot be used (it reaches for internals, names a variable the questions do not have…)
is refused with the reason right in the dialog, which stays open with every choice kept.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.policy import JURISDICTIONS, Questionnaire
from desktop.services.policies_templates import TemplateChoice
from desktop.ui import theme
from desktop.ui.models.base import Role
from desktop.ui.models.policy_templates import TemplateChoiceModel
from desktop.ui.widgets.common import label

# Starts creating (policy type, jurisdictions, library template id or None) in the
# background; the caller then calls :meth:`NewPolicyDialog.created` or
# :meth:`NewPolicyDialog.show_problem` (the dialog stays open with every choice kept).
CreatePolicy = Callable[[str, list[str], uuid.UUID | None], None]


class NewPolicyDialog(QDialog):
    def __init__(
        self,
        questionnaires: dict[str, Questionnaire],
        applicable: Sequence[str],
        jurisdictions: Sequence[str],
        parent: QWidget | None = None,
        *,
        template_choices: Callable[[str], list[TemplateChoice]] | None = None,
        create: CreatePolicy | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New policy")
        self.resize(620, 760)
        self._choices = template_choices
        self._create = create
        col = QVBoxLayout(self)
        col.setContentsMargins(20, 18, 20, 18)
        col.setSpacing(8)
        col.addWidget(label("What policy do you want to write?", "SectionTitle"))
        self.types: dict[str, QRadioButton] = {}
        first = True
        for policy_type, q in questionnaires.items():
            radio = QRadioButton(q.title)
            radio.setToolTip(q.description)
            fits = policy_type in applicable
            if not fits:
                radio.setText(f"{q.title}  (your profile says it does not apply)")
            if fits and first:
                radio.setChecked(True)
                first = False
            radio.toggled.connect(self._on_type_toggled)
            self.types[policy_type] = radio
            col.addWidget(radio)
            col.addWidget(label(q.description, "Muted", wrap=True))
        col.addSpacing(8)
        col.addWidget(label("Written for customers in", "SectionTitle"))
        row = QHBoxLayout()
        self.jurisdictions: dict[str, QCheckBox] = {}
        for jid, name in JURISDICTIONS.items():
            check = QCheckBox(name)
            check.setChecked(jid in jurisdictions)
            self.jurisdictions[jid] = check
            row.addWidget(check)
        row.addStretch(1)
        col.addLayout(row)

        col.addSpacing(8)
        col.addWidget(label("Start from", "SectionTitle"))
        self.template_model = TemplateChoiceModel(self)
        self.template = QComboBox()
        self.template.setObjectName("PolicyTemplateChoice")
        self.template.setAccessibleName("Template to start from")
        self.template.setModel(self.template_model)
        self.template.currentIndexChanged.connect(lambda _i: self._on_template_changed())
        col.addWidget(self.template)
        self.template_hint = label("", "Muted", wrap=True)
        col.addWidget(self.template_hint)
        self.problem = QLabel()
        self.problem.setObjectName("NewPolicyProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(
            f"background: {theme.PALETTE['danger-soft']}; color: {theme.PALETTE['danger-text']};"
            " border-radius: 8px; padding: 7px 12px;"
        )
        self.problem.hide()
        col.addWidget(self.problem)
        col.addStretch(1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Create draft")
        self.cancel_button = buttons.button(QDialogButtonBox.StandardButton.Cancel)
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.reload_templates()

    # -- templates ----------------------------------------------------------------------

    def _on_type_toggled(self, checked: bool) -> None:
        if checked:
            self.reload_templates()

    def reload_templates(self) -> None:
        """List Built-in and the library's templates for the chosen type, keeping the
        chosen template if it is still offered."""
        policy_type = self.chosen_type()
        keep = self.chosen_template()
        rows = (
            self._choices(policy_type)
            if self._choices is not None and policy_type is not None
            else [TemplateChoice(None, "Built-in", "Built-in")]
        )
        self.template.blockSignals(True)
        self.template_model.set_rows(rows)
        self.template.setCurrentIndex(max(0, self.template_model.index_of(keep)))
        self.template.blockSignals(False)
        self._on_template_changed()

    def _on_template_changed(self) -> None:
        self.problem.hide()
        n = self.template_model.rowCount() - 1
        chosen = self.template.currentData(Role.ITEM)
        if isinstance(chosen, TemplateChoice) and not chosen.built_in:
            text = (
                f"{chosen.where} template"
                + (f", version {chosen.number}" if chosen.number is not None else "")
                + ". It is checked against your answers before the draft is made."
            )
            if chosen.description:
                text = f"{chosen.description}\n{text}"
        elif n > 0:
            text = (
                f"The template that comes with Playbook. {n} template{'s' if n != 1 else ''} "
                "from your library fit this policy too."
            )
        else:
            text = (
                "The template that comes with Playbook. Policy templates you or your team "
                "save (Text tab → Save as template…) appear here."
            )
        self.template_hint.setText(text)

    # -- choices ------------------------------------------------------------------------

    def chosen_type(self) -> str | None:
        return next((t for t, r in self.types.items() if r.isChecked()), None)

    def chosen_jurisdictions(self) -> list[str]:
        return [j for j, c in self.jurisdictions.items() if c.isChecked()]

    def chosen_template(self) -> uuid.UUID | None:
        chosen = self.template.currentData(Role.ITEM)
        return chosen.template_id if isinstance(chosen, TemplateChoice) else None

    def choose(
        self,
        policy_type: str,
        jurisdictions: Sequence[str],
        template_id: uuid.UUID | None = None,
    ) -> None:
        """Set the choices (tests and keyboard users)."""
        self.types[policy_type].setChecked(True)
        for jid, check in self.jurisdictions.items():
            check.setChecked(jid in jurisdictions)
        self.reload_templates()
        self.template.setCurrentIndex(max(0, self.template_model.index_of(template_id)))

    def submit(self) -> None:
        """Create the draft (in the background: a library template is rendered in the
        sandbox first); on a problem, say it here and keep every choice."""
        policy_type = self.chosen_type()
        if policy_type is None:
            self.show_problem("Choose what policy to write.")
            return
        if self._create is None:
            self.accept()
            return
        self.set_busy(True)
        self._create(policy_type, self.chosen_jurisdictions(), self.chosen_template())

    @property
    def busy(self) -> bool:
        return not self.ok_button.isEnabled()

    def set_busy(self, busy: bool) -> None:
        # The draft is being written: cancelling now would leave a policy the user was
        # told was not created, so Cancel (and Esc) wait the moment it takes.
        self.ok_button.setEnabled(not busy)
        self.cancel_button.setEnabled(not busy)
        self.ok_button.setText("Checking the template…" if busy else "Create draft")
        if busy:
            self.problem.hide()

    def reject(self) -> None:
        if self.busy:
            return
        super().reject()

    def created(self) -> None:
        self.set_busy(False)
        self.accept()

    def show_problem(self, text: str) -> None:
        self.set_busy(False)
        self.problem.setText(text)
        self.problem.show()
        # A wrapped label's height depends on its width: make room for every line.
        width = max(self.problem.width(), self.width() - 40)
        self.problem.setMinimumHeight(self.problem.heightForWidth(width))
