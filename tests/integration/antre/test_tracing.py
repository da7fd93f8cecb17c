"""A ticket's journey is one trace: issued at the kiosk, queued and called at the counters, and
every consumer's handling of its events, all under the trace the issue started."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from opentelemetry import trace
from opentelemetry.sdk.trace import TracerProvider
from opentelemetry.sdk.trace.export import SimpleSpanProcessor
from opentelemetry.sdk.trace.export.in_memory_span_exporter import InMemorySpanExporter

from antre.hall.model import Hall
from services.counters import handlers as counters
from services.counters.bootstrap import MIGRATIONS as COUNTERS
from services.counters.domain.stations import Officer
from services.ticketing import handlers as ticketing
from services.ticketing.bootstrap import MIGRATIONS as TICKETING
from tests.support.deps import counters_deps, outbox_events, ticketing_deps
from tests.support.stores import make_store

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)


@pytest.fixture
def spans() -> Iterator[InMemorySpanExporter]:
    provider = trace.get_tracer_provider()
    if not isinstance(provider, TracerProvider):
        provider = TracerProvider()
        trace.set_tracer_provider(provider)
    exporter = InMemorySpanExporter()
    processor = SimpleSpanProcessor(exporter)
    provider.add_span_processor(processor)
    yield exporter
    processor.shutdown()


def test_issue_queue_and_call_share_one_trace(
    tmp_path: Path, kendari: Hall, spans: InMemorySpanExporter
) -> None:
    (tmp_path / "t").mkdir()
    (tmp_path / "c").mkdir()
    t_engine, _ = make_store("sqlite", tmp_path / "t", TICKETING)
    c_engine, _ = make_store("sqlite", tmp_path / "c", COUNTERS)
    kiosk = ticketing_deps(t_engine, kendari, clock=lambda: NOW)
    desk = counters_deps(c_engine, kendari, clock=lambda: NOW + dt.timedelta(minutes=5))

    ticket = ticketing.issue(kiosk, ticketing.IssueTicket("ktp-el"))
    issued = outbox_events(t_engine)
    # As the bus hands a batch to the counters: each event's span under its own trace context.
    counters.on_ticket_events(desk, [replace(e, consumer="counters-queue") for e in issued])
    siti = Officer("siti", "Siti", "dukcapil")
    counters.open_counter(desk, siti, 1)
    called = counters.call_next(desk, siti, 1)
    assert called is not None and called.id == ticket.id
    counters.complete(desk, siti, 1)

    finished = spans.get_finished_spans()
    root = next(s for s in finished if s.name == "ticket")
    journey = [s for s in finished if s.context.trace_id == root.context.trace_id]
    names = {s.name for s in journey}
    assert {"ticket", "counters-queue antre.v1.TicketIssued", "ticket.called", "ticket.completed"} <= names
    assert all(s.parent is not None for s in journey if s is not root)
