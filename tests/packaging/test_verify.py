"""``packaging/verify``: IT's check of a release before installing it."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.packaging.conftest import SigningKey, sign_release, verify


@pytest.fixture
def release(tmp_path: Path, keys: tuple[SigningKey, SigningKey]) -> Path:
    folder = tmp_path / "release"
    folder.mkdir()
    (folder / "playbook-1.0.0-linux-x86_64.tar.gz").write_bytes(os.urandom(4096))
    (folder / "playbook_1.0.0_amd64.deb").write_bytes(os.urandom(8192))
    sign_release(folder, keys[0])
    return folder


def test_a_good_release_is_verified(release: Path, keys: tuple[SigningKey, SigningKey]) -> None:
    result = verify(release, keys[0].public_file)
    assert result.returncode == 0, result.stderr
    assert "OK  playbook_1.0.0_amd64.deb" in result.stdout
    assert "Verified: 2 file(s)" in result.stdout


def test_one_changed_byte_is_refused_and_named(
    release: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    deb = release / "playbook_1.0.0_amd64.deb"
    data = bytearray(deb.read_bytes())
    data[1000] ^= 0x01
    deb.write_bytes(bytes(data))
    result = verify(release, keys[0].public_file)
    assert result.returncode == 1
    assert "REFUSED: playbook_1.0.0_amd64.deb has been changed" in result.stderr
    assert "Do not install" in result.stderr


def test_a_signature_by_another_key_is_refused(
    tmp_path: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    release_key, mallory = keys
    folder = tmp_path / "forged"
    folder.mkdir()
    (folder / "playbook_1.0.0_amd64.deb").write_bytes(b"not what IT expects")
    sign_release(folder, mallory)
    result = verify(folder, release_key.public_file)
    assert result.returncode == 1
    assert "signed by a different key" in result.stderr


def test_a_missing_signature_is_refused(release: Path, keys: tuple[SigningKey, SigningKey]) -> None:
    (release / "SHA256SUMS.asc").unlink()
    result = verify(release, keys[0].public_file)
    assert result.returncode == 1
    assert "not signed" in result.stderr


def test_checksums_changed_after_signing_are_refused(
    release: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    # An attacker swaps a package and rewrites its line in SHA256SUMS to match.
    sums = release / "SHA256SUMS"
    lines = sums.read_text().splitlines()
    lines[0] = "0" * 64 + lines[0][64:]
    sums.write_text("\n".join(lines) + "\n")
    result = verify(release, keys[0].public_file)
    assert result.returncode == 1
    assert "does not match SHA256SUMS" in result.stderr


def test_a_listed_file_that_is_missing_is_refused(
    release: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    (release / "playbook-1.0.0-linux-x86_64.tar.gz").unlink()
    result = verify(release, keys[0].public_file)
    assert result.returncode == 1
    assert "listed in SHA256SUMS but missing" in result.stderr


def test_usage_errors_are_not_confused_with_refusals(tmp_path: Path) -> None:
    result = verify(tmp_path, tmp_path / "no-such-key.asc")
    assert result.returncode == 2
    assert "does not exist" in result.stderr
