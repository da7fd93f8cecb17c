"""One-time codes that prove a citizen holds a phone (or an email address): sent through the
hall's own channels, typed back, checked once.

A code is six digits, lives ``TTL`` and is stored only as a salted hash. ``MAX_WRONG`` wrong
answers kill it; a right one spends it, so a replayed answer proves nothing. Whoever asks for codes
is limited per address (a stranger cannot flood a phone) and per client (nor pump SMS to many).
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import hmac
from dataclasses import dataclass
from enum import StrEnum

DIGITS = 6
TTL = dt.timedelta(minutes=10)
MAX_WRONG = 3
EVENT = "citizen.phone_code"
PURPOSES = ("booking",)
# Codes per address in ADDRESS_WINDOW and per client in CLIENT_WINDOW.
PER_ADDRESS = 3
ADDRESS_WINDOW = dt.timedelta(minutes=15)
PER_CLIENT = 10
CLIENT_WINDOW = dt.timedelta(hours=1)
# Rows are kept this long after they were made: the limits' windows look back that far.
KEEP = dt.timedelta(hours=2)


class CodeState(StrEnum):
    LIVE = "live"
    USED = "used"  # answered right once: never again
    DEAD = "dead"  # too many wrong answers


@dataclass(frozen=True)
class PhoneCode:
    id: str
    purpose: str
    address: str  # normalised: E.164 phone or lower-case email (needed to send; purged with the row)
    client: str
    salt: str
    digest: str
    wrong: int
    state: CodeState
    created_at: dt.datetime
    expires_at: dt.datetime


def new_code(random_bytes: bytes) -> str:
    """Six digits from the caller's randomness (``secrets.token_bytes(8)``)."""
    return f"{int.from_bytes(random_bytes, 'big') % 10**DIGITS:0{DIGITS}d}"


def digest(salt: str, code: str) -> str:
    # A salted hash keeps a live code out of sight of whoever reads the table or its backups; the
    # code's few minutes of life and three tries, not the hash, are what stop guessing.
    return hashlib.sha256(f"{salt}:{code}".encode()).hexdigest()


def issued(
    *, code_id: str, purpose: str, address: str, client: str, salt: str, code: str, now: dt.datetime
) -> PhoneCode:
    return PhoneCode(
        id=code_id,
        purpose=purpose,
        address=address,
        client=client,
        salt=salt,
        digest=digest(salt, code),
        wrong=0,
        state=CodeState.LIVE,
        created_at=now,
        expires_at=now + TTL,
    )


def usable(code: PhoneCode, now: dt.datetime) -> bool:
    return code.state == CodeState.LIVE and now < code.expires_at


@dataclass(frozen=True)
class Answer:
    matched: bool
    tries_left: int  # 0: the code is spent, dead or expired; ask for a new one
    code: PhoneCode  # as it is after the answer


def answer(code: PhoneCode, given: str, purpose: str, address: str, now: dt.datetime) -> Answer:
    """Check an answer. A right code for another purpose or address counts as wrong: a code sent
    to one phone proves nothing about another."""
    if not usable(code, now):
        return Answer(False, 0, code)
    right = (
        hmac.compare_digest(code.digest, digest(code.salt, given.strip()))
        and code.purpose == purpose
        and code.address == address
    )
    if right:
        return Answer(True, 0, dataclasses.replace(code, state=CodeState.USED))
    wrong = code.wrong + 1
    state = CodeState.DEAD if wrong >= MAX_WRONG else CodeState.LIVE
    return Answer(False, MAX_WRONG - wrong, dataclasses.replace(code, wrong=wrong, state=state))


def too_many(sent_to_address: int, sent_for_client: int) -> str:
    """ "" when another code may be sent; else which limit stops it: ``address`` or ``client``."""
    if sent_to_address >= PER_ADDRESS:
        return "address"
    if sent_for_client >= PER_CLIENT:
        return "client"
    return ""


def text(code: str, language: str) -> str:
    minutes = int(TTL.total_seconds() // 60)
    if language == "en":
        return f"Your Antre code: {code}. Valid for {minutes} minutes. Never share it with anyone."
    return f"Kode Antre Anda: {code}. Berlaku {minutes} menit. Jangan berikan kepada siapa pun."


def masked(address: str) -> str:
    """What a demo page shows of the address: enough to tell one's own message."""
    if "@" in address:
        local, _, domain = address.partition("@")
        return f"{local[:1]}***@{domain}"
    return "*" * max(len(address) - 4, 0) + address[-4:]
