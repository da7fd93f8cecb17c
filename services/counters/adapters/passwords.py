"""Officer passwords: scrypt (memory-hard, in the standard library) with a random salt per
password; session tokens are stored only as their SHA-256.

A hash carries its own cost (``scrypt$N$r$p$salt$digest``), so hashes made at an older, lower cost
still verify; a sign-in that proves the password replaces such a hash with one at today's cost."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
import threading

# OWASP's password storage guidance for scrypt: N=2^17, r=8, p=1 (128 MiB and a few tenths of a
# second a hash, on purpose). Tests that make many accounts lower COST; a service never does.
COST = 17  # log2 of N for new hashes
_R, _P = 8, 1
# Each hash holds 128 MiB while it runs. Sign-ins run in a thread pool, so a morning's burst of
# officers would hold that many times over: two at a time keep the counters' pod (512 Mi) safe,
# and the rest wait a few tenths of a second for their turn.
_AT_ONCE = threading.BoundedSemaphore(2)


def hash_password(password: str) -> str:
    n = 2**COST
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, n, _R, _P, 32)
    return f"scrypt${n}${_R}${_P}${base64.b64encode(salt).decode()}${base64.b64encode(digest).decode()}"


def verify_password(password: str, stored: str) -> bool:
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    expected = base64.b64decode(digest)
    actual = _scrypt(password, base64.b64decode(salt), int(n), int(r), int(p), len(expected))
    return hmac.compare_digest(actual, expected)


def needs_rehash(stored: str) -> bool:
    """Whether a hash is weaker than a new one would be (or not one of ours at all)."""
    try:
        scheme, n, r, p, _salt, _digest = stored.split("$")
        return scheme != "scrypt" or int(n) < 2**COST or int(r) < _R or int(p) < _P
    except ValueError:
        return True


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int, dklen: int) -> bytes:
    # OpenSSL refuses more than 32 MiB unless told; N=2^17 with r=8 needs 128 MiB and a little more.
    maxmem = 128 * r * (n + p + 2) + 2**20
    with _AT_ONCE:
        return hashlib.scrypt(password.encode(), salt=salt, n=n, r=r, p=p, dklen=dklen, maxmem=maxmem)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()
