"""Save a policy's text as a policy template of the library (personal, or a team's)."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence

from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QLabel,
    QLineEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.storage.sync import TeamRecord
from desktop.ui import theme
from desktop.ui.widgets.common import label

PERSONAL = "personal"
# (name, team id or None, description) -> None when saved, else why not (shown here).
SaveTemplate = Callable[[str, uuid.UUID | None, str], str | None]


class SaveTemplateDialog(QDialog):
    def __init__(
        self,
        policy_title: str,
        type_title: str,
        teams: Sequence[TeamRecord],
        save: SaveTemplate,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Save as template")
        self.resize(520, 300)
        self._save = save
        col = QVBoxLayout(self)
        col.setContentsMargins(20, 18, 20, 18)
        col.setSpacing(8)
        col.addWidget(label("Save this text as a policy template", "SectionTitle"))
        col.addWidget(
            label(
                f"It will be offered when anyone who has it creates a new “{type_title}” "
                "policy. Answers are not saved with it — only the text and its variables.",
                "Muted",
                wrap=True,
            )
        )
        form = QFormLayout()
        form.setSpacing(8)
        self.name = QLineEdit(f"{policy_title} template")
        self.name.setAccessibleName("Template name")
        self.name.selectAll()
        form.addRow("Name", self.name)
        self.description = QLineEdit()
        self.description.setPlaceholderText("What is it for? (shown when choosing a template)")
        self.description.setAccessibleName("Description")
        form.addRow("Description", self.description)
        self.where = QComboBox()
        self.where.setAccessibleName("Personal or shared with a team")
        self.where.addItem("Personal — only on this computer", PERSONAL)
        for team in teams:
            self.where.addItem(f"Team: {team.name} — syncs to teammates", str(team.team_id))
        form.addRow("Save to", self.where)
        col.addLayout(form)
        if not teams:
            col.addWidget(
                label(
                    "Join a team (Settings → Account) as an editor to share templates with "
                    "teammates.",
                    "Muted",
                    wrap=True,
                )
            )
        self.problem = QLabel()
        self.problem.setObjectName("SaveTemplateProblem")
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet(
            f"background: {theme.PALETTE['danger-soft']}; color: {theme.PALETTE['danger-text']};"
            " border-radius: 8px; padding: 7px 12px;"
        )
        self.problem.hide()
        col.addWidget(self.problem)
        for edit in (self.name, self.description):
            edit.textEdited.connect(lambda _t: self.problem.hide())
        self.where.currentIndexChanged.connect(lambda _i: self.problem.hide())
        col.addStretch(1)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        self.save_button = buttons.button(QDialogButtonBox.StandardButton.Save)
        self.save_button.setText("Save template")
        buttons.accepted.connect(self.submit)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self.name.setFocus()

    def chosen_team(self) -> uuid.UUID | None:
        data = self.where.currentData()
        return uuid.UUID(data) if data and data != PERSONAL else None

    def choose_team(self, team_id: uuid.UUID | None) -> None:
        self.where.setCurrentIndex(
            max(0, self.where.findData(str(team_id) if team_id else PERSONAL))
        )

    def submit(self) -> None:
        problem = self._save(self.name.text(), self.chosen_team(), self.description.text().strip())
        if problem:
            self.problem.setText(problem)
            self.problem.show()
            return
        self.accept()
