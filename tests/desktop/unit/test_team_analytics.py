"""Team analytics on the desktop: the server's team answer named from the local course
files, objectives scored per member and across the team, against figures worked out by
hand below."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime
from typing import Any

import pytest

from desktop.domain.course import Course, Lesson, Module, Question, QuestionKind, Slide
from desktop.domain.team_analytics import Objective, objectives_of
from desktop.services.team_analytics import build_report
from sync_server import protocol as p

ANA, BEN, CAT = (uuid.UUID(int=n) for n in (1, 2, 3))
TEAM = uuid.UUID(int=99)
TEMPLATE = uuid.UUID(int=7)
AT = datetime(2025, 3, 3, 9, 0, tzinfo=UTC)


def _names(template_id: uuid.UUID) -> str:
    return "Spring ad" if template_id == TEMPLATE else ""


def _question(qid: str, prompt: str) -> Question:
    return Question(qid, QuestionKind.SINGLE, prompt)


def _lesson(lid: str, title: str, objectives: tuple[str, ...], *questions: Question) -> Lesson:
    return Lesson(
        lid, title, (Slide("s", "Slide", "", questions=questions),), objectives=objectives
    )


def _courses() -> list[Course]:
    ads = Course(
        id="ads",
        version="1",
        title="Ad basics",
        modules=(Module("m1", "One", ("l1", "l2")), Module("m2", "Two", ("l3",))),
        lessons={
            "l1": _lesson(
                "l1",
                "Headlines",
                ("Write a headline", "Know the limits"),
                _question("q1", "Which headline is shorter?"),
                _question("q2", "How long may a headline be?"),
            ),
            "l2": _lesson("l2", "More headlines", ("Write a headline",), _question("q1", "Pick")),
            "l3": _lesson("l3", "Campaigns", ()),  # no objectives: the course's
        },
        objectives=("Plan a campaign",),
    )
    seo = Course(  # no objectives anywhere: the lesson's title
        id="seo",
        version="1",
        title="Search",
        modules=(Module("m", "M", ("s1",)),),
        lessons={"s1": _lesson("s1", "Keywords", ())},
    )
    return [ads, seo]


def _course(course_id: str, started: int, completed: int, answered: int, right: int) -> Any:
    return {
        "course_id": course_id,
        "lessons_started": started,
        "lessons_completed": completed,
        "attempts": answered,
        "correct_attempts": right,
        "questions_answered": answered,
        "questions_correct": right,
        "quiz_score": None,
        "seconds": 60,
        "first_active_at": AT.isoformat(),
        "last_active_at": AT.isoformat(),
    }


def _member(uid: uuid.UUID, email: str, cells: list[Any], courses: list[Any]) -> Any:
    answered = sum(c["questions_answered"] for c in courses)
    right = sum(c["questions_correct"] for c in courses)
    return {
        "user_id": str(uid),
        "email": email,
        "display_name": "",
        "role": "viewer",
        "started_at": AT.isoformat() if cells else None,
        "last_active_at": AT.isoformat() if cells else None,
        "lessons_started": len(cells),
        "lessons_completed": sum(1 for c in cells if c[1]),
        "attempts": answered,
        "correct_attempts": right,
        "questions_answered": answered,
        "questions_correct": right,
        "quiz_score": None,
        "seconds": sum(c[4] for c in cells),
        "courses": courses,
        "lessons": cells,
        "templates": {"revisions": 3, "created": 1, "edits": 2, "conflicts": 1},
    }


def _team_lesson(course_id: str, lesson_id: str, started: int, completed: int) -> Any:
    return {
        "course_id": course_id,
        "lesson_id": lesson_id,
        "members_started": started,
        "members_completed": completed,
        "attempts": 4,
        "seconds": 240,
        "questions_answered": 4,
        "questions_correct": 3,
        "average_best_score": 85.0,
        "quiz_score": 80.0,
    }


def _answer() -> p.TeamAnalyticsOut:
    # Lessons in the server's (code point) order; cells point into it:
    # [lesson, completed, questions answered, answered right, seconds, quiz score].
    lessons = [
        _team_lesson("ads", "l1", 2, 2),
        _team_lesson("ads", "l2", 1, 0),
        _team_lesson("legacy", "x1", 1, 1),  # a course not installed here
        _team_lesson("seo", "s1", 1, 0),
    ]
    members = [
        _member(
            ANA,
            "ana@example.com",
            [[0, True, 2, 1, 210, 75.0], [1, False, 1, 1, 30, 80.0]],
            [_course("ads", 2, 1, 3, 2)],
        ),
        _member(
            BEN,
            "ben@example.com",
            [[0, True, 1, 1, 30, 70.0], [2, True, 0, 0, 50, None], [3, False, 0, 0, 600, None]],
            [_course("ads", 1, 1, 1, 1), _course("legacy", 1, 1, 0, 0), _course("seo", 1, 0, 0, 0)],
        ),
        _member(CAT, "cat@example.com", [], []),
    ]
    return p.TeamAnalyticsOut.model_validate(
        {
            "team_id": str(TEAM),
            "course_id": None,
            "since": None,
            "until": None,
            "members": members,
            "not_started": [str(CAT)],
            "lessons": lessons,
            "questions": [
                {
                    "course_id": "ads",
                    "lesson_id": "l1",
                    "question_id": "q2",
                    "members_answered": 1,
                    "members_correct": 0,
                    "attempts": 1,
                    "correct_attempts": 0,
                    "average_best_score": 50.0,
                },
                {
                    "course_id": "ads",
                    "lesson_id": "l1",
                    "question_id": "q1",
                    "members_answered": 2,
                    "members_correct": 2,
                    "attempts": 3,
                    "correct_attempts": 2,
                    "average_best_score": 85.0,
                },
            ],
            "weeks": [
                {
                    "week_start": "2025-03-03",
                    "seconds": 120,
                    "active_members": 2,
                    "attempts": 4,
                    "completions": 2,
                }
            ],
            "templates": [
                {
                    "template_id": str(TEMPLATE),
                    "revisions": 5,
                    "editors": 2,
                    "conflicts": 2,
                    "conflicts_open": 1,
                    "last_edited_at": AT.isoformat(),
                }
            ],
            "template_totals": {"revisions": 5, "created": 1, "edits": 4, "conflicts": 2},
        }
    )


def test_objectives_come_from_lessons_then_the_course_then_the_lesson_title() -> None:
    got = objectives_of(_courses())
    assert [(o.key, o.text, o.lesson_ids) for o in got] == [
        ("ads#1", "Write a headline", ("l1", "l2")),
        ("ads#2", "Know the limits", ("l1",)),
        ("ads#3", "Plan a campaign", ("l3",)),
        ("seo#1", "Keywords", ("s1",)),
    ]
    assert got[0] == Objective("ads#1", "ads", "Ad basics", "Write a headline", ("l1", "l2"))


def test_each_member_and_objective_is_scored_from_the_lessons_that_teach_it() -> None:
    report = build_report(_answer(), _courses(), _names)
    # Ana, "Write a headline" (l1, l2): 2 + 1 questions answered, 1 + 1 right -> 2/3;
    # l1 completed of the two lessons; 210 + 30 s.
    ana = report.cell(ANA, "ads#1")
    assert ana is not None
    assert (ana.questions_answered, ana.questions_correct) == (3, 2)
    assert ana.score == pytest.approx(2 / 3)
    assert (ana.lessons_completed, ana.lessons_total, ana.completion) == (1, 2, 0.5)
    assert ana.seconds == 240
    # "Know the limits" is l1 only: Ana 1 of 2, Ben 1 of 1.
    assert report.cell(ANA, "ads#2").score == 0.5  # type: ignore[union-attr]
    assert report.cell(BEN, "ads#2").score == 1.0  # type: ignore[union-attr]
    # Ben spent time in "Keywords" but answered nothing there: a cell without a score.
    keywords = report.cell(BEN, "seo#1")
    assert keywords is not None
    assert (keywords.score, keywords.seconds) == (None, 600)
    # Nobody touched "Plan a campaign", and Cat touched nothing: no cells.
    assert report.cell(ANA, "ads#3") is None
    assert all(report.cell(CAT, o.objective.key) is None for o in report.objectives)

    team = {o.objective.key: o for o in report.objectives}
    # Across the team, "Write a headline": Ana 3 answered / 2 right, Ben 1 / 1 -> 3/4;
    # l1 completed by Ana and Ben out of 3 members x 2 lessons.
    headline = team["ads#1"]
    assert (headline.questions_answered, headline.questions_correct) == (4, 3)
    assert headline.score == 0.75
    assert headline.members_answered == 2
    assert headline.completion == pytest.approx(2 / 6)
    assert (team["ads#3"].score, team["ads#3"].completion) == (None, 0.0)
    assert team["seo#1"].members_answered == 0


def test_members_lessons_questions_and_templates_get_names_and_shares() -> None:
    report = build_report(_answer(), _courses(), _names)
    ana, ben, cat = report.members
    assert [m.name for m in report.members] == [
        "ana@example.com",
        "ben@example.com",
        "cat@example.com",
    ]
    assert report.not_started == (cat,)
    assert (ana.started, cat.started) == (True, False)
    # Ana: 2 of 3 questions right; completed l1 of the 4 lessons installed here.
    assert ana.quiz_score == pytest.approx(2 / 3)
    assert ana.completion == 0.25
    (ads,) = ana.courses
    assert (ads.course_title, ads.lessons_total) == ("Ad basics", 3)
    assert ads.completion == pytest.approx(1 / 3)
    # Ben completed l1 and x1, but x1's course is not installed here: it does not count
    # towards completion, and its course is named by id.
    assert ben.completion == 0.25
    assert [(c.course_id, c.course_title, c.completion) for c in ben.courses] == [
        ("ads", "Ad basics", pytest.approx(1 / 3)),
        ("seo", "Search", 0.0),
        ("legacy", "legacy", None),
    ]
    assert report.unknown_courses == ("legacy",)
    assert [(x.lesson_title, x.completion) for x in report.lessons] == [
        ("Headlines", pytest.approx(2 / 3)),
        ("More headlines", 0.0),
        ("Keywords", 0.0),
        ("x1", pytest.approx(1 / 3)),
    ]
    assert report.lessons[0].quiz_score == 0.75
    # Questions in course order, with their prompts; a score is the share of members
    # who got it right.
    assert [(q.prompt, q.score) for q in report.questions] == [
        ("Which headline is shorter?", 1.0),
        ("How long may a headline be?", 0.0),
    ]
    assert report.weeks[0].week_start == date(2025, 3, 3)
    (template,) = report.templates
    assert (template.name, template.conflicts_open) == ("Spring ad", 1)
    assert ana.templates.revisions == 3
    assert report.template_totals.conflicts_open == 2


def test_a_course_filter_scores_only_that_courses_objectives() -> None:
    ads_only = [c for c in _courses() if c.id == "ads"]
    report = build_report(_answer(), ads_only)
    assert [o.objective.key for o in report.objectives] == ["ads#1", "ads#2", "ads#3"]
    assert report.templates[0].name == ""
