"""``playbook self-test``: checks an install headless, the way a user would use it.

Starts the real app offscreen on a throw-away data folder (or ``--data-dir``), opens
every section, plays a lesson of the bundled sample course with the keyboard, answers a
quiz, searches, then closes everything and reads the progress back from a freshly
opened database. Exit 0 when all of it worked; otherwise 1, naming the step that failed
and why. IT runs it after installing; CI runs it on every build.
"""

from __future__ import annotations

import os
import shutil
import sys
import tempfile
import time
import traceback
from collections.abc import Callable
from pathlib import Path

SAMPLE_COURSE = "email-subject-lines"
TIMEOUT_S = 30.0


class SelfTestError(Exception):
    """A step did not do what a user would expect."""


def run(data_dir: Path | None) -> int:
    """Run every step; print a line per step; return the exit status."""
    os.environ["QT_QPA_PLATFORM"] = "offscreen"
    temporary = data_dir is None
    folder = Path(tempfile.mkdtemp(prefix="playbook-selftest-")) if data_dir is None else data_dir
    try:
        _run_steps(folder)
    except SelfTestError as failure:
        print(f"self-test FAILED: {failure}", file=sys.stderr)
        return 1
    except Exception as exc:  # an unexpected crash is a failed install check, with its trace
        traceback.print_exc()
        print(f"self-test FAILED: unexpected error: {exc!r}", file=sys.stderr)
        return 1
    finally:
        if temporary:
            shutil.rmtree(folder, ignore_errors=True)
    print("self-test passed: Playbook works on this machine.")
    return 0


def _step(name: str) -> None:
    print(f"  ok  {name}")


def _wait(app: object, done: Callable[[], bool], what: str) -> None:
    from PySide6.QtWidgets import QApplication

    assert isinstance(app, QApplication)
    deadline = time.monotonic() + TIMEOUT_S
    while not done():
        if time.monotonic() > deadline:
            raise SelfTestError(f"{what} did not happen within {TIMEOUT_S:.0f} s")
        app.processEvents()
        time.sleep(0.005)


def _run_steps(data_dir: Path) -> None:
    from PySide6.QtCore import Qt
    from PySide6.QtTest import QTest

    from desktop.app import build_services, qt_application
    from desktop.domain.course import QuestionKind
    from desktop.services.progress import ProgressService
    from desktop.storage.database import Database, DatabaseProblem
    from desktop.ui.main_window import MainWindow, Section

    print(f"Playbook self-test (data folder: {data_dir})")
    app = qt_application()
    try:
        db = Database.open(data_dir / "playbook.sqlite3")
    except DatabaseProblem as problem:
        raise SelfTestError(f"opening the database: {problem.user_message}") from problem
    _step("database opened and migrated")

    window = MainWindow(build_services(db, data_dir))
    indexed: list[bool] = []
    window.search_ready.connect(lambda: indexed.append(True))
    window.show()
    _wait(app, lambda: window.courses_ready, "loading the course library")
    entries = window.services.library.entries()
    broken = [e for e in entries if e.broken and e.bundled]
    if broken:
        reasons = "; ".join(f"{e.title}: {e.errors[0] if e.errors else 'broken'}" for e in broken)
        raise SelfTestError(f"bundled courses are broken: {reasons}")
    try:
        course = window.services.library.course(SAMPLE_COURSE)
    except KeyError:
        raise SelfTestError(
            f"the sample course {SAMPLE_COURSE!r} is missing from the install"
        ) from None
    _step(f"course library loaded ({len(entries)} courses, none broken)")

    for section in Section:
        window.show_section(section)
        app.processEvents()
        page = window.current_page()
        if window.section is not section or page is None or not page.isVisible():
            raise SelfTestError(f"the {section.value} section did not open")
    _step(f"opened every section ({', '.join(s.value for s in Section)})")

    lesson = course.ordered_lessons()[0]
    if not window.open_lesson(course.id, lesson.id):
        raise SelfTestError(f"lesson {lesson.id!r} did not open")
    player = window.player
    for expected in range(1, len(lesson.slides)):
        QTest.keyClick(player, Qt.Key.Key_Right)
        app.processEvents()
        if player.index != expected:
            raise SelfTestError(
                f"the Right key did not move to slide {expected + 1} of {lesson.id!r}"
            )
    _step(f"played lesson {lesson.title!r} with the keyboard ({len(lesson.slides)} slides)")

    quiz_lesson, quiz_slide, question = next(
        (les, slide, q)
        for les in course.ordered_lessons()
        for slide in les.slides
        for q in slide.questions
        if q.kind is QuestionKind.SINGLE
    )
    window.open_lesson(course.id, quiz_lesson.id, quiz_slide.id)
    app.processEvents()
    views = [v for v in player.quiz.views if v.question.id == question.id]
    if not views:
        raise SelfTestError(f"quiz {question.id!r} is not shown on its slide")
    correct = next(c.id for c in question.choices if c.correct)
    views[0].choose(correct)
    grade = views[0].check()
    if grade is None or not grade.correct:
        raise SelfTestError(f"the correct answer to {question.id!r} was not accepted")
    _step(f"answered quiz {question.id!r} and got feedback")

    _wait(app, lambda: bool(indexed), "indexing the courses for search")
    hits = window.run_search("subject line")
    if hits < 1:
        raise SelfTestError("searching for 'subject line' found nothing")
    _step(f"search found {hits} result(s)")

    window.close()
    app.processEvents()
    db.close()

    # Read back what was stored, from a fresh connection, as the next start would.
    reopened = Database.open(data_dir / "playbook.sqlite3")
    try:
        progress = ProgressService(reopened)
        lp = progress.lesson_progress(course, lesson.id)
        if not lp.completed:
            raise SelfTestError(f"lesson {lesson.id!r} was played but not stored as completed")
        qp = progress.lesson_progress(course, quiz_lesson.id)
        if question.id not in qp.correct_questions:
            raise SelfTestError(f"the quiz attempt on {question.id!r} was not stored")
        resume = progress.resume_point(course.id)
        if resume is None or (resume.lesson_id, resume.slide_id) != (
            quiz_lesson.id,
            quiz_slide.id,
        ):
            raise SelfTestError("the resume point does not match the last slide viewed")
    finally:
        reopened.close()
    _step("progress, quiz attempt and resume point stored")

    _check_pdf_export()


def _check_pdf_export() -> None:
    """WeasyPrint and its system libraries (Pango, fonts) are what a frozen build most
    often lacks; a user would meet that at their first PDF export."""
    import io

    from desktop.integrations.pdf import PdfProblem, PdfRenderer

    renderer = PdfRenderer()
    try:
        data = renderer.render("<h1>Playbook self-test</h1><p>PDF export works.</p>", timeout=120)
    except PdfProblem as problem:
        raise SelfTestError(f"making a PDF: {problem.user_message}") from problem
    finally:
        renderer.close()
    if not data.data.startswith(b"%PDF-"):
        raise SelfTestError("PDF export produced something that is not a PDF")
    try:  # the text is read back where a PDF reader is installed (tests, development)
        from pypdf import PdfReader
    except ImportError:
        pass
    else:
        if "PDF export works" not in PdfReader(io.BytesIO(data.data)).pages[0].extract_text():
            raise SelfTestError("the PDF made by the export does not contain its text")
    _step(f"made a PDF with WeasyPrint ({len(data.data):,} bytes)")
