"""``playbook generate`` as a script runs it: a real subprocess, offline and against a
fake OpenAI-compatible server configured in the data folder."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from desktop.integrations.providers.base import ProviderConfig
from desktop.integrations.providers.keys import ApiKeys
from desktop.integrations.secrets import MemorySecrets
from desktop.paths import database_path
from desktop.services.content import ContentService
from desktop.storage.database import Database
from tests.desktop.fakes.openai_server import FakeOpenAI, Reply

REPO = Path(__file__).resolve().parents[3]

BRIEF = """\
product: Acme Analytics
audience: small online shops
offer: 30-day free trial
key_facts:
  - Set up in 5 minutes
  - Works with Shopify
claims:
  - text: Rated 4.8 on G2
    evidence: G2 reviews, May 2026
variants: 2
"""


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


def test_generate_offline_prints_variants_with_quality_reports(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text(BRIEF, encoding="utf-8")
    data = str(tmp_path / "data")
    result = playbook(
        "--data-dir",
        data,
        "generate",
        "--type",
        "google-rsa",
        "--brief",
        str(brief),
        "--variants",
        "3",
    )
    assert result.returncode == 0, result.stderr
    assert "Variant 3 — Template draft · FAB" in result.stdout
    assert "Headline 1:" in result.stdout
    assert "/30]" in result.stdout
    assert result.stdout.count("Quality: All checks passed") == 3

    as_json = playbook(
        "--data-dir", data, "generate", "--type", "sms", "--brief", str(brief), "--json"
    )
    assert as_json.returncode == 0, as_json.stderr
    out = json.loads(as_json.stdout)
    assert out["content_type"] == "sms"
    assert out["provider"] == "offline"
    assert len(out["variants"]) == 2
    assert out["variants"][0]["quality"]["ok"] is True
    assert out["variants"][0]["label"].startswith("Template draft")


def test_generate_with_a_configured_provider(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text(BRIEF, encoding="utf-8")
    data = tmp_path / "data"
    with FakeOpenAI() as server:
        db = Database.open(database_path(data))
        ContentService(db, REPO / "resources", ApiKeys(MemorySecrets())).save_provider(
            ProviderConfig("Local", server.base_url, "fake-model", "llamacpp", needs_key=False)
        )
        db.close()
        server.queue(
            Reply(
                json.dumps(
                    {
                        "variants": [
                            {
                                "headlines": ["BEST DEAL EVER!", "b c", "d e"],
                                "descriptions": ["x", "y"],
                                "path1": "",
                                "path2": "",
                            },
                            {
                                "headlines": ["Fine one", "Fine two", "Fine three"],
                                "descriptions": ["x", "y"],
                                "path1": "",
                                "path2": "",
                            },
                        ]
                    }
                )
            )
        )
        result = playbook(
            "--data-dir",
            str(data),
            "generate",
            "--type",
            "google-rsa",
            "--brief",
            str(brief),
            "--provider",
            "Local",
            "--json",
        )
    assert result.returncode == 3, result.stderr  # a variant has errors to fix
    out = json.loads(result.stdout)
    assert out["provider"] == "Local"
    codes = {f["code"] for f in out["variants"][0]["quality"]["findings"]}
    assert "google-exclamation-headline" in codes
    assert out["variants"][1]["quality"]["ok"] is True


def test_generate_explains_bad_input(tmp_path: Path) -> None:
    brief = tmp_path / "brief.yaml"
    brief.write_text("audience: nobody\n", encoding="utf-8")
    result = playbook(
        "--data-dir", str(tmp_path / "d"), "generate", "--type", "google-rsa", "--brief", str(brief)
    )
    assert result.returncode == 2
    assert "Product field is empty" in result.stderr
    unknown = playbook(
        "--data-dir", str(tmp_path / "d"), "generate", "--type", "fax", "--brief", str(brief)
    )
    assert unknown.returncode == 2
    assert "unknown content type 'fax'" in unknown.stderr
    assert "google-rsa" in unknown.stderr
    down = playbook(
        "--data-dir",
        str(tmp_path / "d"),
        "generate",
        "--type",
        "google-rsa",
        "--brief",
        str(tmp_path / "missing.yaml"),
    )
    assert down.returncode == 2
    assert "cannot read the brief" in down.stderr
