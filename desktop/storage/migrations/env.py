"""Alembic environment for the local database.

At run time ``desktop.storage.migrate.upgrade`` (called by ``Database.open`` for a new or
older database) hands over an open connection in
``config.attributes["connection"]``. From the command line (developers) the database is
``-x db=PATH`` or the ``sqlalchemy.url`` of ``desktop/storage/alembic.ini``.
"""

from __future__ import annotations

from logging.config import fileConfig
from pathlib import Path

from alembic import context
from sqlalchemy import Connection
from sqlalchemy.engine import make_url

from desktop.storage.migrations.hooks import compare_type, include_object, render_item
from desktop.storage.models import Base

config = context.config


def run(connection: Connection) -> None:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        include_object=include_object,
        render_item=render_item,
        compare_type=compare_type,
        render_as_batch=True,  # SQLite alters tables by copying them
        transactional_ddl=True,  # a failed upgrade leaves the old schema intact
    )
    with context.begin_transaction():
        context.run_migrations()


def main() -> None:
    connection = config.attributes.get("connection")
    if connection is not None:
        run(connection)
        return

    # Command line: configure logging from the ini file and open the database the same
    # way the app does (WAL, foreign keys, explicit BEGIN).
    from desktop.storage.migrate import create_sqlite_engine

    if config.config_file_name is not None:
        fileConfig(config.config_file_name)
    db = context.get_x_argument(as_dictionary=True).get("db")
    url = config.get_main_option("sqlalchemy.url") or "sqlite:///playbook-dev.sqlite3"
    path = Path(db) if db else Path(make_url(url).database or "playbook-dev.sqlite3")
    if context.is_offline_mode():  # `alembic upgrade --sql`: print the SQL
        context.configure(
            url=f"sqlite:///{path}",
            target_metadata=Base.metadata,
            literal_binds=True,
            render_as_batch=True,
        )
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = create_sqlite_engine(path)
    try:
        with engine.connect() as conn:
            run(conn)
    finally:
        engine.dispose()


main()
