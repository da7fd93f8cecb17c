"""The rules of people's accounts: roles nest, who manages whom, how long a failed sign-in waits."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.problems import Forbidden, Invalid
from antre.roles import Person, Role, parse_role, require
from services.counters.domain import accounts
from services.counters.domain.stations import Officer


def test_roles_nest_and_an_agency_role_stays_in_its_agency() -> None:
    supervisor = Person("budi", "Budi", "dukcapil", Role.SUPERVISOR)
    require(supervisor, Role.OFFICER)
    require(supervisor, Role.SUPERVISOR, agency="dukcapil")
    with pytest.raises(Forbidden):
        require(supervisor, Role.MANAGER)
    with pytest.raises(Forbidden):
        require(supervisor, Role.SUPERVISOR, agency="bapenda")
    require(Person("rina", "Rina", "", Role.MANAGER), Role.SUPERVISOR, agency="bapenda")
    with pytest.raises(Invalid):
        parse_role("root")


def test_a_wait_starts_after_three_failures_doubles_and_stops_at_its_cap() -> None:
    cap = dt.timedelta(minutes=1)
    waits = [accounts.wait_after(n, cap).total_seconds() for n in range(1, 10)]
    assert waits == [0, 0, 0, 2, 4, 8, 16, 32, 60]
    assert accounts.wait_after(10_000, accounts.CLIENT_WAIT_CAP) == accounts.CLIENT_WAIT_CAP


@pytest.mark.parametrize(
    ("account", "ok"),
    [
        (Officer("a", "A", "dukcapil", Role.SUPERVISOR), True),
        (Officer("a", "A", "", Role.SUPERVISOR), False),
        (Officer("a", "A", "", Role.MANAGER), True),
        (Officer("a", "A", "dukcapil", Role.ADMIN), False),
    ],
)
def test_supervisors_belong_to_an_agency_and_managers_to_the_hall(account: Officer, ok: bool) -> None:
    if ok:
        accounts.check_account(account)
    else:
        with pytest.raises(Invalid):
            accounts.check_account(account)
