"""``python -m services.counters.entrypoints.cli add-officer ...``: officer accounts.

The password is read from ``--password`` or, safer, from standard input.
"""

from __future__ import annotations

import argparse
import sys

from prometheus_client import CollectorRegistry

from antre import db
from antre.hall.load import load_hall
from antre.live import Broadcaster
from antre.runtime import utcnow
from antre.uow import UnitOfWork
from services.counters import handlers
from services.counters.adapters.tables import outbox
from services.counters.bootstrap import MIGRATIONS
from services.counters.domain.stations import Officer
from services.counters.metrics import Metrics
from services.counters.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="antre-counters")
    sub = parser.add_subparsers(dest="command", required=True)
    add = sub.add_parser("add-officer", help="create or update an officer account")
    add.add_argument("--username", required=True)
    add.add_argument("--name", required=True)
    add.add_argument("--agency", default="", help="agency code; empty: hall staff (any counter)")
    add.add_argument("--password", help="default: read one line from standard input")
    args = parser.parse_args(argv)

    password = args.password if args.password is not None else sys.stdin.readline().rstrip("\n")
    try:
        add_officers(Settings(), [(Officer(args.username, args.name, args.agency), password)])
    except ValueError as exc:
        print(exc, file=sys.stderr)
        return 2
    print(f"petugas {args.username} disimpan / officer {args.username} saved")
    return 0


def add_officers(settings: Settings, accounts: list[tuple[Officer, str]]) -> None:
    """Create or update officer accounts in the counters' database (migrating it first)."""
    hall = load_hall(settings.hall_file)
    for officer, password in accounts:
        if officer.agency and hall.agency(officer.agency) is None:
            raise ValueError(f"instansi '{officer.agency}' tidak dikenal / unknown agency '{officer.agency}'")
        if len(password) < 8:
            raise ValueError("kata sandi minimal 8 karakter / password needs at least 8 characters")
    engine = db.make_engine(settings.db_url("counters"), settings.db_schema("counters"))
    try:
        db.migrate(engine, MIGRATIONS, settings.db_schema("counters"))
        deps = handlers.Deps.for_hall(
            hall, UnitOfWork(engine, outbox, utcnow), Metrics(CollectorRegistry()), Broadcaster()
        )
        for officer, password in accounts:
            handlers.add_officer(deps, officer, password)
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
