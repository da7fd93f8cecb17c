"""Ticketing's metrics, made on the registry bootstrap hands in (nothing at import time).

- ``antre_tickets_issued_total{agency,service,channel}``: tickets that became callable.
- ``antre_tickets_cancelled_total{agency,service,reason}``: numbers never called: a failed or
  unconfirmed print (``print_failed``, ``print_timeout``), or still waiting when their day ended
  (``day_ended``).
- ``antre_ticket_issue_seconds``: time to take a number, request in to committed.
- ``antre_online_places_taken_total{agency,service}``: online places of a day's pool taken by
  bookings, whatever their day; a pool drained faster than citizens book is an alert.
"""

from __future__ import annotations

from collections.abc import Iterable

from prometheus_client import CollectorRegistry, Counter, Histogram


class Metrics:
    def __init__(self, registry: CollectorRegistry, bookable: Iterable[tuple[str, str]] = ()) -> None:
        """``bookable``: each (agency, service) with online booking, whose pool counter starts at
        0, so that its alert has a series (and a rate of 0) before the first booking."""
        self.issued = Counter(
            "antre_tickets_issued_total",
            "Tickets that became callable",
            ["agency", "service", "channel"],
            registry=registry,
        )
        self.cancelled = Counter(
            "antre_tickets_cancelled_total",
            "Tickets cancelled without being called (failed print, or their day ended)",
            ["agency", "service", "reason"],
            registry=registry,
        )
        self.online_taken = Counter(
            "antre_online_places_taken_total",
            "Online places of a service's day pool taken by bookings",
            ["agency", "service"],
            registry=registry,
        )
        for agency, service in bookable:
            self.online_taken.labels(agency, service)
        self.issue_seconds = Histogram(
            "antre_ticket_issue_seconds",
            "Time to issue a ticket",
            buckets=(0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0),
            registry=registry,
        )
