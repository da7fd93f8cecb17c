"""``python -m services.reports.entrypoints.cli``: the record's upkeep.

rebuild
    Wipe the read model (visits, legs, bookings, counters, surveys) and the record's consumer, so
    that the next start of reports replays the hall's stream from its first event and folds it
    again. Stop reports first (``kubectl scale deployment/reports --replicas=0``), run this, start
    it again. The record then holds what the stream holds: the stream keeps 90 days
    (antre/bus.py), so a rebuild gives back the last 90 days; keep the reports database's backups
    for longer history.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import sys

from nats.js.errors import NotFoundError
from sqlalchemy import delete

from antre import bus, db
from antre.events import stream_name
from antre.hall.load import load_hall
from services.reports.adapters.tables import READ_MODEL, inbox
from services.reports.bootstrap import MIGRATIONS
from services.reports.entrypoints.consumers import DURABLE
from services.reports.handlers import CONSUMER
from services.reports.settings import Settings


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="antre-reports")
    sub = parser.add_subparsers(dest="command", required=True)
    sub.add_parser("rebuild", help="wipe the record; the next start replays the stream")
    parser.parse_args(argv)
    settings = Settings()
    wiped = wipe(settings)
    asyncio.run(forget_consumer(settings))
    print(f"catatan dihapus ({wiped} baris); mulai ulang layanan laporan untuk membangun ulang")
    print(f"record wiped ({wiped} rows); start reports again to rebuild it from the stream")
    return 0


def wipe(settings: Settings) -> int:
    """Every row made from events, and the consumer's memory of having applied them."""
    engine = db.make_engine(settings.db_url("reports"), settings.db_schema("reports"))
    try:
        db.migrate(engine, MIGRATIONS, settings.db_schema("reports"))
        with db.write(engine) as conn:
            wiped = sum(conn.execute(delete(table)).rowcount for table in READ_MODEL)
            conn.execute(delete(inbox).where(inbox.c.consumer == CONSUMER))
        return wiped
    finally:
        engine.dispose()


async def forget_consumer(settings: Settings) -> None:
    """The durable consumer goes: made again at the next start, it delivers from the first event."""
    hall = load_hall(settings.hall_file).id
    nc = await bus.connect(settings.nats_servers(), "antre-reports-cli")
    try:
        with contextlib.suppress(NotFoundError):  # never started, or already forgotten
            await nc.jetstream().delete_consumer(stream_name(hall), f"reports-{DURABLE}")
    finally:
        await nc.close()


if __name__ == "__main__":
    sys.exit(main())
