"""Officer password hashes: made at OWASP's scrypt cost, older cheaper ones still verify and are
known as weaker."""

from __future__ import annotations

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
