"""Fixtures for the release tooling: throw-away gpg keys and the packaging scripts."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

import pytest

ROOT = Path(__file__).resolve().parents[2]
VERIFY = ROOT / "packaging" / "verify"


def load_build_module() -> ModuleType:
    """``packaging/build.py`` (a script, not a package: ``packaging`` is a PyPI name)."""
    spec = importlib.util.spec_from_file_location("playbook_build", ROOT / "packaging" / "build.py")
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@dataclass(frozen=True)
class SigningKey:
    home: Path  # GNUPGHOME holding the secret key
    fingerprint: str
    public_file: Path  # what IT is given


def _make_key(base: Path, name: str) -> SigningKey:
    home = base / f"gnupg-{name}"
    home.mkdir(mode=0o700)
    env = dict(os.environ, GNUPGHOME=str(home))
    subprocess.run(
        [
            "gpg",
            "--batch",
            "--quiet",
            "--passphrase",
            "",
            "--quick-gen-key",
            f"{name} <{name}@example.com>",
            "ed25519",
            "sign",
            "never",
        ],
        check=True,
        env=env,
        capture_output=True,
    )
    listing = subprocess.run(
        ["gpg", "--batch", "--with-colons", "--list-secret-keys"],
        check=True,
        env=env,
        capture_output=True,
        text=True,
    ).stdout
    fingerprint = next(
        line.split(":")[9] for line in listing.splitlines() if line.startswith("fpr")
    )
    public = base / f"{name}.asc"
    subprocess.run(
        ["gpg", "--batch", "--armor", "--output", str(public), "--export", fingerprint],
        check=True,
        env=env,
        capture_output=True,
    )
    return SigningKey(home, fingerprint, public)


@pytest.fixture(scope="session")
def keys(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[SigningKey, SigningKey]]:
    """The release key, and another key that is not Playbook's."""
    base = tmp_path_factory.mktemp("keys")
    release, other = _make_key(base, "Playbook Release Test"), _make_key(base, "Mallory")
    yield release, other
    for key in (release, other):
        subprocess.run(
            ["gpgconf", "--kill", "all"], env=dict(os.environ, GNUPGHOME=str(key.home)), check=False
        )


def sign_release(folder: Path, key: SigningKey) -> None:
    """What ``make dist`` does after packaging: checksums, then the detached signature."""
    build = load_build_module()
    packages = sorted(p for p in folder.iterdir() if p.name not in {"SHA256SUMS", "SHA256SUMS.asc"})
    sums = build.write_checksums(folder, packages)
    old = os.environ.get("GNUPGHOME")
    os.environ["GNUPGHOME"] = str(key.home)
    try:
        build.sign(sums, key.fingerprint)
    finally:
        if old is None:
            del os.environ["GNUPGHOME"]
        else:
            os.environ["GNUPGHOME"] = old


def verify(folder: Path, key_file: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(VERIFY), "--key", str(key_file), str(folder)],
        capture_output=True,
        text=True,
        check=False,
    )
