"""Policy Studio's tables: the migration builds exactly what the models describe."""

from __future__ import annotations

from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import MetaData

import desktop.storage.schema.policies as schema
from desktop.storage import migrate
from desktop.storage.database import Database
from desktop.storage.migrations import hooks
from desktop.storage.models import Base

POLICY_TABLES = {t for t in Base.metadata.tables if t.startswith("policy_")}


def test_policy_tables_match_the_migrations(tmp_path: Path) -> None:
    assert schema.PolicyVersionRow.__tablename__ in POLICY_TABLES
    path = tmp_path / "db.sqlite3"
    Database.open(path).close()
    only = MetaData(naming_convention=Base.metadata.naming_convention)
    for name in POLICY_TABLES:
        Base.metadata.tables[name].to_metadata(only)

    def include(obj, name, kind, reflected, compare_to):
        table = name if kind == "table" else getattr(getattr(obj, "table", None), "name", "")
        return str(table).startswith("policy_") and hooks.include_object(
            obj, name, kind, reflected, compare_to
        )

    engine = migrate.create_sqlite_engine(path)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn, opts={"include_object": include, "compare_type": hooks.compare_type}
            )
            assert list(compare_metadata(context, only)) == []
    finally:
        engine.dispose()
