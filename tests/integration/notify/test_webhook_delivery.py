"""Events to webhooks against a real HTTP receiver and a migrated SQLite store: a receiver that
fails twice gets the event on the third attempt, once; a redelivered event creates nothing; a
receiver that never recovers is given up on; a claimed delivery is not claimed twice."""

from __future__ import annotations

import datetime as dt
import json
import socket
from collections.abc import Callable
from typing import TYPE_CHECKING

from sqlalchemy import func, select

from antre import db
from antre.events import Envelope
from antre.hall.model import Hall, Webhook
from services.notify import handlers
from services.notify.adapters import repository as repo
from services.notify.adapters.tables import deliveries
from services.notify.domain.deliveries import Delivery, State

if TYPE_CHECKING:  # the fakes are this folder's fixtures; only type checkers import them
    from conftest import Clock, Receiver

HallWith = Callable[..., Hall]
MakeDeps = Callable[..., handlers.Deps]
Called = Callable[..., Envelope]


def metric(deps: handlers.Deps, name: str, **labels: str) -> float | None:
    return deps.metrics.registry.get_sample_value(name, labels)


def all_deliveries(deps: handlers.Deps) -> list[Delivery]:
    with db.read(deps.uow.engine) as conn:
        return repo.listing(conn, None, 100)


def run_worker(deps: handlers.Deps, clock: Clock, seconds: float, step: float = 0.5) -> int:
    """The worker's rounds over ``seconds`` of fake time; returns how many attempts were made."""
    attempts = 0
    for _ in range(int(seconds / step)):
        attempts += handlers.deliver_due(deps)
        clock.advance(step)
    return attempts


def test_fails_twice_then_delivers_exactly_once(
    hall_with: HallWith,
    make_deps: MakeDeps,
    ticket_called: Called,
    receiver: Receiver,
    clock: Clock,
) -> None:
    hall = hall_with(
        Webhook(f"{receiver.url}/hook?token=rahasia", ("ticket.called",), "dukcapil"),
        Webhook(f"{receiver.url}/samsat", ("ticket.called",), "samsat"),
    )
    deps = make_deps(hall)
    envelope = ticket_called()

    assert handlers.on_events(deps, [envelope]) == 1
    assert handlers.on_events(deps, [envelope]) == 0  # redelivered by JetStream: nothing new

    attempts = run_worker(deps, clock, seconds=30)

    assert attempts == 3
    assert [r.status for r in receiver.requests] == [500, 500, 200]
    # Retried after 1 s, then after 2 s more: the domain's schedule, paced by the fake clock.
    gaps = [
        (b.at - a.at).total_seconds() for a, b in zip(receiver.requests, receiver.requests[1:], strict=False)
    ]
    assert gaps == [1.0, 2.0]
    delivered = receiver.requests[-1]
    assert delivered.path == "/hook?token=rahasia"
    assert delivered.headers["Content-Type"] == "application/json"
    assert delivered.headers["Antre-Event-Id"] == envelope.event_id
    assert delivered.headers["Antre-Event"] == "ticket.called"
    assert delivered.headers["traceparent"].split("-")[1] == "0af7651916cd43dd8448eb211c80319c"
    assert json.loads(delivered.body) == {
        "event": "ticket.called",
        "event_id": envelope.event_id,
        "hall": "kendari",
        "agency": "dukcapil",
        "occurred_at": "2026-03-02T01:15:00Z",
        "ticket": {"id": "tkt-1", "number": "B-012", "service": "kartu-keluarga"},
        "counter": {"number": 3, "name": "Loket 3 Disdukcapil", "zone": "lantai-1-a"},
        "message": {
            "id": "Nomor antrean B-012, silakan menuju Loket 3 (Dinas Kependudukan dan Pencatatan Sipil)",
            "en": "Queue number B-012, please go to Counter 3 (Civil Registry Office)",
        },
    }
    assert all(r.body == delivered.body for r in receiver.requests)  # every retry, the same bytes

    [row] = all_deliveries(deps)
    assert (row.state, row.attempts, row.last_error) == (State.DELIVERED, 3, "")
    assert metric(deps, "antre_deliveries_total", outcome="retry") == 2
    assert metric(deps, "antre_deliveries_total", outcome="delivered") == 1
    assert metric(deps, "antre_deliveries_total", outcome="failed") == 0
    assert metric(deps, "antre_delivery_seconds_count") == 3
    assert metric(deps, "antre_deliveries_pending") == 0

    # The same event once more, long after: still one delivery, nothing sent again.
    assert handlers.on_events(deps, [envelope]) == 0
    assert run_worker(deps, clock, seconds=600, step=60) == 0
    assert len(receiver.requests) == 3


def test_one_event_reaches_each_interested_url_once(
    hall_with: HallWith,
    make_deps: MakeDeps,
    ticket_called: Called,
    receiver: Receiver,
    clock: Clock,
) -> None:
    receiver.failures = 0
    hall = hall_with(
        Webhook(f"{receiver.url}/all", ("ticket.called", "ticket.completed")),
        Webhook(f"{receiver.url}/dukcapil", ("ticket.called",), "dukcapil"),
        Webhook(f"{receiver.url}/dukcapil", ("ticket.called", "ticket.completed"), "dukcapil"),  # heard once
        Webhook(f"{receiver.url}/issued", ("ticket.issued",)),
    )
    deps = make_deps(hall)

    assert handlers.on_events(deps, [ticket_called(), ticket_called(agency="samsat")]) == 3
    run_worker(deps, clock, seconds=2)

    assert sorted(r.path for r in receiver.requests) == ["/all", "/all", "/dukcapil"]
    assert {r.state for r in all_deliveries(deps)} == {State.DELIVERED}


def test_a_receiver_that_never_recovers_is_given_up(
    hall_with: HallWith,
    make_deps: MakeDeps,
    ticket_called: Called,
    receiver: Receiver,
    clock: Clock,
) -> None:
    receiver.failures = 1_000
    deps = make_deps(hall_with(Webhook(f"{receiver.url}/down")), max_attempts=3)
    handlers.on_events(deps, [ticket_called()])

    run_worker(deps, clock, seconds=60)

    assert len(receiver.requests) == 3
    [row] = all_deliveries(deps)
    assert (row.state, row.attempts, row.last_error) == (State.FAILED, 3, "HTTP 500")
    assert metric(deps, "antre_deliveries_total", outcome="failed") == 1
    assert metric(deps, "antre_deliveries_pending") == 0


def test_an_unreachable_receiver_is_retried(
    hall_with: HallWith,
    make_deps: MakeDeps,
    ticket_called: Called,
    clock: Clock,
) -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    deps = make_deps(hall_with(Webhook(f"http://127.0.0.1:{port}/hook")))
    handlers.on_events(deps, [ticket_called()])

    assert handlers.deliver_due(deps) == 1

    [row] = all_deliveries(deps)
    assert (row.state, row.attempts) == (State.PENDING, 1)
    assert row.last_error.startswith("ConnectError")
    assert row.next_attempt_at == clock() + dt.timedelta(seconds=1)
    assert metric(deps, "antre_deliveries_pending") == 1


def test_a_claimed_delivery_is_hidden_from_other_workers_until_its_lease_ends(
    hall_with: HallWith,
    make_deps: MakeDeps,
    ticket_called: Called,
    clock: Clock,
) -> None:
    deps = make_deps(hall_with(Webhook("http://127.0.0.1:9/hook")))
    handlers.on_events(deps, [ticket_called()])
    lease_end = clock() + deps.lease

    with deps.uow.begin() as tx:
        first = repo.claim_due(tx.conn, tx.now, 50, lease_end)
    with deps.uow.begin() as tx:
        second = repo.claim_due(tx.conn, tx.now, 50, lease_end)
    clock.now = lease_end  # the first worker died mid-send: the delivery comes back
    with deps.uow.begin() as tx:
        third = repo.claim_due(tx.conn, tx.now, 50, lease_end + deps.lease)

    assert [len(first), len(second), len(third)] == [1, 0, 1]
    with db.read(deps.uow.engine) as conn:
        assert conn.execute(select(func.count()).select_from(deliveries)).scalar_one() == 1
