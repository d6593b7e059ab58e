"""Presenter mode on the real windows (offscreen): every key a clicker or a trainer sends,
both screens, a projector plugged in and pulled out mid-talk, quiz answers on a key,
handouts, and no learning progress recorded. Screenshots go to tests/artifacts/."""

from __future__ import annotations

import io
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from PySide6.QtCore import QModelIndex, QRect, Qt
from PySide6.QtGui import QGuiApplication
from PySide6.QtWidgets import QApplication, QLabel, QMenu, QTextEdit, QWidget
from pytestqt.qtbot import QtBot

from desktop.domain.course import Course
from desktop.domain.presenting import Blank, Deck, PaceState, Scope
from desktop.services.container import Services
from desktop.services.presenting import deck_for
from desktop.ui.main_window import MainWindow
from desktop.ui.presenter.request import PresentRequest
from desktop.ui.presenter.screens import Display, Screens
from desktop.ui.presenter.session import PresentationSession, start_presentation
from desktop.ui.tasks import TaskRunner

SALES = "sales-policies"
LESSON = "commission-plans"


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def laptop() -> Display:
    return Display(
        "Laptop", QRect(0, 0, 1440, 900), primary=True, qscreen=QGuiApplication.primaryScreen()
    )


def projector() -> Display:
    return Display("Projector", QRect(1440, 0, 1920, 1080))


@pytest.fixture
def runner(qtbot: QtBot) -> Iterator[TaskRunner]:
    r = TaskRunner()
    yield r
    qtbot.waitUntil(lambda: not r.busy, timeout=60_000)
    r.shutdown()


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def present(
    services: Services, runner: TaskRunner, clock: FakeClock, qtbot: QtBot
) -> Iterator[Callable[..., PresentationSession]]:
    services.library.refresh()  # read the bundled courses, as the main window does
    sessions: list[PresentationSession] = []

    def make(
        scope: Scope = Scope.LESSON,
        target: str | None = LESSON,
        *,
        course_id: str = SALES,
        screens: Screens | None = None,
        start: int = 0,
    ) -> PresentationSession:
        course = services.library.course(course_id)
        deck = deck_for(course, scope, target)  # with the lessons' text, as the app does
        session = PresentationSession(
            deck,
            screens=screens if screens is not None else Screens([laptop(), projector()]),
            runner=runner,
            start_index=start,
            monotonic=clock,
        )
        session.start()
        sessions.append(session)
        qtbot.waitExposed(session.presenter)
        return session

    yield make
    for session in sessions:
        session.close()


def audience_text(session: PresentationSession) -> str:
    return session.audience.stage.text()


def presenter_text(session: PresentationSession) -> str:
    return session.presenter.current.text()


def shown_title(session: PresentationSession, index: int) -> str:
    return session.deck.slides[index].slide.title


def all_text(widget: QWidget) -> str:
    """Every piece of text a window holds (labels and rich text, shown or not)."""
    parts = [w.text() for w in widget.findChildren(QLabel)]
    parts += [w.toPlainText() for w in widget.findChildren(QTextEdit)]
    return "\n".join(parts)


def settle(qtbot: QtBot, session: PresentationSession) -> None:
    """Wait for the previews and notes, drawn just after the slides themselves."""
    qtbot.waitUntil(lambda: not session.pending)


def key(session: PresentationSession, qtbot: QtBot, k: Qt.Key, *, shift: bool = False) -> None:
    mods = Qt.KeyboardModifier.ShiftModifier if shift else Qt.KeyboardModifier.NoModifier
    qtbot.keyClick(session.presenter, k, mods)  # type: ignore[no-untyped-call]


# -- moving through the slides ----------------------------------------------------------


@pytest.mark.parametrize(
    ("forward", "back"),
    [
        (Qt.Key.Key_PageDown, Qt.Key.Key_PageUp),
        (Qt.Key.Key_Right, Qt.Key.Key_Left),
    ],
)
def test_clicker_keys_move_both_windows(present, qtbot: QtBot, forward, back) -> None:
    session = present()
    title0, title1 = shown_title(session, 0), shown_title(session, 1)
    assert title0 in audience_text(session)
    assert title0 in presenter_text(session)
    assert title1 in session.presenter.next.text()
    key(session, qtbot, forward)
    assert session.show.index == 1
    assert title1 in audience_text(session)
    assert title1 in presenter_text(session)
    assert session.presenter.current_detail.text().startswith("Slide 2 of")
    key(session, qtbot, back)
    assert session.show.index == 0
    assert title0 in audience_text(session)


def test_space_moves_on_and_shift_space_back(present, qtbot: QtBot) -> None:
    session = present()
    key(session, qtbot, Qt.Key.Key_Space)
    assert session.show.index == 1
    key(session, qtbot, Qt.Key.Key_Space, shift=True)
    assert session.show.index == 0


def test_keys_pressed_on_the_audience_window_work_too(present, qtbot: QtBot) -> None:
    session = present()
    qtbot.keyClick(session.audience, Qt.Key.Key_PageDown)  # type: ignore[no-untyped-call]
    assert session.show.index == 1
    assert shown_title(session, 1) in audience_text(session)


def test_a_slide_number_then_enter_jumps_on_both_screens(present, qtbot: QtBot) -> None:
    session = present()
    key(session, qtbot, Qt.Key.Key_5)
    assert session.presenter.jump.isVisibleTo(session.presenter)
    assert session.presenter.jump.text() == "Go to slide 5 ↵"
    assert session.show.index == 0  # nothing moves until Enter
    key(session, qtbot, Qt.Key.Key_Return)
    assert session.show.index == 4
    assert shown_title(session, 4) in audience_text(session)
    assert not session.presenter.jump.isVisibleTo(session.presenter)
    key(session, qtbot, Qt.Key.Key_9)
    key(session, qtbot, Qt.Key.Key_9)
    key(session, qtbot, Qt.Key.Key_Enter)
    assert session.show.index == 4
    assert "There is no slide 99" in session.presenter.message.text()


def test_f5_starts_over_and_resets_the_timer(present, qtbot: QtBot, clock: FakeClock) -> None:
    session = present(start=3)
    clock.now += 125
    session.tick()
    assert session.presenter.timer.text() == "02:05"
    key(session, qtbot, Qt.Key.Key_F5)
    assert session.show.index == 0
    assert shown_title(session, 0) in audience_text(session)
    assert session.presenter.timer.text() == "00:00"


def test_shift_f5_brings_the_current_slide_back_on_the_audience_screen(
    present, qtbot: QtBot
) -> None:
    session = present(start=2)
    key(session, qtbot, Qt.Key.Key_B)
    key(session, qtbot, Qt.Key.Key_F5, shift=True)
    assert session.show.index == 2
    assert session.audience.stage.blank is Blank.NONE
    assert shown_title(session, 2) in audience_text(session)


def test_escape_ends_then_shift_f5_resumes_and_escape_again_closes(
    present, qtbot: QtBot, clock: FakeClock
) -> None:
    session = present(start=2)
    clock.now += 60
    key(session, qtbot, Qt.Key.Key_Escape)
    assert not session.audience.isVisible()
    assert session.presenter.isVisible()
    assert session.presenter.ended.isVisibleTo(session.presenter)
    assert "Shift+F5 resumes at slide 3" in session.presenter.ended_text.text()
    assert session.presenter.audience_pill.text() == "ENDED"
    clock.now += 600  # the timer stood still while ended
    key(session, qtbot, Qt.Key.Key_F5, shift=True)
    assert session.audience.isVisible()
    assert session.show.index == 2
    assert session.presenter.timer.text() == "01:00"
    key(session, qtbot, Qt.Key.Key_Escape)
    with qtbot.waitSignal(session.finished):
        key(session, qtbot, Qt.Key.Key_Escape)
    assert session.closed


# -- blanking, freezing and quizzes ----------------------------------------------------


@pytest.mark.parametrize(
    ("k", "blank", "pill"),
    [
        (Qt.Key.Key_B, Blank.BLACK, "BLACK SCREEN"),
        (Qt.Key.Key_Period, Blank.BLACK, "BLACK SCREEN"),
        (Qt.Key.Key_W, Blank.WHITE, "WHITE SCREEN"),
        (Qt.Key.Key_Comma, Blank.WHITE, "WHITE SCREEN"),
    ],
)
def test_blanking_keys_cover_the_audience_screen_only(present, qtbot: QtBot, k, blank, pill):
    session = present()
    key(session, qtbot, k)
    assert session.audience.stage.blank is blank
    assert audience_text(session) == ""
    assert session.presenter.audience_pill.text() == pill
    assert shown_title(session, 0) in presenter_text(session)  # the trainer still sees it
    image = session.audience.grab().toImage()
    expected = Qt.GlobalColor.black if blank is Blank.BLACK else Qt.GlobalColor.white
    centre = image.pixelColor(image.width() // 2, image.height() // 2)
    assert centre.name() == ("#000000" if expected == Qt.GlobalColor.black else "#ffffff")
    key(session, qtbot, k)
    assert session.audience.stage.blank is Blank.NONE
    assert shown_title(session, 0) in audience_text(session)


def test_freeze_keeps_the_room_on_a_slide_while_the_trainer_looks_ahead(present, qtbot: QtBot):
    session = present()
    key(session, qtbot, Qt.Key.Key_F)
    key(session, qtbot, Qt.Key.Key_PageDown)
    key(session, qtbot, Qt.Key.Key_PageDown)
    assert shown_title(session, 2) in presenter_text(session)
    assert shown_title(session, 0) in audience_text(session)
    assert session.presenter.audience_pill.text() == "FROZEN ON SLIDE 1"
    key(session, qtbot, Qt.Key.Key_F)
    assert shown_title(session, 2) in audience_text(session)


def _quiz_session(present) -> tuple[PresentationSession, int]:
    session = present()
    index = next(i for i, s in enumerate(session.deck.slides) if s.has_quiz)
    return session, index


def test_a_quiz_is_shown_then_its_answer_revealed_on_a(present, qtbot: QtBot) -> None:
    session, index = _quiz_session(present)
    question = session.deck.slides[index].slide.questions[0]
    session.handle_key(str(index + 1))
    session.handle_key("Enter")
    assert session.show.index == index
    before = audience_text(session)
    assert question.prompt.split()[0] in before
    assert "✓" not in before
    assert question.explanation[:30] not in before
    # The trainer has the answer already.
    settle(qtbot, session)
    assert session.presenter.answers.isVisibleTo(session.presenter)
    assert session.presenter.answers.toPlainText()
    key(session, qtbot, Qt.Key.Key_A)
    after = audience_text(session)
    assert "✓" in after
    assert question.explanation.split()[0] in after
    assert session.presenter.buttons["A"].isChecked()


# -- the notes stay private ------------------------------------------------------------


def test_speaker_notes_never_reach_the_audience_window(present, qtbot: QtBot) -> None:
    session = present()
    for i, item in enumerate(session.deck.slides):
        assert session.show.index == i
        settle(qtbot, session)
        notes_line = next(line for line in item.notes.splitlines() if len(line) > 20)
        assert notes_line in session.presenter.notes.toPlainText()
        assert notes_line not in all_text(session.audience)
        key(session, qtbot, Qt.Key.Key_A)  # answers revealed: still no notes
        assert notes_line not in all_text(session.audience)
        key(session, qtbot, Qt.Key.Key_PageDown)


# -- screens ---------------------------------------------------------------------------


def test_with_two_screens_the_audience_goes_full_screen_on_the_projector(present) -> None:
    session = present()
    assert session.audience_display is not None
    assert session.audience_display.name == "Projector"
    assert session.presenter_display is not None
    assert session.presenter_display.name == "Laptop"
    assert session.audience.isFullScreen()
    assert session.presenter.isVisible()
    assert not session.presenter.isFullScreen()


def test_a_projector_plugged_in_and_pulled_out_mid_talk_moves_the_audience_window(
    present, qtbot: QtBot
) -> None:
    screens = Screens([laptop()])
    session = present(screens=screens)
    assert session.single_screen
    assert session.audience.isFullScreen()
    key(session, qtbot, Qt.Key.Key_PageDown)

    beamer = projector()
    screens.add(beamer)
    assert session.audience_display is beamer
    assert not session.single_screen
    assert session.audience.isFullScreen()
    assert session.audience.isVisible()
    assert "Projector connected" in session.presenter.message.text()
    assert shown_title(session, 1) in audience_text(session)

    key(session, qtbot, Qt.Key.Key_PageDown)
    screens.remove(beamer)
    assert session.single_screen
    assert session.audience_display is not None
    assert session.audience_display.name == "Laptop"
    assert session.audience.isFullScreen()
    assert session.audience.isVisible()
    assert "Projector was disconnected" in session.presenter.message.text()
    assert shown_title(session, 2) in audience_text(session)
    key(session, qtbot, Qt.Key.Key_PageDown)  # the talk goes on
    assert shown_title(session, 3) in audience_text(session)


def test_s_switches_views_on_one_screen_and_swaps_two_screens(present, qtbot: QtBot) -> None:
    single = present(screens=Screens([laptop()]))
    assert single.audience_in_front
    key(single, qtbot, Qt.Key.Key_S)
    assert not single.audience_in_front
    assert "presenter view is in front" in single.presenter.message.text()
    key(single, qtbot, Qt.Key.Key_S)
    assert single.audience_in_front

    double = present()
    key(double, qtbot, Qt.Key.Key_S)
    assert double.audience_display is not None
    assert double.audience_display.name == "Laptop"
    assert double.presenter_display is not None
    assert double.presenter_display.name == "Projector"
    key(double, qtbot, Qt.Key.Key_S)
    assert double.audience_display.name == "Projector"


# -- timer, clock, pacing --------------------------------------------------------------


def test_the_timer_resets_and_pacing_follows_the_plan(present, qtbot: QtBot, clock) -> None:
    session = present()
    assert session.presenter.pace_pill.text() == "ON PACE"
    assert session.presenter.clock.text()
    clock.now += 8 * 60  # still on slide 1 (planned 2 min) after 8 minutes
    session.tick()
    assert session.presenter.timer.text() == "08:00"
    assert session.presenter.pace_pill.text().endswith("BEHIND")
    assert session.presenter.pace_pill.property("state") == PaceState.BEHIND.value
    key(session, qtbot, Qt.Key.Key_R)
    assert session.presenter.timer.text() == "00:00"
    key(session, qtbot, Qt.Key.Key_End)
    assert session.presenter.pace_pill.text().endswith("AHEAD")
    settle(qtbot, session)
    assert session.presenter.slide_plan.text().startswith("planned")


# -- handouts --------------------------------------------------------------------------


@pytest.mark.parametrize("with_notes", [True, False])
def test_handout_from_the_presenter_window(present, qtbot, tmp_path: Path, with_notes) -> None:
    session = present()
    target = tmp_path / "handout.pdf"
    session.choose_handout_path = lambda _notes: target
    action = (
        session.presenter.handout_with_notes
        if with_notes
        else session.presenter.handout_slides_only
    )
    action.trigger()
    qtbot.waitUntil(lambda: session.last_handout is not None, timeout=60_000)
    assert "Handout saved: handout.pdf" in session.presenter.message.text()
    reader = PdfReader(io.BytesIO(target.read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    note = "calculate your own last payout"
    assert (note in text.replace("\n", " ")) is with_notes
    assert "Tiers and accelerators" in text


# -- entry points, and no learning progress -------------------------------------------


def test_presenting_from_the_lesson_player_records_no_progress(
    window: MainWindow, services: Services, qtbot: QtBot, sample: Course, shot
) -> None:
    lesson = sample.ordered_lessons()[0]
    window.open_lesson(sample.id, lesson.id)
    assert window.player.present_button.isVisible()
    shot(window, "presenter-entry-lesson-player.png")
    window.player.flush_time()
    before = services.progress.events(sample.id)
    qtbot.keyClick(window.player, Qt.Key.Key_F5, Qt.KeyboardModifier.ShiftModifier)  # type: ignore[no-untyped-call]
    session = window.presentation
    assert session is not None
    assert session.deck.title == lesson.title
    assert session.show.index == window.player.index
    # Ten minutes of talking go by (the player would count them as time in the lesson).
    window.player._last_flush -= 600
    for _ in range(len(session.deck) + 1):
        session.handle_key("PageDown")
    session.handle_key("A")
    with qtbot.waitSignal(session.finished):
        session.handle_key("Escape")
        session.handle_key("Escape")
    assert window.presentation is None
    window.player.close_lesson()
    assert services.progress.events(sample.id) == before


def test_presenting_a_whole_course_from_its_page_records_no_progress(
    window: MainWindow, services: Services, qtbot: QtBot, sample: Course, shot
) -> None:
    assert window.open_course(sample.id)
    page = window.course_page
    page.outline.setCurrentIndex(QModelIndex())  # nothing picked: the whole course only
    choices = page.present_choices()
    assert [text for text, _ in choices] == ["Present the whole course"]
    page.outline.setCurrentIndex(page.outline_model.lesson_index("formulas"))
    choices = page.present_choices()
    assert [text for text, _ in choices] == [
        f"Present lesson: {sample.lessons['formulas'].title}",
        f"Present module: {sample.module_of('formulas').title}",  # type: ignore[union-attr]
        "Present the whole course",
    ]
    # (A real popup warns on the offscreen platform: fill the menu as opening it does.)
    page.present_menu.aboutToShow.emit()
    texts = [a.text() for a in page.present_menu.actions()]
    assert texts[: len(choices)] == [text for text, _ in choices]
    assert texts[-1] == "Save a handout (PDF)"
    shot(window, "presenter-entry-course-page.png")
    page.present_menu.actions()[2].trigger()
    session = window.presentation
    assert session is not None
    assert session.deck.scope is Scope.COURSE
    assert len(session.deck) == sum(len(lsn.slides) for lsn in sample.lessons.values())
    for _ in range(len(session.deck)):
        session.handle_key("PageDown")
    session.close()
    assert services.progress.events(sample.id) == []


def test_a_course_that_is_gone_is_explained_not_presented(services, runner) -> None:
    services.library.refresh()
    told: list[str] = []
    session = start_presentation(
        services, PresentRequest("no-such-course", Scope.COURSE), runner=runner, tell=told.append
    )
    assert session is None
    assert "not in the library" in told[0]
    session = start_presentation(
        services, PresentRequest(SALES, Scope.LESSON, "gone"), runner=runner, tell=told.append
    )
    assert session is None
    assert "no lesson 'gone'" in told[1]


# -- screenshots -----------------------------------------------------------------------


def test_screenshots_of_the_presenter_and_audience_windows(present, qtbot, shot) -> None:
    session = present(start=1)
    session.presenter.showNormal()
    session.presenter.resize(1440, 900)
    session.audience.showNormal()
    session.audience.resize(1600, 900)
    QApplication.processEvents()
    shot(session.presenter, "presenter-window.png")
    shot(session.audience, "presenter-audience.png")
    quiz = next(i for i, s in enumerate(session.deck.slides) if s.has_quiz)
    session.handle_key(str(quiz + 1))
    session.handle_key("Enter")
    settle(qtbot, session)
    shot(session.audience, "presenter-audience-quiz.png")
    session.handle_key("A")
    settle(qtbot, session)
    shot(session.audience, "presenter-audience-quiz-answer.png")
    shot(session.presenter, "presenter-window-quiz.png")
    session.handle_key("B")
    session.handle_key("Escape")
    QApplication.processEvents()
    shot(session.presenter, "presenter-window-ended.png")


# -- the pieces ------------------------------------------------------------------------


def test_the_slide_strip_model_passes_the_model_tester(present, qtmodeltester, qtbot) -> None:
    session = present(Scope.COURSE, None)
    model = session.slides_model
    qtmodeltester.check(model)
    assert model.rowCount() == len(session.deck)
    key(session, qtbot, Qt.Key.Key_PageDown)
    settle(qtbot, session)
    assert model.current == 1
    bold = model.data(model.index(1, 0), Qt.ItemDataRole.FontRole)
    assert bold is not None
    assert bold.bold()
    # A click on a row jumps there, as its number and Enter would.
    session.handle_key("3")  # a half-typed number does not get in the way
    session.presenter.slide_chosen.emit(5)
    assert session.show.index == 5
    settle(qtbot, session)
    assert model.current == 5


def test_system_screens_lists_the_real_screen(qtbot) -> None:
    from desktop.ui.presenter.screens import SystemScreens

    screens = SystemScreens()
    displays = screens.displays()
    assert len(displays) == 1  # the offscreen platform has one
    assert displays[0].qscreen is QGuiApplication.primaryScreen()
    assert screens.primary is displays[0]


def test_closing_the_audience_window_ends_like_escape(present, qtbot) -> None:
    session = present()
    session.audience.close()
    assert not session.show.running
    assert session.presenter.isVisible()
    assert session.presenter.ended.isVisibleTo(session.presenter)


def test_keys_held_with_ctrl_or_alt_are_left_to_the_application(present, qtbot) -> None:
    session = present()
    qtbot.keyClick(session.presenter, Qt.Key.Key_PageDown, Qt.KeyboardModifier.ControlModifier)
    qtbot.keyClick(session.presenter, Qt.Key.Key_B, Qt.KeyboardModifier.AltModifier)
    assert session.show.index == 0
    assert session.show.blank is Blank.NONE


def test_a_handout_can_be_saved_from_the_course_page(
    window: MainWindow,
    services: Services,
    qtbot: QtBot,
    sample: Course,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from desktop.ui.presenter import handout

    asked: list[str] = []

    def choose(_parent: QWidget | None, deck: Deck, notes: bool) -> Path | None:
        asked.append(handout.default_name(deck, notes))
        return tmp_path / "room.pdf"

    monkeypatch.setattr(handout, "ask_path", choose)  # the save dialog
    assert window.open_course(sample.id)
    page = window.course_page
    page.outline.setCurrentIndex(page.outline_model.lesson_index("formulas"))
    page.present_menu.aboutToShow.emit()
    submenu = page.present_menu.actions()[-1].menu()
    assert isinstance(submenu, QMenu)
    texts = [a.text() for a in submenu.actions()]
    assert len(texts) == 6
    assert texts[0] == f"Lesson: {sample.lessons['formulas'].title} — with speaker notes…"
    assert texts[-1] == "The whole course — slides only…"
    submenu.actions()[-1].trigger()
    assert asked == [f"{sample.title} - handout.pdf"]
    qtbot.waitUntil(
        lambda: window.statusBar().currentMessage() == "Handout saved: room.pdf", timeout=60_000
    )
    reader = PdfReader(io.BytesIO((tmp_path / "room.pdf").read_bytes()))
    text = "\n".join(p.extract_text() for p in reader.pages)
    assert sample.lessons["testing"].slides[0].title.split()[0] in text
    # Cancelling the dialog saves nothing.
    monkeypatch.setattr(handout, "ask_path", lambda *_: None)
    (tmp_path / "room.pdf").unlink()
    submenu.actions()[0].trigger()
    assert not (tmp_path / "room.pdf").exists()
    assert not window.runner.busy


@pytest.mark.qt_log_ignore("This plugin does not support propagateSizeHints")
def test_a_slide_sized_ahead_shows_in_one_layout_at_the_size_a_fresh_fit_finds(
    qtbot: QtBot,
) -> None:
    """While the trainer talks, the session sizes the next slide's text for the
    projector and the presenter's stage: the key press then lays a long slide out once,
    and the text is exactly as large as fitting it from scratch."""
    from desktop.ui.presenter.stage import SlideStage

    long_slide = "<h1>Objections</h1>" + "".join(
        f"<p>Point {n}: a customer asks about price, timing and the refund window.</p>"
        for n in range(14)
    )

    def stage() -> SlideStage:
        s = SlideStage(eyebrow=False)
        qtbot.addWidget(s)
        s.resize(1280, 720)
        s.show()
        s.show_slide("<h1>Welcome</h1>")
        return s

    fresh, ahead = stage(), stage()
    fresh.show_slide(long_slide)
    assert fresh.point_size < fresh._base_pt()  # the slide really has to shrink
    assert fresh.browser.document().size().height() <= fresh._available_height()

    ahead.prefit(long_slide)
    layouts: list[int] = []
    show_at = ahead._show_at

    def counted(pt: int) -> None:
        layouts.append(pt)
        show_at(pt)

    ahead._show_at = counted  # type: ignore[method-assign]
    ahead.show_slide(long_slide)
    assert layouts == [fresh.point_size]
    assert ahead.point_size == fresh.point_size
