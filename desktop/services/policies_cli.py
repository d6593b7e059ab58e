"""``playbook policy export``: a policy from an answers file, without the app.

    playbook policy export --type refund --answers answers.yaml --jurisdiction eu \\
        --format pdf --out refund.pdf

The answers file (YAML or JSON) holds ``company`` (the company profile), ``answers``
(this policy's questionnaire), ``effective_date`` and optionally ``version``, ``title``,
``logo`` and ``template`` (paths relative to the answers file). Exit status: 0 written,
1 refused (every problem printed, nothing written), 2 a file could not be read.

Kept light to import: ``desktop.cli`` adds the parser at every start.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

FORMATS = ("pdf", "html", "md")
JURISDICTION_IDS = ("eu", "uk", "us_ca", "us")
_ALIASES = {"us-ca": "us_ca", "california": "us_ca", "us-general": "us", "florida": "us"}


def add_parser(sub: Any) -> None:
    """Add ``policy export`` to the ``playbook`` command's subparsers."""
    policy = sub.add_parser("policy", help="write and export sales policies")
    actions = policy.add_subparsers(dest="policy_command", metavar="ACTION", required=True)
    export = actions.add_parser(
        "export",
        help="export a policy from an answers file as PDF, HTML or Markdown",
        description="Renders a policy from an answers file. Answers that undercut a "
        "jurisdiction rule, and unfilled placeholders, stop the export with every problem "
        "listed. Not legal advice: have a qualified person review the result.",
    )
    export.add_argument("--type", required=True, dest="policy_type", metavar="TYPE",
                        help="refund, shipping, terms, warranty, subscription, privacy, "
                        "discount or commission")  # fmt: skip
    export.add_argument("--answers", required=True, type=Path, metavar="FILE")
    export.add_argument(
        "--jurisdiction",
        action="append",
        default=[],
        metavar="ID",
        help="eu, uk, us_ca or us (repeat, or separate with commas)",
    )
    export.add_argument("--format", choices=FORMATS, default=None, dest="fmt")
    export.add_argument("--out", required=True, type=Path, metavar="FILE")


def _jurisdictions(values: list[str]) -> tuple[list[str], list[str]]:
    chosen: list[str] = []
    unknown: list[str] = []
    for value in values:
        for part in value.split(","):
            name = _ALIASES.get(part.strip().lower(), part.strip().lower())
            if not name:
                continue
            if name in JURISDICTION_IDS:
                if name not in chosen:
                    chosen.append(name)
            else:
                unknown.append(part.strip())
    return chosen, unknown


def run(args: argparse.Namespace) -> int:
    """Carry out ``playbook policy export``; returns the exit status."""
    import json

    import yaml

    from desktop.domain.policy import NOT_LEGAL_ADVICE, QuestionnaireError
    from desktop.integrations.pdf import PdfProblem
    from desktop.services.policies import export_from_answers, write_atomically
    from desktop.services.policies_render import ExportBlocked, LogoProblem

    jurisdictions, unknown = _jurisdictions(args.jurisdiction)
    if unknown:
        print(
            f"error: unknown jurisdiction {', '.join(unknown)}; use {', '.join(JURISDICTION_IDS)}.",
            file=sys.stderr,
        )
        return 2
    fmt = args.fmt or (args.out.suffix.lstrip(".").lower() or "pdf")
    if fmt == "markdown":
        fmt = "md"
    if fmt not in FORMATS:
        print(f"error: cannot tell the format from {args.out.name}; add --format pdf|html|md.",
              file=sys.stderr)  # fmt: skip
        return 2
    try:
        text = args.answers.read_text(encoding="utf-8")
    except OSError as exc:
        print(f"{args.answers}: error: cannot be read ({exc.strerror}).", file=sys.stderr)
        return 2
    try:
        data = json.loads(text) if args.answers.suffix.lower() == ".json" else yaml.safe_load(text)
    except (ValueError, yaml.YAMLError) as exc:
        print(f"{args.answers}: error: not valid YAML or JSON ({exc}).", file=sys.stderr)
        return 2
    if not isinstance(data, dict):
        print(
            f"{args.answers}: error: expected a mapping with 'company' and 'answers'.",
            file=sys.stderr,
        )
        return 2
    try:
        result = export_from_answers(
            args.policy_type, data, jurisdictions, fmt, base=args.answers.parent
        )
    except ExportBlocked as exc:
        print(f"{args.answers}: {exc.user_message}", file=sys.stderr)
        print("Nothing was written.", file=sys.stderr)
        return 1
    except (QuestionnaireError, LogoProblem, PdfProblem) as exc:
        print(f"error: {exc.user_message}", file=sys.stderr)
        return 1
    except OSError as exc:
        print(f"error: {exc.filename}: cannot be read ({exc.strerror}).", file=sys.stderr)
        return 2
    write_atomically(args.out, result.data)
    print(f"Wrote {args.out} ({fmt.upper()}, {len(result.data):,} bytes).")
    print(NOT_LEGAL_ADVICE)
    return 0
