"""Sections a later release fills. They say what they will do; nothing pretends to work."""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.ui.widgets.common import EmptyState, PageHeader, centred


@dataclass(frozen=True, slots=True)
class ComingSection:
    title: str
    subtitle: str
    icon: str
    headline: str
    body: str
    points: tuple[str, ...]


CONTENT_STUDIO = ComingSection(
    "Content Studio",
    "Ads, emails and social posts in your brand's voice.",
    "studio",
    "Content Studio — generate ads, emails and posts",
    "Write campaign copy with an AI model of your choice, or with none at all: built-in copy "
    "formulas fill in your brand kit and product facts offline. This arrives in a later version.",
    (
        "Ads, emails and social posts from AIDA, PAS, FAB and other proven formulas",
        "Every field checked against the channel's limits before you export it",
        "Works with OpenAI, Azure, Ollama or LM Studio — or fully offline",
    ),
)

POLICIES = ComingSection(
    "Policies",
    "Sales policies written from a questionnaire, reviewed, and exported as PDF.",
    "policies",
    "Policies — write and export sales policies",
    "Answer a short questionnaire and Playbook drafts a sales policy from a template, with "
    "the rules of your jurisdiction built in. This arrives in a later version.",
    (
        "Drafts go through review: draft, in review, changes requested, approved",
        "Every version kept and comparable side by side",
        "Export a finished policy as a PDF",
    ),
)

TEMPLATES = ComingSection(
    "Templates",
    "Content and policy templates shared with your team.",
    "templates",
    "Templates — share what works with your team",
    "Keep your team's best content and policy templates in one place, synced when you are "
    "online. This arrives in a later version.",
    (
        "See who edited what, and restore any earlier revision",
        "Conflicting edits are shown side by side — no text is ever lost",
        "Works offline; changes sync when you are back online",
    ),
)


class ComingSoonView(QWidget):
    def __init__(self, section: ComingSection, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self.section = section
        root = QVBoxLayout(self)
        root.setContentsMargins(36, 32, 36, 32)
        root.setSpacing(24)
        root.addWidget(PageHeader(section.title, section.subtitle))
        self.empty = EmptyState(
            section.icon,
            section.headline,
            section.body,
            points=section.points,
            tag="Coming in a later version",
        )
        root.addLayout(centred(self.empty, 720))
        root.addStretch(1)
