"""``playbook generate``: Content Studio without a window.

    playbook generate --type google-rsa --brief brief.yaml [--provider offline|NAME]
                      [--variants N] [--json]

Prints the variants with their quality reports. Exit status: 0 when every variant passes
the hard checks, 3 when some variant has errors to fix before export, 2 for a brief or
command-line problem, 1 when the provider failed (the message says why).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import sys
from pathlib import Path
from typing import Any

EXIT_OK, EXIT_FAILED, EXIT_USAGE, EXIT_FINDINGS = 0, 1, 2, 3


def add_parser(sub: Any) -> None:
    gen = sub.add_parser(
        "generate",
        help="write marketing copy from a brief (with a model, or offline from formulas)",
        description="Writes variants for a content type from a YAML or JSON brief and "
        "prints them with their quality reports. --provider offline (the default) uses the "
        "built-in copy formulas; a provider name uses one configured in Content Studio "
        "(its API key from the system keyring, or PLAYBOOK_API_KEY_<NAME>).",
    )
    gen.add_argument(
        "--type",
        dest="content_type",
        metavar="TYPE",
        help="content type, e.g. google-rsa, meta-ad, x-post, email, sms",
    )
    gen.add_argument(
        "--brief",
        type=Path,
        required=True,
        metavar="FILE",
        help="the brief: product, audience, offer, tone, language, key_facts, "
        "claims (text + evidence), variants",
    )
    gen.add_argument("--provider", default="offline", metavar="offline|NAME")
    gen.add_argument("--variants", type=int, metavar="N")
    gen.add_argument("--json", action="store_true", help="print JSON instead of text")
    gen.add_argument("--fresh", action="store_true", help="do not answer from the cache")


def _read_brief(path: Path) -> dict[str, Any]:
    text = path.read_text(encoding="utf-8")
    if path.suffix.lower() == ".json":
        data = json.loads(text)
    else:
        import yaml

        data = yaml.safe_load(text)
    if not isinstance(data, dict):
        raise ValueError("the brief must be a mapping (product: …, audience: …)")
    return data


def run(args: argparse.Namespace) -> int:
    from desktop.domain.content import Brief
    from desktop.integrations.providers.keys import ApiKeys
    from desktop.integrations.secrets import OsKeyring
    from desktop.paths import database_path, default_data_dir, resources_dir
    from desktop.services.content import OFFLINE, ContentService
    from desktop.storage.database import Database, DatabaseProblem

    try:
        data = _read_brief(args.brief)
    except OSError as exc:
        print(f"{args.brief}: error: cannot read the brief ({exc.strerror}).", file=sys.stderr)
        return EXIT_USAGE
    except ValueError as exc:  # YAML/JSON syntax, or not a mapping
        print(
            f"{args.brief}: error: {exc}. Fix: write the brief as YAML, e.g.\n"
            "  product: Acme Analytics\n  audience: small online shops\n  key_facts:\n"
            "    - Set up in 5 minutes",
            file=sys.stderr,
        )
        return EXIT_USAGE
    if args.content_type:
        data["content_type"] = args.content_type
    if args.variants is not None:
        data["variants"] = args.variants
    try:
        brief = Brief.from_dict(data)
    except ValueError as exc:
        print(f"{args.brief}: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    if not brief.content_type:
        print(
            "error: say which content type to write: --type google-rsa (or content_type: "
            "in the brief).",
            file=sys.stderr,
        )
        return EXIT_USAGE

    data_dir = args.data_dir or default_data_dir()
    try:
        db = Database.open(database_path(data_dir))
    except DatabaseProblem as exc:
        print(f"error: {exc.user_message}", file=sys.stderr)
        return EXIT_FAILED
    try:
        service = ContentService(db, resources_dir(), ApiKeys(OsKeyring(), read_environment=True))
        if brief.content_type not in service.catalogue.types:
            known = ", ".join(sorted(service.catalogue.types))
            print(
                f"error: unknown content type '{brief.content_type}'. Use one of: {known}.",
                file=sys.stderr,
            )
            return EXIT_USAGE
        problems = brief.problems()
        if problems:
            for p in problems:
                print(f"{args.brief}: error: {p}", file=sys.stderr)
            return EXIT_USAGE
        try:
            if args.provider == OFFLINE:
                generation = service.generate_template(brief)
            else:
                generation = asyncio.run(
                    service.generate(brief, args.provider, bypass_cache=args.fresh, queue=False)
                )
        except Exception as exc:
            message = getattr(exc, "user_message", None)
            if message is None:
                raise
            print(f"error: {message}", file=sys.stderr)
            return EXIT_FAILED
        _print(generation, as_json=args.json)
        bad = any(v.report.errors for v in generation.variants)
        return EXIT_FINDINGS if bad else EXIT_OK
    finally:
        db.close()


def _print(generation: Any, *, as_json: bool) -> None:
    from desktop.domain.content_counting import counter_text

    ct = generation.content_type
    if as_json:
        out = {
            "content_type": ct.id,
            "provider": generation.provider,
            "model": generation.model,
            "cached": generation.cached,
            "variants": [
                {
                    "label": v.variant.label,
                    "source": v.variant.source.value,
                    "fields": {k: list(items) for k, items in v.variant.fields.items()},
                    "quality": {
                        "ok": v.report.ok,
                        "summary": v.report.summary(),
                        "findings": v.report.to_list(),
                    },
                }
                for v in generation.variants
            ],
        }
        print(json.dumps(out, indent=2, ensure_ascii=False))
        return
    print(
        f"{ct.label} · {len(generation.variants)} variant(s) · "
        + (
            "template drafts (offline)"
            if generation.provider == "offline"
            else f"{generation.provider} · {generation.model}"
        )
    )
    for n, shown in enumerate(generation.variants, start=1):
        v = shown.variant
        print()
        print(f"Variant {n}" + (f" — {v.label}" if v.label else ""))
        for spec in ct.fields:
            for i, item in enumerate(v.items(spec.name), start=1):
                name = f"{spec.label} {i}" if spec.is_list else spec.label
                text = item.replace("\n", "\n      ")
                print(f"  {name}: {text}   [{counter_text(spec, item)}]")
        print(f"  Quality: {shown.report.summary()}")
        for f in shown.report.findings:
            print(f"    {f.severity.value:<7} {f.message}")
            if f.fix:
                print(f"            fix: {f.fix}")
