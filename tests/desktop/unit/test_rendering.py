"""Slides render to inert HTML: nothing runs, nothing is fetched, images only from the
course, and speaker notes never reach the learner."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from html.parser import HTMLParser
from pathlib import Path, PurePosixPath

import pytest

from desktop.domain.course import Course, Slide
from desktop.domain.course_format import IMAGE_SUFFIXES, parse_lesson
from desktop.services import rendering
from desktop.services.course_library import load_course
from desktop.services.rendering import render_markdown_html, render_slide_html
from tests.bench.coursegen import write_course

REPO = Path(__file__).resolve().parents[3]


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


# --------------------------------------------------------------------------- without nh3
#
# Markdown without '<' is cleaned by checking python-markdown's HTML instead of loading
# nh3 (rendering._clean_without_nh3); the result must be nh3's, to the byte.


def with_nh3(text: str) -> str:
    return rendering._render(text, allow_without_nh3=False)


def course_texts(course: Course) -> Iterator[str]:
    """Every piece of course Markdown the player or the presenter renders."""
    for lesson in course.lessons.values():
        for slide in lesson.slides:
            yield slide.body
            yield slide.notes
            for q in slide.questions:
                yield from (q.prompt, q.hint, q.explanation, *q.items)
                yield from (q.correct_feedback, q.incorrect_feedback)
                for choice in q.choices:
                    yield from (choice.text, choice.feedback)


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.tags: list[tuple[str, list[tuple[str, str | None]]]] = []
        self.other: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, attrs))

    def handle_comment(self, data: str) -> None:
        self.other.append(data)

    def handle_decl(self, decl: str) -> None:
        self.other.append(decl)

    def handle_pi(self, data: str) -> None:
        self.other.append(data)

    def unknown_decl(self, data: str) -> None:
        self.other.append(data)


def assert_inert(html: str) -> None:
    """Only allowed tags and attributes; links only to the web, mail, phone or inside the
    course; images only from inside the course."""
    parser = _Tags()
    parser.feed(html)
    parser.close()
    assert not parser.other
    for tag, attrs in parser.tags:
        assert tag in rendering._TAGS, html
        for name, value in attrs:
            assert value is not None
            if (tag, name) == ("a", "rel"):
                assert value == "noopener noreferrer"
                continue
            assert name in rendering._ATTRIBUTES.get(tag, set()), html
            if name == "href":
                scheme = value.split(":")[0] if ":" in value else ""
                assert scheme in ("", "http", "https", "mailto", "tel"), html
                assert not value.startswith("/"), html
                assert ".." not in value.split("/"), html
            if name == "src":
                assert ":" not in value, html
                assert not value.startswith("/"), html
                assert ".." not in value.split("/"), html
                assert PurePosixPath(value).suffix.lower() in IMAGE_SUFFIXES, html


@pytest.mark.parametrize(
    "folder", sorted(p for p in (REPO / "courses").iterdir() if p.is_dir()), ids=str
)
def test_bundled_courses_render_as_nh3_renders_them(folder: Path) -> None:
    texts = [t for t in course_texts(load_course(folder)) if t]
    assert texts
    for text in texts:
        assert render_markdown_html(text) == with_nh3(text), text


def test_a_generated_course_renders_without_nh3_as_nh3_renders_it(tmp_path: Path) -> None:
    course = load_course(write_course(tmp_path, lessons=50))
    texts = [t for t in course_texts(course) if t]
    assert len(texts) > 50 * 6
    for text in texts:
        assert "<" not in text
        assert rendering._clean_without_nh3(rendering._markdown(text)) is not None, text
        assert render_markdown_html(text) == with_nh3(text), text


HOSTILE_TARGETS = [
    "javascript:alert(1)",
    "JaVaScRiPt:alert(1)",
    "data:text/html;base64,PHNjcmlwdD4=",
    "data:image/png;base64,AAAA",
    "file:///etc/passwd",
    "vbscript:msgbox(1)",
    "../../outside.md",
    "../../../etc/secret.png",
    "&#106;avascript:alert(1)",
    "&#x6A;avascript:alert(1)",
    "java&#09;script:alert(1)",
    "jav&#x0A;ascript:alert(1)",
    "&#0;javascript:alert(1)",
    "//evil.example/x.png",
    "/etc/passwd",
    "C:/Windows/x.png",
    "https://user@evil.example:99999/x.png",
    "https://example.com/pixel.png",
    "http://1.2.3.4/p.gif",
    "https://xn--a.example/p.png",
    "https://XN--ls8h.la/p.png",
    "../assets/notes.txt",
]
HOSTILE = [
    *(f"[x]({t})" for t in HOSTILE_TARGETS),
    *(f'[x]({t} "t")' for t in HOSTILE_TARGETS),
    *(f'![x]({t} "t")' for t in HOSTILE_TARGETS),
    *(f"See [x][r].\n\n[r]: {t}" for t in HOSTILE_TARGETS),
    '[x](https://example.com "a \\"quoted\\" title & \'more\'")',
    "![a \"b\" & 'c'](../assets/a.png 'it\"s')",
    "[x](https://example.com/?a=1&b=2&amp;c=3#frag)",
    "```{#id onclick=x}\nalert(1)\n```",
    "~~~ {#id .py onclick=x}\ncode\n~~~",
    "```{.lang .other}\nx\n```",
    '```python\nif a &lt; b and c & d: print("x")\n```',
    "| a | b | c | d |\n|:--|:-:|--:|---|\n| 1 | *2* | `3` | [4](javascript:x) |",
    "&lt;script&gt;alert(1)&lt;/script&gt; &#60;img src=x onerror=alert(1)&#62;",
    "&copy; &notit; &foo; &#0; &#128; &#xD800; &#13; \u00a0 &nbsp; 5 &gt; 3",
    "*a *b *c *d* c* b* a*",
    '3. three\n4. four\n\n> - quoted [link](next.md#top "t")',
]


@pytest.mark.parametrize("markdown", HOSTILE)
def test_hostile_markdown_without_html_renders_inert_and_as_nh3_renders_it(
    markdown: str,
) -> None:
    assert "<" not in markdown
    html = render_markdown_html(markdown)
    assert html == with_nh3(markdown)
    assert_inert(html)
    assert "<script" not in html
    assert "onclick" not in html.replace("{#id onclick=x}", "")
    # Whatever the check accepts is exactly what nh3 returns for the same HTML.
    raw = rendering._markdown(markdown)
    checked = rendering._clean_without_nh3(raw)
    assert checked is None or checked == rendering._cleaner().clean(raw)


@pytest.mark.parametrize(
    ("markdown", "expected"),
    [
        ("[x](javascript:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
        ("[x](JaVaScRiPt:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
        ("[x](data:text/html;base64,PHNjcmlwdD4=)", '<p><a rel="noopener noreferrer">x</a></p>'),
        ("[x](vbscript:msgbox(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
        ("[x](file:///etc/passwd)", '<p><a rel="noopener noreferrer">x</a></p>'),
        ('[x](../../out.md "t")', '<p><a rel="noopener noreferrer" title="t">x</a></p>'),
        ("[x](&#106;avascript:alert(1))", '<p><a rel="noopener noreferrer">x</a></p>'),
        ("Pixel ![p](https://example.com/p.png) here", "<p>Pixel  here</p>"),
        (
            "[x](https://example.com 'a \"q\" & b')",
            '<p><a href="https://example.com" title="a &quot;q&quot; &amp; b"'
            ' rel="noopener noreferrer">x</a></p>',
        ),
        (
            "| a | b |\n|:-:|--:|\n| 1 | 2 |",
            '<table>\n<thead>\n<tr>\n<th align="center">a</th>\n<th align="right">b</th>\n'
            '</tr>\n</thead>\n<tbody>\n<tr>\n<td align="center">1</td>\n'
            '<td align="right">2</td>\n</tr>\n</tbody>\n</table>',
        ),
        ("&lt;script&gt; &copy;\u00a0&#x1F600;", "<p>&lt;script&gt; ©&nbsp;\U0001f600</p>"),
        ('[x](javascript:alert(1) "t")', '<p><a title="t" rel="noopener noreferrer">x</a></p>'),
        ("*a **b *c* b** a*", "<p><em>a <strong>b <em>c</em> b</strong> a</em></p>"),
        ("a\u00a0b", "<p>a&nbsp;b</p>"),
    ],
)
def test_the_check_itself_cleans_what_nh3_would(markdown: str, expected: str) -> None:
    raw = rendering._markdown(markdown)
    checked = rendering._clean_without_nh3(raw)
    assert checked is not None
    assert rendering._IMG_WITHOUT_SRC_RE.sub("", checked) == expected
    assert render_markdown_html(markdown) == expected == with_nh3(markdown)


@pytest.mark.parametrize(
    "html",
    [
        "<p>x<!-- note --></p>",
        "<!DOCTYPE html><p>x</p>",
        "<?php x ?>",
        "<![CDATA[x]]>",
        "<div>x</div>",
        "<script>alert(1)</script>",
        '<p onclick="x()">y</p>',
        '<p style="color:red">y</p>',
        '<pre id="x"><code>y</code></pre>',
        '<pre class="x"><code>y</code></pre>',
        '<p><a href="x.md" href="y.md">z</a></p>',
        "<p href='x'>y</p>",
        "<p>x",
        "<p>x</p><",
        "<p>x</em>",
        "<br/>",
        "<p><br></br></p>",
        "<P>x</P>",
        "<p><p>x</p></p>",
        "<p><ul><li>x</li></ul></p>",
        "<li>x</li>",
        '<p><a href="x.md"><a href="y.md">z</a></a></p>',
        "<p><em><em><em><em>x</em></em></em></em></p>",
        "<table><tr><td>x</td></tr></table>",
        "<table>x<tbody></tbody></table>",
        "<pre>\nx</pre>",
        "<p>a &foo; b</p>",
        "<p>a &notit; b</p>",
        "<p>a & b</p>",
        "<p>&#0;&#128;</p>",
        "<p>a\rb</p>",
        "<p>a\x00b</p>",
        '<p><a href="java\tscript:x">y</a></p>',
        '<p><a href="https://1.2.3.4/">y</a></p>',
        '<p><a href="https://host.example:99999/">y</a></p>',
        '<p><a href="mailto://x">y</a></p>',
        '<p><a href="https://xn--a.com/">y</a></p>',
    ],
)
def test_the_check_leaves_anything_it_does_not_know_to_nh3(html: str) -> None:
    assert rendering._clean_without_nh3(html) is None


def test_the_check_accepts_what_python_markdown_writes() -> None:
    html = (
        '<p><a href="x.md" title="t">y</a> <em><em><em>z</em></em></em><br>\n</p>\n'
        '<ul>\n<li>a</li>\n</ul>\n<pre><code class="language-py">\nx\n</code></pre>'
    )
    # As nh3 writes them: '>' escaped in text, every link with its rel.
    assert rendering._clean_without_nh3("<p>5 > 3 <a>x</a></p>") == (
        '<p>5 &gt; 3 <a rel="noopener noreferrer">x</a></p>'
    )
    assert rendering._clean_without_nh3(html) == (
        '<p><a href="lessons/x.md" title="t" rel="noopener noreferrer">y</a> '
        "<em><em><em>z</em></em></em><br>\n</p>\n"
        '<ul>\n<li>a</li>\n</ul>\n<pre><code class="language-py">\nx\n</code></pre>'
    )
    # As nh3 writes them: '>' escaped in text, every link with its rel.
    assert rendering._clean_without_nh3("<p>5 > 3 <a>x</a></p>") == (
        '<p>5 &gt; 3 <a rel="noopener noreferrer">x</a></p>'
    )


_PROBE = textwrap.dedent(
    """
    import json, sys
    from pathlib import Path
    from desktop.domain.course_format import parse_lesson
    from desktop.services.rendering import render_markdown_html, render_slide_html

    path = Path(sys.argv[1])
    lesson = parse_lesson(path.read_text("utf-8"), path, path.stem).lesson
    assert lesson is not None
    html = [render_slide_html(s) for s in lesson.slides]
    html += [render_markdown_html(q.prompt) for q in lesson.questions]
    before = "nh3" in sys.modules
    hostile = render_markdown_html("Hi <script>alert(1)</script> there")
    print(json.dumps([before, html, "nh3" in sys.modules, hostile]))
    """
)


def test_a_lesson_without_html_is_rendered_without_loading_nh3(tmp_path: Path) -> None:
    folder = write_course(tmp_path, lessons=2)
    lesson = folder / "lessons" / "lesson-0001.md"
    assert "<" not in lesson.read_text("utf-8")
    done = subprocess.run(
        [sys.executable, "-c", _PROBE, str(lesson)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    before, slides, after, hostile = json.loads(done.stdout)
    assert before is False
    assert len(slides) == 7
    assert all(s.startswith("<h1>") for s in slides[:6])
    # Markdown holding HTML loads nh3, which takes the script out.
    assert after is True
    assert "<script" not in hostile
    assert "alert" not in hostile
    assert "Hi" in hostile
    assert "there" in hostile
