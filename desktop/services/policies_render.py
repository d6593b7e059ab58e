"""From a policy's source and answers to Markdown, a preview, HTML and PDF.

- The source (Markdown + Jinja2) is rendered only through the sandbox
  (:func:`desktop.domain.sandbox.render_untrusted`), with every answer the policy may
  use in the context: blank answers become :class:`~desktop.domain.policy_text.Missing`
  markers, so an unanswered variable is found and blocks the export instead of
  silently printing nothing.
- Markdown becomes HTML with python-markdown and is then cleaned with nh3: whatever the
  template or an answer contains, no script, style, image, frame or form survives, and
  links keep only ``http(s)`` and ``mailto``. The only image in an export is the logo,
  embedded as a ``data:`` URI, so the PDF renderer's fetcher never reads a file.
- PDF goes through :func:`desktop.integrations.pdf.render_pdf` (WeasyPrint in a worker
  process with a fetcher that serves only ``data:`` URIs and the asset folder).
"""

from __future__ import annotations

import base64
import html
import re
import threading
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import markdown
import nh3
from markdown.extensions.sane_lists import SaneListExtension
from markdown.extensions.tables import TableExtension

from desktop.domain.policy import JURISDICTIONS, Facts, Questionnaire
from desktop.domain.policy_text import (
    MISSING_RE,
    VARIABLE_RE,
    Missing,
    Placeholder,
    find_placeholders,
    format_date,
    headings,
)
from desktop.domain.sandbox import Limits, TemplateProblem, render_untrusted

# A table of contents is worth its space from this many sections on.
TOC_MIN_SECTIONS = 4
LOGO_MAX_BYTES = 2_000_000
POLICY_LIMITS = Limits(max_seconds=2.0)

_PROFILE_KEYS = {
    "name": "company_name",
    "legal_name": "legal_name",
    "address": "address",
    "email": "email",
    "phone": "phone",
    "website": "website",
    "currency": "currency",
}
# Sentinels around rendered variables in a preview (private-use characters: never typed).
_VAR_OPEN, _VAR_CLOSE = "\ue000", "\ue001"


class ExportBlocked(Exception):  # noqa: N818 (a state the user meets)
    """The policy cannot be exported yet; ``problems`` lists what to fix."""

    def __init__(self, problems: Sequence[str]) -> None:
        self.problems = tuple(problems)
        n = len(self.problems)
        self.user_message = (
            f"The policy cannot be exported yet ({n} thing{'s' if n != 1 else ''} to fix):\n- "
            + "\n- ".join(self.problems)
        )
        super().__init__(self.user_message)


class LogoProblem(ValueError):  # noqa: N818 (a problem for the user)
    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


def build_context(
    questionnaire: Questionnaire,
    answers: Mapping[str, Any],
    profile: Mapping[str, Any],
    jurisdictions: Sequence[str],
    *,
    effective_date: str | None,
    version: int,
) -> dict[str, Any]:
    """What a policy template sees: ``company``, every question's answer (None when the
    question is closed, :class:`Missing` when it is open and unanswered), a flag per
    jurisdiction, ``effective_date`` (1 March 2027) and ``version``."""
    company: dict[str, Any] = {}
    for key, profile_key in _PROFILE_KEYS.items():
        value = profile.get(profile_key)
        company[key] = Missing(f"company.{key}") if _blank(value) else value
    facts = Facts(dict(answers), dict(profile), frozenset(jurisdictions))
    open_ids = {q.id for q in questionnaire.open_questions(facts)}
    context: dict[str, Any] = {"company": company}
    for q in questionnaire.questions():
        if q.id not in open_ids:
            context[q.id] = None
            continue
        value = answers.get(q.id)
        context[q.id] = Missing(q.id) if value is None or value == "" else value
    for jurisdiction in JURISDICTIONS:
        context[jurisdiction] = jurisdiction in jurisdictions
    context["jurisdictions"] = list(jurisdictions)
    context["effective_date"] = (
        format_date(date.fromisoformat(effective_date))
        if effective_date
        else Missing("effective_date")
    )
    context["version"] = version
    return context


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


@dataclass(frozen=True, slots=True)
class Rendering:
    """A policy's text with its answers in, and what stops it from being exported."""

    markdown: str  # rendered; "" when the template could not be rendered
    placeholders: tuple[Placeholder, ...] = ()
    problem: str = ""  # the sandbox's message when rendering failed
    problem_line: int | None = None
    missing_variables: frozenset[str] = field(default_factory=frozenset)
    unsafe: tuple[str, ...] = ()  # markup that would load something: refused, never fetched

    @property
    def exportable(self) -> bool:
        return not self.problem and not self.placeholders and not self.unsafe

    def blockers(self) -> list[str]:
        if self.problem:
            return [f"The template cannot be rendered: {self.problem}"]
        return [f"Unfilled placeholder {p}" for p in self.placeholders] + [
            f"{u} — policies may not load files, images or web pages; remove it."
            for u in self.unsafe
        ]


def render_source(source: str, context: Mapping[str, Any]) -> Rendering:
    """Render the source in the sandbox and find every unfilled placeholder."""
    try:
        text = render_untrusted(source, context, limits=POLICY_LIMITS)
    except TemplateProblem as exc:
        return Rendering("", (), exc.user_message, exc.line)
    placeholders = find_placeholders(source, text)
    missing = frozenset(m.group(1) for m in MISSING_RE.finditer(text))
    return Rendering(
        text, tuple(placeholders), missing_variables=missing, unsafe=tuple(unsafe_markup(text))
    )


# Markup that makes a renderer fetch something. nh3 removes it from every export anyway;
# finding it first lets the user hear why instead of losing it silently.
_LOADING_RE = re.compile(
    r"<\s*(?:img|script|style|iframe|frame|link|object|embed|svg|video|audio|source|picture"
    r"|base|meta|form|input)\b[^>]*>?|\burl\s*\(|@import\b|\b(?:src|srcset|href)\s*=\s*[\"']?"
    r"\s*(?:file|ftp|data|javascript):",
    re.I,
)


def unsafe_markup(text: str) -> list[str]:
    """Snippets of ``text`` that would make a renderer load a file or a URL."""
    found: list[str] = []
    for match in _LOADING_RE.finditer(text):
        snippet = match.group(0).strip()
        snippet = snippet if len(snippet) <= 60 else snippet[:57] + "…"
        if snippet not in found:
            found.append(snippet)
    return found


def mark_variables(source: str) -> str:
    """The source with every simple variable wrapped in sentinels, so a preview can show
    which words came from answers."""
    return VARIABLE_RE.sub(lambda m: f"{_VAR_OPEN}{m.group(0)}{_VAR_CLOSE}", source)


# -- Markdown to safe HTML -----------------------------------------------------------

_TAGS = {
    "a", "b", "blockquote", "br", "code", "em", "h1", "h2", "h3", "h4", "hr", "i", "li",
    "ol", "p", "pre", "strong", "table", "tbody", "td", "th", "thead", "tr", "ul", "del",
    "sup", "sub",
}  # fmt: skip
_DROP = {
    "script", "style", "iframe", "object", "embed", "template", "noscript", "svg", "math",
    "textarea", "select", "button", "form", "video", "audio", "canvas", "title", "link",
    "meta", "base", "img", "picture", "source",
}  # fmt: skip
_CLEANER = nh3.Cleaner(
    tags=_TAGS,
    clean_content_tags=_DROP,
    attributes={"a": {"href", "title"}, "th": {"align"}, "td": {"align"}},
    url_schemes={"http", "https", "mailto"},
    strip_comments=True,
    link_rel="noopener noreferrer",
)
_local = threading.local()
_H_RE = re.compile(r"<h([12])>(.*?)</h\1>", re.S)


def _converter() -> markdown.Markdown:
    converter: markdown.Markdown | None = getattr(_local, "converter", None)
    if converter is None:
        converter = markdown.Markdown(
            extensions=[TableExtension(use_align_attribute=True), SaneListExtension()],
            output_format="html",
        )
        _local.converter = converter
    return converter


def markdown_to_html(text: str) -> str:
    """Policy Markdown as inert HTML, ``##`` headings given ids (``s-1``...) for the TOC."""
    converter = _converter()
    converter.reset()
    cleaned = _CLEANER.clean(converter.convert(text))
    counter = iter(range(1, 10_000))

    def number(m: re.Match[str]) -> str:
        if m.group(1) == "1":
            return m.group(0)
        return f'<h2 id="s-{next(counter)}">{m.group(2)}</h2>'

    return _H_RE.sub(number, cleaned)


def preview_html(rendered_marked: str) -> str:
    """HTML for the editor's live preview: values from answers highlighted, missing
    ones in red."""
    body = markdown_to_html(rendered_marked)
    body = MISSING_RE.sub(lambda m: f'<span class="missing">{html.escape(m.group(1))}</span>', body)
    return body.replace(_VAR_OPEN, '<span class="var">').replace(_VAR_CLOSE, "</span>")


def strip_sentinels(text: str) -> str:
    return text.replace(_VAR_OPEN, "").replace(_VAR_CLOSE, "")


# -- logo ----------------------------------------------------------------------------

_IMAGE_TYPES = (
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
    (b"GIF87a", "image/gif"),
    (b"GIF89a", "image/gif"),
)


def check_logo(path: Path) -> str:
    """The logo at ``path`` as a ``data:`` URI; :class:`LogoProblem` says what is wrong.
    Only PNG, JPEG and GIF: an SVG could ask for other files."""
    try:
        size = path.stat().st_size
    except OSError as exc:
        raise LogoProblem(
            f"The logo {path} cannot be read ({exc.strerror}). Choose the logo again."
        ) from exc
    if size > LOGO_MAX_BYTES:
        raise LogoProblem(
            f"The logo {path.name} is {size / 1e6:.1f} MB; use an image under "
            f"{LOGO_MAX_BYTES / 1e6:.0f} MB."
        )
    data = path.read_bytes()
    for magic, mime in _IMAGE_TYPES:
        if data.startswith(magic):
            return f"data:{mime};base64,{base64.b64encode(data).decode('ascii')}"
    raise LogoProblem(f"The logo {path.name} is not a PNG, JPEG or GIF image. Choose another file.")


# -- documents -----------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DocumentMeta:
    title: str
    company: str
    version: int
    effective_date: str | None  # ISO
    approved: bool
    logo_uri: str | None = None


def footer_text(meta: DocumentMeta) -> str:
    when = (
        format_date(date.fromisoformat(meta.effective_date)) if meta.effective_date else "not set"
    )
    return f"{meta.company} · {meta.title} · Version {meta.version} · Effective {when}"


def html_document(rendered: str, meta: DocumentMeta, stylesheet: str) -> str:
    """A complete HTML document: letterhead with logo and company name, the title, the
    version and effective date line (repeated in every PDF page's footer), a table of
    contents for long policies, then the policy."""
    body = markdown_to_html(rendered)
    titles = headings(rendered)
    toc = ""
    if len(titles) >= TOC_MIN_SECTIONS:
        items = "".join(
            f'<li><a href="#s-{n}">{html.escape(t)}</a></li>' for n, t in enumerate(titles, 1)
        )
        toc = f'<nav class="toc"><h2 class="toc-title">Contents</h2><ol>{items}</ol></nav>'
    meta_line = f'<p class="meta">{html.escape(footer_text(meta))}</p>'
    if not meta.approved:
        meta_line += (
            '<p class="draft-mark">Draft — not yet approved. Do not publish this version.</p>'
        )
    if "</h1>" in body:
        head, rest = body.split("</h1>", 1)
        body = f"{head}</h1>{meta_line}{toc}{rest}"
    else:
        body = f"{meta_line}{toc}{body}"
    logo = (
        f'<img class="logo" src="{html.escape(meta.logo_uri, quote=True)}" alt="">'
        if meta.logo_uri
        else ""
    )
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        f"<title>{html.escape(meta.title)} — {html.escape(meta.company)}</title>"
        f"<style>{stylesheet}</style></head><body>"
        f'<header class="doc-head">{logo}<div class="company">{html.escape(meta.company)}</div>'
        f"</header>{body}</body></html>\n"
    )


def markdown_document(rendered: str, meta: DocumentMeta) -> str:
    """The Markdown export: the policy and its version line."""
    text = rendered.rstrip() + "\n\n---\n\n" + footer_text(meta) + "\n"
    if not meta.approved:
        text += "\n*Draft — not yet approved.*\n"
    return text
