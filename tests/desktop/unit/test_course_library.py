"""Course folders on disk: whole courses load or fail with every problem at once, broken
courses never take the library down, and files outside the course are refused."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from desktop.domain.course import CompletionKind, CourseCompletionKind, QuestionKind
from desktop.domain.course_format import MAX_IMAGE_BYTES, MAX_LESSON_BYTES
from desktop.services.course_library import (
    CourseFormatError,
    CourseLibrary,
    LessonChangedError,
    inspect_course,
    load_course,
    validate_paths,
    with_content,
)
from desktop.services.rendering import render_slide_html

SAMPLE = Path(__file__).resolve().parents[3] / "courses" / "sample-course"

MANIFEST = """\
id = "{id}"
version = "1.0.0"
title = "{title}"

[[modules]]
id = "basics"
title = "Basics"
lessons = [{lessons}]
"""


def lesson_text(title: str = "Hello", body: str = "# Welcome\n\nHi there.\n") -> str:
    return f"---\ntitle: {title}\n---\n\n{body}"


def write_course(
    root: Path,
    lessons: dict[str, str] | None = None,
    *,
    course_id: str = "demo",
    title: str = "Demo course",
    listed: list[str] | None = None,
) -> Path:
    lessons = {"intro": lesson_text()} if lessons is None else lessons
    listed = list(lessons) if listed is None else listed
    (root / "lessons").mkdir(parents=True, exist_ok=True)
    (root / "assets").mkdir(exist_ok=True)
    (root / "course.toml").write_text(
        MANIFEST.format(
            id=course_id, title=title, lessons=", ".join(f'"{name}"' for name in listed)
        ),
        encoding="utf-8",
    )
    for name, text in lessons.items():
        (root / "lessons" / f"{name}.md").write_text(text, encoding="utf-8")
    return root


def problems_of(folder: Path) -> list[str]:
    with pytest.raises(CourseFormatError) as raised:
        load_course(folder)
    return [str(p) for p in raised.value.problems]


class MemoryFolderStore:
    def __init__(self) -> None:
        self.folders: list[Path] = []

    def list_folders(self) -> list[Path]:
        return list(self.folders)

    def add_folder(self, path: Path) -> None:
        if path not in self.folders:
            self.folders.append(path)

    def remove_folder(self, path: Path) -> None:
        self.folders.remove(path)


# --------------------------------------------------------------------------- sample course


def test_sample_course_is_valid_and_uses_every_feature() -> None:
    course, problems = inspect_course(SAMPLE)
    assert problems == ()
    assert course is not None
    assert len(course.modules) == 2
    lessons = course.ordered_lessons()
    assert 3 <= len(lessons) <= 4
    questions = [q for lesson in lessons for q in lesson.questions]
    assert {q.kind for q in questions} == set(QuestionKind)
    assert any(q.hint for q in questions)
    assert any(q.max_attempts for q in questions)
    assert any(q.points > 1 for q in questions)
    assert any(c.feedback for q in questions for c in q.choices)
    assert any(q.correct_feedback and q.incorrect_feedback for q in questions)
    assert {lesson.completion.kind for lesson in lessons} == set(CompletionKind)
    assert course.completion.kind is CourseCompletionKind.PERCENT
    slides = [s for lesson in lessons for s in lesson.slides]
    assert any(s.notes for s in slides)
    html = "".join(render_slide_html(s) for s in slides)
    assert "<table>" in html
    assert '<img alt="' in html
    assert 'src="assets/' in html


def test_sample_course_images_exist_inside_the_course() -> None:
    course = load_course(SAMPLE)
    for lesson in course.ordered_lessons():
        for slide in lesson.slides:
            html = render_slide_html(slide)
            for chunk in html.split('src="')[1:]:
                assert (SAMPLE / chunk.split('"')[0]).is_file()


# --------------------------------------------------------------------------- loading


def test_a_good_course_loads_whole(tmp_path: Path) -> None:
    folder = write_course(
        tmp_path / "demo",
        {"intro": lesson_text("Intro"), "next": lesson_text("Next", "# Second\n\nMore.\n")},
    )
    course = load_course(folder)
    assert course.id == "demo"
    assert [lesson.title for lesson in course.ordered_lessons()] == ["Intro", "Next"]
    assert course.root == folder.resolve()
    assert course.lessons["intro"].source == folder / "lessons" / "intro.md"


def test_missing_lesson_file_points_at_the_line_that_lists_it(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "demo", listed=["intro", "gone"])
    (problem,) = problems_of(folder)
    assert problem.startswith(f"{folder / 'course.toml'}:8: error: lesson 'gone' has no file")
    assert "create lessons/gone.md" in problem


def test_lesson_file_names_are_case_sensitive_everywhere(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "demo", {"Intro": lesson_text()}, listed=["intro"])
    problems = problems_of(folder)
    assert any("rename lessons/Intro.md to intro.md" in p for p in problems)


def test_every_problem_of_every_file_is_reported_at_once(tmp_path: Path) -> None:
    folder = write_course(
        tmp_path / "demo",
        {
            "intro": "---\ntitle: Broken: yaml\n---\n# Hi\n",
            "quiz": lesson_text(body="# Q\n\n```quiz\nid: q\ntype: essay\nquestion: Why?\n```\n"),
            "images": lesson_text(body="# Pics\n\n![x](../../secret.png)\n"),
        },
        listed=["intro", "quiz", "images", "missing"],
    )
    problems = problems_of(folder)
    assert len(problems) == 4
    joined = "\n".join(problems)
    assert "course.toml:8: error: lesson 'missing' has no file" in joined
    assert "intro.md:2: error: the front matter is not valid YAML" in joined
    assert "quiz.md:9: error: question 'q': unknown quiz type 'essay'" in joined
    assert "images.md:7: error: image '../../secret.png' is not allowed" in joined


def test_broken_toml_still_checks_every_lesson_file(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "demo", {"intro": lesson_text(body="No heading, no id.\n")})
    (folder / "course.toml").write_text('id = "demo"\ntitle = "Unclosed\n', encoding="utf-8")
    problems = problems_of(folder)
    assert any("course.toml:2: error: course.toml is not valid TOML" in p for p in problems)
    assert any("intro.md:5: error: the slide has no id" in p for p in problems)


def test_non_utf8_lesson_is_reported_with_its_line(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "demo")
    (folder / "lessons" / "intro.md").write_bytes(
        b"---\ntitle: Caf\xe9\n---\n# Hi\n"  # Latin-1, not UTF-8
    )
    (problem,) = problems_of(folder)
    assert "intro.md:2: error: the file is not UTF-8 text" in problem
    assert "UTF-8" in problem.split("Fix:")[1]


def test_non_utf8_manifest_is_reported(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "demo")
    (folder / "course.toml").write_bytes(b'id = "demo"\ntitle = "Caf\xe9"\n')
    assert any("course.toml:2: error: the file is not UTF-8" in p for p in problems_of(folder))


def test_utf8_bom_and_windows_line_endings_are_fine(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "demo")
    text = "\ufeff---\r\ntitle: Hi\r\n---\r\n# One\r\n\r\n---\r\n\r\n# Two\r\n"
    (folder / "lessons" / "intro.md").write_bytes(text.encode("utf-8"))
    course = load_course(folder)
    assert [s.id for s in course.lessons["intro"].slides] == ["one", "two"]


def test_oversized_lesson_is_refused_with_the_limit(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "demo")
    body = lesson_text() + ("x" * 100 + "\n") * (MAX_LESSON_BYTES // 100)
    (folder / "lessons" / "intro.md").write_text(body, encoding="utf-8")
    (problem,) = problems_of(folder)
    assert "intro.md: error: the file is too big (1.1 MiB; the limit is 1 MiB)" in problem
    assert "split the lesson" in problem


def test_oversized_image_is_refused(tmp_path: Path) -> None:
    folder = write_course(
        tmp_path / "demo", {"intro": lesson_text(body="# Hi\n\n![big](../assets/big.png)\n")}
    )
    with (folder / "assets" / "big.png").open("wb") as handle:
        handle.truncate(MAX_IMAGE_BYTES + 1)
    (problem,) = problems_of(folder)
    assert "intro.md:7: error: image '../assets/big.png': the image is too big" in problem
    assert "too big (5.1 MiB; the limit is 5 MiB)" in problem


def test_missing_image_is_reported_with_the_relative_path_rule(tmp_path: Path) -> None:
    folder = write_course(
        tmp_path / "demo", {"intro": lesson_text(body="# Hi\n\n![x](assets/x.png)\n")}
    )
    (problem,) = problems_of(folder)
    assert "lessons/assets/x.png does not exist in the course" in problem
    assert "../assets/name.png" in problem


def test_remote_image_is_an_error_and_remote_link_a_warning(tmp_path: Path) -> None:
    folder = write_course(
        tmp_path / "demo",
        {"intro": lesson_text(body="# Hi\n\n[guide](https://example.com)\n")},
    )
    course, problems = inspect_course(folder)
    assert course is not None
    assert [p.severity for p in problems] == ["warning"]
    (folder / "lessons" / "intro.md").write_text(
        lesson_text(body="# Hi\n\n![pixel](https://tracker.example/p.gif)\n"), encoding="utf-8"
    )
    (problem,) = problems_of(folder)
    assert "never loads anything from the network" in problem


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="needs symlinks")
def test_symlinks_leaving_the_course_are_refused(tmp_path: Path) -> None:
    secret = tmp_path / "outside"
    secret.mkdir()
    (secret / "photo.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (secret / "stolen.md").write_text(lesson_text("Stolen"), encoding="utf-8")
    folder = write_course(
        tmp_path / "demo",
        {"intro": lesson_text(body="# Hi\n\n![x](../assets/photo.png)\n")},
        listed=["intro", "stolen"],
    )
    (folder / "assets" / "photo.png").symlink_to(secret / "photo.png")
    (folder / "lessons" / "stolen.md").symlink_to(secret / "stolen.md")
    problems = problems_of(folder)
    assert len(problems) == 2
    assert any(
        "intro.md:7: error: image '../assets/photo.png': it is a link to a place outside" in p
        for p in problems
    )
    assert any(
        "stolen.md: error: the file is a link to a place outside the course" in p for p in problems
    )


def test_symlinks_inside_the_course_are_fine(tmp_path: Path) -> None:
    folder = write_course(
        tmp_path / "demo", {"intro": lesson_text(body="# Hi\n\n![x](../assets/alias.png)\n")}
    )
    (folder / "assets" / "real.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "assets" / "alias.png").symlink_to(folder / "assets" / "real.png")
    assert load_course(folder).id == "demo"


def test_svg_with_script_is_refused(tmp_path: Path) -> None:
    folder = write_course(
        tmp_path / "demo", {"intro": lesson_text(body="# Hi\n\n![x](../assets/a.svg)\n")}
    )
    (folder / "assets" / "a.svg").write_text(
        '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    )
    (problem,) = problems_of(folder)
    assert "the SVG holds scripts or loads other files" in problem


def test_duplicate_lesson_ids_across_modules_are_reported(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "demo")
    (folder / "course.toml").write_text(
        MANIFEST.format(id="demo", title="Demo", lessons='"intro"')
        + '\n[[modules]]\nid = "more"\ntitle = "More"\nlessons = ["intro"]\n',
        encoding="utf-8",
    )
    (problem,) = problems_of(folder)
    assert "course.toml:13: error: lesson 'intro' is listed twice (first at line 8)" in problem


def test_unlisted_lesson_file_is_a_warning_only(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "demo")
    (folder / "lessons" / "draft.md").write_text(lesson_text(), encoding="utf-8")
    course, problems = inspect_course(folder)
    assert course is not None
    (warning,) = problems
    assert warning.severity == "warning"
    assert "not listed in any module" in warning.message


def test_folder_without_manifest_is_not_a_course(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (problem,) = problems_of(tmp_path / "empty")
    assert "no course.toml" in problem


# --------------------------------------------------------------------------- validate


def test_validate_paths_checks_a_folder_of_courses_and_single_files(tmp_path: Path) -> None:
    write_course(tmp_path / "all" / "good", course_id="good")
    write_course(tmp_path / "all" / "bad", course_id="bad", listed=["intro", "gone"])
    (tmp_path / "all" / "not-a-course").mkdir()
    problems = validate_paths([tmp_path / "all"])
    assert [p.message for p in problems] == ["lesson 'gone' has no file lessons/gone.md"]

    assert validate_paths([tmp_path / "all" / "good" / "course.toml"]) == []
    assert validate_paths([tmp_path / "all" / "good" / "lessons" / "intro.md"]) == []
    assert len(validate_paths([tmp_path / "all" / "bad", tmp_path / "all" / "bad"])) == 1


def test_validate_paths_reports_folders_without_courses(tmp_path: Path) -> None:
    (problem,) = validate_paths([tmp_path])
    assert "no course here" in problem.message
    (missing,) = validate_paths([tmp_path / "nope"])
    assert "no such file or folder" in missing.message


def test_validate_paths_accepts_the_sample_course() -> None:
    assert validate_paths([SAMPLE]) == []


# --------------------------------------------------------------------------- library


def test_a_broken_course_is_listed_with_its_reason_and_others_keep_working(tmp_path: Path) -> None:
    bundled = tmp_path / "courses"
    write_course(bundled / "good", course_id="good", title="Good course")
    write_course(bundled / "bad", course_id="bad", title="Bad course", listed=["intro", "gone"])
    library = CourseLibrary(bundled, MemoryFolderStore())
    entries = library.refresh()
    assert [(e.title, e.broken) for e in entries] == [("bad", True), ("Good course", False)]
    assert all(e.bundled for e in entries)
    broken = entries[0]
    assert broken.course is None
    assert broken.course_id == "bad"
    assert "lesson 'gone' has no file" in str(broken.problems[0])
    assert library.course("good").title == "Good course"
    with pytest.raises(KeyError):
        library.course("bad")


def test_user_folders_are_added_persisted_and_removed(tmp_path: Path) -> None:
    store = MemoryFolderStore()
    library = CourseLibrary(tmp_path / "no-bundled-courses", store)
    assert library.refresh() == []
    mine = write_course(tmp_path / "mine" / "launch", course_id="launch", title="Launch plan")
    found = library.add_folder(tmp_path / "mine")
    assert [e.folder for e in found] == [mine]
    assert store.folders == [tmp_path / "mine"]
    assert library.folders() == [tmp_path / "mine"]
    assert library.course("launch").title == "Launch plan"
    assert not found[0].bundled

    reopened = CourseLibrary(tmp_path / "no-bundled-courses", store)  # the next app start
    assert [e.course_id for e in reopened.refresh()] == ["launch"]

    library.remove_folder(tmp_path / "mine")
    assert library.entries() == []
    assert store.folders == []
    with pytest.raises(KeyError):
        library.course("launch")


def test_a_single_course_folder_can_be_added(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "one", course_id="one", title="One")
    library = CourseLibrary(tmp_path / "none", MemoryFolderStore())
    (entry,) = library.add_folder(folder)
    assert entry.course is not None
    assert entry.course.id == "one"


def test_adding_something_that_is_not_a_folder_is_refused(tmp_path: Path) -> None:
    store = MemoryFolderStore()
    library = CourseLibrary(tmp_path, store)
    with pytest.raises(NotADirectoryError):
        library.add_folder(tmp_path / "missing")
    assert store.folders == []


def test_a_vanished_user_folder_shows_as_broken(tmp_path: Path) -> None:
    store = MemoryFolderStore()
    store.folders.append(tmp_path / "usb-stick")
    (entry,) = CourseLibrary(tmp_path / "none", store).refresh()
    assert entry.broken
    assert "not there any more" in entry.problems[0].message


def test_second_course_with_the_same_id_is_broken_not_mixed_up(tmp_path: Path) -> None:
    bundled = tmp_path / "courses"
    write_course(bundled / "a", course_id="same", title="First")
    store = MemoryFolderStore()
    store.folders.append(write_course(tmp_path / "copy", course_id="same", title="Copy"))
    library = CourseLibrary(bundled, store)
    entries = library.refresh()
    assert library.course("same").title == "First"
    copy = next(e for e in entries if e.folder == tmp_path / "copy")
    assert copy.broken
    assert "another course with id 'same'" in copy.problems[-1].message


def test_the_same_folder_reached_twice_is_listed_once(tmp_path: Path) -> None:
    bundled = tmp_path / "courses"
    write_course(bundled / "a", course_id="a")
    store = MemoryFolderStore()
    store.folders.append(bundled)
    entries = CourseLibrary(bundled, store).refresh()
    assert [e.course_id for e in entries] == ["a"]
    assert not entries[0].broken


def test_the_complete_example_in_the_docs_is_a_valid_course(tmp_path: Path) -> None:
    docs = (SAMPLE.parents[1] / "docs" / "course-format.md").read_text(encoding="utf-8")
    example = docs.split("## A complete example", 1)[1]
    manifest = example.split("```toml\n", 1)[1].split("\n```", 1)[0]
    lesson = example.split("````markdown\n", 1)[1].split("\n````", 1)[0]
    folder = tmp_path / "example"
    (folder / "lessons").mkdir(parents=True)
    (folder / "assets").mkdir()
    (folder / "assets" / "inbox.png").write_bytes(b"\x89PNG\r\n\x1a\n")
    (folder / "course.toml").write_text(manifest, encoding="utf-8")
    (folder / "lessons" / "key-words-first.md").write_text(lesson + "\n", encoding="utf-8")
    course, problems = inspect_course(folder)
    assert problems == ()
    assert course is not None
    questions = course.lessons["key-words-first"].questions
    assert [q.id for q in questions] == ["first-words", "preheader"]


# --------------------------------------------------------------------------- outlines


def test_the_library_keeps_outlines_and_reads_a_lesson_s_text_when_shown() -> None:
    library = CourseLibrary(SAMPLE.parent, MemoryFolderStore())
    library.refresh()
    kept = library.course("email-subject-lines")
    whole = load_course(SAMPLE)
    assert kept.digest
    assert kept.lessons.keys() == whole.lessons.keys()
    for lesson_id, full in whole.lessons.items():
        outline = kept.lessons[lesson_id]
        # Everything but the slides' text stays in memory: ids, titles, questions, rules.
        assert outline.outline
        assert not full.outline
        assert [(s.id, s.title, s.questions, s.line) for s in outline.slides] == [
            (s.id, s.title, s.questions, s.line) for s in full.slides
        ]
        assert outline.completion == full.completion
        assert all(s.body == "" and s.notes == "" for s in outline.slides)
        assert library.lesson_content(kept, lesson_id) == full


def test_a_lesson_edited_after_the_library_read_it_asks_for_a_reload(tmp_path: Path) -> None:
    folder = write_course(tmp_path / "c" / "demo", {"intro": lesson_text(), "next": lesson_text()})
    library = CourseLibrary(tmp_path / "c", MemoryFolderStore())
    library.refresh()
    course = library.course("demo")
    (folder / "lessons" / "intro.md").write_text(
        lesson_text(body="# Welcome\n\nChanged.\n"), "utf-8"
    )
    with pytest.raises(LessonChangedError) as changed:
        library.lesson_content(course, "intro")
    assert "“Hello” was changed on disk" in changed.value.user_message
    assert "Refresh the library" in changed.value.user_message
    (folder / "lessons" / "next.md").unlink()
    with pytest.raises(LessonChangedError, match="no longer there"):
        library.lesson_content(course, "next")
    (folder / "lessons" / "next.md").write_text(lesson_text(), "utf-8")
    library.refresh()  # read again: the edited text is what is shown now
    lesson = library.lesson_content(library.course("demo"), "intro")
    assert lesson.slides[0].body.strip() == "# Welcome\n\nChanged."


def test_with_content_reads_each_lesson_when_used() -> None:
    library = CourseLibrary(SAMPLE.parent, MemoryFolderStore())
    library.refresh()
    kept = library.course("email-subject-lines")
    full = with_content(kept)
    whole = load_course(SAMPLE)
    assert [lesson.slides for lesson in full.ordered_lessons()] == [
        lesson.slides for lesson in whole.ordered_lessons()
    ]
    assert with_content(whole) is whole  # a course read whole is used as it is


def test_text_kept_for_the_search_index_is_let_go_once_indexed() -> None:
    library = CourseLibrary(SAMPLE.parent, MemoryFolderStore(), keep_text=lambda _id, _stamp: True)
    library.refresh()
    kept = library.course("email-subject-lines")
    whole = load_course(SAMPLE)
    assert all(not lesson.outline and lesson.digest for lesson in kept.lessons.values())
    assert [lesson.slides for lesson in kept.lessons.values()] == [
        lesson.slides for lesson in whole.lessons.values()
    ]

    library.release_text()
    released = library.course("email-subject-lines")
    assert all(lesson.outline for lesson in released.lessons.values())
    assert all(s.body == "" for lesson in released.lessons.values() for s in lesson.slides)
    for lesson_id, full in whole.lessons.items():
        assert library.lesson_content(released, lesson_id) == full
    (entry,) = [e for e in library.entries() if e.course_id == "email-subject-lines"]
    assert entry.course is released
    library.release_text()  # nothing left to let go
    assert library.course("email-subject-lines") is released
