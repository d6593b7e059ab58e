"""The text of a policy: variables, placeholders, sections, diffs and notices.

A policy's source is Markdown with Jinja2 variables (``{{ company.name }}``,
``{{ return_window_days }}``). Before anything is exported, every placeholder must be
filled: a variable with no answer, or a literal marker an author left behind
(``[[...]]``, ``[INSERT ...]``, ``TODO``, ``____``). :func:`find_placeholders` finds them
with their line and column, for the editor to flag and the export to refuse.

``##`` headings divide a policy into the sections reviewers comment on and diffs report.

Pure: no files, no Qt, no database.
"""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

# {{ name }} or {{ name.attr }} with optional filters: the references the editor can
# resolve and highlight. Anything more complex is left to the sandbox to evaluate.
VARIABLE_RE = re.compile(
    r"\{\{\s*([A-Za-z_][A-Za-z0-9_]*(?:\.[A-Za-z_][A-Za-z0-9_]*)*)\s*(\|[^}]*)?\}\}"
)
JINJA_RE = re.compile(r"\{\{.*?\}\}|\{%.*?%\}|\{#.*?#\}", re.S)
_LITERAL_PLACEHOLDERS: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"\[\[[^\]\n]*\]\]"), "a placeholder left in the text"),
    (
        re.compile(r"\[(?:insert|enter|add|fill in|your)\b[^\]\n]*\](?!\()", re.I),
        "a placeholder left in the text",
    ),
    (re.compile(r"\[[A-Z][A-Z0-9 _/-]{2,}\](?!\()"), "a placeholder left in the text"),
    (re.compile(r"\b(?:TODO|TBD|FIXME|XXX+)\b"), "a note that something is still to be written"),
    (re.compile(r"_{4,}"), "a blank to fill in"),
    (re.compile(r"\{\{[^}\n]*\}\}"), "a variable that was not filled in"),
)


@dataclass(frozen=True, slots=True)
class Placeholder:
    """Something in a policy that must be filled in before it can be exported."""

    line: int  # 1-based, in the source
    column: int  # 1-based
    length: int
    text: str
    message: str
    variable: str = ""  # the variable's name when it is an unanswered variable

    def __str__(self) -> str:
        return f"line {self.line}: {self.text} — {self.message}"


MISSING_OPEN = "\u27e6"  # ⟦
MISSING_CLOSE = "\u27e7"  # ⟧
MISSING_RE = re.compile("\u27e6([^\u27e7\n]*)\u27e7")


class Missing:
    """An answer the policy needs and does not have yet, in a rendering context.

    Falsy (so ``{% if company.phone %}`` skips it), empty when looped over, never equal
    or ordered to anything; printed, it leaves a marker (``⟦company.phone⟧``) that
    :func:`find_placeholders` reports and the export refuses."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __str__(self) -> str:
        return f"{MISSING_OPEN}{self.name}{MISSING_CLOSE}"

    def __repr__(self) -> str:
        return f"Missing({self.name!r})"

    def __bool__(self) -> bool:
        return False

    def __len__(self) -> int:
        return 0

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __eq__(self, other: object) -> bool:
        return False

    def __hash__(self) -> int:
        return hash(("Missing", self.name))

    def __lt__(self, other: object) -> bool:
        return False

    __le__ = __gt__ = __ge__ = __lt__


def _position(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    start = text.rfind("\n", 0, offset) + 1
    return line, offset - start + 1


def find_placeholders(source: str, rendered: str | None = None) -> list[Placeholder]:
    """Every unfilled placeholder of a policy, with its place in ``source``.

    - variables the rendering left as markers (``⟦name⟧``: no answer), found in
      ``rendered`` (the source rendered with :class:`Missing` for blank answers) and
      located at their first use in ``source``;
    - literal markers an author left in the source (``[[...]]``, ``[INSERT ...]``,
      ``TODO``, ``____``), outside Jinja tags;
    - literal markers that only appear once answers are in (an answer of "TBD"), at
      line 0 since they are not in the source."""
    found: list[Placeholder] = []
    if rendered is not None:
        seen_vars: set[str] = set()
        for match in MISSING_RE.finditer(rendered):
            name = match.group(1)
            if name in seen_vars:
                continue
            seen_vars.add(name)
            at = next((m for m in VARIABLE_RE.finditer(source) if m.group(1) == name), None)
            if at is None:
                found.append(Placeholder(0, 0, 0, name, "has no answer yet", variable=name))
            else:
                line, column = _position(source, at.start())
                found.append(
                    Placeholder(
                        line, column, len(at.group(0)), at.group(0), "has no answer yet", name
                    )
                )
    masked = JINJA_RE.sub(lambda m: " " * len(m.group(0)), source)
    seen: set[str] = set()
    for pattern, message in _LITERAL_PLACEHOLDERS:
        for match in pattern.finditer(masked):
            line, column = _position(source, match.start())
            seen.add(match.group(0))
            found.append(Placeholder(line, column, len(match.group(0)), match.group(0), message))
    if rendered is not None:
        plain = MISSING_RE.sub("", rendered)
        for pattern, message in _LITERAL_PLACEHOLDERS:
            for match in pattern.finditer(plain):
                if match.group(0) not in seen:
                    seen.add(match.group(0))
                    found.append(
                        Placeholder(0, 0, 0, match.group(0), f"{message} (it comes from an answer)")
                    )
    found.sort(key=lambda p: (p.line, p.column))
    return found


def variables(source: str) -> list[str]:
    """The simple variables a source refers to, in order of first use."""
    seen: dict[str, None] = {}
    for match in VARIABLE_RE.finditer(source):
        seen.setdefault(match.group(1), None)
    return list(seen)


# -- sections ------------------------------------------------------------------------

_HEADING_RE = re.compile(r"^(#{1,2})\s+(.+?)\s*#*\s*$")


@dataclass(frozen=True, slots=True)
class TextSection:
    key: str  # a stable slug of the title, for comments and diffs
    title: str
    text: str


def slug(title: str) -> str:
    cleaned = re.sub(r"[^a-z0-9]+", "-", title.lower()).strip("-")
    return cleaned or "section"


def sections(markdown: str) -> list[TextSection]:
    """The ``##`` sections of a policy (text before the first one is "Introduction").
    Keys are slugs of the titles, made unique by a suffix."""
    result: list[tuple[str, list[str]]] = [("Introduction", [])]
    in_fence = False
    for line in markdown.splitlines():
        if line.lstrip().startswith(("```", "~~~")):
            in_fence = not in_fence
        match = None if in_fence else _HEADING_RE.match(line)
        if match and len(match.group(1)) == 2:
            result.append((match.group(2).strip(), []))
            continue
        result[-1][1].append(line)
    out: list[TextSection] = []
    used: dict[str, int] = {}
    for title, lines in result:
        text = "\n".join(lines).strip("\n")
        if title == "Introduction" and not text.strip() and not out:
            continue
        key = slug(title)
        used[key] = used.get(key, 0) + 1
        if used[key] > 1:
            key = f"{key}-{used[key]}"
        out.append(TextSection(key, title, text))
    return out


def headings(markdown: str) -> list[str]:
    """The ``##`` headings, in order (the table of contents)."""
    return [s.title for s in sections(markdown) if s.key != "introduction"]


# -- diffs, changelog, notices -------------------------------------------------------


@dataclass(frozen=True, slots=True)
class DiffLine:
    op: str  # " " same, "-" removed, "+" added
    text: str


@dataclass(frozen=True, slots=True)
class SectionChange:
    key: str
    title: str
    kind: str  # "added" | "removed" | "changed"
    lines: tuple[DiffLine, ...]


def section_changes(old: str, new: str, context: int = 1) -> list[SectionChange]:
    """What changed between two versions' text, section by section, as line diffs with
    ``context`` unchanged lines around each change (a readable diff, not a patch)."""
    before = {s.key: s for s in sections(old)}
    after = {s.key: s for s in sections(new)}
    changes: list[SectionChange] = []
    order = [s.key for s in sections(new)] + [k for k in before if k not in after]
    for key in order:
        a, b = before.get(key), after.get(key)
        if a is None and b is not None:
            lines = tuple(DiffLine("+", t) for t in b.text.splitlines() if t.strip())
            changes.append(SectionChange(key, b.title, "added", lines))
        elif b is None and a is not None:
            lines = tuple(DiffLine("-", t) for t in a.text.splitlines() if t.strip())
            changes.append(SectionChange(key, a.title, "removed", lines))
        elif a is not None and b is not None and a.text.strip() != b.text.strip():
            changes.append(
                SectionChange(key, b.title, "changed", _line_diff(a.text, b.text, context))
            )
    return changes


def _line_diff(old: str, new: str, context: int) -> tuple[DiffLine, ...]:
    a = [line for line in old.splitlines() if line.strip()]
    b = [line for line in new.splitlines() if line.strip()]
    out: list[DiffLine] = []
    import difflib  # loaded with the first diff, not at start

    matcher = difflib.SequenceMatcher(a=a, b=b, autojunk=False)
    for group in matcher.get_grouped_opcodes(context):
        if out:
            out.append(DiffLine(" ", "…"))
        for tag, i1, i2, j1, j2 in group:
            if tag == "equal":
                out.extend(DiffLine(" ", t) for t in a[i1:i2])
            else:
                out.extend(DiffLine("-", t) for t in a[i1:i2])
                out.extend(DiffLine("+", t) for t in b[j1:j2])
    return tuple(out)


def unified_diff(old: str, new: str, old_name: str, new_name: str) -> str:
    """A plain unified diff (for export and for people who like them)."""
    import difflib

    return "".join(
        difflib.unified_diff(
            old.splitlines(keepends=True),
            new.splitlines(keepends=True),
            fromfile=old_name,
            tofile=new_name,
        )
    )


@dataclass(frozen=True, slots=True)
class AnswerChange:
    question_id: str
    label: str
    old: str
    new: str


def _shown(value: Any) -> str:
    if value is None or value == "" or value == []:
        return "—"
    if value is True:
        return "yes"
    if value is False:
        return "no"
    if isinstance(value, list):
        return ", ".join(_shown(v) for v in value)
    if isinstance(value, dict):
        return ", ".join(f"{k} {_shown(v)}" for k, v in value.items())
    return str(value)


def answer_changes(
    old: Mapping[str, Any], new: Mapping[str, Any], labels: Mapping[str, str]
) -> list[AnswerChange]:
    """Answers that changed between versions, in the order of ``labels`` (the
    questionnaire's order); questions without a label (closed or unknown) are left out."""
    out = []
    for qid, label in labels.items():
        a, b = old.get(qid), new.get(qid)
        if a != b:
            out.append(AnswerChange(qid, label, _shown(a), _shown(b)))
    return out


def format_date(value: date) -> str:
    """1 March 2027: unambiguous on both sides of the Atlantic."""
    return f"{value.day} {value:%B %Y}"


def change_summary(answer_diff: Sequence[AnswerChange], text_diff: Sequence[SectionChange]) -> str:
    """A one-line changelog entry for a new version."""
    parts = [f"{c.label}: {c.old} → {c.new}" for c in answer_diff[:4]]
    if len(answer_diff) > 4:
        parts.append(f"{len(answer_diff) - 4} more answers")
    touched = [c.title for c in text_diff]
    if touched:
        parts.append("sections changed: " + ", ".join(touched[:5]))
    return "; ".join(parts) if parts else "No changes to the text."


def what_changed_notice(
    *,
    company: str,
    policy_title: str,
    effective: date,
    answer_diff: Sequence[AnswerChange],
    text_diff: Sequence[SectionChange],
    contact: str = "",
) -> str:
    """A customer-facing notice of what changed (Markdown), to publish with a new version."""
    when = format_date(effective)
    lines = [
        f"# {policy_title}: what changes on {when}",
        "",
        f"From {when}, {company} updates its {policy_title.lower()}. Here is what changes for you:",
        "",
    ]
    for change in answer_diff:
        lines.append(f"- **{_customer_label(change.label)}**: {change.old} → {change.new}.")
    answered = {slug(c.label) for c in answer_diff}
    for section in text_diff:
        if section.kind == "added":
            lines.append(f"- New section: **{section.title}**.")
        elif section.kind == "removed":
            lines.append(f"- The section **{section.title}** no longer applies.")
        elif slug(section.title) not in answered:
            lines.append(f"- We reworded **{section.title}**.")
    if not answer_diff and not text_diff:
        lines.append("- Nothing of substance: we only corrected the wording.")
    lines += [
        "",
        f"Orders placed before {when} keep the terms that applied when they were placed.",
    ]
    if contact:
        lines += ["", f"Questions? Write to us at {contact}."]
    return "\n".join(lines) + "\n"


def _customer_label(label: str) -> str:
    """Questionnaire labels may be questions to the business; a notice states facts."""
    return label.rstrip("?").strip()


# -- plain-language rewrites ---------------------------------------------------------

_NUMBER_RE = re.compile(r"\d+(?:[.,]\d+)?")
_BLOCK_RE = re.compile(r"\{%.*?%\}", re.S)


def rewrite_problems(original: str, rewritten: str) -> list[str]:
    """Why a model's plain-language rewrite of a clause cannot replace it: a variable, a
    Jinja tag or a number of the original is missing, or the rewrite adds template code.
    Plain language may change the words, never the facts."""
    problems: list[str] = []
    if not rewritten.strip():
        return ["The rewrite is empty."]
    before_vars = [m.group(1) for m in VARIABLE_RE.finditer(original)]
    after_vars = [m.group(1) for m in VARIABLE_RE.finditer(rewritten)]
    for name in dict.fromkeys(before_vars):
        if name not in after_vars:
            problems.append(f"The rewrite dropped the variable {{{{ {name} }}}}.")
    for name in dict.fromkeys(after_vars):
        if name not in before_vars:
            problems.append(f"The rewrite added a variable {{{{ {name} }}}} that was not there.")
    if [b.strip() for b in _BLOCK_RE.findall(original)] != [
        b.strip() for b in _BLOCK_RE.findall(rewritten)
    ]:
        problems.append("The rewrite changed the template's conditions ({% ... %}).")
    plain_before = JINJA_RE.sub(" ", original)
    plain_after = JINJA_RE.sub(" ", rewritten)
    numbers_after = set(_NUMBER_RE.findall(plain_after))
    for number in dict.fromkeys(_NUMBER_RE.findall(plain_before)):
        if number not in numbers_after:
            problems.append(f"The rewrite dropped the number {number}.")
    return problems
