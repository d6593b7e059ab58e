"""desktop.domain.digests: the same digests and ids as hashlib and uuid, without OpenSSL."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import uuid

from desktop.domain.digests import sha256, uuid5
from desktop.services.annotations import ANNOTATION_NAMESPACE, annotation_id

NAMES = ["", "bookmark\x1fcourse\x1flesson-1\x1fslide-2", "ünïcödé ✓ 漢字", "x" * 10_000]


def test_uuid5_gives_the_ids_bookmarks_and_notes_always_had() -> None:
    for name in NAMES:
        assert uuid5(ANNOTATION_NAMESPACE, name) == uuid.uuid5(ANNOTATION_NAMESPACE, name)
    expected = uuid.uuid5(ANNOTATION_NAMESPACE, "note\x1fc\x1fl\x1fs")
    assert annotation_id("note", "c", "l", "s") == expected


def test_sha256_matches_hashlib_fed_in_pieces() -> None:
    for name in NAMES:
        h = sha256()
        data = name.encode("utf-8")
        h.update(data[:3])
        h.update(data[3:])
        assert h.hexdigest() == hashlib.sha256(data).hexdigest()
        assert sha256(data).digest() == hashlib.sha256(data).digest()


def test_neither_loads_openssl() -> None:
    code = (
        "import sys\n"
        "from desktop.domain.digests import sha256, uuid5\n"
        "import uuid\n"
        "sha256(b'x').hexdigest(); uuid5(uuid.NAMESPACE_URL, 'x')\n"
        "print(sorted({'hashlib', '_hashlib', '_ssl'} & set(sys.modules)))\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert done.stdout.strip() == "[]"
