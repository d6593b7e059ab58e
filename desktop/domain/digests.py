"""SHA digests without loading OpenSSL.

Importing :mod:`hashlib` loads OpenSSL's libcrypto (~3.5 MiB resident), which nothing
else in a learner's session needs (TLS for sync and the AI providers loads it when they
are used). CPython's own SHA-1 and SHA-256 (``_sha1``, ``_sha256``: what hashlib falls
back to without OpenSSL) give the same digests; hashlib's are used where they are
missing (another Python, or a build without them). Start-up paths use these; code that
runs only when a feature is used can keep using hashlib.
"""

from __future__ import annotations

import importlib
import uuid
from collections.abc import Callable
from typing import Protocol, cast


class Hash(Protocol):
    def update(self, data: bytes, /) -> None: ...

    def digest(self) -> bytes: ...

    def hexdigest(self) -> str: ...


def _constructor(module: str, name: str) -> Callable[..., Hash]:
    try:
        return cast(Callable[..., Hash], getattr(importlib.import_module(module), name))
    except (ImportError, AttributeError):  # pragma: no cover - a Python without them
        import hashlib

        return cast(Callable[..., Hash], getattr(hashlib, name))


def sha256(data: bytes = b"") -> Hash:
    """A SHA-256 hash object, as ``hashlib.sha256(data)``."""
    return _constructor("_sha256", "sha256")(data)


def uuid5(namespace: uuid.UUID, name: str) -> uuid.UUID:
    """The same UUID as :func:`uuid.uuid5` (which imports hashlib for SHA-1)."""
    digest = _constructor("_sha1", "sha1")(namespace.bytes + name.encode("utf-8")).digest()
    return uuid.UUID(bytes=digest[:16], version=5)
