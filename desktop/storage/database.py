"""The local SQLite database: opening it safely, migrating it, and handing out connections.

Opening is careful about files Playbook must not touch. Before anything writes, the file
is inspected read-only: a file that is not SQLite, fails ``PRAGMA quick_check`` or holds
someone else's tables is :class:`DatabaseCorrupt`; one whose schema revision this app
does not know was written by a newer Playbook and is :class:`DatabaseFromNewerVersion`.
Neither is ever migrated or overwritten; the app offers :meth:`Database.move_aside` and
a fresh database instead.

At run time the app talks to SQLite through the standard library's ``sqlite3`` with plain
parametrised SQL: SQLAlchemy and Alembic cost tens of megabytes and a quarter of a second
to import, which the desktop client cannot afford. They are imported only when a database
must be created or migrated (:mod:`desktop.storage.migrate`); the SQLAlchemy models in
:mod:`desktop.storage.models` remain the description of the schema the migrations build.

Threads: each thread that uses the database gets its own connection (the UI reads
progress on the GUI thread while a worker indexes courses). In WAL mode readers never wait
for a writer; writers queue on the busy timeout. :meth:`Database.close` closes them all.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import threading
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType

from desktop.storage.values import db_time

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest revision in migrations/versions. Kept here so a normal start (database
# already current) does not import Alembic at all; a test checks it matches the scripts.
SCHEMA_HEAD = "0006"

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
SIDE_FILE_SUFFIXES = ("-wal", "-shm", "-journal")

FRESH_START = "start with a fresh database: the old file is moved aside, not deleted"


class DatabaseProblem(Exception):  # noqa: N818 (name is part of the shared contract)
    """The database cannot be used. ``user_message`` says why and what to do."""

    def __init__(self, path: Path, user_message: str) -> None:
        super().__init__(f"{path}: {user_message}")
        self.path = path
        self.user_message = user_message


class DatabaseFromNewerVersion(DatabaseProblem):
    """The schema revision in the file is unknown to this app: a newer app wrote it."""

    def __init__(self, path: Path, revision: str) -> None:
        super().__init__(
            path,
            f"This data was written by a newer version of Playbook (revision {revision}). "
            f"Update Playbook, or {FRESH_START}.\nFile: {path}",
        )
        self.revision = revision


class DatabaseCorrupt(DatabaseProblem):
    """The file is not a SQLite database, fails the integrity check, or is not Playbook's."""

    def __init__(self, path: Path, detail: str) -> None:
        super().__init__(
            path,
            f"Playbook's data file is damaged or is not a Playbook database ({detail}). "
            f"You can {FRESH_START}, so it can still be recovered.\nFile: {path}",
        )
        self.detail = detail


PAGE_CACHE_KIB = 512


def connect(path: Path) -> sqlite3.Connection:
    """A connection to ``path`` with WAL, foreign keys, a busy timeout and real transactions.

    The sqlite3 module's own transaction handling is off (``isolation_level=None``): the
    caller emits ``BEGIN IMMEDIATE`` for work that may write (so two writers queue on the
    busy timeout instead of failing with "database is locked" when a read turns into a
    write) and plain ``BEGIN`` for reads (readers never wait in WAL mode).

    ``check_same_thread`` is off only so that :meth:`Database.close` can close every
    thread's connection; each connection is otherwise used by one thread only."""
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        (mode,) = conn.execute("PRAGMA journal_mode = WAL").fetchone()
        if str(mode).lower() != "wal":  # e.g. some network file systems
            log.warning("SQLite refused WAL mode (journal_mode=%s); continuing without it", mode)
        # NORMAL is durable across app crashes in WAL mode; only a power cut can lose the
        # last transaction, never corrupt the file.
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # SQLite keeps up to this many KiB of the file's pages per connection (default
        # 2 MiB, and the app has one connection per thread). The file is in the system's
        # own cache anyway: reading a page from there is a copy, not a disk read.
        conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
    except BaseException:
        conn.close()
        raise
    return conn


class _Slot:
    """One thread's connection, and how deep that thread is in sessions on it."""

    __slots__ = ("conn", "depth", "thread", "writing")

    def __init__(self, conn: sqlite3.Connection, thread: threading.Thread) -> None:
        self.conn = conn
        self.thread = thread
        self.depth = 0  # sessions open on this thread (nested ones join the outer one)
        self.writing = False  # the outermost open session is a write session


class Database:
    """Playbook's local database. Open it with :meth:`open`; close it with :meth:`close`.

    Use :meth:`session` for work that writes and :meth:`read_session` for reads; both
    yield a ``sqlite3.Connection`` of the calling thread."""

    def __init__(self, path: Path) -> None:
        """Use :meth:`open`: it checks, creates and migrates the file first."""
        self.path = path
        self.device_id = ""  # stable per database: identifies this install to sync
        self._lock = threading.Lock()
        self._local = threading.local()
        self._slots: list[_Slot] = []
        self._closed = False

    @classmethod
    def open(cls, path: Path) -> Database:
        """Open (creating it if needed) and migrate the database at ``path``.

        Raises :class:`DatabaseFromNewerVersion` or :class:`DatabaseCorrupt` without having
        written to the file, or :class:`DatabaseProblem` when it cannot be opened at all.
        Alembic (and SQLAlchemy) are imported only when the file needs a migration."""
        path = Path(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise DatabaseProblem(
                path,
                f"Playbook cannot create the folder for its data ({exc.strerror}). "
                "Fix the folder's permissions or choose another one with --data-dir.",
            ) from exc
        revision = _inspect(path)
        if revision != SCHEMA_HEAD:
            _upgrade(path)
        db = cls(path)
        try:
            db.device_id = _ensure_device_id(db)
        except sqlite3.Error as exc:
            db.close()
            raise DatabaseProblem(path, _cannot_open(exc, path)) from exc
        except BaseException:
            db.close()
            raise
        return db

    @staticmethod
    def move_aside(path: Path) -> Path:
        """Rename the database and its ``-wal``/``-shm``/``-journal`` files to
        ``<name>.broken-<timestamp>`` (keeping SQLite's side-file naming, so the moved
        copy still opens with its unsaved pages). Returns the new database path."""
        path = Path(path)
        stamp = datetime.now().strftime("%Y%m%d-%H%M%S")
        target = path.with_name(f"{path.name}.broken-{stamp}")
        n = 1
        while any(Path(f"{target}{s}").exists() for s in ("", *SIDE_FILE_SUFFIXES)):
            n += 1
            target = path.with_name(f"{path.name}.broken-{stamp}-{n}")
        path.rename(target)
        for suffix in SIDE_FILE_SUFFIXES:
            side = Path(f"{path}{suffix}")
            if side.exists():
                side.rename(f"{target}{suffix}")
        log.warning("moved database %s aside to %s", path, target)
        return target

    @contextmanager
    def session(self) -> Iterator[sqlite3.Connection]:
        """A unit of work that may write (``BEGIN IMMEDIATE``): commits when the block
        succeeds, rolls back when it raises. A session opened inside another session on
        the same thread joins it (as a savepoint, so its own failure is undone alone)."""
        slot = self._enter()
        try:
            conn = slot.conn
            if slot.depth > 1:
                if not slot.writing:
                    raise RuntimeError(
                        "A write session cannot be opened inside a read session; "
                        "open the write session first."
                    )
                with _savepoint(conn, slot.depth):
                    yield conn
                return
            conn.execute("BEGIN IMMEDIATE")
            slot.writing = True
            try:
                yield conn
                conn.execute("COMMIT")
            except BaseException:
                _rollback(conn)
                raise
            finally:
                slot.writing = False
        finally:
            self._exit(slot)

    @contextmanager
    def read_session(self) -> Iterator[sqlite3.Connection]:
        """A read-only unit of work: one consistent snapshot, never waits for a writer.
        Inside another session on the same thread it reads through that one."""
        slot = self._enter()
        try:
            conn = slot.conn
            if slot.depth > 1:
                yield conn
                return
            conn.execute("BEGIN")
            try:
                yield conn
            finally:
                _rollback(conn)  # nothing to keep: ends the read transaction
        finally:
            self._exit(slot)

    def close(self) -> None:
        """Close every thread's connection. A thread still inside a session closes its
        own when that session ends. Using the database afterwards raises
        ``sqlite3.ProgrammingError``."""
        with self._lock:
            self._closed = True
            busy = []
            for slot in self._slots:
                if slot.depth == 0 or not slot.thread.is_alive():
                    slot.conn.close()
                else:
                    busy.append(slot)
            self._slots = busy

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- connections -------------------------------------------------------------------

    def _enter(self) -> _Slot:
        with self._lock:
            if self._closed:
                raise sqlite3.ProgrammingError(f"The database {self.path} is closed.")
            slot: _Slot | None = getattr(self._local, "slot", None)
            if slot is None:
                slot = self._new_slot()
            slot.depth += 1
            return slot

    def _exit(self, slot: _Slot) -> None:
        with self._lock:
            slot.depth -= 1
            if slot.depth == 0 and self._closed:  # close() ran while this thread worked
                slot.conn.close()
                if slot in self._slots:
                    self._slots.remove(slot)

    def _new_slot(self) -> _Slot:
        # Threads come and go (thread pools); close what finished threads left behind.
        for gone in [s for s in self._slots if not s.thread.is_alive()]:
            gone.conn.close()
            self._slots.remove(gone)
        slot = _Slot(connect(self.path), threading.current_thread())
        self._slots.append(slot)
        self._local.slot = slot
        return slot


@contextmanager
def _savepoint(conn: sqlite3.Connection, depth: int) -> Iterator[None]:
    name = f"playbook_{depth}"
    conn.execute(f"SAVEPOINT {name}")
    try:
        yield
    except BaseException:
        if conn.in_transaction:
            conn.execute(f"ROLLBACK TO {name}")
            conn.execute(f"RELEASE {name}")
        raise
    conn.execute(f"RELEASE {name}")


def _rollback(conn: sqlite3.Connection) -> None:
    # SQLite may already have rolled back on its own (e.g. a full disk): then there is
    # nothing left to undo, and ROLLBACK would fail.
    if conn.in_transaction:
        conn.execute("ROLLBACK")


def _cannot_open(exc: BaseException, path: Path) -> str:
    return (
        f"Playbook cannot open its data file ({exc}). Check that the disk is not "
        f"full and the file is writable, then start Playbook again.\nFile: {path}"
    )


def _inspect(path: Path) -> str | None:
    """Check an existing file read-only. Returns its schema revision (None for a new or
    empty database) or raises when Playbook must not touch it."""
    if not path.exists():
        return None
    if not path.is_file():
        raise DatabaseProblem(
            path, f"Playbook's data file is a folder, not a file. Move it away.\nFile: {path}"
        )
    try:
        with path.open("rb") as f:
            header = f.read(len(SQLITE_HEADER))
    except OSError as exc:
        raise DatabaseProblem(
            path,
            f"Playbook cannot read its data file ({exc.strerror}). "
            f"Check the file's permissions.\nFile: {path}",
        ) from exc
    if not header:
        return None  # SQLite treats an empty file as an empty database
    if header != SQLITE_HEADER:
        raise DatabaseCorrupt(path, "it is not a SQLite database file")

    try:
        conn = sqlite3.connect(
            f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=BUSY_TIMEOUT_MS / 1000
        )
    except sqlite3.Error as exc:
        raise DatabaseProblem(
            path, f"Playbook cannot open its data file ({exc}).\nFile: {path}"
        ) from exc
    try:
        try:
            check = [str(row[0]) for row in conn.execute("PRAGMA quick_check")]
            tables = {
                row[0]
                for row in conn.execute(
                    "SELECT name FROM sqlite_master WHERE type = 'table' "
                    "AND name NOT LIKE 'sqlite_%'"
                )
            }
            revisions = (
                [str(row[0]) for row in conn.execute("SELECT version_num FROM alembic_version")]
                if "alembic_version" in tables
                else []
            )
        except sqlite3.OperationalError as exc:  # busy, locked, I/O, cannot open
            raise DatabaseProblem(
                path,
                f"Playbook cannot read its data file ({exc}). If another Playbook is "
                f"running, close it; otherwise check the file's permissions.\nFile: {path}",
            ) from exc
        except sqlite3.DatabaseError as exc:  # corrupt, or not a database after all
            raise DatabaseCorrupt(path, str(exc)) from exc
    finally:
        conn.close()

    if check != ["ok"]:
        raise DatabaseCorrupt(path, f"integrity check failed: {check[0] if check else '?'}")
    if not revisions:
        if tables - {"alembic_version"}:
            raise DatabaseCorrupt(path, "it holds tables Playbook does not know")
        return None
    if revisions == [SCHEMA_HEAD]:
        return SCHEMA_HEAD
    known = _known_revisions()
    for revision in revisions:
        if revision not in known:
            raise DatabaseFromNewerVersion(path, revision)
    return revisions[0]


def _known_revisions() -> set[str]:
    from desktop.storage import migrate  # imports Alembic: only off the normal path

    return migrate.known_revisions()


def _upgrade(path: Path) -> None:
    """Create or migrate the schema with Alembic, in one transaction (all or nothing)."""
    from sqlalchemy.exc import DBAPIError

    from desktop.storage import migrate  # imports SQLAlchemy and Alembic

    try:
        migrate.upgrade(path)
    except DBAPIError as exc:
        raise DatabaseProblem(path, _cannot_open(exc.orig or exc, path)) from exc
    except sqlite3.Error as exc:
        raise DatabaseProblem(path, _cannot_open(exc, path)) from exc


def _ensure_device_id(db: Database) -> str:
    with db.read_session() as conn:
        row = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    if row is not None:
        return str(row[0])
    with db.session() as conn:
        conn.execute(
            "INSERT INTO meta (key, value) VALUES ('device_id', ?) ON CONFLICT (key) DO NOTHING",
            (str(uuid.uuid4()),),
        )
        (value,) = conn.execute("SELECT value FROM meta WHERE key = 'device_id'").fetchone()
    return str(value)


class SqlFolderStore:
    """The course folders a user added to the library, kept across restarts.

    Satisfies ``desktop.services.course_library.FolderStore`` structurally (storage does
    not import services)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def list_folders(self) -> list[Path]:
        with self._db.read_session() as conn:
            rows = conn.execute("SELECT path FROM library_folders ORDER BY id").fetchall()
        return [Path(path) for (path,) in rows]

    def add_folder(self, path: Path) -> None:
        with self._db.session() as conn:
            conn.execute(
                "INSERT INTO library_folders (path, added_at) VALUES (?, ?)"
                " ON CONFLICT (path) DO NOTHING",
                (_folder_key(path), db_time(datetime.now(UTC))),
            )

    def remove_folder(self, path: Path) -> None:
        with self._db.session() as conn:
            conn.execute("DELETE FROM library_folders WHERE path = ?", (_folder_key(path),))


def _folder_key(path: Path) -> str:
    # Absolute and normalised, but symlinks kept as the user chose them.
    return os.path.normpath(Path(path).expanduser().absolute())
