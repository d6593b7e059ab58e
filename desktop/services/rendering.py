"""Slide Markdown to safe HTML for the lesson player.

Markdown (python-markdown: tables, fenced code, sane lists) is converted to HTML, then
sanitised with nh3 so that whatever a course author wrote, the player gets inert HTML:

- no ``script``, ``style``, ``iframe``, ``object``, forms or other active elements, no
  ``on*`` event attributes, no ``style`` attributes, no comments;
- ``<img>`` only from a relative path inside the course; any other image is dropped;
- links: ``http(s)``, ``mailto:`` and ``tel:`` are kept (the player never fetches them,
  it may offer to open them in the browser), links to files inside the course are kept,
  anything else (``javascript:``, ``file:``, paths escaping the course) loses its target.

Relative ``src``/``href`` values in the output are relative to the **course folder**
(``Course.root``), not to the lesson file: ``../assets/x.png`` written in
``lessons/intro.md`` comes out as ``assets/x.png``. Give the HTML view the course folder
as its base (``QTextDocument.setBaseUrl(QUrl.fromLocalFile(str(course.root) + "/"))``).
"""

from __future__ import annotations

import re
import threading
from pathlib import PurePosixPath
from urllib.parse import quote

import markdown
import nh3
from markdown.extensions.fenced_code import FencedCodeExtension
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

from desktop.domain.course import Slide
from desktop.domain.course_format import IMAGE_SUFFIXES, TargetKind, classify_target

_TAGS = frozenset(
    {
        "a", "abbr", "b", "blockquote", "br", "caption", "code", "dd", "del", "div", "dl",
        "dt", "em", "figcaption", "figure", "h1", "h2", "h3", "h4", "h5", "h6", "hr", "i",
        "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "small", "span",
        "strong", "sub", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "tr", "u",
        "ul",
    }
)  # fmt: skip
# Removed together with their content (not just unwrapped).
_DROP_WITH_CONTENT = frozenset(
    {
        "script", "style", "iframe", "object", "embed", "template", "noscript", "svg",
        "math", "textarea", "select", "button", "form", "video", "audio", "canvas", "title",
    }
)  # fmt: skip
_ATTRIBUTES = {
    "a": {"href", "title"},
    "img": {"src", "alt", "title", "width", "height"},
    "abbr": {"title"},
    "code": {"class"},
    "ol": {"start"},
    "th": {"align"},
    "td": {"align"},
}
_LANGUAGE_CLASS_RE = re.compile(r"^language-[\w+#.-]{1,40}$")
_DIMENSION_RE = re.compile(r"^\d{1,4}%?$")
_IMG_WITHOUT_SRC_RE = re.compile(r"<img(?![^>]*\ssrc=)[^>]*>")


def _course_path(path: str, fragment: str = "") -> str:
    url = quote(path, safe="/-._~")
    return f"{url}#{quote(fragment, safe='-._~')}" if fragment else url


def _filter_attribute(tag: str, attribute: str, value: str) -> str | None:
    """Rewrite or drop one attribute (nh3 calls this for every allowed attribute)."""
    if tag == "img" and attribute == "src":
        target = classify_target(value)
        if (
            target.kind is TargetKind.INTERNAL
            and PurePosixPath(target.path).suffix.lower() in IMAGE_SUFFIXES
        ):
            return _course_path(target.path)
        return None
    if attribute == "href":
        target = classify_target(value)
        if target.kind in (TargetKind.REMOTE, TargetKind.CONTACT):
            return value.strip()
        if target.kind is TargetKind.ANCHOR:
            return f"#{quote(target.fragment, safe='-._~')}"
        if target.kind is TargetKind.INTERNAL:
            return _course_path(target.path, target.fragment)
        return None
    if attribute == "class":
        kept = [c for c in value.split() if _LANGUAGE_CLASS_RE.match(c)]
        return " ".join(kept) or None
    if attribute in ("width", "height"):
        return value if _DIMENSION_RE.match(value.strip()) else None
    if attribute == "align":
        return value if value in ("left", "center", "right") else None
    if attribute == "start":
        return value if value.isdigit() else None
    return value


_CLEANER = nh3.Cleaner(
    tags=set(_TAGS),
    clean_content_tags=set(_DROP_WITH_CONTENT),
    attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
    attribute_filter=_filter_attribute,
    url_schemes={"http", "https", "mailto", "tel"},
    strip_comments=True,
    link_rel="noopener noreferrer",
)

_local = threading.local()


def _converter() -> markdown.Markdown:
    """One Markdown converter per thread (a converter is not thread-safe, and building
    one costs more than converting a slide)."""
    converter: markdown.Markdown | None = getattr(_local, "converter", None)
    if converter is None:
        # Extension objects, not names: a name is looked up through the installed
        # packages' entry points (importlib.metadata, email, csv, zipfile: ~2 MiB and
        # ~15 ms on the first lesson opened).
        converter = markdown.Markdown(
            extensions=[
                TableExtension(use_align_attribute=True),
                FencedCodeExtension(),
                SaneListExtension(),
            ],
            output_format="html",
        )
        _local.converter = converter
    return converter


def render_markdown_html(text: str) -> str:
    """Any course Markdown (a slide, a question, feedback, an explanation) as safe HTML.
    Relative paths are read as written in a lesson file (``lessons/<id>.md``)."""
    converter = _converter()
    converter.reset()
    html = converter.convert(text)
    cleaned = _CLEANER.clean(html)
    # An image whose source was refused would show as a broken picture: drop it.
    return _IMG_WITHOUT_SRC_RE.sub("", cleaned)


def render_slide_html(slide: Slide) -> str:
    """The slide's body as a safe HTML fragment. Quiz and speaker-notes blocks are not in
    the body (the parser took them out), so they are never shown to learners here."""
    return render_markdown_html(slide.body)
