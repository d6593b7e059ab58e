"""Presenting: decks from the library's courses, each slide's HTML for the two screens,
and handouts (slides with notes, or slides only) as PDF.

All HTML goes through the lesson player's sanitiser (:mod:`desktop.services.rendering`):
whatever a course author wrote, the audience screen and the handout get inert HTML whose
images come only from the course folder. What the room sees is built *without* the
speaker notes, which are only in :attr:`SlideHtml.notes` (the presenter's screen) and in
the "with notes" handout.

Nothing here records learning progress: a trainer presenting a lesson is not studying it.
"""

from __future__ import annotations

import html
import logging
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from desktop.domain.course import Course, Question, QuestionKind
from desktop.domain.presenting import (
    Deck,
    DeckSlide,
    PresentingError,
    Scope,
    build_deck,
    format_duration,
)
from desktop.integrations.pdf import PdfProblem, render_pdf_report
from desktop.services.course_library import LessonChangedError, with_content
from desktop.services.rendering import render_markdown_html, render_slide_html

log = logging.getLogger(__name__)

__all__ = [
    "DeckRenderer",
    "HandoutResult",
    "PdfProblem",
    "SlideHtml",
    "deck_for",
    "export_handout",
    "handout_html",
]

KIND_HINT = {
    QuestionKind.SINGLE: "Choose one answer",
    QuestionKind.MULTIPLE: "Choose every answer that applies",
    QuestionKind.TEXT: "Write your answer",
    QuestionKind.ORDERING: "Put these in the right order",
}


def deck_for(course: Course, scope: Scope, target_id: str | None = None) -> Deck:
    """The deck to present (see :func:`desktop.domain.presenting.build_deck`), with the
    text of the lessons it holds read from their files (a library keeps outlines).
    :class:`PresentingError` if one of them changed since the library read it."""
    try:
        return build_deck(with_content(course), scope, target_id)
    except LessonChangedError as changed:
        raise PresentingError(changed.user_message) from changed


@dataclass(frozen=True, slots=True)
class SlideHtml:
    """One slide's HTML fragments (all sanitised)."""

    title: str  # plain text
    body: str  # the slide, for both screens
    has_heading: bool  # the body opens with a heading (no need to show the title)
    quiz: str  # the questions as the room sees them before the answer
    quiz_revealed: str  # the questions with the right answers and explanations
    notes: str  # speaker notes: the presenter's screen only
    answers: str  # the answers, for the presenter's screen


def _letter(i: int) -> str:
    return chr(ord("A") + i) if i < 26 else str(i + 1)


def _inline(text: str) -> str:
    """Course Markdown as safe inline HTML (one paragraph's content)."""
    rendered = render_markdown_html(text).strip()
    if rendered.startswith("<p>") and rendered.endswith("</p>") and rendered.count("<p>") == 1:
        return rendered[3:-4]
    return rendered


def question_html(question: Question, *, revealed: bool, number: int = 0) -> str:
    """A question as the room sees it; with ``revealed`` the right answer is marked and
    the explanation follows."""
    parts = [f'<p class="qkind">{html.escape(KIND_HINT[question.kind])}</p>']
    prefix = f"{number}. " if number else ""
    parts.append(f'<p class="qprompt">{html.escape(prefix)}{_inline(question.prompt)}</p>')
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        rows = []
        for i, choice in enumerate(question.choices):
            mark = ""
            css = "choice"
            if revealed and choice.correct:
                mark, css = " ✓", "choice correct"
            elif revealed:
                css = "choice wrong"
            rows.append(
                f'<tr><td class="letter">{_letter(i)}</td>'
                f'<td class="{css}">{_inline(choice.text)}{mark}</td></tr>'
            )
        parts.append(f'<table class="choices">{"".join(rows)}</table>')
    elif question.kind is QuestionKind.ORDERING:
        items = list(question.items) if revealed else question.shuffled_items()
        css = "items correct" if revealed else "items"
        parts.append(
            f'<ol class="{css}">' + "".join(f"<li>{_inline(t)}</li>" for t in items) + "</ol>"
        )
    elif revealed and question.answers:
        # The first accepted answer; the other spellings are for grading, not for the room.
        parts.append(f'<p class="correct">Answer: {html.escape(question.answers[0])} ✓</p>')
    else:
        parts.append('<p class="blank">__________________</p>')
    if revealed and question.explanation:
        parts.append(f'<div class="explanation">{render_markdown_html(question.explanation)}</div>')
    return f'<div class="question">{"".join(parts)}</div>'


def answer_html(question: Question) -> str:
    """The right answer in one line, for the presenter."""
    if question.kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        right = [
            f"{_letter(i)}. {_inline(c.text)}" for i, c in enumerate(question.choices) if c.correct
        ]
        answer = "; ".join(right)
    elif question.kind is QuestionKind.ORDERING:
        answer = " → ".join(_inline(t) for t in question.items)
    else:
        answer = " · ".join(html.escape(a) for a in question.answers)
    text = f"<p><b>{_inline(question.prompt)}</b><br/>{answer}</p>"
    if question.explanation:
        text += f"<p>{_inline(question.explanation)}</p>"
    return text


class DeckRenderer:
    """Each slide's HTML, rendered when first asked and kept (a slide shown again, or
    previewed as "next" before it is current, is not rendered twice)."""

    def __init__(self, deck: Deck) -> None:
        self.deck = deck
        self._cache: dict[int, SlideHtml] = {}

    def slide(self, index: int) -> SlideHtml:
        cached = self._cache.get(index)
        if cached is not None:
            return cached
        item = self.deck.slides[index]
        rendered = _render(item)
        self._cache[index] = rendered
        return rendered


def _render(item: DeckSlide) -> SlideHtml:
    body = render_slide_html(item.slide)
    has_heading = body.lstrip().startswith(("<h1", "<h2"))
    questions = item.slide.questions
    numbered = len(questions) > 1
    return SlideHtml(
        title=item.slide.title,
        body=body,
        has_heading=has_heading,
        quiz="".join(
            question_html(q, revealed=False, number=i + 1 if numbered else 0)
            for i, q in enumerate(questions)
        ),
        quiz_revealed="".join(
            question_html(q, revealed=True, number=i + 1 if numbered else 0)
            for i, q in enumerate(questions)
        ),
        notes=render_markdown_html(item.notes) if item.notes else "",
        answers="".join(answer_html(q) for q in questions),
    )


# -- handouts --------------------------------------------------------------------------

HANDOUT_CSS = """
@page { size: A4; margin: 16mm 16mm 18mm 16mm;
        @bottom-left { content: string(deck); font: 8pt "DejaVu Sans", sans-serif;
                       color: #5D6679; }
        @bottom-right { content: "Page " counter(page) " of " counter(pages);
                        font: 8pt "DejaVu Sans", sans-serif; color: #5D6679; } }
html { font: 10.5pt/1.45 "DejaVu Serif", Georgia, serif; color: #1D2433; }
h1, h2, h3, h4, .eyebrow, .qkind, .meta, .notes-label, th {
    font-family: "DejaVu Sans", Arial, sans-serif; }
.cover { string-set: deck content(); }
header.handout { border-bottom: 2px solid #4F46E5; padding-bottom: 6mm; margin-bottom: 8mm; }
header.handout h1 { font-size: 20pt; margin: 0 0 2mm 0; }
header.handout .meta { color: #5D6679; font-size: 9pt; margin: 0; }
section.slide { break-inside: avoid; margin-bottom: 7mm; }
section.slide.only { }
.frame { border: 1px solid #D0D5DD; border-radius: 3mm; padding: 6mm 8mm;
         background: #FFFFFF; }
.eyebrow { font-size: 7.5pt; letter-spacing: 0.06em; text-transform: uppercase;
           color: #4F46E5; margin: 0 0 2mm 0; font-weight: 600; }
.frame h1 { font-size: 15pt; margin: 0 0 3mm 0; }
.frame h2 { font-size: 13pt; margin: 3mm 0 2mm 0; }
.frame h3 { font-size: 11.5pt; margin: 3mm 0 1.5mm 0; }
.frame p, .frame li { margin: 0 0 2mm 0; }
.frame img { max-width: 100%; max-height: 70mm; }
.frame table { border-collapse: collapse; margin: 2mm 0; font-size: 9.5pt; }
.frame th, .frame td { border: 1px solid #D0D5DD; padding: 1.5mm 2.5mm; }
.frame th { background: #F9FAFB; }
.frame pre, .frame code { font-family: "DejaVu Sans Mono", monospace; font-size: 9pt;
                          background: #F2F4F7; }
.frame blockquote { color: #5D6679; font-style: italic; margin: 2mm 6mm; }
.question { border-top: 1px dashed #D0D5DD; margin-top: 3mm; padding-top: 3mm; }
.qkind { font-size: 7.5pt; color: #5D6679; text-transform: uppercase; margin: 0 0 1mm 0; }
.qprompt { font-weight: bold; margin: 0 0 2mm 0; }
table.choices { border: none; margin: 0; }
table.choices td { border: none; padding: 0.5mm 2mm; }
td.letter { font-family: "DejaVu Sans", sans-serif; font-weight: bold; color: #4F46E5; }
td.correct, .correct { color: #067647; font-weight: bold; }
.explanation { color: #5D6679; font-size: 9.5pt; }
.notes { margin-top: 2.5mm; padding: 3mm 5mm; background: #FFFAEB;
         border-left: 3px solid #F79009; font-size: 9.5pt; }
.notes-label { font-size: 7.5pt; text-transform: uppercase; color: #B54708;
               font-weight: 600; margin: 0 0 1mm 0; }
.notes p { margin: 0 0 1.5mm 0; }
.lines { margin-top: 2.5mm; height: 26mm;
         background: repeating-linear-gradient(to bottom, transparent 0, transparent 6.2mm,
                                                #D0D5DD 6.2mm, #D0D5DD 6.5mm); }
"""


def handout_html(deck: Deck, *, with_notes: bool, made: datetime | None = None) -> str:
    """The handout as one HTML document for WeasyPrint.

    ``with_notes``: the trainer's copy — each slide with its speaker notes, its planned
    time and the quiz answers. Without: the room's copy — slides, questions without their
    answers, and lines to write on. Image paths are relative to the course folder (give
    the folder as the PDF renderer's ``assets``)."""
    renderer = DeckRenderer(deck)
    when = (made or datetime.now()).strftime("%d %B %Y").lstrip("0")
    kind = "Trainer's copy with speaker notes" if with_notes else "Handout"
    meta = [kind, f"{len(deck)} slides"]
    if deck.has_plan:
        meta.append(f"about {format_duration(deck.planned_seconds)}")
    meta.append(when)
    out = [
        "<!DOCTYPE html>",
        f'<html lang="{html.escape(deck.course.language)}"><head><meta charset="utf-8">',
        f"<title>{html.escape(deck.title)}</title><style>{HANDOUT_CSS}</style></head><body>",
        '<header class="handout">',
        f'<h1 class="cover">{html.escape(deck.title)}</h1>',
    ]
    if deck.subtitle:
        out.append(f'<p class="meta">{html.escape(deck.subtitle)}</p>')
    out.append(f'<p class="meta">{html.escape(" · ".join(meta))}</p></header>')
    for i, item in enumerate(deck.slides):
        rendered = renderer.slide(i)
        eyebrow = f"Slide {item.number} · {item.lesson.title}"
        if with_notes and item.planned_seconds:
            eyebrow += f" · {format_duration(item.planned_seconds)}"
        title = "" if rendered.has_heading else f"<h1>{html.escape(rendered.title)}</h1>"
        quiz = rendered.quiz_revealed if with_notes else rendered.quiz
        out.append(f'<section class="slide{"" if with_notes else " only"}">')
        out.append(f'<div class="frame"><p class="eyebrow">{html.escape(eyebrow)}</p>')
        out.append(f"{title}{rendered.body}{quiz}</div>")
        if with_notes and rendered.notes:
            out.append(
                f'<div class="notes"><p class="notes-label">Speaker notes</p>{rendered.notes}</div>'
            )
        elif not with_notes:
            out.append('<div class="lines"></div>')
        out.append("</section>")
    out.append("</body></html>")
    return "\n".join(out)


@dataclass(frozen=True, slots=True)
class HandoutResult:
    path: Path
    size_bytes: int
    left_out: tuple[str, ...]  # images the renderer refused (outside the course folder)


def export_handout(deck: Deck, target: Path, *, with_notes: bool) -> HandoutResult:
    """Write the handout PDF to ``target`` (atomically: a failed export never leaves a
    half-written file, nor replaces an older handout). Blocking: run it in a task.
    Raises :class:`PdfProblem` (with a message for the user) or ``OSError``."""
    root = deck.course.root
    report = render_pdf_report(handout_html(deck, with_notes=with_notes), assets=root)
    target = target if target.suffix.lower() == ".pdf" else target.with_suffix(".pdf")
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=".handout-", suffix=".pdf", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(report.data)
        Path(tmp).replace(target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    log.info("handout written: %s (%d bytes)", target, len(report.data))
    return HandoutResult(target, len(report.data), report.refused)
