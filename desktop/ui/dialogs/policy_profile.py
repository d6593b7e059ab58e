"""The company profile: answered once, shared by every policy (names, contact, markets)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtGui import QPixmap
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QFileDialog,
    QHBoxLayout,
    QLabel,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.policy import NOT_LEGAL_ADVICE
from desktop.services.policies import AnswersRefused, PolicyService
from desktop.services.policies_render import LogoProblem, check_logo
from desktop.ui.widgets.common import Card, button, label, scroll_page
from desktop.ui.widgets.policy_form import QuestionnaireForm


class ProfileDialog(QDialog):
    def __init__(self, service: PolicyService, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Company profile")
        self.setObjectName("Page")
        self.resize(720, 760)
        self._service = service
        self.choose_logo: Callable[[], str | None] = self._ask_logo
        profile = service.profile()
        self.logo_path: str | None = profile.logo_path

        col = QVBoxLayout(self)
        col.setContentsMargins(20, 18, 20, 18)
        col.addWidget(label("Company profile", "PageTitle"))
        col.addWidget(
            label(
                "Answered once and used by every policy, so names, contact details and "
                "numbers agree across documents.",
                "PageSubtitle",
                wrap=True,
            )
        )
        inner = QWidget()
        inner.setObjectName("Page")
        inner_col = QVBoxLayout(inner)
        inner_col.setContentsMargins(0, 0, 8, 0)
        self.form = QuestionnaireForm(service.catalog.profile_questionnaire)
        self.form.set_answers(profile.answers)
        inner_col.addWidget(self.form)

        logo_card = Card(padding=18)
        logo_card.body.addWidget(label("Logo", "SectionTitle"))
        logo_card.body.addWidget(
            label(
                "A PNG, JPEG or GIF file on this computer, shown at the top of exported PDFs.",
                "Muted",
                wrap=True,
            )
        )
        row = QHBoxLayout()
        self.logo_preview = QLabel()
        self.logo_preview.setFixedSize(120, 48)
        self.logo_preview.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.logo_name = label("No logo", "Muted")
        pick = button("Choose logo…", icon="folder")
        pick.clicked.connect(self._pick_logo)
        clear = button("Remove", variant="ghost")
        clear.clicked.connect(lambda: self._set_logo(None))
        row.addWidget(self.logo_preview)
        row.addWidget(self.logo_name, 1)
        row.addWidget(pick)
        row.addWidget(clear)
        logo_card.body.addLayout(row)
        self.logo_problem = label("", wrap=True)
        self.logo_problem.setStyleSheet("color: #B42318;")
        self.logo_problem.hide()
        logo_card.body.addWidget(self.logo_problem)
        inner_col.addWidget(logo_card)
        col.addWidget(scroll_page(inner), 1)

        col.addWidget(label(NOT_LEGAL_ADVICE, "Muted", wrap=True))
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.save)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)
        self._set_logo(self.logo_path)

    def _ask_logo(self) -> str | None:
        path, _filter = QFileDialog.getOpenFileName(
            self, "Choose your logo", str(Path.home()), "Images (*.png *.jpg *.jpeg *.gif)"
        )
        return path or None

    def _pick_logo(self) -> None:
        path = self.choose_logo()
        if path:
            self._set_logo(path)

    def _set_logo(self, path: str | None) -> None:
        self.logo_problem.hide()
        if path is None:
            self.logo_path = None
            self.logo_preview.clear()
            self.logo_name.setText("No logo")
            return
        try:
            check_logo(Path(path))
        except LogoProblem as exc:
            self.logo_problem.setText(exc.user_message)
            self.logo_problem.show()
            return
        self.logo_path = path
        pixmap = QPixmap(path)
        if not pixmap.isNull():
            self.logo_preview.setPixmap(
                pixmap.scaled(
                    120,
                    48,
                    Qt.AspectRatioMode.KeepAspectRatio,
                    Qt.TransformationMode.SmoothTransformation,
                )
            )
        self.logo_name.setText(Path(path).name)

    def save(self) -> None:
        """Save and close; invalid answers stay on screen with what to fix."""
        try:
            self._service.save_profile(self.form.answers(), self.logo_path)
        except AnswersRefused as exc:
            self.form.show_problems(exc.problems, exc.violations)
            return
        except LogoProblem as exc:
            self.logo_problem.setText(exc.user_message)
            self.logo_problem.show()
            return
        self.accept()
