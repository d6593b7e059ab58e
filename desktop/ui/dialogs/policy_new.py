"""Choosing what policy to write, and for which jurisdictions."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.policy import JURISDICTIONS, Questionnaire
from desktop.ui.widgets.common import label


class NewPolicyDialog(QDialog):
    def __init__(
        self,
        questionnaires: dict[str, Questionnaire],
        applicable: Sequence[str],
        jurisdictions: Sequence[str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("New policy")
        self.resize(560, 520)
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
        col.addStretch(1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        ok = buttons.button(QDialogButtonBox.StandardButton.Ok)
        ok.setText("Create draft")
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)

    def chosen_type(self) -> str | None:
        return next((t for t, r in self.types.items() if r.isChecked()), None)

    def chosen_jurisdictions(self) -> list[str]:
        return [j for j, c in self.jurisdictions.items() if c.isChecked()]

    def choose(self, policy_type: str, jurisdictions: Sequence[str]) -> None:
        """Set the choices (tests and keyboard users)."""
        self.types[policy_type].setChecked(True)
        for jid, check in self.jurisdictions.items():
            check.setChecked(jid in jurisdictions)
