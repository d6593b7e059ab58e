"""Course folders on disk: finding them, loading and validating them, and the library of
courses the app shows.

Reading is strict and all-or-nothing: :func:`load_course` either returns a complete
:class:`Course` or raises :class:`CourseFormatError` listing *every* problem of that
course. A broken course becomes a :class:`CourseEntry` with its problems; the other
courses keep working.

The library checks every file of every course when it reads them, but keeps only an
outline of each lesson (slides without their text: see ``Lesson.outline``): a learner
reads one lesson at a time, and the text of a 500-lesson course is megabytes. The text
of a lesson is read again when it is shown (:meth:`CourseLibrary.lesson_content`), and
only if the file still holds what was checked (its SHA-256); otherwise
:class:`LessonChangedError` says to refresh the library.
"""

from __future__ import annotations

import math
import os
import re
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Protocol

from desktop.domain.course import Course, Lesson
from desktop.domain.course_format import (
    LESSON_SUFFIX,
    LESSONS_DIR,
    MANIFEST_NAME,
    MAX_IMAGE_BYTES,
    MAX_LESSON_BYTES,
    MAX_MANIFEST_BYTES,
    MIB,
    CourseFormatError,
    FileReference,
    Manifest,
    Problem,
    build_course,
    decode_text,
    has_errors,
    parse_lesson,
    parse_manifest,
    sort_problems,
)
from desktop.domain.digests import sha256

__all__ = [
    "CourseEntry",
    "CourseFormatError",
    "CourseLibrary",
    "FolderStore",
    "LessonChangedError",
    "Problem",
    "inspect_course",
    "is_course_folder",
    "load_course",
    "validate_paths",
]


# --------------------------------------------------------------------------- loading


_PICK_FOLDER = "pick the folder that holds the course.toml manifest (see docs/course-format.md)."


def is_course_folder(path: Path) -> bool:
    return (path / MANIFEST_NAME).is_file()


def _size(n: int) -> str:
    """Sizes for people, rounded up so that a file over a limit never reads as equal."""
    if n >= MIB:
        return f"{math.ceil(n * 10 / MIB) / 10:g} MiB"
    return f"{math.ceil(n / 1024)} KiB"


KeepText = Callable[[str, str], bool]
"""Asked with a course's id and stamp (``Course.digest``) before its lessons are read:
True keeps their text (the search index is out of date and reads it next)."""


def _stamp(manifest: Path, lessons_dir: Path, lesson_ids: Sequence[str]) -> str:
    """SHA-256 over the name, size and modification time of the manifest and each lesson
    file: known before reading them, and changed by any edit (``Course.digest``)."""
    digest = sha256()
    for path in (manifest, *(lessons_dir / f"{lid}{LESSON_SUFFIX}" for lid in lesson_ids)):
        try:
            info = path.stat()
            digest.update(f"{path.name}\x1f{info.st_size}\x1f{info.st_mtime_ns}\x1e".encode())
        except OSError:
            digest.update(f"{path.name}\x1fmissing\x1e".encode())
    return digest.hexdigest()


class _CourseReader:
    """Reads one course folder; every check appends to ``problems`` and reading goes on."""

    def __init__(
        self, folder: Path, *, outline: bool = False, keep_text: KeepText | None = None
    ) -> None:
        self.folder = folder  # as the caller wrote it: problems show this path
        self.root = folder.resolve()
        self.outline = outline  # keep lessons as outlines (see the module docstring)
        self.keep_text = keep_text  # asked, before reading the lessons, to keep their text
        self.kept_text = False  # the answer: lessons keep their text (until release_text)
        self.problems: list[Problem] = []
        self.digests: dict[Path, str] = {}  # SHA-256 of each file read, for outlines
        self._checked: dict[tuple[str, bool], tuple[str, str] | None] = {}

    def error(self, path: Path, line: int, message: str, hint: str) -> None:
        self.problems.append(Problem(path, line, message, hint))

    def inside(self, path: Path) -> bool:
        """Whether ``path``, with every symlink followed, is still inside the course."""
        resolved = path.resolve()
        return resolved == self.root or resolved.is_relative_to(self.root)

    def read_text(self, path: Path, limit: int, line_if_missing: int, where: Path) -> str | None:
        """The decoded text of a course file, or ``None`` after reporting why not."""
        if not self.inside(path):
            self.error(
                path,
                0,
                "the file is a link to a place outside the course folder",
                "copy the file into the course folder instead of linking to it.",
            )
            return None
        try:
            with path.open("rb") as handle:
                raw = handle.read(limit + 1)
        except FileNotFoundError:
            self.error(where, line_if_missing, f"file {path} is missing", "create it.")
            return None
        except IsADirectoryError:
            self.error(path, 0, "this should be a file but is a folder", "replace it by a file.")
            return None
        except OSError as exc:
            self.error(path, 0, f"the file cannot be read: {exc.strerror}", "check permissions.")
            return None
        if len(raw) > limit:
            size = path.stat().st_size
            self.error(
                path,
                0,
                f"the file is too big ({_size(size)}; the limit is {_size(limit)})",
                "split the lesson into several lessons, and keep images in assets/ rather "
                "than inline."
                if path.suffix == LESSON_SUFFIX
                else "shorten it.",
            )
            return None
        if self.outline:  # an outline's text is read again only if the file is unchanged
            self.digests[path] = sha256(raw).hexdigest()
        text, problems = decode_text(raw, path)
        self.problems.extend(problems)
        return text

    def read(self) -> Course | None:
        if not self.root.is_dir():
            if self.root.exists():
                self.error(self.folder, 0, "this is a file, not a course folder", _PICK_FOLDER)
            else:
                self.error(
                    self.folder,
                    0,
                    "the course folder does not exist",
                    "check the path, or reconnect the drive it is on.",
                )
            return None
        manifest_path = self.folder / MANIFEST_NAME
        if not (self.root / MANIFEST_NAME).is_file():
            self.error(
                manifest_path,
                0,
                "the folder has no course.toml, so it is not a course",
                _PICK_FOLDER,
            )
            return None
        manifest: Manifest | None = None
        text = self.read_text(manifest_path, MAX_MANIFEST_BYTES, 0, manifest_path)
        if text is not None:
            manifest, problems = parse_manifest(text, manifest_path)
            self.problems.extend(problems)

        lessons_dir = self.folder / LESSONS_DIR
        try:
            on_disk = {e.name for e in os.scandir(lessons_dir) if e.name.endswith(LESSON_SUFFIX)}
        except OSError:
            on_disk = set()
        if manifest is not None:
            lesson_ids: Sequence[str] = manifest.lesson_ids
        else:  # no usable manifest: still check every lesson file, so authors see it all
            lesson_ids = sorted(n[: -len(LESSON_SUFFIX)] for n in on_disk)

        stamp = _stamp(manifest_path, lessons_dir, lesson_ids)
        if manifest is not None and self.outline and self.keep_text is not None:
            self.kept_text = self.keep_text(manifest.id, stamp)

        lessons: dict[str, Lesson] = {}
        for lesson_id in lesson_ids:
            lesson = self.read_lesson(lesson_id, manifest, manifest_path, on_disk)
            if lesson is not None:
                lessons[lesson_id] = lesson

        if manifest is not None:
            listed = {f"{lid}{LESSON_SUFFIX}" for lid in manifest.lesson_ids}
            for name in sorted(on_disk - listed):
                self.problems.append(
                    Problem(
                        lessons_dir / name,
                        0,
                        "this lesson is not listed in any module of course.toml, so learners "
                        "never see it",
                        f'add "{name[: -len(LESSON_SUFFIX)]}" to the lessons of a module, or '
                        "delete the file.",
                        severity="warning",
                    )
                )
        if manifest is None or has_errors(self.problems):
            return None
        return replace(build_course(manifest, lessons, self.root), digest=stamp)

    def read_lesson(
        self, lesson_id: str, manifest: Manifest | None, manifest_path: Path, on_disk: set[str]
    ) -> Lesson | None:
        name = f"{lesson_id}{LESSON_SUFFIX}"
        path = self.folder / LESSONS_DIR / name
        listed_at = manifest.lesson_lines.get(lesson_id, 0) if manifest else 0
        if name not in on_disk:
            twin = next((n for n in on_disk if n.lower() == name.lower()), None)
            self.error(
                manifest_path,
                listed_at,
                f"lesson '{lesson_id}' has no file {LESSONS_DIR}/{name}",
                f"rename {LESSONS_DIR}/{twin} to {name} (file names are case-sensitive)."
                if twin
                else f"create {LESSONS_DIR}/{name}, or remove '{lesson_id}' from the module's "
                "lessons in course.toml.",
            )
            return None
        text = self.read_text(path, MAX_LESSON_BYTES, listed_at, manifest_path)
        if text is None:
            return None
        parsed = parse_lesson(text, path, lesson_id)
        self.problems.extend(parsed.problems)
        for reference in parsed.references:
            self.check_reference(path, reference)
        if parsed.lesson is None:
            return None
        if self.kept_text:  # with its file's digest, to become an outline once indexed
            return replace(parsed.lesson, digest=self.digests[path])
        if self.outline:
            return outline_of(parsed.lesson, self.digests[path])
        return parsed.lesson

    def check_reference(self, lesson_path: Path, ref: FileReference) -> None:
        """A link or image to a file in the course: it must exist, stay inside the course
        (also through symlinks) and, for images, be small enough. Results are cached, so
        an image used by many lessons is checked once."""
        key = (ref.path, ref.image)
        if key not in self._checked:
            self._checked[key] = self._file_problem(ref)
        found = self._checked[key]
        if found is not None:
            message, hint = found
            what = "image" if ref.image else "link"
            self.error(lesson_path, ref.line, f"{what} '{ref.raw}': {message}", hint)

    def _file_problem(self, ref: FileReference) -> tuple[str, str] | None:
        target = self.root / ref.path
        relative_hint = (
            "paths are relative to the lesson file: an image in the course's assets/ folder "
            "is ../assets/name.png."
        )
        try:
            info = target.stat()
        except OSError:
            return f"{ref.path} does not exist in the course", f"check the name; {relative_hint}"
        if not self.inside(target):
            return (
                "it is a link to a place outside the course folder",
                "copy the file into the course folder instead of linking to it.",
            )
        if not target.is_file():
            return "it points at a folder, not a file", "point at a file."
        if ref.image:
            if info.st_size > MAX_IMAGE_BYTES:
                return (
                    f"the image is too big ({_size(info.st_size)}; the limit is "
                    f"{_size(MAX_IMAGE_BYTES)})",
                    "make it smaller, e.g. export it at 1600 px wide or as JPEG.",
                )
            if target.suffix.lower() == ".svg" and _svg_is_active(target):
                return (
                    "the SVG holds scripts or loads other files",
                    "export the SVG again without scripts or external references, or use PNG.",
                )
        return None


_SVG_ACTIVE_RE = re.compile(rb"<script|javascript:|<foreignobject|\son[a-z]+\s*=", re.IGNORECASE)
_SVG_REFERENCE_RE = re.compile(
    rb"""(?:href\s*=\s*["']|url\(\s*["']?)\s*([^"')\s]*)""", re.IGNORECASE
)


def _svg_is_active(path: Path) -> bool:
    """Whether an SVG holds script, event handlers or references to other files: an image
    must be inert, and Playbook never loads anything from outside the course."""
    data = path.read_bytes()
    if _SVG_ACTIVE_RE.search(data):
        return True
    for match in _SVG_REFERENCE_RE.finditer(data):
        value = match.group(1).lower()
        if not (value.startswith(b"#") or value.startswith(b"data:image/")):
            return True
    return False


def inspect_course(
    folder: Path, *, outline: bool = False, keep_text: KeepText | None = None
) -> tuple[Course | None, tuple[Problem, ...]]:
    """Read and check one course folder. Returns the course (``None`` if it has any error)
    and every problem, warnings included, in file and line order. ``outline``: keep the
    lessons as outlines (what the library holds; see the module docstring), unless
    ``keep_text`` asks for their text."""
    reader = _CourseReader(folder, outline=outline, keep_text=keep_text)
    course = reader.read()
    return course, tuple(sort_problems(reader.problems))


def load_course(folder: Path) -> Course:
    """Load a whole course, or raise :class:`CourseFormatError` with every problem."""
    course, problems = inspect_course(folder)
    if course is None:
        raise CourseFormatError(problems)
    return course


def outline_of(lesson: Lesson, digest: str) -> Lesson:
    """``lesson`` without its slides' text (see ``Lesson.outline``)."""
    slides = tuple(replace(slide, body="", notes="") for slide in lesson.slides)
    return replace(lesson, slides=slides, outline=True, digest=digest)


def outline_course(course: Course) -> Course:
    """``course`` with the lessons the library read with their text (``keep_text``) as
    outlines; ``course`` itself if it has none."""
    kept = [lesson for lesson in course.lessons.values() if not lesson.outline and lesson.digest]
    if not kept:
        return course
    lessons = dict(course.lessons)
    for lesson in kept:
        lessons[lesson.id] = outline_of(lesson, lesson.digest)
    return replace(course, lessons=lessons)


class LessonChangedError(CourseFormatError):
    """A lesson's file no longer holds what the library checked: it was edited, moved or
    deleted since. Refreshing the library reads and checks it again."""

    def __init__(self, course: Course, lesson: Lesson, why: str) -> None:
        problem = Problem(
            lesson.source or Path(lesson.id),
            0,
            f"the lesson file {why} since Playbook read the library",
            "refresh the library (Courses, then Refresh) to read it again.",
        )
        super().__init__((problem,))
        self.user_message = (
            f"“{lesson.title}” {why} on disk since Playbook read the course "
            f"“{course.title}”. Refresh the library (Courses, then Refresh) to read it again."
        )


def read_lesson_content(course: Course, lesson: Lesson) -> Lesson:
    """``lesson`` with its slides' text, read again from its file (``lesson`` itself if it
    is not an outline). :class:`LessonChangedError` if the file is not what was checked."""
    if not lesson.outline:
        return lesson
    if lesson.source is None:
        raise LessonChangedError(course, lesson, "is no longer there")
    try:
        with lesson.source.open("rb") as handle:
            raw = handle.read(MAX_LESSON_BYTES + 1)
    except OSError:
        raise LessonChangedError(course, lesson, "is no longer there") from None
    if sha256(raw).hexdigest() != lesson.digest:
        raise LessonChangedError(course, lesson, "was changed")
    text, _problems = decode_text(raw, lesson.source)
    parsed = parse_lesson(text or "", lesson.source, lesson.id).lesson
    if parsed is None:  # the same bytes were checked: only a changed parser gets here
        raise LessonChangedError(course, lesson, "could not be read again")
    return parsed


class _LessonContents(Mapping[str, Lesson]):
    """A course's lessons with their text, each read from its file when asked for (and
    not kept: indexing a 500-lesson course reads them one after the other)."""

    def __init__(self, course: Course) -> None:
        self._course = course

    def __getitem__(self, lesson_id: str) -> Lesson:
        return read_lesson_content(self._course, self._course.lessons[lesson_id])

    def __iter__(self) -> Iterator[str]:
        return iter(self._course.lessons)

    def __len__(self) -> int:
        return len(self._course.lessons)

    def __contains__(self, lesson_id: object) -> bool:
        return lesson_id in self._course.lessons


def with_content(course: Course) -> Course:
    """``course`` whose lessons come with their slides' text, each lesson read from its
    file when first used (presenting, indexing for search). Raises
    :class:`LessonChangedError` on using a lesson whose file changed."""
    if not any(lesson.outline for lesson in course.lessons.values()):
        return course
    return replace(course, lessons=_LessonContents(course))


def _course_folders(path: Path) -> list[Path]:
    """``path`` itself if it is a course folder, else its course sub-folders (by name)."""
    if is_course_folder(path):
        return [path]
    try:
        children = sorted(
            (Path(e.path) for e in os.scandir(path) if e.is_dir() and not e.name.startswith(".")),
            key=lambda p: p.name,
        )
    except OSError:
        return []
    return [child for child in children if is_course_folder(child)]


def validate_paths(paths: Sequence[Path]) -> list[Problem]:
    """Every problem of the courses at ``paths``. A path may be a course folder, a folder
    of course folders, a ``course.toml`` or a lesson file (its whole course is checked)."""
    problems: list[Problem] = []
    seen: set[Path] = set()
    for path in paths:
        if path.is_file():
            if path.name == MANIFEST_NAME:
                path = path.parent
            elif path.parent.name == LESSONS_DIR and is_course_folder(path.parent.parent):
                path = path.parent.parent
        if not path.exists():
            problems.append(Problem(path, 0, "no such file or folder", "check the path."))
            continue
        folders = _course_folders(path) if path.is_dir() else []
        if not folders:
            problems.append(
                Problem(
                    path,
                    0,
                    "no course here: neither this folder nor its sub-folders hold a course.toml",
                    "pass a course folder (the one holding course.toml) or a folder of courses.",
                )
            )
            continue
        for folder in folders:
            key = folder.resolve()
            if key in seen:
                continue
            seen.add(key)
            problems.extend(inspect_course(folder)[1])
    return problems


# --------------------------------------------------------------------------- library


@dataclass(frozen=True, slots=True)
class CourseEntry:
    """One course folder as the library shows it: the course, or why it is broken."""

    folder: Path
    course: Course | None
    problems: tuple[Problem, ...] = ()
    bundled: bool = False  # shipped with the app (from the bundled courses folder)

    @property
    def broken(self) -> bool:
        return self.course is None or has_errors(self.problems)

    @property
    def title(self) -> str:
        return self.course.title if self.course is not None else self.folder.name

    @property
    def course_id(self) -> str:
        return self.course.id if self.course is not None else self.folder.name

    @property
    def errors(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if p.is_error)

    @property
    def warnings(self) -> tuple[Problem, ...]:
        return tuple(p for p in self.problems if not p.is_error)


class FolderStore(Protocol):
    """Where the user's added course folders are kept across restarts."""

    def list_folders(self) -> list[Path]: ...
    def add_folder(self, path: Path) -> None: ...
    def remove_folder(self, path: Path) -> None: ...


def _scan_root(
    root: Path, *, report_empty: bool, bundled: bool = False, keep_text: KeepText | None = None
) -> list[CourseEntry]:
    if not root.is_dir():
        if not report_empty:
            return []
        return [
            CourseEntry(
                root,
                None,
                (
                    Problem(
                        root,
                        0,
                        "the folder is not there any more",
                        "reconnect the drive it is on, or remove the folder from the library.",
                    ),
                ),
            )
        ]
    folders = _course_folders(root)
    if not folders and report_empty:
        return [
            CourseEntry(
                root,
                None,
                (
                    Problem(
                        root,
                        0,
                        "no course in this folder",
                        "add a folder that holds a course.toml, or a folder of such folders.",
                    ),
                ),
            )
        ]
    entries = []
    for folder in folders:
        course, problems = inspect_course(folder, outline=True, keep_text=keep_text)
        entries.append(CourseEntry(folder, course, problems, bundled))
    return entries


class CourseLibrary:
    """The courses the app offers: bundled ones first, then the user's folders.

    Two courses with the same id cannot both be offered (progress is keyed by id): the
    first one found wins and the later one is shown as broken, saying why."""

    def __init__(
        self, bundled_root: Path, folders: FolderStore, keep_text: KeepText | None = None
    ) -> None:
        """``keep_text``: asked for each course before its lessons are read; True keeps
        their text instead of an outline (the search index, out of date for it, reads
        the text next: a first start, an edited course)."""
        self._bundled_root = bundled_root
        self._folders = folders
        self._keep_text = keep_text
        self._scanned: dict[Path, list[CourseEntry]] = {}
        self._entries: list[CourseEntry] = []
        self._courses: dict[str, Course] = {}
        self._last_read: tuple[Lesson, Lesson] | None = None  # (outline, with its text)

    def refresh(self) -> list[CourseEntry]:
        """Re-read every course folder."""
        scanned = {
            self._bundled_root: _scan_root(
                self._bundled_root, report_empty=False, bundled=True, keep_text=self._keep_text
            )
        }
        for folder in self._folders.list_folders():
            scanned[folder] = _scan_root(folder, report_empty=True, keep_text=self._keep_text)
        self._scanned = scanned
        return self._rebuild()

    def entries(self) -> list[CourseEntry]:
        """The result of the last refresh, sorted by title."""
        return list(self._entries)

    def folders(self) -> list[Path]:
        """The folders the user added, in the order they were added."""
        return self._folders.list_folders()

    def course(self, course_id: str) -> Course:
        """The loaded course with this id; ``KeyError`` if it is unknown or broken."""
        return self._courses[course_id]

    def lesson_content(self, course: Course, lesson_id: str) -> Lesson:
        """Lesson ``lesson_id`` of ``course`` with its slides' text, to show it.
        ``KeyError`` if the course has no such lesson; :class:`LessonChangedError` if its
        file changed since the library read it. The last lesson read is kept: the window
        checks that a lesson can be read before the player shows it."""
        outline = course.lessons[lesson_id]
        last = self._last_read
        if last is not None and last[0] is outline:
            return last[1]
        lesson = read_lesson_content(course, outline)
        self._last_read = (outline, lesson)
        return lesson

    def add_folder(self, path: Path) -> list[CourseEntry]:
        """Add a course folder (or a folder of course folders), keep it across restarts,
        and return the entries found in it. ``NotADirectoryError`` if it is no folder."""
        path = path.expanduser().absolute()
        if not path.is_dir():
            raise NotADirectoryError(f"{path} is not a folder")
        self._folders.add_folder(path)
        self._scanned[path] = _scan_root(path, report_empty=True, keep_text=self._keep_text)
        self._rebuild()
        found = {e.folder for e in self._scanned[path]}
        return [e for e in self._entries if e.folder in found]

    def release_text(self) -> None:
        """Keep only outlines of the courses read with their text (``keep_text``): called
        once the search index has read them. Their text is read from the files again
        when a lesson is shown, as for every other course."""
        changed = False
        for root_entries in self._scanned.values():
            for i, entry in enumerate(root_entries):
                course = entry.course
                if course is not None and (outlined := outline_course(course)) is not course:
                    root_entries[i] = replace(entry, course=outlined)
                    changed = True
        if changed:
            self._rebuild()

    def remove_folder(self, path: Path) -> None:
        """Forget a user folder (its files are left alone)."""
        self._folders.remove_folder(path)
        self._scanned.pop(path, None)
        self._scanned.pop(path.expanduser().absolute(), None)
        self._rebuild()

    def _rebuild(self) -> list[CourseEntry]:
        entries: list[CourseEntry] = []
        courses: dict[str, Course] = {}
        owners: dict[str, Path] = {}
        seen_folders: set[Path] = set()
        for root_entries in list(self._scanned.values()):
            for entry in root_entries:
                real = entry.folder.resolve()
                if real in seen_folders:  # the same folder reached twice
                    continue
                seen_folders.add(real)
                course = entry.course
                if course is not None and not entry.broken:
                    if course.id in courses:
                        entry = _duplicate(entry, course, owners[course.id])
                    else:
                        courses[course.id] = course
                        owners[course.id] = entry.folder
                entries.append(entry)
        entries.sort(key=lambda e: (e.title.casefold(), str(e.folder)))
        self._entries = entries
        self._courses = courses
        return list(entries)


def _duplicate(entry: CourseEntry, course: Course, owner: Path) -> CourseEntry:
    problem = Problem(
        entry.folder / MANIFEST_NAME,
        0,
        f"another course with id '{course.id}' is already in the library (from {owner})",
        "give this course its own id in course.toml, or remove one of the two folders.",
    )
    return CourseEntry(entry.folder, None, (*entry.problems, problem), entry.bundled)
