"""Notify's metrics, made on the registry bootstrap hands in (nothing at import time).

- ``antre_deliveries_total{outcome}``: webhook attempts by outcome: ``delivered`` (2xx),
  ``retry`` (failed, will be tried again), ``failed`` (failed for the last time, given up).
- ``antre_delivery_seconds``: time of one webhook attempt, request out to status in.
- ``antre_deliveries_pending``: deliveries still owed (due now or waiting for their retry); a
  figure that only grows means a receiver is down.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

OUTCOMES = ("delivered", "retry", "failed")


class Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.registry = registry
        self.deliveries = Counter(
            "antre_deliveries_total",
            "Webhook delivery attempts by outcome",
            ["outcome"],
            registry=registry,
        )
        for outcome in OUTCOMES:  # export zeros, so alerts on a rate see the series from the start
            self.deliveries.labels(outcome)
        self.delivery_seconds = Histogram(
            "antre_delivery_seconds",
            "Time of one webhook attempt",
            buckets=(0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0),
            registry=registry,
        )
        self.pending = Gauge(
            "antre_deliveries_pending",
            "Webhook deliveries not yet delivered nor given up",
            registry=registry,
        )
