"""The counters' read side: a ticket's position, the counters and the queue lengths, for pages,
the status page and metrics. Nothing here changes state."""

from __future__ import annotations

from antre.privacy import ticket_key
from antre.problems import NotFound
from services.counters.adapters import repository as repo
from services.counters.domain import blending
from services.counters.domain.queue import QueuedTicket, State
from services.counters.domain.stations import Station
from services.counters.handlers import Deps, counter_of


def position(deps: Deps, ticket_id: str) -> int | None:
    with deps.uow.read() as conn:
        ticket = repo.get_ticket(conn, ticket_id)
        if ticket is None:
            raise NotFound("unknown_ticket", "Nomor antrean tidak ditemukan", "Ticket not found")
        if ticket.state != State.WAITING:
            return None
        waiting = repo.waiting_in(conn, ticket.service, ticket.hall_day)
    me = next(t for t in waiting if t.ticket_id == ticket.id)
    return blending.position(me, waiting, _policy(deps, ticket.service), deps.hall.queue, deps.uow.clock())


def positions(deps: Deps, service: str) -> dict[str, int]:
    """Positions of a service's waiting tickets, keyed by :func:`antre.privacy.ticket_key`."""
    now = deps.uow.clock()
    with deps.uow.read() as conn:
        waiting = repo.waiting_in(conn, service, deps.hall.day_of(now))
    policy = _policy(deps, service)
    return {
        ticket_key(t.ticket_id): blending.position(t, waiting, policy, deps.hall.queue, now) for t in waiting
    }


def _policy(deps: Deps, service: str) -> blending.BlendPolicy:
    found = deps.hall.service(service)
    return blending.policy_of(found.booking if found else None)


def current_ticket(deps: Deps, station: Station) -> QueuedTicket | None:
    if not station.current:
        return None
    with deps.uow.read() as conn:
        return repo.get_ticket(conn, station.current)


def station(deps: Deps, number: int) -> Station:
    counter_of(deps, number)
    with deps.uow.read() as conn:
        return repo.get_station(conn, number)


def all_stations(deps: Deps) -> list[Station]:
    with deps.uow.read() as conn:
        return repo.all_stations(conn)


def waiting_counts(deps: Deps) -> dict[str, int]:
    with deps.uow.read() as conn:
        return repo.waiting_counts(conn, deps.hall.day_of(deps.uow.clock()))


def queue_lengths(deps: Deps) -> dict[tuple[str, str], int]:
    counts = waiting_counts(deps)
    return {(s.agency, s.code): counts.get(s.code, 0) for s in deps.hall.services}


def counter_states(deps: Deps) -> list[tuple[int, str, str]]:
    """(counter, agency, state) of every counter, for the metrics."""
    out = []
    for station in all_stations(deps):
        counter = deps.hall.counter(station.number)
        agencies = sorted(deps.hall.counter_agencies(counter)) if counter else []
        out.append((station.number, agencies[0] if agencies else "", station.state.value))
    return out
