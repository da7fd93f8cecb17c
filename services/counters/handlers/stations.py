"""A counter's own life: opened by an officer (or taken over from one no longer signed in),
paused with a reason, resumed, closed, and closed for them when it was left open from an earlier
day. Each change is one unit of work: the counter's row and its event commit together."""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable

from google.protobuf.message import Message

from antre.events import new_meta
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from services.counters.adapters import repository as repo
from services.counters.domain import stations
from services.counters.domain.stations import Officer, Station, StationState
from services.counters.handlers.deps import Deps
from services.counters.handlers.desk import counter_of, counter_ref, station_row

log = logging.getLogger(__name__)


def prepare(deps: Deps) -> None:
    """Give every counter of the hall file a row (closed until an officer opens it)."""
    with deps.uow.begin() as tx:
        repo.ensure_stations(tx.conn, [c.number for c in deps.hall.counters])


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


def _counter_meta(deps: Deps, number: int, now: dt.datetime) -> pb.EventMeta:
    agencies = sorted(deps.hall.counter_agencies(counter_of(deps, number)))
    return new_meta(deps.hall.id, agencies[0] if agencies else "hall", now)
