"""Many busy halls on one machine: the sustained rate of issues and calls, and call-to-board.

What "N busy halls" means for Antre: a service process serves one hall (its hall file, one
JetStream stream, its own database schemas), as a hall is one namespace in Kubernetes
(deploy/k8s/overlays/prod, one per hall). N halls are therefore N sets of processes, each with
``--replicas`` processes of ticketing, counters and display, all sharing one NATS (a wheel
server, a three-node cluster with ``--cluster``, or ANTRE_BENCH_NATS_URL) and one PostgreSQL
(ANTRE_BENCH_DATABASE_URL). That is what a cluster serving N halls runs, here on one machine.

Each hall has kiosks issuing walk-in tickets (alternately on its ticketing replicas), three
counters calling and completing (alternately on its counters replicas) and one board on the
display's server-sent events. Kiosks send their next ticket when the last one answered, after
``--pace`` seconds: 0 is flat out, the most the machine sustains; a busy hall's peak hour is
about one ticket every 15 s (DOMAIN.md: 400-600+ visitors a day); ``--pace 15,0`` measures both,
one stretch after the other. After a warm-up the run counts issues and calls for ``--seconds``
and prints Markdown for BENCHMARKS.md. Each process holds about four database connections at
rest, so many halls need ``--own-postgres`` (a PostgreSQL started for the run, with room).

    .venv/bin/python -m bench.halls --halls 20 --replicas 2 --own-postgres --seconds 60
"""

from __future__ import annotations

import argparse
import asyncio
import os
import platform
import shutil
import subprocess
import tempfile
import threading
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from itertools import cycle
from pathlib import Path
from typing import Any

import httpx

from bench.run import Board, nats_version, pct
from tools.hall import NatsServer, free_port
from tools.local_hall import PASSWORD, LocalHall
from tools.nats_cluster import NatsCluster

SERVICES = ("ticketing", "counters", "display")
# Walk-in services of one zone, and the counters that serve them.
WALK_INS = ("kartu-keluarga", "akta-kelahiran")
COUNTERS = (3, 4, 5)
ZONE = "lantai-1-a"
MIGRATING = threading.Lock()


@dataclass
class Hall:
    running: LocalHall
    urls: dict[str, list[str]] = field(default_factory=dict)
    board: Board | None = None
    issued: list[tuple[float, float]] = field(default_factory=list)  # (answered at, ms)
    calls: list[tuple[float, float]] = field(default_factory=list)
    called_at: dict[str, float] = field(default_factory=dict)
    errors: int = 0  # requests dropped or refused (reported, not fatal)


@contextmanager
def nats_for(args: argparse.Namespace, folder: Path) -> Iterator[str]:
    if os.environ.get("ANTRE_BENCH_NATS_URL"):
        yield os.environ["ANTRE_BENCH_NATS_URL"]
    elif args.cluster:
        cluster = NatsCluster(folder / "nats").start()
        try:
            yield cluster.url
        finally:
            cluster.stop()
    else:
        server = NatsServer(folder / "nats").start()
        try:
            yield server.url
        finally:
            server.stop()


@contextmanager
def own_postgres(folder: Path, max_connections: int) -> Iterator[str]:
    """A PostgreSQL of the run's own, for as many connections as the halls' processes hold (about
    four each at rest; the machine's server may allow only 100). As root it runs as ``postgres``."""
    bin_dir = sorted(Path("/usr/lib/postgresql").glob("*/bin"))[-1]
    data, port = folder / "pg", free_port()
    data.mkdir(parents=True)
    as_owner: list[str] = []
    if os.geteuid() == 0:
        shutil.chown(data, "postgres", "postgres")
        folder.chmod(0o755)
        as_owner = ["runuser", "-u", "postgres", "--"]

    def quiet(command: list[str]) -> None:
        subprocess.run(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=True)

    quiet([*as_owner, str(bin_dir / "initdb"), "-D", str(data), "-U", "postgres", "--auth=trust"])
    options = (
        f"-p {port} -c listen_addresses=127.0.0.1 -c unix_socket_directories={data} "
        f"-c max_connections={max_connections} -c shared_buffers=256MB"
    )
    ctl = [*as_owner, str(bin_dir / "pg_ctl"), "-D", str(data)]
    quiet([*ctl, "-o", options, "-l", str(data / "log"), "-w", "start"])
    try:
        yield f"postgresql://postgres@127.0.0.1:{port}/postgres"
    finally:
        quiet([*ctl, "-m", "fast", "-w", "stop"])


def start_hall(
    folder: Path, nats_url: str, db_url: str, replicas: int, cluster: bool, reports: bool = False
) -> Hall:
    """One hall's processes, its officers, and its replicas (started after the first is ready,
    as a Deployment's pods start after its migration Job)."""
    from services.counters.domain.stations import Officer
    from services.counters.entrypoints.cli import add_officers
    from services.counters.settings import Settings

    env = {"ANTRE_NATS_REPLICAS": "3"} if cluster else {}
    folder.mkdir(parents=True)
    # The reports service (one process: it only reads, and follows the stream) when asked.
    running = LocalHall(folder, nats_url, db_url, SERVICES + (("reports",) if reports else ()), env)
    try:
        running.start()
        counters_env = running.env("counters")
        # Strings, as the environment would give them: the settings parse each to its field's type.
        given: dict[str, Any] = {k[6:].lower(): v for k, v in counters_env.items() if k.startswith("ANTRE_")}
        settings = Settings(**given)
        with MIGRATING:  # Alembic's command API keeps global state: one migration at a time
            add_officers(settings, [(Officer(f"o{n}", f"o{n}", "dukcapil"), PASSWORD) for n in COUNTERS])
        hall = Hall(running, {name: [running.url(name)] for name in SERVICES})
        for _ in range(replicas - 1):
            for name in SERVICES:
                hall.urls[name].append(running.start_replica(name))
    except BaseException:
        running.stop()
        raise
    return hall


async def kiosk(hall: Hall, k: int, pace: float, until: float) -> None:
    urls = hall.urls["ticketing"]
    bases = cycle(urls[k % len(urls) :] + urls[: k % len(urls)])
    token = await asyncio.to_thread(hall.running.kiosk_token)
    async with httpx.AsyncClient(timeout=30, headers={"Authorization": f"Bearer {token}"}) as c:
        i = k
        while time.perf_counter() < until:
            start = time.perf_counter()
            body = {"service": WALK_INS[i % len(WALK_INS)]}
            try:
                response = await c.post(f"{next(bases)}/api/v1/tickets", json=body)
            except httpx.TransportError:  # counted, not fatal: an overloaded machine drops some
                hall.errors += 1
                await asyncio.sleep(0.5)
                continue
            done = time.perf_counter()
            if response.status_code != 201:
                hall.errors += 1
                continue
            hall.issued.append((done, (done - start) * 1000))
            i += 1
            await asyncio.sleep(pace)


async def counter(hall: Hall, number: int, until: float) -> None:
    base = hall.urls["counters"][number % len(hall.urls["counters"])]
    token = (await asyncio.to_thread(hall.running.sign_in, f"o{number}"))["Authorization"]
    async with httpx.AsyncClient(base_url=base, headers={"Authorization": token}, timeout=30) as c:
        assert (await c.post(f"/api/v1/counters/{number}/open")).status_code == 200
        while time.perf_counter() < until:
            start = time.perf_counter()
            try:
                response = await c.post(f"/api/v1/counters/{number}/call-next")
                done = time.perf_counter()
                if response.status_code == 409:  # a call whose answer was lost: finish it first
                    hall.errors += 1
                    await c.post(f"/api/v1/counters/{number}/complete")
                    continue
                if response.status_code != 200:
                    hall.errors += 1
                    continue
                ticket = response.json()["ticket"]
                if ticket is None:  # nobody waits: the officer looks again in a second
                    await asyncio.sleep(1.0)
                    continue
                hall.calls.append((done, (done - start) * 1000))
                hall.called_at[ticket["number"]] = done
                await asyncio.sleep(0.05)  # the officer looks up before completing
                if (await c.post(f"/api/v1/counters/{number}/complete")).status_code != 200:
                    hall.errors += 1
            except httpx.TransportError:
                hall.errors += 1
                await asyncio.sleep(0.5)


def cpu_seconds(halls: list[Hall]) -> float:
    """CPU time (user and system) the halls' service processes have used so far."""
    tick = os.sysconf("SC_CLK_TCK")
    total = 0
    for hall in halls:
        for process in hall.running.processes.values():
            if process.process is not None:
                fields = Path(f"/proc/{process.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
                total += int(fields[11]) + int(fields[12])  # utime, stime
    return total / tick


def record_lag(halls: list[Hall]) -> list[str]:
    """The reports' ``antre_record_lag_seconds`` of every hall, summed: from an event's occurrence
    to its commit in the visit record (events of the warm-up included)."""
    buckets: dict[float, float] = {}
    for hall in halls:
        text = httpx.get(f"{hall.running.url('reports')}/metrics", timeout=10).text
        for line in text.splitlines():
            if line.startswith("antre_record_lag_seconds_bucket"):
                bound = line.split('le="', 1)[1].split('"', 1)[0]
                le = float("inf") if bound == "+Inf" else float(bound)
                buckets[le] = buckets.get(le, 0.0) + float(line.rsplit(" ", 1)[1])
    total = buckets.get(float("inf"), 0.0)
    if not total:
        return ["record lag: no events recorded"]
    shares = ", ".join(
        f"<= {le:g} s: {100 * n / total:.2f}%" for le, n in sorted(buckets.items()) if le <= 2.5
    )
    return [f"record lag over {total:.0f} events: {shares}"]


def row(name: str, ms: list[float], rate: float, note: str) -> str:
    if not ms:
        return f"| {name} | 0 | | | | | {note} |"
    return (
        f"| {name} | {len(ms)} | {rate:.1f}/s | {pct(ms, 50):.1f} | {pct(ms, 90):.1f} | {pct(ms, 99):.1f} | "
        f"{note} |"
    )


async def drive(halls: list[Hall], args: argparse.Namespace, pace: float) -> list[str]:
    """One measured stretch at one pace; the table's rows."""
    boards = []
    for i, hall in enumerate(halls):
        hall.issued, hall.calls, hall.called_at, hall.errors = [], [], {}, 0
        display = hall.urls["display"][i % len(hall.urls["display"])]
        hall.board = Board(f"{display}/api/v1/zones/{ZONE}/events")
        boards.append(asyncio.create_task(hall.board.run()))
    await asyncio.gather(*(h.board.ready.wait() for h in halls if h.board))
    begin = time.perf_counter()
    until = begin + args.warmup + args.seconds
    await asyncio.gather(
        *(kiosk(h, k, pace, until) for h in halls for k in range(args.kiosks)),
        *(counter(h, n, until) for h in halls for n in COUNTERS),
    )
    await asyncio.sleep(10.0)  # the last calls reach their boards
    for task in boards:
        task.cancel()

    since = begin + args.warmup

    def window(samples: list[tuple[float, float]]) -> list[float]:
        return [ms for at, ms in samples if at >= since]

    issued = [ms for h in halls for ms in window(h.issued)]
    calls = [ms for h in halls for ms in window(h.calls)]
    to_board, unheard = [], 0
    for hall in halls:
        assert hall.board is not None
        for number, at in hall.called_at.items():
            if at < since:
                continue
            if number in hall.board.heard:
                to_board.append((hall.board.heard[number] - at) * 1000)
            else:
                unheard += 1
    errors = sum(h.errors for h in halls)
    per_hall = (
        f"{args.kiosks} kiosk(s), one ticket every {pace} s" if pace else f"{args.kiosks} kiosk(s), flat out"
    )
    return [
        row("ticket issue", issued, len(issued) / args.seconds, f"per hall: {per_hall}"),
        row("call next", calls, len(calls) / args.seconds, f"per hall: {len(COUNTERS)} counters"),
        row(
            "call to board (SSE)",
            to_board,
            len(to_board) / args.seconds,
            f"one board per hall; unheard {unheard}; errors {errors}",
        ),
    ]


def main() -> None:
    parser = argparse.ArgumentParser(prog="bench.halls", description=__doc__.split("\n\n")[0])
    parser.add_argument("--halls", type=int, default=20)
    parser.add_argument("--replicas", type=int, default=2, help="processes of each service per hall")
    parser.add_argument("--kiosks", type=int, default=1, help="kiosks per hall")
    parser.add_argument(
        "--pace", default="0", help="seconds between a kiosk's tickets; several (15,0) run one stretch each"
    )
    parser.add_argument("--seconds", type=float, default=60.0, help="the measured stretch")
    parser.add_argument("--warmup", type=float, default=10.0)
    parser.add_argument("--cluster", action="store_true", help="a three-node NATS, streams with 3 replicas")
    parser.add_argument(
        "--own-postgres", action="store_true", help="start a PostgreSQL for the run (many halls' connections)"
    )
    parser.add_argument(
        "--reports", action="store_true", help="each hall also runs reports; its lag is shown"
    )
    args = parser.parse_args()
    processes = args.halls * (args.replicas * len(SERVICES) + int(args.reports))
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        if args.own_postgres:
            db_url = stack.enter_context(own_postgres(Path(tmp), 6 * processes + 20))
        else:
            db_url = os.environ.get("ANTRE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
        nats_url = stack.enter_context(nats_for(args, Path(tmp)))
        started = time.perf_counter()
        halls: list[Hall] = []
        try:
            # Two halls start at once: more only queue on the two cores.
            with ThreadPoolExecutor(2) as pool:
                futures = [
                    pool.submit(
                        start_hall,
                        Path(tmp) / f"hall{i}",
                        nats_url,
                        db_url,
                        args.replicas,
                        args.cluster,
                        args.reports,
                    )
                    for i in range(args.halls)
                ]
                failures = []
                for future in futures:
                    try:
                        halls.append(future.result())
                    except Exception as exc:  # the others are stopped below all the same
                        failures.append(exc)
                if failures:
                    raise failures[0]
            startup = time.perf_counter() - started
            # What the processes cost doing nothing (relays polling, consumers' long polls).
            idle_from = cpu_seconds(halls)
            time.sleep(10.0)
            idle = (cpu_seconds(halls) - idle_from) / 10.0
            rows = [
                "| measure | n | sustained | p50 ms | p90 ms | p99 ms | note |",
                "|---|---|---|---|---|---|---|",
            ]
            for pace in (float(p) for p in args.pace.split(",")):
                rows += asyncio.run(drive(halls, args, pace))
            lag = record_lag(halls) if args.reports else []
            version = asyncio.run(nats_version(nats_url.split(",")[0]))
        finally:
            for hall in halls:
                hall.running.stop()
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NATS {version}{' (3-node cluster)' if args.cluster else ''}"
    )
    with_reports = " and reports" if args.reports else ""
    print(
        f"{args.halls} halls x {args.replicas} replica(s) of {', '.join(SERVICES)}{with_reports} = "
        f"{processes} processes, "
        f"started in {startup:.0f} s; at rest they use {idle:.2f} cores "
        f"({100 * idle / processes:.1f}% of a core each); measured {args.seconds:.0f} s after "
        f"{args.warmup:.0f} s of warm-up"
    )
    print("\n".join(rows + lag))


if __name__ == "__main__":
    main()
