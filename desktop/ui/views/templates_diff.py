"""Differences as rich text for Qt's text views: a unified diff for the history, and a
two-column table for conflicts (mine left, the team's right), differences highlighted.

Everything from a template is escaped: a teammate's text is shown, never interpreted.
"""

from __future__ import annotations

import html
from collections.abc import Mapping, Sequence

from desktop.domain.templates_diff import (
    FIELD_LABELS,
    DiffLine,
    SideBySideRow,
    Span,
    diff_stats,
)
from desktop.ui import theme

P = theme.PALETTE
ADDED_BG = "#E7F8EE"
ADDED_MARK = "#A6E9C3"
REMOVED_BG = "#FDECEA"
REMOVED_MARK = "#F7B4AE"


def _esc(text: str) -> str:
    return html.escape(text).replace("  ", "&nbsp; ") or "&nbsp;"


def field_label(name: str) -> str:
    if name in FIELD_LABELS:
        return FIELD_LABELS[name]
    return name.removeprefix("x_").replace("_", " ").capitalize()


def diff_html(diffs: Mapping[str, Sequence[DiffLine]]) -> str:
    """The history's diff: each changed field, its lines marked added or removed."""
    if not diffs:
        return f"<p style='color:{P['text-muted']}'>These two versions have the same text.</p>"
    parts = [f"<div style='font-family: monospace; color:{P['text']}'>"]
    for name, lines in diffs.items():
        added, removed = diff_stats(lines)
        parts.append(
            f"<p style='margin-top:10px'><b>{html.escape(field_label(name))}</b>"
            f"&nbsp;&nbsp;<span style='color:{P['success-text']}'>+{added}</span>"
            f" <span style='color:{P['danger-text']}'>−{removed}</span></p>"
        )
        parts.append("<table width='100%' cellspacing='0' cellpadding='2'>")
        for line in lines:
            if line.kind == "added":
                bg, sign = ADDED_BG, "+"
            elif line.kind == "removed":
                bg, sign = REMOVED_BG, "−"
            else:
                bg, sign = P["surface"], "&nbsp;"
            parts.append(
                f"<tr><td width='18' style='background:{bg}; color:{P['text-muted']}'>{sign}</td>"
                f"<td style='background:{bg}'>{_esc(line.text)}</td></tr>"
            )
        parts.append("</table>")
    parts.append("</div>")
    return "".join(parts)


def _spans(spans: tuple[Span, ...] | None, mark: str) -> str:
    if spans is None:
        return "&nbsp;"
    out = []
    for span in spans:
        text = _esc(span.text)
        out.append(f"<span style='background:{mark}'>{text}</span>" if span.changed else text)
    return "".join(out) or "&nbsp;"


def side_by_side_html(rows: Sequence[SideBySideRow], left_title: str, right_title: str) -> str:
    """Two columns, lines paired; changed lines tinted, the changed words marked."""
    parts = [
        f"<table width='100%' cellspacing='0' cellpadding='4' style='color:{P['text']}'>",
        f"<tr><th align='left' width='50%' style='background:{P['surface-alt']}'>"
        f"{html.escape(left_title)}</th>"
        f"<th align='left' width='50%' style='background:{P['surface-alt']}'>"
        f"{html.escape(right_title)}</th></tr>",
    ]
    for row in rows:
        if row.kind == "same":
            left_bg = right_bg = P["surface"]
        else:
            left_bg = REMOVED_BG if row.left is not None else P["surface-alt"]
            right_bg = ADDED_BG if row.right is not None else P["surface-alt"]
        parts.append(
            f"<tr><td style='background:{left_bg}'>{_spans(row.left, REMOVED_MARK)}</td>"
            f"<td style='background:{right_bg}'>{_spans(row.right, ADDED_MARK)}</td></tr>"
        )
    if not rows:
        parts.append("<tr><td>(empty)</td><td>(empty)</td></tr>")
    parts.append("</table>")
    return "".join(parts)
