"""Notify's metrics, made on the registry bootstrap hands in (nothing at import time).

- ``antre_deliveries_total{outcome}``: webhook attempts by outcome: ``delivered`` (2xx),
  ``retry`` (failed, will be tried again), ``failed`` (failed for the last time, given up).
- ``antre_delivery_seconds``: time of one webhook attempt, request out to status in.
- ``antre_deliveries_pending``: deliveries still owed, to webhooks and citizens (due now, waiting
  for their retry or for the end of quiet hours); a figure that only grows means a receiver is down.
- ``antre_citizen_messages_total{channel,kind,outcome}``: citizens' messages by channel (email,
  whatsapp, sms), kind (confirmation, reminder, turn_near, called, no_show, survey) and outcome:
  ``delivered``, ``retry``, ``failed``, or ``dropped`` (not sent on purpose: opted out, booking
  cancelled, contact purged).
- ``antre_citizen_message_seconds{channel}``: time of one attempt at a provider.
- ``antre_position_lookups_total{outcome}``: questions to counters for "turn near": ``ok`` or
  ``error`` (counters unreachable; asked again next round).
- ``antre_contacts_purged_total``: contacts deleted by the retention rule.
- ``antre_opt_outs_total``: opt-out requests recorded (repeats included).
- ``antre_phone_codes_total{outcome}``: one-time codes ``sent``, answers ``matched`` and answers
  ``refused`` (wrong, spent, dead or expired); many refusals mean someone is guessing.
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram

OUTCOMES = ("delivered", "retry", "failed")
BUCKETS = (0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0)


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
            buckets=BUCKETS,
            registry=registry,
        )
        self.pending = Gauge(
            "antre_deliveries_pending",
            "Deliveries (webhooks and citizens) not yet delivered, given up nor dropped",
            registry=registry,
        )
        self.citizen_messages = Counter(
            "antre_citizen_messages_total",
            "Citizens' message attempts and drops by channel, kind and outcome",
            ["channel", "kind", "outcome"],
            registry=registry,
        )
        self.citizen_seconds = Histogram(
            "antre_citizen_message_seconds",
            "Time of one attempt at a citizen channel's provider",
            ["channel"],
            buckets=BUCKETS,
            registry=registry,
        )
        self.position_lookups = Counter(
            "antre_position_lookups_total",
            "Ticket position questions to counters by outcome",
            ["outcome"],
            registry=registry,
        )
        for outcome in ("ok", "error"):
            self.position_lookups.labels(outcome)
        self.contacts_purged = Counter(
            "antre_contacts_purged_total", "Contacts deleted by the retention rule", registry=registry
        )
        self.opt_outs = Counter("antre_opt_outs_total", "Opt-out requests recorded", registry=registry)
        self.phone_codes = Counter(
            "antre_phone_codes_total",
            "One-time codes sent and answers checked",
            ["outcome"],
            registry=registry,
        )
        for outcome in ("sent", "matched", "refused"):
            self.phone_codes.labels(outcome)
