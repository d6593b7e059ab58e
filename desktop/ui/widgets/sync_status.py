"""Sync in the background, and its line in the status bar.

:class:`SyncController` decides when to sync (:class:`SyncSchedule`: at start, a few
seconds after local changes, periodically, on "Sync now", with backoff while the server
cannot be reached) and runs each sync through the window's :class:`TaskRunner` — on the
qasync loop in the app, so the UI never waits. :class:`SyncStatusWidget` shows online or
offline, the last sync, pending changes and the last problem in the user's words, with
the button that helps (sign in again, sync now).
"""

from __future__ import annotations

import contextlib
import gc
import logging
import time
from datetime import UTC, datetime

from PySide6.QtCore import QObject, Qt, QTimer, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QWidget

from desktop.integrations.secrets import KeyringUnavailable
from desktop.integrations.sync_types import SyncProblem
from desktop.services.sync import SyncReport, SyncService, SyncStatus
from desktop.services.sync_schedule import SyncSchedule
from desktop.ui import theme
from desktop.ui.formatting import relative_time
from desktop.ui.tasks import TaskRunner

log = logging.getLogger(__name__)

POLL_MS = 10_000  # how often the pending count is read (a local change shows up in it)


class SyncController(QObject):
    status_changed = Signal(object)  # SyncStatus
    synced = Signal(object)  # SyncReport, after a run that finished
    failed = Signal(object)  # SyncProblem | KeyringUnavailable
    _status_from_worker = Signal(object)
    _change_from_worker = Signal()

    def __init__(
        self,
        sync: SyncService,
        runner: TaskRunner,
        schedule: SyncSchedule | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.sync = sync
        self.runner = runner
        self.schedule = schedule or SyncSchedule()
        self.running = False
        self.status: SyncStatus | None = None
        self.next_at: float | None = None  # monotonic time of the next planned sync
        self._again = False
        self._started = False
        self._gc_paused = False
        self._last_pending = 0
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run)
        self._poll = QTimer(self)
        self._poll.setInterval(POLL_MS)
        self._poll.timeout.connect(self.poll)
        self._status_from_worker.connect(self._on_status, Qt.ConnectionType.QueuedConnection)
        self._change_from_worker.connect(self.local_change, Qt.ConnectionType.QueuedConnection)
        sync.add_listener(self._status_from_worker.emit)
        self.destroyed.connect(lambda *_: sync.remove_listener(self._status_from_worker.emit))

    # -- public -------------------------------------------------------------------------

    def start(self) -> None:
        """Begin background sync: now (when signed in), then on the schedule. The first
        look at the keyring (~0.1 s to find its backend) happens in the worker, not here,
        and only when someone is signed in: signed out, nothing needs it until the user
        signs in (it imports the ``keyring`` package and every backend, tens of MB)."""
        self._started = True

        def begin(_problem: object) -> None:
            self._poll.start()
            self.poll()
            if self.status is not None and self.status.signed_in:
                self._arm(0)

        def look() -> str:
            signed_in = self.sync.account() is not None
            return self.sync.secrets.problem if signed_in else ""

        self.runner.run(
            "Checking the keyring",
            look,
            owner=self,
            on_done=begin,
            on_error=lambda _d, _e: begin(None),
        )

    def stop(self) -> None:
        self._started = False
        self._timer.stop()
        self._poll.stop()
        self.next_at = None
        if self.running:  # its result will not be delivered (the window is closing)
            self._resume_gc()

    def sync_now(self) -> None:
        """The user asked: forget any backoff or pause and sync at once."""
        self.schedule.user_acted()
        self._arm(0)

    def local_change(self) -> None:
        """Something changed here: sync a few seconds after the last such change."""
        if self.status is not None and not self.status.signed_in:
            return
        delay = self.schedule.after_local_change()
        if delay is not None:
            self._arm(delay)

    def local_change_from_any_thread(self) -> None:
        """For service listeners (a studio may save a template from a worker thread)."""
        with contextlib.suppress(RuntimeError):  # the controller is gone (window closed)
            self._change_from_worker.emit()

    def poll(self) -> None:
        try:
            status = self.sync.status()
        except Exception:  # the database is closing
            log.debug("sync status poll failed", exc_info=True)
            return
        grew = status.pending > self._last_pending
        self._on_status(status)  # first: local_change() asks whether anyone is signed in
        if grew and self._started:
            self.local_change()

    def run(self) -> None:
        """Sync now, in the background (a run already going is followed by another)."""
        if self.running:
            self._again = True
            return
        self.running = True
        self._timer.stop()
        self.next_at = None
        # A sync makes many short-lived objects, and the collector they trigger scans the
        # whole app (tens of ms with Qt loaded) on the UI thread: the UI would stutter.
        # Reference counting frees what a sync makes; collection waits until it is done.
        self._pause_gc()
        self.runner.run_async(
            "Syncing",
            self.sync.sync_once,
            owner=self,
            on_done=self._on_done,
            on_error=self._on_error,
        )

    # -- internals ----------------------------------------------------------------------

    def _arm(self, seconds: float, *, sooner_only: bool = False) -> None:
        """Plan the next sync in ``seconds``; with ``sooner_only`` an earlier plan (a local
        change made while a sync ran) is kept."""
        if (
            sooner_only
            and self._timer.isActive()
            and self.next_at is not None
            and self.next_at - time.monotonic() <= seconds
        ):
            return
        self.next_at = time.monotonic() + seconds
        self._timer.start(max(0, round(seconds * 1000)))

    def _on_status(self, status: object) -> None:
        if not isinstance(status, SyncStatus):
            return
        self.status = status
        self._last_pending = status.pending
        self.status_changed.emit(status)

    def _pause_gc(self) -> None:
        self._gc_paused = gc.isenabled()  # TaskRunner may have paused it already
        if self._gc_paused:
            gc.disable()
        gc.freeze()

    def _resume_gc(self) -> None:
        gc.unfreeze()
        if self._gc_paused:
            self._gc_paused = False
            gc.enable()

    def _on_done(self, report: SyncReport) -> None:
        self.running = False
        self._resume_gc()
        if report.skipped:
            return
        delay = self.schedule.after_success()
        if self._again:
            self._again = False
            self._arm(0)
        elif self._started:
            self._arm(delay, sooner_only=True)
        self.poll()
        self.synced.emit(report)

    def _on_error(self, _description: str, exc: BaseException) -> None:
        self.running = False
        self._resume_gc()
        self._again = False
        if isinstance(exc, SyncProblem):
            action = "sign_in" if exc.code == "not_signed_in" else exc.action
        elif isinstance(exc, KeyringUnavailable):
            action = "sign_in"  # nothing to sync with until a keyring is there
        else:
            log.error("sync failed unexpectedly", exc_info=exc)
            action = ""  # a bug or a fluke: back off and try again
        delay = self.schedule.after_failure(action)
        if delay is not None and self._started:
            self._arm(delay, sooner_only=True)
        else:
            self._timer.stop()
            self.next_at = None
        self.poll()
        self.failed.emit(exc)


def describe(
    status: SyncStatus, retry_in: float | None = None, now: datetime | None = None
) -> tuple[str, str, str]:
    """(text, tone, button) for the status bar. tone: ok | busy | warning | off."""
    if not status.signed_in:
        if status.keyring_problem:
            return ("Sync off · no password keyring on this computer", "off", "")
        return ("Sync off · working on this computer only", "off", "Sign in…")
    waiting = (
        f" · {status.pending} change{'s' if status.pending != 1 else ''} waiting"
        if status.pending
        else ""
    )
    if status.syncing:
        # The window's busy indicator already says "Syncing…": keep the last state here.
        if status.last_sync_at is None:
            return ("Connecting to your team's server" + waiting, "busy", "")
        return (f"Synced {relative_time(status.last_sync_at, now)}" + waiting, "busy", "")
    if status.action == "sign_in":
        return ("Signed out · sign in again to sync" + waiting, "warning", "Sign in…")
    if status.action == "update_app":
        return ("Update Playbook to keep syncing" + waiting, "warning", "")
    if status.problem and status.online is False:
        retry = f" · retrying in {_seconds(retry_in)}" if retry_in is not None else ""
        return ("Offline" + waiting + retry, "warning", "Sync now")
    if status.problem:
        return ("Sync problem" + waiting, "warning", "Sync now")
    if status.last_sync_at is None:
        return ("Not synced yet" + waiting, "off", "Sync now")
    return (f"Synced {relative_time(status.last_sync_at, now)}" + waiting, "ok", "Sync now")


def _seconds(value: float) -> str:
    value = max(0, round(value))
    return f"{value} s" if value < 90 else f"{round(value / 60)} min"


class SyncStatusWidget(QWidget):
    """The status bar's sync line. Hover for the whole story; the button acts."""

    sign_in_requested = Signal()

    def __init__(self, controller: SyncController, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.controller = controller
        row = QHBoxLayout(self)
        row.setContentsMargins(0, 0, 8, 0)
        row.setSpacing(8)
        self.dot = QLabel()
        self.dot.setFixedSize(10, 10)
        self.text = QLabel("Sync")
        self.text.setAccessibleName("Sync status")
        self.action = QPushButton("")
        self.action.setProperty("variant", "ghost")
        self.action.setCursor(Qt.CursorShape.PointingHandCursor)
        self.action.clicked.connect(self._act)
        self.action.setVisible(False)
        row.addWidget(self.dot)
        row.addWidget(self.text)
        row.addWidget(self.action)
        controller.status_changed.connect(self.show_status)
        self._tick = QTimer(self)  # "2 min ago" and "retrying in 40 s" stay true
        self._tick.setInterval(15_000)
        self._tick.timeout.connect(self.redraw)
        self._tick.start()

    def redraw(self) -> None:
        if self.controller.status is not None:
            self.show_status(self.controller.status)

    def show_status(self, status: SyncStatus) -> None:
        retry = None
        if self.controller.next_at is not None:
            retry = self.controller.next_at - time.monotonic()
        text, tone, action = describe(status, retry, datetime.now(UTC))
        self.text.setText(text)
        colour = {
            "ok": "success",
            "busy": "accent",
            "warning": "warning",
            "off": "text-subtle",
        }[tone]
        self.dot.setStyleSheet(f"background: {theme.PALETTE[colour]}; border-radius: 5px;")
        self.action.setText(action)
        self.action.setVisible(bool(action))
        tip = status.problem or status.keyring_problem
        if status.account is not None:
            tip = (tip + "\n\n" if tip else "") + (
                f"Signed in as {status.account.email} on {status.account.server_url}"
            )
        if status.refused:
            tip += f"\n{status.refused} change(s) were refused by the server."
        self.setToolTip(tip)

    def _act(self) -> None:
        if self.action.text().startswith("Sign in"):
            self.sign_in_requested.emit()
        else:
            self.controller.sync_now()
