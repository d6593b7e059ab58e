"""Search results across every course; a result opens its lesson at the slide."""

from __future__ import annotations

from PySide6.QtCore import QModelIndex, Signal
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.services.container import Services
from desktop.ui.models.base import Role, SlideRef
from desktop.ui.models.search import SearchResultsModel
from desktop.ui.widgets.common import EmptyState, PageHeader, centred
from desktop.ui.widgets.delegates import CardList, CardStyle

RESULT_LIMIT = 50
SEARCH_HELP = (
    "Find a slide by any word in it — titles, text and quiz questions. "
    "A result opens its lesson at that slide."
)


class SearchView(QWidget):
    open_requested = Signal(object)  # SlideRef

    def __init__(self, services: Services, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("Page")
        self._services = services
        self.query = ""
        root = QVBoxLayout(self)
        root.setContentsMargins(36, 32, 36, 20)
        root.setSpacing(18)
        self.header = PageHeader("Search", "Type in the search box to search every course.")
        root.addWidget(self.header)

        self.model = SearchResultsModel(self)
        self.view = CardList(CardStyle(card=True, padding=16, lead=36, gap=10, subtitle_lines=1))
        self.view.setObjectName("SearchResults")
        self.view.setModel(self.model)
        self.view.setAccessibleName("Search results")
        self.view.open_index.connect(self._open_index)
        root.addWidget(self.view, 1)

        self.empty = EmptyState(
            "search",
            "Search every course",
            SEARCH_HELP,
        )
        root.addLayout(centred(self.empty, 720))
        root.addStretch(0)  # takes the space only while the results list is hidden
        self._show_empty(True)

    def search(self, text: str) -> int:
        """Run ``text`` against the index and show the hits; returns how many."""
        self.query = text.strip()
        hits = self._services.search.search(self.query, limit=RESULT_LIMIT) if self.query else []
        self.model.set_rows(hits)
        if not self.query:
            self.header.set_subtitle("Type in the search box to search every course.")
            self.empty.title.setText("Search every course")
            self.empty.body.setText(SEARCH_HELP)
        elif not hits:
            self.header.set_subtitle(f"No results for “{self.query}”")
            self.empty.title.setText("No slides match")
            self.empty.body.setText(
                "Check the spelling, or try fewer or shorter words — “segment” finds “segments”."
            )
        else:
            more = " (showing the best)" if len(hits) >= RESULT_LIMIT else ""
            self.header.set_subtitle(
                f"{len(hits)} result{'s' if len(hits) != 1 else ''} for “{self.query}”{more}"
            )
            self.view.setCurrentIndex(self.model.index(0, 0))
        self._show_empty(not hits)
        return len(hits)

    def open_first(self) -> bool:
        """Open the top result (Enter in the search box)."""
        if self.model.rowCount() == 0:
            return False
        self._open_index(self.model.index(0, 0))
        return True

    def _show_empty(self, empty: bool) -> None:
        self.empty.setVisible(empty)
        self.view.setVisible(not empty)

    def _open_index(self, index: QModelIndex) -> None:
        ref = index.data(Role.REF)
        if isinstance(ref, SlideRef):
            self.open_requested.emit(ref)
