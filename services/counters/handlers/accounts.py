"""People's accounts at the counters, the owner of who is who in the hall: signing in (slowed
down per username and per client after failures), the officer a session token names, signing
out, passwords, and the administrative actions on accounts, each kept in the audit log (an
``AuditRecorded`` event in the same transaction).

The password is checked outside any write transaction: scrypt takes tens of milliseconds, and on
SQLite a write transaction holds the whole database, call next included."""

from __future__ import annotations

import datetime as dt
import functools
import math

from antre.audit import audit_event
from antre.people import signed_out
from antre.problems import Invalid, NotFound, TooMany, Unauthorized
from antre.roles import Role, require
from antre.uow import Transaction
from services.counters.adapters import accounts as store
from services.counters.adapters import passwords
from services.counters.adapters import repository as repo
from services.counters.domain import accounts as rules
from services.counters.domain.stations import Officer
from services.counters.handlers.deps import Deps

SESSION = dt.timedelta(hours=12)  # how long a sign-in lasts


@functools.cache
def _nobody() -> str:
    """Verified when the username is unknown, so an unknown name costs as long as a wrong
    password. Made on first use, not at import (it is a scrypt hash)."""
    return passwords.hash_password("no such officer")


def _bad_credentials() -> Unauthorized:
    return Unauthorized(
        "bad_credentials", "Nama pengguna atau kata sandi salah", "Wrong username or password"
    )


def _keys(username: str, client: str) -> tuple[str, str]:
    return f"user:{username}", f"client:{client}"


def check_not_blocked_here(deps: Deps, username: str, client: str) -> None:
    """Refuse a key this replica blocked, from memory alone: a flood of guesses costs a lookup
    each, not a thread, a transaction and a hash (:func:`sign_in` asks the database as well)."""
    now = deps.uow.clock()
    until = max((deps.sign_in_blocks.get(k, now) for k in _keys(username, client)), default=now)
    if until > now:
        raise _blocked(until, now)


def _blocked(until: dt.datetime, now: dt.datetime) -> TooMany:
    wait = math.ceil((until - now).total_seconds())
    return TooMany(
        "sign_in_blocked",
        f"Terlalu banyak percobaan masuk yang gagal; coba lagi dalam {wait} detik",
        f"Too many failed sign-ins; try again in {wait} seconds",
        retry_after=wait,
    )


def sign_in(deps: Deps, username: str, password: str, client: str) -> tuple[str, Officer]:
    keys = _keys(username, client)
    with deps.uow.read() as conn:
        until = store.blocked_until(conn, keys)
        found = store.account(conn, username)
    now = deps.uow.clock()
    if until is not None and until > now:
        raise _blocked(until, now)
    right = passwords.verify_password(password, found.password_hash if found else _nobody())
    if found is None or not right:
        _failed(deps, keys)
        raise _bad_credentials()
    if found.disabled_at is not None:
        raise Unauthorized(
            "account_disabled",
            "Akun ini dinonaktifkan; hubungi pengelola MPP",
            "This account is disabled; ask the hall manager",
        )
    # A hash made at a lower cost than today's is replaced while the password is at hand (hashed
    # here, outside the transaction, like the check).
    stronger = passwords.hash_password(password) if passwords.needs_rehash(found.password_hash) else None
    token = passwords.new_token()
    with deps.uow.begin() as tx:
        store.forget_failures(tx.conn, keys[0])
        store.forget_failures(tx.conn, keys[1])
        repo.add_session(tx.conn, passwords.token_hash(token), username, tx.now + SESSION)
        if stronger is not None:
            store.replace_hash(tx.conn, username, found.password_hash, stronger)
    return token, found.officer


def _failed(deps: Deps, keys: tuple[str, str]) -> None:
    caps = (rules.USER_WAIT_CAP, rules.CLIENT_WAIT_CAP)
    with deps.uow.begin() as tx:
        for key, cap in zip(keys, caps, strict=True):
            failures = store.failures(tx.conn, key) + 1
            until = tx.now + rules.wait_after(failures, cap)
            store.record_failure(tx.conn, key, failures, until)
            if until > tx.now:
                if len(deps.sign_in_blocks) > 10_000:  # blocks of the past, mostly
                    deps.sign_in_blocks.clear()
                deps.sign_in_blocks[key] = until


def officer_for(deps: Deps, token: str) -> Officer:
    with deps.uow.read() as conn:  # a read: on SQLite it does not queue for the write lock
        officer = repo.session_officer(conn, passwords.token_hash(token), deps.uow.clock())
    if officer is None:
        raise signed_out()
    return officer


def sign_out(deps: Deps, token: str) -> None:
    with deps.uow.begin() as tx:
        repo.end_session(tx.conn, passwords.token_hash(token), tx.now)


def change_own_password(deps: Deps, token: str, current: str, new: str) -> None:
    """The officer's own change: their other sessions end (a stolen one among them)."""
    rules.check_password(new)
    token_hash = passwords.token_hash(token)
    with deps.uow.read() as conn:
        officer = repo.session_officer(conn, token_hash, deps.uow.clock())
        found = store.account(conn, officer.username) if officer else None
    if officer is None or found is None:
        raise signed_out()
    if not passwords.verify_password(current, found.password_hash):
        raise _bad_credentials()
    new_hash = passwords.hash_password(new)
    with deps.uow.begin() as tx:
        store.save(tx.conn, found.officer, new_hash)
        ended = store.end_sessions(tx.conn, officer.username, keep_token_hash=token_hash)
        _audit(
            deps, tx, officer, "officer.password_changed", officer.username, f"{ended} other sessions ended"
        )


def save_officer(deps: Deps, actor: Officer | None, officer: Officer, password: str | None) -> Officer:
    """Create an account or change one; ``actor`` None is the command line on the server itself.
    A new password ends every session of the account."""
    _known_agency(deps, officer.agency)
    rules.check_account(officer)
    if password is not None:
        rules.check_password(password)
    new_hash = passwords.hash_password(password) if password is not None else None
    with deps.uow.begin() as tx:
        before = store.account(tx.conn, officer.username)
        if actor is not None:
            rules.may_manage(actor, officer)
            if before is not None:
                rules.may_manage(actor, before.officer)
        if before is None and new_hash is None:
            raise Invalid(
                "password_required",
                "Akun baru memerlukan kata sandi",
                "A new account needs a password",
            )
        store.save(tx.conn, officer, new_hash)
        ended = store.end_sessions(tx.conn, officer.username) if new_hash and before else 0
        detail = f"role {officer.role}, agency {officer.agency or '-'}"
        if new_hash and before:
            detail += f", password reset, {ended} sessions ended"
        _audit(deps, tx, actor, "officer.saved", officer.username, detail, officer.agency)
    return officer


def set_disabled(deps: Deps, actor: Officer | None, username: str, disabled: bool) -> None:
    """Disable an account (every session of it ends at once) or enable it again."""
    with deps.uow.begin() as tx:
        found = store.account(tx.conn, username)
        if found is None:
            raise NotFound("unknown_officer", f"Petugas '{username}' tidak ada", f"No officer '{username}'")
        if actor is not None:
            rules.may_manage(actor, found.officer)
        store.set_disabled(tx.conn, username, tx.now if disabled else None)
        ended = store.end_sessions(tx.conn, username) if disabled else 0
        action = "officer.disabled" if disabled else "officer.enabled"
        detail = f"{ended} sessions ended" if disabled else ""
        _audit(deps, tx, actor, action, username, detail, found.officer.agency)


def list_accounts(deps: Deps, actor: Officer) -> list[store.Account]:
    """A supervisor sees their own agency's accounts; a manager and an admin every one."""
    require(actor, Role.SUPERVISOR)
    with deps.uow.read() as conn:
        return store.accounts(conn, actor.agency if actor.role == Role.SUPERVISOR else "")


def _known_agency(deps: Deps, agency: str) -> None:
    if agency and deps.hall.agency(agency) is None:
        raise Invalid("unknown_agency", f"Instansi '{agency}' tidak dikenal", f"Unknown agency '{agency}'")


def _audit(
    deps: Deps,
    tx: Transaction,
    actor: Officer | None,
    action: str,
    target: str,
    detail: str = "",
    agency: str = "",
) -> None:
    tx.publish(audit_event(deps.hall.id, tx.now, actor, action, target, detail, agency))
