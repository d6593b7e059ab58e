"""Content Studio: a brief on the left, variants streaming in on the right.

The marketer types a brief, picks a model (or none: template mode) and presses Generate
(Ctrl+Enter). Variants appear as they are written, every field with a live counter; Esc
cancels. Each variant can be edited in place, favourited, copied, regenerated as a
whole or field by field, and its quality findings fixed with one click (Ctrl+Z undoes).
Export writes Google Ads Editor CSV for search ads and Markdown for the rest.

All work runs through the window's :class:`TaskRunner`: a model's stream on the asyncio
(qasync) loop, template mode in the worker thread. Events from the stream reach the
widgets through a Qt signal, so they land on the GUI thread wherever the work ran.
"""

from __future__ import annotations

import asyncio
import logging
import re
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtGui import QGuiApplication, QKeySequence, QShortcut, QShowEvent
from PySide6.QtWidgets import (
    QComboBox,
    QFileDialog,
    QFormLayout,
    QFrame,
    QHBoxLayout,
    QLineEdit,
    QListView,
    QPlainTextEdit,
    QProgressBar,
    QScrollArea,
    QSplitter,
    QVBoxLayout,
    QWidget,
)

from desktop.domain.content import MAX_VARIANTS, Brief, ContentType, Finding, Variant
from desktop.integrations.providers.base import ProviderConfig
from desktop.services.content import (
    BUILT_IN_PROMPT,
    OFFLINE,
    ContentService,
    Generation,
    GenerationEvent,
    RequestQueued,
    Retrying,
    ShownVariant,
    Streaming,
)
from desktop.ui import theme
from desktop.ui.models.content import QueueModel
from desktop.ui.tasks import Task, TaskRunner, user_message
from desktop.ui.widgets.common import EmptyState, PageHeader, button, label
from desktop.ui.widgets.content_dialogs import (
    BrandKitDialog,
    HistoryDialog,
    ProvidersDialog,
    claims_text,
    parse_claims,
)
from desktop.ui.widgets.content_variant import VariantCard
from desktop.ui.widgets.delegates import CardDelegate, CardStyle

log = logging.getLogger(__name__)
T = TypeVar("T")

QUEUE_RETRY_MS = 20_000  # how often waiting requests check whether the network is back
LANGUAGES = (
    ("English", "en"),
    ("German", "de"),
    ("French", "fr"),
    ("Spanish", "es"),
    ("Dutch", "nl"),
    ("Italian", "it"),
)
TONES = ("Friendly", "Professional", "Bold", "Playful", "Reassuring", "Urgent but honest")

STYLE = """
QWidget#ContentStudio QFrame#VariantCard {
    background: @surface; border: 1px solid @border; border-radius: 12px;
}
QWidget#ContentStudio QFrame#VariantCard QLabel { background: transparent; }
QWidget#ContentStudio QFrame#BriefCard {
    background: @surface; border: 1px solid @border; border-radius: 12px;
}
QWidget#ContentStudio QFrame#BriefCard QLabel { background: transparent; }
QWidget#ContentStudio QLabel#FieldTitle {
    color: @text-muted; font-size: 8.5pt; font-weight: 700;
}
QWidget#ContentStudio QLabel#Counter { color: @text-subtle; font-size: 8.5pt; padding-top: 6px; }
QWidget#ContentStudio QLabel#Counter[state="over"] { color: @danger-text; font-weight: 700; }
QWidget#ContentStudio QLabel#Counter[state="long"] { color: @warning-text; font-weight: 600; }
QWidget#ContentStudio QLabel#Pill[tone="warning"] {
    background: @warning-soft; color: @warning-text;
}
QWidget#ContentStudio QFrame#StatusStrip {
    background: @surface; border: 1px solid @border; border-radius: 10px;
}
QWidget#ContentStudio QFrame#StatusStrip QLabel { background: transparent; }
QWidget#ContentStudio QFrame#Banner {
    background: @danger-soft; border: 1px solid #FECDCA; border-radius: 10px;
}
QWidget#ContentStudio QFrame#Banner[tone="info"] {
    background: @warning-soft; border: 1px solid #FEDF89;
}
QWidget#ContentStudio QFrame#Banner QLabel { background: transparent; color: @text; }
QWidget#ContentStudio QComboBox {
    background: @surface; color: @text; border: 1px solid @border-strong;
    border-radius: 8px; padding: 5px 8px; min-height: 20px;
}
QWidget#ContentStudio QComboBox:focus {
    border: 1px solid @accent;
}
QWidget#ContentStudio QComboBox::drop-down {
    subcontrol-origin: padding; subcontrol-position: center right; width: 24px; border: none;
}
QWidget#ContentStudio QComboBox::down-arrow {
    image: url(@icons/arrow-down.svg); width: 12px; height: 12px;
}
QWidget#ContentStudio QListView#FindingsList {
    background: @surface-alt; border: 1px solid @border; border-radius: 8px;
}
QWidget#ContentStudio QListView#QueueList {
    background: @warning-soft; border: 1px solid #FEDF89; border-radius: 10px;
}
"""


class CountBox(QComboBox):
    """How many variants: 1 to ``maximum``, as a short drop-down."""

    def __init__(self, maximum: int, value: int, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        for n in range(1, maximum + 1):
            self.addItem(f"{n} variant{'s' if n != 1 else ''}", n)
        self.setValue(value)

    def value(self) -> int:
        return int(self.currentData())

    def setValue(self, value: int) -> None:
        self.setCurrentIndex(max(0, min(self.count() - 1, value - 1)))


class _Bridge(QObject):
    """Carries stream events to the GUI thread (queued when they come from another)."""

    streamed = Signal(int, object)


@dataclass
class _AsyncHandle:
    """Lets Cancel stop a coroutine wherever it runs (qasync loop or worker thread)."""

    loop: asyncio.AbstractEventLoop | None = None
    task: asyncio.Task[Any] | None = None
    cancelled: bool = False

    def cancel(self) -> None:
        self.cancelled = True
        if self.loop is not None and self.task is not None and not self.loop.is_closed():
            self.loop.call_soon_threadsafe(self.task.cancel)


@dataclass(frozen=True, slots=True)
class _Target:
    """What a run writes: the whole set, one variant, or one field of one variant."""

    kind: str  # "all", "variant", "field"
    index: int = -1
    field: str = ""


class ContentStudio(QWidget):
    generation_finished = Signal()  # a run ended (done, failed, cancelled or queued)
    first_text_shown = Signal()  # the first streamed text of a run is on screen
    message = Signal(str)  # a short status line for the window
    providers_changed = Signal()

    def __init__(
        self, service: ContentService, runner: TaskRunner, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ContentStudio")
        self.service = service
        self.runner = runner
        self.generation: Generation | None = None
        self.shown: list[ShownVariant] = []
        self.cards: list[VariantCard] = []
        self._card_type: ContentType | None = None
        self._task: Task[Any] | None = None
        self._handle: _AsyncHandle | None = None
        self._run_id = 0
        self._target = _Target("all")
        self._first_shown = False
        self._writing_label = ""
        self._undo: list[tuple[int, ShownVariant]] = []
        self._found_local: list[ProviderConfig] = []
        self._discovered = False
        # Replaceable in tests: what would otherwise open a native dialog.
        self.choose_export_path: Callable[[str, str], Path | None] = self._ask_export_path
        self.setStyleSheet(theme.substitute_tokens(STYLE))
        self._bridge = _Bridge(self)
        self._bridge.streamed.connect(self._on_event)

        root = QVBoxLayout(self)
        root.setContentsMargins(28, 24, 28, 18)
        root.setSpacing(14)
        self.header = PageHeader(
            "Content Studio",
            "Channel-ready ads, emails and posts in your brand's voice — with any AI model, "
            "or none.",
        )
        root.addWidget(self.header)
        self.history_button = button("History", icon="clock", tooltip="Every generation")
        self.history_button.clicked.connect(self.show_history)
        self.brand_button = button(
            "Brand kit", icon="award", tooltip="Voice, terms, style rules, approved claims"
        )
        self.brand_button.clicked.connect(self.edit_brand_kit)
        self.providers_button = button(
            "Providers", icon="settings", tooltip="OpenAI, Azure or a local server"
        )
        self.providers_button.clicked.connect(self.edit_providers)
        self.export_button = button(
            "Export…", icon="arrow-down", tooltip="CSV for Google Ads Editor, or Markdown (Ctrl+E)"
        )
        self.export_button.clicked.connect(self.export)
        for b in (
            self.history_button,
            self.brand_button,
            self.providers_button,
            self.export_button,
        ):
            self.header.action_row.addWidget(b)

        splitter = QSplitter(Qt.Orientation.Horizontal)
        splitter.setChildrenCollapsible(False)
        splitter.setHandleWidth(14)
        root.addWidget(splitter, 1)
        splitter.addWidget(self._build_brief())
        splitter.addWidget(self._build_results())
        splitter.setStretchFactor(0, 0)
        splitter.setStretchFactor(1, 1)
        splitter.setSizes([380, 800])

        for keys, slot in (
            ("Ctrl+Return", self.generate),
            ("Ctrl+Enter", self.generate),
            ("Ctrl+Shift+Return", lambda: self.generate(bypass_cache=True)),
            ("Ctrl+Shift+Enter", lambda: self.generate(bypass_cache=True)),
            ("Ctrl+E", self.export),
            ("Ctrl+Z", self.undo),
            ("Esc", self.cancel),
        ):
            shortcut = QShortcut(QKeySequence(keys), self)
            shortcut.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
            shortcut.activated.connect(slot)

        self._queue_timer = QTimer(self)
        self._queue_timer.setInterval(QUEUE_RETRY_MS)
        self._queue_timer.timeout.connect(self.retry_queue)

        self.refresh_providers()
        self._restore_brief()
        self.refresh_queue()
        self._show_empty()

    # -- building -----------------------------------------------------------------------

    def _build_brief(self) -> QWidget:
        card = QFrame()
        card.setObjectName("BriefCard")
        col = QVBoxLayout(card)
        col.setContentsMargins(18, 16, 18, 16)
        col.setSpacing(10)
        col.addWidget(label("Brief", "SectionTitle"))
        form = QFormLayout()
        form.setSpacing(8)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        col.addLayout(form)

        self.content_type = QComboBox()
        for ct in self.service.content_types():
            self.content_type.addItem(ct.label, ct.id)
            self.content_type.setItemData(
                self.content_type.count() - 1, ct.description, Qt.ItemDataRole.ToolTipRole
            )
        self.content_type.currentIndexChanged.connect(self._on_type_changed)
        form.addRow("Content", self.content_type)
        self.product = QLineEdit()
        self.product.setPlaceholderText("What you promote, e.g. Acme Analytics")
        self.product.setAccessibleName("Product")
        form.addRow("Product *", self.product)
        self.audience = QLineEdit()
        self.audience.setPlaceholderText("e.g. owners of small online shops")
        form.addRow("Audience", self.audience)
        self.offer = QLineEdit()
        self.offer.setPlaceholderText("e.g. 30-day free trial, no card needed")
        form.addRow("Offer", self.offer)
        self.pain = QLineEdit()
        self.pain.setPlaceholderText("e.g. guessing which ads work")
        form.addRow("Problem", self.pain)
        self.tone = QComboBox()
        self.tone.setEditable(True)
        self.tone.addItems(TONES)
        form.addRow("Tone", self.tone)
        self.language = QComboBox()
        for text, code in LANGUAGES:
            self.language.addItem(text, code)
        form.addRow("Language", self.language)
        self.cta = QLineEdit()
        self.cta.setPlaceholderText("e.g. Start your free trial")
        form.addRow("Call to action", self.cta)

        col.addWidget(label("Key facts — one per line", "FieldTitle"))
        self.facts = QPlainTextEdit()
        self.facts.setPlaceholderText("Set up in 5 minutes\nWorks with Shopify")
        self.facts.setFixedHeight(74)
        self.facts.setTabChangesFocus(True)
        self.facts.setAccessibleName("Key facts")
        col.addWidget(self.facts)
        col.addWidget(label("Claims — claim | evidence", "FieldTitle"))
        self.claims = QPlainTextEdit()
        self.claims.setPlaceholderText("Rated 4.8 on G2 | G2 reviews, May 2026")
        self.claims.setFixedHeight(58)
        self.claims.setTabChangesFocus(True)
        self.claims.setAccessibleName("Claims with evidence")
        col.addWidget(self.claims)

        settings = QFormLayout()
        settings.setSpacing(8)
        col.addLayout(settings)
        self.variants = CountBox(MAX_VARIANTS, 3)
        self.variants.setAccessibleName("Number of variants")
        settings.addRow("Variants", self.variants)
        self.provider = QComboBox()
        self.provider.setAccessibleName("Model")
        settings.addRow("Model", self.provider)
        self.prompt = QComboBox()
        self.prompt.setAccessibleName("Prompt template")
        self.prompt.setToolTip("The built-in prompt, or one from your team's template library")
        settings.addRow("Prompt", self.prompt)

        self.brief_error = label("", "Muted", wrap=True)
        self.brief_error.setStyleSheet(f"color: {theme.PALETTE['danger-text']};")
        self.brief_error.setVisible(False)
        col.addWidget(self.brief_error)

        col.addStretch(1)

        # The actions stay in view below the brief, however long it gets.
        bar = QFrame()
        bar.setObjectName("BriefCard")
        bar_col = QVBoxLayout(bar)
        bar_col.setContentsMargins(14, 10, 14, 10)
        bar_col.setSpacing(4)
        actions = QHBoxLayout()
        self.generate_button = button(
            "Generate",
            variant="primary",
            icon="play",
            icon_colour="surface",
            tooltip="Write variants (Ctrl+Enter)",
        )
        self.generate_button.clicked.connect(lambda: self.generate())
        actions.addWidget(self.generate_button, 1)
        self.cancel_button = button("Cancel", tooltip="Stop writing (Esc)")
        self.cancel_button.clicked.connect(self.cancel)
        self.cancel_button.setVisible(False)
        actions.addWidget(self.cancel_button)
        bar_col.addLayout(actions)
        bar_col.addWidget(label("Ctrl+Enter generates · Esc cancels · Ctrl+E exports", "Subtle"))

        area = QScrollArea()
        area.setWidgetResizable(True)
        area.setFrameShape(QFrame.Shape.NoFrame)
        area.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        area.setWidget(card)
        column = QWidget()
        column.setMinimumWidth(340)
        column.setMaximumWidth(460)
        outer = QVBoxLayout(column)
        outer.setContentsMargins(0, 0, 0, 0)
        outer.setSpacing(8)
        outer.addWidget(area, 1)
        outer.addWidget(bar)
        return column

    def _build_results(self) -> QWidget:
        panel = QWidget()
        col = QVBoxLayout(panel)
        col.setContentsMargins(0, 0, 0, 0)
        col.setSpacing(10)

        self.status = QFrame()
        self.status.setObjectName("StatusStrip")
        row = QHBoxLayout(self.status)
        row.setContentsMargins(14, 8, 10, 8)
        row.setSpacing(10)
        self.status_text = label("", "Muted", wrap=True)
        row.addWidget(self.status_text, 1)
        self.progress = QProgressBar()
        self.progress.setObjectName("BusyBar")
        self.progress.setRange(0, 0)
        self.progress.setTextVisible(False)
        self.progress.setFixedWidth(120)
        self.progress.setVisible(False)
        row.addWidget(self.progress)
        self.undo_button = button("Undo", variant="ghost", tooltip="Undo the last fix (Ctrl+Z)")
        self.undo_button.clicked.connect(self.undo)
        self.undo_button.setVisible(False)
        row.addWidget(self.undo_button)
        col.addWidget(self.status)

        self.banner = QFrame()
        self.banner.setObjectName("Banner")
        brow = QHBoxLayout(self.banner)
        brow.setContentsMargins(14, 10, 10, 10)
        self.banner_text = label("", "", wrap=True)
        self.banner_text.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        brow.addWidget(self.banner_text, 1)
        dismiss = button("Dismiss", variant="ghost")
        dismiss.clicked.connect(lambda: self.banner.setVisible(False))
        brow.addWidget(dismiss, 0, Qt.AlignmentFlag.AlignTop)
        self.banner.setVisible(False)
        col.addWidget(self.banner)

        self.queue_model = QueueModel(self)
        self.queue_list = QListView()
        self.queue_list.setObjectName("QueueList")
        self.queue_list.setModel(self.queue_model)
        self.queue_list.setItemDelegate(
            CardDelegate(self.queue_list, CardStyle(card=False, lead=30, padding=8))
        )
        self.queue_list.setAccessibleName("Requests waiting for the network")
        qrow = QHBoxLayout()
        qrow.addWidget(self.queue_list, 1)
        self.retry_button = button(
            "Retry now", icon="refresh", tooltip="Check the network and send the waiting requests"
        )
        self.retry_button.clicked.connect(self.retry_queue)
        qrow.addWidget(self.retry_button, 0, Qt.AlignmentFlag.AlignVCenter)
        self.remove_queued = button(
            "Remove",
            variant="ghost",
            icon="trash",
            tooltip="Remove the selected request from the queue",
        )
        self.remove_queued.clicked.connect(self._remove_queued)
        qrow.addWidget(self.remove_queued, 0, Qt.AlignmentFlag.AlignVCenter)
        self.queue_box = QWidget()
        self.queue_box.setLayout(qrow)
        qrow.setContentsMargins(0, 0, 0, 0)
        col.addWidget(self.queue_box)

        self.results = QWidget()
        self.results.setObjectName("Page")
        self.results_layout = QVBoxLayout(self.results)
        self.results_layout.setContentsMargins(0, 0, 6, 0)
        self.results_layout.setSpacing(12)
        self.empty = self._build_empty()
        self.results_layout.addWidget(self.empty)
        self.results_layout.addStretch(1)
        self.results_scroll = QScrollArea()
        self.results_scroll.setWidgetResizable(True)
        self.results_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.results_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.results_scroll.setWidget(self.results)
        col.addWidget(self.results_scroll, 1)
        return panel

    # -- the brief ----------------------------------------------------------------------

    def content_type_id(self) -> str:
        return str(self.content_type.currentData())

    def brief(self) -> Brief:
        facts = tuple(
            line.strip() for line in self.facts.toPlainText().splitlines() if line.strip()
        )
        return Brief(
            content_type=self.content_type_id(),
            product=self.product.text().strip(),
            audience=self.audience.text().strip(),
            offer=self.offer.text().strip(),
            tone=self.tone.currentText().strip(),
            language=str(self.language.currentData()),
            key_facts=facts,
            claims=tuple(c for c in parse_claims(self.claims.toPlainText()) if c.text),
            variants=self.variants.value(),
            call_to_action=self.cta.text().strip(),
            pain=self.pain.text().strip(),
        )

    def set_brief(self, brief: Brief) -> None:
        index = self.content_type.findData(brief.content_type)
        if index >= 0:
            self.content_type.setCurrentIndex(index)
        self.product.setText(brief.product)
        self.audience.setText(brief.audience)
        self.offer.setText(brief.offer)
        self.pain.setText(brief.pain)
        self.tone.setCurrentText(brief.tone or TONES[0])
        lang = self.language.findData(brief.language)
        self.language.setCurrentIndex(max(lang, 0))
        self.facts.setPlainText("\n".join(brief.key_facts))
        self.claims.setPlainText(claims_text(brief.claims))
        self.variants.setValue(brief.variants)
        self.cta.setText(brief.call_to_action)

    def _restore_brief(self) -> None:
        try:
            brief = self.service.last_brief()
        except Exception:  # an unreadable old brief must not keep the studio closed
            log.exception("could not restore the last brief")
            return
        if brief is not None:
            self.set_brief(brief)

    def _on_type_changed(self, _index: int) -> None:
        if (
            self.generation is not None
            and self.generation.content_type.id != self.content_type_id()
        ):
            self.status_text.setText(
                "The content type changed: Generate writes new variants for it. The earlier "
                "ones stay in History."
            )

    # -- providers ----------------------------------------------------------------------

    def refresh_providers(self) -> None:
        current = self.provider.currentData()
        self.provider.blockSignals(True)
        self.provider.clear()
        self.provider.addItem("No model — template drafts (offline)", OFFLINE)
        self.provider.setItemData(
            0,
            "Proven copy formulas (AIDA, PAS, FAB, 4U) filled from "
            "your brief and brand kit; no network.",
            Qt.ItemDataRole.ToolTipRole,
        )
        configured = self.service.providers()
        for config in configured:
            where = "this computer" if config.is_local else "online"
            self.provider.addItem(f"{config.name} · {config.model} ({where})", config.name)
        names = {c.base_url for c in configured}
        for found in self._found_local:
            if found.base_url not in names:
                self.provider.addItem(
                    f"{found.name} · {found.model} (found on this computer)", f"found:{found.name}"
                )
        index = self.provider.findData(current)
        self.provider.setCurrentIndex(max(index, 0))
        self.provider.blockSignals(False)
        self.prompt.clear()
        for name in self.service.prompt_templates():
            self.prompt.addItem(name if name != BUILT_IN_PROMPT else "Built-in prompt", name)

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        if not self._discovered:
            self._discovered = True
            self.discover_local()

    def discover_local(self, done: Callable[[list[ProviderConfig]], None] | None = None) -> None:
        """Look for local model servers (loopback only) and offer them as models."""
        # Imported here, on the GUI thread: httpx half-imported by a worker thread while
        # the openai package looks it up in sys.modules breaks the openai client.
        import desktop.integrations.providers.discovery  # noqa: F401

        async def work() -> list[ProviderConfig]:
            servers = await self.service.discover_local()
            from desktop.integrations.providers.capabilities import PROFILE_LABELS

            return [
                ProviderConfig(
                    f"{PROFILE_LABELS.get(s.profile, s.profile)} (local)",
                    s.base_url,
                    s.models[0],
                    s.profile,
                    needs_key=False,
                )
                for s in servers
                if s.models
            ]

        def found(configs: list[ProviderConfig]) -> None:
            self._found_local = configs
            self.refresh_providers()
            if done is not None:
                done(configs)

        self.runner.run_async(
            "Looking for local AI servers",
            work,
            owner=self,
            on_done=found,
            on_error=lambda _d, _e: found([]),
        )

    def _provider_name(self) -> str:
        data = str(self.provider.currentData())
        if data.startswith("found:"):
            name = data.removeprefix("found:")
            config = next(c for c in self._found_local if c.name == name)
            self.service.save_provider(config)
            self.refresh_providers()
            self.provider.setCurrentIndex(self.provider.findData(name))
            return name
        return data

    # -- generating ---------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return self._task is not None and not self._task.finished

    def generate(self, *, bypass_cache: bool = False) -> None:
        if self.busy:
            return
        brief = self.brief()
        problems = brief.problems()
        if problems:
            self.brief_error.setText("\n".join(problems))
            self.brief_error.setVisible(True)
            if not brief.product:
                self.product.setFocus()
            return
        self.brief_error.setVisible(False)
        provider = self._provider_name()
        template = str(self.prompt.currentData() or BUILT_IN_PROMPT)
        ct = self.service.content_type(brief.content_type)
        self._start(
            _Target("all"),
            f"Writing {brief.variants} {ct.label} variant"
            f"{'s' if brief.variants != 1 else ''}"
            + (" from copy formulas" if provider == OFFLINE else f" with {provider}"),
            "copy formulas" if provider == OFFLINE else provider,
        )
        # Cards are built now, while the request travels: the first token only sets text.
        if ct is not self._card_type or len(self.cards) != brief.variants:
            self._set_cards(ct, brief.variants)
            for card in self.cards:
                card.set_streaming({}, "Waiting for the first words…")
            self._relayout()
        run_id = self._run_id
        if provider == OFFLINE:
            self._task = self.runner.run(
                "Writing template drafts",
                lambda: self.service.generate_template(brief),
                owner=self,
                on_done=lambda g: self._on_generated(run_id, g),
                on_error=lambda d, e: self._on_failed(run_id, e),
            )
            return
        self._run_async(
            f"Writing with {provider}",
            lambda: self.service.generate(
                brief,
                provider,
                on_event=lambda ev: self._bridge.streamed.emit(run_id, ev),
                bypass_cache=bypass_cache,
                template=template,
            ),
            lambda g: self._on_generated(run_id, g),
        )

    def regenerate_variant(self, index: int) -> None:
        if self.busy or self.generation is None or not 0 <= index < len(self.shown):
            return
        gen = self.generation
        others = [v.variant for i, v in enumerate(self.shown) if i != index]
        self._start(_Target("variant", index), f"Writing variant {index + 1} again", gen.provider)
        run_id = self._run_id
        self._run_async(
            f"Writing variant {index + 1} again",
            lambda: self.service.regenerate_variant(
                gen.brief,
                gen.provider,
                others,
                on_event=lambda ev: self._bridge.streamed.emit(run_id, ev),
            ),
            lambda shown: self._on_regenerated(run_id, index, shown),
        )

    def regenerate_field(self, index: int, field_name: str) -> None:
        if self.busy or self.generation is None or not 0 <= index < len(self.shown):
            return
        gen = self.generation
        card = self.cards[index]
        card.flush_edit()
        variant = self.shown[index].variant
        spec = gen.content_type.field(field_name)
        self._start(
            _Target("field", index, field_name),
            f"Writing the {spec.label.lower()} of variant {index + 1} again",
            gen.provider,
        )
        run_id = self._run_id
        self._run_async(
            "Writing a field again",
            lambda: self.service.regenerate_field(
                gen.brief,
                gen.provider,
                variant,
                field_name,
                on_event=lambda ev: self._bridge.streamed.emit(run_id, ev),
            ),
            lambda shown: self._on_regenerated(run_id, index, shown),
        )

    def _run_async(
        self,
        description: str,
        make: Callable[[], Coroutine[Any, Any, T]],
        on_done: Callable[[T], None],
    ) -> None:
        handle = _AsyncHandle()
        run_id = self._run_id

        async def run() -> T:
            handle.loop = asyncio.get_running_loop()
            handle.task = asyncio.current_task()
            if handle.cancelled:
                raise asyncio.CancelledError
            return await make()

        self._handle = handle
        self._task = self.runner.run_async(
            description,
            run,
            owner=self,
            on_done=on_done,
            on_error=lambda _d, exc: self._on_failed(run_id, exc),
        )

    def _start(self, target: _Target, text: str, source: str = "") -> None:
        self._run_id += 1
        self._target = target
        self._first_shown = False
        self._writing_label = f"Writing with {source}…" if source else "Writing…"
        self.banner.setVisible(False)
        self.generate_button.setEnabled(False)
        self.cancel_button.setVisible(True)
        self.progress.setVisible(True)
        self.undo_button.setVisible(False)
        self.status_text.setText(f"{text}… (Esc cancels)")
        if target.kind == "all" and self.cards:
            for card in self.cards:
                card.set_streaming({}, "Waiting…")

    def _finish(self) -> None:
        self._task = None
        self._handle = None
        self.generate_button.setEnabled(True)
        self.cancel_button.setVisible(False)
        self.progress.setVisible(False)
        self.generation_finished.emit()

    def cancel(self) -> None:
        """Stop the running generation; the brief and the earlier variants stay."""
        if not self.busy:
            return
        if self._handle is not None:
            self._handle.cancel()
        if self._task is not None:
            self._task.cancel()
        self._run_id += 1  # late events of the cancelled run are ignored
        self._restore()
        self.status_text.setText("Cancelled. Your brief and the earlier variants are kept.")
        self._finish()

    def _on_event(self, run_id: int, event: GenerationEvent) -> None:
        if run_id != self._run_id:
            return
        if isinstance(event, Retrying):
            self.status_text.setText(f"{event.reason} Asking again (try {event.attempt})…")
            return
        if not isinstance(event, Streaming) or not event.variants:
            return
        target = self._target
        ct = (
            self.generation.content_type
            if (target.kind != "all" and self.generation is not None)
            else self.service.content_type(self.content_type_id())
        )
        if target.kind == "all":
            if self._card_type is not ct:
                self._set_cards(ct, 0)
            added = False
            for i, fields in enumerate(event.variants):
                if i >= len(self.cards):
                    self._add_card(ct)
                    added = True
                self.cards[i].set_streaming(fields, self._writing_label)
            if added:
                self._relayout()
        elif target.kind == "variant":
            self.cards[target.index].set_streaming(event.variants[0], self._writing_label)
        else:
            items = event.variants[0].get(target.field, ())
            self.cards[target.index].set_field_streaming(target.field, items)
        if not self._first_shown and any(
            item for v in event.variants for items in v.values() for item in items
        ):
            self._first_shown = True
            self.first_text_shown.emit()

    def _on_generated(self, run_id: int, generation: Generation) -> None:
        if run_id != self._run_id:
            return
        self.generation = generation
        self.shown = list(generation.variants)
        self._undo.clear()
        self._show_all()
        n = len(self.shown)
        how = (
            "template drafts from copy formulas"
            if generation.provider == OFFLINE
            else f"{generation.provider} · {generation.model}"
        )
        extra = []
        if generation.cached:
            extra.append("answered from the cache (Ctrl+Shift+Enter writes fresh copy)")
        elif generation.latency_ms is not None:
            extra.append(f"{generation.latency_ms / 1000:.1f} s")
        if generation.prompt_tokens or generation.completion_tokens:
            extra.append(f"{generation.prompt_tokens + generation.completion_tokens} tokens")
        if generation.cost_usd:
            extra.append(f"≈ ${generation.cost_usd:.4f}")
        errors = sum(1 for v in self.shown if v.report.errors)
        checks = (
            f"{errors} with errors to fix before export"
            if errors
            else "all pass the channel's hard limits"
        )
        self.status_text.setText(
            f"{n} variant{'s' if n != 1 else ''} · {how}"
            + (f" · {', '.join(extra)}" if extra else "")
            + f" · {checks}."
        )
        self._finish()

    def _on_regenerated(self, run_id: int, index: int, shown: ShownVariant) -> None:
        if run_id != self._run_id or index >= len(self.shown):
            return
        self.shown[index] = shown
        self.cards[index].show_variant(shown.variant, shown.report, shown.favourite)
        self.status_text.setText(f"Variant {index + 1} was written again.")
        self._finish()

    def _on_failed(self, run_id: int, exc: BaseException) -> None:
        if run_id != self._run_id:
            return
        self._restore()
        if isinstance(exc, RequestQueued):
            self._show_banner(exc.user_message, info=True)
            self.status_text.setText("Waiting for the network. You can keep working.")
            self.refresh_queue()
        else:
            self._show_banner(
                user_message(exc) + "\n\nYour brief and the earlier variants are kept."
            )
            self.status_text.setText("The last request did not work — the message below says why.")
        self._finish()

    def _restore(self) -> None:
        """Put back what was on screen before the run."""
        if self._target.kind == "all":
            self._show_all()
        elif 0 <= self._target.index < len(self.shown):
            s = self.shown[self._target.index]
            self.cards[self._target.index].show_variant(s.variant, s.report, s.favourite)

    def _show_banner(self, text: str, *, info: bool = False) -> None:
        self.banner_text.setText(text)
        theme.set_state(self.banner, "tone", "info" if info else "error")
        self.banner.setVisible(True)

    # -- the variants on screen ---------------------------------------------------------

    def _build_empty(self) -> EmptyState:
        return EmptyState(
            "studio",
            "Write your first variants",
            "Fill in the brief and press Generate (Ctrl+Enter). With no model set up, "
            "Playbook writes template drafts from proven copy formulas — fully offline.",
            points=(
                "Every field is counted the way its channel counts it, live as you edit",
                "Quality checks: limits, Google editorial rules, claims that need evidence, "
                "spam words, readability, personal data",
                "Export a CSV for Google Ads Editor, or Markdown for everything else",
            ),
        )

    def _clear_cards(self) -> None:
        for card in self.cards:
            self.results_layout.removeWidget(card)
            card.hide()
            card.setParent(None)
            card.deleteLater()
        self.cards = []

    def _show_empty(self) -> None:
        self._clear_cards()
        self._card_type = None
        self.empty.setVisible(True)

    def _set_cards(self, ct: ContentType, count: int) -> None:
        self._clear_cards()
        self._card_type = ct
        self.empty.setVisible(False)
        for _ in range(count):
            self._add_card(ct)

    def _add_card(self, ct: ContentType) -> VariantCard:
        index = len(self.cards)
        card = VariantCard(index + 1, ct)
        card.changed.connect(lambda v, c=card: self._on_edited(c, v))
        card.favourite_toggled.connect(lambda on, c=card: self._on_favourite(c, on))
        card.copy_requested.connect(lambda c=card: self.copy_variant(self.cards.index(c)))
        card.regenerate_requested.connect(
            lambda c=card: self.regenerate_variant(self.cards.index(c))
        )
        card.field_regenerate_requested.connect(
            lambda name, c=card: self.regenerate_field(self.cards.index(c), name)
        )
        card.fix_requested.connect(lambda f, c=card: self.apply_fix(self.cards.index(c), f))
        self.cards.append(card)
        # Before the trailing stretch.
        self.results_layout.insertWidget(max(self.results_layout.count() - 1, 0), card)
        return card

    def _show_all(self) -> None:
        if not self.shown:
            if self.generation is None:
                self._show_empty()
            return
        ct = self.shown_type()
        if self._card_type is not ct or len(self.cards) != len(self.shown):
            self._set_cards(ct, len(self.shown))
        for card, s in zip(self.cards, self.shown, strict=True):
            card.show_variant(s.variant, s.report, s.favourite)
        self._relayout()

    def _relayout(self) -> None:
        """Size the cards now, not a few event-loop turns later (no squashed frame)."""
        self.results_layout.activate()
        self.results_scroll.setWidgetResizable(True)

    def shown_type(self) -> ContentType:
        assert self.generation is not None
        return self.generation.content_type

    def _others(self, index: int) -> list[Variant]:
        return [s.variant for s in self.shown[:index]]

    def _on_edited(self, card: VariantCard, variant: Variant) -> None:
        if self.generation is None or card not in self.cards:
            return
        index = self.cards.index(card)
        gen = self.generation
        shown = self.service.edit_variant(
            self.shown[index], variant, gen.content_type, gen.brief, self._others(index)
        )
        self.shown[index] = shown
        card.show_report(shown.report)

    def _on_favourite(self, card: VariantCard, on: bool) -> None:
        if card not in self.cards:
            return
        index = self.cards.index(card)
        self.shown[index] = self.service.set_favourite(self.shown[index], on)
        self.message.emit(f"Variant {index + 1} {'added to' if on else 'removed from'} favourites.")

    def apply_fix(self, index: int, finding: Finding) -> None:
        if self.generation is None or not 0 <= index < len(self.shown):
            return
        gen = self.generation
        self.cards[index].flush_edit()
        before = self.shown[index]
        after = self.service.apply_fix(
            before, finding, gen.content_type, gen.brief, self._others(index)
        )
        self._undo.append((index, before))
        self.shown[index] = after
        self.cards[index].show_variant(after.variant, after.report, after.favourite)
        self.status_text.setText(f"Fix applied to variant {index + 1}: {finding.message}")
        self.undo_button.setVisible(True)

    def undo(self) -> None:
        """Undo the last applied fix."""
        if not self._undo or self.generation is None:
            return
        index, before = self._undo.pop()
        gen = self.generation
        restored = self.service.edit_variant(
            self.shown[index], before.variant, gen.content_type, gen.brief, self._others(index)
        )
        self.shown[index] = restored
        self.cards[index].show_variant(restored.variant, restored.report, restored.favourite)
        self.status_text.setText(f"Undone: variant {index + 1} is back as it was.")
        self.undo_button.setVisible(bool(self._undo))

    def copy_variant(self, index: int) -> str:
        if self.generation is None or not 0 <= index < len(self.shown):
            return ""
        self.cards[index].flush_edit()
        text = self.service.copy_text(self.generation.content_type, self.shown[index].variant)
        QGuiApplication.clipboard().setText(text)
        self.message.emit(f"Variant {index + 1} copied.")
        self.status_text.setText(f"Variant {index + 1} copied to the clipboard.")
        return text

    # -- export, history, dialogs -------------------------------------------------------

    def export(self) -> None:
        if self.generation is None or not self.shown:
            self._show_banner(
                "There is nothing to export yet: generate some variants first.", info=True
            )
            return
        gen = self.generation
        for card in self.cards:
            card.flush_edit()
        csv = gen.content_type.export == "google-ads-csv"
        slug = re.sub(r"[^a-z0-9]+", "-", gen.brief.product.lower()).strip("-") or "copy"
        name = f"{slug}-{gen.content_type.id}.{'csv' if csv else 'md'}"
        path = self.choose_export_path(
            name, "CSV for Google Ads Editor (*.csv)" if csv else "Markdown (*.md)"
        )
        if path is not None:
            self.export_to(path)

    def export_to(self, path: Path) -> bool:
        if self.generation is None:
            return False
        gen = self.generation
        try:
            self.service.export(gen.content_type, gen.brief, self.shown, path)
        except Exception as exc:
            message = getattr(exc, "user_message", None)
            if message is None and not isinstance(exc, OSError):
                raise
            self._show_banner(message or f"The file could not be written: {exc}")
            return False
        self.status_text.setText(f"Exported {len(self.shown)} variants to {path}.")
        self.message.emit(f"Exported to {path.name}.")
        return True

    def _ask_export_path(self, name: str, filter_text: str) -> Path | None:
        chosen, _ = QFileDialog.getSaveFileName(
            self, "Export variants", str(Path.home() / name), filter_text
        )
        return Path(chosen) if chosen else None

    def edit_brand_kit(self) -> BrandKitDialog:
        dialog = BrandKitDialog(self.service.brand_kit(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

        def save() -> None:
            self.service.save_brand_kit(dialog.kit())
            self.status_text.setText(
                "Brand kit saved: it applies to the next generation and to every check."
            )
            self._recheck()

        dialog.accepted.connect(save)
        dialog.open()
        return dialog

    def _recheck(self) -> None:
        if self.generation is None or not self.shown:
            return
        gen = self.generation
        reports = self.service.check(gen.content_type, gen.brief, [s.variant for s in self.shown])
        self.shown = [replace(s, report=r) for s, r in zip(self.shown, reports, strict=True)]
        for card, s in zip(self.cards, self.shown, strict=True):
            card.show_report(s.report)

    def edit_providers(self) -> ProvidersDialog:
        dialog = ProvidersDialog(self.service, self.discover_local, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.changed.connect(self.refresh_providers)
        dialog.changed.connect(self.providers_changed)
        dialog.open()
        return dialog

    def show_history(self) -> HistoryDialog:
        dialog = HistoryDialog(self.service.history(), self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.open_requested.connect(lambda entry: self.open_generation(entry.id))
        dialog.open()
        return dialog

    def open_generation(self, generation_id: Any) -> None:
        generation = self.service.open_generation(generation_id)
        self.generation = generation
        self.shown = list(generation.variants)
        self.set_brief(generation.brief)
        self._show_all()
        self.status_text.setText(
            f"Opened from history: {len(self.shown)} variants · {generation.provider}."
        )

    # -- the offline queue --------------------------------------------------------------

    def refresh_queue(self) -> None:
        items = self.service.queued()
        self.queue_model.set_rows(items)
        self.queue_box.setVisible(bool(items))
        if items:
            rows = min(len(items), 3)
            self.queue_list.setFixedHeight(
                sum(self.queue_list.sizeHintForRow(r) for r in range(rows)) + 6
            )
            if not self._queue_timer.isActive():
                self._queue_timer.start()
        else:
            self._queue_timer.stop()

    def retry_queue(self) -> None:
        if self.busy or not self.service.queued():
            return

        def done(generations: list[Generation]) -> None:
            self.refresh_queue()
            if generations:
                self._target = _Target("all")
                self._on_generated(self._run_id, generations[-1])
                self.message.emit(f"{len(generations)} queued request(s) ran.")

        self.runner.run_async(
            "Sending queued requests",
            self.service.run_queue,
            owner=self,
            on_done=done,
            on_error=lambda _d, e: self.refresh_queue(),
        )

    def _remove_queued(self) -> None:
        row = self.queue_model.row_at(self.queue_list.currentIndex().row())
        if row is None and self.queue_model.rowCount():
            row = self.queue_model.row_at(0)
        if row is not None:
            self.service.cancel_queued(row.id)
            self.refresh_queue()
