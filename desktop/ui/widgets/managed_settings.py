"""The Settings page's account of what IT manages: each locked setting with its value and
IT's reason, problems in the managed-settings file, and the privacy facts."""

from __future__ import annotations

from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QWidget

from desktop.policy import ManagedSettings
from desktop.services.effective_settings import Effective
from desktop.ui.widgets.common import Card, icon_label, label, pill


class ManagedSettingsCard(Card):
    """Shown when the machine has a managed-settings file; lists every locked setting."""

    def __init__(
        self, managed: ManagedSettings, rows: list[Effective], parent: QWidget | None = None
    ) -> None:
        super().__init__(padding=22, parent=parent)
        head = QHBoxLayout()
        head.setSpacing(10)
        head.addWidget(icon_label("lock", "accent", 20))
        head.addWidget(label("Managed by your organisation", "SectionTitle"), 1)
        self.body.addLayout(head)
        self.body.addWidget(
            label(
                "Your IT team set these for everyone on this computer; they cannot be changed "
                f"here. (Source: {managed.path})",
                "Muted",
                wrap=True,
            )
        )
        grid = QGridLayout()
        grid.setHorizontalSpacing(16)
        grid.setVerticalSpacing(10)
        self.locked_rows: list[Effective] = [r for r in rows if r.locked]
        for i, row in enumerate(self.locked_rows):
            name = label(row.label)
            name.setObjectName("FieldName")
            grid.addWidget(name, i, 0)
            grid.addWidget(label(row.value), i, 1)
            grid.addWidget(pill("Locked", "neutral"), i, 2)
            reason = label(row.note, "Muted", wrap=True)
            reason.setAccessibleName(f"Why {row.label} is locked")
            grid.addWidget(reason, i, 3)
        grid.setColumnStretch(3, 1)
        self.body.addLayout(grid)
        self.problem_label = label("", "Warning", wrap=True)
        if managed.problems:
            self.problem_label.setText(
                "The managed-settings file has problems, so the settings concerned are "
                "locked to their safest value until IT fixes it:\n• "
                + "\n• ".join(managed.problems)
            )
        self.problem_label.setVisible(bool(managed.problems))
        self.body.addWidget(self.problem_label)


class PrivacyCard(Card):
    """What Playbook sends and checks by itself: nothing (or what IT decided)."""

    def __init__(self, rows: list[Effective], parent: QWidget | None = None) -> None:
        super().__init__(padding=22, parent=parent)
        self.body.addWidget(label("Privacy", "SectionTitle"))
        self.lines: list[str] = []
        for row in rows:
            if row.locked:
                text = f"{row.label}: {row.value} — locked by your organisation."
            else:
                text = f"{row.label}: {row.value}. {row.note}."
            self.lines.append(text)
            self.body.addWidget(label(text, "Muted", wrap=True))
