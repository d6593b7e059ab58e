"""The one way the UI runs work that could block: :class:`TaskRunner`.

A view never starts a thread or a coroutine itself. It asks the window's runner::

    runner.run("Loading courses", library.refresh, owner=self, on_done=self.show_courses)

and the runner

* runs the callable in its worker thread (one at a time, so there is only ever one
  database writer in the background) — or a coroutine on the running asyncio (qasync)
  loop, falling back to the worker thread when no loop runs (tests, the self-test). In
  the app the qasync loop is started by the first coroutine (:func:`start_qasync_on_demand`):
  a learner's session, which runs no coroutine, never loads asyncio nor the TLS stack
  it imports;
* keeps a reference to the task until it ends;
* drops the result (and cancels what has not started) when ``owner`` is destroyed, so a
  callback never touches a deleted widget;
* reports progress through :attr:`TaskRunner.busy_changed` (the status bar shows a busy
  indicator and the task's description);
* routes every error to one handler (the window shows a message box with a sentence a
  user can act on, :func:`user_message`), unless the caller passed its own ``on_error``.

Results are always delivered on the GUI thread through a queued signal, never from the
worker, whether the work finished instantly or not.

While work runs in the worker thread, Python's automatic garbage collection is paused
(and resumed when the worker is idle again). A Qt object left in a reference cycle must
be freed on the GUI thread; if the worker's allocations triggered the collection, the
object would be destroyed from the wrong thread and crash the app.

Nothing here is paid for before it is used: the worker thread starts with the first
task, asyncio (and the qasync loop) with the first coroutine, and Qt's ``Qt`` namespace
(slow to create) with the first runner, so the main window's shell can import this module.
"""

from __future__ import annotations

import contextlib
import gc
import logging
from collections.abc import Callable, Coroutine
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from PySide6.QtCore import QMetaObject, QObject, Signal, Slot

if TYPE_CHECKING:
    import asyncio
    import concurrent.futures

    from PySide6.QtCore import QCoreApplication

log = logging.getLogger(__name__)

T = TypeVar("T")
ErrorHandler = Callable[[str, BaseException], None]


def user_message(exc: BaseException) -> str:
    """A sentence a user can act on for an error raised by a task.

    Exceptions written for users carry it themselves (``user_message``, as the storage
    errors do; ``problems``, as course format errors do); anything else is unexpected,
    so we say what failed and where the details went."""
    own = getattr(exc, "user_message", None)
    if isinstance(own, str) and own:
        return own
    problems = getattr(exc, "problems", None)
    if isinstance(problems, tuple | list) and problems:
        shown = [str(p) for p in problems[:5]]
        more = len(problems) - len(shown)
        if more > 0:
            shown.append(f"… and {more} more problem{'s' if more > 1 else ''}.")
        return "\n".join(shown)
    detail = str(exc) or type(exc).__name__
    return f"{detail}\n\nThe details were written to the log."


class _OnDemandLoop:
    """The app's qasync loop, started on Qt's running event loop by the first coroutine."""

    app: QCoreApplication | None = None  # set by start_qasync_on_demand
    loop: asyncio.AbstractEventLoop | None = None


def start_qasync_on_demand(app: QCoreApplication) -> None:
    """Let the first coroutine a runner is given start a qasync loop on ``app``'s event
    loop, which must be running (``app.exec()``) whenever a coroutine is started. The
    composition root calls this; :func:`close_qasync_loop` after ``app.exec()`` returns."""
    _OnDemandLoop.app = app


def close_qasync_loop() -> None:
    """Close the qasync loop if a coroutine started one, as the app quits (it is called
    when the application is about to quit, and again by the composition root once
    ``app.exec()`` returned): coroutines still waiting are dropped with it."""
    loop, _OnDemandLoop.loop, _OnDemandLoop.app = _OnDemandLoop.loop, None, None
    if loop is not None:
        import asyncio

        loop.stop()  # asks Qt's loop to exit: it is quitting already
        loop.close()
        # qasync made it the running loop when it started (on Qt's running loop); it
        # no longer runs, and must not be found by a coroutine started from now on.
        asyncio.events._set_running_loop(None)
        asyncio.set_event_loop(None)


def _running_loop() -> asyncio.AbstractEventLoop | None:
    """The running asyncio loop: the caller's, or the app's qasync loop, started now if
    this is the first coroutine; None when there is none (tests, the self-test)."""
    import asyncio

    try:
        return asyncio.get_running_loop()
    except RuntimeError:
        pass
    if _OnDemandLoop.app is None:
        return None
    if _OnDemandLoop.loop is None:
        import qasync

        app = _OnDemandLoop.app
        loop = qasync.QEventLoop(app, already_running=True)
        asyncio.set_event_loop(loop)
        _OnDemandLoop.loop = loop
        app.aboutToQuit.connect(close_qasync_loop)
    return _OnDemandLoop.loop


class Task(Generic[T]):
    """A handle on one piece of running work. ``cancel()`` is safe to call any time."""

    def __init__(
        self,
        description: str,
        on_done: Callable[[T], None] | None,
        on_error: ErrorHandler | None,
    ) -> None:
        self.description = description
        self._on_done = on_done
        self._on_error = on_error
        self._future: concurrent.futures.Future[T] | asyncio.Future[T] | None = None
        self._owner_connection: QMetaObject.Connection | None = None
        self._owner: QObject | None = None
        self._cancelled = False
        self._finished = False
        self._in_thread = False  # runs in the worker thread (not on the asyncio loop)

    @property
    def cancelled(self) -> bool:
        return self._cancelled

    @property
    def finished(self) -> bool:
        """True once the result (or error) was delivered, or the task was cancelled."""
        return self._finished or self._cancelled

    def cancel(self) -> None:
        """Drop the result; work that has not started yet never starts.

        Work already running in the worker thread runs to its end (Python threads cannot
        be interrupted); a coroutine is cancelled at its next ``await``."""
        self._cancelled = True
        if self._future is not None:
            self._future.cancel()


class TaskRunner(QObject):
    """Runs blocking work off the GUI thread and reports back on it (see the module doc)."""

    busy_changed = Signal(bool)
    message_changed = Signal(str)  # the description of the newest running task, "" when idle
    _completed = Signal(object)  # a Task whose future finished; emitted from any thread

    def __init__(
        self,
        error_handler: ErrorHandler | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._pool: concurrent.futures.ThreadPoolExecutor | None = None  # started by the first task
        self._error_handler = error_handler
        self._running: list[Task[Any]] = []
        self._closed = False
        self._gc_paused = False  # we disabled automatic collection and must enable it again
        from PySide6.QtCore import Qt  # not at the top: see the module doc

        self._completed.connect(self._deliver, Qt.ConnectionType.QueuedConnection)

    # -- public API -------------------------------------------------------------------

    @property
    def busy(self) -> bool:
        return bool(self._running)

    @property
    def running(self) -> list[str]:
        """Descriptions of the tasks still running, oldest first."""
        return [t.description for t in self._running]

    def set_error_handler(self, handler: ErrorHandler | None) -> None:
        self._error_handler = handler

    def run(
        self,
        description: str,
        work: Callable[[], T],
        *,
        owner: QObject | None = None,
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorHandler | None = None,
    ) -> Task[T]:
        """Run ``work()`` in the worker thread; ``on_done(result)`` runs on the GUI thread."""
        task: Task[T] = Task(description, on_done, on_error)
        if self._closed:
            task.cancel()
            return task
        task._in_thread = True
        self._start(task, owner)
        future = self._executor.submit(work)
        task._future = future
        future.add_done_callback(lambda _f: self._emit_completed(task))
        return task

    def run_async(
        self,
        description: str,
        coroutine: Callable[[], Coroutine[Any, Any, T]],
        *,
        owner: QObject | None = None,
        on_done: Callable[[T], None] | None = None,
        on_error: ErrorHandler | None = None,
    ) -> Task[T]:
        """Run a coroutine on the running asyncio loop (qasync), else in the worker thread."""
        import asyncio

        task: Task[T] = Task(description, on_done, on_error)
        if self._closed:
            task.cancel()
            return task
        loop = _running_loop()
        task._in_thread = loop is None
        self._start(task, owner)
        if loop is not None:
            afuture: asyncio.Future[T] = asyncio.ensure_future(coroutine(), loop=loop)
            task._future = afuture
            afuture.add_done_callback(lambda _f: self._emit_completed(task))
        else:
            tfuture = self._executor.submit(lambda: asyncio.run(coroutine()))
            task._future = tfuture
            tfuture.add_done_callback(lambda _f: self._emit_completed(task))
        return task

    def shutdown(self, timeout: float = 3.0) -> None:
        """Cancel everything and stop the worker (the window calls this when it closes).

        Work already running in the worker is given up to ``timeout`` seconds to end, so
        it does not outlive the database the composition root closes next."""
        self._closed = True
        running = [t._future for t in self._running if t._in_thread and t._future is not None]
        for task in list(self._running):
            task.cancel()
        if self._pool is not None:
            import concurrent.futures

            self._pool.shutdown(wait=False, cancel_futures=True)
            threads = [f for f in running if isinstance(f, concurrent.futures.Future)]
            if threads:
                concurrent.futures.wait(threads, timeout=timeout)
        self._set_running([])

    # -- internals --------------------------------------------------------------------

    @property
    def _executor(self) -> concurrent.futures.ThreadPoolExecutor:
        if self._pool is None:
            from concurrent.futures import ThreadPoolExecutor

            self._pool = ThreadPoolExecutor(max_workers=1, thread_name_prefix="playbook-task")
        return self._pool

    def _start(self, task: Task[Any], owner: QObject | None) -> None:
        if owner is not None:
            task._owner = owner
            task._owner_connection = owner.destroyed.connect(task.cancel)
        self._set_running([*self._running, task])

    def _emit_completed(self, task: Task[Any]) -> None:
        # Runs in the worker thread (or inline when the future was already done); the
        # queued connection carries the task to the GUI thread.
        try:
            self._completed.emit(task)
        except RuntimeError:  # the runner itself is gone: nobody is left to tell
            log.debug("task %r finished after its runner was deleted", task.description)

    @Slot(object)
    def _deliver(self, task: Task[Any]) -> None:
        if task in self._running:
            self._set_running([t for t in self._running if t is not task])
        self._disconnect_owner(task)
        if task.cancelled:
            return
        task._finished = True
        future = task._future
        if future is None or future.cancelled():
            return
        exc = future.exception()
        if exc is not None:
            log.error("task %r failed", task.description, exc_info=exc)
            handler = task._on_error or self._error_handler
            if handler is not None:
                handler(task.description, exc)
            return
        if task._on_done is not None:
            try:
                task._on_done(future.result())
            except Exception as callback_exc:  # a bug in a view must not kill the app
                log.exception("task %r: handling its result failed", task.description)
                if self._error_handler is not None:
                    self._error_handler(task.description, callback_exc)

    def _disconnect_owner(self, task: Task[Any]) -> None:
        connection = task._owner_connection
        task._owner_connection = None
        task._owner = None
        if connection is not None:
            with contextlib.suppress(RuntimeError):  # the owner is already gone
                QObject.disconnect(connection)

    def _set_running(self, tasks: list[Task[Any]]) -> None:
        was_busy = bool(self._running)
        threaded = any(t._in_thread for t in tasks)
        if threaded and not self._gc_paused and gc.isenabled():
            gc.disable()
            self._gc_paused = True
        elif not threaded and self._gc_paused:
            self._gc_paused = False
            gc.enable()
            # Here, on the GUI thread, the garbage that piled up meanwhile. With collection
            # paused nothing was promoted, so it all sits in the young generations: a
            # young collection finds it without walking the whole heap (a full collection
            # took 13-16 ms here, a visible stall).
            gc.collect(1)
        self._running = tasks
        self.message_changed.emit(tasks[-1].description if tasks else "")
        if was_busy != bool(tasks):
            self.busy_changed.emit(bool(tasks))
