"""``CardDelegate``: paints a list row as a card from the shared model roles.

Each list in Playbook (courses, activity, bookmarks, search results, folders) answers the
roles in ``desktop.ui.models.base.Role``; this one delegate turns them into a row with an
icon or progress ring, a title with an optional badge, a muted subtitle, small text on
the right, and optional detail lines (plain, or rich for search snippets).
"""

from __future__ import annotations

from dataclasses import dataclass

from PySide6.QtCore import (
    QModelIndex,
    QPersistentModelIndex,
    QPointF,
    QRect,
    QRectF,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QKeyEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QWidget,
)

from desktop.ui import theme
from desktop.ui.models.base import Role
from desktop.ui.widgets.common import paint_ring, viewport_width


def wrap_lines(fm: QFontMetrics, text: str, width: int, max_lines: int) -> list[str]:
    """``text`` word-wrapped to ``width``; if it needs more than ``max_lines`` lines, the
    last one ends in "…" (Qt's own wrapping would cut the last line through the middle)."""
    flat = " ".join(text.split())
    if max_lines == 1:
        return [fm.elidedText(flat, Qt.TextElideMode.ElideRight, width)]
    words = flat.split(" ")
    lines: list[str] = []
    current = ""
    for i, word in enumerate(words):
        candidate = f"{current} {word}" if current else word
        if fm.horizontalAdvance(candidate) <= width or not current:
            current = candidate
            continue
        lines.append(current)
        current = word
        if len(lines) == max_lines - 1:
            rest = " ".join([current, *words[i + 1 :]])
            lines.append(fm.elidedText(rest, Qt.TextElideMode.ElideRight, width))
            return lines
    if current:
        lines.append(fm.elidedText(current, Qt.TextElideMode.ElideRight, width))
    return lines[:max_lines] if max_lines > 0 else lines


@dataclass(frozen=True, slots=True)
class CardStyle:
    card: bool = True  # a bordered card per row; False: flat rows with a hover tint
    padding: int = 14
    gap: int = 8  # vertical space between cards
    lead: int = 40  # width of the icon badge / ring on the left
    subtitle_lines: int = 2
    title_pt: float = 11.0


class CardDelegate(QStyledItemDelegate):
    def __init__(self, view: QAbstractItemView, style: CardStyle | None = None) -> None:
        super().__init__(view)
        self._view = view
        self._style = style or CardStyle()
        self._title_font = theme.ui_font(self._style.title_pt, QFont.Weight.DemiBold)
        self._body_font = theme.ui_font(theme.UI_POINT_SIZE - 0.5)
        self._meta_font = theme.ui_font(theme.UI_POINT_SIZE - 1)
        self._badge_font = theme.ui_font(theme.UI_POINT_SIZE - 2, QFont.Weight.DemiBold)

    # -- geometry ---------------------------------------------------------------------

    def _text_width(self, total_width: int) -> int:
        s = self._style
        return max(80, total_width - 2 * s.padding - s.lead - 12 - 4)

    def _row_width(self, option: QStyleOptionViewItem) -> int:
        width = viewport_width(self._view)
        return width if width > 0 else max(option.rect.width(), 320)

    def _wrapped_height(self, font: QFont, text: str, width: int, max_lines: int = 0) -> int:
        if not text:
            return 0
        fm = QFontMetrics(font)
        rect = fm.boundingRect(QRect(0, 0, width, 10_000), int(Qt.TextFlag.TextWordWrap), text)
        height = rect.height()
        if max_lines:
            height = min(height, fm.lineSpacing() * max_lines)
        return height

    def _html_doc(self, html: str, width: int) -> QTextDocument:
        doc = QTextDocument()
        doc.setDefaultFont(self._body_font)
        doc.setDocumentMargin(0)
        doc.setDefaultStyleSheet(f"b {{ color: {theme.PALETTE['accent-text']}; }}")
        doc.setHtml(html)
        doc.setTextWidth(width)
        return doc

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        s = self._style
        width = self._row_width(option)
        text_width = self._text_width(width)
        height = QFontMetrics(self._title_font).height()
        subtitle = str(index.data(Role.SUBTITLE) or "")
        if subtitle:
            lines = wrap_lines(
                QFontMetrics(self._body_font), subtitle, text_width, s.subtitle_lines
            )
            height += 3 + len(lines) * QFontMetrics(self._body_font).lineSpacing()
        detail = str(index.data(Role.DETAIL) or "")
        if detail:
            height += 8 + self._wrapped_height(self._meta_font, detail, text_width - 8) + 8
        html = str(index.data(Role.DETAIL_HTML) or "")
        if html:
            height += 6 + round(self._html_doc(html, text_width).size().height())
        height = max(height, s.lead)
        return QSize(width, height + 2 * s.padding + (s.gap if s.card else 0))

    # -- painting ---------------------------------------------------------------------

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        s = self._style
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = QRect(option.rect)
        state = option.state
        selected = bool(state & QStyle.StateFlag.State_Selected)
        hovered = bool(state & QStyle.StateFlag.State_MouseOver)
        focused = bool(state & QStyle.StateFlag.State_HasFocus) and self._view.hasFocus()
        tone = str(index.data(Role.TONE) or "")

        if s.card:
            card = QRectF(rect.adjusted(1, s.gap // 2, -1, -s.gap // 2)).adjusted(
                0.5, 0.5, -0.5, -0.5
            )
            path = QPainterPath()
            path.addRoundedRect(card, 12, 12)
            painter.fillPath(path, theme.color("surface"))
            border = theme.color("border")
            if tone == "danger":
                border = QColor("#FECDCA")
            if hovered:
                border = theme.color("border-strong")
            if selected or focused:
                border = theme.color("accent")
            painter.setPen(QPen(border, 1.5 if (selected or focused) else 1))
            painter.drawPath(path)
            inner = card.toRect().adjusted(s.padding, s.padding, -s.padding, -s.padding)
        else:
            if selected or hovered:
                bg = theme.color("accent-soft") if selected else theme.color("surface-alt")
                path = QPainterPath()
                path.addRoundedRect(QRectF(rect.adjusted(2, 1, -2, -1)), 8, 8)
                painter.fillPath(path, bg)
            inner = rect.adjusted(s.padding, s.padding, -s.padding, -s.padding)

        # Lead: a progress ring, or an icon on a soft badge.
        percent = index.data(Role.PERCENT)
        lead = QRect(inner.left(), inner.top(), s.lead, s.lead)
        if isinstance(percent, int | float):
            paint_ring(painter, QRectF(lead), float(percent))
        else:
            icon_name = str(index.data(Role.ICON_NAME) or "")
            if icon_name:
                badge = QPainterPath()
                badge.addRoundedRect(QRectF(lead), 10, 10)
                soft = {"danger": "danger-soft", "success": "success-soft"}.get(tone, "accent-soft")
                painter.fillPath(badge, theme.color(soft))
                colour = {"danger": "danger", "success": "success"}.get(tone, "accent")
                icon_size = round(s.lead * 0.5)
                pm = theme.pixmap(icon_name, colour, icon_size)
                painter.drawPixmap(
                    QRect(
                        lead.center().x() - icon_size // 2 + 1,
                        lead.center().y() - icon_size // 2 + 1,
                        icon_size,
                        icon_size,
                    ),
                    pm,
                )

        x = inner.left() + s.lead + 12
        width = inner.right() - x
        y = inner.top()

        # Title line: title, badge, meta on the right.
        meta = str(index.data(Role.META) or "")
        meta_width = 0
        if meta:
            painter.setFont(self._meta_font)
            fm_meta = QFontMetrics(self._meta_font)
            meta_width = fm_meta.horizontalAdvance(meta) + 12
            painter.setPen(theme.color("text-subtle"))
            painter.drawText(
                QRect(
                    inner.right() - meta_width,
                    y,
                    meta_width,
                    QFontMetrics(self._title_font).height(),
                ),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                meta,
            )
        title = str(index.data(Qt.ItemDataRole.DisplayRole) or "")
        badge_text = str(index.data(Role.BADGE) or "")
        fm_title = QFontMetrics(self._title_font)
        badge_width = (
            QFontMetrics(self._badge_font).horizontalAdvance(badge_text) + 18 if badge_text else 0
        )
        title_room = max(40, width - meta_width - (badge_width + 8 if badge_text else 0))
        shown_title = fm_title.elidedText(title, Qt.TextElideMode.ElideRight, title_room)
        painter.setFont(self._title_font)
        painter.setPen(
            theme.color("accent-text") if (selected and not s.card) else theme.color("text")
        )
        title_rect = QRect(x, y, fm_title.horizontalAdvance(shown_title) + 2, fm_title.height())
        painter.drawText(
            title_rect, int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter), shown_title
        )
        if badge_text:
            bx = title_rect.right() + 8
            bh = QFontMetrics(self._badge_font).height() + 4
            badge_rect = QRectF(bx, y + (fm_title.height() - bh) / 2, badge_width, bh)
            badge_bg, badge_fg = {
                "Broken": ("danger-soft", "danger-text"),
                "Completed": ("success-soft", "success-text"),
            }.get(badge_text, ("accent-soft", "accent-text"))
            pill = QPainterPath()
            pill.addRoundedRect(badge_rect, bh / 2, bh / 2)
            painter.fillPath(pill, theme.color(badge_bg))
            painter.setFont(self._badge_font)
            painter.setPen(theme.color(badge_fg))
            painter.drawText(badge_rect, int(Qt.AlignmentFlag.AlignCenter), badge_text)
        y += fm_title.height()

        subtitle = str(index.data(Role.SUBTITLE) or "")
        if subtitle:
            y += 3
            painter.setFont(self._body_font)
            painter.setPen(theme.color("danger-text" if tone == "danger" else "text-muted"))
            fm_body = QFontMetrics(self._body_font)
            for line in wrap_lines(fm_body, subtitle, width, s.subtitle_lines):
                painter.drawText(
                    QRect(x, y, width, fm_body.lineSpacing()),
                    int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                    line,
                )
                y += fm_body.lineSpacing()

        detail = str(index.data(Role.DETAIL) or "")
        if detail:
            y += 8
            h = self._wrapped_height(self._meta_font, detail, width - 8)
            box = QRectF(x - 2, y - 4, width + 2, h + 8)
            path = QPainterPath()
            path.addRoundedRect(box, 6, 6)
            painter.fillPath(
                path, theme.color("danger-soft" if tone == "danger" else "surface-alt")
            )
            painter.setFont(self._meta_font)
            painter.setPen(theme.color("danger-text" if tone == "danger" else "text-muted"))
            painter.drawText(QRect(x + 4, y, width - 8, h), int(Qt.TextFlag.TextWordWrap), detail)
            y += h + 8

        html = str(index.data(Role.DETAIL_HTML) or "")
        if html:
            y += 6
            doc = self._html_doc(html, width)
            painter.translate(QPointF(x, y))
            ctx = QAbstractTextDocumentLayout.PaintContext()
            palette = QPalette(ctx.palette)
            palette.setColor(QPalette.ColorRole.Text, theme.color("text-muted"))
            ctx.palette = palette
            doc.documentLayout().draw(painter, ctx)
        painter.restore()


class CardList(QListView):
    """A list of rows painted by ``CardDelegate``; a click or Enter emits ``open_index``."""

    open_index = Signal(QModelIndex)

    def __init__(self, style: CardStyle | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setItemDelegate(CardDelegate(self, style))
        self.setMouseTracking(True)
        self.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.setResizeMode(QListView.ResizeMode.Adjust)
        self.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.clicked.connect(self.open_index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_index.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class SlideRowDelegate(QStyledItemDelegate):
    """The player's slide list: the standard row, plus a bookmark mark on the right for a
    bookmarked slide (the title is elided to make room for it)."""

    MARK = 16

    def initStyleOption(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> None:
        super().initStyleOption(option, index)
        if index.data(Role.BADGE):
            room = option.rect.width() - option.decorationSize.width() - self.MARK - 28
            option.text = option.fontMetrics.elidedText(
                option.text, Qt.TextElideMode.ElideRight, max(20, room)
            )

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        super().paint(painter, option, index)
        if index.data(Role.BADGE):
            rect = QRect(option.rect)
            target = QRect(
                rect.right() - self.MARK - 8,
                rect.center().y() - self.MARK // 2,
                self.MARK,
                self.MARK,
            )
            painter.drawPixmap(target, theme.pixmap("bookmark-filled", "accent", self.MARK))
