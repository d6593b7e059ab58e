"""Slides render to inert HTML: nothing runs, nothing is fetched, images only from the
course, and speaker notes never reach the learner."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.domain.course import Slide
from desktop.domain.course_format import parse_lesson
from desktop.services.rendering import render_markdown_html, render_slide_html


def html_of(body: str) -> str:
    return render_slide_html(Slide(id="s", title="S", body=body))


def test_markdown_is_rendered_with_tables_lists_and_code() -> None:
    html = html_of(
        "# Title\n\nSome **bold** text.\n\n| Where | Chars |\n|:--|--:|\n| Phone | 35 |\n\n"
        "1. one\n2. two\n\n```python\nprint('hi')\n```\n"
    )
    assert "<h1>Title</h1>" in html
    assert "<strong>bold</strong>" in html
    assert '<th align="left">Where</th>' in html
    assert '<td align="right">35</td>' in html
    assert "<ol>" in html
    assert '<code class="language-python">' in html


@pytest.mark.parametrize(
    "dangerous",
    [
        "<script>alert('x')</script>",
        "<style>body { display: none }</style>",
        '<iframe src="https://example.com"></iframe>',
        '<object data="x.swf"></object>',
        '<form action="https://evil.example"><input name="pw"></form>',
    ],
)
def test_active_elements_are_removed_with_their_content(dangerous: str) -> None:
    html = html_of(f"Hello\n\n{dangerous}\n\nbye")
    for needle in (
        "<script",
        "alert",
        "<style",
        "display",
        "<iframe",
        "<object",
        "<form",
        "<input",
    ):
        assert needle not in html
    assert "Hello" in html
    assert "bye" in html


def test_event_handlers_and_style_attributes_are_stripped() -> None:
    html = html_of('<div onclick="steal()" style="color:red" onmouseover="x()">Hi</div>')
    assert html.strip() == "<div>Hi</div>"


@pytest.mark.parametrize(
    "link",
    [
        "[x](javascript:alert(1))",
        '<a href="JaVaScRiPt:alert(1)">x</a>',
        "[x](file:///etc/passwd)",
        "[x](../../outside.md)",
        "[x](data:text/html;base64,PHNjcmlwdD4=)",
    ],
)
def test_dangerous_link_targets_are_removed_but_text_stays(link: str) -> None:
    html = html_of(link)
    assert "href" not in html
    assert ">x</a>" in html


def test_web_and_mail_links_stay_links_that_never_leak_the_referrer() -> None:
    html = html_of("[guide](https://example.com/guide) and [mail](mailto:team@example.com)")
    assert '<a href="https://example.com/guide" rel="noopener noreferrer">guide</a>' in html
    assert 'href="mailto:team@example.com"' in html


def test_links_inside_the_course_become_relative_to_the_course_folder() -> None:
    html = html_of("[next](next.md#top) [top](#intro)")
    assert 'href="lessons/next.md#top"' in html
    assert 'href="#intro"' in html


def test_course_images_are_kept_relative_to_the_course_folder() -> None:
    html = html_of("![Inbox on a phone](../assets/inbox%20preview.svg)")
    assert '<img alt="Inbox on a phone" src="assets/inbox%20preview.svg">' in html


@pytest.mark.parametrize(
    "image",
    [
        "![remote](https://example.com/pixel.png)",
        "![escape](../../../etc/secret.png)",
        "![absolute](/home/me/a.png)",
        '<img src="data:image/png;base64,AAAA" alt="inline">',
        '<img src="http://tracker.example/p.gif" onerror="x()">',
        "![not an image](../assets/notes.txt)",
    ],
)
def test_images_from_outside_the_course_are_dropped(image: str) -> None:
    html = html_of(f"Before {image} after")
    assert "<img" not in html
    assert "Before" in html
    assert "after" in html


def test_comments_never_reach_the_html() -> None:
    assert "secret" not in html_of("Hi <!-- secret plan -->")


def test_speaker_notes_are_never_rendered_for_learners() -> None:
    parsed = parse_lesson(
        "---\ntitle: T\n---\n# Hello\n\nVisible text.\n\n"
        "```notes\nPresenter only: joke here.\n```\n",
        Path("lessons/intro.md"),
        "intro",
    )
    assert parsed.lesson is not None
    slide = parsed.lesson.slides[0]
    html = render_slide_html(slide)
    assert "Visible text." in html
    assert "Presenter only" not in html
    assert slide.notes == "Presenter only: joke here."


def test_render_markdown_html_handles_feedback_text() -> None:
    assert render_markdown_html("Right — *key words first*.") == (
        "<p>Right — <em>key words first</em>.</p>"
    )
