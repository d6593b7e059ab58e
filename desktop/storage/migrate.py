"""Creating and migrating the schema with Alembic.

Importing this module imports SQLAlchemy and Alembic (tens of megabytes, a quarter of a
second), so the app imports it only when :meth:`desktop.storage.database.Database.open`
finds a database that is new or at an older revision. Normal starts never get here.
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.script import ScriptDirectory
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import URL, Connection

from desktop.storage.database import MIGRATIONS_DIR, connect


def create_sqlite_engine(path: Path) -> Engine:
    """A SQLAlchemy engine whose connections are set up exactly like the app's own
    (:func:`desktop.storage.database.connect`: WAL, foreign keys, busy timeout, no
    implicit transactions). SQLAlchemy emits the BEGIN, as ``BEGIN IMMEDIATE``: a
    migration holds the write lock from its first statement to its commit."""
    engine = create_engine(
        URL.create("sqlite+pysqlite", database=str(path)), creator=lambda: connect(path)
    )
    event.listen(engine, "begin", _begin)
    return engine


def _begin(conn: Connection) -> None:
    conn.exec_driver_sql("BEGIN IMMEDIATE")


def known_revisions() -> set[str]:
    """Every schema revision this app's migration scripts know."""
    return {s.revision for s in ScriptDirectory(str(MIGRATIONS_DIR)).walk_revisions()}


def upgrade(path: Path, revision: str = "head") -> None:
    """Run every pending migration (up to ``revision``) on the database at ``path`` in one
    transaction (all or nothing), creating the schema of a new or empty file."""
    engine = create_sqlite_engine(path)
    try:
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS_DIR))
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            command.upgrade(config, revision)
    finally:
        engine.dispose()
