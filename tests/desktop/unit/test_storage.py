"""The local database: migrations, WAL, restarts, and files Playbook must not touch."""

from __future__ import annotations

import hashlib
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from contextlib import closing
from pathlib import Path

import pytest
from alembic.autogenerate import compare_metadata
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory

from desktop.domain.course import Course, Lesson, Module, Slide
from desktop.services.annotations import AnnotationService
from desktop.services.progress import ProgressService
from desktop.storage import migrate
from desktop.storage.database import (
    MIGRATIONS_DIR,
    SCHEMA_HEAD,
    Database,
    DatabaseCorrupt,
    DatabaseFromNewerVersion,
    DatabaseProblem,
    SqlFolderStore,
)
from desktop.storage.migrations import hooks
from desktop.storage.models import Base

REPO = Path(__file__).resolve().parents[3]

EXPECTED_TABLES = {
    "alembic_version",
    "meta",
    "progress_events",
    "bookmarks",
    "notes",
    "library_folders",
    "search_courses",
    "search_index",
}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def tables(path: Path) -> set[str]:
    with closing(sqlite3.connect(path)) as conn:
        return {row[0] for row in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}


def small_course() -> Course:
    slides = tuple(Slide(id=f"s{i}", title=f"Slide {i}", body="Text") for i in range(1, 6))
    lesson = Lesson(id="pricing", title="Pricing", slides=slides)
    return Course(
        id="sales-101",
        version="1.0.0",
        title="Sales 101",
        modules=(Module("m1", "Basics", ("pricing",)),),
        lessons={"pricing": lesson},
    )


def make_newer_database(path: Path) -> None:
    """What a later Playbook leaves behind: a schema revision this app has never seen."""
    Database.open(path).close()
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("UPDATE alembic_version SET version_num = '9001_from_the_future'")
        conn.commit()


# -- creating and migrating ----------------------------------------------------------------


def test_new_database_gets_the_whole_schema_in_wal_mode(tmp_path: Path) -> None:
    path = tmp_path / "nested" / "data" / "playbook.sqlite3"

    with Database.open(path) as db, db.session() as conn:
        (journal,) = conn.execute("PRAGMA journal_mode").fetchone()
        (foreign_keys,) = conn.execute("PRAGMA foreign_keys").fetchone()
        (busy,) = conn.execute("PRAGMA busy_timeout").fetchone()
        (synchronous,) = conn.execute("PRAGMA synchronous").fetchone()
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()

    assert journal == "wal"
    assert foreign_keys == 1
    assert busy is not None
    assert busy >= 1000
    assert synchronous == 1  # NORMAL
    assert revision == SCHEMA_HEAD
    assert tables(path) >= EXPECTED_TABLES


def test_schema_head_constant_matches_the_migration_scripts() -> None:
    # Database.open skips Alembic when the file is at SCHEMA_HEAD: a new migration must
    # update the constant, or existing databases would never be upgraded.
    assert ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head() == SCHEMA_HEAD


def schema_differences(path: Path) -> list[object]:
    """What ``alembic check`` would report: models vs. the schema in the file."""
    engine = migrate.create_sqlite_engine(path)
    try:
        with engine.connect() as conn:
            context = MigrationContext.configure(
                conn,
                opts={
                    "include_object": hooks.include_object,
                    "compare_type": hooks.compare_type,
                },
            )
            return list(compare_metadata(context, Base.metadata))
    finally:
        engine.dispose()


def test_models_describe_exactly_what_the_migrations_build(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    Database.open(path).close()

    assert schema_differences(path) == []


def test_a_new_database_is_built_by_the_real_alembic_migration_and_only_then(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    upgrades: list[Path] = []
    real_upgrade = migrate.upgrade

    def spy(path: Path) -> None:
        upgrades.append(path)
        real_upgrade(path)

    monkeypatch.setattr(migrate, "upgrade", spy)
    path = tmp_path / "playbook.sqlite3"

    with Database.open(path) as db, db.read_session() as conn:
        (revision,) = conn.execute("SELECT version_num FROM alembic_version").fetchone()
    assert upgrades == [path]
    assert revision == SCHEMA_HEAD
    assert schema_differences(path) == []  # `alembic check`: nothing to autogenerate

    Database.open(path).close()  # current: opened without Alembic
    assert upgrades == [path]


def test_a_current_database_is_used_without_sqlalchemy_or_alembic(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    Database.open(path).close()  # created (and migrated) here, in the test process
    script = textwrap.dedent(
        f"""
        import sys
        from pathlib import Path

        from desktop.domain.course import Course, Lesson, Module, Slide
        from desktop.services.annotations import AnnotationService
        from desktop.services.progress import ProgressService
        from desktop.services.search import SearchService
        from desktop.storage.database import Database, SqlFolderStore

        slides = (Slide(id="s1", title="Pricing", body="Discounts need a reason."),)
        course = Course(
            id="c1",
            version="1.0.0",
            title="Sales",
            modules=(Module("m1", "Basics", ("l1",)),),
            lessons={{"l1": Lesson(id="l1", title="Pricing", slides=slides)}},
        )
        with Database.open(Path({str(path)!r})) as db:
            ProgressService(db).slide_viewed(course, "l1", "s1")
            assert ProgressService(db).resume_point() is not None
            AnnotationService(db).toggle_bookmark("c1", "l1", "s1")
            SqlFolderStore(db).add_folder(Path("courses"))
            search = SearchService(db)
            assert search.index_course(course)
            assert [h.slide_id for h in search.search("discount")] == ["s1"]
        loaded = sorted(m for m in sys.modules if m.split(".")[0] in ("sqlalchemy", "alembic"))
        print(loaded)
        assert not loaded, loaded
        """
    )

    done = subprocess.run(
        [sys.executable, "-c", script], cwd=REPO, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_an_empty_file_becomes_a_fresh_database(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    path.touch()

    with Database.open(path):
        pass

    assert tables(path) >= EXPECTED_TABLES


def test_device_id_is_stable_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    with Database.open(path) as db:
        first = db.device_id
    with Database.open(path) as db:
        assert db.device_id == first
    with Database.open(tmp_path / "other.sqlite3") as other:
        assert other.device_id != first


def test_learner_comes_back_tomorrow_exactly_where_they_stopped(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    course = small_course()
    with Database.open(path) as db:
        progress = ProgressService(db)
        progress.lesson_opened(course, "pricing")
        for slide in ("s1", "s2", "s3"):
            progress.slide_viewed(course, "pricing", slide)
        AnnotationService(db).toggle_bookmark("sales-101", "pricing", "s2")
        AnnotationService(db).set_note("sales-101", "pricing", "s3", "Ask about discounts")

    with Database.open(path) as db:
        resume = ProgressService(db).resume_point()
        viewed = ProgressService(db).course_progress(course).lessons["pricing"].viewed_slides
        annotations = AnnotationService(db)

        assert resume is not None
        assert (resume.course_id, resume.lesson_id, resume.slide_id) == (
            "sales-101",
            "pricing",
            "s3",
        )
        assert viewed == {"s1", "s2", "s3"}
        assert annotations.is_bookmarked("sales-101", "pricing", "s2")
        assert annotations.note("sales-101", "pricing", "s3") == "Ask about discounts"


def test_a_failing_unit_of_work_leaves_no_trace(tmp_path: Path) -> None:
    def half_done(db: Database) -> None:
        with db.session() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('half-done', 'x')")
            raise RuntimeError("boom")

    with Database.open(tmp_path / "playbook.sqlite3") as db:
        with pytest.raises(RuntimeError):
            half_done(db)
        with db.session() as conn:
            found = conn.execute("SELECT value FROM meta WHERE key = 'half-done'").fetchone()
            assert found is None


# -- files Playbook must not touch -----------------------------------------------------------


def test_database_from_a_newer_app_is_refused_and_left_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    make_newer_database(path)
    before = digest(path)

    with pytest.raises(DatabaseFromNewerVersion) as refused:
        Database.open(path)

    assert digest(path) == before
    assert refused.value.revision == "9001_from_the_future"
    assert refused.value.path == path
    message = refused.value.user_message
    assert "newer version of Playbook (revision 9001_from_the_future)" in message
    assert "Update Playbook, or start with a fresh database" in message
    assert "moved aside, not deleted" in message


def test_a_file_that_is_not_sqlite_is_refused_and_left_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    path.write_bytes(b"PK\x03\x04 this is a zip file, not a database" * 50)
    before = digest(path)

    with pytest.raises(DatabaseCorrupt) as refused:
        Database.open(path)

    assert digest(path) == before
    assert "not a SQLite database" in refused.value.user_message


def test_a_damaged_database_is_refused_and_left_byte_identical(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    with Database.open(path) as db:
        progress = ProgressService(db)
        course = small_course()
        for _ in range(200):
            progress.slide_viewed(course, "pricing", "s1")
    assert not Path(f"{path}-wal").exists()  # closing checkpointed everything into the file
    data = bytearray(path.read_bytes())
    page_size = 4096
    assert len(data) > 4 * page_size
    for start in range(2 * page_size, len(data), page_size):
        data[start : start + 64] = b"\xa5" * 64  # scribble over every b-tree page header
    path.write_bytes(bytes(data))
    before = digest(path)

    with pytest.raises(DatabaseCorrupt) as refused:
        Database.open(path)

    assert digest(path) == before
    assert "damaged" in refused.value.user_message
    assert refused.value.detail != "it is not a SQLite database file"


def test_someone_elses_sqlite_database_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    with closing(sqlite3.connect(path)) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    before = digest(path)

    with pytest.raises(DatabaseCorrupt, match=r"tables Playbook does not know"):
        Database.open(path)

    assert digest(path) == before
    assert tables(path) == {"invoices"}


def test_refused_database_can_be_moved_aside_and_replaced_by_a_fresh_one(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    make_newer_database(path)
    before = digest(path)
    with pytest.raises(DatabaseProblem):
        Database.open(path)

    moved = Database.move_aside(path)

    assert not path.exists()
    assert moved.parent == path.parent
    assert moved.name.startswith("playbook.sqlite3.broken-")
    assert digest(moved) == before
    with Database.open(path) as fresh:
        assert ProgressService(fresh).events() == []


def test_move_aside_takes_the_wal_and_shm_files_along(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    path.write_bytes(b"main")
    Path(f"{path}-wal").write_bytes(b"wal")
    Path(f"{path}-shm").write_bytes(b"shm")

    first = Database.move_aside(path)
    path.write_bytes(b"second")
    second = Database.move_aside(path)  # same second: must not overwrite the first

    assert first != second
    assert first.read_bytes() == b"main"
    assert Path(f"{first}-wal").read_bytes() == b"wal"
    assert Path(f"{first}-shm").read_bytes() == b"shm"
    assert second.read_bytes() == b"second"
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(
        [first.name, f"{first.name}-wal", f"{first.name}-shm", second.name]
    )


def test_a_folder_where_the_file_should_be_is_a_clear_problem(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    path.mkdir()

    with pytest.raises(DatabaseProblem, match="is a folder"):
        Database.open(path)


# -- library folders -------------------------------------------------------------------------


def test_added_course_folders_are_kept_across_restarts(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    team = tmp_path / "team courses"
    mine = tmp_path / "mine"
    with Database.open(path) as db:
        store = SqlFolderStore(db)
        store.add_folder(team)
        store.add_folder(mine)
        store.add_folder(tmp_path / "mine" / ".." / "mine")  # the same folder again

    with Database.open(path) as db:
        store = SqlFolderStore(db)
        assert store.list_folders() == [team, mine]
        store.remove_folder(team)
        assert store.list_folders() == [mine]


# -- threads -----------------------------------------------------------------------------


def test_a_reader_never_waits_for_a_writer_in_another_thread(tmp_path: Path) -> None:
    with Database.open(tmp_path / "playbook.sqlite3") as db:
        writing, release = threading.Event(), threading.Event()

        def writer() -> None:
            with db.session() as conn:
                conn.execute("INSERT INTO meta (key, value) VALUES ('w', '1')")
                writing.set()
                release.wait(10)

        with ThreadPoolExecutor(max_workers=1) as pool:
            done = pool.submit(writer)
            assert writing.wait(10)
            started = time.perf_counter()
            with db.read_session() as conn:
                during = conn.execute("SELECT value FROM meta WHERE key = 'w'").fetchone()
            waited = time.perf_counter() - started
            release.set()
            done.result()
        with db.read_session() as conn:
            after = conn.execute("SELECT value FROM meta WHERE key = 'w'").fetchone()

    assert during is None  # not committed yet: the reader sees the last commit
    assert waited < 1.0  # far below the busy timeout: it did not wait for the writer
    assert after == ("1",)


def test_each_thread_has_its_own_connection_and_close_closes_them_all(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    course = small_course()
    db = Database.open(path)
    progress = ProgressService(db)

    def connection_of_this_thread() -> int:
        with db.read_session() as conn:
            return id(conn)

    with ThreadPoolExecutor(max_workers=4, thread_name_prefix="worker") as pool:
        views = [
            pool.submit(progress.slide_viewed, course, "pricing", f"s{i % 5 + 1}")
            for i in range(40)
        ]
        while not all(v.done() for v in views):  # the "GUI thread" reads meanwhile
            progress.course_progress(course)
        completed = [v.result() for v in views]
        worker_connections = set(pool.map(lambda _: connection_of_this_thread(), range(8)))

    assert completed.count(True) == 1
    assert len(progress.events()) == 41  # 40 views and one completion
    assert connection_of_this_thread() not in worker_connections
    db.close()
    # SQLite removes the WAL file when the last connection to the database closes.
    assert not Path(f"{path}-wal").exists()
    with pytest.raises(sqlite3.ProgrammingError, match="closed"):
        progress.events()


def test_closing_while_a_worker_writes_lets_its_unit_of_work_finish(tmp_path: Path) -> None:
    path = tmp_path / "playbook.sqlite3"
    db = Database.open(path)
    writing, release = threading.Event(), threading.Event()

    def writer() -> None:
        with db.session() as conn:
            conn.execute("INSERT INTO meta (key, value) VALUES ('late', 'kept')")
            writing.set()
            release.wait(10)

    with ThreadPoolExecutor(max_workers=1) as pool:
        done = pool.submit(writer)
        assert writing.wait(10)
        db.close()  # as the app does at shutdown, after waiting a while for its tasks
        release.set()
        done.result()

    assert not Path(f"{path}-wal").exists()
    with closing(sqlite3.connect(path)) as conn:
        assert conn.execute("SELECT value FROM meta WHERE key = 'late'").fetchone() == ("kept",)


def test_sessions_opened_inside_a_session_join_it(tmp_path: Path) -> None:
    def failing_inner_write(db: Database) -> None:
        with db.session() as inner:
            inner.execute("INSERT INTO meta (key, value) VALUES ('inner', '1')")
            raise RuntimeError("boom")

    with Database.open(tmp_path / "playbook.sqlite3") as db:
        with db.session() as outer:
            outer.execute("INSERT INTO meta (key, value) VALUES ('outer', '1')")
            with db.read_session() as inner:
                assert inner is outer
                assert inner.execute("SELECT count(*) FROM meta WHERE key = 'outer'").fetchone()
            with pytest.raises(RuntimeError, match="boom"):
                failing_inner_write(db)
        with db.read_session() as conn:
            keys = {k for (k,) in conn.execute("SELECT key FROM meta")}
            with pytest.raises(RuntimeError, match="inside a read session"), db.session():
                pass

    assert "outer" in keys
    assert "inner" not in keys  # undone alone, as its own savepoint
