"""What the composition root does with a database it cannot use as it is."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from desktop.app import open_database
from desktop.storage.database import DatabaseProblem

GARBAGE = b"not a database, maybe a half-copied file " * 200


def newer_database(path: Path) -> bytes:
    """A database stamped with a schema revision this app has never heard of."""
    with sqlite3.connect(path) as conn:
        conn.execute("CREATE TABLE alembic_version (version_num VARCHAR(32) NOT NULL)")
        conn.execute("INSERT INTO alembic_version VALUES ('9999_from_the_future')")
    conn.close()
    return path.read_bytes()


def test_corrupt_database_is_left_untouched_when_the_user_quits(tmp_path: Path):
    path = tmp_path / "playbook.sqlite3"
    path.write_bytes(GARBAGE)
    asked: list[DatabaseProblem] = []

    def ask(problem: DatabaseProblem) -> bool:
        asked.append(problem)
        return False

    assert open_database(path, ask, tell=lambda p: None) is None
    assert path.read_bytes() == GARBAGE
    assert len(asked) == 1
    assert "damaged" in asked[0].user_message


def test_start_fresh_moves_the_old_file_aside_and_opens_a_new_database(tmp_path: Path):
    path = tmp_path / "playbook.sqlite3"
    path.write_bytes(GARBAGE)
    db = open_database(path, lambda p: True, tell=lambda p: None)
    assert db is not None
    db.close()
    kept = [p for p in tmp_path.iterdir() if p.name.startswith("playbook.sqlite3.broken-")]
    assert len(kept) == 1
    assert kept[0].read_bytes() == GARBAGE  # the old data is kept, byte for byte
    with sqlite3.connect(path) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    conn.close()


def test_database_from_a_newer_version_is_explained_and_never_migrated(tmp_path: Path):
    path = tmp_path / "playbook.sqlite3"
    before = newer_database(path)
    messages: list[str] = []

    def ask(problem: DatabaseProblem) -> bool:
        messages.append(problem.user_message)
        return False

    assert open_database(path, ask, tell=lambda p: None) is None
    assert path.read_bytes() == before
    assert "newer version of Playbook" in messages[0]
