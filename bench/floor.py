"""``python -m bench.floor``: what a request costs on this machine before any queue work, next to
call next, all at one pace (a request every ``--pause`` seconds, as a desk calls, not in a burst).

Against one running hall (ticketing, counters and display as uvicorn processes, PostgreSQL, a NATS
JetStream server from the wheel), one after another from light clients over keep-alive:

- a PostgreSQL round trip (``SELECT 1``, psycopg, autocommit), paced and back to back;
- ``GET /livez`` on the counters: uvicorn and FastAPI with nothing behind them;
- ``GET /api/v1/queues`` on the counters: the same plus the hop to a worker thread and one read
  transaction of one statement (the least any request that reads the store pays);
- ``POST /api/v1/tickets`` on ticketing: a walk-in ticket (number, ticket, event, commit);
- ``POST call-next`` (and complete) from ``bench.officer``: the counter's row and session, the
  queue's heads, the claim, the event in the outbox, the commit.

A request that waits between calls finds the machine's caches cold, and on this virtual machine
that, more than the round trips, sets the figure; the back-to-back round trip shows the difference.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

import psycopg

from bench.run import ROOT, own_nats, pct
from tools.hall import wait_for
from tools.local_hall import LocalHall, waiting_total


def paced(action: Callable[[], object], n: int, pause: float) -> list[float]:
    """Milliseconds of ``n`` runs of ``action``, ``pause`` seconds apart."""
    ms = []
    for _ in range(n):
        start = time.perf_counter()
        action()
        ms.append((time.perf_counter() - start) * 1000)
        if pause:
            time.sleep(pause)
    return ms


def requester(url: str, path: str, body: dict[str, str] | None = None) -> Callable[[], object]:
    """A GET of ``path`` (a POST of ``body`` when given) over one keep-alive connection."""
    host, port = url.removeprefix("http://").split(":")
    conn = http.client.HTTPConnection(host, int(port))
    payload = json.dumps(body) if body is not None else None
    headers = {"Content-Type": "application/json"} if body is not None else {}

    def request() -> bytes:
        conn.request("POST" if payload else "GET", path, body=payload, headers=headers)
        response = conn.getresponse()
        answer = response.read()
        assert response.status in (200, 201), (path, response.status, answer)
        return answer

    return request


def row(name: str, ms: list[float], note: str) -> str:
    return f"| {name} | {len(ms)} | {statistics.median(ms):.2f} | {pct(ms, 90):.2f} | {note} |"


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.floor")
    p.add_argument("--pause", type=float, default=0.3, help="seconds between requests (a desk: minutes)")
    p.add_argument("-n", type=int, default=200, help="requests of each kind")
    args = p.parse_args()
    db_url = os.environ.get("ANTRE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    with tempfile.TemporaryDirectory() as tmp, own_nats(Path(tmp)) as nats_url:
        hall = LocalHall(Path(tmp), nats_url, db_url, ("ticketing", "counters", "display"))
        hall.start()
        try:
            with hall.client("ticketing") as kiosk:
                for _ in range(args.n):
                    kiosk.post("/api/v1/tickets", json={"service": "kartu-keluarga"}).raise_for_status()
            wait_for(lambda: waiting_total(hall) >= args.n, what="the tickets in the queue")
            rows = []
            with psycopg.connect(db_url.replace("postgresql+psycopg", "postgresql"), autocommit=True) as pg:

                def select_one() -> object:
                    return pg.execute("SELECT 1").fetchone()

                rows.append(row("PostgreSQL round trip", paced(select_one, args.n, args.pause), "SELECT 1"))
                rows.append(row("PostgreSQL round trip", paced(select_one, args.n, 0), "back to back"))
            counters = hall.url("counters")
            for path, note in (("/livez", "HTTP alone"), ("/api/v1/queues", "+ one read")):
                rows.append(row(f"GET {path}", paced(requester(counters, path), args.n, args.pause), note))
            issue = requester(hall.url("ticketing"), "/api/v1/tickets", {"service": "kartu-keluarga"})
            rows.append(row("POST /api/v1/tickets", paced(issue, args.n, args.pause), "a kiosk's ticket"))
            hall.add_officer("o3", "dukcapil")
            token = hall.sign_in("o3")["Authorization"].removeprefix("Bearer ")
            look = str(min(args.pause, 0.05))  # back to back: complete at once, then call again
            desk = [sys.executable, "-m", "bench.officer", "--pause", str(args.pause), "--look", look]
            desk += ["--", counters, "3", token]
            out = subprocess.run(desk, capture_output=True, cwd=ROOT, check=True).stdout
            calls = [ms for _, ms, _ in json.loads(out)]
            rows.append(row("POST call-next", calls, "the counter's whole action"))
        finally:
            hall.stop()
    print(f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}")
    print(f"One request every {args.pause} s, {args.n} of each kind.\n")
    print("| request | n | p50 ms | p90 ms | note |\n|---|---|---|---|---|")
    print("\n".join(rows))


if __name__ == "__main__":
    main()
