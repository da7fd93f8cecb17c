"""Officer password hashes: made at OWASP's scrypt cost, older cheaper ones still verify and are
known as weaker."""

from __future__ import annotations

import threading
import time
from concurrent.futures import ThreadPoolExecutor

import pytest

from services.counters.adapters import passwords


def test_a_new_hash_has_the_full_cost(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.undo()  # the suite's cheap cost off: the module's own
    made = passwords.hash_password("rahasia-siti")
    assert made.split("$")[1:4] == [str(2**17), "8", "1"]
    assert passwords.verify_password("rahasia-siti", made)
    assert not passwords.verify_password("rahasia-lain", made)
    assert not passwords.needs_rehash(made)


def test_an_older_cheaper_hash_verifies_and_is_weaker(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "COST", 14)  # the cost hashes were made at before
    old = passwords.hash_password("rahasia-siti")
    monkeypatch.setattr(passwords, "COST", 17)
    assert old.startswith(f"scrypt${2**14}$")
    assert passwords.verify_password("rahasia-siti", old)
    assert passwords.needs_rehash(old)
    assert passwords.needs_rehash("bcrypt$whatever")


def test_no_more_than_two_hashes_hold_their_memory_at_once(monkeypatch: pytest.MonkeyPatch) -> None:
    """A burst of sign-ins in the thread pool: each hash holds 128 MiB, so they take turns."""
    running, most = 0, 0
    lock = threading.Lock()

    def slow_scrypt(*args: object, **kwargs: object) -> bytes:
        nonlocal running, most
        with lock:
            running += 1
            most = max(most, running)
        time.sleep(0.05)
        with lock:
            running -= 1
        return b"x" * 32

    monkeypatch.setattr(passwords.hashlib, "scrypt", slow_scrypt)
    with ThreadPoolExecutor(max_workers=8) as pool:
        list(pool.map(passwords.hash_password, ["rahasia"] * 8))
    assert most == 2
