"""``playbook-sync`` administration commands against the test database."""

from __future__ import annotations

import io
import sys

import pytest

from sync_server.cli import main


def test_cli_creates_users_and_teams_and_manages_members(
    database_url: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("PLAYBOOK_SYNC_DATABASE_URL", database_url)
    assert main(["migrate"]) == 0
    for email in ("cli-owner@example.com", "cli-member@example.com"):
        monkeypatch.setattr(sys, "stdin", io.StringIO("a long password\n"))
        assert main(["user", "create", email, "--password-stdin"]) == 0
    capsys.readouterr()
    assert main(["team", "create", "Sales", "--owner", "cli-owner@example.com"]) == 0
    team_id = capsys.readouterr().out.strip()
    assert main(["team", "add-member", team_id, "cli-member@example.com", "--role", "editor"]) == 0
    assert main(["team", "remove-member", team_id, "cli-member@example.com"]) == 0
    assert main(["team", "remove-member", team_id, "cli-owner@example.com"]) == 1
    assert "at least one owner" in capsys.readouterr().err
    assert main(["team", "add-member", "nope", "x@example.com", "--role", "viewer"]) == 2
