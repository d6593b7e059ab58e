"""Parsing the course format from text: slides, ids, quizzes, completion rules, and the
problems an author sees (with file:line, what is wrong and how to fix it)."""

from __future__ import annotations

from pathlib import Path
from textwrap import dedent

import pytest

from desktop.domain.course import CompletionKind, CourseCompletionKind, QuestionKind
from desktop.domain.course_format import (
    LessonParse,
    Problem,
    TargetKind,
    classify_target,
    parse_lesson,
    parse_manifest,
    slugify,
)

LESSON = Path("courses/demo/lessons/intro.md")
MANIFEST = Path("courses/demo/course.toml")


def lesson(text: str, lesson_id: str = "intro") -> LessonParse:
    return parse_lesson(dedent(text).lstrip("\n"), LESSON, lesson_id)


def errors(parsed: LessonParse | list[Problem]) -> list[Problem]:
    problems = parsed.problems if isinstance(parsed, LessonParse) else parsed
    return [p for p in problems if p.severity == "error"]


def warnings(parsed: LessonParse) -> list[Problem]:
    return [p for p in parsed.problems if p.severity == "warning"]


GOOD = """
---
id: intro
title: Why subject lines matter
estimated_minutes: 4
objectives:
  - Know what the inbox shows
completion: all-slides
---

# Three seconds

Readers decide fast.

```notes
Ask the room who deleted an email today.
```

---

<!-- id: how-much-fits -->
# How much fits on a phone

```text
---
this is code, not a slide break
```

```quiz
id: phone-chars
type: single
question: How many characters show on a phone?
hint: Look at the table.
choices:
  - text: About 10
    feedback: Too few.
  - text: About 35
    correct: true
    feedback: Right.
explanation: Phones cut subjects short.
points: 2
max_attempts: 3
```
"""


def test_slides_split_on_dashes_but_not_front_matter_or_code() -> None:
    parsed = lesson(GOOD)
    assert parsed.problems == ()
    assert parsed.lesson is not None
    slides = parsed.lesson.slides
    assert [s.id for s in slides] == ["three-seconds", "how-much-fits"]
    assert "this is code, not a slide break" in slides[1].body
    assert slides[0].line == 10


def test_lesson_front_matter_fields_are_read() -> None:
    parsed = lesson(GOOD)
    assert parsed.lesson is not None
    assert parsed.lesson.title == "Why subject lines matter"
    assert parsed.lesson.estimated_minutes == 4
    assert parsed.lesson.objectives == ("Know what the inbox shows",)
    assert parsed.lesson.completion.kind is CompletionKind.ALL_SLIDES


def test_notes_and_quiz_blocks_leave_the_slide_body() -> None:
    parsed = lesson(GOOD)
    assert parsed.lesson is not None
    first, second = parsed.lesson.slides
    assert first.notes == "Ask the room who deleted an email today."
    assert "Ask the room" not in first.body
    assert "```quiz" not in second.body
    assert "phone-chars" not in second.body
    assert "<!-- id:" not in second.body


def test_quiz_fields_and_default_choice_ids() -> None:
    parsed = lesson(GOOD)
    assert parsed.lesson is not None
    (question,) = parsed.lesson.slides[1].questions
    assert question.id == "phone-chars"
    assert question.kind is QuestionKind.SINGLE
    assert [c.id for c in question.choices] == ["a", "b"]
    assert [c.correct for c in question.choices] == [False, True]
    assert question.choices[0].feedback == "Too few."
    assert (question.hint, question.points, question.max_attempts) == ("Look at the table.", 2, 3)
    assert question.explanation == "Phones cut subjects short."
    assert question.line == 29


def test_every_quiz_type_parses() -> None:
    parsed = lesson(
        """
        ---
        title: All kinds
        completion: mastery 3 of 4
        ---

        # Quiz time

        ```quiz
        - id: one
          type: single
          question: Pick one
          choices:
            - {text: Yes please, correct: true}
            - {text: No thanks}
        - id: many
          type: multiple
          question: Pick all
          choices:
            - {id: x, text: X, correct: true}
            - {id: y, text: Y, correct: true}
            - {id: z, text: Z}
        - id: typed
          type: text
          question: Type it
          answers: [preheader, preview text]
          correct_feedback: Yes!
          incorrect_feedback: No.
        - id: order
          type: ordering
          question: Order them
          items: [first, second, third]
        ```
        """
    )
    assert errors(parsed) == []
    assert parsed.lesson is not None
    questions = parsed.lesson.questions
    assert [q.kind for q in questions] == list(QuestionKind)
    assert questions[1].choices[2].id == "z"
    assert questions[2].answers == ("preheader", "preview text")
    assert questions[3].items == ("first", "second", "third")
    completion = parsed.lesson.completion
    assert (completion.kind, completion.m, completion.n) == (CompletionKind.MASTERY, 3, 4)


@pytest.mark.parametrize(
    ("rule", "kind", "minutes"),
    [("all-slides", CompletionKind.ALL_SLIDES, 0), ("time 5 min", CompletionKind.TIME, 5)],
)
def test_lesson_completion_rules(rule: str, kind: CompletionKind, minutes: int) -> None:
    parsed = lesson(f"---\ntitle: T\ncompletion: {rule}\n---\n# Hello\n")
    assert parsed.lesson is not None
    assert parsed.lesson.completion.kind is kind
    assert parsed.lesson.completion.minutes == minutes


def test_mastery_rule_must_count_the_lessons_questions() -> None:
    parsed = lesson(
        """
        ---
        title: T
        completion: mastery 2 of 5
        ---
        # Hello

        ```quiz
        id: q
        type: text
        question: Say hi
        answers: [hi]
        ```
        """
    )
    (problem,) = errors(parsed)
    assert problem.line == 3
    assert "counts 5 questions but the lesson has 1" in problem.message
    assert "mastery 1 of 1" in problem.hint


def test_unknown_completion_rule_is_an_error_with_the_allowed_rules() -> None:
    parsed = lesson("---\ntitle: T\ncompletion: when done\n---\n# Hello\n")
    (problem,) = errors(parsed)
    assert "unknown lesson completion rule 'when done'" in problem.message
    assert "time 5 min" in problem.hint


def test_problem_reads_like_a_compiler_message() -> None:
    problem = Problem(LESSON, 12, "something is wrong", "do this.")
    assert (
        str(problem) == "courses/demo/lessons/intro.md:12: error: something is wrong. Fix: do this."
    )
    warning = Problem(LESSON, 0, "careful.", severity="warning")
    assert str(warning) == "courses/demo/lessons/intro.md: warning: careful."


def test_slide_without_heading_or_id_is_an_error_with_a_hint() -> None:
    parsed = lesson("---\ntitle: T\n---\n# First\n\n---\n\nJust some text.\n")
    (problem,) = errors(parsed)
    assert problem.line == 8
    assert "no id" in problem.message
    assert "<!-- id: some-id -->" in problem.hint
    assert parsed.lesson is None


def test_explicit_slide_id_wins_over_heading() -> None:
    parsed = lesson("---\ntitle: T\n---\n<!-- id: custom -->\n# A heading\n")
    assert parsed.lesson is not None
    assert parsed.lesson.slides[0].id == "custom"
    assert parsed.lesson.slides[0].title == "A heading"


def test_duplicate_slide_ids_are_reported_with_both_lines() -> None:
    parsed = lesson("---\ntitle: T\n---\n# Recap\n\n---\n\n# Recap\n")
    (problem,) = errors(parsed)
    assert problem.line == 8
    assert "slide id 'recap' is used twice in this lesson (first at line 4)" in problem.message
    assert "<!-- id: recap-2 -->" in problem.hint


def test_duplicate_question_ids_across_slides_are_reported() -> None:
    quiz = "```quiz\nid: same\ntype: text\nquestion: Q\nanswers: [a]\n```\n"
    parsed = lesson(f"---\ntitle: T\n---\n# One\n\n{quiz}\n---\n\n# Two\n\n{quiz}")
    (problem,) = errors(parsed)
    assert "question id 'same' is used twice" in problem.message
    assert problem.line == 18


def test_duplicate_choice_ids_are_reported() -> None:
    parsed = lesson(
        """
        ---
        title: T
        ---
        # Q

        ```quiz
        id: q
        type: single
        question: Which?
        choices:
          - {id: a, text: One, correct: true}
          - {id: a, text: Two}
        ```
        """
    )
    (problem,) = errors(parsed)
    assert "choice id 'a' is used twice" in problem.message
    assert problem.line == 12


def test_unknown_quiz_type_lists_the_known_types() -> None:
    parsed = lesson("---\ntitle: T\n---\n# Q\n\n```quiz\nid: q\ntype: essay\nquestion: Why?\n```\n")
    (problem,) = errors(parsed)
    assert problem.line == 8
    assert "unknown quiz type 'essay'" in problem.message
    assert "single, multiple, text, ordering" in problem.hint


@pytest.mark.parametrize(
    "body",
    [
        "type: single\nchoices:\n  - text: A\n  - text: B\n",
        "type: multiple\nchoices:\n  - text: A\n  - text: B\n",
        "type: text\nanswers: []\n",
        "type: text\n",
    ],
)
def test_quiz_with_no_correct_answer_is_an_error(body: str) -> None:
    parsed = lesson(f"---\ntitle: T\n---\n# Q\n\n```quiz\nid: q\nquestion: Which?\n{body}```\n")
    (problem,) = errors(parsed)
    assert "has no correct answer" in problem.message
    assert problem.hint


def test_single_choice_with_two_correct_answers_suggests_multiple() -> None:
    parsed = lesson(
        "---\ntitle: T\n---\n# Q\n\n```quiz\nid: q\ntype: single\nquestion: Which?\n"
        "choices:\n  - {text: A, correct: true}\n  - {text: B, correct: true}\n```\n"
    )
    (problem,) = errors(parsed)
    assert "2 correct choices" in problem.message
    assert "type: multiple" in problem.hint


def test_broken_front_matter_yaml_points_at_the_line() -> None:
    parsed = lesson("---\nid: intro\ntitle: Subject lines: the basics\n---\n# Hello\n")
    (problem,) = errors(parsed)
    assert problem.line == 3
    assert "front matter is not valid YAML" in problem.message
    assert "double quotes" in problem.hint


def test_broken_quiz_yaml_points_at_the_file_line() -> None:
    parsed = lesson(
        """
        ---
        title: T
        ---
        # Q

        ```quiz
        id: q
        type: single
          question: bad indent
        ```
        """
    )
    (problem,) = errors(parsed)
    assert problem.line == 9
    assert "quiz block is not valid YAML" in problem.message
    assert "indent" in problem.hint


def test_yes_and_no_answers_must_be_quoted() -> None:
    parsed = lesson(
        "---\ntitle: T\n---\n# Q\n\n```quiz\nid: q\ntype: single\nquestion: Agree?\n"
        "choices:\n  - {text: Yes, correct: true}\n  - {text: No}\n```\n"
    )
    found = errors(parsed)
    assert len(found) == 2
    assert all("yes/no value" in p.message and "double quotes" in p.hint for p in found)


def test_every_problem_of_a_lesson_is_reported_at_once() -> None:
    parsed = lesson(
        """
        ---
        title: T
        ---
        # One

        ```quiz
        id: a
        type: essay
        question: Q
        ```

        ---

        No heading here.

        ---

        # Three

        ![logo](https://example.com/logo.png)
        """
    )
    messages = [p.message for p in errors(parsed)]
    assert len(messages) == 3
    assert any("unknown quiz type" in m for m in messages)
    assert any("no id" in m for m in messages)
    assert any("image" in m and "on the web" in m for m in messages)


def test_front_matter_id_must_match_the_file_name() -> None:
    parsed = lesson("---\nid: other\ntitle: T\n---\n# Hi\n")
    (problem,) = errors(parsed)
    assert problem.line == 2
    assert "does not match the file name 'intro.md'" in problem.message


def test_lesson_without_front_matter_is_an_error() -> None:
    parsed = lesson("# Just a heading\n")
    (problem,) = errors(parsed)
    assert problem.line == 1
    assert "no front matter" in problem.message


def test_unclosed_quiz_block_is_an_error() -> None:
    parsed = lesson("---\ntitle: T\n---\n# Q\n\n```quiz\nid: q\n")
    assert any("never closed" in p.message and p.line == 6 for p in errors(parsed))


def test_non_blank_line_before_a_slide_break_warns_about_forges() -> None:
    parsed = lesson("---\ntitle: T\n---\n# One\ntext\n---\n# Two\n")
    assert errors(parsed) == []
    (warning,) = warnings(parsed)
    assert warning.line == 6
    assert "blank" in warning.message


def test_unknown_front_matter_field_is_a_warning() -> None:
    parsed = lesson("---\ntitle: T\nestimated_minuts: 4\n---\n# Hi\n")
    assert parsed.lesson is not None
    (warning,) = warnings(parsed)
    assert "estimated_minuts" in warning.message


@pytest.mark.parametrize(
    ("markdown", "expect_error", "needle"),
    [
        ("![x](https://example.com/a.png)", True, "on the web"),
        ("![x](../../outside.png)", True, "outside the course folder"),
        ("![x](/etc/logo.png)", True, "absolute path"),
        ("[x](file:///etc/passwd)", True, "'file:' addresses are not allowed"),
        ("[x](javascript:alert(1))", True, "'javascript:' addresses are not allowed"),
        ('<img src="data:image/png;base64,AAAA">', True, "'data:' addresses are not allowed"),
        ("[x](../../../secret.md)", True, "outside the course folder"),
        ("[x](C:/Users/me/file.md)", True, "absolute path on a drive"),
    ],
)
def test_links_and_images_outside_the_course_are_errors(
    markdown: str, expect_error: bool, needle: str
) -> None:
    parsed = lesson(f"---\ntitle: T\n---\n# Hi\n\n{markdown}\n")
    (problem,) = errors(parsed)
    assert problem.line == 6
    assert needle in problem.message
    assert "relative" in problem.hint or "assets/" in problem.hint


def test_web_links_are_only_a_warning() -> None:
    parsed = lesson("---\ntitle: T\n---\n# Hi\n\nSee [the guide](https://example.com/guide).\n")
    assert errors(parsed) == []
    (warning,) = warnings(parsed)
    assert "web page" in warning.message
    assert parsed.lesson is not None


def test_links_in_code_are_not_checked() -> None:
    parsed = lesson(
        "---\ntitle: T\n---\n# Hi\n\nUse `![x](https://a.b/c.png)` to add images.\n\n"
        "```markdown\n![x](https://a.b/c.png)\n```\n"
    )
    assert parsed.problems == ()


def test_file_references_are_resolved_relative_to_the_lesson_file() -> None:
    parsed = lesson(
        "---\ntitle: T\n---\n# Hi\n\n![chart](../assets/chart.png)\n[next](next.md#top)\n"
        '[![logo](../assets/logo.svg)](https://example.com)\n<img src="../assets/a%20b.png">\n'
    )
    refs = {(r.path, r.image, r.line) for r in parsed.references}
    assert refs == {
        ("assets/chart.png", True, 6),
        ("lessons/next.md", False, 7),
        ("assets/logo.svg", True, 8),
        ("assets/a b.png", True, 9),
    }


def test_classify_target_kinds() -> None:
    assert classify_target("#top").kind is TargetKind.ANCHOR
    assert classify_target("mailto:team@example.com").kind is TargetKind.CONTACT
    assert classify_target("https://example.com").kind is TargetKind.REMOTE
    inside = classify_target("../assets/x.png?v=1#frag")
    assert (inside.kind, inside.path, inside.fragment) == (
        TargetKind.INTERNAL,
        "assets/x.png",
        "frag",
    )
    assert classify_target("..\\x.png").kind is TargetKind.FORBIDDEN
    assert classify_target("//cdn.example.com/x.png").kind is TargetKind.FORBIDDEN


@pytest.mark.parametrize(
    ("heading", "slug"),
    [
        ("Why subject lines matter!", "why-subject-lines-matter"),
        ("  A/B testing: 5 rules  ", "ab-testing-5-rules"),
        ("Café & crème", "café-crème"),
        ("🚀", ""),
    ],
)
def test_slugify(heading: str, slug: str) -> None:
    assert slugify(heading) == slug


def test_heading_markup_is_stripped_for_title_and_id() -> None:
    parsed = lesson("---\ntitle: T\n---\n## **Bold** and [linked](#x) words ##\n")
    assert parsed.lesson is not None
    slide = parsed.lesson.slides[0]
    assert (slide.id, slide.title) == ("bold-and-linked-words", "Bold and linked words")


MANIFEST_TEXT = """
id = "email-subject-lines"
version = "1.2.0"
title = "Email subject lines"
summary = "Short course."
language = "en-GB"
authors = ["Sam", "Maya"]
license = "CC-BY-4.0"
objectives = ["Write better subject lines"]
estimated_minutes = 20
completion = "percent 80"

[[modules]]
id = "basics"
title = "Basics"
lessons = ["intro", "length"]

[[modules]]
id = "craft"
title = "Craft"
lessons = [
  "formulas",
  "testing",
]
"""


def test_manifest_fields_are_read() -> None:
    manifest, problems = parse_manifest(MANIFEST_TEXT, MANIFEST)
    assert problems == []
    assert manifest is not None
    assert (manifest.id, manifest.version, manifest.language) == (
        "email-subject-lines",
        "1.2.0",
        "en-GB",
    )
    assert manifest.authors == ("Sam", "Maya")
    assert manifest.completion.kind is CourseCompletionKind.PERCENT
    assert manifest.completion.percent == 80
    assert manifest.lesson_ids == ("intro", "length", "formulas", "testing")
    assert manifest.lesson_lines["testing"] == 23


def test_broken_toml_is_reported_with_its_line() -> None:
    manifest, problems = parse_manifest('id = "x"\ntitle = Email basics\n', MANIFEST)
    assert manifest is None
    (problem,) = problems
    assert problem.line == 2
    assert "not valid TOML" in problem.message
    assert "double quotes" in problem.hint


def test_manifest_problems_are_all_reported_with_lines() -> None:
    text = MANIFEST_TEXT.replace('"1.2.0"', '"1.2"').replace('"craft"', '"basics"')
    text = text.replace('"testing",', '"intro",').replace('"percent 80"', '"most of it"')
    manifest, problems = parse_manifest(text, MANIFEST)
    assert manifest is not None
    found = {(p.line, p.message.split(" (")[0]) for p in problems}
    assert found == {
        (3, "version '1.2' is not a semantic version"),
        (11, "unknown course completion rule 'most of it'"),
        (19, "module 'basics': module id 'basics' is used twice"),
        (23, "lesson 'intro' is listed twice"),
    }


def test_manifest_missing_required_fields_and_modules() -> None:
    manifest, problems = parse_manifest('summary = "x"\n', MANIFEST)
    assert manifest is not None
    messages = " | ".join(p.message for p in problems)
    for needle in ("'id' is missing", "'version' is missing", "'title' is missing", "no modules"):
        assert needle in messages


def test_manifest_from_a_newer_format_asks_to_update() -> None:
    _, problems = parse_manifest("format = 2\n" + MANIFEST_TEXT, MANIFEST)
    (problem,) = problems
    assert "format 2" in problem.message
    assert "update Playbook" in problem.hint
