"""``python -m bench.flood``: does a booking flood slow the kiosk down? The kiosk's issue latency
(one kiosk, one request after another) measured calm, then while 1,000 booking requests arrive as
fast as eight connections send them from one client (no key: one address), then while 1,000 arrive
for one phone through twenty help-desk keys. Flat out (the default) every flood is over in well
under a minute; ``--flood-seconds 50`` spreads each over most of a minute, as a tout's script would.
Either way the limits (30 a minute per client, 5 per phone) refuse almost all of it.

The ticketing service runs under uvicorn as in production, on PostgreSQL (ANTRE_BENCH_DATABASE_URL,
default the local server) and NATS (ANTRE_BENCH_NATS_URL, default the local server). Results are
printed as Markdown.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import tempfile
import threading
import time
from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx

from tools.local_hall import LocalHall

FLOOD = 1000
DESKS = {f"meja-bantuan-{i:02d}-0123456789": "helpdesk" for i in range(20)}


def pct(values: list[float], p: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(p / 100 * (len(ordered) - 1)))]


def kiosk(url: str, stop: Callable[[], bool], least: int) -> list[float]:
    """Issue walk-in numbers one after another until ``stop`` (and at least ``least`` of them)."""
    out: list[float] = []
    with httpx.Client(base_url=url, timeout=30) as c:
        while len(out) < least or not stop():
            started = time.perf_counter()
            response = c.post("/api/v1/tickets", json={"service": "jkn", "kiosk": "kiosk-1"})
            out.append((time.perf_counter() - started) * 1000)
            assert response.status_code == 201, response.text
    return out


def flood(
    url: str,
    body: Callable[[int], dict[str, str]],
    headers: Callable[[int], dict[str, str]],
    seconds: float = 0.0,
) -> tuple[Counter[int], float]:
    """1,000 booking requests from eight connections: spread evenly over ``seconds``, or as fast
    as they are answered when it is 0."""
    local = threading.local()
    started = time.perf_counter()

    def one(n: int) -> int:
        if not hasattr(local, "client"):
            local.client = httpx.Client(base_url=url, timeout=30)
        if seconds:
            time.sleep(max(0.0, started + n * seconds / FLOOD - time.perf_counter()))
        return int(local.client.post("/api/v1/bookings", json=body(n), headers=headers(n)).status_code)

    with ThreadPoolExecutor(8) as pool:
        statuses = Counter(pool.map(one, range(FLOOD)))
    return statuses, time.perf_counter() - started


def cpu_seconds(pid: int) -> float:
    """User and system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def session(url: str) -> tuple[str, str]:
    days = httpx.get(f"{url}/api/v1/services/ktp-el/sessions").json()["days"]
    day = next(d for d in days if d["pool"]["online_left"] > 0 and any(s["left"] for s in d["sessions"]))
    return day["day"], next(s["start"] for s in day["sessions"] if s["left"] > 0)


def run(database_url: str, nats_url: str, calm_count: int, flood_seconds: float) -> str:
    folder = Path(tempfile.mkdtemp(prefix="antre-flood-"))
    env = {"ANTRE_API_KEYS": json.dumps(DESKS)}
    hall = LocalHall(folder, nats_url, database_url, ("ticketing",), env).start()
    try:
        url = hall.url("ticketing")
        kiosk(url, lambda: True, 50)  # warm up: connections, plans, the relay
        process = hall.processes["ticketing"].process
        assert process is not None
        keys = list(DESKS)

        def booking(phone: Callable[[int], str]) -> Callable[[int], dict[str, str]]:
            day, start = session(url)  # a session with room: a refusal is the limit's, not the session's

            def body(n: int) -> dict[str, str]:
                nik = f"7471010101{90 + n // 1000 % 10:02d}{n % 1000 + 1:04d}"
                return {"service": "ktp-el", "day": day, "session": start, "nik": nik, "name": f"Warga {n}",
                        "phone": phone(n)}  # fmt: skip

            return body

        cpu = cpu_seconds(process.pid)
        calm = kiosk(url, lambda: True, calm_count)
        rows = [("calm", calm, "", 0.0, (cpu_seconds(process.pid) - cpu) * 1000 / len(calm))]
        floods = {
            "1,000 bookings from one client": (lambda n: f"0812{n:08d}", lambda n: {}),
            "1,000 bookings for one phone, 20 help desks": (
                lambda n: "081299990000",
                lambda n: {"X-Api-Key": keys[n % len(keys)]},
            ),
        }
        for name, (phone, headers) in floods.items():
            # A fresh minute: the limits start from zero (a flood spread over more than a minute
            # meets fresh limits in each).
            time.sleep(61 - time.time() % 60)
            body = booking(phone)
            done = threading.Event()
            with ThreadPoolExecutor(1) as side:
                cpu = cpu_seconds(process.pid)
                measured = side.submit(kiosk, url, done.is_set, 20)
                statuses, seconds = flood(url, body, headers, flood_seconds)
                done.set()
                ms = measured.result()
                per_request = (cpu_seconds(process.pid) - cpu) * 1000 / (FLOOD + len(ms))
                rows.append((name, ms, json.dumps(dict(sorted(statuses.items()))), seconds, per_request))
    finally:
        hall.stop()
    lines = [
        "| kiosk issue while | n | p50 ms | p99 ms | max ms | flood answers (status: count) | flood s "
        "| ticketing CPU ms per request |",
        "| --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for name, ms, answers, seconds, cpu_ms in rows:
        lines.append(
            f"| {name} | {len(ms)} | {statistics.median(ms):.1f} | {pct(ms, 99):.1f} | {max(ms):.1f} | "
            f"{answers} | {seconds:.1f} | {cpu_ms:.2f} |"
        )
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--database-url",
        default=os.environ.get("ANTRE_BENCH_DATABASE_URL", "postgresql://postgres@127.0.0.1:5432/test"),
    )
    parser.add_argument("--nats-url", default=os.environ.get("ANTRE_BENCH_NATS_URL", "nats://127.0.0.1:4222"))
    parser.add_argument("--calm", type=int, default=300, help="kiosk requests measured without a flood")
    parser.add_argument(
        "--flood-seconds", type=float, default=0.0, help="spread each flood over this long (0: flat out)"
    )
    args = parser.parse_args()
    print(run(args.database_url, args.nats_url, args.calm, args.flood_seconds))


if __name__ == "__main__":
    main()
