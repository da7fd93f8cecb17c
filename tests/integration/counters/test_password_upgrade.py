"""A sign-in replaces a password hash made at a lower scrypt cost with one at today's, on both
stores; the password goes on working, and a hash changed meanwhile is not overwritten."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from antre.hall.model import Hall
from services.counters import handlers
from services.counters.adapters import accounts as store
from services.counters.adapters import passwords
from services.counters.bootstrap import MIGRATIONS
from services.counters.domain.stations import Officer
from services.counters.handlers import accounts
from tests.support.deps import counters_deps
from tests.support.stores import drop_schema, make_store

SITI = Officer("siti", "Siti", "dukcapil")


@pytest.fixture
def deps(backend: str, tmp_path: Path, kendari: Hall) -> Iterator[handlers.Deps]:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    try:
        yield counters_deps(engine, kendari)
    finally:
        engine.dispose()
        drop_schema(schema)


def stored(deps: handlers.Deps) -> str:
    with deps.uow.read() as conn:
        found = store.account(conn, "siti")
    assert found is not None
    return found.password_hash


def test_a_sign_in_upgrades_a_weaker_hash(deps: handlers.Deps, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "COST", 10)  # the account was made when hashes were cheaper
    accounts.save_officer(deps, None, SITI, "rahasia-siti")
    old = stored(deps)
    monkeypatch.setattr(passwords, "COST", 12)  # today's cost (the suite's stand-in for 2^17)

    token, _ = accounts.sign_in(deps, "siti", "rahasia-siti", "10.0.0.1")
    upgraded = stored(deps)
    assert token and old.startswith(f"scrypt${2**10}$") and upgraded.startswith(f"scrypt${2**12}$")
    assert passwords.verify_password("rahasia-siti", upgraded)
    accounts.sign_in(deps, "siti", "rahasia-siti", "10.0.0.1")
    assert stored(deps) == upgraded  # at today's cost: left as it is


def test_a_hash_changed_meanwhile_is_kept(deps: handlers.Deps, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(passwords, "COST", 10)
    accounts.save_officer(deps, None, SITI, "rahasia-siti")
    old = stored(deps)
    monkeypatch.setattr(passwords, "COST", 12)
    newer = passwords.hash_password("sandi-baru-siti")
    with deps.uow.begin() as tx:
        store.replace_hash(tx.conn, "siti", "not the hash it has", "x")  # not the current: nothing
        store.replace_hash(tx.conn, "siti", old, newer)
    assert stored(deps) == newer
