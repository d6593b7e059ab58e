"""Before and after of a plain-language rewrite: the user decides, nothing is replaced
without their word."""

from __future__ import annotations

from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QPlainTextEdit,
    QVBoxLayout,
    QWidget,
)

from desktop.services.policies_plain import Rewrite
from desktop.ui.widgets.common import label


class RewriteDialog(QDialog):
    def __init__(self, rewrite: Rewrite, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Plain language")
        self.resize(860, 460)
        self.rewrite = rewrite
        col = QVBoxLayout(self)
        col.setContentsMargins(20, 18, 20, 18)
        col.addWidget(label("Rewrite in plain language", "SectionTitle"))
        col.addWidget(
            label(
                f"Suggested by {rewrite.provider}. Every variable, number and condition was "
                "checked to be still there; read it before you use it — it is not legal advice.",
                "Muted",
                wrap=True,
            )
        )
        row = QHBoxLayout()
        for title, text, name in (
            ("Your text", rewrite.original, "Original"),
            ("Plain language", rewrite.rewritten, "Rewritten"),
        ):
            box = QVBoxLayout()
            box.addWidget(label(title, "Muted"))
            edit = QPlainTextEdit(text)
            edit.setReadOnly(name == "Original")
            edit.setObjectName(name)
            edit.setAccessibleName(title)
            box.addWidget(edit, 1)
            row.addLayout(box, 1)
            if name == "Rewritten":
                self.rewritten = edit
        col.addLayout(row, 1)
        buttons = QDialogButtonBox()
        self.use = buttons.addButton("Use plain language", QDialogButtonBox.ButtonRole.AcceptRole)
        self.use.setProperty("variant", "primary")
        buttons.addButton("Keep mine", QDialogButtonBox.ButtonRole.RejectRole)
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)

    def text(self) -> str:
        return self.rewritten.toPlainText()
