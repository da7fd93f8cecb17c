"""Call-to-board latency of the display's live stream with many boards connected (not a test).

    .venv/bin/python -m tests.integration.display.fanout_bench --boards 200 --calls 40

The display runs as production runs it (uvicorn, its own process, PostgreSQL schema, NATS
JetStream; defaults: the local servers). This process opens ``--boards`` streaming httpx clients
on one zone's ``/events`` and, once every one has its snapshot, plays 5 counters of that zone:
each publishes ``TicketCalled`` to JetStream, waits 50 ms, publishes ``TicketCompleted`` and calls
the next ticket. Latency = the moment a board reads the ``announcement`` event with the ticket's
number (as bench/run.py notes it) minus the moment JetStream acknowledged the call's publish.
It also prints the CPU seconds the display and this process spent while the calls were played.
``--raw`` reads the streams over bare sockets instead, so the clients' own work weighs less.
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import json
import os
import statistics
import tempfile
import time
from pathlib import Path

import httpx
import nats

from antre.bus import ensure_stream
from antre.events import EVENT_HEADER, MSG_ID_HEADER, Envelope, event_name
from antre.hall.load import load_hall
from tests.support.hall import RunningHall, called_numbers
from tests.unit.display import display_factories as f

ZONE = "lantai-1-a"
COUNTERS = (1, 2, 3, 4, 6)  # dukcapil, all in lantai-1-a


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


class Board:
    """A board as bench/run.py reads the stream: an httpx client of its own, line by line."""

    def __init__(self, url: str) -> None:
        self.url = url
        self.heard: dict[str, float] = {}
        self.seqs: list[int] = []
        self.ready = asyncio.Event()
        self.event = ""

    async def run(self) -> None:
        async with httpx.AsyncClient(timeout=None) as c, c.stream("GET", self.url) as response:
            async for line in response.aiter_lines():
                self.line(line)

    def line(self, line: str) -> None:
        if line.startswith("event:"):
            self.event = line[6:].strip()
            self.ready.set()
        elif line.startswith("data:") and self.event == "announcement":
            data = json.loads(line[5:])
            self.seqs.append(data["seq"])
            for number in called_numbers(data):
                self.heard.setdefault(number, time.perf_counter())


class RawBoard(Board):
    """The same board over a bare socket (HTTP/1.1, chunked), so that the client's own work
    weighs as little as it can on the figure: what the display itself makes of the fan-out."""

    async def run(self) -> None:
        url = httpx.URL(self.url)
        reader, writer = await asyncio.open_connection(url.host, url.port)
        writer.write(f"GET {url.raw_path.decode()} HTTP/1.1\r\nHost: {url.host}\r\n\r\n".encode())
        await reader.readuntil(b"\r\n\r\n")  # status and headers
        rest = ""
        try:
            while True:
                size = int((await reader.readuntil(b"\r\n")).strip(), 16)
                chunk = await reader.readexactly(size + 2)
                if size == 0:
                    return
                *lines, rest = (rest + chunk[:-2].decode()).split("\n")
                for line in lines:
                    self.line(line)
        finally:
            writer.close()


async def run(args: argparse.Namespace) -> None:
    db_url = os.environ.get("ANTRE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    nats_url = os.environ.get("ANTRE_BENCH_NATS_URL", "nats://127.0.0.1:4222")
    with tempfile.TemporaryDirectory() as tmp:
        running = RunningHall(Path(tmp), nats_url, db_url, ("display",))
        running.start()
        try:
            hall = load_hall(running.hall_file)
            url = f"{running.url('display')}/api/v1/zones/{ZONE}/events"
            boards = [(RawBoard if args.raw else Board)(url) for _ in range(args.boards)]
            tasks = [asyncio.create_task(b.run()) for b in boards]
            await asyncio.wait_for(asyncio.gather(*(b.ready.wait() for b in boards)), 120)
            nc = await nats.connect(nats_url)
            js = nc.jetstream()
            await ensure_stream(js, hall.id)
            sent: dict[str, float] = {}

            async def publish(envelope: Envelope) -> None:
                headers = {MSG_ID_HEADER: envelope.event_id, EVENT_HEADER: event_name(envelope.message)}
                await js.publish(envelope.subject, envelope.message.SerializeToString(), headers=headers)

            async def counter(k: int, n: int) -> None:
                for i in range(args.calls):
                    number = f"A-{k * args.calls + i + 1:03d}"
                    ticket = f"t{number}"
                    await publish(f.called(hall, ticket, number, "ktp-el", n, dt.datetime.now(dt.UTC)))
                    sent[number] = time.perf_counter()
                    await asyncio.sleep(0.05)  # the officer looks up before completing
                    await publish(f.completed(hall, ticket, number, "ktp-el", n, dt.datetime.now(dt.UTC)))
                    await asyncio.sleep(args.pause)

            server = running.processes["display"].process
            assert server is not None
            server_cpu, client_cpu = cpu_seconds(server.pid), time.process_time()
            started = time.perf_counter()
            await asyncio.gather(*(counter(k, n) for k, n in enumerate(COUNTERS)))
            deadline = time.perf_counter() + args.drain
            while time.perf_counter() < deadline and any(len(b.heard) < len(sent) for b in boards):
                await asyncio.sleep(0.1)
            elapsed = time.perf_counter() - started
            server_cpu, client_cpu = cpu_seconds(server.pid) - server_cpu, time.process_time() - client_cpu
            await nc.drain()
            for task in tasks:
                task.cancel()
            await asyncio.gather(*tasks, return_exceptions=True)
        finally:
            running.stop()
    ms = [(b.heard[n] - at) * 1000 for b in boards for n, at in sent.items() if n in b.heard]
    missing = len(boards) * len(sent) - len(ms)
    in_order = all(b.seqs == sorted(set(b.seqs)) for b in boards)
    print(
        f"{args.boards} {'raw' if args.raw else 'httpx'} boards, {len(sent)} calls in {elapsed:.1f} s, "
        f"{os.cpu_count()} cores: "
        f"n={len(ms)} missing={missing} in_order_no_dupes={in_order} "
        f"p50={statistics.median(ms):.1f} ms p90={pct(ms, 90):.1f} ms p99={pct(ms, 99):.1f} ms "
        f"max={max(ms):.1f} ms; CPU s: display {server_cpu:.1f}, this process {client_cpu:.1f}"
    )


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--boards", type=int, default=200)
    parser.add_argument("--calls", type=int, default=40, help="calls per counter (5 counters)")
    parser.add_argument("--pause", type=float, default=0.0, help="seconds between complete and next call")
    parser.add_argument("--raw", action="store_true", help="boards on bare sockets, not httpx")
    parser.add_argument("--drain", type=float, default=60.0, help="seconds to wait for late events")
    asyncio.run(run(parser.parse_args()))


if __name__ == "__main__":
    main()
