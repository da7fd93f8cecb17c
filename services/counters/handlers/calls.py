"""The queue at a counter, in the policy's order: call the next ticket the hall's policy picks,
call it again, start serving, complete, pass it over (skip) or send it to another service
(transfer). Each action is one unit of work: the counter's row is locked first, and the ticket, the
counter and the events commit together."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from google.protobuf.message import Message

from antre.events import new_meta, ticket_ref, timestamp
from antre.problems import Conflict, NotFound
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from antre.wire import PRIORITY_TO_WIRE
from services.counters.adapters import repository as repo
from services.counters.domain import blending, queue, stations
from services.counters.domain.queue import QueuedTicket, State
from services.counters.domain.stations import Officer, Station
from services.counters.handlers.deps import Deps
from services.counters.handlers.desk import Caller, at_desk, counter_of, counter_ref, emit


def call_next(deps: Deps, caller: Caller, number: int) -> QueuedTicket | None:
    """Call the ticket the hall's policy picks. Exactly one counter gets each ticket: the claim is
    a compare-and-set, and a counter that loses a race tries the policy's next choice."""
    with deps.uow.begin() as tx:
        officer, station = at_desk(deps, tx, caller, number)
        counter = counter_of(deps, number)
        stations.ready_to_call(station, officer)
        day = deps.hall.day_of(tx.now)
        called = None
        policy, rules = deps.blends[number], deps.hall.queue
        by_session = (
            blending.booked_in_session_order(policy, rules, priority=False),
            blending.booked_in_session_order(policy, rules, priority=True),
        )
        for attempt in range(5):  # a round fails only if every head it saw was taken meanwhile
            waiting = repo.candidates(
                tx.conn, counter.services, day, by_session=by_session, skip_locked=attempt == 0
            )
            if not waiting and attempt > 0:
                break
            called = _claim_first(deps, tx, waiting, station, officer)
            if called is not None:
                break
        if called is None:
            return None
        emit_called(deps, tx, called, number, officer, pb.CALL_KIND_NEXT)
    calls_made(deps, called, number, first=called.returned_at is None)
    return called


def emit_called(
    deps: Deps, tx: Transaction, called: QueuedTicket, number: int, officer: Officer, kind: pb.CallKind
) -> None:
    emit(
        deps,
        tx,
        called,
        "ticket.called",
        pb.TicketCalled(
            meta=new_meta(deps.hall.id, called.agency, tx.now),
            ticket=ticket_ref(called),
            counter=counter_ref(deps, number),
            officer=officer.username,
            queued_at=timestamp(called.queued_at),
            kind=kind,
        ),
    )


def calls_made(deps: Deps, called: QueuedTicket, number: int, first: bool) -> None:
    """After the commit: a call counted, and the wait measured if it is the ``first`` call of the
    ticket's stay in this queue (one held and called again, or brought back, was measured at its
    first call; a brought-back ticket's queue time is a place, not an arrival)."""
    if first:
        deps.metrics.wait.labels(called.agency, called.service).observe(queue.wait_seconds(called))
    deps.metrics.calls.labels(str(number), called.agency).inc()
    deps.live.publish("queue", called.service)


def _claim_first(
    deps: Deps, tx: Transaction, waiting: list[blending.Blended], station: Station, officer: Officer
) -> QueuedTicket | None:
    policy, rules = deps.blends[station.number], deps.hall.queue
    state = blending.CounterState(station.priority_streak, station.booked_streak)
    pool = list(waiting)
    while pool:
        pick = blending.choose(pool, state, policy, rules, tx.now)
        if pick is None:
            return None
        after = blending.next_state(pick, waiting, state, policy, rules)
        held = stations.holding(station, pick.ticket_id, after.priority_streak, after.booked_streak)
        called = repo.claim_holding(tx.conn, pick.ticket_id, held, officer.username, tx.now)
        if called is not None:
            return called
        pool = [c for c in pool if c.ticket_id != pick.ticket_id]
    return None


def recall(deps: Deps, caller: Caller, number: int) -> QueuedTicket:
    def event(t: QueuedTicket, meta: pb.EventMeta, ref: pb.CounterRef) -> Message:
        return pb.TicketRecalled(meta=meta, ticket=ticket_ref(t), counter=ref, recalls=t.recalls)

    return _act(deps, caller, number, "ticket.recalled", lambda t, now: queue.recall(t, number), event)


def start_serving(deps: Deps, caller: Caller, number: int) -> QueuedTicket:
    def event(t: QueuedTicket, meta: pb.EventMeta, ref: pb.CounterRef) -> Message:
        return pb.ServingStarted(meta=meta, ticket=ticket_ref(t), counter=ref)

    return _act(deps, caller, number, "ticket.serving", lambda t, now: queue.start(t, number, now), event)


def complete(deps: Deps, caller: Caller, number: int) -> QueuedTicket:
    def event(t: QueuedTicket, meta: pb.EventMeta, ref: pb.CounterRef) -> Message:
        assert t.serving_started_at is not None
        return pb.TicketCompleted(
            meta=meta, ticket=ticket_ref(t), counter=ref, serving_started_at=timestamp(t.serving_started_at)
        )

    done = _act(
        deps, caller, number, "ticket.completed", lambda t, now: queue.complete(t, number, now), event
    )
    deps.metrics.service.labels(done.agency, done.service).observe(queue.service_seconds(done))
    return done


def skip(deps: Deps, caller: Caller, number: int) -> QueuedTicket:
    max_recalls = deps.hall.queue.max_recalls

    def event(t: QueuedTicket, meta: pb.EventMeta, ref: pb.CounterRef) -> Message:
        return pb.TicketSkipped(
            meta=meta, ticket=ticket_ref(t), counter=ref, no_show=t.state == State.NO_SHOW, recalls=t.recalls
        )

    skipped = _act(
        deps, caller, number, "ticket.skipped", lambda t, now: queue.skip(t, number, now, max_recalls), event
    )
    if skipped.state == State.NO_SHOW:
        deps.metrics.no_shows.labels(skipped.agency, skipped.service).inc()
    return skipped


def transfer(deps: Deps, officer: Officer, number: int, to_service: str) -> QueuedTicket:
    target = deps.hall.service(to_service)
    if target is None:
        raise NotFound(
            "unknown_service", f"Layanan '{to_service}' tidak dikenal", f"Unknown service '{to_service}'"
        )
    moved_from: dict[str, str] = {}

    def move(t: QueuedTicket, now: dt.datetime) -> QueuedTicket:
        moved_from.update(service=t.service, agency=t.agency)
        return queue.transfer(t, number, target, now)

    def event(t: QueuedTicket, meta: pb.EventMeta, ref: pb.CounterRef) -> Message:
        return pb.TicketTransferred(
            meta=meta,
            ticket=ticket_ref(t),
            from_service=moved_from["service"],
            from_agency=moved_from["agency"],
            counter=ref,
            priority=PRIORITY_TO_WIRE[t.priority],
        )

    return _act(deps, officer, number, "ticket.transferred", move, event)


def _act(
    deps: Deps,
    caller: Caller,
    number: int,
    span: str,
    change: Callable[[QueuedTicket, dt.datetime], QueuedTicket],
    event: Callable[[QueuedTicket, pb.EventMeta, pb.CounterRef], Message],
) -> QueuedTicket:
    """Apply an officer's action to the ticket the counter holds, and release the counter when the
    ticket leaves it."""
    with deps.uow.begin() as tx:
        officer, station = at_desk(deps, tx, caller, number)
        stations.held_by(station, officer)
        ticket = repo.get_ticket(tx.conn, station.current, lock=True) if station.current else None
        if ticket is None:
            raise Conflict(
                "no_current_ticket",
                "Tidak ada nomor yang sedang dilayani di loket ini",
                "No ticket at this counter",
            )
        changed = change(ticket, tx.now)
        repo.save_ticket(tx.conn, changed)
        if changed.state not in (State.CALLED, State.SERVING):
            repo.save_station(tx.conn, stations.released(station))
        emit(
            deps,
            tx,
            changed,
            span,
            event(changed, new_meta(deps.hall.id, changed.agency, tx.now), counter_ref(deps, number)),
        )
    deps.live.publish("queue", changed.service)
    return changed
