"""Passwords (Argon2), signed short-lived access tokens, opaque refresh tokens."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import secrets
import uuid
from dataclasses import dataclass

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

_hasher = PasswordHasher()
# Verifying against this keeps a login for an unknown email as slow as a wrong password.
_DUMMY_HASH = _hasher.hash("not a password anyone has")


def hash_password(password: str) -> str:
    return _hasher.hash(password)


def verify_password(password_hash: str | None, password: str) -> bool:
    try:
        return _hasher.verify(password_hash or _DUMMY_HASH, password) and bool(password_hash)
    except (VerificationError, InvalidHashError):
        return False


def new_secret() -> str:
    """An opaque, URL-safe random token (refresh tokens, invitation codes)."""
    return secrets.token_urlsafe(32)


def digest(token: str) -> str:
    """Only digests of refresh tokens and invitation codes are stored."""
    return hashlib.sha256(token.encode()).hexdigest()


@dataclass(frozen=True)
class AccessClaims:
    user_id: uuid.UUID
    device_id: uuid.UUID
    family_id: uuid.UUID
    expires_at: int


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def sign_access_token(key: bytes, claims: AccessClaims) -> str:
    payload = _b64(
        json.dumps(
            {
                "sub": str(claims.user_id),
                "dev": str(claims.device_id),
                "fam": str(claims.family_id),
                "exp": claims.expires_at,
            },
            separators=(",", ":"),
        ).encode()
    )
    mac = hmac.new(key, payload.encode(), hashlib.sha256).digest()
    return f"{payload}.{_b64(mac)}"


def read_access_token(key: bytes, token: str) -> AccessClaims | None:
    """The claims of a token this server signed, or ``None``; expiry is left to the caller."""
    payload, sep, mac = token.partition(".")
    if not sep:
        return None
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected, mac):
        return None
    try:
        raw = json.loads(_unb64(payload))
        return AccessClaims(
            uuid.UUID(raw["sub"]), uuid.UUID(raw["dev"]), uuid.UUID(raw["fam"]), int(raw["exp"])
        )
    except (ValueError, KeyError, TypeError):
        return None
