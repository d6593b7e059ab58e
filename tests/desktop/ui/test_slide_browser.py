"""The slide view never fetches anything from outside the course folder."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtGui import QColor, QImage, QTextDocument
from PySide6.QtWidgets import QVBoxLayout, QWidget

from desktop.ui.widgets.slide_browser import SlideBrowser

IMAGE = QTextDocument.ResourceType.ImageResource


@pytest.fixture
def course_dir(tmp_path: Path) -> Path:
    root = tmp_path / "course"
    (root / "assets").mkdir(parents=True)
    image = QImage(40, 20, QImage.Format.Format_RGB32)
    image.fill(QColor("#4F46E5"))
    assert image.save(str(root / "assets" / "chart.png"))
    outside = QImage(10, 10, QImage.Format.Format_RGB32)
    outside.fill(QColor("red"))
    assert outside.save(str(tmp_path / "secret.png"))
    return root


@pytest.fixture
def browser(qtbot, course_dir: Path) -> SlideBrowser:
    page = QWidget()  # as in the player: never a window of its own
    qtbot.addWidget(page)
    page.resize(600, 400)
    view = SlideBrowser(page)
    QVBoxLayout(page).addWidget(view)
    view.holder = page  # type: ignore[attr-defined]  # keeps the page alive with the view
    view.set_course_root(course_dir)
    opened: list[QUrl] = []

    def fake_open(url: QUrl) -> bool:  # never a real browser
        opened.append(url)
        return True

    view.open_external = fake_open
    view.opened = opened  # type: ignore[attr-defined]
    return view


def test_images_inside_the_course_load(browser: SlideBrowser, course_dir: Path) -> None:
    image = browser.loadResource(IMAGE, QUrl("assets/chart.png"))
    assert isinstance(image, QImage)
    assert image.width() == 40
    file_url = QUrl.fromLocalFile(str(course_dir / "assets" / "chart.png"))
    assert isinstance(browser.loadResource(IMAGE, file_url), QImage)
    assert browser.refused == []


@pytest.mark.parametrize(
    "name",
    [
        "http://example.com/pixel.png",
        "https://tracker.example.com/open.gif?user=1",
        "ftp://example.com/a.png",
        "data:image/png;base64,iVBORw0KGgo=",
        "qrc:/icons/logo.png",
        "../secret.png",
        "assets/../../secret.png",
        "//example.com/pixel.png",
        "file://server/share/a.png",
        "assets/missing.png",
    ],
)
def test_everything_else_is_refused(browser: SlideBrowser, name: str) -> None:
    assert browser.loadResource(IMAGE, QUrl(name)) is None
    assert browser.refused, name


def test_a_file_url_outside_the_course_is_refused(browser: SlideBrowser, course_dir: Path) -> None:
    outside = QUrl.fromLocalFile(str(course_dir.parent / "secret.png"))
    assert browser.loadResource(IMAGE, outside) is None


def test_remote_images_in_slide_html_are_never_fetched(browser: SlideBrowser) -> None:
    browser.show_html(
        '<p>Hi <img src="https://tracker.example.com/pixel.gif"> and '
        '<img src="assets/chart.png"> and <img src="../secret.png"></p>'
    )
    browser.grab()  # painting the slide is when Qt asks for its images
    refused = {u.toString() for u in browser.refused}
    assert "https://tracker.example.com/pixel.gif" in refused
    assert any("secret.png" in u for u in refused)
    assert not any("chart.png" in u for u in refused)


def test_web_links_go_to_the_system_browser_only_when_clicked(browser: SlideBrowser, qtbot) -> None:
    browser.show_html('<p><a href="https://example.com/guide">guide</a></p>')
    assert browser.opened == []  # type: ignore[attr-defined]
    with qtbot.waitSignal(browser.external_link) as signal:
        browser.anchorClicked.emit(QUrl("https://example.com/guide"))
    assert signal.args[0] == QUrl("https://example.com/guide")
    assert browser.opened == [QUrl("https://example.com/guide")]  # type: ignore[attr-defined]
    # Qt itself never follows the link: the document is unchanged.
    assert "guide" in browser.toPlainText()
    assert not browser.openLinks()
    assert not browser.openExternalLinks()


def test_a_link_to_a_file_outside_the_course_does_nothing(browser: SlideBrowser, qtbot) -> None:
    with qtbot.assertNotEmitted(browser.internal_link):
        browser.anchorClicked.emit(QUrl("../secret.png"))
    assert browser.opened == []  # type: ignore[attr-defined]
