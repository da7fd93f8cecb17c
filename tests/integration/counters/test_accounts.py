"""People's accounts on both stores: sign-in slows down after failures, a disabled account and a
changed password end sessions, and every administrative action is in the audit log."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from antre.hall.model import Hall
from antre.problems import Forbidden, TooMany, Unauthorized
from antre.roles import Role
from antre.v1 import events_pb2 as pb
from services.counters import handlers
from services.counters.bootstrap import MIGRATIONS
from services.counters.domain.stations import Officer
from services.counters.handlers import accounts
from tests.support.deps import counters_deps, counters_outbox, outbox_events
from tests.support.stores import drop_schema, make_store

T0 = dt.datetime(2026, 12, 7, 1, 0, tzinfo=dt.UTC)
SITI = Officer("siti", "Siti", "dukcapil")
RINA = Officer("rina", "Rina", "", Role.MANAGER)


class Desk:
    def __init__(self, deps: handlers.Deps, now: list[dt.datetime]) -> None:
        self.deps = deps
        self.now = now

    def later(self, seconds: float) -> None:
        self.now[0] += dt.timedelta(seconds=seconds)


@pytest.fixture
def desk(backend: str, tmp_path: Path, kendari: Hall) -> Iterator[Desk]:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    now = [T0]
    try:
        deps = counters_deps(engine, kendari, clock=lambda: now[0])
        accounts.save_officer(deps, None, SITI, "rahasia-siti")
        accounts.save_officer(deps, None, RINA, "rahasia-rina")
        yield Desk(deps, now)
    finally:
        engine.dispose()
        drop_schema(schema)


def test_guessing_a_password_slows_down_and_a_block_refuses_even_the_right_one(desk: Desk) -> None:
    for _ in range(3):  # a few typos cost nothing
        with pytest.raises(Unauthorized):
            accounts.sign_in(desk.deps, "siti", "salah-salah", "10.0.0.9")
    with pytest.raises(Unauthorized):
        accounts.sign_in(desk.deps, "siti", "salah-salah", "10.0.0.9")  # the fourth blocks
    with pytest.raises(TooMany) as blocked:
        accounts.sign_in(desk.deps, "siti", "rahasia-siti", "10.0.0.8")  # the username waits
    assert blocked.value.details["retry_after"] == 2
    with pytest.raises(TooMany):
        accounts.sign_in(desk.deps, "rina", "rahasia-rina", "10.0.0.9")  # and so does the client
    desk.later(2.5)
    with pytest.raises(Unauthorized):
        accounts.sign_in(desk.deps, "siti", "salah-salah", "10.0.0.7")  # the fifth: 4 s now
    with pytest.raises(TooMany) as blocked:
        accounts.sign_in(desk.deps, "siti", "rahasia-siti", "10.0.0.8")
    assert blocked.value.details["retry_after"] == 4
    desk.later(4.5)
    token, siti = accounts.sign_in(desk.deps, "siti", "rahasia-siti", "10.0.0.8")
    assert siti == SITI and handlers.officer_for(desk.deps, token) == SITI
    with pytest.raises(Unauthorized):  # a success forgot the username's failures
        accounts.sign_in(desk.deps, "siti", "salah-salah", "10.0.0.8")
    accounts.sign_in(desk.deps, "siti", "rahasia-siti", "10.0.0.8")


def test_an_unknown_username_is_refused_as_a_wrong_password_is(desk: Desk) -> None:
    with pytest.raises(Unauthorized) as unknown:
        accounts.sign_in(desk.deps, "nobody", "rahasia-siti", "10.0.0.9")
    with pytest.raises(Unauthorized) as wrong:
        accounts.sign_in(desk.deps, "siti", "rahasia-nobody", "10.0.0.9")
    assert (unknown.value.code, unknown.value.message) == (wrong.value.code, wrong.value.message)


def test_a_disabled_account_loses_its_sessions_and_cannot_sign_in(desk: Desk) -> None:
    token, _ = accounts.sign_in(desk.deps, "siti", "rahasia-siti", "10.0.0.9")
    _, rina = accounts.sign_in(desk.deps, "rina", "rahasia-rina", "10.0.0.9")
    handlers.open_counter(desk.deps, handlers.officer_for(desk.deps, token), 1)
    accounts.set_disabled(desk.deps, rina, "siti", True)
    with pytest.raises(Unauthorized):
        handlers.officer_for(desk.deps, token)
    with pytest.raises(Unauthorized):
        handlers.call_next(desk.deps, handlers.SessionToken(token), 1)
    with pytest.raises(Unauthorized) as refused:
        accounts.sign_in(desk.deps, "siti", "rahasia-siti", "10.0.0.9")
    assert refused.value.code == "account_disabled"
    accounts.set_disabled(desk.deps, rina, "siti", False)
    accounts.sign_in(desk.deps, "siti", "rahasia-siti", "10.0.0.9")


def test_a_password_change_ends_the_other_sessions_and_a_reset_ends_all(desk: Desk) -> None:
    phone, _ = accounts.sign_in(desk.deps, "siti", "rahasia-siti", "10.0.0.9")
    desk_pc, _ = accounts.sign_in(desk.deps, "siti", "rahasia-siti", "10.0.0.8")
    with pytest.raises(Unauthorized):
        accounts.change_own_password(desk.deps, desk_pc, "bukan-sandinya", "sandi-baru-siti")
    accounts.change_own_password(desk.deps, desk_pc, "rahasia-siti", "sandi-baru-siti")
    assert handlers.officer_for(desk.deps, desk_pc) == SITI
    with pytest.raises(Unauthorized):
        handlers.officer_for(desk.deps, phone)
    _, rina = accounts.sign_in(desk.deps, "rina", "rahasia-rina", "10.0.0.9")
    accounts.save_officer(desk.deps, rina, SITI, "direset-oleh-rina")
    with pytest.raises(Unauthorized):
        handlers.officer_for(desk.deps, desk_pc)
    accounts.sign_in(desk.deps, "siti", "direset-oleh-rina", "10.0.0.9")


def test_who_may_change_whose_account(desk: Desk) -> None:
    budi = Officer("budi", "Budi", "dukcapil", Role.SUPERVISOR)
    accounts.save_officer(desk.deps, RINA, budi, "rahasia-budi")
    accounts.save_officer(desk.deps, budi, Officer("dedi", "Dedi", "dukcapil"), "rahasia-dedi")
    for actor, target in (
        (budi, Officer("eko", "Eko", "bapenda")),  # another agency's officer
        (budi, Officer("budi", "Budi", "dukcapil", Role.SUPERVISOR)),  # himself, a supervisor
        (SITI, Officer("dedi", "Dedi", "dukcapil")),  # an officer manages nobody
        (RINA, Officer("rudi", "Rudi", "", Role.MANAGER)),  # a manager makes no manager
    ):
        with pytest.raises(Forbidden):
            accounts.save_officer(desk.deps, actor, target, "rahasia-lain")
    with pytest.raises(Forbidden):  # nor takes one of them down
        accounts.set_disabled(desk.deps, budi, "rina", True)
    admin = Officer("kominfo", "Kominfo", "", Role.ADMIN)
    accounts.save_officer(desk.deps, admin, Officer("rudi", "Rudi", "", Role.MANAGER), "rahasia-rudi")


def test_every_administrative_action_is_in_the_audit_log_without_its_secret(desk: Desk) -> None:
    accounts.set_disabled(desk.deps, RINA, "siti", True)
    accounts.save_officer(desk.deps, RINA, SITI, "sandi-rahasia-baru")
    audits = [e.message for e in outbox_events(desk.deps.uow.engine, counters_outbox)]
    audits = [m for m in audits if isinstance(m, pb.AuditRecorded)]
    assert [(a.actor, a.action, a.target) for a in audits] == [
        ("cli", "officer.saved", "siti"),
        ("cli", "officer.saved", "rina"),
        ("rina", "officer.disabled", "siti"),
        ("rina", "officer.saved", "siti"),
    ]
    assert audits[2].actor_role == "manager" and audits[2].meta.agency == "dukcapil"
    assert all("sandi-rahasia-baru" not in str(a) for a in audits)
