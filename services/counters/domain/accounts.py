"""People's accounts: who may make or change whose account, and how fast a failed sign-in may be
tried again. The roles themselves are :mod:`antre.roles`."""

from __future__ import annotations

import datetime as dt

from antre.problems import Forbidden, Invalid
from antre.roles import Role
from services.counters.domain.stations import Officer

# Failures allowed before any wait (a typo or two, a caps lock), then the wait doubles from 2 s.
FREE_FAILURES = 3
FIRST_WAIT = dt.timedelta(seconds=2)
# A username's wait stays short, since anyone who knows it could otherwise keep its officer out
# of their own counter; a client's grows longer: one address trying many names is an attack.
USER_WAIT_CAP = dt.timedelta(minutes=1)
CLIENT_WAIT_CAP = dt.timedelta(minutes=15)


def wait_after(failures: int, cap: dt.timedelta) -> dt.timedelta:
    """How long sign-in stays refused after ``failures`` failures in a row."""
    if failures <= FREE_FAILURES:
        return dt.timedelta(0)
    return min(cap, FIRST_WAIT * (1 << min(failures - FREE_FAILURES - 1, 20)))


def check_account(officer: Officer) -> None:
    """A supervisor belongs to an agency; a manager and an admin to the whole hall."""
    if officer.role == Role.SUPERVISOR and not officer.agency:
        raise Invalid(
            "supervisor_needs_agency",
            "Supervisor harus punya instansi",
            "A supervisor belongs to an agency",
        )
    if officer.role in (Role.MANAGER, Role.ADMIN) and officer.agency:
        raise Invalid(
            "hall_role_has_no_agency",
            "Pengelola MPP dan admin platform tidak terikat pada satu instansi",
            "A hall manager or platform admin belongs to no single agency",
        )


def may_manage(actor: Officer, target: Officer) -> None:
    """An admin manages every account; a manager those below a manager; a supervisor the
    officers of their own agency; an officer none."""
    if actor.role == Role.ADMIN:
        return
    if actor.role == Role.MANAGER and target.role.rank < Role.MANAGER.rank:
        return
    if (
        actor.role == Role.SUPERVISOR
        and target.role == Role.OFFICER
        and target.agency
        and target.agency == actor.agency
    ):
        return
    raise Forbidden(
        "may_not_manage",
        f"Anda tidak boleh mengubah akun {target.username} ({target.role})",
        f"You may not change the account {target.username} ({target.role})",
    )


def check_password(password: str) -> None:
    if len(password) < 10:
        raise Invalid(
            "password_too_short",
            "Kata sandi minimal 10 karakter",
            "A password needs at least 10 characters",
        )
