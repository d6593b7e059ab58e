"""``viewport_width`` gives a list's drawable width without handing Python Qt's own
viewport widget (see its docstring): it must agree with the real viewport, with and
without a vertical scroll bar, so rows wrap their text at the right place."""

from __future__ import annotations

from PySide6.QtGui import QStandardItem, QStandardItemModel
from pytestqt.qtbot import QtBot

from desktop.ui.widgets.common import viewport_width
from desktop.ui.widgets.delegates import CardList


def _list(qtbot: QtBot, rows: int) -> CardList:
    view = CardList()
    model = QStandardItemModel(view)
    for n in range(rows):
        model.appendRow(QStandardItem(f"Row {n}: a course title long enough to wrap"))
    view.setModel(model)
    qtbot.addWidget(view)
    view.resize(420, 300)
    view.show()
    qtbot.waitExposed(view)
    return view


def test_the_width_is_the_viewport_s_without_a_scroll_bar(qtbot: QtBot) -> None:
    view = _list(qtbot, rows=1)
    assert not view.verticalScrollBar().isVisible()
    assert viewport_width(view) == view.viewport().width()
    assert viewport_width(view) > 380


def test_the_width_leaves_out_a_vertical_scroll_bar(qtbot: QtBot) -> None:
    view = _list(qtbot, rows=60)
    qtbot.waitUntil(lambda: view.verticalScrollBar().isVisible())
    assert viewport_width(view) == view.viewport().width()
    assert viewport_width(view) < view.maximumViewportSize().width()
