"""``python -m services.ticketing.entrypoints.cli ...``: the hall's kiosks as devices, on the
server itself (the hall's manager uses ``/api/v1/kiosks`` after that).

    enrol-kiosk --kiosk kiosk-1     # prints the kiosk's new token once; an earlier one stops
    revoke-kiosk --kiosk kiosk-1
"""

from __future__ import annotations

import argparse
import sys

from prometheus_client import CollectorRegistry

from antre import db
from antre.hall.load import load_hall
from antre.live import Broadcaster
from antre.problems import Problem
from antre.runtime import utcnow
from antre.uow import UnitOfWork
from services.ticketing import handlers
from services.ticketing.adapters.tables import outbox
from services.ticketing.bootstrap import MIGRATIONS
from services.ticketing.handlers import kiosks
from services.ticketing.metrics import Metrics
from services.ticketing.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="antre-ticketing")
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("enrol-kiosk", "a new token for a kiosk"), ("revoke-kiosk", "end a kiosk's token")):
        sub.add_parser(name, help=text).add_argument("--kiosk", required=True)
    args = parser.parse_args(argv)
    try:
        result = run(Settings(), args.command, args.kiosk)
    except Problem as problem:
        print(f"{problem.message} / {problem.message_en}", file=sys.stderr)
        return 2
    print(result)
    return 0


def run(settings: Settings, command: str, kiosk: str) -> str:
    """The token of ``enrol-kiosk``, or a line saying what was done."""
    engine = db.make_engine(settings.db_url("ticketing"), settings.db_schema("ticketing"))
    try:
        db.migrate(engine, MIGRATIONS, settings.db_schema("ticketing"))
        deps = handlers.Deps(
            load_hall(settings.hall_file),
            UnitOfWork(engine, outbox, utcnow),
            Metrics(CollectorRegistry()),
            Broadcaster(),
        )
        if command == "enrol-kiosk":
            return kiosks.enrol(deps, None, kiosk)
        done = kiosks.revoke(deps, None, kiosk)
        return f"kios {kiosk}: " + ("dicabut / revoked" if done else "tidak terdaftar / not enrolled")
    finally:
        engine.dispose()


if __name__ == "__main__":
    sys.exit(main())
