"""The local SQLite database: opening it safely, migrating it, and handing out sessions.

Opening is careful about files Playbook must not touch. Before anything writes, the file
is inspected read-only: a file that is not SQLite, fails ``PRAGMA quick_check`` or holds
someone else's tables is :class:`DatabaseCorrupt`; one whose schema revision this app
does not know was written by a newer Playbook and is :class:`DatabaseFromNewerVersion`.
Neither is ever migrated or overwritten; the app offers :meth:`Database.move_aside` and
a fresh database instead.
"""

from __future__ import annotations

import logging
import os
import sqlite3
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any

from sqlalchemy import Engine, create_engine, delete, event, select
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.engine import URL, Connection
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from desktop.storage.models import LibraryFolderRow, MetaEntry

log = logging.getLogger(__name__)

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
# The newest revision in migrations/versions. Kept here so a normal start (database
# already current) does not import Alembic at all; a test checks it matches the scripts.
SCHEMA_HEAD = "0001"

SQLITE_HEADER = b"SQLite format 3\x00"
BUSY_TIMEOUT_MS = 5000
SIDE_FILE_SUFFIXES = ("-wal", "-shm", "-journal")
_READ_ONLY = "playbook_read_only"

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


def create_sqlite_engine(path: Path) -> Engine:
    """An engine on ``path`` with WAL, foreign keys, a busy timeout and real transactions.

    The sqlite3 driver's own transaction handling is switched off and SQLAlchemy emits the
    BEGIN: ``BEGIN IMMEDIATE`` for sessions that may write (so two writers queue on the
    busy timeout instead of failing with "database is locked" when a read turns into a
    write), plain ``BEGIN`` for read-only sessions (readers never wait in WAL mode)."""
    engine = create_engine(URL.create("sqlite+pysqlite", database=str(path)))
    event.listen(engine, "connect", _configure_connection)
    event.listen(engine, "begin", _begin)
    return engine


def _configure_connection(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    try:
        cursor.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        (mode,) = cursor.execute("PRAGMA journal_mode = WAL").fetchone()
        if str(mode).lower() != "wal":  # e.g. some network file systems
            log.warning("SQLite refused WAL mode (journal_mode=%s); continuing without it", mode)
        # NORMAL is durable across app crashes in WAL mode; only a power cut can lose the
        # last transaction, never corrupt the file.
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.execute("PRAGMA foreign_keys = ON")
    finally:
        cursor.close()


def _begin(conn: Connection) -> None:
    read_only = conn.get_execution_options().get(_READ_ONLY, False)
    conn.exec_driver_sql("BEGIN" if read_only else "BEGIN IMMEDIATE")


class Database:
    """Playbook's local database. Open it with :meth:`open`; close it with :meth:`close`."""

    def __init__(self, path: Path, engine: Engine, device_id: str) -> None:
        self.path = path
        self.engine = engine
        self.device_id = device_id  # stable per database: identifies this install to sync
        self._sessions = sessionmaker(engine, expire_on_commit=False)
        self._read_sessions = sessionmaker(
            engine.execution_options(**{_READ_ONLY: True}), expire_on_commit=False
        )

    @classmethod
    def open(cls, path: Path) -> Database:
        """Open (creating it if needed) and migrate the database at ``path``.

        Raises :class:`DatabaseFromNewerVersion` or :class:`DatabaseCorrupt` without having
        written to the file, or :class:`DatabaseProblem` when it cannot be opened at all."""
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
        engine = create_sqlite_engine(path)
        try:
            if revision != SCHEMA_HEAD:
                _upgrade(engine)
            device_id = _ensure_device_id(engine)
        except DBAPIError as exc:
            engine.dispose()
            raise DatabaseProblem(
                path,
                f"Playbook cannot open its data file ({exc.orig}). Check that the disk is not "
                f"full and the file is writable, then start Playbook again.\nFile: {path}",
            ) from exc
        except BaseException:
            engine.dispose()
            raise
        return cls(path, engine, device_id)

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
    def session(self) -> Iterator[Session]:
        """A unit of work: commits when the block succeeds, rolls back when it raises."""
        with self._sessions.begin() as session:
            yield session

    @contextmanager
    def read_session(self) -> Iterator[Session]:
        """Like :meth:`session` for reads only: never waits for a writer."""
        with self._read_sessions.begin() as session:
            yield session

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Database:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


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
    from alembic.script import ScriptDirectory

    script = ScriptDirectory(str(MIGRATIONS_DIR))
    return {s.revision for s in script.walk_revisions()}


def _upgrade(engine: Engine) -> None:
    """Run every pending migration in one transaction (all or nothing)."""
    from alembic import command
    from alembic.config import Config

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.upgrade(config, "head")


def _ensure_device_id(engine: Engine) -> str:
    with Session(engine) as session, session.begin():
        entry = session.get(MetaEntry, "device_id")
        if entry is not None:
            return str(entry.value)
        value = str(uuid.uuid4())
        session.add(MetaEntry(key="device_id", value=value))
        return value


class SqlFolderStore:
    """The course folders a user added to the library, kept across restarts.

    Satisfies ``desktop.services.course_library.FolderStore`` structurally (storage does
    not import services)."""

    def __init__(self, db: Database) -> None:
        self._db = db

    def list_folders(self) -> list[Path]:
        with self._db.read_session() as session:
            rows = session.scalars(select(LibraryFolderRow.path).order_by(LibraryFolderRow.id))
            return [Path(p) for p in rows]

    def add_folder(self, path: Path) -> None:
        stmt = (
            sqlite_insert(LibraryFolderRow)
            .values(path=_folder_key(path), added_at=datetime.now(UTC))
            .on_conflict_do_nothing(index_elements=["path"])
        )
        with self._db.session() as session:
            session.execute(stmt)

    def remove_folder(self, path: Path) -> None:
        with self._db.session() as session:
            session.execute(
                delete(LibraryFolderRow).where(LibraryFolderRow.path == _folder_key(path))
            )


def _folder_key(path: Path) -> str:
    # Absolute and normalised, but symlinks kept as the user chose them.
    return os.path.normpath(Path(path).expanduser().absolute())
