"""``playbook policy export`` as a sales lead or CI runs it: a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pypdf

REPO = Path(__file__).resolve().parents[3]
ANSWERS = """\
company:
  company_name: Northwind Outfitters
  legal_name: Northwind Outfitters Ltd
  address: 1 Harbour Road, Dublin D02 X285, Ireland
  email: help@northwind.example
  website: https://northwind.example
  currency: EUR
  markets: [eu]
answers:
  return_window_days: 21
  start_return: Email us with your order number.
  withdrawal_days: {withdrawal}
effective_date: 2027-03-01
"""


def playbook(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "desktop.cli", *args],
        capture_output=True, text=True, cwd=REPO, env=dict(os.environ), timeout=120, check=False,
    )  # fmt: skip


def test_policy_export_writes_a_pdf_with_the_answers_in_it(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS.format(withdrawal=30))
    out = tmp_path / "refund.pdf"
    result = playbook(
        "policy", "export", "--type", "refund", "--answers", str(answers),
        "--jurisdiction", "eu", "--format", "pdf", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert "not legal advice" in result.stdout
    text = "\n".join(p.extract_text() for p in pypdf.PdfReader(out).pages)
    assert "21 days" in text
    assert "30 days" in text
    assert "Effective 1 March 2027" in text


def test_policy_export_refuses_an_eu_withdrawal_window_under_14_days(tmp_path: Path) -> None:
    answers = tmp_path / "answers.yaml"
    answers.write_text(ANSWERS.format(withdrawal=10))
    out = tmp_path / "refund.md"
    result = playbook(
        "policy", "export", "--type", "refund", "--answers", str(answers),
        "--jurisdiction", "eu", "--out", str(out),
    )  # fmt: skip
    assert result.returncode == 1
    assert "at least 14" in result.stderr
    assert "Directive 2011/83/EU" in result.stderr
    assert "Nothing was written" in result.stderr
    assert not out.exists()
