"""``python -m bench.cpu``: where a ticket's CPU goes in the whole hall. Starts ticketing, counters
and display (uvicorn, PostgreSQL, a NATS from the wheel), runs wrk against ticket issue with 8
connections for 10 s, and divides each process group's CPU time (``/proc/<pid>/stat``, user and
system) over that stretch by the tickets issued. PostgreSQL and NATS count every process of
theirs on the machine, so run it on a quiet machine."""

from __future__ import annotations

import argparse
import os
import re
import subprocess
import tempfile
import time
from pathlib import Path

from tools.hall import NatsServer
from tools.local_hall import LocalHall

ISSUE = Path(__file__).with_name("issue.lua")


def cpu_seconds(pids: list[int]) -> float:
    total = 0.0
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def pids_of(pattern: str) -> list[int]:
    found = subprocess.run(["pgrep", "-f", pattern], capture_output=True, text=True).stdout
    return [int(p) for p in found.split()]


def wrk(url: str, connections: int, seconds: int, token: str) -> str:
    cmd = ["wrk", "-t2", f"-c{connections}", f"-d{seconds}s", "--latency", "-s", str(ISSUE), url]
    env = {**os.environ, "ANTRE_KIOSK_TOKEN": token}
    out = subprocess.run(cmd, capture_output=True, text=True, check=True, env=env).stdout
    # wrk counts refusals as requests: a figure per ticket holds only when every answer issued one.
    if "Non-2xx or 3xx responses" in out:
        raise SystemExit(f"some requests were refused, the figures would not be per ticket:\n{out}")
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.cpu")
    parser.add_argument("--connections", type=int, default=8)
    parser.add_argument("--seconds", type=int, default=10)
    args = parser.parse_args()
    db_url = os.environ.get("ANTRE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test")
    with tempfile.TemporaryDirectory() as tmp:
        nats = NatsServer(Path(tmp) / "nats").start()
        hall = LocalHall(Path(tmp), nats.url, db_url, ("ticketing", "counters", "display")).start()
        try:
            groups = {name: [p.process.pid] for name, p in hall.processes.items() if p.process}
            groups["postgresql"] = pids_of("postgres")
            groups["nats"] = pids_of("nats-server")
            token = hall.kiosk_token()
            wrk(hall.url("ticketing"), args.connections, 3, token)  # warm up
            time.sleep(3)
            before = {name: cpu_seconds(pids) for name, pids in groups.items()}
            out = wrk(hall.url("ticketing"), args.connections, args.seconds, token)
            time.sleep(2)  # the consumers finish what the run left them
            after = {name: cpu_seconds(pids) for name, pids in groups.items()}
        finally:
            hall.stop()
            nats.stop()
    rate = re.search(r"Requests/sec:\s+([\d.]+)", out)
    assert rate, out
    tickets = float(rate.group(1)) * args.seconds
    print(f"{float(rate.group(1)):.0f} tickets/s with {args.connections} connections")
    print("| process | CPU ms per ticket |\n|---|---|")
    for name in groups:
        print(f"| {name} | {(after[name] - before[name]) * 1000 / tickets:.2f} |")


if __name__ == "__main__":
    main()
