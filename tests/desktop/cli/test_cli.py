"""The ``playbook`` command as IT, CI and course authors run it: a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[3]


def playbook(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env or dict(os.environ),
        timeout=120,
        check=False,
    )


def test_version_names_the_app_and_its_version():
    result = playbook("--version")
    assert result.returncode == 0
    assert result.stdout.startswith("Playbook ")
    assert result.stdout.split()[1][0].isdigit()


def test_validate_accepts_every_bundled_course():
    courses = sorted(p for p in (REPO / "courses").iterdir() if (p / "course.toml").exists())
    assert len(courses) >= 3
    result = playbook("course", "validate", *map(str, courses))
    assert result.returncode == 0, result.stderr
    assert f"OK: {len(courses)} path(s) valid" in result.stdout


def test_validate_reports_every_problem_with_file_and_line(tmp_path: Path):
    course = tmp_path / "broken"
    (course / "lessons").mkdir(parents=True)
    (course / "course.toml").write_text(
        'id = "broken"\nversion = "1.0.0"\ntitle = "Broken"\n\n'
        '[[modules]]\nid = "m"\ntitle = "M"\nlessons = ["one", "missing"]\n',
        encoding="utf-8",
    )
    (course / "lessons" / "one.md").write_text(
        "---\nid: one\ntitle: One\n---\n\n# Hello\n\n```quiz\nid: q\ntype: essay\n"
        "question: Why?\n```\n",
        encoding="utf-8",
    )
    result = playbook("course", "validate", str(course))
    assert result.returncode == 1
    lines = result.stderr.splitlines()
    assert any("course.toml:" in line and "missing" in line for line in lines), lines
    assert any("lessons/one.md:" in line and "essay" in line for line in lines), lines
    assert "2 errors" in result.stderr


def test_validate_names_a_path_that_does_not_exist(tmp_path: Path):
    result = playbook("course", "validate", str(tmp_path / "nope"))
    assert result.returncode == 1
    assert "no such file or folder" in result.stderr


@pytest.mark.skipif(sys.platform != "linux", reason="only Linux desktops can lack a display")
def test_without_a_display_the_app_says_how_to_check_the_install(tmp_path: Path):
    env = {k: v for k, v in os.environ.items() if k not in ("DISPLAY", "WAYLAND_DISPLAY")}
    env.pop("QT_QPA_PLATFORM", None)
    result = playbook("--data-dir", str(tmp_path), env=env)
    assert result.returncode == 2
    assert "needs a display" in result.stderr
    assert "playbook self-test" in result.stderr
    assert not (tmp_path / "playbook.sqlite3").exists()


def test_self_test_passes_on_a_good_install_and_leaves_its_data_dir(tmp_path: Path):
    result = playbook("self-test", "--data-dir", str(tmp_path))
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in result.stdout
    assert "answered quiz" in result.stdout
    assert (tmp_path / "playbook.sqlite3").exists()


def test_self_test_fails_with_the_reason_when_the_data_is_unusable(tmp_path: Path):
    (tmp_path / "playbook.sqlite3").write_bytes(b"this is not a database" * 100)
    result = playbook("self-test", "--data-dir", str(tmp_path))
    assert result.returncode == 1
    assert "self-test FAILED: opening the database" in result.stderr
    # The unusable file is left exactly as it was.
    assert (tmp_path / "playbook.sqlite3").read_bytes() == b"this is not a database" * 100


def _admin_env(managed: Path) -> dict[str, str]:
    return dict(os.environ, PLAYBOOK_MANAGED_SETTINGS=str(managed))


def test_admin_settings_shows_each_value_and_its_source(tmp_path: Path):
    data = tmp_path / "data"
    data.mkdir()
    (data / "settings.toml").write_text("lesson_font_pt = 18\n", encoding="utf-8")
    managed = tmp_path / "managed.toml"
    managed.write_text(
        'reason = "Acme IT policy 7"\n[sync]\nserver_url = "https://pb.acme.example"\n'
        '[ai]\nproviders = "local"\n',
        encoding="utf-8",
    )
    result = playbook("--data-dir", str(data), "admin", "settings", env=_admin_env(managed))
    assert result.returncode == 0, result.stderr
    lines = {
        line.split("  ")[1].strip(): line for line in result.stdout.splitlines() if "  " in line
    }
    assert "18 pt" in lines["Lesson font size"]
    assert "user settings" in lines["Lesson font size"]
    sync = lines["Sync server"]
    assert "https://pb.acme.example" in sync
    assert "managed (locked) — Acme IT policy 7" in sync
    assert "local servers on this machine only" in lines["AI providers allowed"]
    assert "Playbook sends no usage data" in lines["Usage data (telemetry)"]
    assert str(managed) in result.stdout


def test_admin_settings_reports_a_broken_managed_file_and_fails(tmp_path: Path):
    managed = tmp_path / "managed.toml"
    managed.write_text("[ai\nproviders = 'any'\n", encoding="utf-8")
    result = playbook(
        "--data-dir", str(tmp_path / "data"), "admin", "settings", env=_admin_env(managed)
    )
    assert result.returncode == 1
    assert "is not valid TOML" in result.stdout
    ai = next(line for line in result.stdout.splitlines() if "AI providers allowed" in line)
    assert "none (template mode only)" in ai
    assert "managed (locked)" in ai
    assert "could not be read" in ai


def test_admin_settings_shows_the_server_the_user_signed_in_to(tmp_path: Path):
    from desktop.storage.database import Database
    from desktop.storage.sync import set_state

    data = tmp_path / "data"
    db = Database.open(data / "playbook.sqlite3")
    with db.session() as conn:
        set_state(conn, "server_url", "https://sync.example.org")
    db.close()
    result = playbook(
        "--data-dir", str(data), "admin", "settings", env=_admin_env(tmp_path / "none.toml")
    )
    assert result.returncode == 0, result.stderr
    sync = next(line for line in result.stdout.splitlines() if "Sync server" in line)
    assert "https://sync.example.org" in sync
    assert "user settings" in sync
