"""Full-text search across courses: ranking, snippets, prefixes, and hostile input."""

from __future__ import annotations

import time
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from desktop.domain.course import (
    Choice,
    Course,
    Lesson,
    Module,
    Question,
    QuestionKind,
    Slide,
)
from desktop.services.course_library import CourseLibrary
from desktop.services.search import SearchService, fts_query, markdown_to_text
from desktop.storage.database import Database


def make_course(course_id: str, title: str, lessons: dict[str, tuple[str, list[Slide]]]) -> Course:
    built = {
        lid: Lesson(id=lid, title=lesson_title, slides=tuple(slides))
        for lid, (lesson_title, slides) in lessons.items()
    }
    return Course(
        id=course_id,
        version="1.0.0",
        title=title,
        modules=(Module("m1", "Module", tuple(built)),),
        lessons=built,
    )


def marketing_course() -> Course:
    return make_course(
        "marketing-101",
        "Marketing Basics",
        {
            "brand": (
                "Brand voice",
                [
                    Slide(
                        "why",
                        "Why it matters",
                        "A consistent **brand voice** builds trust. See [our guide](https://example.com/voice).",
                        notes="Presenter secret: mention the ZEBRA campaign.",
                    ),
                    Slide(
                        "tone",
                        "Tone of voice",
                        "Adjust tone per channel, but never the personality.",
                    ),
                ],
            ),
            "email": (
                "Email campaigns",
                [
                    Slide(
                        "subject",
                        "Subject lines",
                        "Short subject lines win. Mention the brand only if it helps.",
                    ),
                    Slide(
                        "quiz",
                        "Check yourself",
                        "Answer the question below.",
                        questions=(
                            Question(
                                "q1",
                                QuestionKind.SINGLE,
                                "Which segmentation strategy fits a newsletter?",
                                choices=(Choice("a", "Behavioural", correct=True),),
                            ),
                        ),
                    ),
                    Slide(
                        "html",
                        "Markup in email",
                        "Never paste &lt;script&gt; tags, <i>raw HTML</i> & friends "
                        "into an email: 2 < 3.",
                    ),
                    Slide("cafe", "Café meetings", "Meet at the café to discuss déjà vu ideas."),
                ],
            ),
        },
    )


@pytest.fixture
def search(tmp_path: Path) -> Iterator[SearchService]:
    db = Database.open(tmp_path / "playbook.sqlite3")
    service = SearchService(db)
    service.index_course(marketing_course())
    yield service
    db.close()


def slide_ids(service: SearchService, query: str) -> list[str]:
    return [hit.slide_id for hit in service.search(query)]


def test_a_word_finds_its_slide_with_course_lesson_and_slide_titles(
    search: SearchService,
) -> None:
    (hit,) = search.search("personality")

    assert (hit.course_id, hit.lesson_id, hit.slide_id) == ("marketing-101", "brand", "tone")
    assert (hit.course_title, hit.lesson_title, hit.slide_title) == (
        "Marketing Basics",
        "Brand voice",
        "Tone of voice",
    )
    assert "<b>personality</b>" in hit.snippet_html


def test_a_match_in_a_title_ranks_above_a_match_in_the_text(search: SearchService) -> None:
    # "brand" is in the title of lesson "brand" (slides why, tone) and in the text of
    # slide "subject"; the titled slides come first.
    ids = slide_ids(search, "brand")

    assert set(ids) == {"why", "tone", "subject"}
    assert ids[-1] == "subject"


def test_the_last_word_matches_as_a_prefix_while_typing(search: SearchService) -> None:
    assert slide_ids(search, "segment") == ["quiz"]
    assert slide_ids(search, "subject lin") == ["subject"]
    # Only the last word is a prefix: earlier words must be whole.
    assert slide_ids(search, "subj lines") == []


def test_quoted_words_search_for_a_phrase(search: SearchService) -> None:
    assert slide_ids(search, '"subject lines win"') == ["subject"]
    assert slide_ids(search, '"lines subject"') == []


def test_every_word_must_match(search: SearchService) -> None:
    assert slide_ids(search, "tone channel") == ["tone"]
    assert slide_ids(search, "tone newsletter") == []


def test_snippets_are_escaped_html_with_matches_in_bold(search: SearchService) -> None:
    (hit,) = search.search("paste")

    assert "<b>paste</b>" in hit.snippet_html
    assert "&lt;script&gt;" in hit.snippet_html
    assert "<script" not in hit.snippet_html
    assert "&amp;" in hit.snippet_html
    assert hit.snippet_html.replace("<b>", "").replace("</b>", "").count("<") == 0


def test_accents_are_optional_in_queries(search: SearchService) -> None:
    assert slide_ids(search, "cafe") == ["cafe"]
    assert slide_ids(search, "DÉJÀ") == ["cafe"]


def test_quiz_prompts_are_searchable_but_speaker_notes_are_not(search: SearchService) -> None:
    assert slide_ids(search, "newsletter") == ["quiz"]
    assert search.search("zebra") == []
    assert search.search("presenter secret") == []


def test_markdown_syntax_and_link_targets_are_not_indexed(search: SearchService) -> None:
    (hit,) = search.search("guide")

    assert "**" not in hit.snippet_html
    assert "example" not in hit.snippet_html
    assert search.search("https") == []


@pytest.mark.parametrize(
    "query",
    [
        "",
        "   ",
        '"',
        '"""',
        '"unbalanced quote',
        "(",
        "brand)",
        "((brand",
        "AND",
        "brand AND",
        "OR brand NOT",
        "NEAR(brand voice, 2)",
        "*",
        "brand*",
        "^brand",
        "title:brand",
        "{course_title}: brand",
        "-brand",
        "+brand",
        "brand -voice",
        "'; DROP TABLE search_index; --",
        "\x00brand\x07",
        "\\",
        "🚀🚀",
        "ブランド",
        "a" * 5000,
        "brand " * 200,
    ],
)
def test_any_user_text_is_searched_without_errors(search: SearchService, query: str) -> None:
    hits = search.search(query)

    assert isinstance(hits, list)
    assert search.search("brand")  # the index is still there afterwards


def test_operators_typed_by_the_user_are_plain_words() -> None:
    expression = fts_query('brand OR "tone of" NEAR(x')

    assert expression == '"brand" "OR" "tone of" "NEAR(x"*'
    assert fts_query("(( ** )) --") is None
    assert fts_query('say "hi') == '"say" "hi"*'


def test_unchanged_course_is_not_indexed_again(tmp_path: Path) -> None:
    with Database.open(tmp_path / "playbook.sqlite3") as db:
        service = SearchService(db)
        course = marketing_course()

        assert service.index_course(course) is True
        assert service.index_course(marketing_course()) is False
        assert service.indexed_course_ids() == {"marketing-101"}


def test_reindexing_a_changed_course_replaces_its_old_text(tmp_path: Path) -> None:
    with Database.open(tmp_path / "playbook.sqlite3") as db:
        service = SearchService(db)
        course = marketing_course()
        service.index_course(course)
        brand = course.lessons["brand"]
        edited_slide = replace(brand.slides[1], body="Adjust tone per channel and audience.")
        edited = replace(
            course,
            lessons={
                **course.lessons,
                "brand": replace(brand, slides=(brand.slides[0], edited_slide)),
            },
        )

        assert service.index_course(edited) is True
        assert service.search("personality") == []
        assert [h.slide_id for h in service.search("audience")] == ["tone"]
        assert len(service.search("channel")) == 1  # not indexed twice


def test_courses_can_be_removed_or_pruned_from_the_index(tmp_path: Path) -> None:
    with Database.open(tmp_path / "playbook.sqlite3") as db:
        service = SearchService(db)
        service.index_course(marketing_course())
        other = make_course(
            "sales-101",
            "Sales",
            {"close": ("Closing", [Slide("s1", "Ask", "Ask for the brand deal")])},
        )
        service.index_course(other)
        assert {h.course_id for h in service.search("brand")} == {"marketing-101", "sales-101"}

        service.remove_course("sales-101")
        assert {h.course_id for h in service.search("brand")} == {"marketing-101"}
        assert service.index_course(other) is True  # gone from the index, so indexed anew

        assert service.prune(keep=["sales-101"]) == ["marketing-101"]
        assert {h.course_id for h in service.search("brand")} == {"sales-101"}


def test_limit_caps_the_number_of_results(search: SearchService) -> None:
    assert len(search.search("the", limit=2)) == 2
    assert search.search("the", limit=0) == []


def test_markdown_is_reduced_to_its_words() -> None:
    markdown = (
        "# Heading one\n"
        "Some *emphasis*, __strong__ and `code` with snake_case_name.\n\n"
        "> quoted line\n"
        "- item one\n"
        "1. item two\n"
        "![diagram of funnel](img/funnel.png) [read more](https://x.test/a) <b>html</b>\n\n"
        "| Channel | Limit |\n|---|---|\n| SMS | 160 |\n"
        "```python\nprint('hi')\n```\n"
        "Price is 5\\*3 &amp; up\n"
    )

    text = markdown_to_text(markdown)

    assert text == (
        "Heading one Some emphasis, strong and code with snake_case_name. quoted line "
        "item one item two diagram of funnel read more html Channel Limit SMS 160 "
        "print('hi') Price is 5*3 & up"
    )


def test_comments_and_nested_links_are_reduced_to_their_words() -> None:
    text = markdown_to_text(
        "a <!-- hidden --> b [![logo](img/l.png)](https://x.test) [ref][1]\n"
        "> - quoted item\n[1]: https://x.test/ref\nc <!-- never closed"
    )

    assert text == "a b logo ref quoted item c"


def test_hostile_markdown_is_indexed_in_linear_time() -> None:
    # Each of these took seconds with naive regexes (backtracking on unclosed syntax);
    # a course folder someone shares must not freeze the app.
    hostile = ["<!--" * 20_000, "[" * 50_000 + "](", "![" * 30_000, "|" + "-" * 50_000 + "x"]

    started = time.perf_counter()
    for text in hostile:
        markdown_to_text(text)

    assert time.perf_counter() - started < 2.0


def test_snippets_do_not_repeat_the_slide_heading(tmp_path: Path) -> None:
    course = make_course(
        "c",
        "Course",
        {
            "l": (
                "Lesson",
                [Slide("s", "Preview text", "# Preview text\n\nThe preview text sells.")],
            )
        },
    )
    with Database.open(tmp_path / "playbook.sqlite3") as db:
        service = SearchService(db)
        service.index_course(course)

        (hit,) = service.search("sells")

    assert hit.slide_title == "Preview text"
    assert hit.snippet_html == "The preview text <b>sells</b>."


class _NoFolders:
    def list_folders(self) -> list[Path]:
        return []

    def add_folder(self, path: Path) -> None:
        raise AssertionError("not used")

    def remove_folder(self, path: Path) -> None:
        raise AssertionError("not used")


def _demo_course_on_disk(root: Path, text: str) -> Path:
    """A one-lesson course in ``root/demo``; returns its lesson file."""
    folder = root / "demo"
    (folder / "lessons").mkdir(parents=True)
    (folder / "course.toml").write_text(
        'id = "demo"\nversion = "1.0.0"\ntitle = "Demo"\n\n'
        '[[modules]]\nid = "m"\ntitle = "M"\nlessons = ["intro"]\n',
        "utf-8",
    )
    lesson = folder / "lessons" / "intro.md"
    lesson.write_text(f"---\ntitle: Intro\n---\n\n# Welcome\n\n{text}\n", "utf-8")
    return lesson


def test_a_library_s_outlines_are_indexed_with_their_text_read_from_the_files(
    tmp_path: Path,
) -> None:
    lesson = _demo_course_on_disk(tmp_path / "courses", "Zanzibar offers.")
    library = CourseLibrary(tmp_path / "courses", _NoFolders())
    library.refresh()
    with Database.open(tmp_path / "playbook.sqlite3") as db:
        service = SearchService(db)
        assert library.course("demo").lessons["intro"].slides[0].body == ""  # an outline
        assert service.index_course(library.course("demo"))
        assert slide_ids(service, "zanzibar") == ["welcome"]
        assert not service.index_course(library.course("demo"))  # the files did not change
        # Edited on disk: the library reads it again, and the index follows.
        lesson.write_text("---\ntitle: Intro\n---\n\n# Welcome\n\nMadagascar now.\n", "utf-8")
        library.refresh()
        assert service.index_course(library.course("demo"))
        assert slide_ids(service, "madagascar") == ["welcome"]
        assert slide_ids(service, "zanzibar") == []


def test_a_course_the_index_lacks_is_read_once_with_its_text_then_as_an_outline(
    tmp_path: Path,
) -> None:
    _demo_course_on_disk(tmp_path / "courses", "Zanzibar offers.")
    with Database.open(tmp_path / "playbook.sqlite3") as db:
        service = SearchService(db)
        library = CourseLibrary(tmp_path / "courses", _NoFolders(), keep_text=service.needs_index)
        library.refresh()  # not indexed yet: the text is kept for the index
        first = library.course("demo")
        assert not first.lessons["intro"].outline
        assert service.index_course(first)
        assert slide_ids(service, "zanzibar") == ["welcome"]
        library.refresh()  # indexed as it is: an outline from now on
        assert library.course("demo").lessons["intro"].outline
        assert not service.index_course(library.course("demo"))
