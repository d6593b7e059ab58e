"""The ``playbook`` command: the desktop app, and headless commands for IT, CI and authors.

Kept light on imports so ``playbook --version`` and ``playbook course validate`` answer
fast; Qt is imported only by the commands that need it.
"""

from __future__ import annotations

import argparse
import os
import sys
from collections.abc import Sequence
from pathlib import Path


class _VersionAction(argparse.Action):
    """``--version``, looking the version up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        from desktop.version import describe

        print(describe())
        parser.exit()


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="playbook",
        description="Playbook — courses, marketing content and sales policies, offline.",
    )
    parser.add_argument("--version", action=_VersionAction)
    parser.add_argument(
        "--data-dir",
        type=Path,
        metavar="DIR",
        help="where Playbook keeps its database and settings (default: your user data folder)",
    )
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")

    st = sub.add_parser(
        "self-test",
        help="start headless, open every section, play a lesson and a quiz, check storage",
        description="Checks an install without a screen. Exits 0 when everything works, "
        "non-zero with the reason otherwise. Uses a throw-away data folder unless "
        "--data-dir is given.",
    )
    st.add_argument("--data-dir", type=Path, metavar="DIR", dest="selftest_data_dir")

    course = sub.add_parser("course", help="work with course folders")
    course_sub = course.add_subparsers(dest="course_command", metavar="ACTION", required=True)
    validate = course_sub.add_parser(
        "validate",
        help="check course folders and report every problem with file:line",
        description="Checks each course folder (or a folder of course folders) and prints "
        "every problem at once. Exits 1 if any error was found.",
    )
    validate.add_argument("paths", nargs="+", type=Path, metavar="PATH")

    from desktop.services.policies_cli import add_parser as add_policy_parser

    add_policy_parser(sub)

    from desktop.services.content_cli import add_parser as add_generate_parser

    add_generate_parser(sub)

    from desktop.services.sync_cli import add_parser as add_sync_parser

    add_sync_parser(sub)

    admin = sub.add_parser("admin", help="commands for IT")
    admin_sub = admin.add_subparsers(dest="admin_command", metavar="ACTION", required=True)
    admin_sub.add_parser(
        "settings",
        help="print the effective settings and where each value comes from",
        description="Prints every setting IT can lock, its effective value and its source "
        "(default, the user's settings, or the managed-settings file). Exits 1 if the "
        "managed-settings file has problems.",
    )
    return parser


def _validate(paths: Sequence[Path]) -> int:
    from desktop.services.course_library import validate_paths

    missing = [p for p in paths if not p.exists()]
    for p in missing:
        print(f"{p}: error: no such file or folder. Fix: check the path.", file=sys.stderr)
    problems = validate_paths([p for p in paths if p.exists()])
    errors = [p for p in problems if p.severity == "error"]
    for problem in problems:
        print(problem, file=sys.stderr if problem.severity == "error" else sys.stdout)
    checked = len(paths) - len(missing)
    if errors or missing:
        n = len(errors) + len(missing)
        print(f"{n} error{'s' if n != 1 else ''} in {len(paths)} path(s).", file=sys.stderr)
        return 1
    warnings = len(problems) - len(errors)
    print(f"OK: {checked} path(s) valid" + (f", {warnings} warning(s)." if warnings else "."))
    return 0


def _admin_settings(data_dir: Path | None) -> int:
    from desktop.config import SettingsStore
    from desktop.paths import default_data_dir, settings_path
    from desktop.policy import load_managed
    from desktop.services.effective_settings import effective_settings

    folder = data_dir or default_data_dir()
    store = SettingsStore(settings_path(folder))
    managed = load_managed()
    rows = effective_settings(
        store.current,
        managed,
        user_has_font="lesson_font_pt" in store.explicit,
        user_server_url=_stored_server_url(folder),
    )
    print("Playbook settings: defaults < user settings < managed settings (locked)")
    print(f"  user settings:    {store.path}" + ("" if store.path.exists() else " (none)"))
    print(f"  managed settings: {managed.path}" + ("" if managed.found else " (none)"))
    print()
    label_w = max(len(r.label) for r in rows)
    value_w = max(len(r.value) for r in rows)
    for r in rows:
        note = f" — {r.note}" if r.note else ""
        print(f"  {r.label:<{label_w}}  {r.value:<{value_w}}  {r.source.value}{note}")
    if managed.problems:
        print(f"\nProblems in {managed.path} (the settings concerned are locked off):")
        for problem in managed.problems:
            print(f"  - {problem}")
        return 1
    return 0


def _stored_server_url(data_dir: Path) -> str | None:
    """The server the user signed in to, read without migrating or creating anything."""
    import sqlite3

    from desktop.paths import database_path
    from desktop.storage.sync import get_state

    path = database_path(data_dir)
    if not path.exists():
        return None
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True)
        try:
            return get_state(conn, "server_url") or None
        finally:
            conn.close()
    except sqlite3.Error:  # an old or damaged database: nothing to report
        return None


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


def main(argv: Sequence[str] | None = None) -> int:
    if getattr(sys, "frozen", False):
        # A frozen build starts its worker processes (PDF rendering) through this same
        # executable; this hands them to their work instead of starting the app again.
        import multiprocessing

        multiprocessing.freeze_support()
    args = _parser().parse_args(argv)
    if args.command == "course":
        return _validate(args.paths)
    if args.command == "generate":
        from desktop.services.content_cli import run as run_generate

        return run_generate(args)
    if args.command == "policy":
        from desktop.services.policies_cli import run as run_policy

        return run_policy(args)
    if args.command == "admin":
        return _admin_settings(args.data_dir)
    if args.command == "sync":
        from desktop.services.sync_cli import run as run_sync

        return run_sync(args)
    if args.command == "self-test":
        from desktop.app import run_self_test

        return run_self_test(args.selftest_data_dir or args.data_dir)

    if not _has_display():
        print(
            "Playbook needs a display, and this machine has none (no DISPLAY or "
            "WAYLAND_DISPLAY).\nTo check the install headless, run:  playbook self-test\n"
            "(from the source tree: make selftest).",
            file=sys.stderr,
        )
        return 2
    from desktop.app import run_gui

    return run_gui(args.data_dir)


if __name__ == "__main__":
    sys.exit(main())
