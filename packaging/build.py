"""Build Playbook for the current OS: ``make dist`` runs this.

    python packaging/build.py [--out dist] [--unsigned]

1. Reads the version from ``pyproject.toml`` (the one place it is written) and the
   commit from git, and records both in ``build-info.json`` inside the build.
2. Runs PyInstaller with ``packaging/playbook.spec`` (one-folder build).
3. Packages it for the OS. Linux: ``playbook-<v>-linux-<arch>.tar.gz`` and
   ``playbook_<v>_<arch>.deb`` (with a .desktop entry, icon and AppStream metadata).
   macOS and Windows: hands over to ``packaging/macos/package.sh`` and
   ``packaging/windows/package.ps1`` (which sign, notarise, and build the installers).
4. Writes ``SHA256SUMS`` over the packages and signs it with gpg (a detached, ASCII-armoured
   ``SHA256SUMS.asc``), using the key named by ``PLAYBOOK_SIGNING_KEY`` (a key id or
   fingerprint in the builder's keyring; ``GNUPGHOME`` picks another keyring).
   ``--unsigned`` skips only this step, for a developer's local build.

``packaging/verify`` checks the result.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import platform
import shutil
import subprocess
import sys
import tarfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGING = ROOT / "packaging"
APP_ID = "com.playbook.Playbook"
SIGNING_KEY_VAR = "PLAYBOOK_SIGNING_KEY"

# Shared libraries the frozen build needs from the system on Debian/Ubuntu: what Qt's xcb
# platform plugin links (objdump -p libQt6XcbQpa.so.6), OpenGL/EGL and fonts, and
# WeasyPrint's Pango.
DEB_DEPENDS = (
    "libc6 (>= 2.31), libegl1, libgl1, libglib2.0-0, libfontconfig1, libfreetype6, "
    "libx11-xcb1, libxkbcommon0, libxkbcommon-x11-0, libxcb-cursor0, libxcb-icccm4, "
    "libxcb-image0, libxcb-keysyms1, libxcb-randr0, libxcb-render0, libxcb-render-util0, "
    "libxcb-shape0, libxcb-shm0, libxcb-sync1, libxcb-util1, libxcb-xfixes0, libxcb-xkb1, "
    "libdbus-1-3, libpango-1.0-0, libpangoft2-1.0-0, libharfbuzz0b"
)


class BuildError(Exception):
    pass


def project_version() -> str:
    data = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    return str(data["project"]["version"])


def git_commit() -> str:
    try:
        return subprocess.run(
            ["git", "-C", str(ROOT), "describe", "--always", "--dirty", "--abbrev=12"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def source_date_epoch() -> int:
    """Timestamps inside the packages: the commit's time, so rebuilding the same commit
    gives the same archive listing (``SOURCE_DATE_EPOCH`` overrides)."""
    if "SOURCE_DATE_EPOCH" in os.environ:
        return int(os.environ["SOURCE_DATE_EPOCH"])
    try:
        out = subprocess.run(
            ["git", "-C", str(ROOT), "log", "-1", "--format=%ct"],
            capture_output=True,
            text=True,
            check=True,
        ).stdout.strip()
        return int(out)
    except (OSError, subprocess.CalledProcessError, ValueError):
        return int(time.time())


def deb_arch() -> str:
    machine = platform.machine().lower()
    return {"x86_64": "amd64", "aarch64": "arm64", "arm64": "arm64"}.get(machine, machine)


def run_pyinstaller(work: Path, build_info: Path) -> Path:
    env = dict(os.environ, PLAYBOOK_BUILD_INFO=str(build_info))
    subprocess.run(
        [
            sys.executable,
            "-m",
            "PyInstaller",
            str(PACKAGING / "playbook.spec"),
            "--noconfirm",
            "--clean",
            "--log-level=WARN",
            "--distpath",
            str(work / "dist"),
            "--workpath",
            str(work / "work"),
        ],
        check=True,
        env=env,
        cwd=ROOT,
    )
    bundle = work / "dist" / "playbook"
    if not (bundle / "playbook").exists() and not (bundle / "playbook.exe").exists():
        raise BuildError(f"PyInstaller finished but {bundle} has no playbook executable")
    return bundle


def _reset(info: tarfile.TarInfo, mtime: int) -> tarfile.TarInfo:
    info.uid = info.gid = 0
    info.uname = info.gname = "root"
    info.mtime = mtime
    return info


def make_tarball(bundle: Path, out: Path, version: str, mtime: int) -> Path:
    name = f"playbook-{version}-linux-{platform.machine().lower()}"
    target = out / f"{name}.tar.gz"
    with tarfile.open(target, "w:gz") as tar:
        for path in sorted(bundle.rglob("*")):
            arcname = f"{name}/{path.relative_to(bundle).as_posix()}"
            info = tar.gettarinfo(str(path), arcname)
            _reset(info, mtime)
            if path.is_file() and not path.is_symlink():
                with path.open("rb") as fh:
                    tar.addfile(info, fh)
            else:
                tar.addfile(info)
    return target


def make_deb(bundle: Path, out: Path, work: Path, version: str, mtime: int) -> Path:
    arch = deb_arch()
    stage = work / "deb"
    if stage.exists():
        shutil.rmtree(stage)
    opt = stage / "opt" / "playbook"
    shutil.copytree(bundle, opt, symlinks=True)
    (stage / "usr" / "bin").mkdir(parents=True)
    (stage / "usr" / "bin" / "playbook").symlink_to("/opt/playbook/playbook")
    apps = stage / "usr" / "share" / "applications"
    apps.mkdir(parents=True)
    shutil.copy(PACKAGING / "linux" / f"{APP_ID}.desktop", apps)
    icons = stage / "usr" / "share" / "icons" / "hicolor" / "scalable" / "apps"
    icons.mkdir(parents=True)
    shutil.copy(PACKAGING / "icons" / "playbook.svg", icons / f"{APP_ID}.svg")
    meta = stage / "usr" / "share" / "metainfo"
    meta.mkdir(parents=True)
    metainfo = (PACKAGING / "linux" / f"{APP_ID}.metainfo.xml").read_text(encoding="utf-8")
    date = time.strftime("%Y-%m-%d", time.gmtime(mtime))
    metainfo = metainfo.replace("@VERSION@", version).replace("@DATE@", date)
    (meta / f"{APP_ID}.metainfo.xml").write_text(metainfo, encoding="utf-8")

    installed_kib = sum(p.stat().st_size for p in stage.rglob("*") if p.is_file()) // 1024
    debian = stage / "DEBIAN"
    debian.mkdir()
    control = (PACKAGING / "linux" / "control").read_text(encoding="utf-8")
    control = (
        control.replace("@VERSION@", version)
        .replace("@ARCH@", arch)
        .replace("@DEPENDS@", DEB_DEPENDS)
        .replace("@SIZE@", str(installed_kib))
    )
    (debian / "control").write_text(control, encoding="utf-8")
    for script in ("postinst", "postrm"):
        shutil.copy(PACKAGING / "linux" / script, debian / script)
        (debian / script).chmod(0o755)
    for path in stage.rglob("*"):
        if not path.is_symlink():
            os.utime(path, (mtime, mtime))
    target = out / f"playbook_{version}_{arch}.deb"
    env = dict(os.environ, SOURCE_DATE_EPOCH=str(mtime))
    subprocess.run(
        ["dpkg-deb", "--root-owner-group", "-Zgzip", "--build", str(stage), str(target)],
        check=True,
        env=env,
        stdout=subprocess.DEVNULL,
    )
    return target


def write_checksums(out: Path, files: list[Path]) -> Path:
    lines = []
    for f in sorted(files, key=lambda p: p.name):
        digest = hashlib.sha256()
        with f.open("rb") as fh:
            for block in iter(lambda: fh.read(1 << 20), b""):
                digest.update(block)
        lines.append(f"{digest.hexdigest()}  {f.name}\n")
    sums = out / "SHA256SUMS"
    sums.write_text("".join(lines), encoding="utf-8")
    return sums


def sign(sums: Path, key: str) -> Path:
    signature = sums.with_name("SHA256SUMS.asc")
    result = subprocess.run(
        [
            "gpg",
            "--batch",
            "--yes",
            "--local-user",
            key,
            "--armor",
            "--detach-sign",
            "--output",
            str(signature),
            str(sums),
        ],
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BuildError(
            f"gpg could not sign with the key {key!r} ({SIGNING_KEY_VAR}):\n"
            f"{result.stderr.strip()}\nCheck that the secret key is in the keyring "
            "(gpg --list-secret-keys) and that GNUPGHOME points at it."
        )
    return signature


def build(out: Path, unsigned: bool) -> list[Path]:
    key = os.environ.get(SIGNING_KEY_VAR, "").strip()
    if not unsigned and not key:
        raise BuildError(
            f"Set {SIGNING_KEY_VAR} to the id or fingerprint of the release signing key "
            "(gpg --list-secret-keys), or pass --unsigned for a local build that IT "
            "cannot verify."
        )
    if not unsigned and shutil.which("gpg") is None:
        raise BuildError("gpg is not installed: install GnuPG (Debian: apt-get install gnupg).")
    version = project_version()
    mtime = source_date_epoch()
    work = ROOT / "build" / "dist-work"
    work.mkdir(parents=True, exist_ok=True)
    out.mkdir(parents=True, exist_ok=True)
    build_info = work / "build-info.json"
    build_info.write_text(
        json.dumps({"version": version, "commit": git_commit(), "built_at": mtime}),
        encoding="utf-8",
    )
    print(f"Building Playbook {version} for {sys.platform} …", flush=True)
    bundle = run_pyinstaller(work, build_info)

    if sys.platform.startswith("linux"):
        if shutil.which("dpkg-deb") is None:
            raise BuildError("dpkg-deb is needed to build the .deb (Debian: package dpkg).")
        packages = [make_tarball(bundle, out, version, mtime)]
        packages.append(make_deb(bundle, out, work, version, mtime))
    elif sys.platform == "darwin":
        subprocess.run(
            [str(PACKAGING / "macos" / "package.sh"), version, str(bundle.parent), str(out)],
            check=True,
        )
        packages = sorted(out.glob(f"Playbook-{version}*"))
    elif sys.platform == "win32":
        subprocess.run(
            [
                "powershell",
                "-NoProfile",
                "-ExecutionPolicy",
                "Bypass",
                "-File",
                str(PACKAGING / "windows" / "package.ps1"),
                "-Version",
                version,
                "-Bundle",
                str(bundle),
                "-Out",
                str(out),
            ],
            check=True,
        )
        packages = sorted(out.glob(f"Playbook-{version}*"))
    else:
        raise BuildError(f"No packaging for {sys.platform}")

    sums = write_checksums(out, packages)
    made = [*packages, sums]
    if not unsigned:
        made.append(sign(sums, key))
    return made


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=ROOT / "dist")
    parser.add_argument("--unsigned", action="store_true", help="skip the gpg signature")
    args = parser.parse_args()
    try:
        made = build(args.out.resolve(), args.unsigned)
    except BuildError as exc:
        print(f"make dist: {exc}", file=sys.stderr)
        return 2
    except subprocess.CalledProcessError as exc:
        print(f"make dist: {exc.cmd[0]} failed (exit {exc.returncode}).", file=sys.stderr)
        return 1
    for path in made:
        print(f"  {path.relative_to(ROOT) if path.is_relative_to(ROOT) else path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
