"""``python -m bench.handlers [postgresql|sqlite]``: the handlers alone, without HTTP or NATS,
on a migrated store. The counters': tickets joining the queue (in batches of 50, and one at a
time, as the consumer gets them), then call next and complete at one counter with an officer's
token, 300 times each. Ticketing's: 1,000 walk-in tickets issued. On PostgreSQL also one insert
and its durable commit, 300 times. PostgreSQL from ANTRE_BENCH_DATABASE_URL (default: the local
server)."""

from __future__ import annotations

import argparse
import datetime as dt
import os
import statistics
import tempfile
import time
from pathlib import Path

from antre.events import Envelope, new_meta, timestamp
from antre.hall.load import load_hall
from antre.telemetry import setup_tracing
from antre.v1 import events_pb2 as pb
from services.counters import handlers
from services.counters.bootstrap import MIGRATIONS
from services.counters.domain.stations import Officer
from services.counters.handlers import accounts
from tools.deps import counters_deps
from tools.hall import KENDARI
from tools.stores import drop_schema, make_store

T0 = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


def issued(hall_id: str, day: str, n: int) -> Envelope:
    event = pb.TicketIssued(
        meta=new_meta(hall_id, "dukcapil", T0),
        ticket=pb.TicketRef(ticket_id=f"t{n:05d}", service="ktp-el", number=f"A-{n:03d}", hall_day=day),
        issued_at=timestamp(T0 + dt.timedelta(seconds=n)),
    )
    return Envelope(f"antre.{hall_id}.dukcapil.ticket.issued", event)


def run(url: str | None) -> None:
    backend = "postgresql" if url else "sqlite"
    hall = load_hall(KENDARI)
    day = hall.day_of(T0).isoformat()
    with tempfile.TemporaryDirectory() as tmp:
        engine, schema = make_store(Path(tmp), MIGRATIONS, url)
        try:
            deps = counters_deps(engine, hall, clock=lambda: T0 + dt.timedelta(hours=1))
            started = time.perf_counter()
            for k in range(0, 600, 50):
                handlers.on_ticket_events(deps, [issued(hall.id, day, n) for n in range(k + 1, k + 51)])
            batched = (time.perf_counter() - started) / 600 * 1000
            started = time.perf_counter()
            for n in range(601, 701):
                handlers.on_ticket_events(deps, [issued(hall.id, day, n)])
            single = (time.perf_counter() - started) / 100 * 1000
            officer = Officer("siti", "Siti", "dukcapil")
            counter = next(c.number for c in hall.counters if "ktp-el" in c.services)
            accounts.save_officer(deps, None, officer, "rahasia-sekali")
            # As the HTTP side calls them: with the bearer token, checked inside the action.
            token = handlers.SessionToken(accounts.sign_in(deps, "siti", "rahasia-sekali", "test")[0])
            handlers.open_counter(deps, officer, counter)
            calls, completes = [], []
            for _ in range(300):
                started = time.perf_counter()
                handlers.call_next(deps, token, counter)
                calls.append(time.perf_counter() - started)
                started = time.perf_counter()
                handlers.complete(deps, token, counter)
                completes.append(time.perf_counter() - started)
        finally:
            engine.dispose()
            if url:
                drop_schema(url, schema)
    print(f"{backend}: a ticket joining the queue {batched:.3f} ms in batches of 50, {single:.3f} ms alone")
    print(
        f"{backend}: call next p50 {statistics.median(calls) * 1000:.2f} ms, "
        f"complete p50 {statistics.median(completes) * 1000:.2f} ms"
    )


def issue(url: str | None, count: int = 1000) -> None:
    """Ticketing's handler alone: a walk-in ticket numbered, stored and its event staged, one
    transaction each, wall and CPU time of the calling thread (the HTTP side adds its own)."""
    from services.ticketing import handlers as ticketing
    from services.ticketing.bootstrap import MIGRATIONS as TICKETING
    from tools.deps import ticketing_deps

    backend = "postgresql" if url else "sqlite"
    setup_tracing("ticketing")  # spans are made as in the service (no exporter)
    services = ["kartu-keluarga", "akta-kelahiran", "pbb-p2", "pkb-tahunan", "perizinan-berusaha", "jkn"]
    with tempfile.TemporaryDirectory() as tmp:
        engine, schema = make_store(Path(tmp), TICKETING, url)
        try:
            deps = ticketing_deps(engine, load_hall(KENDARI))
            walls, cpus = [], []
            for n in range(count):
                started, cpu = time.perf_counter(), time.thread_time()
                ticketing.issue(deps, ticketing.IssueTicket(service=services[n % len(services)]))
                walls.append(time.perf_counter() - started)
                cpus.append(time.thread_time() - cpu)
        finally:
            engine.dispose()
            if url:
                drop_schema(url, schema)
    print(
        f"{backend}: issue a ticket p50 {statistics.median(walls[100:]) * 1000:.2f} ms, "
        f"of it CPU {statistics.median(cpus[100:]) * 1000:.2f} ms"
    )


def durable_commit(url: str, count: int = 300) -> float:
    """Milliseconds for one insert and its commit, waiting for the disk as every command here
    does: the floor under any handler that writes."""
    import psycopg

    with psycopg.connect(url) as conn:
        # A plain table: a temporary one is not written to the WAL, so its commit never waits.
        conn.execute("CREATE TABLE antre_commit_probe (a int)")
        conn.commit()
        try:
            started = time.perf_counter()
            for _ in range(count):
                conn.execute("INSERT INTO antre_commit_probe VALUES (1)")
                conn.commit()
            return (time.perf_counter() - started) / count * 1000
        finally:
            conn.execute("DROP TABLE antre_commit_probe")
            conn.commit()


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.handlers")
    parser.add_argument("backend", nargs="?", default="postgresql", choices=("postgresql", "sqlite"))
    args = parser.parse_args()
    url = None
    if args.backend == "postgresql":
        url = os.environ.get("ANTRE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    run(url)
    issue(url)
    if url:
        print(f"postgresql: insert and commit {durable_commit(url):.2f} ms")


if __name__ == "__main__":
    main()
