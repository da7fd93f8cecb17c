"""Prometheus on the live hall: a real Prometheus scrapes the five services every second, with the
labels production's relabelling adds and the repository's rules loaded, while a busy stretch of
the day runs (tickets issued, some prints failing, calls, recalls and no-shows, service completed,
a counter paused and resumed, boards connected, agencies' webhooks delivered, retried and given
up). Then every Grafana panel query, every recording rule and every alert is asked of it:

- a panel query or a recording rule must return at least one finite sample;
- an alert's expression as written must be accepted, and with its comparisons made ``bool``
  (tests/support/promql.py) it must return data: the series exist and its joins match, whether
  or not the hall is over the threshold now; ``offset`` reaches back only as far as the hall's
  minutes of history. The alert that the refusing webhook must trip is seen firing.

Queries that are right but read a series no service observes yet are listed in
``NOT_OBSERVED`` (checked both ways): events given up, which a healthy hall has none of. Queries
over what prometheus-nats-exporter exports from the NATS pods (``jetstream_*``, ``gnatsd_*``) are
only checked to be valid: no exporter runs here (no package index this project installs from
ships it). ``NATS_EXPORTER_QUERIES`` names them, so the gap stays visible.
"""

from __future__ import annotations

import json
import math
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.deploy.conftest import NATS_EXPORTER_PREFIXES, series_in, tool
from tests.deploy.test_grafana import DASHBOARDS, queries
from tests.deploy.test_prometheus import rules
from tests.e2e.test_journey import SERVICES
from tests.support.hall import RunningHall, wait_for
from tests.support.infra import free_port
from tests.support.prometheus import Prometheus
from tests.support.promql import offsets_within, without_filtering

pytestmark = pytest.mark.e2e

COUNTERS = {1: "dukcapil", 2: "dukcapil", 3: "dukcapil", 7: "dpmptsp", 10: "bapenda", 11: "bapenda"}
AGENCY = "dukcapil"  # the agency dashboard's $agency
# Grafana's time variables for a viewer of the last hour: the hall's whole history here.
TIME_VARIABLES = {"$__rate_interval": "2m", "$__interval": "15s", "$__range": "1h"}
HISTORY_REACH = "15s"  # how far back an alert's offset may look in a hall minutes old
# Panels and rules over prometheus-nats-exporter's series (see the module docstring).
NATS_EXPORTER_QUERIES = {
    "platform: Konsumen tertinggal / Consumer lag",
    "platform: Pesan di stream / Messages in the stream",
    "platform: Koneksi per node / Connections per node",
    "platform: Penyimpanan JetStream / JetStream storage",
    "record: hall_stream_consumer:jetstream_consumer_num_pending:max",
    "alert: AntreConsumerLag",
    "platform: Belum diambil / Not yet fetched",
}
# Right queries over a series no service observes yet, if any. Checked both ways: should the
# series get data, this test asks for the entry to go. Events given up: a counter born at the
# first one, which a healthy hall never has (tests/integration/antre/test_dead_letters.py makes one).
NOT_OBSERVED: set[str] = {
    "platform: Peristiwa gagal / Events given up",
    "alert: AntreEventsDead",
}
FIVE = ("ticketing", "counters", "display", "notify", "reports")


@dataclass
class Receiver:
    """The agencies' systems: ``/ok`` takes every event, ``/flaky`` fails its first requests with
    500 (retried), ``/refuse`` always answers 400 (given up after the hall's attempts)."""

    port: int = field(default_factory=free_port)
    seen: dict[str, int] = field(default_factory=dict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def status(self, path: str) -> int:
        with self._lock:
            self.seen[path] = self.seen.get(path, 0) + 1
            if path == "/refuse":
                return 400
            return 500 if path == "/flaky" and self.seen[path] <= 3 else 200

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"


@pytest.fixture
def receiver() -> Iterator[Receiver]:
    answers = Receiver()

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length", "0")))
            self.send_response(answers.status(self.path))
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args: Any) -> None:
            pass

    server = ThreadingHTTPServer(("127.0.0.1", answers.port), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield answers
    server.shutdown()


@pytest.fixture
def prometheus_binary() -> str:
    return tool("prometheus")


def kiosk(hall: RunningHall, count: int, pace: float) -> None:
    """Walk-ins over the stretch; every seventh at the printing kiosk, one in three of those with a
    failed print (a cancelled number), the rest confirmed."""
    printer = {"Authorization": f"Bearer {hall.kiosk_token('kiosk-2')}"}
    with hall.client("ticketing") as c:
        for i in range(count):
            printing = i % 7 == 3
            body = {"service": SERVICES[i % len(SERVICES)], "kiosk": "kiosk-2" if printing else ""}
            response = c.post("/api/v1/tickets", json=body, headers=printer if printing else {})
            assert response.status_code == 201, response.text
            if printing:
                outcome = "print-failed" if i % 3 == 0 else "printed"
                done = c.post(f"/api/v1/tickets/{response.json()['id']}/{outcome}", headers=printer)
                assert done.status_code == 200
            time.sleep(pace)


def officer(hall: RunningHall, number: int, stop: threading.Event) -> int:
    """Call, serve and complete; every eighth citizen does not come (two recalls, then a skip:
    a no-show). The first counter pauses for a while midway. Returns the calls made."""
    headers = hall.sign_in(f"o{number}")
    calls, paused = 0, False
    with httpx.Client(base_url=hall.url("counters"), headers=headers, timeout=10) as c:
        assert c.post(f"/api/v1/counters/{number}/open").status_code == 200
        while not stop.is_set():
            if number == 1 and calls == 4 and not paused:
                paused = True
                assert (
                    c.post(f"/api/v1/counters/{number}/pause", json={"reason": "istirahat"}).status_code
                    == 200
                )
                stop.wait(3.0)
                assert c.post(f"/api/v1/counters/{number}/resume").status_code == 200
            response = c.post(f"/api/v1/counters/{number}/call-next")
            assert response.status_code == 200, response.text
            if response.json()["ticket"] is None:
                stop.wait(0.2)
                continue
            calls += 1
            if calls % 8 == 0:
                for action in ("recall", "recall", "skip"):
                    assert c.post(f"/api/v1/counters/{number}/{action}").status_code == 200, action
                continue
            assert c.post(f"/api/v1/counters/{number}/start").status_code == 200
            stop.wait(0.6)  # serving
            assert c.post(f"/api/v1/counters/{number}/complete").status_code == 200
    return calls


def board(hall: RunningHall, zone: str, stop: threading.Event) -> None:
    """A board page on the zone's live stream for as long as the stretch lasts."""
    with httpx.Client(base_url=hall.url("display"), timeout=httpx.Timeout(5.0, read=1.0)) as c:
        while not stop.is_set():
            try:
                with c.stream("GET", f"/api/v1/zones/{zone}/events") as events:
                    for _ in events.iter_lines():
                        if stop.is_set():
                            return
            except httpx.ReadTimeout:  # a quiet zone: keep the page connected
                continue


def substituted(expr: str, hall_id: str) -> str:
    values = {"$hall": hall_id, "$agency": AGENCY, **TIME_VARIABLES}
    for name in sorted(values, key=len, reverse=True):
        expr = expr.replace(name, values[name])
    assert "$" not in expr, f"a Grafana variable without a value: {expr}"
    return expr


def reads_nats_exporter(expr: str) -> bool:
    return any(prefix in name for name in series_in(expr) for prefix in NATS_EXPORTER_PREFIXES)


def finite(samples: list[dict[str, Any]]) -> bool:
    return any(math.isfinite(float(s["value"][1])) for s in samples)


def panel_queries(hall_id: str) -> dict[str, str]:
    out = {}
    for path in DASHBOARDS:
        for title, expr in queries(json.loads(path.read_text())):
            key = f"{path.stem}: {title}"
            while key in out:  # two queries in one panel
                key += " +"
            out[key] = substituted(expr, hall_id)
    return out


def problems_with_data(prom: Prometheus, named: dict[str, str]) -> list[str]:
    """What is wrong with each query that must return data (exporter queries: validity only)."""
    problems = []
    for name, expr in named.items():
        try:
            samples = prom.query(expr)
        except AssertionError as exc:
            problems.append(f"{name}: refused: {exc}")
            continue
        if name.rstrip(" +") in NATS_EXPORTER_QUERIES:
            continue
        if name in NOT_OBSERVED:
            if finite(samples):
                problems.append(f"{name}: has data now: take it off NOT_OBSERVED")
        elif not finite(samples):
            problems.append(f"{name}: no data ({len(samples)} samples, none finite): {expr}")
    return problems


def test_comparisons_keep_every_pair() -> None:
    assert without_filtering('a{x!="y"} > on (h) b') == 'a{x!="y"} > bool on (h) b'
    assert (
        without_filtering("(c == 0 and d > bool 1) or e <= 2")
        == "(c == bool 0 and d > bool 1) or e <= bool 2"
    )
    assert offsets_within("x offset 15m > x offset 1h", "15s") == "x offset 15s > x offset 15s"


def test_the_nats_exporter_list_is_exactly_what_reads_its_series() -> None:
    named = {**panel_queries("h"), **{f"record: {r['record']}": r["expr"] for r in rules() if "record" in r}}
    named |= {f"alert: {r['alert']}": r["expr"] for r in rules() if "alert" in r}
    exporter = {name.rstrip(" +") for name, expr in named.items() if reads_nats_exporter(expr)}
    assert exporter == NATS_EXPORTER_QUERIES


def test_every_panel_rule_and_alert_on_the_live_hall(
    start_hall: Callable[..., RunningHall], receiver: Receiver, prometheus_binary: str, tmp_path: Path
) -> None:
    webhooks = [
        {"url": f"{receiver.url}/ok", "events": ["ticket.called"], "agency": "dukcapil"},
        {"url": f"{receiver.url}/flaky", "events": ["ticket.called"], "agency": "dpmptsp"},
        {"url": f"{receiver.url}/refuse", "events": ["ticket.called"], "agency": "bapenda"},
    ]
    # Two attempts per delivery: a refused one is given up within seconds, not hours.
    env = {"ANTRE_WEBHOOK_POLL_SECONDS": "0.2", "ANTRE_WEBHOOK_MAX_ATTEMPTS": "2"}
    hall = start_hall(*FIVE, extra_env=env, webhooks=webhooks)
    prom = Prometheus(prometheus_binary, tmp_path / "prometheus", hall).start()
    try:
        wait_for(
            lambda: sum(float(s["value"][1]) for s in prom.query('up{job="antre"}')) == len(FIVE),
            what="Prometheus to scrape the five services",
        )
        for number, agency in COUNTERS.items():
            hall.add_officer(f"o{number}", agency)
        with hall.client("display") as c:
            zones = [z["code"] for z in c.get("/api/v1/zones").json()["zones"]]

        stop = threading.Event()
        with ThreadPoolExecutor(len(COUNTERS) + len(zones) + 1) as pool:
            boards = [pool.submit(board, hall, zone, stop) for zone in zones]
            officers = [pool.submit(officer, hall, n, stop) for n in COUNTERS]
            try:
                # More walk-ins than six counters serve: a queue is left at the end, as in a
                # busy hour.
                pool.submit(kiosk, hall, 100, 0.08).result(timeout=120)
                time.sleep(2.0)
            finally:
                stop.set()
            assert sum(f.result(timeout=30) for f in officers) > 30
            for future in boards:
                future.result(timeout=30)
        wait_for(lambda: receiver.seen.get("/refuse", 0) >= 2, what="a webhook refused twice")

        # The services' last figures scraped and the rules evaluated on them.
        time.sleep(3.0)
        checks(prom, hall)
    finally:
        prom.stop()


def checks(prom: Prometheus, hall: RunningHall) -> None:
    # The dashboards' variables offer this hall, and the agency its agency dashboard shows.
    assert hall.hall_id in prom.api("label/hall/values", **{"match[]": 'up{job="antre"}'})
    agencies = prom.api("label/agency/values", **{"match[]": f'antre_queue_length{{hall="{hall.hall_id}"}}'})
    assert AGENCY in agencies

    problems = problems_with_data(prom, panel_queries(hall.hall_id))
    problems += problems_with_data(
        prom, {f"record: {r['record']}": r["expr"] for r in rules() if "record" in r}
    )
    for rule in (r for r in rules() if "alert" in r):
        name = f"alert: {rule['alert']}"
        try:
            prom.query(rule["expr"])  # as written
        except AssertionError as exc:
            problems.append(f"{name}: refused: {exc}")
            continue
        problems += problems_with_data(
            prom, {name: offsets_within(without_filtering(rule["expr"]), HISTORY_REACH)}
        )

    # Prometheus evaluated every rule without an error.
    for group in prom.api("rules")["groups"]:
        for rule in group["rules"]:
            if rule.get("health") != "ok":
                problems.append(f"rule {rule['name']}: {rule.get('health')}: {rule.get('lastError')}")
    assert not problems, "\n".join(problems)

    # The refusing receiver trips the webhook alert (it has no `for`: it fires at once).
    firing = (
        f'ALERTS{{alertname="AntreWebhookDeliveriesFailing", alertstate="firing", hall="{hall.hall_id}"}}'
    )
    wait_for(lambda: bool(prom.query(firing)), timeout=30, what="the webhook alert to fire")
