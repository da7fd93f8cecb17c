"""The counters' metrics, made on the registry bootstrap hands in.

- ``antre_wait_seconds{agency,service}``: joined the queue -> called (histogram).
- ``antre_service_seconds{agency,service}``: serving started -> completed (histogram).
- ``antre_calls_total{counter,agency}``: calls made at each counter.
- ``antre_queue_length{agency,service}``: tickets waiting now, read from the database at scrape.
- ``antre_call_next_seconds``: time to answer "call next", request in to committed.
- ``antre_counter_state{counter,agency,state}``: 1 for each counter's state now (open, paused,
  closed), read from the database at scrape.
- ``antre_no_shows_total{agency,service}``: called tickets skipped as no-shows.
- ``antre_holds_total{agency,service}``: citizens set aside at a counter (*tunda*).
- ``antre_returns_total{agency,service,was}``: tickets brought back to the queue, by what they
  were (``skipped``, ``no_show``, ``held``).
- ``antre_forecast_seconds``: time to forecast one group of services' waiting tickets (the twin
  run from a snapshot of the live queue, for status pages).
- ``antre_agency_commands_total``, ``antre_agency_commands_refused_total``: agencies' commands
  (:class:`CommandMetrics`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterator

from prometheus_client import CollectorRegistry, Counter, Histogram
from prometheus_client.core import GaugeMetricFamily
from prometheus_client.registry import Collector

MINUTES = (30, 60, 120, 300, 600, 900, 1200, 1800, 2700, 3600, 5400, 7200, 10800)


class QueueLength(Collector):
    def __init__(self, read: Callable[[], dict[tuple[str, str], int]]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily("antre_queue_length", "Tickets waiting now", labels=["agency", "service"])
        for (agency, service), n in sorted(self._read().items()):
            family.add_metric([agency, service], n)
        yield family


class CounterStates(Collector):
    def __init__(self, read: Callable[[], list[tuple[int, str, str]]]) -> None:
        self._read = read

    def collect(self) -> Iterator[GaugeMetricFamily]:
        family = GaugeMetricFamily(
            "antre_counter_state", "Each counter's state now (1)", labels=["counter", "agency", "state"]
        )
        for number, agency, state in self._read():
            family.add_metric([str(number), agency, state], 1)
        yield family


class Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.wait = Histogram(
            "antre_wait_seconds",
            "Time from joining the queue to being called",
            ["agency", "service"],
            buckets=MINUTES,
            registry=registry,
        )
        self.service = Histogram(
            "antre_service_seconds",
            "Time from serving started to completed",
            ["agency", "service"],
            buckets=MINUTES,
            registry=registry,
        )
        self.calls = Counter("antre_calls_total", "Calls made", ["counter", "agency"], registry=registry)
        self.call_next_seconds = Histogram(
            "antre_call_next_seconds",
            "Time to answer call next",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=registry,
        )
        self.no_shows = Counter(
            "antre_no_shows_total",
            "Called tickets skipped as no-shows",
            ["agency", "service"],
            registry=registry,
        )
        self.holds = Counter(
            "antre_holds_total",
            "Citizens set aside at a counter",
            ["agency", "service"],
            registry=registry,
        )
        self.returns = Counter(
            "antre_returns_total",
            "Tickets brought back to the queue",
            ["agency", "service", "was"],
            registry=registry,
        )
        self.forecast_seconds = Histogram(
            "antre_forecast_seconds",
            "Time to forecast the call times of one group of services",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
            registry=registry,
        )

    def watch_queue(self, read: Callable[[], dict[tuple[str, str], int]]) -> None:
        self.registry.register(QueueLength(read))

    def watch_counters(self, read: Callable[[], list[tuple[int, str, str]]]) -> None:
        self.registry.register(CounterStates(read))


class CommandMetrics:
    """- ``antre_agency_commands_total{agency,command,outcome}``: commands taken from agencies'
      systems; outcome ``applied``, ``unchanged`` (the counter was already so), ``refused`` or
      ``duplicate`` (a redelivery).
    - ``antre_agency_commands_refused_total{agency,code}``: refusals by reason.
    """

    def __init__(self, registry: CollectorRegistry) -> None:
        self.taken = Counter(
            "antre_agency_commands_total",
            "Commands from agencies' systems",
            ["agency", "command", "outcome"],
            registry=registry,
        )
        self.refused = Counter(
            "antre_agency_commands_refused_total",
            "Commands from agencies' systems refused",
            ["agency", "code"],
            registry=registry,
        )
