"""Readable differences between two texts of a template, line by line.

Two shapes: a unified list (history: "what changed from v3 to v5") and side-by-side
rows (conflicts: mine on the left, the team's on the right, changed lines paired and the
changed words inside them marked). Pure functions, no Qt.
"""

from __future__ import annotations

import difflib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Literal

LineKind = Literal["same", "added", "removed"]
RowKind = Literal["same", "changed", "left_only", "right_only"]


@dataclass(frozen=True, slots=True)
class DiffLine:
    kind: LineKind
    text: str


@dataclass(frozen=True, slots=True)
class Span:
    """A run of characters inside a line; ``changed`` marks the differing words."""

    text: str
    changed: bool


@dataclass(frozen=True, slots=True)
class SideBySideRow:
    kind: RowKind
    left: tuple[Span, ...] | None  # None: no line on this side
    right: tuple[Span, ...] | None

    @property
    def left_text(self) -> str | None:
        return None if self.left is None else "".join(s.text for s in self.left)

    @property
    def right_text(self) -> str | None:
        return None if self.right is None else "".join(s.text for s in self.right)


def line_diff(old: str, new: str) -> list[DiffLine]:
    """Every line of both texts in order, marked same / added / removed."""
    a, b = old.splitlines(), new.splitlines()
    out: list[DiffLine] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if tag == "equal":
            out.extend(DiffLine("same", line) for line in a[i1:i2])
            continue
        out.extend(DiffLine("removed", line) for line in a[i1:i2])
        out.extend(DiffLine("added", line) for line in b[j1:j2])
    return out


def diff_stats(lines: Sequence[DiffLine]) -> tuple[int, int]:
    """(lines added, lines removed)."""
    return (
        sum(1 for d in lines if d.kind == "added"),
        sum(1 for d in lines if d.kind == "removed"),
    )


def _words(text: str) -> list[str]:
    # Words with their trailing spaces, so joining them gives the line back exactly.
    out: list[str] = []
    word = ""
    for ch in text:
        if ch.isspace():
            word += ch
            continue
        if word and word[-1].isspace():
            out.append(word)
            word = ""
        word += ch
    if word:
        out.append(word)
    return out


def word_spans(left: str, right: str) -> tuple[tuple[Span, ...], tuple[Span, ...]]:
    """The two lines cut into spans, the differing words marked on each side."""
    a, b = _words(left), _words(right)
    ls: list[Span] = []
    rs: list[Span] = []
    for tag, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if i2 > i1:
            ls.append(Span("".join(a[i1:i2]), tag != "equal"))
        if j2 > j1:
            rs.append(Span("".join(b[j1:j2]), tag != "equal"))
    return tuple(ls), tuple(rs)


def side_by_side(left: str, right: str) -> list[SideBySideRow]:
    """Rows pairing the lines of two texts: unchanged lines side by side, changed lines
    paired with their changed words marked, and lines only one side has."""
    a, b = left.splitlines(), right.splitlines()
    rows: list[SideBySideRow] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            rows.extend(
                SideBySideRow("same", (Span(line, False),), (Span(line, False),))
                for line in a[i1:i2]
            )
            continue
        olds, news = a[i1:i2], b[j1:j2]
        for k in range(max(len(olds), len(news))):
            if k < len(olds) and k < len(news):
                ls, rs = word_spans(olds[k], news[k])
                rows.append(SideBySideRow("changed", ls, rs))
            elif k < len(olds):
                rows.append(SideBySideRow("left_only", (Span(olds[k], True),), None))
            else:
                rows.append(SideBySideRow("right_only", None, (Span(news[k], True),)))
    return rows


FIELD_LABELS = {
    "name": "Name",
    "description": "Description",
    "tags": "Tags",
    "body": "Text",
    "kind": "Kind",
}


def fields_diff(old: Mapping[str, str], new: Mapping[str, str]) -> dict[str, list[DiffLine]]:
    """The line diff of every field that differs, in a stable, readable order."""
    names = sorted(set(old) | set(new), key=lambda n: (n not in FIELD_LABELS, n))
    order = list(FIELD_LABELS)
    names.sort(key=lambda n: order.index(n) if n in order else len(order))
    return {
        name: line_diff(old.get(name, ""), new.get(name, ""))
        for name in names
        if old.get(name, "") != new.get(name, "")
    }
