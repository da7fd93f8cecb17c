"""The counters' commands (an officer at a counter) and the events they react to (tickets
becoming callable). Each command is one unit of work: queue, counter and events commit together.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace

from google.protobuf.message import Message

from antre.bus import consumed
from antre.events import Envelope, new_meta, ticket_ref, timestamp, to_datetime
from antre.hall.model import Counter, Hall, PriorityGroup
from antre.inbox import new_events
from antre.live import Broadcaster
from antre.people import signed_out
from antre.problems import Conflict, NotFound
from antre.telemetry import span_under
from antre.uow import Transaction, UnitOfWork
from antre.v1 import events_pb2 as pb
from services.counters.adapters import passwords
from services.counters.adapters import repository as repo
from services.counters.adapters.tables import inbox
from services.counters.domain import blending, queue, stations
from services.counters.domain.queue import QueuedTicket, State
from services.counters.domain.stations import Officer, Station, StationState
from services.counters.metrics import Metrics

PRIORITY_FROM_WIRE = {
    pb.PRIORITY_GROUP_NONE: PriorityGroup.NONE,
    pb.PRIORITY_GROUP_ELDERLY: PriorityGroup.ELDERLY,
    pb.PRIORITY_GROUP_DISABILITY: PriorityGroup.DISABILITY,
    pb.PRIORITY_GROUP_PREGNANT: PriorityGroup.PREGNANT,
    pb.PRIORITY_GROUP_CHILD: PriorityGroup.CHILD,
}
PRIORITY_TO_WIRE = {v: k for k, v in PRIORITY_FROM_WIRE.items()}
CHANNEL_FROM_WIRE = {pb.CHANNEL_WALK_IN: "walk_in", pb.CHANNEL_ONLINE: "online", pb.CHANNEL_STAFF: "staff"}
log = logging.getLogger(__name__)
SESSION = dt.timedelta(hours=12)
CONSUMER = "counters-queue"


@dataclass
class Deps:
    hall: Hall
    uow: UnitOfWork
    metrics: Metrics
    live: Broadcaster
    # How each counter blends booked and walk-in tickets (the policy its services agree on).
    blends: dict[int, blending.BlendPolicy]
    # Sign-in keys (a username, a client) this replica blocked, until when: a guesser is refused
    # from memory, before any thread, transaction or password hash (the database has them too).
    sign_in_blocks: dict[str, dt.datetime] = field(default_factory=dict)

    @classmethod
    def for_hall(cls, hall: Hall, uow: UnitOfWork, metrics: Metrics, live: Broadcaster) -> Deps:
        blends = {
            c.number: blending.counter_policy([s for s in hall.services if s.code in c.services])
            for c in hall.counters
        }
        return cls(hall, uow, metrics, live, blends)


def prepare(deps: Deps) -> None:
    """Give every counter of the hall file a row (closed until an officer opens it)."""
    with deps.uow.begin() as tx:
        repo.ensure_stations(tx.conn, [c.number for c in deps.hall.counters])


# ---- tickets joining the queue ----


def on_ticket_events(deps: Deps, envelopes: Sequence[Envelope]) -> None:
    """A batch of events in one transaction: one commit for a burst of issued tickets, and one
    statement for its inbox and one for its new tickets however long the burst is."""
    changed: set[str] = set()
    with deps.uow.begin() as tx:
        queued: list[QueuedTicket] = []
        for envelope in new_events(tx.conn, inbox, CONSUMER, envelopes, tx.now):
            with consumed(envelope):
                message = envelope.message
                if isinstance(message, pb.TicketIssued):
                    queued.append(_queued(message, envelope.traceparent))
                elif isinstance(message, pb.TicketCancelled):
                    changed |= _add(tx, queued)  # its ticket may be among them
                    changed |= _cancel(tx, message)
        changed |= _add(tx, queued)
    for service in changed:
        deps.live.publish("queue", service)


def _add(tx: Transaction, queued: list[QueuedTicket]) -> set[str]:
    """Write the new tickets gathered so far; the services that got one (a ticket already queued,
    its issue event delivered twice, is left as it is)."""
    added = {t.service for t in repo.add_tickets(tx.conn, queued)}
    queued.clear()
    return added


def _cancel(tx: Transaction, message: pb.TicketCancelled) -> set[str]:
    cancelled = repo.get_ticket(tx.conn, message.ticket.ticket_id, lock=True)
    if cancelled is None or cancelled.state != State.WAITING:
        return set()
    repo.save_ticket(tx.conn, replace(cancelled, state=State.CANCELLED, finished_at=tx.now))
    return {cancelled.service}


def _queued(event: pb.TicketIssued, traceparent: str) -> QueuedTicket:
    issued_at = to_datetime(event.issued_at)
    return QueuedTicket(
        id=event.ticket.ticket_id,
        hall_day=dt.date.fromisoformat(event.ticket.hall_day),
        service=event.ticket.service,
        agency=event.meta.agency,
        number=event.ticket.number,
        priority=PRIORITY_FROM_WIRE.get(event.priority, PriorityGroup.NONE),
        channel=CHANNEL_FROM_WIRE.get(event.channel, "walk_in"),
        state=State.WAITING,
        issued_at=issued_at,
        queued_at=issued_at,
        traceparent=traceparent,
        session_start=to_datetime(event.session_start) if event.HasField("session_start") else None,
        booking_id=event.booking_id,
    )


# ---- officers ----


def officer_for(deps: Deps, token: str) -> Officer:
    with deps.uow.read() as conn:  # a read: on SQLite it does not queue for the write lock
        officer = repo.session_officer(conn, passwords.token_hash(token), deps.uow.clock())
    if officer is None:
        raise signed_out()
    return officer


@dataclass(frozen=True)
class SessionToken:
    """An officer's bearer token, checked inside the action's own transaction. The queue actions
    are the officers' hot path: a separate lookup cost them a transaction and a thread hop each."""

    token: str


Caller = Officer | SessionToken


def _signed_in(tx: Transaction, caller: Caller) -> Officer:
    if isinstance(caller, Officer):
        return caller
    officer = repo.session_officer(tx.conn, passwords.token_hash(caller.token), tx.now)
    if officer is None:
        raise signed_out()
    return officer


def at_desk(deps: Deps, tx: Transaction, caller: Caller, number: int) -> tuple[Officer, Station]:
    """The caller's officer and the counter's station row, locked: for a session token, one
    statement. Refusals keep their order: signed out first, then an unknown counter."""
    if isinstance(caller, Officer) or deps.hall.counter(number) is None:
        officer = _signed_in(tx, caller)
        counter_of(deps, number)
        return officer, station_row(tx, number)
    token_hash = passwords.token_hash(caller.token)
    station, signed = repo.desk(tx.conn, number, token_hash, tx.now)
    if station is None:  # the counter's first use
        repo.ensure_stations(tx.conn, [number])
        station, signed = repo.desk(tx.conn, number, token_hash, tx.now)
    if signed is None:
        raise signed_out()
    assert station is not None
    return signed, station


def sign_out(deps: Deps, token: str) -> None:
    with deps.uow.begin() as tx:
        repo.end_session(tx.conn, passwords.token_hash(token), tx.now)


# ---- a counter's own life ----


def open_counter(deps: Deps, officer: Officer, number: int) -> Station:
    """Open a closed counter, or take over one whose officer is no longer signed in
    (:func:`stations.open_station`); a take-over publishes nothing: the counter stays as open as it
    was."""
    counter = counter_of(deps, number)
    stations.may_work_at(officer, deps.hall.counter_agencies(counter))
    with deps.uow.begin() as tx:
        station = station_row(tx, number)
        holder_signed_in = bool(station.officer) and repo.signed_in(tx.conn, station.officer, tx.now)
        opened = stations.open_station(station, officer, tx.now, holder_signed_in)
        if opened is None:
            return station
        repo.save_station(tx.conn, opened)
        if station.state != StationState.CLOSED:  # taken over: as open as it was, no event
            log.info("counter %s taken over by %s from %s", number, officer.username, station.officer)
            return opened
        tx.publish(
            pb.CounterOpened(
                meta=_counter_meta(deps, number, tx.now),
                counter=counter_ref(deps, number),
                officer=officer.username,
                services=list(counter.services),
            )
        )
    return opened


def pause_counter(deps: Deps, officer: Officer, number: int, reason: str = "") -> Station:
    """Pause, saying why (a code of :data:`stations.PAUSE_REASONS` or the officer's words); the
    reason is kept on the counter while it is paused and carried on counter.paused."""
    return _station_change(
        deps,
        officer,
        number,
        lambda tx, s: stations.pause(s, officer, tx.now, reason),
        lambda s, meta, ref: pb.CounterPaused(meta=meta, counter=ref, reason=s.pause_reason),
    )


def resume_counter(deps: Deps, officer: Officer, number: int) -> Station:
    return _station_change(
        deps,
        officer,
        number,
        lambda tx, s: stations.resume(s, officer, tx.now),
        lambda s, meta, ref: pb.CounterResumed(meta=meta, counter=ref),
    )


def close_counter(deps: Deps, officer: Officer, number: int) -> Station:
    """Close, once nobody is at the desk or held aside. The held tickets are counted under the
    counter's row lock, which every hold, call and return at the counter takes first."""

    def close(tx: Transaction, station: Station) -> Station:
        held = repo.count_held(tx.conn, number, deps.hall.day_of(tx.now))
        return stations.close(station, officer, tx.now, held)

    return _station_change(
        deps, officer, number, close, lambda s, meta, ref: pb.CounterClosed(meta=meta, counter=ref)
    )


def close_left_counters(deps: Deps) -> list[int]:
    """Close the counters :func:`stations.close_left` says were left from an earlier day, once
    each even with several replicas (each is re-read under its row lock before it closes)."""
    closed: list[int] = []
    with deps.uow.begin() as tx:
        today = deps.hall.day_of(tx.now)
        for seen in repo.idle_open_stations(tx.conn):
            station = station_row(tx, seen.number)
            changed_on = deps.hall.day_of(station.changed_at) if station.changed_at else None
            signed_in = bool(station.officer) and repo.signed_in(tx.conn, station.officer, tx.now)
            left = stations.close_left(station, changed_on, today, signed_in, tx.now)
            if left is None or deps.hall.counter(station.number) is None:
                continue
            repo.save_station(tx.conn, left)
            meta, ref = _counter_meta(deps, station.number, tx.now), counter_ref(deps, station.number)
            tx.publish(pb.CounterClosed(meta=meta, counter=ref))
            closed.append(station.number)
    return closed


def _station_change(
    deps: Deps,
    officer: Officer,
    number: int,
    change: Callable[[Transaction, Station], Station | None],
    event: Callable[[Station, pb.EventMeta, pb.CounterRef], Message],
) -> Station:
    counter_of(deps, number)
    with deps.uow.begin() as tx:
        station = station_row(tx, number)
        changed = change(tx, station)
        if changed is None:
            return station
        repo.save_station(tx.conn, changed)
        tx.publish(event(changed, _counter_meta(deps, number, tx.now), counter_ref(deps, number)))
    return changed


# ---- the queue at a counter ----


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


# ---- helpers ----


def counter_of(deps: Deps, number: int) -> Counter:
    counter = deps.hall.counter(number)
    if counter is None:
        raise NotFound("unknown_counter", f"Loket {number} tidak dikenal", f"Unknown counter {number}")
    return counter


def station_row(tx: Transaction, number: int) -> Station:
    station = repo.get_station(tx.conn, number, lock=True)
    if station is None:
        repo.ensure_stations(tx.conn, [number])
        station = repo.get_station(tx.conn, number, lock=True)
    assert station is not None
    return station


def counter_ref(deps: Deps, number: int) -> pb.CounterRef:
    counter = counter_of(deps, number)
    return pb.CounterRef(number=counter.number, name=counter.name, zone=counter.zone)


def _counter_meta(deps: Deps, number: int, now: dt.datetime) -> pb.EventMeta:
    agencies = sorted(deps.hall.counter_agencies(counter_of(deps, number)))
    return new_meta(deps.hall.id, agencies[0] if agencies else "hall", now)


def emit(deps: Deps, tx: Transaction, ticket: QueuedTicket, span: str, event: Message) -> None:
    # The step's span sits in the ticket's journey trace; the event carries it onwards.
    with span_under(span, ticket.traceparent, "antre.counters", ticket=ticket.number):
        tx.publish(event)
