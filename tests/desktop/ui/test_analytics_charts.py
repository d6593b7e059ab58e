"""The charts: they paint the numbers they were given, show them as a table one click
away, export them as CSV and PNG, and say how to get data when they have none."""

from __future__ import annotations

import csv
from collections.abc import Callable
from pathlib import Path

import pytest
from PySide6.QtCore import QPointF, Qt
from PySide6.QtGui import QColor, QImage
from PySide6.QtWidgets import QWidget

from desktop.ui import theme
from desktop.ui.widgets.charts import (
    Bar,
    BarChart,
    Category,
    ChartCard,
    HBarChart,
    HeatMap,
    Ring,
    RingChart,
    chart_stylesheet,
    heat_colour,
    minute_ticks,
    minutes_text,
    nice_ticks,
    percent_text,
    tooltip_pos,
)

# Offscreen Qt says this when a top-level window is shown; nothing here depends on it.
pytestmark = pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")

WEEKS = [("6 Oct", 30.0), ("13 Oct", 0.0), ("20 Oct", 95.0), ("27 Oct", 120.0), ("3 Nov", 45.5)]


def _card(qtbot, title: str, chart: QWidget, width: int = 560) -> ChartCard:
    assert isinstance(chart, RingChart | BarChart | HBarChart | HeatMap)
    card = ChartCard(title, chart, "A subtitle")
    card.setStyleSheet(theme.stylesheet() + chart_stylesheet())
    card.setFont(theme.ui_font())
    qtbot.addWidget(card)
    card.resize(width, card.sizeHint().height() + 40)
    card.show()
    qtbot.waitExposed(card)
    return card


def _close(a: QColor, b: QColor, tolerance: int = 40) -> bool:
    return (
        abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue()) <= tolerance
    )


def _pixel(chart: QWidget, x: float, y: float) -> QColor:
    image = chart.grab().toImage()
    ratio = image.devicePixelRatio()
    return image.pixelColor(round(x * ratio), round(y * ratio))


def test_a_ring_at_one_half_draws_half_an_arc_clockwise_from_noon(qtbot) -> None:
    rings = RingChart("Open a lesson.")
    rings.set_rings([Ring("Email basics", 0.5, "5 of 10 lessons")])
    card = _card(qtbot, "Courses", rings)
    box = rings.ring_rect(0)
    centre = box.center()
    reach = box.width() / 2 - box.width() / 20  # the middle of the ring's stroke
    right = _pixel(rings, centre.x() + reach, centre.y() + 4)  # 3 o'clock: drawn
    left = _pixel(rings, centre.x() - reach, centre.y() - 4)  # 9 o'clock: track
    below = _pixel(rings, centre.x() + 6, centre.y() + reach)  # 6 o'clock, just before it
    assert _close(right, theme.color("accent")), right.name()
    assert _close(below, theme.color("accent")), below.name()
    assert _close(left, theme.color("track")), left.name()
    assert card.model.numbers.rows == (("Email basics", 50.0, "5 of 10 lessons"),)
    assert "Email basics: 50% complete" in rings.tooltip_at(QPointF(centre))
    assert rings.accessibleDescription() == "Email basics: 50%"


def test_a_complete_ring_is_green_all_round(qtbot) -> None:
    rings = RingChart()
    rings.set_rings([Ring("SEO", 1.0)])
    _card(qtbot, "Courses", rings)
    box = rings.ring_rect(0)
    reach = box.width() / 2 - box.width() / 20
    for dx, dy in ((reach, 0), (-reach, 0), (0, reach), (0, -reach)):
        colour = _pixel(rings, box.center().x() + dx, box.center().y() + dy)
        assert _close(colour, theme.color("success")), colour.name()


def test_bars_are_as_tall_as_their_values_and_say_them_on_hover(qtbot) -> None:
    chart = BarChart(
        "Take a lesson.", value_title="Minutes", value_format=minutes_text, ticks=minute_ticks
    )
    chart.set_bars([Bar(label, value) for label, value in WEEKS])
    card = _card(qtbot, "Time per week", chart)
    heights = [chart.bar_rect(i).height() for i in range(len(WEEKS))]
    tallest = max(heights)
    for (_label, value), height in zip(WEEKS, heights, strict=True):
        assert height == pytest.approx(tallest * value / 120.0, abs=0.5)
    assert heights[1] == 0
    tips = [chart.tooltip_at(QPointF(tooltip_pos(chart, i))) for i in range(len(WEEKS))]
    assert tips == [
        "6 Oct: 30 min",
        "13 Oct: 0 min",
        "20 Oct: 1 h 35 min",
        "27 Oct: 2 h",
        "3 Nov: 46 min",
    ]
    assert card.model.numbers.columns == ("Label", "Minutes")
    assert [row[1] for row in card.model.numbers.rows] == [v for _l, v in WEEKS]
    # A bar's pixels are the accent colour; above it is the card's white.
    rect = chart.bar_rect(0)
    assert _close(_pixel(chart, rect.center().x(), rect.center().y()), theme.color("accent"))
    assert _close(_pixel(chart, rect.center().x(), rect.top() - 12), theme.color("surface"))


def test_axis_steps_are_round() -> None:
    assert nice_ticks(95) == [0, 25, 50, 75, 100]
    assert nice_ticks(7) == [0, 2, 4, 6, 8]
    assert minute_ticks(130) == [0, 60, 120, 180]
    assert minute_ticks(50) == [0, 15, 30, 45, 60]
    assert minute_ticks(0) == [0, 15]


def test_horizontal_bars_rank_categories_on_a_fixed_scale(qtbot) -> None:
    chart = HBarChart(value_title="Score (%)", value_format=percent_text, maximum=100)
    items = [
        Category("Write subject lines", 42, "danger"),
        Category("Segment the list", 65, "warning"),
        Category("A/B tests", 88, "success"),
    ]
    chart.set_items(items)
    card = _card(qtbot, "Objectives", chart)
    widths = [chart.bar_rect(i).width() for i in range(3)]
    full = widths[2] / 0.88
    assert widths[0] == pytest.approx(full * 0.42, abs=0.5)
    assert widths[1] == pytest.approx(full * 0.65, abs=0.5)
    fill = chart.bar_rect(0)
    assert _close(_pixel(chart, fill.center().x(), fill.center().y()), theme.color("danger"))
    assert chart.tooltip_at(QPointF(tooltip_pos(chart, 1))) == "Segment the list: 65%"
    assert card.model.numbers.rows == (
        ("Write subject lines", 42),
        ("Segment the list", 65),
        ("A/B tests", 88),
    )


def test_heat_map_colours_scores_and_hatches_cells_without_data(qtbot) -> None:
    heat = HeatMap(corner_title="Member", missing_text="Not answered")
    heat.set_data(
        ["Ana", "Ben"],
        ["Subject lines", "Segmenting", "A/B tests"],
        [[10.0, 95.0, None], [55.0, None, 100.0]],
    )
    card = _card(qtbot, "Objectives by member", heat, width=640)
    low = heat.cell_rect(0, 0)
    high = heat.cell_rect(0, 1)
    # Sampled off-centre, beside the written value.
    low_colour = _pixel(heat, low.left() + 4, low.top() + 4)
    high_colour = _pixel(heat, high.left() + 4, high.top() + 4)
    assert _close(low_colour, heat_colour(0.1), 12)
    assert _close(high_colour, heat_colour(0.95), 12)
    assert low_colour.red() > low_colour.green()  # weak reads red
    assert high_colour.green() > high_colour.red()  # strong reads green
    missing = heat.cell_rect(0, 2)
    colours = {
        _pixel(heat, missing.left() + x, missing.top() + y).name()
        for x in range(3, 15)
        for y in range(3, 15)
    }
    assert len(colours) >= 2  # hatched: stripes, not a flat colour of the scale
    assert all(not _close(QColor(c), heat_colour(0.0), 30) for c in colours)
    assert heat.tooltip_at(QPointF(tooltip_pos(heat, 2))) == "Ana\nA/B tests\nNot answered"
    assert heat.tooltip_at(QPointF(tooltip_pos(heat, 3))) == "Ben\nSubject lines\n55%"
    assert card.model.numbers.columns == ("Member", "Subject lines", "Segmenting", "A/B tests")
    assert card.model.numbers.rows[0] == ("Ana", 10.0, 95.0, None)


def test_numbers_toggle_swaps_in_a_table_of_the_exact_numbers(qtbot, qtmodeltester) -> None:
    chart = BarChart(value_title="Minutes", label_title="Week")
    chart.set_bars([Bar(label, value) for label, value in WEEKS])
    card = _card(qtbot, "Time per week", chart)
    qtmodeltester.check(card.model)
    assert card.numbers_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    assert card.export_button.focusPolicy() & Qt.FocusPolicy.TabFocus
    card.numbers_button.setFocus()
    qtbot.keyClick(card.numbers_button, Qt.Key.Key_Space)
    assert card.showing_numbers
    assert card.table.isVisible()
    assert not chart.isVisible()
    model = card.table.model()
    shown = [
        [model.index(r, c).data() for c in range(model.columnCount())]
        for r in range(model.rowCount())
    ]
    assert shown[0] == ["6 Oct", "30"]
    assert shown[4] == ["3 Nov", "45.5"]
    assert model.headerData(1, Qt.Orientation.Horizontal) == "Minutes"
    assert card.numbers_button.text() == "Chart"
    qtbot.keyClick(card.numbers_button, Qt.Key.Key_Space)
    assert card.stack.currentWidget() is chart  # back to the chart
    assert chart.isVisible()


def test_csv_export_holds_the_numbers_and_png_export_is_the_chart(
    qtbot, tmp_path: Path, shot: Callable[[QWidget, str], Path]
) -> None:
    chart = BarChart(value_title="Minutes", label_title="Week starting")
    chart.set_bars([Bar(label, value) for label, value in WEEKS])
    card = _card(qtbot, "Time per week", chart)
    shot(card, "analytics_chart_card.png")
    saved: list[str] = []
    card.message.connect(saved.append)

    target = tmp_path / "time"
    card.ask_save_path = lambda kind: target.with_suffix(f".{kind}")  # type: ignore[method-assign]
    card.csv_action.trigger()
    with (tmp_path / "time.csv").open(newline="", encoding="utf-8") as f:
        rows = list(csv.reader(f))
    assert rows[0] == ["Week starting", "Minutes"]
    assert rows[1:] == [[label, str(value)] for label, value in WEEKS]

    card.png_action.trigger()
    image = QImage(str(tmp_path / "time.png"))
    assert not image.isNull()
    assert image.width() == chart.width() * 2
    assert image.height() == chart.height() * 2
    bar = chart.bar_rect(3)
    accent = image.pixelColor(round(bar.center().x() * 2), round(bar.center().y() * 2))
    assert _close(accent, theme.color("accent"))
    assert saved == [f"Saved time.csv to {tmp_path}", f"Saved time.png to {tmp_path}"]


def test_a_failed_export_says_what_to_do(qtbot, tmp_path: Path) -> None:
    chart = HBarChart()
    chart.set_items([Category("Email", 3)])
    card = _card(qtbot, "By type", chart)
    card.ask_save_path = lambda kind: tmp_path / "missing" / f"x.{kind}"  # type: ignore[method-assign]
    card.csv_action.trigger()
    assert card.error_box is not None
    assert card.error_box.isVisible()
    assert "Could not save x.csv" in card.last_error
    assert "Choose another folder" in card.last_error
    card.error_box.close()
    qtbot.waitUntil(lambda: card.error_box is None)


@pytest.mark.parametrize(
    "make",
    [
        lambda: RingChart("Add a course and open a lesson: every course gets a ring here."),
        lambda: BarChart("Take a lesson to see your time here."),
        lambda: HBarChart("Answer a quiz to see your objectives."),
        lambda: HeatMap("When members answer quizzes, their scores show here."),
    ],
    ids=["rings", "bars", "hbars", "heat"],
)
def test_an_empty_chart_says_how_to_get_data(
    qtbot, make: Callable[[], RingChart | BarChart | HBarChart | HeatMap], shot
) -> None:
    chart = make()
    card = _card(qtbot, "Empty", chart)
    assert chart.is_empty()
    assert chart.accessibleDescription() == chart.empty_text
    assert not card.numbers_button.isEnabled()
    assert not card.csv_action.isEnabled()
    assert card.png_action.isEnabled()
    # The message is painted in the middle of the chart, in the muted text colour.
    image = chart.grab().toImage()
    middle = image.height() // 2
    band = range(middle - 12, middle + 12)
    ink = [
        (x, y)
        for y in band
        for x in range(0, image.width(), 2)
        if _close(image.pixelColor(x, y), theme.color("text-muted"), 30)
    ]
    assert len(ink) > 20
    shot(card, f"analytics_empty_{type(chart).__name__.lower()}.png")


def test_bars_all_zero_are_an_empty_chart(qtbot) -> None:
    chart = BarChart("Take a lesson to see your time here.")
    chart.set_bars([Bar("6 Oct", 0), Bar("13 Oct", 0)])
    assert chart.is_empty()
    assert chart.numbers().rows == (("6 Oct", 0), ("13 Oct", 0))
