"""Password guessing must not slow "call next": the counters service on SQLite, one officer's
desk (``bench.officer``, its own process) calling a fixed number of tickets with no other load,
then the same while 8 clients guess passwords flat out (``POST /api/v1/sessions`` with wrong
passwords, each client from its own loopback address, over several usernames). Phases alternate,
baseline first; prints call next's p50/p95 per phase and the ratio of the guessing phases' p95 to
the baselines'. The guessers run in a process of their own, so that they do not share the
desk's interpreter.

    .venv/bin/python -m bench.signin --calls 300 --rounds 2
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import signal
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections import Counter
from pathlib import Path

import httpx

from bench.run import ROOT, own_nats, pct
from tools.local_hall import LocalHall

COUNTER = 3  # kartu-keluarga
SERVICE = "kartu-keluarga"
GUESSERS = 8
# Existing officers and names nobody has: a guesser does not know which exist.
USERNAMES = ("o4", "o5", "pengelola", "admin", "budi", "siti", "operator", "loket")


def guess(url: str, seconds: float) -> None:
    """8 clients, 127.0.0.2 to 127.0.0.9, each sending wrong passwords as fast as answers come."""
    stop = threading.Event()
    answers: Counter[int] = Counter()
    lock = threading.Lock()

    def client(i: int) -> None:
        transport = httpx.HTTPTransport(local_address=f"127.0.0.{i + 2}")
        with httpx.Client(base_url=url, transport=transport, timeout=30) as c:
            n = 0
            while not stop.is_set():
                body = {"username": USERNAMES[(i + n) % len(USERNAMES)], "password": f"salah-{i}-{n}"}
                try:
                    status = c.post("/api/v1/sessions", json=body).status_code
                except httpx.TransportError:
                    status = 0
                with lock:
                    answers[status] += 1
                n += 1

    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    threads = [threading.Thread(target=client, args=(i,)) for i in range(GUESSERS)]
    for t in threads:
        t.start()
    stop.wait(seconds)
    stop.set()
    for t in threads:
        t.join()
    print(json.dumps({str(k): v for k, v in answers.items()}))


def issue(hall: LocalHall, count: int) -> None:
    with hall.client("ticketing") as c:
        for _ in range(count):
            assert c.post("/api/v1/tickets", json={"service": SERVICE}).status_code == 201
    with hall.client("counters") as c:
        deadline = time.monotonic() + 120
        while c.get("/api/v1/queues").json()["waiting"].get(SERVICE, 0) < count:
            assert time.monotonic() < deadline, "tickets did not reach the counters"
            time.sleep(0.1)


def desk(hall: LocalHall, token: str) -> list[float]:
    """Call next until nobody waits; the latencies in milliseconds."""
    cmd = [
        sys.executable,
        "-m",
        "bench.officer",
        "--pause",
        "0.05",
        "--",
        hall.url("counters"),
        str(COUNTER),
        token,
    ]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, cwd=ROOT).stdout
    return [ms for _, ms, _ in json.loads(out)]


def phase(hall: LocalHall, token: str, calls: int, guessing: bool) -> tuple[list[float], dict[str, int]]:
    issue(hall, calls)
    if not guessing:
        return desk(hall, token), {}
    cmd = [sys.executable, "-m", "bench.signin", "--guess", hall.url("counters")]
    guessers = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True, cwd=ROOT)
    time.sleep(2.0)  # flat out before the first call
    try:
        latencies = desk(hall, token)
    finally:
        guessers.send_signal(signal.SIGTERM)
        out, _ = guessers.communicate(timeout=60)
    return latencies, json.loads(out)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.signin")
    parser.add_argument("--calls", type=int, default=300, help="calls per phase")
    parser.add_argument("--rounds", type=int, default=2, help="baseline and guessing phases, alternating")
    parser.add_argument("--guess", metavar="URL", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.guess:
        guess(args.guess, 3600)
        return
    rows = ["| phase | calls | p50 ms | p95 ms | sign-in answers |", "|---|---|---|---|---|"]
    p95: dict[bool, list[float]] = {False: [], True: []}
    with tempfile.TemporaryDirectory() as tmp, own_nats(Path(tmp)) as nats_url:
        hall = LocalHall(Path(tmp), nats_url, None, ("ticketing", "counters")).start()
        try:
            for username in ("o3", "o4", "o5"):
                hall.add_officer(username, "dukcapil")
            token = hall.sign_in("o3")["Authorization"].removeprefix("Bearer ")
            issue(hall, 20)
            desk(hall, token)  # warm-up
            for r in range(args.rounds):
                for guessing in (False, True):
                    ms, answers = phase(hall, token, args.calls, guessing)
                    p95[guessing].append(pct(ms, 95))
                    name = f"{'8 clients guessing' if guessing else 'baseline'} ({r + 1})"
                    seen = ", ".join(f"{k}: {v}" for k, v in sorted(answers.items())) or "none"
                    rows.append(
                        f"| {name} | {len(ms)} | {statistics.median(ms):.2f} | {pct(ms, 95):.2f} | {seen} |"
                    )
        finally:
            hall.stop()
    ratio = statistics.mean(p95[True]) / statistics.mean(p95[False])
    print(
        f"Machine: {platform.platform()}, {os.cpu_count()} cores, Python {platform.python_version()}, SQLite"
    )
    print("\n".join(rows))
    print(f"call next p95, guessing / baseline: {ratio:.2f}")


if __name__ == "__main__":
    main()
