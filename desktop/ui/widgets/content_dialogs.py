"""Content Studio's dialogs: the brand kit, the AI providers, the generation history."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QAbstractItemView,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QDoubleSpinBox,
    QFormLayout,
    QHBoxLayout,
    QHeaderView,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QTableView,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.content import BrandKit, Claim, Spelling
from desktop.integrations.providers.base import ProviderConfig, is_loopback
from desktop.integrations.providers.capabilities import PROFILE_LABELS
from desktop.policy import ProviderRule
from desktop.services.content import ContentService, HistoryEntry
from desktop.ui.models.content import HistoryModel, ProvidersModel
from desktop.ui.widgets.common import button, label
from desktop.ui.widgets.delegates import CardDelegate, CardStyle


def parse_claims(text: str) -> tuple[Claim, ...]:
    """Lines of ``claim | evidence`` (evidence may be empty)."""
    out = []
    for line in text.splitlines():
        if not line.strip():
            continue
        claim, _, evidence = line.partition("|")
        out.append(Claim(claim.strip(), evidence.strip()))
    return tuple(out)


def claims_text(claims: tuple[Claim, ...]) -> str:
    return "\n".join(f"{c.text} | {c.evidence}" if c.evidence else c.text for c in claims)


_TRI = (("No rule", None), ("Always", True), ("Never", False))


class BrandKitDialog(QDialog):
    """Voice, banned and preferred terms, style rules and approved claims."""

    def __init__(self, kit: BrandKit, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Brand kit")
        self.setMinimumWidth(560)
        col = QVBoxLayout(self)
        col.setContentsMargins(22, 18, 22, 16)
        col.addWidget(label("Brand kit", "SectionTitle"))
        col.addWidget(
            label("Goes into every prompt and is checked on every variant.", "Muted", wrap=True)
        )
        form = QFormLayout()
        form.setSpacing(10)
        col.addLayout(form)
        self.name = QLineEdit(kit.name)
        form.addRow("Brand name", self.name)
        self.voice = QPlainTextEdit(kit.voice)
        self.voice.setPlaceholderText("e.g. Warm, plain-spoken, confident; short sentences.")
        self.voice.setFixedHeight(70)
        form.addRow("Voice", self.voice)
        self.banned = QLineEdit(", ".join(kit.banned_terms))
        self.banned.setPlaceholderText("cheap, revolutionary, synergy")
        form.addRow("Banned terms", self.banned)
        self.preferred = QPlainTextEdit("\n".join(f"{a} -> {u}" for a, u in kit.preferred_terms))
        self.preferred.setPlaceholderText("users -> customers\nbuy -> get")
        self.preferred.setFixedHeight(70)
        form.addRow("Preferred terms", self.preferred)
        self.spelling = QComboBox()
        for text, value in (
            ("No rule", None),
            ("US English", Spelling.US),
            ("UK English", Spelling.UK),
        ):
            self.spelling.addItem(text, value)
        self.spelling.setCurrentIndex({None: 0, Spelling.US: 1, Spelling.UK: 2}[kit.spelling])
        form.addRow("Spelling", self.spelling)
        self.oxford = self._tri(kit.oxford_comma)
        form.addRow("Oxford comma", self.oxford)
        self.contractions = self._tri(kit.contractions)
        form.addRow("Contractions", self.contractions)
        self.claims = QPlainTextEdit(claims_text(kit.approved_claims))
        self.claims.setPlaceholderText("Rated 4.8 on G2 | G2 reviews, May 2026")
        self.claims.setFixedHeight(80)
        form.addRow("Approved claims\n(claim | evidence)", self.claims)
        self.cta = QLineEdit(kit.call_to_action)
        self.cta.setPlaceholderText("Start your free trial")
        form.addRow("Default call to action", self.cta)
        buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Save | QDialogButtonBox.StandardButton.Cancel
        )
        buttons.accepted.connect(self.accept)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)

    @staticmethod
    def _tri(value: bool | None) -> QComboBox:
        combo = QComboBox()
        for text, v in _TRI:
            combo.addItem(text, v)
        combo.setCurrentIndex({None: 0, True: 1, False: 2}[value])
        return combo

    def kit(self) -> BrandKit:
        preferred = []
        for line in self.preferred.toPlainText().splitlines():
            avoid, sep, use = line.partition("->")
            if sep and avoid.strip() and use.strip():
                preferred.append((avoid.strip(), use.strip()))
        return BrandKit(
            name=self.name.text().strip(),
            voice=self.voice.toPlainText().strip(),
            banned_terms=tuple(t.strip() for t in self.banned.text().split(",") if t.strip()),
            preferred_terms=tuple(preferred),
            spelling=self.spelling.currentData(),
            oxford_comma=self.oxford.currentData(),
            contractions=self.contractions.currentData(),
            approved_claims=tuple(c for c in parse_claims(self.claims.toPlainText()) if c.text),
            call_to_action=self.cta.text().strip(),
        )


class ProvidersDialog(QDialog):
    """Add, change and remove AI providers; keys go to the system keyring."""

    changed = Signal()

    def __init__(
        self,
        service: ContentService,
        run_discovery: Callable[[Callable[[list[ProviderConfig]], None]], None],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.service = service
        self.setWindowTitle("AI providers")
        self.setMinimumSize(720, 460)
        row = QHBoxLayout(self)
        row.setContentsMargins(22, 18, 22, 16)
        row.setSpacing(18)
        left = QVBoxLayout()
        row.addLayout(left, 2)
        left.addWidget(label("Providers", "SectionTitle"))
        self.model = ProvidersModel(self)
        self.list = QListView()
        self.list.setObjectName("PanelList")
        self.list.setModel(self.model)
        self.list.setItemDelegate(CardDelegate(self.list, CardStyle(card=False, lead=30)))
        self.list.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.list.selectionModel().currentChanged.connect(self._on_selected)
        left.addWidget(self.list, 1)
        self.find_button = button(
            "Find local servers",
            icon="search",
            tooltip="Look for Ollama, LM Studio, llama.cpp and vLLM on this computer only",
        )
        self.find_button.clicked.connect(lambda: run_discovery(self._found))
        left.addWidget(self.find_button)
        self.found_label = label("", "Muted", wrap=True)
        left.addWidget(self.found_label)

        right = QVBoxLayout()
        row.addLayout(right, 3)
        right.addWidget(label("Provider", "SectionTitle"))
        lock = service.provider_lock
        self.lock_note = label("", "LockNote", wrap=True)
        self.lock_note.setVisible(lock is not None)
        if lock is not None:
            policy = service.provider_policy()
            self.lock_note.setText(
                f"Locked by your organisation — AI providers allowed: {policy.describe()}. "
                f"{lock.reason}"
            )
            if policy.rule is ProviderRule.NONE:
                self.find_button.setEnabled(False)
                self.find_button.setToolTip("Your organisation allows no AI provider")
        right.addWidget(self.lock_note)
        form = QFormLayout()
        right.addLayout(form)
        self.name = QLineEdit()
        self.name.setPlaceholderText("OpenAI")
        form.addRow("Name", self.name)
        self.profile = QComboBox()
        for key, text in PROFILE_LABELS.items():
            self.profile.addItem(text, key)
        self.profile.currentIndexChanged.connect(self._on_profile)
        form.addRow("Kind", self.profile)
        self.base_url = QLineEdit("https://api.openai.com/v1")
        form.addRow("Address", self.base_url)
        self.model_name = QLineEdit()
        self.model_name.setPlaceholderText("gpt-4o-mini")
        form.addRow("Model", self.model_name)
        self.api_key = QLineEdit()
        self.api_key.setEchoMode(QLineEdit.EchoMode.Password)
        self.api_key.setPlaceholderText("kept in your system keyring; leave empty to keep")
        form.addRow("API key", self.api_key)
        self.timeout = QDoubleSpinBox()
        self.timeout.setRange(5, 600)
        self.timeout.setValue(60)
        self.timeout.setSuffix(" s")
        form.addRow("Time limit", self.timeout)
        self.message = label("", "Muted", wrap=True)
        right.addWidget(self.message)
        right.addStretch(1)
        actions = QHBoxLayout()
        self.delete = button("Remove", variant="danger", icon="trash")
        self.delete.clicked.connect(self._delete)
        actions.addWidget(self.delete)
        actions.addStretch(1)
        self.save = button("Save provider", variant="primary")
        self.save.clicked.connect(self._save)
        actions.addWidget(self.save)
        close = button("Close")
        close.clicked.connect(self.accept)
        actions.addWidget(close)
        right.addLayout(actions)
        if lock is not None and service.provider_policy().rule is ProviderRule.NONE:
            self.save.setEnabled(False)
            self.save.setToolTip("Your organisation allows no AI provider: use template mode")
            for field in (
                self.name,
                self.profile,
                self.base_url,
                self.model_name,
                self.api_key,
                self.timeout,
            ):
                field.setEnabled(False)
        self.refresh()

    def refresh(self) -> None:
        self.model.set_rows(self.service.providers())
        self.delete.setEnabled(self.list.currentIndex().isValid())

    def _on_selected(self, *_args: object) -> None:
        config = self.model.row_at(self.list.currentIndex().row())
        self.delete.setEnabled(config is not None)
        if config is None:
            return
        self.name.setText(config.name)
        index = self.profile.findData(config.profile)
        self.profile.setCurrentIndex(max(index, 0))
        self.base_url.setText(config.base_url)
        self.model_name.setText(config.model)
        self.timeout.setValue(config.timeout)
        self.api_key.clear()

    def _on_profile(self, _index: int) -> None:
        defaults = {
            "openai": "https://api.openai.com/v1",
            "ollama": "http://127.0.0.1:11434/v1",
            "lmstudio": "http://127.0.0.1:1234/v1",
            "llamacpp": "http://127.0.0.1:8080/v1",
            "vllm": "http://127.0.0.1:8000/v1",
        }
        url = defaults.get(str(self.profile.currentData()))
        if url and not self.name.text():
            self.base_url.setText(url)

    def config(self) -> ProviderConfig:
        url = self.base_url.text().strip()
        return ProviderConfig(
            self.name.text().strip(),
            url,
            self.model_name.text().strip(),
            str(self.profile.currentData()),
            needs_key=not is_loopback(url),
            timeout=float(self.timeout.value()),
        )

    def _save(self) -> None:
        try:
            self.service.save_provider(self.config(), self.api_key.text().strip() or None)
        except Exception as exc:  # a sentence for the user: bad address, no keyring
            message = getattr(exc, "user_message", None)
            if message is None:
                raise
            self.message.setText(str(message))
            return
        self.api_key.clear()
        self.message.setText(f"Saved {self.name.text().strip()}.")
        self.refresh()
        self.changed.emit()

    def _delete(self) -> None:
        config = self.model.row_at(self.list.currentIndex().row())
        if config is None:
            return
        self.service.delete_provider(config.name)
        self.message.setText(f"Removed {config.name} (and its key).")
        self.refresh()
        self.changed.emit()

    def _found(self, configs: list[ProviderConfig]) -> None:
        if not configs:
            self.found_label.setText(
                "No local server answered on this computer. Start Ollama or LM Studio, "
                "then try again."
            )
            return
        self.found_label.setText(
            "Found: " + ", ".join(f"{c.name} ({c.model})" for c in configs) + ". Saved."
        )
        for config in configs:
            self.service.save_provider(config)
        self.refresh()
        self.changed.emit()


class HistoryDialog(QDialog):
    """Every generation: provider, model, status, time, tokens, estimated cost."""

    open_requested = Signal(object)  # HistoryEntry

    def __init__(self, entries: list[HistoryEntry], parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setWindowTitle("Generation history")
        self.resize(900, 460)
        col = QVBoxLayout(self)
        col.setContentsMargins(22, 18, 22, 16)
        col.addWidget(label("History", "SectionTitle"))
        col.addWidget(
            label(
                "Every generation is kept with its brief, prompt, output and "
                "quality report. Double-click one to open it.",
                "Muted",
                wrap=True,
            )
        )
        self.model = HistoryModel(self)
        self.model.set_rows(entries)
        self.table = QTableView()
        self.table.setModel(self.model)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.verticalHeader().setVisible(False)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.doubleClicked.connect(self._open)
        col.addWidget(self.table, 1)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        buttons.rejected.connect(self.reject)
        col.addWidget(buttons)

    def _open(self, index: object) -> None:
        row = self.model.row_at(self.table.currentIndex().row())
        if row is not None and row.status == "done":
            self.open_requested.emit(row)
            self.accept()
