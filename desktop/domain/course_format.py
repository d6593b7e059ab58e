"""The Playbook course format: pure parsing from text to the course model.

A course is a folder with a ``course.toml`` manifest and one Markdown file per lesson in
``lessons/<lesson-id>.md`` (see ``docs/course-format.md``). This module turns the *text*
of those files into :mod:`desktop.domain.course` objects and :class:`Problem` reports.
It never touches the file system: ``desktop/services/course_library.py`` reads the
files, enforces size limits and checks that referenced files exist.

Every problem carries the file, the line, what is wrong and how to fix it, and parsing
goes on after a problem so that an author sees every problem at once.
"""

from __future__ import annotations

import re
import tomllib
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from pathlib import Path
from typing import Any, Literal
from urllib.parse import unquote, urlsplit

import yaml

from desktop.domain.course import (
    Choice,
    CompletionKind,
    Course,
    CourseCompletion,
    CourseCompletionKind,
    Lesson,
    LessonCompletion,
    Module,
    Question,
    QuestionKind,
    Slide,
)

FORMAT_VERSION = 1
MANIFEST_NAME = "course.toml"
LESSONS_DIR = "lessons"
LESSON_SUFFIX = ".md"

MIB = 1024 * 1024
MAX_MANIFEST_BYTES = 256 * 1024
MAX_LESSON_BYTES = 1 * MIB
MAX_IMAGE_BYTES = 5 * MIB
MAX_LESSONS = 2000
MAX_ID_LENGTH = 64
IMAGE_SUFFIXES = frozenset({".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"})

Severity = Literal["error", "warning"]
_QUOTED = '"..."'


# --------------------------------------------------------------------------- problems


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong (``error``) or worth a look (``warning``) in a course file.

    ``line`` is 1-based; 0 means the problem concerns the whole file."""

    path: Path
    line: int
    message: str
    hint: str = ""
    severity: Severity = "error"

    @property
    def is_error(self) -> bool:
        return self.severity == "error"

    def __str__(self) -> str:
        where = f"{self.path}:{self.line}" if self.line > 0 else str(self.path)
        text = f"{where}: {self.severity}: {self.message.rstrip('.')}."
        if self.hint:
            text += f" Fix: {self.hint}"
        return text


class CourseFormatError(Exception):
    """A course could not be loaded; ``problems`` lists every problem found (errors and
    warnings), in file and line order."""

    def __init__(self, problems: Iterable[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        errors = sum(1 for p in self.problems if p.is_error)
        super().__init__(f"{errors} error(s) in course")

    def __str__(self) -> str:
        return "\n".join(str(p) for p in self.problems) or "invalid course"


def has_errors(problems: Iterable[Problem]) -> bool:
    return any(p.is_error for p in problems)


def sort_problems(problems: Iterable[Problem]) -> list[Problem]:
    return sorted(problems, key=lambda p: (str(p.path), p.line))


# --------------------------------------------------------------------------- text


def decode_text(raw: bytes, path: Path) -> tuple[str | None, list[Problem]]:
    """UTF-8 bytes to text with ``\\n`` line ends (a leading BOM is tolerated)."""
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        return None, [
            Problem(
                path,
                line,
                f"the file is not UTF-8 text (byte 0x{raw[exc.start]:02x} cannot be read)",
                "save the file with the UTF-8 encoding (in most editors: Save As > "
                "Encoding > UTF-8).",
            )
        ]
    if text.startswith("\ufeff"):
        text = text[1:]
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    return text, []


# --------------------------------------------------------------------------- ids

_ID_RE = re.compile(r"^[^\W_][\w-]*$")
_SLUG_DROP_RE = re.compile(r"[^\w\s-]+")
_SLUG_JOIN_RE = re.compile(r"[\s_-]+")


def id_problem(value: str) -> str | None:
    """Why ``value`` is not a valid id, or ``None`` if it is one.

    Ids are lowercase letters (any script), digits, ``-`` and ``_``, start with a letter
    or digit, and are at most 64 characters long."""
    if not value:
        return "is empty"
    if len(value) > MAX_ID_LENGTH:
        return f"is longer than {MAX_ID_LENGTH} characters"
    if value != value.lower():
        return "has capital letters"
    if not _ID_RE.match(value):
        return "may only hold letters, digits, '-' and '_', and must start with a letter or digit"
    return None


def slugify(text: str) -> str:
    """The id a slide gets from its first heading: ``"Why it works!"`` -> ``why-it-works``."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _SLUG_DROP_RE.sub("", text)
    text = _SLUG_JOIN_RE.sub("-", text).strip("-")
    return text[:MAX_ID_LENGTH].rstrip("-")


# --------------------------------------------------------------------------- link targets


class TargetKind(StrEnum):
    ANCHOR = "anchor"  # "#section": a place on the same slide
    INTERNAL = "internal"  # a file inside the course folder
    REMOTE = "remote"  # http(s): kept as a link, never fetched
    CONTACT = "contact"  # mailto:, tel:
    FORBIDDEN = "forbidden"


@dataclass(frozen=True, slots=True)
class Target:
    """Where a link or image points. For ``INTERNAL`` targets, ``path`` is relative to the
    course folder (POSIX, percent-decoded, without ``?query`` or ``#fragment``)."""

    kind: TargetKind
    path: str = ""
    fragment: str = ""
    reason: str = ""


def classify_target(raw: str, base: str = LESSONS_DIR) -> Target:
    """Classify a link or image target written in a lesson. Relative paths are resolved
    against ``base`` (the lesson's folder, relative to the course folder), as a Markdown
    viewer on GitHub or GitLab does."""
    target = raw.strip()
    if target.startswith("<") and target.endswith(">"):
        target = target[1:-1].strip()
    if not target:
        return Target(TargetKind.FORBIDDEN, reason="the link target is empty")
    if "\\" in target:
        return Target(TargetKind.FORBIDDEN, reason="the path uses backslashes")
    if target.startswith("#"):
        return Target(TargetKind.ANCHOR, fragment=target[1:])
    if target.startswith("//"):
        return Target(TargetKind.FORBIDDEN, reason="the address has no https:// in front")
    try:
        parts = urlsplit(target)
    except ValueError:
        return Target(TargetKind.FORBIDDEN, reason="the address is malformed")
    scheme = parts.scheme.lower()
    if scheme:
        if len(scheme) == 1:
            return Target(TargetKind.FORBIDDEN, reason="it is an absolute path on a drive")
        if scheme in ("http", "https"):
            return Target(TargetKind.REMOTE)
        if scheme in ("mailto", "tel"):
            return Target(TargetKind.CONTACT)
        return Target(TargetKind.FORBIDDEN, reason=f"'{scheme}:' addresses are not allowed")
    path = unquote(parts.path)
    if path.startswith("/"):
        return Target(TargetKind.FORBIDDEN, reason="it is an absolute path")
    if not path:
        return Target(TargetKind.ANCHOR, fragment=parts.fragment)
    stack: list[str] = []
    for segment in f"{base}/{path}".split("/"):
        if segment in ("", "."):
            continue
        if segment == "..":
            if not stack:
                return Target(TargetKind.FORBIDDEN, reason="it points outside the course folder")
            stack.pop()
        else:
            stack.append(segment)
    if not stack:
        return Target(TargetKind.FORBIDDEN, reason="it points at the course folder itself")
    return Target(TargetKind.INTERNAL, path="/".join(stack), fragment=parts.fragment)


@dataclass(frozen=True, slots=True)
class FileReference:
    """A link or image in a lesson that points at a file inside the course; the library
    checks on disk that it exists, stays inside the course and is small enough."""

    line: int
    raw: str
    path: str  # relative to the course folder
    image: bool


# --------------------------------------------------------------------------- YAML helpers

_YamlLoader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


def _load_yaml(text: str) -> tuple[Any, yaml.Node | None]:
    """Parse one YAML document, keeping the node tree for line numbers."""
    loader = _YamlLoader(text)
    try:
        node = loader.get_single_node()
        data = loader.construct_document(node) if node is not None else None
    finally:
        loader.dispose()
    return data, node


def _yaml_problem(exc: yaml.YAMLError, path: Path, first_line: int, what: str) -> Problem:
    mark = getattr(exc, "problem_mark", None) or getattr(exc, "context_mark", None)
    line = first_line + mark.line if mark is not None else first_line
    reason = str(getattr(exc, "problem", None) or exc).strip()
    context = getattr(exc, "context", None)
    if context and "mapping values" not in reason:
        reason = f"{reason} ({context})"
    if "mapping values are not allowed" in reason:
        hint = (
            "either a value contains ': ' (put the whole value in double quotes, e.g. "
            'title: "Subject lines: the basics"), or the line is indented more than the '
            "line above it."
        )
    elif "'\\t'" in reason or "tab" in reason:
        hint = "indent with spaces; YAML does not allow tabs."
    else:
        hint = (
            "check the indentation (spaces only, items of a list start with '- ') and put "
            "text that contains ':' or '#' or starts with * & ! [ { > | in double quotes."
        )
    return Problem(path, line, f"{what} is not valid YAML: {reason}", hint)


def _key_lines(node: yaml.Node | None, first_line: int) -> dict[str, int]:
    """1-based file line of each key of a YAML mapping node."""
    if not isinstance(node, yaml.MappingNode):
        return {}
    return {
        str(key.value): first_line + key.start_mark.line
        for key, _value in node.value
        if isinstance(key, yaml.ScalarNode)
    }


def _child(node: yaml.Node | None, key: str) -> yaml.Node | None:
    if isinstance(node, yaml.MappingNode):
        for k, v in node.value:
            if isinstance(k, yaml.ScalarNode) and k.value == key and isinstance(v, yaml.Node):
                return v
    return None


def _items(node: yaml.Node | None) -> list[yaml.Node | None]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    return []


# --------------------------------------------------------------------------- field reading


class _Fields:
    """Typed access to a parsed mapping that reports wrong or missing values with the
    line of their key."""

    def __init__(
        self,
        data: Mapping[str, Any],
        lines: Mapping[str, int],
        path: Path,
        line: int,
        what: str,
        problems: list[Problem],
    ) -> None:
        self.data = data
        self.lines = lines
        self.path = path
        self.line = line
        self.what = what
        self.problems = problems
        self.assign = " = " if path.suffix == ".toml" else ": "  # how a key is set here

    def line_of(self, key: str) -> int:
        return self.lines.get(key, self.line)

    def sample(self, key: str, value: object) -> str:
        return f"{key}{self.assign}{value}"

    def _message(self, message: str) -> str:
        return f"{self.what}: {message}" if self.what else message

    def error(self, key: str | None, message: str, hint: str) -> None:
        line = self.line_of(key) if key else self.line
        self.problems.append(Problem(self.path, line, self._message(message), hint))

    def warn(self, key: str | None, message: str, hint: str) -> None:
        line = self.line_of(key) if key else self.line
        self.problems.append(
            Problem(self.path, line, self._message(message), hint, severity="warning")
        )

    def text(self, key: str, *, required: bool = False, example: str = "") -> str:
        if key not in self.data or self.data[key] is None:
            if required:
                self.error(None, f"'{key}' is missing", f"add a line like {example}.")
            return ""
        value = _as_text(self.data[key])
        if value is None:
            found = self.data[key]
            self.error(
                key,
                f"'{key}' must be text"
                + (
                    " (YAML reads yes, no, on, off, true and false as a yes/no value)"
                    if isinstance(found, bool)
                    else f", found {type(found).__name__}"
                ),
                f"write it in double quotes, e.g. {example or self.sample(key, _QUOTED)}.",
            )
            return ""
        if required and not value.strip():
            self.error(key, f"'{key}' is empty", f"write something, e.g. {example}.")
        return value.strip()

    def text_list(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key)
        if value is None:
            return ()
        if isinstance(value, str):
            return (value.strip(),) if value.strip() else ()
        if isinstance(value, list):
            out: list[str] = []
            for item in value:
                text = _as_text(item)
                if text is None:
                    self.error(
                        key,
                        f"every entry of '{key}' must be text, found {item!r}",
                        "write each entry in double quotes.",
                    )
                elif text.strip():
                    out.append(text.strip())
            return tuple(out)
        self.error(key, f"'{key}' must be a list of text", f'write {key} as ["first", "second"].')
        return ()

    def integer(self, key: str, *, minimum: int, default: int | None) -> int | None:
        value = self.data.get(key)
        if value is None:
            return default
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(
                key,
                f"'{key}' must be a whole number, found {value!r}",
                f"write a number without quotes, e.g. {self.sample(key, max(minimum, 1))}.",
            )
            return default
        if value < minimum:
            self.error(
                key, f"'{key}' must be at least {minimum}, found {value}", f"use {minimum} or more."
            )
            return default
        return value

    def boolean(self, key: str) -> bool:
        value = self.data.get(key, False)
        if isinstance(value, bool):
            return value
        if value is None:
            return False
        self.error(
            key,
            f"'{key}' must be true or false, found {value!r}",
            f"write {self.sample(key, 'true')} or {self.sample(key, 'false')}, without quotes.",
        )
        return False

    def claim_id(
        self,
        kind: str,
        value: str,
        seen: dict[str, int],
        *,
        within: str,
        example: str,
        twice_hint: str,
        line: int | None = None,
    ) -> None:
        """Check an author's ``kind`` id: well formed, and not already in ``seen`` (ids
        already taken, with their lines), where it is then recorded."""
        if why := id_problem(value):
            self.error("id", f"{kind} id '{value}' {why}", example)
        elif value in seen:
            self.error(
                "id",
                f"{kind} id '{value}' is used twice{within} (first at line {seen[value]})",
                twice_hint,
            )
        else:
            seen[value] = self.line_of("id") if line is None else line

    def unknown(self, known: Iterable[str]) -> None:
        allowed = set(known)
        for key in self.data:
            if key not in allowed:
                self.warn(
                    str(key),
                    f"unknown field '{key}' is ignored",
                    f"check the spelling; known fields: {', '.join(sorted(allowed))}.",
                )


def _as_text(value: Any) -> str | None:
    """Scalars as text; YAML's ``yes``/``no``/``true`` (booleans) are refused because their
    original spelling is lost."""
    if isinstance(value, bool):
        return None
    if isinstance(value, str):
        return value
    if isinstance(value, int | float):
        return str(value)
    return None


# --------------------------------------------------------------------------- manifest


@dataclass(frozen=True, slots=True)
class Manifest:
    """The parsed ``course.toml``. ``lesson_lines`` maps each lesson id to the line of
    ``course.toml`` where it is first listed (for problems about that lesson)."""

    id: str
    version: str
    title: str
    modules: tuple[Module, ...]
    summary: str = ""
    language: str = "en"
    authors: tuple[str, ...] = ()
    license: str = ""
    objectives: tuple[str, ...] = ()
    estimated_minutes: int = 0
    completion: CourseCompletion = field(default_factory=CourseCompletion)
    lesson_lines: Mapping[str, int] = field(default_factory=dict)

    @property
    def lesson_ids(self) -> tuple[str, ...]:
        """Every listed lesson id once, in module order."""
        return tuple(self.lesson_lines)


MANIFEST_KEYS = (
    "format",
    "id",
    "version",
    "title",
    "summary",
    "language",
    "authors",
    "license",
    "objectives",
    "estimated_minutes",
    "completion",
    "modules",
)
MODULE_KEYS = ("id", "title", "lessons")

_SEMVER_RE = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$"
)
_LANGUAGE_RE = re.compile(r"^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{2,8})*$")
_TOML_ERROR_RE = re.compile(r"\(at line (\d+), column (\d+)\)")
_TOML_KEY_RE = re.compile(r"""^\s*("[^"]*"|'[^']*'|[A-Za-z0-9_-]+)\s*=""")
_TOML_TABLE_RE = re.compile(r"^\s*\[\[?\s*([^\]]*?)\s*\]\]?")
_PERCENT_RE = re.compile(r"^percent\s+(\d+)\s*%?$")


def _toml_lines(text: str) -> tuple[dict[str, int], list[tuple[int, dict[str, int]]]]:
    """Lines of top-level keys and of each ``[[modules]]`` table and its keys. tomllib
    reports no positions, so this light scan gives problems a line number."""
    top: dict[str, int] = {}
    modules: list[tuple[int, dict[str, int]]] = []
    current: dict[str, int] | None = top
    for number, line in enumerate(text.split("\n"), start=1):
        table = _TOML_TABLE_RE.match(line)
        if table:
            if table.group(1) == "modules" and line.lstrip().startswith("[["):
                keys: dict[str, int] = {}
                modules.append((number, keys))
                current = keys
            else:
                current = None
            continue
        key = _TOML_KEY_RE.match(line)
        if key and current is not None:
            current.setdefault(key.group(1).strip("\"'"), number)
    return top, modules


def _find_line(lines: Sequence[str], start: int, needle: str) -> int:
    """First 1-based line at or after ``start`` holding the quoted string ``needle``."""
    quoted = (f'"{needle}"', f"'{needle}'")
    for index in range(max(start - 1, 0), len(lines)):
        if quoted[0] in lines[index] or quoted[1] in lines[index]:
            return index + 1
    return start


def parse_manifest(text: str, path: Path) -> tuple[Manifest | None, list[Problem]]:
    """Parse ``course.toml``. Returns ``None`` only when the file cannot be read as TOML at
    all; otherwise a manifest (possibly with placeholder values) plus every problem."""
    problems: list[Problem] = []
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = _TOML_ERROR_RE.search(str(exc))
        line = int(match.group(1)) if match else 0
        reason = _TOML_ERROR_RE.sub("", str(exc)).strip()
        problems.append(
            Problem(
                path,
                line,
                f"course.toml is not valid TOML: {reason}",
                'text values need double quotes (title = "My course"), lists use brackets '
                '(lessons = ["intro", "next"]) and each [[modules]] table starts on its own line.',
            )
        )
        return None, problems

    top_lines, module_lines = _toml_lines(text)
    text_lines = text.split("\n")
    fields = _Fields(data, top_lines, path, 1, "", problems)
    fields.unknown(MANIFEST_KEYS)

    format_version = fields.integer("format", minimum=1, default=FORMAT_VERSION)
    if format_version is not None and format_version > FORMAT_VERSION:
        fields.error(
            "format",
            f"this course uses format {format_version}; this Playbook reads format "
            f"{FORMAT_VERSION}",
            "update Playbook to open this course.",
        )

    course_id = fields.text("id", required=True, example='id = "email-subject-lines"')
    if course_id and (why := id_problem(course_id)):
        fields.error(
            "id",
            f"course id '{course_id}' {why}",
            'use lowercase words joined by hyphens, e.g. id = "email-subject-lines".',
        )
    version = fields.text("version", required=True, example='version = "1.0.0"')
    if version and not _SEMVER_RE.match(version):
        fields.error(
            "version",
            f"version '{version}' is not a semantic version",
            'write MAJOR.MINOR.PATCH, e.g. version = "1.2.0"; bump MAJOR when you move or '
            "remove questions.",
        )
    title = fields.text("title", required=True, example='title = "Writing subject lines"')
    summary = fields.text("summary")
    language = fields.text("language") or "en"
    if not _LANGUAGE_RE.match(language):
        fields.error(
            "language",
            f"language '{language}' is not a language code",
            'use a code such as "en", "de" or "pt-BR".',
        )
    authors = fields.text_list("authors")
    license_ = fields.text("license")
    objectives = fields.text_list("objectives")
    minutes = fields.integer("estimated_minutes", minimum=0, default=0) or 0
    completion = _course_completion(fields)
    modules, lesson_lines = _manifest_modules(data, fields, module_lines, text_lines)

    manifest = Manifest(
        id=course_id,
        version=version,
        title=title,
        modules=modules,
        summary=summary,
        language=language,
        authors=authors,
        license=license_,
        objectives=objectives,
        estimated_minutes=minutes,
        completion=completion,
        lesson_lines=lesson_lines,
    )
    return manifest, problems


def _course_completion(fields: _Fields) -> CourseCompletion:
    raw = fields.text("completion")
    if not raw:
        return CourseCompletion()
    rule = " ".join(raw.lower().split())
    if rule == CourseCompletionKind.ALL_LESSONS.value:
        return CourseCompletion()
    match = _PERCENT_RE.match(rule)
    if match and 1 <= int(match.group(1)) <= 100:
        return CourseCompletion(CourseCompletionKind.PERCENT, int(match.group(1)))
    fields.error(
        "completion",
        f"unknown course completion rule '{raw}'",
        'write completion = "all-lessons" or completion = "percent 80" (1 to 100).',
    )
    return CourseCompletion()


def _manifest_modules(
    data: Mapping[str, Any],
    fields: _Fields,
    module_lines: Sequence[tuple[int, dict[str, int]]],
    text_lines: Sequence[str],
) -> tuple[tuple[Module, ...], dict[str, int]]:
    raw_modules = data.get("modules")
    path = fields.path
    problems = fields.problems
    if not isinstance(raw_modules, list) or not raw_modules:
        fields.error(
            "modules" if "modules" in data else None,
            "the course has no modules",
            'add at least one module:\n[[modules]]\nid = "basics"\ntitle = "The basics"\n'
            'lessons = ["first-lesson"]',
        )
        return (), {}

    modules: list[Module] = []
    lesson_lines: dict[str, int] = {}
    module_seen: dict[str, int] = {}
    for index, raw in enumerate(raw_modules):
        header_line, keys = module_lines[index] if index < len(module_lines) else (1, {})
        if not isinstance(raw, dict):
            problems.append(
                Problem(path, header_line, f"module {index + 1} is not a table", "use [[modules]].")
            )
            continue
        mf = _Fields(raw, keys, path, header_line, f"module {index + 1}", problems)
        mf.unknown(MODULE_KEYS)
        module_id = mf.text("id", required=True, example='id = "basics"')
        if module_id:
            mf.what = f"module '{module_id}'"
            mf.claim_id(
                "module",
                module_id,
                module_seen,
                within="",
                example='use e.g. id = "the-basics".',
                twice_hint="give every module its own id.",
            )
        title = mf.text("title", required=True, example='title = "The basics"')
        lessons_raw = raw.get("lessons")
        lessons_line = mf.line_of("lessons")
        lesson_ids: list[str] = []
        if not isinstance(lessons_raw, list) or not lessons_raw:
            mf.error(
                "lessons" if "lessons" in raw else None,
                "the module lists no lessons",
                'add lessons = ["lesson-id", ...]; each id names a file lessons/<id>.md.',
            )
            lessons_raw = []
        cursor = lessons_line
        for lesson_id in lessons_raw:
            if not isinstance(lesson_id, str):
                mf.error(
                    "lessons",
                    f"lesson id {lesson_id!r} must be text",
                    'write lesson ids in double quotes: lessons = ["intro"].',
                )
                continue
            line = cursor = _find_line(text_lines, cursor, lesson_id)
            if why := id_problem(lesson_id):
                problems.append(
                    Problem(
                        path,
                        line,
                        f"lesson id '{lesson_id}' {why}",
                        "use lowercase words joined by hyphens and name the file lessons/<id>.md.",
                    )
                )
                continue
            if lesson_id in lesson_lines:
                problems.append(
                    Problem(
                        path,
                        line,
                        f"lesson '{lesson_id}' is listed twice (first at line "
                        f"{lesson_lines[lesson_id]})",
                        "list each lesson in exactly one module, once.",
                    )
                )
                continue
            lesson_lines[lesson_id] = line
            lesson_ids.append(lesson_id)
        modules.append(Module(id=module_id, title=title, lesson_ids=tuple(lesson_ids)))
    if len(lesson_lines) > MAX_LESSONS:
        fields.error(
            "modules",
            f"the course lists {len(lesson_lines)} lessons; the limit is {MAX_LESSONS}",
            "split it into several courses.",
        )
    return tuple(modules), lesson_lines


# --------------------------------------------------------------------------- lessons

# Only lines starting with one of these can be a fence, a slide break, an id or a heading.
_STRUCTURAL_STARTS = frozenset(" \t`~-<#=")
_FENCE_OPEN_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})\s*([^\s`{]*)")
_SLIDE_BREAK_RE = re.compile(r"^---[ \t]*$")
_FRONT_MATTER_END = ("---", "...")
_SLIDE_ID_RE = re.compile(r"^\s*<!--\s*id\s*:\s*(.*?)\s*-->\s*$")
_ATX_HEADING_RE = re.compile(r"^ {0,3}#{1,6}[ \t]+(.*?)(?:[ \t]+#+)?[ \t]*$")
_SETEXT_H1_RE = re.compile(r"^ {0,3}=+[ \t]*$")
_CODE_SPAN_RE = re.compile(r"(`+)(?:(?!\1).)+?\1")
_INLINE_TARGET_RE = re.compile(r"\]\(\s*(<[^>\n]*>|[^\s)]+)")
_REF_DEF_RE = re.compile(r"^ {0,3}\[[^\]]+\]:\s*(<[^>\n]*>|\S+)")
_HTML_ATTR_RE = re.compile(
    r"<(img|a|source|video|audio|iframe|embed|object|link)\b[^>]*?\s(src|href|data)\s*=\s*"
    r"(?:\"([^\"]*)\"|'([^']*)'|([^\s>]+))",
    re.IGNORECASE,
)
_AUTOLINK_RE = re.compile(r"<((?:https?|ftp|file|javascript|data):[^>\s]+)>", re.IGNORECASE)
_INLINE_MD_RE = re.compile(r"!?\[([^\]]*)\]\([^)]*\)|[*_`~]+|<[^>]+>")
_TIME_RE = re.compile(r"^time\s+(\d+)\s*(?:min|mins|minute|minutes)?$")
_MASTERY_RE = re.compile(r"^mastery\s+(\d+)\s+of\s+(\d+)$")

LESSON_KEYS = ("id", "title", "estimated_minutes", "objectives", "completion")
QUESTION_KEYS = (
    "id",
    "type",
    "question",
    "choices",
    "answers",
    "items",
    "hint",
    "explanation",
    "points",
    "max_attempts",
    "correct_feedback",
    "incorrect_feedback",
)
CHOICE_KEYS = ("id", "text", "correct", "feedback")


@dataclass(frozen=True, slots=True)
class LessonParse:
    """What parsing one lesson file gives: the lesson (``None`` if it has errors), every
    problem, and the references to files that the library must check on disk."""

    lesson: Lesson | None
    problems: tuple[Problem, ...]
    references: tuple[FileReference, ...]


@dataclass(slots=True)
class _Block:
    kind: str  # "quiz" or "notes"
    line: int  # line of the opening fence
    lines: list[str] = field(default_factory=list)


@dataclass(slots=True)
class _SlideDraft:
    start: int  # first line after the slide break
    body: list[str] = field(default_factory=list)
    first_line: int = 0  # first non-blank line
    blocks: list[_Block] = field(default_factory=list)
    ids: list[tuple[int, str]] = field(default_factory=list)
    heading: tuple[int, str] | None = None


def plain_heading(text: str) -> str:
    """A heading's text without Markdown marks: ``**Why** it [works](x)`` -> ``Why it works``."""
    return " ".join(_INLINE_MD_RE.sub(lambda m: m.group(1) or "", text).split())


def parse_lesson(text: str, path: Path, lesson_id: str) -> LessonParse:
    """Parse a lesson file (already decoded). ``lesson_id`` is the id the manifest lists;
    the file is ``lessons/<lesson_id>.md``."""
    problems: list[Problem] = []
    references: list[FileReference] = []
    lines = text.split("\n")

    meta: Mapping[str, Any] = {}
    meta_lines: dict[str, int] = {}
    start = 0
    front_matter_ok = False
    if lines and lines[0].strip() == "---":
        end = next((i for i in range(1, len(lines)) if lines[i].strip() in _FRONT_MATTER_END), None)
        if end is None:
            problems.append(
                Problem(
                    path,
                    1,
                    "the front matter that starts on line 1 is never closed",
                    "end the front matter with a line holding only ---.",
                )
            )
            return LessonParse(None, tuple(problems), ())
        start = end + 1
        try:
            data, node = _load_yaml("\n".join(lines[1:end]))
        except yaml.YAMLError as exc:
            problems.append(_yaml_problem(exc, path, 2, "the front matter"))
        else:
            if isinstance(data, dict):
                meta, meta_lines, front_matter_ok = data, _key_lines(node, 2), True
            else:
                problems.append(
                    Problem(
                        path,
                        2,
                        "the front matter must be 'key: value' lines",
                        "write e.g. title: Why subject lines matter.",
                    )
                )
    else:
        problems.append(
            Problem(
                path,
                1,
                "the lesson has no front matter",
                "start the file with a line ---, then title: Your lesson title, then "
                "another line ---.",
            )
        )

    fields = _Fields(meta, meta_lines, path, 1, "front matter", problems)
    title = ""
    minutes = 0
    objectives: tuple[str, ...] = ()
    completion_raw = ""
    if front_matter_ok:
        fields.unknown(LESSON_KEYS)
        declared = fields.text("id")
        if declared and declared != lesson_id:
            fields.error(
                "id",
                f"id '{declared}' does not match the file name '{lesson_id}{LESSON_SUFFIX}'",
                f"change it to id: {lesson_id}, or rename the file to lessons/{declared}.md "
                "and update course.toml.",
            )
        title = fields.text("title", required=True, example="title: Why subject lines matter")
        minutes = fields.integer("estimated_minutes", minimum=0, default=0) or 0
        objectives = fields.text_list("objectives")
        completion_raw = fields.text("completion")

    errors_before = sum(1 for p in problems if p.is_error)
    slides = _parse_slides(lines, start, path, problems, references)
    # A broken quiz block hides its questions; do not also blame the mastery count.
    slides_ok = sum(1 for p in problems if p.is_error) == errors_before
    if not slides and not has_errors(problems):
        problems.append(
            Problem(
                path,
                start + 1 if start < len(lines) else max(len(lines), 1),
                "the lesson has no slides",
                "write the slide content after the front matter, starting with a heading.",
            )
        )
    question_count = sum(len(s.questions) for s in slides)
    completion = _lesson_completion(completion_raw if slides_ok else "", question_count, fields)

    if has_errors(problems):
        return LessonParse(None, tuple(problems), tuple(references))
    lesson = Lesson(
        id=lesson_id,
        title=title,
        slides=tuple(slides),
        estimated_minutes=minutes,
        objectives=objectives,
        completion=completion,
        source=path,
    )
    return LessonParse(lesson, tuple(problems), tuple(references))


def _lesson_completion(raw: str, question_count: int, fields: _Fields) -> LessonCompletion:
    if not raw:
        return LessonCompletion()
    rule = " ".join(raw.lower().split())
    if rule == CompletionKind.ALL_SLIDES.value:
        return LessonCompletion()
    if match := _TIME_RE.match(rule):
        minutes = int(match.group(1))
        if minutes >= 1:
            return LessonCompletion(CompletionKind.TIME, minutes=minutes)
        fields.error(
            "completion",
            "a time rule needs at least 1 minute",
            "write e.g. completion: time 5 min.",
        )
        return LessonCompletion()
    if match := _MASTERY_RE.match(rule):
        m, n = int(match.group(1)), int(match.group(2))
        if question_count == 0:
            fields.error(
                "completion",
                f"'{raw}' needs quiz questions but the lesson has none",
                "add quiz questions to the lesson, or use completion: all-slides.",
            )
        elif n != question_count:
            fields.error(
                "completion",
                f"'{raw}' counts {n} questions but the lesson has {question_count}",
                f"write completion: mastery {min(max(m, 1), question_count)} of {question_count}.",
            )
        elif not 1 <= m <= n:
            fields.error(
                "completion",
                f"'{raw}' asks for {m} correct answers out of {n}",
                f"use a number from 1 to {n}, e.g. mastery {n} of {n}.",
            )
        else:
            return LessonCompletion(CompletionKind.MASTERY, m=m, n=n)
        return LessonCompletion()
    fields.error(
        "completion",
        f"unknown lesson completion rule '{raw}'",
        "write completion: all-slides, completion: time 5 min, or completion: mastery 2 of 3.",
    )
    return LessonCompletion()


def _parse_slides(
    lines: Sequence[str],
    start: int,
    path: Path,
    problems: list[Problem],
    references: list[FileReference],
) -> list[Slide]:
    drafts: list[_SlideDraft] = []
    draft = _SlideDraft(start=start + 1)
    fence: tuple[str, int] | None = None  # (fence chars, opening line) of an open fence
    block: _Block | None = None
    previous = ""
    for index in range(start, len(lines)):
        line = lines[index]
        number = index + 1
        if fence is not None:
            stripped = line.strip()
            if stripped.startswith(fence[0]) and not stripped.strip(fence[0][0]):
                fence = None
                previous = ""
                if block is not None:
                    draft.blocks.append(block)
                    block = None
                else:
                    draft.body.append(line)
            elif block is not None:
                block.lines.append(line)
            else:
                draft.body.append(line)
            continue
        if not draft.first_line and line.strip():
            draft.first_line = number
        if line[:1] not in _STRUCTURAL_STARTS:  # fast path: an ordinary line of text
            if "](" in line or "<" in line or "]:" in line:
                _scan_references(line, number, path, problems, references)
            draft.body.append(line)
            previous = line
            continue
        opening = _FENCE_OPEN_RE.match(line)
        if opening:
            fence = (opening.group(1), number)
            info = opening.group(2).lower()
            if info in ("quiz", "notes"):
                block = _Block(info, number)
            else:
                draft.body.append(line)
            previous = line
            continue
        if _SLIDE_BREAK_RE.match(line):
            if previous.strip() and draft.body and not _ATX_HEADING_RE.match(previous):
                problems.append(
                    Problem(
                        path,
                        number,
                        "the line before this slide break is not blank",
                        "add an empty line before ---; otherwise GitHub and GitLab show the "
                        "line above as a heading.",
                        severity="warning",
                    )
                )
            drafts.append(draft)
            draft = _SlideDraft(start=number + 1)
            previous = ""
            continue
        id_match = _SLIDE_ID_RE.match(line)
        if id_match:
            draft.ids.append((number, id_match.group(1)))
            previous = ""
            continue
        if draft.heading is None:
            heading = _ATX_HEADING_RE.match(line)
            if heading:
                draft.heading = (number, heading.group(1))
            elif _SETEXT_H1_RE.match(line) and previous.strip() and draft.body:
                draft.heading = (number - 1, previous.strip())
        if "](" in line or "<" in line or "]:" in line:
            _scan_references(line, number, path, problems, references)
        draft.body.append(line)
        previous = line
    if fence is not None:
        what = f"the ```{block.kind} block" if block is not None else "the code block"
        problems.append(
            Problem(
                path,
                fence[1],
                f"{what} opened here is never closed",
                f"add a line with {fence[0]} after its last line.",
            )
        )
        if block is not None:
            draft.blocks.append(block)
    drafts.append(draft)

    slides: list[Slide] = []
    seen_slides: dict[str, int] = {}
    seen_questions: dict[str, int] = {}
    for draft in drafts:
        slide = _finish_slide(draft, path, problems, seen_slides, seen_questions)
        if slide is not None:
            slides.append(slide)
    return slides


def _finish_slide(
    draft: _SlideDraft,
    path: Path,
    problems: list[Problem],
    seen_slides: dict[str, int],
    seen_questions: dict[str, int],
) -> Slide | None:
    body = "\n".join(draft.body).strip("\n")
    if not body.strip() and not draft.blocks and not draft.ids:
        if draft.start > 1:
            problems.append(
                Problem(
                    path,
                    max(draft.start - 1, 1),
                    "empty slide is ignored",
                    "remove the extra --- line.",
                    severity="warning",
                )
            )
        return None
    line = draft.first_line or draft.start

    slide_id = ""
    if draft.ids:
        id_line, slide_id = draft.ids[0]
        for extra_line, _ in draft.ids[1:]:
            problems.append(
                Problem(
                    path,
                    extra_line,
                    "the slide has a second <!-- id: ... --> line",
                    "keep one id line per slide.",
                )
            )
        if why := id_problem(slide_id):
            problems.append(
                Problem(
                    path,
                    id_line,
                    f"slide id '{slide_id}' {why}",
                    "write e.g. <!-- id: why-it-matters -->.",
                )
            )
            slide_id = ""
    elif draft.heading is not None:
        id_line = draft.heading[0]
        slide_id = slugify(plain_heading(draft.heading[1]))
        if not slide_id:
            problems.append(
                Problem(
                    path,
                    id_line,
                    "the slide's heading gives no id (it has no letters or digits)",
                    "add a line <!-- id: some-id --> to the slide.",
                )
            )
    else:
        id_line = line
        problems.append(
            Problem(
                path,
                line,
                "the slide has no id: it has neither a heading nor an <!-- id: ... --> line",
                "start the slide with a heading (# Title) or add a line <!-- id: some-id -->.",
            )
        )

    if slide_id:
        if slide_id in seen_slides:
            problems.append(
                Problem(
                    path,
                    id_line,
                    f"slide id '{slide_id}' is used twice in this lesson (first at line "
                    f"{seen_slides[slide_id]})",
                    "slides of a lesson need different ids; add a line "
                    f"<!-- id: {slide_id}-2 --> to one of them.",
                )
            )
        else:
            seen_slides[slide_id] = id_line

    notes: list[str] = []
    questions: list[Question] = []
    for block in draft.blocks:
        if block.kind == "notes":
            notes.append("\n".join(block.lines).strip("\n"))
        else:
            questions.extend(_parse_quiz(block, path, problems, seen_questions))

    if draft.heading is not None:
        title = plain_heading(draft.heading[1])
    else:
        first_text = next((ln for ln in draft.body if ln.strip()), "")
        title = plain_heading(first_text.lstrip("#>-*+ ")) or slide_id
    return Slide(
        id=slide_id,
        title=title,
        body=body,
        notes="\n\n".join(n for n in notes if n.strip()),
        questions=tuple(questions),
        line=line,
    )


def _scan_references(
    line: str,
    number: int,
    path: Path,
    problems: list[Problem],
    references: list[FileReference],
) -> None:
    """Find link and image targets on one line of slide text and check their shape."""
    scan = _CODE_SPAN_RE.sub("", line) if "`" in line else line
    found: list[tuple[str, bool]] = []
    for match in _INLINE_TARGET_RE.finditer(scan):
        found.append((match.group(1), _is_image(scan, match.start())))
    ref = _REF_DEF_RE.match(scan)
    if ref:
        target = ref.group(1)
        suffix = Path(urlsplit(target.strip("<>")).path).suffix.lower()
        found.append((target, suffix in IMAGE_SUFFIXES))
    for match in _HTML_ATTR_RE.finditer(scan):
        tag = match.group(1).lower()
        value = match.group(3) or match.group(4) or match.group(5) or ""
        found.append((value, tag != "a"))
    for match in _AUTOLINK_RE.finditer(scan):
        found.append((match.group(1), False))
    for raw, image in found:
        _check_target(raw, image, number, path, problems, references)


def _is_image(line: str, bracket_end: int) -> bool:
    """Whether the ``]`` at ``bracket_end`` closes ``![...]`` (an image) rather than a link."""
    depth = 0
    for index in range(bracket_end, -1, -1):
        char = line[index]
        if char == "]":
            depth += 1
        elif char == "[":
            depth -= 1
            if depth == 0:
                return index > 0 and line[index - 1] == "!"
    return False


def _check_target(
    raw: str,
    image: bool,
    number: int,
    path: Path,
    problems: list[Problem],
    references: list[FileReference],
) -> None:
    target = classify_target(raw)
    what = "image" if image else "link"
    shown = raw if len(raw) <= 80 else raw[:77] + "..."
    if target.kind is TargetKind.INTERNAL:
        if image and Path(target.path).suffix.lower() not in IMAGE_SUFFIXES:
            problems.append(
                Problem(
                    path,
                    number,
                    f"image '{shown}' is not a PNG, JPEG, GIF, SVG or WebP file",
                    "convert it to one of those formats.",
                )
            )
            return
        references.append(FileReference(number, raw, target.path, image))
    elif target.kind is TargetKind.REMOTE:
        if image:
            problems.append(
                Problem(
                    path,
                    number,
                    f"image '{shown}' is on the web; Playbook never loads anything from the "
                    "network",
                    "download the image into the course's assets/ folder and write "
                    "![description](../assets/name.png).",
                )
            )
        else:
            problems.append(
                Problem(
                    path,
                    number,
                    f"link to a web page '{shown}': learners who are offline cannot open it",
                    "nothing to do if the lesson makes sense without it; Playbook never "
                    "loads it by itself.",
                    severity="warning",
                )
            )
    elif target.kind is TargetKind.FORBIDDEN or image:
        reason = target.reason or "it does not name an image file"
        problems.append(
            Problem(
                path,
                number,
                f"{what} '{shown}' is not allowed: {reason}",
                "point to a file inside the course folder with a relative path, e.g. "
                "../assets/chart.png (paths are relative to the lesson file).",
            )
        )


# --------------------------------------------------------------------------- quizzes


def _parse_quiz(
    block: _Block, path: Path, problems: list[Problem], seen: dict[str, int]
) -> list[Question]:
    first_line = block.line + 1  # file line of the block's first YAML line
    try:
        data, node = _load_yaml("\n".join(block.lines))
    except yaml.YAMLError as exc:
        problems.append(_yaml_problem(exc, path, first_line, "the quiz block"))
        return []
    if data is None:
        problems.append(
            Problem(
                path,
                block.line,
                "the quiz block is empty",
                "write a question (id, type, question, choices) or remove the block.",
            )
        )
        return []
    if isinstance(data, dict):
        entries: list[tuple[Any, yaml.Node | None]] = [(data, node)]
    elif isinstance(data, list):
        entries = list(zip(data, _items(node), strict=False))
    else:
        problems.append(
            Problem(
                path,
                first_line,
                "the quiz block must hold a question ('key: value' lines) or a list of questions",
                "see docs/course-format.md for an example.",
            )
        )
        return []
    questions: list[Question] = []
    for raw, item_node in entries:
        line = first_line + item_node.start_mark.line if item_node is not None else first_line
        if not isinstance(raw, dict):
            problems.append(
                Problem(
                    path,
                    line,
                    "a quiz question must be 'key: value' lines",
                    "start each question of a list with '- id: ...'.",
                )
            )
            continue
        question = _parse_question(raw, item_node, line, first_line, path, problems, seen)
        if question is not None:
            questions.append(question)
    return questions


def _parse_question(
    raw: Mapping[str, Any],
    node: yaml.Node | None,
    line: int,
    first_line: int,
    path: Path,
    problems: list[Problem],
    seen: dict[str, int],
) -> Question | None:
    fields = _Fields(raw, _key_lines(node, first_line), path, line, "question", problems)
    errors_before = sum(1 for p in problems if p.is_error)
    fields.unknown(QUESTION_KEYS)
    question_id = fields.text("id", required=True, example="id: best-length")
    if question_id:
        fields.what = f"question '{question_id}'"
        fields.claim_id(
            "question",
            question_id,
            seen,
            within=" in this lesson",
            example="write e.g. id: best-length.",
            twice_hint="give every question of a lesson its own id; progress is stored by id.",
        )

    kind_raw = fields.text("type", required=True, example="type: single")
    kind: QuestionKind | None = None
    if kind_raw:
        try:
            kind = QuestionKind(kind_raw.lower())
        except ValueError:
            fields.error(
                "type",
                f"unknown quiz type '{kind_raw}'",
                "use one of: single, multiple, text, ordering.",
            )
    prompt = fields.text("question", required=True, example='question: "Which ...?"')
    hint = fields.text("hint")
    explanation = fields.text("explanation")
    correct_feedback = fields.text("correct_feedback")
    incorrect_feedback = fields.text("incorrect_feedback")
    points = fields.integer("points", minimum=0, default=1)
    max_attempts = fields.integer("max_attempts", minimum=1, default=None)

    choices: tuple[Choice, ...] = ()
    answers: tuple[str, ...] = ()
    items: tuple[str, ...] = ()
    if kind in (QuestionKind.SINGLE, QuestionKind.MULTIPLE):
        choices = _parse_choices(raw, node, first_line, kind, fields)
        for extra in ("answers", "items"):
            if extra in raw:
                fields.warn(
                    extra, f"'{extra}' is ignored by {kind.value}-choice questions", "remove it."
                )
    elif kind is QuestionKind.TEXT:
        answers = fields.text_list("answers")
        if not any(normalise_answer(a) for a in answers):
            fields.error(
                "answers" if "answers" in raw else None,
                "the question has no correct answer",
                'list the accepted answers: answers: ["ten", "10"] (case and spaces do not '
                "matter).",
            )
        for extra in ("choices", "items"):
            if extra in raw:
                fields.warn(extra, f"'{extra}' is ignored by text questions", "remove it.")
    elif kind is QuestionKind.ORDERING:
        items = fields.text_list("items")
        if len(items) < 2:
            fields.error(
                "items" if "items" in raw else None,
                "an ordering question needs at least 2 items",
                "list the items in their correct order under items:.",
            )
        elif len({normalise_answer(i) for i in items}) != len(items):
            fields.error(
                "items",
                "two items have the same text, so the correct order is ambiguous",
                "make every item's text different.",
            )
        for extra in ("choices", "answers"):
            if extra in raw:
                fields.warn(extra, f"'{extra}' is ignored by ordering questions", "remove it.")

    if sum(1 for p in problems if p.is_error) > errors_before or kind is None:
        return None
    return Question(
        id=question_id,
        kind=kind,
        prompt=prompt,
        choices=choices,
        answers=answers,
        items=items,
        hint=hint,
        explanation=explanation,
        correct_feedback=correct_feedback,
        incorrect_feedback=incorrect_feedback,
        points=points if points is not None else 1,
        max_attempts=max_attempts,
        line=line,
    )


def default_choice_id(index: int) -> str:
    """``a``, ``b``, ... ``z``, then ``c27``, ``c28``, ..."""
    return chr(ord("a") + index) if index < 26 else f"c{index + 1}"


def _parse_choices(
    raw: Mapping[str, Any],
    node: yaml.Node | None,
    first_line: int,
    kind: QuestionKind,
    fields: _Fields,
) -> tuple[Choice, ...]:
    raw_choices = raw.get("choices")
    if not isinstance(raw_choices, list) or len(raw_choices) < 2:
        fields.error(
            "choices" if "choices" in raw else None,
            f"a {kind.value}-choice question needs a list of at least 2 choices",
            "add choices:, one '- text: ...' entry per choice, and mark right ones "
            "with correct: true.",
        )
        return ()
    errors_before = sum(1 for p in fields.problems if p.is_error)
    choice_nodes = _items(_child(node, "choices"))
    choices: list[Choice] = []
    seen: dict[str, int] = {}
    for index, item in enumerate(raw_choices):
        item_node = choice_nodes[index] if index < len(choice_nodes) else None
        line = (
            first_line + item_node.start_mark.line
            if item_node is not None
            else fields.line_of("choices")
        )
        if not isinstance(item, dict):
            fields.problems.append(
                Problem(
                    fields.path,
                    line,
                    f"{fields.what}: choice {index + 1} must be 'key: value' lines",
                    "write it as '- text: ...' with correct: true/false on the next line.",
                )
            )
            continue
        cf = _Fields(
            item,
            _key_lines(item_node, first_line),
            fields.path,
            line,
            f"{fields.what}, choice {index + 1}",
            fields.problems,
        )
        cf.unknown(CHOICE_KEYS)
        choice_id = cf.text("id") or default_choice_id(index)
        cf.claim_id(
            "choice",
            choice_id,
            seen,
            within=" in this question",
            example="write e.g. id: b.",
            twice_hint="give every choice its own id, or remove the ids to get a, b, c ...",
            line=line,
        )
        text = cf.text("text", required=True, example="text: Under 50 characters")
        choices.append(
            Choice(
                id=choice_id, text=text, correct=cf.boolean("correct"), feedback=cf.text("feedback")
            )
        )
    if sum(1 for p in fields.problems if p.is_error) > errors_before:
        return tuple(choices)  # counting right answers among broken choices misleads
    correct = sum(1 for c in choices if c.correct)
    if correct == 0 and len(choices) == len(raw_choices):
        fields.error(
            "choices",
            "the question has no correct answer",
            "mark the right choice with correct: true.",
        )
    elif kind is QuestionKind.SINGLE and correct > 1:
        fields.error(
            "choices",
            f"a single-choice question has {correct} correct choices",
            "keep correct: true on one choice, or use type: multiple.",
        )
    return tuple(choices)


def normalise_answer(text: str) -> str:
    """How typed answers are compared: case, accents' composed forms and runs of spaces
    do not matter (``"  Ten  Words "`` == ``"ten words"``)."""
    return " ".join(unicodedata.normalize("NFKC", text).casefold().split())


# --------------------------------------------------------------------------- course


def build_course(manifest: Manifest, lessons: Mapping[str, Lesson], root: Path | None) -> Course:
    """Assemble a course from a manifest and its parsed lessons. Call only when neither
    has errors: every lesson the manifest lists must be in ``lessons``."""
    minutes = manifest.estimated_minutes or sum(
        lessons[lid].estimated_minutes for lid in manifest.lesson_ids
    )
    return Course(
        id=manifest.id,
        version=manifest.version,
        title=manifest.title,
        modules=manifest.modules,
        lessons={lid: lessons[lid] for lid in manifest.lesson_ids},
        summary=manifest.summary,
        language=manifest.language,
        authors=manifest.authors,
        license=manifest.license,
        objectives=manifest.objectives,
        estimated_minutes=minutes,
        completion=manifest.completion,
        root=root,
    )
