"""``python -m services.counters.entrypoints.cli ...``: people's accounts on the server itself
(the first manager or admin of a new hall is made here; after that, managers use the API).

    add-officer --username siti --name "Siti Rahma" --agency dukcapil [--role officer]
    set-password --username siti        # every session of the account ends
    disable-officer --username siti     # every session ends; enable-officer undoes it

Passwords are read from standard input only (one line), never from the command line, where
other users of the machine and the shell's history would see them. Each action is kept in the
audit log like the API's."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from typing import TypeVar

from prometheus_client import CollectorRegistry

from antre import db
from antre.hall.load import load_hall
from antre.live import Broadcaster
from antre.problems import NotFound, Problem
from antre.roles import Role
from antre.runtime import utcnow
from antre.uow import UnitOfWork
from services.counters import handlers
from services.counters.adapters import accounts as store
from services.counters.adapters.tables import outbox
from services.counters.bootstrap import MIGRATIONS
from services.counters.domain.stations import Officer
from services.counters.handlers import accounts
from services.counters.metrics import Metrics
from services.counters.settings import Settings

T = TypeVar("T")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="antre-counters")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-officer", help="create or update an account (password from stdin)")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--agency", default="", help="agency code; empty: hall staff (any counter)")
    add.add_argument("--role", default="officer", choices=[r.value for r in Role])
    for name, text in (
        ("set-password", "a new password (from stdin); every session of the account ends"),
        ("disable-officer", "the account can no longer sign in; its sessions end"),
        ("enable-officer", "the account may sign in again"),
    ):
        sub.add_parser(name, help=text).add_argument("--username", required=True)
    args = parser.parse_args(argv)

    try:
        if args.command == "add-officer":
            officer = Officer(args.username, args.name, args.agency, Role(args.role))
            add_officers(Settings(), [(officer, sys.stdin.readline().rstrip("\n"))])
        elif args.command == "set-password":
            password = sys.stdin.readline().rstrip("\n")
            _with_deps(Settings(), lambda deps: _set_password(deps, args.username, password))
        else:
            disabled = args.command == "disable-officer"
            _with_deps(Settings(), lambda deps: accounts.set_disabled(deps, None, args.username, disabled))
    except Problem as problem:
        print(f"{problem.message} / {problem.message_en}", file=sys.stderr)
        return 2
    print(f"petugas {args.username}: {args.command} selesai / done")
    return 0


def _set_password(deps: handlers.Deps, username: str, password: str) -> None:
    with deps.uow.read() as conn:
        found = store.account(conn, username)
    if found is None:
        raise NotFound("unknown_officer", f"Petugas '{username}' tidak ada", f"No officer '{username}'")
    accounts.save_officer(deps, None, found.officer, password)


def add_officers(settings: Settings, people: list[tuple[Officer, str]]) -> None:
    """Create or update accounts in the counters' database (migrating it first)."""

    def save(deps: handlers.Deps) -> None:
        for officer, password in people:
            accounts.save_officer(deps, None, officer, password)

    _with_deps(settings, save)


def _with_deps(settings: Settings, action: Callable[[handlers.Deps], T]) -> T:
    hall = load_hall(settings.hall_file)
    engine = db.make_engine(settings.db_url("counters"), settings.db_schema("counters"))
    try:
        db.migrate(engine, MIGRATIONS, settings.db_schema("counters"))
        deps = handlers.Deps.for_hall(
            hall, UnitOfWork(engine, outbox, utcnow), Metrics(CollectorRegistry()), Broadcaster()
        )
        return action(deps)
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
