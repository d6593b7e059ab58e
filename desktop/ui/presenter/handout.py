"""Saving a handout PDF from anywhere in the app: ask where, then write it in the
background through the one :class:`TaskRunner` (WeasyPrint runs in its worker process)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QFileDialog, QWidget

from desktop.domain.presenting import Deck, PresentingError
from desktop.services.container import Services
from desktop.services.presenting import HandoutResult, deck_for, export_handout
from desktop.ui.lookup import find_course
from desktop.ui.presenter.request import PresentRequest
from desktop.ui.tasks import TaskRunner, user_message

AskPath = Callable[[QWidget | None, Deck, bool], Path | None]


def default_name(deck: Deck, with_notes: bool) -> str:
    """``Commission plans - with notes.pdf``: the deck's title, safe as a file name."""
    title = "".join(c for c in deck.title if c not in '\\/:*?"<>|').strip() or "Handout"
    return f"{title} - {'with notes' if with_notes else 'handout'}.pdf"


def ask_path(parent: QWidget | None, deck: Deck, with_notes: bool) -> Path | None:
    """The save dialog; None when the user cancels."""
    kind = "with speaker notes" if with_notes else "slides only"
    chosen, _ = QFileDialog.getSaveFileName(
        parent,
        f"Save the handout ({kind}) as PDF",
        str(Path.home() / default_name(deck, with_notes)),
        "PDF files (*.pdf)",
    )
    return Path(chosen) if chosen else None


def save_handout(
    deck: Deck,
    path: Path,
    *,
    with_notes: bool,
    runner: TaskRunner,
    tell: Callable[[str], None],
    owner: QWidget | None = None,
    on_done: Callable[[HandoutResult], None] | None = None,
) -> None:
    """Write the handout in the background and say how it went through ``tell``."""
    kind = "with speaker notes" if with_notes else "slides only"
    tell(f"Saving the handout ({kind})…")

    def done(result: HandoutResult) -> None:
        text = f"Handout saved: {result.path.name}"
        if result.left_out:
            text += f" ({len(result.left_out)} image(s) outside the course were left out)"
        tell(text)
        if on_done is not None:
            on_done(result)

    def failed(_description: str, exc: BaseException) -> None:
        tell(f"The handout was not saved: {user_message(exc)}")

    runner.run(
        "Saving the handout",
        lambda: export_handout(deck, path, with_notes=with_notes),
        owner=owner,
        on_done=done,
        on_error=failed,
    )


def handout_for_request(
    services: Services,
    request: PresentRequest,
    *,
    with_notes: bool,
    runner: TaskRunner,
    tell: Callable[[str], None],
    parent: QWidget | None = None,
    choose: AskPath | None = None,
) -> bool:
    """The course page's "Save a handout": build the deck, ask where, save. False when
    there is nothing to save or the user cancelled."""
    course = find_course(services.library, request.course_id)
    if course is None:
        tell("That course is not in the library any more, or it can't be opened.")
        return False
    try:
        deck = deck_for(course, request.scope, request.target_id)
    except PresentingError as problem:
        tell(problem.user_message)
        return False
    path = (choose or ask_path)(parent, deck, with_notes)
    if path is None:
        return False
    save_handout(deck, path, with_notes=with_notes, runner=runner, tell=tell, owner=parent)
    return True
