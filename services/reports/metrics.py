"""The reports service's metrics, made on the registry bootstrap hands in.

- ``antre_record_events_total{outcome}``: events applied to the visit record: ``applied``, or
  ``unknown_ticket`` (about a ticket whose issue is not in the record: it fell before the stream's
  history; a growing figure after a rebuild means the stream keeps less than the record needs).
- ``antre_record_lag_seconds``: from an event's occurrence to its batch's commit in the record.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Histogram

LAG_BUCKETS = (0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, 30.0, 60.0)


class Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.events = Counter(
            "antre_record_events_total", "Events applied to the visit record", ["outcome"], registry=registry
        )
        for outcome in ("applied", "unknown_ticket"):
            self.events.labels(outcome)
        self.lag = Histogram(
            "antre_record_lag_seconds",
            "From an event's occurrence to its commit in the visit record",
            buckets=LAG_BUCKETS,
            registry=registry,
        )

    def applied(self, count: int, unknown: int) -> None:
        self.events.labels("applied").inc(count - unknown)
        if unknown:
            self.events.labels("unknown_ticket").inc(unknown)
