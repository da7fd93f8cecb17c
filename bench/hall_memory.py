"""``python -m bench.hall_memory``: how much memory the embedded hall (``make run``) holds.

Starts ``python -m tools.devhall`` on free ports with a fresh state folder, waits for its banner,
sums the resident set (VmRSS) of the launcher and every process under it (the five services and
NATS) from /proc, issues 50 walk-in tickets through the kiosk API with the first kiosk's device
token (as a kiosk does, its per-minute limit lifted), waits for the events to settle, sums again,
and stops the hall. RSS counts shared pages (the interpreter, libraries) once per process, as a
container's limit would; PSS, which splits them, is printed beside it. Results are printed as
Markdown for BENCHMARKS.md.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

from tools import devhall

ROOT = Path(__file__).resolve().parents[1]
# Walk-in only services of the example hall, in turn: no daily booking quota in the way.
SERVICES = ("kartu-keluarga", "akta-kelahiran", "pbb-p2", "pkb-tahunan", "perizinan-berusaha", "jkn")


def free_ports(count: int) -> int:
    """A first port with ``count`` free ports from it (the services' ports follow ticketing's)."""
    while True:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            base = int(s.getsockname()[1])
        if base + count < 65536 and all(_free(p) for p in range(base, base + count)):
            return base


def _free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


def descendants(pid: int) -> list[int]:
    """``pid`` and every process under it, from /proc's children lists."""
    out, todo = [], [pid]
    while todo:
        current = todo.pop()
        out.append(current)
        for task in Path(f"/proc/{current}/task").glob("*"):
            children = (task / "children").read_text().split() if (task / "children").exists() else []
            todo += [int(c) for c in children]
    return out


def memory(pid: int, root: int) -> tuple[str, int, int]:
    """A process's name, RSS and PSS in KiB (0 for one that has exited and holds no memory)."""
    rss = re.search(r"^VmRSS:\s+(\d+)", Path(f"/proc/{pid}/status").read_text(), re.M)
    pss = re.search(r"^Pss:\s+(\d+)", Path(f"/proc/{pid}/smaps_rollup").read_text(), re.M)
    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    words = [w.decode() for w in cmdline if w]
    service = next((w.split(".")[1] for w in words if w.startswith("services.")), None)
    name = service or (
        "nats" if words and "nats-server" in words[0] else "launcher" if pid == root else "other"
    )
    return name, int(rss.group(1)) if rss else 0, int(pss.group(1)) if pss else 0


def snapshot(pid: int) -> dict[str, tuple[int, int]]:
    out: dict[str, tuple[int, int]] = {}
    for child in descendants(pid):
        try:
            name, rss, pss = memory(child, pid)
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        before = out.get(name, (0, 0))
        out[name] = (before[0] + rss, before[1] + pss)
    return out


def start(state: Path, base: int, nats: int) -> tuple[subprocess.Popen[str], str, float]:
    began = time.monotonic()
    hall = subprocess.Popen(
        devhall.command(state, base, nats),
        cwd=ROOT,
        # 50 numbers in seconds from one kiosk: past a kiosk's per-minute limit, which a person
        # taking numbers never reaches.
        env={**os.environ, "ANTRE_KIOSK_TICKETS_PER_MINUTE": "1000"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert hall.stdout is not None
    banner = ""
    while "Ctrl-C" not in banner:
        line = hall.stdout.readline()
        if not line:
            raise SystemExit(f"the hall stopped before its banner:\n{banner}")
        banner += line
    return hall, banner, time.monotonic() - began


def issue(base: int, banner: str, count: int) -> None:
    token = re.search(r"/kiosk\?kiosk=(\S+)#device=(\S+)", banner)
    if not token:
        raise SystemExit(f"no kiosk address in the banner:\n{banner}")
    kiosk, device = token.groups()
    headers = {"Authorization": f"Bearer {device}"}
    with httpx.Client(base_url=f"http://127.0.0.1:{base}", headers=headers, timeout=30) as c:
        for i in range(count):
            response = c.post(
                "/api/v1/tickets", json={"service": SERVICES[i % len(SERVICES)], "kiosk": kiosk}
            )
            response.raise_for_status()


def table(rows: dict[str, dict[str, tuple[int, int]]]) -> str:
    order = ["launcher", "nats", "ticketing", "counters", "display", "notify", "reports"]
    phases = list(rows)
    lines = [
        "| process | " + " | ".join(f"{p} RSS MiB | {p} PSS MiB" for p in phases) + " |",
        "|---|" + "---:|---:|" * len(phases),
    ]
    names = order + sorted({n for r in rows.values() for n in r} - set(order))
    for name in names:
        cells = [rows[p].get(name, (0, 0)) for p in phases]
        lines.append(f"| {name} | " + " | ".join(f"{r / 1024:.0f} | {s / 1024:.0f}" for r, s in cells) + " |")
    totals = [tuple(sum(v[i] for v in rows[p].values()) for i in (0, 1)) for p in phases]
    lines.append(
        "| **total** | " + " | ".join(f"**{r / 1024:.0f}** | {s / 1024:.0f}" for r, s in totals) + " |"
    )
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hall_memory", description=__doc__)
    parser.add_argument("--tickets", type=int, default=50)
    parser.add_argument("--settle", type=float, default=3.0, help="seconds to let the events flow")
    args = parser.parse_args(argv)
    base = free_ports(5)
    nats = free_ports(1)
    while nats in range(base, base + 5):
        nats = free_ports(1)
    with tempfile.TemporaryDirectory(prefix="antre-memory-") as state:
        hall, banner, seconds = start(Path(state), base, nats)
        try:
            time.sleep(args.settle)
            rows = {"started": snapshot(hall.pid)}
            issue(base, banner, args.tickets)
            time.sleep(args.settle)
            rows[f"after {args.tickets} tickets"] = snapshot(hall.pid)
        finally:
            hall.send_signal(signal.SIGINT)
            hall.wait(timeout=30)
    print(f"Ready in {seconds:.1f} s.\n")
    print(table(rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())
