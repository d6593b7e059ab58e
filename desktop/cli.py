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


def app_version() -> str:
    # importlib.metadata pulls in zipfile, email and more: only ``--version`` pays for it.
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("playbook")
    except PackageNotFoundError:  # running from a source tree that was never installed
        return "0+unknown"


class _VersionAction(argparse.Action):
    """``--version``, looking the version up only when asked."""

    def __init__(self, option_strings: Sequence[str], dest: str, **kwargs: object) -> None:
        super().__init__(option_strings, dest, nargs=0, help="show the version and exit")

    def __call__(self, parser: argparse.ArgumentParser, *_args: object) -> None:
        print(f"Playbook {app_version()}")
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


def _has_display() -> bool:
    if sys.platform != "linux":
        return True
    return bool(
        os.environ.get("DISPLAY")
        or os.environ.get("WAYLAND_DISPLAY")
        or os.environ.get("QT_QPA_PLATFORM")
    )


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "course":
        return _validate(args.paths)
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
