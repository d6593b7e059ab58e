"""IT's managed-settings file: what it locks, and what happens when it is wrong."""

from __future__ import annotations

from pathlib import Path

import pytest

from desktop.policy import (
    DEFAULT_REASON,
    MANAGED_ENV,
    ProviderPolicy,
    ProviderRule,
    load_managed,
    managed_path,
)


def _write(tmp_path: Path, text: str | bytes) -> Path:
    path = tmp_path / "managed.toml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return path


def test_no_file_locks_nothing(tmp_path: Path) -> None:
    managed = load_managed(tmp_path / "absent.toml")
    assert not managed.found
    assert not managed.any_locked
    assert managed.problems == ()
    assert managed.provider_policy().allows("openai", "https://api.openai.com/v1")


def test_every_setting_can_be_locked_with_its_reason(tmp_path: Path) -> None:
    managed = load_managed(
        _write(
            tmp_path,
            """
reason = "Set by Acme IT - it@acme.example"
[sync]
server_url = "https://playbook.acme.example/"
[ai]
providers = "local"
[privacy]
telemetry = false
update_checks = false
""",
        )
    )
    assert managed.problems == ()
    assert managed.sync_server_url is not None
    assert managed.sync_server_url.value == "https://playbook.acme.example"
    assert managed.sync_server_url.reason == "Set by Acme IT - it@acme.example"
    assert managed.ai_providers is not None
    assert managed.ai_providers.value == ProviderPolicy(ProviderRule.LOCAL)
    assert managed.telemetry is not None
    assert managed.telemetry.value is False
    assert managed.update_checks is not None
    assert managed.update_checks.value is False


def test_only_the_keys_present_are_locked(tmp_path: Path) -> None:
    managed = load_managed(_write(tmp_path, '[ai]\nproviders = "none"\n'))
    assert managed.ai_providers is not None
    assert managed.ai_providers.reason == DEFAULT_REASON
    assert managed.sync_server_url is None
    assert managed.telemetry is None


@pytest.mark.parametrize(
    ("providers", "name", "url", "allowed"),
    [
        ('"none"', "ollama", "http://127.0.0.1:11434/v1", False),
        ('"local"', "ollama", "http://127.0.0.1:11434/v1", True),
        ('"local"', "ollama", "http://localhost:11434/v1", True),
        ('"local"', "openai", "https://api.openai.com/v1", False),
        ('"local"', "gpu box", "http://10.0.0.5:8000/v1", False),
        ('["openai"]', "openai", "https://api.openai.com/v1", True),
        ('["openai"]', "azure", "https://x.openai.azure.com", False),
        ('["http://gpu.acme.internal:8000/v1"]', "vllm", "http://gpu.acme.internal:8000/v1/", True),
        ('"any"', "whatever", "https://example.com/v1", True),
    ],
)
def test_provider_rules(tmp_path: Path, providers: str, name: str, url: str, allowed: bool) -> None:
    managed = load_managed(_write(tmp_path, f"[ai]\nproviders = {providers}\n"))
    assert managed.problems == ()
    assert managed.provider_policy().allows(name, url) is allowed


@pytest.mark.parametrize(
    "text",
    [
        "[sync\nserver_url = 'x'",  # broken TOML
        b"\xff\xfe[sync]\n",  # not UTF-8
        "x" * 70_000,  # far too big
    ],
)
def test_an_unreadable_file_locks_everything_to_the_safest_value(
    tmp_path: Path, text: str | bytes
) -> None:
    managed = load_managed(_write(tmp_path, text))
    assert len(managed.problems) == 1
    assert str(tmp_path / "managed.toml") in managed.problems[0]
    assert managed.sync_server_url is not None
    assert managed.sync_server_url.value == ""
    assert managed.provider_policy().rule is ProviderRule.NONE
    assert managed.telemetry is not None
    assert managed.telemetry.value is False
    assert managed.update_checks is not None
    assert managed.update_checks.value is False
    assert "could not be read" in managed.sync_server_url.reason


def test_a_path_that_cannot_be_read_as_a_file_locks_everything(tmp_path: Path) -> None:
    path = tmp_path / "managed.toml"
    path.mkdir()  # e.g. a deployment tool created a folder by mistake
    managed = load_managed(path)
    assert "cannot be read" in managed.problems[0]
    assert managed.provider_policy().rule is ProviderRule.NONE


def test_a_bad_value_locks_that_setting_off_and_keeps_the_others(tmp_path: Path) -> None:
    managed = load_managed(
        _write(
            tmp_path,
            """
[sync]
server_url = "ftp://files.acme.example"
[ai]
providers = "some"
[privacy]
telemetry = "no"
update_checks = false
""",
        )
    )
    assert len(managed.problems) == 3
    assert managed.sync_server_url is not None
    assert managed.sync_server_url.value == ""
    assert managed.provider_policy().rule is ProviderRule.NONE
    assert managed.telemetry is not None
    assert managed.telemetry.value is False
    assert managed.update_checks is not None
    assert managed.update_checks.reason == DEFAULT_REASON


def test_unknown_keys_are_reported(tmp_path: Path) -> None:
    managed = load_managed(_write(tmp_path, "[sync]\nserver = 'https://x'\n[telemetry]\n"))
    assert any("sync.server" in p for p in managed.problems)
    assert any("'telemetry'" in p for p in managed.problems)


def test_a_section_that_is_not_a_table_is_locked_off(tmp_path: Path) -> None:
    managed = load_managed(_write(tmp_path, 'sync = "https://x"\nai = "any"\n'))
    assert managed.sync_server_url is not None
    assert managed.sync_server_url.value == ""
    assert managed.provider_policy().rule is ProviderRule.NONE


def test_the_path_can_be_overridden(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv(MANAGED_ENV, str(tmp_path / "m.toml"))
    assert managed_path() == tmp_path / "m.toml"
    monkeypatch.delenv(MANAGED_ENV)
    assert managed_path() == Path("/etc/playbook/managed.toml")


def test_the_example_file_given_to_it_is_valid() -> None:
    example = Path(__file__).resolve().parents[3] / "packaging" / "managed.example.toml"
    managed = load_managed(example)
    assert managed.problems == ()
    assert managed.sync_server_url is not None
    assert managed.provider_policy().rule is ProviderRule.LOCAL
    assert managed.telemetry is not None
    assert managed.update_checks is not None
