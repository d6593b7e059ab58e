"""Every item model of the UI passes Qt's model tester, with realistic rows."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from PySide6.QtCore import QModelIndex, Qt

from desktop.domain.course_format import Problem
from desktop.services.course_library import CourseEntry
from desktop.services.search import SearchHit
from desktop.ui.formatting import relative_time
from desktop.ui.models.activity import (
    ActivityModel,
    ActivityRow,
    AnnotationListModel,
    AnnotationRow,
)
from desktop.ui.models.base import Role, SlideRef
from desktop.ui.models.courses import CourseListModel, CourseRow
from desktop.ui.models.folders import FolderListModel, FolderRow
from desktop.ui.models.outline import CourseOutlineModel, LessonState
from desktop.ui.models.search import SearchResultsModel
from desktop.ui.models.slides import OrderingModel, SlideListModel, SlideRow

NOW = datetime(2025, 3, 12, 9, 30, tzinfo=UTC)


def test_course_list(qapp, qtmodeltester, sample) -> None:
    broken = CourseEntry(
        Path("/courses/broken"),
        None,
        (Problem(Path("/courses/broken/course.toml"), 4, "bad value", "use a number"),),
    )
    model = CourseListModel()
    model.set_rows([CourseRow(CourseEntry(sample.root, sample), 50.0, 2, 4, 20), CourseRow(broken)])
    qtmodeltester.check(model)
    assert model.index(0, 0).data(Role.REF) == SlideRef(sample.id)
    assert model.index(1, 0).data(Role.REF) is None
    assert model.index(1, 0).data(Role.DETAIL) == "course.toml:4 — bad value. Use a number"
    compact = CourseListModel(compact=True)
    compact.set_rows(model.rows()[:1])
    qtmodeltester.check(compact)
    assert compact.index(0, 0).data(Role.SUBTITLE) == "2 of 4 lessons done"


def test_activity_and_annotations(qapp, qtmodeltester) -> None:
    activity = ActivityModel()
    activity.set_rows(
        [
            ActivityRow(
                "award", "success", "Lesson", "Completed · Course", NOW, SlideRef("c", "l", "s")
            )
        ]
    )
    qtmodeltester.check(activity)
    notes = AnnotationListModel()
    notes.set_rows(
        [
            AnnotationRow(
                "note", "Lesson", "Slide", 2, "my note " * 40, NOW, SlideRef("c", "l", "s")
            ),
            AnnotationRow("bookmark", "Lesson", "Other", 1, "", NOW, SlideRef("c", "l", "t")),
        ]
    )
    qtmodeltester.check(notes)
    assert len(notes.index(0, 0).data(Role.DETAIL)) <= 180


def test_search_folders_slides(qapp, qtmodeltester) -> None:
    hits = SearchResultsModel()
    hits.set_rows([SearchHit("c", "l", "s", "Course", "Lesson", "Slide", "a <b>match</b> here")])
    qtmodeltester.check(hits)
    folders = FolderListModel()
    folders.set_rows([FolderRow(Path("/x"), 2, 1, True), FolderRow(Path("/gone"), 0, 0, False)])
    qtmodeltester.check(folders)
    slides = SlideListModel()
    slides.set_rows(
        [
            SlideRow(1, "a", "Intro", viewed=True),
            SlideRow(2, "b", "Quiz", has_quiz=True, current=True),
        ]
    )
    qtmodeltester.check(slides)
    slides.update_row(0, SlideRow(1, "a", "Intro", viewed=True, bookmarked=True))
    assert slides.index(0, 0).data(Role.BADGE) == "bookmarked"


def test_ordering_model_moves_rows(qapp, qtmodeltester) -> None:
    model = OrderingModel(["a", "b", "c", "d"])
    qtmodeltester.check(model)
    assert model.move(0, 1) == 1
    assert model.rows() == ["b", "a", "c", "d"]
    assert model.move(3, -1) == 2
    assert model.rows() == ["b", "a", "d", "c"]
    assert model.move(0, -1) == 0  # nowhere to go
    assert model.moveRows(QModelIndex(), 0, 2, QModelIndex(), 4)
    assert model.rows() == ["d", "c", "b", "a"]
    qtmodeltester.check(model)
    model.set_locked(True)
    assert not model.move(0, 1)
    assert not model.flags(model.index(0, 0)) & Qt.ItemFlag.ItemIsDragEnabled


def test_course_outline_tree(qapp, qtmodeltester, sample) -> None:
    model = CourseOutlineModel()
    first = sample.ordered_lessons()[0]
    model.set_course(sample, {first.id: LessonState(done=True, viewed=len(first.slides))}, first.id)
    qtmodeltester.check(model)
    assert model.rowCount() == len(sample.modules)
    lesson = model.lesson_index(first.id)
    assert lesson.isValid()
    assert lesson.data(Role.REF) == SlideRef(sample.id, first.id)
    assert lesson.siblingAtColumn(1).data(Qt.ItemDataRole.DisplayRole) == "Done"
    assert model.parent(lesson).data(Qt.ItemDataRole.DisplayRole) == sample.modules[0].title
    model.set_course(None)
    qtmodeltester.check(model)


def test_relative_time_reads_like_a_person() -> None:
    assert relative_time(NOW - timedelta(seconds=5), NOW) == "just now"
    assert relative_time(NOW - timedelta(minutes=5), NOW) == "5 min ago"
    assert relative_time(NOW - timedelta(hours=3), NOW) == "3 h ago"
    assert relative_time(NOW - timedelta(days=1, hours=2), NOW) == "yesterday"
    assert relative_time(NOW - timedelta(days=4), NOW) == "4 days ago"
