"""Per-field, line-based three-way merge of template text.

No character-level merging on purpose: for legal and marketing text a silent
interleaving of two people's words is worse than a visible conflict.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from merge3 import Merge3


@dataclass(frozen=True)
class FieldMerge:
    """Outcome of merging one field: the merged text, or ``None`` when it conflicts."""

    text: str | None

    @property
    def clean(self) -> bool:
        return self.text is not None


@dataclass(frozen=True)
class TemplateMerge:
    """Outcome of merging all fields of one template."""

    fields: dict[str, str]
    conflicting_fields: list[str] = field(default_factory=list)

    @property
    def clean(self) -> bool:
        return not self.conflicting_fields


def merge_text(base: str, ours: str, theirs: str) -> FieldMerge:
    """Three-way merge of one text, line by line; ``text is None`` when two sides changed
    the same lines differently."""
    if ours == theirs:
        return FieldMerge(ours)
    if base == ours:
        return FieldMerge(theirs)
    if base == theirs:
        return FieldMerge(ours)
    merger = Merge3(
        base.splitlines(keepends=True),
        ours.splitlines(keepends=True),
        theirs.splitlines(keepends=True),
    )
    out: list[str] = []
    for group in merger.merge_groups():
        if group[0] == "conflict":
            return FieldMerge(None)
        out.extend(group[1])
    return FieldMerge("".join(out))


def merge_fields(
    base: Mapping[str, str], ours: Mapping[str, str], theirs: Mapping[str, str]
) -> TemplateMerge:
    """Merge every field present on any side; a field missing on a side counts as empty."""
    merged: dict[str, str] = {}
    conflicts: list[str] = []
    for name in sorted(set(base) | set(ours) | set(theirs)):
        result = merge_text(base.get(name, ""), ours.get(name, ""), theirs.get(name, ""))
        if result.text is None:
            conflicts.append(name)
        else:
            merged[name] = result.text
    if conflicts:
        return TemplateMerge(dict(ours), conflicts)
    return TemplateMerge(merged)
