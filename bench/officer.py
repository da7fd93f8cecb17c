"""One officer's desk as a light client, for ``bench.run``: ``call next``, a glance, ``complete``,
over one keep-alive connection (``http.client``), until nobody waits. Run as its own process so
that the latencies are the service's, not those of a busy client (the benchmark's board readers
share its event loop). Prints one JSON line: per call, the latency in milliseconds and the instant
it was answered on the system-wide monotonic clock, which the parent compares with its boards'."""

from __future__ import annotations

import argparse
import http.client
import json
import time
from urllib.parse import urlsplit


def now() -> float:
    return time.clock_gettime(time.CLOCK_MONOTONIC)


def main() -> None:
    p = argparse.ArgumentParser(prog="python -m bench.officer")
    p.add_argument("url", help="the counters service, e.g. http://127.0.0.1:8102")
    p.add_argument("counter", type=int)
    p.add_argument("token")
    p.add_argument("--pause", type=float, default=0.05, help="seconds from a call to the next call")
    p.add_argument("--look", type=float, default=0.05, help="seconds from a call to its complete")
    args = p.parse_args()
    where = urlsplit(args.url)
    conn = http.client.HTTPConnection(where.hostname or "127.0.0.1", where.port or 80)
    headers = {"Authorization": f"Bearer {args.token}", "Content-Length": "0"}

    def post(action: str) -> dict[str, object]:
        conn.request("POST", f"/api/v1/counters/{args.counter}/{action}", headers=headers)
        response = conn.getresponse()
        body: dict[str, object] = json.loads(response.read())
        if response.status != 200:
            raise SystemExit(f"{action}: {response.status} {body}")
        return body

    post("open")
    calls: list[tuple[str, float, float]] = []  # number, latency ms, answered at
    while True:
        start = now()
        ticket = post("call-next")["ticket"]
        done = now()
        if ticket is None:
            break
        assert isinstance(ticket, dict)
        calls.append((str(ticket["number"]), (done - start) * 1000, done))
        time.sleep(args.look)  # the officer looks up before completing
        post("complete")
        time.sleep(max(0.0, args.pause - args.look))
    print(json.dumps(calls))


if __name__ == "__main__":
    main()
