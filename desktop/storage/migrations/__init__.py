"""Alembic migrations of the local database (run from ``Database.open``).

Developers: ``alembic -c desktop/storage/alembic.ini revision --autogenerate -m "..."``
(add ``-x db=PATH`` to point at a database other than ``./playbook-dev.sqlite3``), then
bump ``SCHEMA_HEAD`` in ``desktop/storage/database.py``.
"""
