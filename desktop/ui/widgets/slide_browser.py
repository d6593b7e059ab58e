"""``SlideBrowser``: shows a slide's HTML and never reaches outside its course folder.

Course files come from anyone (a colleague's folder, a download), so the browser is the
last line of defence after the renderer's sanitiser:

* ``loadResource`` answers only for files inside the course folder; every other scheme
  (http, https, ftp, data, qrc...) and every path outside the folder gets nothing, and is
  recorded in ``refused`` (the tests check it).
* Links are never followed by Qt. A click on an http(s)/mailto/tel link asks the system
  browser through ``open_external`` (QDesktopServices); a click on a Markdown file of the
  course is reported as ``internal_link`` so the player can open that lesson.
"""

from __future__ import annotations

import logging
import math
from collections.abc import Callable
from pathlib import Path
from typing import Any

from PySide6.QtCore import QByteArray, QSize, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QDesktopServices, QImageReader, QResizeEvent, QTextDocument
from PySide6.QtWidgets import QFrame, QSizePolicy, QTextBrowser, QWidget

from desktop.ui import theme

log = logging.getLogger(__name__)

EXTERNAL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
MAX_IMAGE_BYTES = 8 * 1024 * 1024


def lesson_css(point_size: int) -> str:
    """The lesson stylesheet for a reading size: serif body with generous leading, sans
    headings scaled from the body size (Qt's rich text knows pt and px, not em)."""
    p = theme.PALETTE
    lead = max(4, round(point_size * 0.45))  # px added between lines
    headings = ", ".join(f"'{family}'" for family in theme.UI_FAMILIES)
    mono = "'DejaVu Sans Mono', 'Menlo', 'Consolas', monospace"
    return f"""
h1, h2, h3, h4 {{ font-family: {headings}; color: {p["text"]}; font-weight: 700; }}
h1 {{ font-size: {round(point_size * 1.6)}pt; margin-top: 0px; margin-bottom: 14px; }}
h2 {{ font-size: {round(point_size * 1.3)}pt; margin-top: 18px; margin-bottom: 8px; }}
h3 {{ font-size: {round(point_size * 1.1)}pt; margin-top: 14px; margin-bottom: 6px; }}
h4 {{ font-size: {point_size}pt; margin-top: 12px; margin-bottom: 4px; }}
p {{ margin-top: 0px; margin-bottom: 14px; line-height: {lead}px;
     -qt-line-height-type: line-distance; }}
li {{ margin-bottom: 6px; line-height: {lead}px; -qt-line-height-type: line-distance; }}
ul, ol {{ margin-top: 0px; margin-bottom: 14px; }}
a {{ color: {p["accent"]}; text-decoration: underline; }}
code {{ font-family: {mono}; background-color: #F2F4F7; color: #B42318; }}
pre {{ font-family: {mono}; background-color: #F2F4F7; margin-bottom: 14px; }}
blockquote {{ color: {p["text-muted"]}; margin-left: 16px; margin-right: 16px;
              font-style: italic; }}
table {{ margin-bottom: 14px; border-collapse: collapse; }}
th {{ background-color: {p["surface-alt"]}; font-family: {headings}; font-weight: 600;
      font-size: {max(9, point_size - 3)}pt; padding: 8px; border: 1px solid {p["border"]}; }}
td {{ font-size: {max(9, point_size - 2)}pt; padding: 8px; border: 1px solid {p["border"]}; }}
"""


class SlideBrowser(QTextBrowser):
    """Read-only rich text for one slide. Grows to its content; the page scrolls."""

    internal_link = Signal(object)  # Path of a file inside the course the learner clicked
    external_link = Signal(QUrl)  # a web link handed to the system browser

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("SlideBrowser")
        self._root: Path | None = None
        self._base: Path | None = None
        self.refused: list[QUrl] = []
        # Replaced by tests; the default hands a link to the user's browser.
        self.open_external: Callable[[QUrl], bool] = QDesktopServices.openUrl
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.anchorClicked.connect(self._on_anchor)
        self.setFrameShape(QFrame.Shape.NoFrame)
        self.setVerticalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self._html = ""
        self._point_size = 15
        self._image_width = 0  # the width images were last scaled to
        self.document().setDefaultStyleSheet(lesson_css(self._point_size))
        self.document().setDocumentMargin(2)
        layout = self.document().documentLayout()
        layout.documentSizeChanged.connect(self._fit_height)

    # -- content ----------------------------------------------------------------------

    def set_course_root(self, root: Path | None, base: Path | None = None) -> None:
        """Allow resources only inside ``root``; resolve relative names against ``base``
        (the lesson file's folder), which must itself be inside ``root``."""
        self._root = root.resolve() if root is not None else None
        resolved_base = base.resolve() if base is not None else self._root
        if (
            self._root is not None
            and resolved_base is not None
            and not _inside(resolved_base, self._root)
        ):
            resolved_base = self._root
        self._base = resolved_base

    def show_html(self, html: str) -> None:
        self._html = html
        self.refused.clear()
        self._image_width = self._max_image_width()
        # Rebuild the document so resources cached for the previous slide are dropped.
        self.document().clear()
        self.document().setDefaultStyleSheet(lesson_css(self._point_size))
        self.setHtml(html)
        self.verticalScrollBar().setValue(0)
        self._fit_height()

    def set_reading_font_size(self, point_size: int) -> None:
        self._point_size = point_size
        font = theme.reading_font(point_size)
        self.setFont(font)
        self.document().setDefaultFont(font)
        if self._html:
            self.show_html(self._html)  # headings are sized from the body size
        self._fit_height()

    def _max_image_width(self) -> int:
        # Not ``self.viewport()``: see ``viewport_width`` (no scroll bars here, ever).
        return max(120, self.maximumViewportSize().width() - 8)

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        # Images were scaled to the old width: lay them out again for the new one.
        if "<img" in self._html and abs(self._max_image_width() - self._image_width) > 16:
            QTimer.singleShot(0, self._reflow_images)

    def _reflow_images(self) -> None:
        if "<img" in self._html and abs(self._max_image_width() - self._image_width) > 16:
            value = self.verticalScrollBar().value()
            self.show_html(self._html)
            self.verticalScrollBar().setValue(value)

    # -- safety -----------------------------------------------------------------------

    def local_path(self, url: QUrl) -> Path | None:
        """The file inside the course that ``url`` names, or None when it is not allowed."""
        if self._root is None:
            return None
        scheme = url.scheme().lower()
        if scheme == "file":
            if url.host():
                return None  # file://server/share: a network fetch in disguise
            raw = Path(url.toLocalFile())
        elif scheme == "":
            text = url.path()
            if not text:
                return None
            raw = Path(text)
            if not raw.is_absolute():
                raw = (self._base or self._root) / raw
        else:
            return None
        try:
            resolved = raw.resolve()
        except (OSError, RuntimeError):
            return None
        return resolved if _inside(resolved, self._root) else None

    def loadResource(self, type: int, name: QUrl | str) -> Any:
        name = QUrl(name)
        path = self.local_path(name)
        if path is None or not path.is_file():
            self.refused.append(QUrl(name))
            log.info("slide resource refused: %s", name.toDisplayString())
            return None
        if type == QTextDocument.ResourceType.ImageResource:
            try:
                if path.stat().st_size > MAX_IMAGE_BYTES:
                    self.refused.append(QUrl(name))
                    return None
            except OSError:
                return None
            reader = QImageReader(str(path))
            natural = reader.size()
            limit = self._image_width or self._max_image_width()
            if natural.isValid() and natural.width() > limit:
                # Scale while decoding so SVGs stay crisp and big photos stay cheap.
                reader.setScaledSize(
                    natural.scaled(limit, 10_000, Qt.AspectRatioMode.KeepAspectRatio)
                )
            image = reader.read()
            if image.isNull():
                self.refused.append(QUrl(name))
                return None
            return image
        if type in (
            QTextDocument.ResourceType.StyleSheetResource,
            QTextDocument.ResourceType.HtmlResource,
        ):
            try:
                return QByteArray(path.read_bytes()[:MAX_IMAGE_BYTES])
            except OSError:
                return None
        self.refused.append(QUrl(name))
        return None

    def _on_anchor(self, url: QUrl) -> None:
        scheme = url.scheme().lower()
        if scheme in EXTERNAL_SCHEMES:
            self.external_link.emit(url)
            self.open_external(url)
            return
        if scheme == "" and url.hasFragment() and not url.path():
            self.scrollToAnchor(url.fragment())
            return
        path = self.local_path(url)
        if path is not None:
            self.internal_link.emit(path)
            return
        self.refused.append(QUrl(url))

    # -- sizing -----------------------------------------------------------------------

    def _fit_height(self, *_: object) -> None:
        height = math.ceil(self.document().size().height()) + 2 * self.frameWidth() + 4
        if self.height() != height:
            self.setFixedHeight(max(height, 24))

    def sizeHint(self) -> QSize:
        return QSize(640, max(24, math.ceil(self.document().size().height()) + 4))


def _inside(path: Path, root: Path) -> bool:
    try:
        path.relative_to(root)
    except ValueError:
        return False
    return True
