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

nh3 (a Rust extension, ~1.8 MiB once loaded) is imported only when a text needs it. Markdown
without any ``<`` cannot hold HTML the author wrote, so for it the HTML python-markdown
wrote is *checked* instead (:func:`_clean_without_nh3`): it must be made only of the plain
tags, attributes and character references python-markdown writes, nested so that an HTML5
parser builds exactly that tree; its attributes go through the same allowlist, URL-scheme
check and :func:`_filter_attribute` as in nh3, ``rel`` included, and it is written out again
escaped as nh3 writes it. The result is the very string nh3 would return; anything the check
does not know (an ``id`` on a fenced code block, an unknown entity, an odd URL) goes to nh3.
"""

from __future__ import annotations

import functools
import re
import sys
import threading
from html import entities, unescape
from pathlib import PurePosixPath
from typing import TYPE_CHECKING
from urllib.parse import quote

import markdown
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

from desktop.domain.course import Slide
from desktop.domain.course_format import IMAGE_SUFFIXES, TargetKind, classify_target

if TYPE_CHECKING:
    import nh3

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


_URL_SCHEMES = frozenset({"http", "https", "mailto", "tel"})
_LINK_REL = "noopener noreferrer"
_cleaner_lock = threading.Lock()
_cleaner_instance: nh3.Cleaner | None = None


def _cleaner() -> nh3.Cleaner:
    """The nh3 sanitiser, built (and nh3 imported) on first use."""
    global _cleaner_instance
    if _cleaner_instance is not None:
        return _cleaner_instance
    with _cleaner_lock:
        if _cleaner_instance is None:
            import nh3

            _cleaner_instance = nh3.Cleaner(
                tags=set(_TAGS),
                clean_content_tags=set(_DROP_WITH_CONTENT),
                attributes={tag: set(attrs) for tag, attrs in _ATTRIBUTES.items()},
                attribute_filter=_filter_attribute,
                url_schemes=set(_URL_SCHEMES),
                strip_comments=True,
                link_rel=_LINK_REL,
            )
        return _cleaner_instance


# ----------------------------------------------------------------- cleaning without nh3
#
# _clean_without_nh3 returns exactly what nh3 returns for the HTML python-markdown wrote
# from '<'-free Markdown, or None ("ask nh3"). Why the result is the same, step by step:
#
# 1. Tokens. The whole string must be a sequence of text without '<', start tags
#    '<name attr="value" ...>' (lower-case names, double-quoted values without '<', '>'
#    or '"') and end tags '</name>', nothing else: no comment, doctype, CDATA or
#    processing instruction can match, and an HTML5 tokenizer reads such a string into
#    exactly these tokens. No CR or NUL (the HTML5 input stream rewrites them).
# 2. Character references. Every '&' must begin '&name;' (a name in the HTML5 table) or
#    '&#n;' / '&#xh;' for a plain code point (no control, surrogate, noncharacter or C1
#    code): for these, html.unescape and the HTML5 tokenizer (in text and in attribute
#    values) decode the same characters.
# 3. Tree. Tags must nest properly (every end tag closes the current element, br/hr/img
#    have none) and only in the places python-markdown puts them (_PARENTS below): no
#    block inside a <p> or a heading, list items only in lists, table parts only in their
#    table, text in table rows and lists only whitespace, a <pre> holds just <code>, no
#    link inside a link, no more than three nested elements of one formatting tag. With
#    these, the HTML5 tree builder (in-body, in-table and in-cell modes; fragment context
#    <div>, as in nh3) never closes, moves, adds or reopens an element: the tree is the
#    tokens.
# 4. Tags and attributes. Every tag is in _TAGS, every attribute in _ATTRIBUTES for its
#    tag (else nh3 decides). Then the attributes take nh3's path: href/src are screened
#    by the URL scheme as nh3 does (kept if relative or http(s)/mailto/tel, dropped for
#    any other scheme; an address whose parse we cannot be sure of goes to nh3), <a> gets
#    rel="noopener noreferrer" at the end, every attribute goes through _filter_attribute
#    (None drops it: removed like Rust's Vec::swap_remove, from the last index down, which
#    is what reorders nh3's attributes).
# 5. Output. Written as nh3's serializer (html5ever) writes: text escapes & < > and
#    U+00A0; attribute values & " < > and U+00A0; void elements without '/'.

_TOKEN_RE = re.compile(r'([^<]+)|<([a-z][a-z0-9]*)((?: [a-z]+="[^"<>]*")*)>|</([a-z][a-z0-9]*)>')
_ATTRIBUTE_RE = re.compile(r' ([a-z]+)="([^"]*)"')
_REFERENCE_RE = re.compile(
    r"&(?:([A-Za-z][A-Za-z0-9]{0,40});|#([0-9]{1,7});|#[xX]([0-9A-Fa-f]{1,6});)?"
)
_SCHEME_RE = re.compile(r"([A-Za-z][A-Za-z0-9+.-]*):")
# http(s) addresses whose parse (WHATWG, Rust's url crate) surely succeeds: an ASCII
# host of letter-digit-hyphen labels, the last starting with a letter (so not read as an
# IPv4 address), no '--' (so no 'xn--' label for IDNA to decode), no user, no port; the
# path, query and fragment can hold anything.
_WEB_ADDRESS_RE = re.compile(
    r"https?://(?![^/?#]*--)(?:[a-z0-9](?:[a-z0-9-]*[a-z0-9])?\.)*[a-z](?:[a-z0-9-]*[a-z0-9])?"
    r"(?:[/?#]|$)",
    re.IGNORECASE,
)
_HEADINGS = ("h1", "h2", "h3", "h4", "h5", "h6")
_FLOW = frozenset({"", "blockquote", "li"})  # "" is the fragment itself
_PHRASING = frozenset({"p", *_HEADINGS, "li", "th", "td", "em", "strong", "a"})
# The elements the check knows, each with the elements it may sit in.
_PARENTS: dict[str, frozenset[str]] = {
    **dict.fromkeys(("p", *_HEADINGS, "pre", "blockquote", "ul", "ol", "table", "hr"), _FLOW),
    "li": frozenset({"ul", "ol"}),
    "thead": frozenset({"table"}),
    "tbody": frozenset({"table"}),
    "tr": frozenset({"thead", "tbody"}),
    "th": frozenset({"tr"}),
    "td": frozenset({"tr"}),
    "code": _PHRASING | {"pre"},
    **dict.fromkeys(("em", "strong", "a", "img", "br"), _PHRASING),
}
assert set(_PARENTS) <= _TAGS
_VOID = frozenset({"br", "hr", "img"})
_FORMATTING = frozenset({"em", "strong", "code"})
_WHITESPACE_ONLY = frozenset({"table", "thead", "tbody", "tr", "ul", "ol"})
_NO_TEXT = frozenset({"pre"})  # a <pre> holds just its <code>
# (parent, child) pairs; nothing sits in a <code> (it is nobody's parent here).
_PLACES = frozenset((parent, tag) for tag, parents in _PARENTS.items() for parent in parents)


def _plain_code_point(n: int) -> bool:
    return (
        n in (0x09, 0x0A)
        or 0x20 <= n < 0x7F
        or (0xA0 <= n <= 0x10FFFF and not 0xD800 <= n <= 0xDFFF and not 0xFDD0 <= n <= 0xFDEF)
    ) and n & 0xFFFE != 0xFFFE


def _plain_references(html: str) -> bool:
    for m in _REFERENCE_RE.finditer(html):
        name, decimal, hexadecimal = m.groups()
        if name is not None:
            if name + ";" not in entities.html5:
                return False
        elif decimal is not None:
            if not _plain_code_point(int(decimal)):
                return False
        elif hexadecimal is not None:
            if not _plain_code_point(int(hexadecimal, 16)):
                return False
        else:
            return False  # a bare '&'
    return True


def _escape_text(text: str) -> str:
    return (
        text.replace("&", "&amp;")
        .replace("\xa0", "&nbsp;")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
    )


def _escape_value(value: str) -> str:
    return _escape_text(value).replace('"', "&quot;")


def _url_kept(value: str) -> bool | None:
    """Whether nh3 keeps this href/src before its filter runs: True (a relative address,
    or an allowed scheme that parses), False (any other scheme), None (not sure)."""
    if not value or min(value) <= " " or "\x7f" in value:
        return None  # the URL parser would first strip or drop characters
    m = _SCHEME_RE.match(value)
    if m is None:
        return True  # relative: nh3 passes it through
    scheme = m.group(1).lower()
    if scheme not in _URL_SCHEMES:
        return False
    if scheme in ("mailto", "tel"):
        # Not '/' after the colon: an opaque path, which always parses.
        return None if value[m.end() :].startswith("/") else True
    return True if _WEB_ADDRESS_RE.match(value) else None


@functools.lru_cache(maxsize=512)
def _clean_attributes(tag: str, raw: str) -> str | None:
    """A start tag's attributes as nh3 writes them, or None to leave it to nh3."""
    allowed = _ATTRIBUTES.get(tag, set())
    kept: list[list[str]] = []
    seen: set[str] = set()
    for name, raw_value in _ATTRIBUTE_RE.findall(raw):
        if name not in allowed or name in seen:
            return None
        seen.add(name)
        value = unescape(raw_value) if "&" in raw_value else raw_value
        if name in ("href", "src"):
            verdict = _url_kept(value)
            if verdict is None:
                return None
            if not verdict:
                continue
        kept.append([name, value])
    if tag == "a":
        kept.append(["rel", _LINK_REL])
    dropped = []
    for i, pair in enumerate(kept):
        try:
            new = _filter_attribute(tag, pair[0], pair[1])
        except Exception:  # nh3 strips the attribute: let it decide
            return None
        if new is None:
            dropped.append(i)
        else:
            pair[1] = new
    for i in reversed(dropped):  # Vec::swap_remove
        last = kept.pop()
        if i < len(kept):
            kept[i] = last
    return "".join(f' {name}="{_escape_value(value)}"' for name, value in kept)


def _clean_without_nh3(html: str) -> str | None:
    """``html`` cleaned exactly as nh3 would clean it, or None if this cannot tell."""
    if "\r" in html or "\x00" in html:
        return None
    if "&" in html and not _plain_references(html):
        return None
    out: list[str] = []
    stack: list[str] = [""]
    parent = ""
    pos = 0
    for m in _TOKEN_RE.finditer(html):
        if m.start() != pos:
            return None  # something between two tokens that is not one
        pos = m.end()
        kind = m.lastindex
        if kind == 1:  # text
            text = m.group(1)
            if parent in _NO_TEXT or (parent in _WHITESPACE_ONLY and text.strip(" \t\n\f")):
                return None
            if "&" in text or ">" in text or "\xa0" in text:
                text = _escape_text(unescape(text))
            out.append(text)
        elif kind == 3:  # start tag
            tag = m.group(2)
            if (parent, tag) not in _PLACES:
                return None
            if (tag == "a" and "a" in stack) or (tag in _FORMATTING and stack.count(tag) >= 3):
                return None
            attributes = m.group(3)
            if attributes or tag == "a":
                cleaned = _clean_attributes(tag, attributes)
                if cleaned is None:
                    return None
                out.append(f"<{tag}{cleaned}>")
            else:
                out.append(m.group(0))
            if tag not in _VOID:
                stack.append(tag)
                parent = tag
        else:  # end tag
            if m.group(4) != parent or not parent:
                return None
            stack.pop()
            parent = stack[-1]
            out.append(m.group(0))
    if pos != len(html) or parent:
        return None
    return "".join(out)


_local = threading.local()


def _fenced_code_extension() -> markdown.Extension:
    """Markdown's fenced code blocks, without Pygments.

    ``fenced_code`` imports its ``codehilite`` module, which imports Pygments if it is
    installed (the test tools install it): lexer tables held for highlighting the player
    never does (codehilite is not enabled, so code comes out as
    ``<pre><code class="language-x">`` either way). A ``None`` entry in ``sys.modules``
    makes that optional import fail as if Pygments were not installed."""
    hide = "pygments" not in sys.modules
    if hide:
        sys.modules["pygments"] = None  # type: ignore[assignment]
    try:
        from markdown.extensions.fenced_code import FencedCodeExtension
    finally:
        if hide:
            del sys.modules["pygments"]
    return FencedCodeExtension()


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
                _fenced_code_extension(),
                SaneListExtension(),
            ],
            output_format="html",
        )
        _local.converter = converter
    return converter


def render_markdown_html(text: str) -> str:
    """Any course Markdown (a slide, a question, feedback, an explanation) as safe HTML.
    Relative paths are read as written in a lesson file (``lessons/<id>.md``)."""
    return _render(text, allow_without_nh3=True)


def _markdown(text: str) -> str:
    """python-markdown's HTML for ``text``, not cleaned yet."""
    converter = _converter()
    converter.reset()
    return converter.convert(text)


def _render(text: str, *, allow_without_nh3: bool) -> str:
    """``allow_without_nh3=False`` always cleans with nh3 (the tests compare the two)."""
    html = _markdown(text)
    # Without a '<' the source holds no HTML of its author's (python-markdown writes raw
    # HTML only from a '<': HTML blocks, inline HTML, autolinks). Its HTML is checked all
    # the same, and whatever the check does not accept is cleaned by nh3.
    cleaned = _clean_without_nh3(html) if allow_without_nh3 and "<" not in text else None
    if cleaned is None:
        cleaned = _cleaner().clean(html)
    # An image whose source was refused would show as a broken picture: drop it.
    return _IMG_WITHOUT_SRC_RE.sub("", cleaned)


def render_slide_html(slide: Slide) -> str:
    """The slide's body as a safe HTML fragment. Quiz and speaker-notes blocks are not in
    the body (the parser took them out), so they are never shown to learners here."""
    return render_markdown_html(slide.body)
