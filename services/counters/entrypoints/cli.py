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

    settings = Settings()
    hall = load_hall(settings.hall_file)
    if args.agency and hall.agency(args.agency) is None:
        print(f"instansi '{args.agency}' tidak dikenal / unknown agency '{args.agency}'", file=sys.stderr)
        return 2
    password = args.password if args.password is not None else sys.stdin.readline().rstrip("\n")
    if len(password) < 8:
        print("kata sandi minimal 8 karakter / password needs at least 8 characters", file=sys.stderr)
        return 2
    engine = db.make_engine(settings.db_url("counters"), settings.db_schema("counters"))
    db.migrate(engine, MIGRATIONS, settings.db_schema("counters"))
    deps = handlers.Deps.for_hall(
        hall, UnitOfWork(engine, outbox, utcnow), Metrics(CollectorRegistry()), Broadcaster()
    )
    handlers.add_officer(deps, Officer(args.username, args.name, args.agency), password)
    print(f"petugas {args.username} disimpan / officer {args.username} saved")
    return 0


if __name__ == "__main__":
    sys.exit(main())
