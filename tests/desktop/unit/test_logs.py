"""The log file users and IT are pointed to, with secrets masked."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest

from desktop.logs import redact, setup_logging


@pytest.fixture
def clean_root() -> Iterator[None]:
    root = logging.getLogger()
    before, level = list(root.handlers), root.level
    yield
    for handler in root.handlers[:]:
        if handler not in before:
            handler.close()
            root.removeHandler(handler)
    root.setLevel(level)


@pytest.mark.usefixtures("clean_root")
def test_errors_reach_the_log_file_with_secrets_masked(tmp_path: Path) -> None:
    path = setup_logging(tmp_path / "logs")
    assert path == tmp_path / "logs" / "playbook.log"
    logging.getLogger("desktop.sync").error(
        "push failed: Authorization: Bearer eyJhbGciOiJIUzI1NiJ9.payload.sig, "
        "api_key=sk-abc123def456ghi"
    )
    text = path.read_text(encoding="utf-8")
    assert "push failed" in text
    assert "eyJhbGci" not in text
    assert "sk-abc123" not in text
    assert "Bearer ***" in text


@pytest.mark.usefixtures("clean_root")
def test_an_unwritable_log_folder_does_not_stop_the_app(tmp_path: Path) -> None:
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    assert setup_logging(blocker / "logs") is None


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ('{"refresh_token": "r1.abcdefgh"}', '{"refresh_token": "***"}'),
        ("password=hunter2!", "password=***"),
        ("key sk-proj-1234567890abcdef", "key sk-***"),
        ("lesson opened: intro", "lesson opened: intro"),
    ],
)
def test_redact(raw: str, masked: str) -> None:
    assert redact(raw) == masked
