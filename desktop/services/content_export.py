"""Exporting variants: CSV with Google Ads Editor's column names for search ads, Markdown
for everything else, and plain text for the clipboard.

Only variants whose quality report has no errors are exported; the caller is told which
ones hold it up and why (:class:`ExportBlocked`).
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass

from desktop.domain.content import Brief, ContentType, QualityReport, Variant

# Google Ads Editor's column names for a responsive search ad (Editor matches columns by
# these headers on import).
RSA_HEADLINES = 15
RSA_DESCRIPTIONS = 4
GOOGLE_ADS_COLUMNS = (
    "Campaign",
    "Ad group",
    "Ad type",
    *(f"Headline {i}" for i in range(1, RSA_HEADLINES + 1)),
    *(f"Description {i}" for i in range(1, RSA_DESCRIPTIONS + 1)),
    "Path 1",
    "Path 2",
    "Final URL",
)


class ExportBlocked(Exception):  # noqa: N818 (a problem for the user)
    def __init__(self, user_message: str) -> None:
        super().__init__(user_message)
        self.user_message = user_message


@dataclass(frozen=True, slots=True)
class ExportItem:
    number: int  # as shown to the user: variant 1, 2…
    variant: Variant
    report: QualityReport


def check_exportable(items: Sequence[ExportItem]) -> None:
    if not items:
        raise ExportBlocked("There is nothing to export yet: generate some variants first.")
    blocked = [i for i in items if not i.report.ok]
    if blocked:
        lines = [
            f"Variant {i.number}: {i.report.errors[0].message}"
            + (f" (+{len(i.report.errors) - 1} more)" if len(i.report.errors) > 1 else "")
            for i in blocked[:6]
        ]
        raise ExportBlocked(
            "These variants have errors the channel would reject; fix them (each finding "
            "has a suggested fix) or leave them out of the export:\n" + "\n".join(lines)
        )


def google_ads_csv(
    items: Sequence[ExportItem],
    brief: Brief,
    *,
    campaign: str = "",
    ad_group: str = "",
    final_url: str = "",
) -> str:
    """Rows for Google Ads Editor (File › Import › From file). Campaign and ad group
    default to the product and "Playbook drafts"; the final URL is left for the user
    when not given (Editor asks for it before posting)."""
    check_exportable(items)
    out = io.StringIO()
    import csv

    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(GOOGLE_ADS_COLUMNS)
    for item in items:
        v = item.variant
        headlines = list(v.items("headlines"))[:RSA_HEADLINES]
        descriptions = list(v.items("descriptions"))[:RSA_DESCRIPTIONS]
        writer.writerow(
            [
                campaign or brief.product,
                ad_group or "Playbook drafts",
                "Responsive search ad",
                *(headlines + [""] * (RSA_HEADLINES - len(headlines))),
                *(descriptions + [""] * (RSA_DESCRIPTIONS - len(descriptions))),
                (v.items("path1") or ("",))[0],
                (v.items("path2") or ("",))[0],
                final_url,
            ]
        )
    return out.getvalue()


def plain_text(ct: ContentType, variant: Variant) -> str:
    """A variant as text for the clipboard: one labelled block per field."""
    blocks = []
    for spec in ct.fields:
        items = variant.items(spec.name)
        if not items:
            continue
        if spec.is_list:
            blocks.append(f"{spec.label}s:\n" + "\n".join(f"- {i}" for i in items))
        else:
            blocks.append(f"{spec.label}:\n{items[0]}")
    return "\n\n".join(blocks)


def markdown(ct: ContentType, items: Sequence[ExportItem], brief: Brief) -> str:
    check_exportable(items)
    lines = [f"# {ct.label}: {brief.product}", ""]
    meta = [f"Channel: {ct.channel}"]
    if brief.audience:
        meta.append(f"Audience: {brief.audience}")
    if brief.offer:
        meta.append(f"Offer: {brief.offer}")
    lines += [" · ".join(meta), ""]
    for item in items:
        v = item.variant
        title = f"## Variant {item.number}"
        if v.label:
            title += f" — {v.label}"
        lines += [title, ""]
        for spec in ct.fields:
            values = v.items(spec.name)
            if not values:
                continue
            if spec.is_list:
                lines.append(f"**{spec.label}s**")
                lines.append("")
                lines += [f"{n}. {text}" for n, text in enumerate(values, start=1)]
            elif spec.multiline:
                lines.append(f"**{spec.label}**")
                lines.append("")
                lines += [f"> {line}" if line else ">" for line in values[0].splitlines()]
            else:
                lines.append(f"**{spec.label}:** {values[0]}")
            lines.append("")
        warnings = item.report.warnings
        lines.append(f"*Quality: {item.report.summary()}*")
        for w in warnings:
            lines.append(f"- ⚠ {w.message}")
        lines.append("")
    return "\n".join(lines).rstrip() + "\n"
