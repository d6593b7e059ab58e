"""The frozen (PyInstaller) build, as IT receives it: packages, metadata, signature, and
the build's own headless self-test.

Building takes minutes, so these tests are marked ``frozen``: ``make test`` (and CI) runs
them; a developer skips them locally with ``-m 'not frozen'``."""

from __future__ import annotations

import os
import subprocess
import sys
import tarfile
import tomllib
from pathlib import Path

import pytest

from tests.packaging.conftest import ROOT, SigningKey, sign_release, verify

pytestmark = [
    pytest.mark.frozen,
    pytest.mark.skipif(
        not sys.platform.startswith("linux"),
        reason="builds the Linux packages (.deb, tar.gz); the Windows and macOS "
        "packaging scripts need those OSes",
    ),
]

VERSION = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["version"]
BUILD_TIMEOUT = 1800


@pytest.fixture(scope="module")
def dist(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("dist")
    result = subprocess.run(
        [sys.executable, str(ROOT / "packaging" / "build.py"), "--unsigned", "--out", str(out)],
        capture_output=True,
        text=True,
        timeout=BUILD_TIMEOUT,
        check=False,
    )
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    return out


@pytest.fixture(scope="module")
def unpacked(dist: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("unpacked")
    (tarball,) = dist.glob(f"playbook-{VERSION}-linux-*.tar.gz")
    with tarfile.open(tarball) as tar:
        tar.extractall(target, filter="tar")
    (folder,) = target.iterdir()
    return folder


def _run(exe: Path, *args: str, home: Path) -> subprocess.CompletedProcess[str]:
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(home),
        "QT_QPA_PLATFORM": "offscreen",
        "LANG": "C.UTF-8",
    }
    return subprocess.run(
        [str(exe), *args], capture_output=True, text=True, env=env, timeout=300, check=False
    )


@pytest.mark.timeout(BUILD_TIMEOUT + 600)
def test_the_frozen_build_passes_its_self_test(unpacked: Path, tmp_path: Path) -> None:
    # A clean environment: no virtualenv, no source tree on the path, a fresh HOME.
    result = _run(unpacked / "playbook", "self-test", home=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "self-test passed" in (result.stdout + result.stderr).lower()


@pytest.mark.timeout(BUILD_TIMEOUT + 600)
def test_version_names_the_release_and_the_commit(unpacked: Path, tmp_path: Path) -> None:
    result = _run(unpacked / "playbook", "--version", home=tmp_path)
    assert result.returncode == 0, result.stderr
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short=12", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    assert result.stdout.startswith(f"Playbook {VERSION} (commit {commit}")


@pytest.mark.timeout(BUILD_TIMEOUT + 600)
def test_the_deb_installs_a_menu_entry_icon_and_appstream_metadata(dist: Path) -> None:
    (deb,) = dist.glob(f"playbook_{VERSION}_*.deb")
    info = subprocess.run(
        ["dpkg-deb", "--field", str(deb), "Package", "Version", "Depends"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    assert "Package: playbook" in info
    assert f"Version: {VERSION}" in info
    assert "libpango-1.0-0" in info
    listing = subprocess.run(
        ["dpkg-deb", "--contents", str(deb)], capture_output=True, text=True, check=True
    ).stdout
    for path in (
        "./opt/playbook/playbook",
        "./usr/bin/playbook -> /opt/playbook/playbook",
        "./usr/share/applications/com.playbook.Playbook.desktop",
        "./usr/share/icons/hicolor/scalable/apps/com.playbook.Playbook.svg",
        "./usr/share/metainfo/com.playbook.Playbook.metainfo.xml",
        "./opt/playbook/_internal/courses/ai-marketing/course.toml",
        "./opt/playbook/_internal/resources/",
    ):
        assert path in listing, path
    assert "root/root" in listing.splitlines()[0]
    # Every dependency names a real package: installed here, or known to apt.
    depends = info.split("Depends:", 1)[1].strip()
    for name in (d.split()[0] for d in depends.split(", ")):
        known = subprocess.run(["dpkg", "-s", name], capture_output=True, check=False)
        if known.returncode != 0:
            known = subprocess.run(["apt-cache", "show", name], capture_output=True, check=False)
        assert known.returncode == 0, f"the .deb depends on {name}, which Debian does not know"


@pytest.mark.timeout(BUILD_TIMEOUT + 600)
def test_the_built_packages_verify_once_signed_and_not_after_tampering(
    dist: Path, tmp_path: Path, keys: tuple[SigningKey, SigningKey]
) -> None:
    release = tmp_path / "release"
    release.mkdir()
    for package in dist.glob("playbook*"):
        os.link(package, release / package.name)
    sign_release(release, keys[0])
    assert verify(release, keys[0].public_file).returncode == 0
    (tarball,) = release.glob("*.tar.gz")
    data = bytearray(tarball.read_bytes())
    tarball.unlink()  # break the hard link: the fixture's copy stays intact
    data[len(data) // 2] ^= 0xFF
    tarball.write_bytes(bytes(data))
    refused = verify(release, keys[0].public_file)
    assert refused.returncode == 1
    assert tarball.name in refused.stderr
