"""Full-text search across every slide of every course (SQLite FTS5).

Each slide is indexed with its course, lesson and slide titles and its text: the body
with Markdown syntax stripped, plus the prompts of its quiz questions. Speaker notes are
never indexed (they are for the presenter, not the audience).

Whatever the user types is turned into a safe FTS5 expression: every term is quoted (no
operators, no syntax errors), "quoted phrases" stay phrases, and the last term matches as
a prefix so results appear while typing.
"""

from __future__ import annotations

import html
import logging
import re
import sqlite3
import unicodedata
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from desktop.domain.course import Course, Slide
from desktop.domain.digests import sha256
from desktop.services.course_library import LessonChangedError, with_content
from desktop.storage import search_index as repo
from desktop.storage.database import Database

log = logging.getLogger(__name__)

# Bump when what is indexed, or how text is prepared, changes: every course is then
# indexed again once.
INDEX_FORMAT = "1"

MAX_RESULTS = 200
MAX_QUERY_TERMS = 16
MAX_QUERY_CHARS = 512

# Match markers for snippets: private-use characters, removed from indexed text, so they
# can only come from FTS5 and survive HTML escaping untouched.
_MARK_START = "\ue000"
_MARK_END = "\ue001"


@dataclass(frozen=True, slots=True)
class SearchHit:
    course_id: str
    lesson_id: str
    slide_id: str
    course_title: str
    lesson_title: str
    slide_title: str
    snippet_html: str  # escaped text; matched terms wrapped in <b>...</b>


class SearchService:
    def __init__(self, db: Database) -> None:
        self._db = db

    def index_course(self, course: Course) -> bool:
        """Index every slide of ``course``, replacing what was indexed for it before.

        Skipped (returns False) when the course's content is unchanged since it was last
        indexed; otherwise the course's slides are swapped in one transaction. The text of
        a library's lessons (outlines) is read from their files only then. A lesson file
        changed since the library read it is not indexed (False): the next library read
        indexes it."""
        fingerprint = course_fingerprint(course)
        with self._db.read_session() as conn:
            if repo.fingerprint(conn, course.id) == fingerprint:
                return False
        try:
            slides = list(indexed_slides(with_content(course)))
        except LessonChangedError as changed:
            log.warning("not indexed for search: %s", changed)
            return False
        with self._db.session() as conn:
            repo.replace_course(conn, course.id, fingerprint, slides, datetime.now(UTC))
        return True

    def needs_index(self, course_id: str, stamp: str) -> bool:
        """Whether a course read from files with this stamp (``Course.digest``) is not
        indexed as it is: the course library keeps its text for :meth:`index_course`."""
        with self._db.read_session() as conn:
            return repo.fingerprint(conn, course_id) != _files_fingerprint(course_id, stamp)

    def remove_course(self, course_id: str) -> None:
        with self._db.session() as conn:
            repo.remove_course(conn, course_id)

    def indexed_course_ids(self) -> set[str]:
        with self._db.read_session() as conn:
            return repo.course_ids(conn)

    def prune(self, keep: Iterable[str]) -> list[str]:
        """Remove every indexed course not in ``keep`` (courses gone from the library).
        Returns the ids removed."""
        gone = sorted(self.indexed_course_ids() - set(keep))
        if gone:
            with self._db.session() as conn:
                for course_id in gone:
                    repo.remove_course(conn, course_id)
        return gone

    def search(self, query: str, limit: int = 30) -> list[SearchHit]:
        """Slides matching the user's ``query``, best first. Never raises on odd input:
        text with nothing searchable in it gives no results."""
        expression = fts_query(query)
        if expression is None or limit <= 0:
            return []
        try:
            with self._db.read_session() as conn:
                matches = repo.search(
                    conn,
                    expression,
                    min(limit, MAX_RESULTS),
                    mark_start=_MARK_START,
                    mark_end=_MARK_END,
                )
        except sqlite3.OperationalError as exc:
            # fts_query quotes every term, so this should not happen; if it does, a search
            # box must still not crash the app.
            if "fts5" not in str(exc).lower():
                raise
            log.warning("search for %r failed: %s", query, exc)
            return []
        return [
            SearchHit(
                course_id=m.course_id,
                lesson_id=m.lesson_id,
                slide_id=m.slide_id,
                course_title=m.course_title,
                lesson_title=m.lesson_title,
                slide_title=m.slide_title,
                snippet_html=snippet_html(m.snippet),
            )
            for m in matches
        ]


# -- queries ---------------------------------------------------------------------------

_PHRASE = re.compile(r'"([^"]*)"')
_SEARCHABLE = re.compile(r"[^\W_]")  # a letter or digit: something the tokenizer keeps


def fts_query(text: str) -> str | None:
    """An FTS5 MATCH expression for user ``text``, or None if it holds nothing to search.

    Terms are ANDed. Each is quoted, so FTS5 operators and punctuation are plain text;
    balanced "double quotes" make a phrase; the last bare term is a prefix ("mark" finds
    "marketing")."""
    text = text[:MAX_QUERY_CHARS]
    text = "".join(ch if unicodedata.category(ch)[0] != "C" else " " for ch in text)
    terms: list[tuple[str, bool]] = []  # (text, is_phrase)
    position = 0
    for match in _PHRASE.finditer(text):
        terms.extend((word, False) for word in text[position : match.start()].split())
        terms.append((match.group(1), True))
        position = match.end()
    terms.extend((word, False) for word in text[position:].replace('"', " ").split())
    terms = [(t, phrase) for t, phrase in terms if _SEARCHABLE.search(t)][:MAX_QUERY_TERMS]
    if not terms:
        return None
    parts = ['"' + t.replace('"', '""') + '"' for t, _ in terms]
    if not terms[-1][1]:
        parts[-1] += "*"
    return " ".join(parts)


def snippet_html(snippet: str) -> str:
    """FTS5 snippet text -> safe HTML: everything escaped, matches in <b>...</b>."""
    escaped = html.escape(snippet, quote=False)
    return escaped.replace(_MARK_START, "<b>").replace(_MARK_END, "</b>")


# -- indexing --------------------------------------------------------------------------


def _files_fingerprint(course_id: str, stamp: str) -> str:
    return sha256(f"{INDEX_FORMAT}\x1f{course_id}\x1ffiles\x1f{stamp}".encode()).hexdigest()


def course_fingerprint(course: Course) -> str:
    """A hash of everything :func:`indexed_slides` reads from the course: of the files it
    was read from (``Course.digest``) when it was read from files, which does not need the
    slides' text an outline leaves out."""
    if course.digest:
        return _files_fingerprint(course.id, course.digest)
    h = sha256()  # not hashlib: it loads OpenSSL (see desktop.domain.digests)

    def put(value: str) -> None:
        h.update(value.encode("utf-8", "surrogatepass"))
        h.update(b"\x1f")

    put(INDEX_FORMAT)
    put(course.id)
    put(course.title)
    for lesson in course.lessons.values():
        put(lesson.id)
        put(lesson.title)
        for slide in lesson.slides:
            put(slide.id)
            put(slide.title)
            put(slide.body)
            for question in slide.questions:
                put(question.prompt)
        h.update(b"\x1e")
    return h.hexdigest()


def indexed_slides(course: Course) -> Iterator[repo.IndexedSlide]:
    course_title = _clean(course.title)
    for lesson in course.lessons.values():
        lesson_title = _clean(lesson.title)
        for slide in lesson.slides:
            yield repo.IndexedSlide(
                course.id,
                lesson.id,
                slide.id,
                course_title,
                lesson_title,
                _clean(slide.title),
                _slide_text(slide),
            )


def _slide_text(slide: Slide) -> str:
    body = markdown_to_text(slide.body)
    title = _clean(slide.title)
    if title and body.startswith(title):
        # The slide's heading is its title, indexed (and weighted) on its own; keeping it
        # in the body too would open every snippet with the title again.
        body = body[len(title) :].lstrip()
    parts = [body]
    parts.extend(markdown_to_text(q.prompt) for q in slide.questions)
    return " ".join(p for p in parts if p)


# Block syntax, matched against one stripped line at a time.
_HEADING = re.compile(r"#{1,6}(?:[ \t]+|$)")
_BLOCKQUOTE = re.compile(r"(?:>[ \t]?)+")
_LIST_MARKER = re.compile(r"(?:[-*+]|\d{1,9}[.)])[ \t]+(?:\[[ xX]\][ \t]+)?")
_RULE = re.compile(r"(?:=+|(?:[-*_][ \t]*){3,})")  # setext underline or thematic break
# Cells are separated by a mandatory "|", so the pattern cannot backtrack badly.
_TABLE_RULE = re.compile(r"\|?[ \t]*:?-+:?[ \t]*(?:\|[ \t]*:?-+:?[ \t]*)*\|?")
_LINK_DEFINITION = re.compile(r"\[[^\]]+\]:[ \t]*\S")
_BLOCK_PREFIXES = {"#": _HEADING, ">": _BLOCKQUOTE}
# Inline syntax.
# No brackets inside brackets: keeps every pattern linear on hostile text ("[[[[...").
_IMAGE = re.compile(r"!\[([^\[\]]*)\]\([^()]*\)")
_INLINE_LINK = re.compile(r"\[([^\[\]]*)\]\([^()]*\)")
_REF_LINK = re.compile(r"\[([^\[\]]+)\]\[[^\[\]]*\]")
_AUTOLINK = re.compile(r"<((?:https?|mailto|ftp):[^>\s]*)>")
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>")
_ESCAPE = re.compile(r"\\([!-/:-@\[-`{-~])")
_UNDERSCORES = re.compile(r"(?<!\w)_+|_+(?!\w)")  # emphasis, not snake_case
_DROP = str.maketrans({"*": None, "`": None, "|": " "})
_PARKED = 0xF000  # escaped ASCII punctuation c is parked at U+F000 + ord(c)
_PARKED_CHAR = re.compile("[\uf000-\uf07f]")


def markdown_to_text(markdown: str) -> str:
    """Plain text of Markdown for the index: syntax removed, words kept (link and image
    texts, code, table cells), whitespace collapsed. Deliberately simple (and fast: it
    runs over every slide of every course): good enough for matching and snippets, not
    for display."""
    if "<!--" in markdown:
        markdown = _without_comments(markdown)
    lines = [t for t in map(_block_text, markdown.splitlines()) if t]
    text = " ".join(lines)
    parked = 0
    if "\\" in text:  # backslash-escaped punctuation is text, not syntax: park it
        text, parked = _ESCAPE.subn(lambda m: chr(_PARKED + ord(m.group(1))), text)
    if "[" in text:
        text = _IMAGE.sub(r"\1", text)
        text = _INLINE_LINK.sub(r"\1", text)
        text = _REF_LINK.sub(r"\1", text)
    if "<" in text:
        text = _AUTOLINK.sub(r"\1", text)
        text = _HTML_TAG.sub(" ", text)
    if "_" in text:
        text = _UNDERSCORES.sub("", text)
    text = text.replace("~~", "").translate(_DROP)
    if parked:
        text = _PARKED_CHAR.sub(lambda m: chr(ord(m.group(0)) - _PARKED), text)
    if "&" in text:
        text = html.unescape(text)
    return _clean(text)


def _without_comments(text: str) -> str:
    """Drop HTML comments (an unclosed one runs to the end, as in HTML). A loop rather
    than a regex: ``<!--.*?-->`` is quadratic on text full of unclosed comments."""
    kept: list[str] = []
    position = 0
    while (start := text.find("<!--", position)) != -1:
        kept.append(text[position:start])
        end = text.find("-->", start + 4)
        if end == -1:
            return " ".join(kept)
        position = end + 3
    kept.append(text[position:])
    return " ".join(kept)


def _block_text(raw: str) -> str:
    """One line of Markdown without its block syntax ("" for lines that are only syntax:
    code fences, rules, link definitions, table separators)."""
    line = raw.strip()
    if not line:
        return ""
    first = line[0]
    if first in "`~" and line.startswith(("```", "~~~")):
        return ""  # a code fence line; the code between fences is kept
    if first in "-*_=" and _RULE.fullmatch(line):
        return ""
    if first == "[" and _LINK_DEFINITION.match(line):
        return ""
    if "|" in line and "-" in line and _TABLE_RULE.fullmatch(line):
        return ""
    block = _BLOCK_PREFIXES.get(first)
    if block is not None and (m := block.match(line)):
        line = line[m.end() :]
    if line and (line[0] in "-*+" or line[0].isdigit()) and (m := _LIST_MARKER.match(line)):
        line = line[m.end() :]
    return line


def _clean(text: str) -> str:
    if _MARK_START in text or _MARK_END in text:
        text = text.replace(_MARK_START, " ").replace(_MARK_END, " ")
    return " ".join(text.split())
