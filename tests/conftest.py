"""Fixtures for every ring: the hall file, database backends and a NATS JetStream server."""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from antre.hall.load import load_hall
from antre.hall.model import Hall
from tests.support.infra import KENDARI, NatsServer
from tests.support.stores import BACKENDS, require_pg
from tests.support.stores import pg_url as _pg_url


@pytest.fixture(scope="session")
def kendari() -> Hall:
    return load_hall(KENDARI)


@pytest.fixture(scope="session")
def pg_url() -> str | None:
    return _pg_url()


@pytest.fixture
def needs_postgres() -> str:
    """For a test that only makes sense on PostgreSQL: its URL, or the test skips."""
    return require_pg()


@pytest.fixture(scope="session")
def nats_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    url = os.environ.get("ANTRE_TEST_NATS_URL")
    if url:
        yield url
        return
    server = NatsServer(tmp_path_factory.mktemp("nats")).start()
    yield server.url
    server.stop()


@pytest.fixture(params=BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    if request.param == "postgresql":
        require_pg()
    return str(request.param)


@pytest.fixture(autouse=True)
def _cheap_passwords(monkeypatch: pytest.MonkeyPatch) -> None:
    """Accounts made in a test's own process hash at scrypt's N=2^12, not 2^17: tests make
    hundreds, each a few tenths of a second at full cost (tests/unit/test_passwords.py checks
    the full cost; services started as processes keep it)."""
    from services.counters.adapters import passwords

    monkeypatch.setattr(passwords, "COST", 12)
