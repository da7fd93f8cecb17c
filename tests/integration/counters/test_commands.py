"""Agencies' commands at the counters, on a real store: an agency pauses, resumes and closes its
own counters; anything else is refused with a reason on its own subjects and changes nothing."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.protobuf.message import Message
from sqlalchemy import Engine

from antre.events import Envelope, new_meta, subject_for, timestamp
from antre.hall.model import Hall
from antre.v1 import commands_pb2 as cmd
from antre.v1 import events_pb2 as pb
from services.counters import handlers
from services.counters.adapters.tables import outbox
from services.counters.bootstrap import MIGRATIONS
from services.counters.domain.stations import Officer, StationState
from services.counters.handlers import commands, desk, out_of_turn
from services.counters.metrics import CommandMetrics
from tests.integration.counters.test_call_next import issued
from tests.support.deps import counters_deps, outbox_events
from tests.support.stores import drop_schema, make_store

NOW = dt.datetime(2026, 11, 30, 2, 0, tzinfo=dt.UTC)
ANI = Officer("ani", "Ani", "dukcapil")


@pytest.fixture
def store(backend: str, tmp_path: Path) -> Iterator[Engine]:
    engine, schema = make_store(backend, tmp_path, MIGRATIONS)
    yield engine
    engine.dispose()
    drop_schema(schema)


@pytest.fixture
def deps(store: Engine, kendari: Hall) -> handlers.Deps:
    return counters_deps(store, kendari, clock=lambda: NOW)


@pytest.fixture
def metrics(deps: handlers.Deps) -> CommandMetrics:
    return CommandMetrics(deps.metrics.registry)


def command(kind: type[Message], counter: int, agency: str = "dukcapil", **fields: object) -> Envelope:
    message = kind(meta=new_meta("kendari", agency, NOW - dt.timedelta(seconds=5)), counter=counter, **fields)
    return Envelope(subject_for(message), message)


def sent_by(envelope: Envelope, agency: str) -> Envelope:
    """The same command on another agency's subject (what a forged meta looks like)."""
    return Envelope(envelope.subject.replace(".dukcapil.", f".{agency}."), envelope.message)


def state(deps: handlers.Deps, number: int) -> StationState:
    with deps.uow.begin() as tx:
        return desk.station_row(tx, number).state


def events(store: Engine) -> list[Envelope]:
    return outbox_events(store, outbox)


def test_an_agency_pauses_resumes_and_closes_its_own_counter(
    deps: handlers.Deps, store: Engine, metrics: CommandMetrics
) -> None:
    handlers.open_counter(deps, ANI, 1)
    pause = command(cmd.PauseCounter, 1, reason="gangguan jaringan")
    assert commands.on_command(deps, metrics, pause) == "applied"
    assert state(deps, 1) == StationState.PAUSED
    paused = events(store)[-1]
    assert paused.subject == "antre.kendari.dukcapil.counter.paused"
    assert isinstance(paused.message, pb.CounterPaused) and paused.message.reason == "gangguan jaringan"

    assert commands.on_command(deps, metrics, command(cmd.ResumeCounter, 1)) == "applied"
    assert state(deps, 1) == StationState.OPEN
    assert commands.on_command(deps, metrics, command(cmd.CloseCounter, 1)) == "applied"
    assert state(deps, 1) == StationState.CLOSED
    assert [e.subject.rsplit(".", 1)[1] for e in events(store)] == ["opened", "paused", "resumed", "closed"]
    assert commands.on_command(deps, metrics, command(cmd.CloseCounter, 1)) == "unchanged"
    taken = deps.metrics.registry.get_sample_value
    labels = {"agency": "dukcapil", "command": "command.counter.pause", "outcome": "applied"}
    assert taken("antre_agency_commands_total", labels) == 1


def test_a_redelivered_command_changes_nothing_the_second_time(
    deps: handlers.Deps, store: Engine, metrics: CommandMetrics
) -> None:
    handlers.open_counter(deps, ANI, 2)
    pause = command(cmd.PauseCounter, 2)
    assert commands.on_command(deps, metrics, pause) == "applied"
    handlers.resume_counter(deps, ANI, 2)  # the officer resumes; the old command comes again
    assert commands.on_command(deps, metrics, pause) == "duplicate"
    assert state(deps, 2) == StationState.OPEN
    assert len(events(store)) == 3


def test_another_agencys_counter_is_refused_on_the_senders_subjects(
    deps: handlers.Deps, store: Engine, metrics: CommandMetrics
) -> None:
    dina = Officer("dina", "Dina", "bapenda")
    handlers.open_counter(deps, dina, 10)
    before = len(events(store))
    pause = command(cmd.PauseCounter, 10, agency="dukcapil")
    assert commands.on_command(deps, metrics, pause) == "refused"
    assert state(deps, 10) == StationState.OPEN
    refused = events(store)[before:]
    assert [e.subject for e in refused] == ["antre.kendari.dukcapil.counter.command_refused"]
    answer = refused[0].message
    assert isinstance(answer, cmd.CommandRefused)
    assert answer.code == "wrong_agency" and answer.command_id == pause.event_id
    assert answer.command == "command.counter.pause" and answer.counter.name == "Loket 10 Bapenda"
    assert "bukan loket instansi dukcapil" in answer.reason and "not a counter of" in answer.reason_en
    refusals = deps.metrics.registry.get_sample_value(
        "antre_agency_commands_refused_total", {"agency": "dukcapil", "code": "wrong_agency"}
    )
    assert refusals == 1
    # Asked again (a redelivery), the refusal is not repeated.
    assert commands.on_command(deps, metrics, pause) == "duplicate"
    assert len(events(store)) == before + 1


@pytest.mark.parametrize(
    ("envelope", "code"),
    [
        (sent_by(command(cmd.PauseCounter, 1), "bapenda"), "wrong_sender"),
        (command(cmd.PauseCounter, 99), "unknown_counter"),
        (command(cmd.PauseCounter, 3), "counter_closed"),
        (command(cmd.ResumeCounter, 3), "counter_closed"),
    ],
)
def test_bad_commands_are_refused_with_their_reason(
    deps: handlers.Deps, store: Engine, metrics: CommandMetrics, envelope: Envelope, code: str
) -> None:
    handlers.open_counter(deps, ANI, 1)
    assert commands.on_command(deps, metrics, envelope) == "refused"
    answer = events(store)[-1].message
    assert isinstance(answer, cmd.CommandRefused) and answer.code == code
    assert state(deps, 1) == StationState.OPEN and state(deps, 3) == StationState.CLOSED


def test_a_stale_or_anonymous_command_is_refused(
    deps: handlers.Deps, store: Engine, metrics: CommandMetrics
) -> None:
    handlers.open_counter(deps, ANI, 1)
    stale = cmd.PauseCounter(meta=new_meta("kendari", "dukcapil", NOW - dt.timedelta(hours=1)), counter=1)
    anonymous = cmd.PauseCounter(meta=new_meta("kendari", "dukcapil", NOW, event_id=""), counter=1)
    anonymous.meta.event_id = ""
    for message, code in ((stale, "command_out_of_time"), (anonymous, "bad_command_id")):
        assert commands.on_command(deps, metrics, Envelope(subject_for(message), message)) == "refused"
        answer = events(store)[-1].message
        assert isinstance(answer, cmd.CommandRefused) and answer.code == code
    assert state(deps, 1) == StationState.OPEN


def test_closing_a_counter_that_holds_a_ticket_is_refused_and_leaves_it_whole(
    deps: handlers.Deps, store: Engine, metrics: CommandMetrics, kendari: Hall
) -> None:
    issued = pb.TicketIssued(
        meta=new_meta("kendari", "dukcapil", NOW),
        ticket=pb.TicketRef(
            ticket_id=uuid.uuid4().hex,
            service="ktp-el",
            number="A-001",
            hall_day=kendari.day_of(NOW).isoformat(),
        ),
        issued_at=timestamp(NOW),
    )
    handlers.on_ticket_events(deps, [Envelope(subject_for(issued), issued)])
    handlers.open_counter(deps, ANI, 1)
    called = handlers.call_next(deps, ANI, 1)
    assert called is not None
    assert commands.on_command(deps, metrics, command(cmd.CloseCounter, 1)) == "refused"
    answer = events(store)[-1].message
    assert isinstance(answer, cmd.CommandRefused) and answer.code == "counter_busy"
    with deps.uow.begin() as tx:
        station = desk.station_row(tx, 1)
    assert station.state == StationState.OPEN and station.current == called.id


def test_an_agency_cannot_close_a_counter_holding_a_citizen_aside(
    deps: handlers.Deps, store: Engine, metrics: CommandMetrics
) -> None:
    """Ani holds a citizen aside at counter 1: the agency's close is refused (the citizen comes
    back there), its pause is applied with its reason, and a pause again with another reason
    changes the reason; once the citizen is sent back to the queue, the counter closes."""
    handlers.on_ticket_events(deps, [issued(deps.hall, 1)])
    handlers.open_counter(deps, ANI, 1)
    handlers.call_next(deps, ANI, 1)
    out_of_turn.hold(deps, ANI, 1)
    assert commands.on_command(deps, metrics, command(cmd.CloseCounter, 1)) == "refused"
    refused = events(store)[-1].message
    assert isinstance(refused, cmd.CommandRefused) and refused.code == "counter_holds_tickets"
    assert commands.on_command(deps, metrics, command(cmd.PauseCounter, 1, reason="rapat")) == "applied"
    assert commands.on_command(deps, metrics, command(cmd.PauseCounter, 1, reason="rapat")) == "unchanged"
    assert commands.on_command(deps, metrics, command(cmd.PauseCounter, 1, reason="prayer")) == "applied"
    assert [e.message.reason for e in events(store) if isinstance(e.message, pb.CounterPaused)] == [
        "rapat",
        "prayer",
    ]
    long = command(cmd.PauseCounter, 1, reason="x" * 201)
    assert commands.on_command(deps, metrics, long) == "refused"
    out_of_turn.bring_back(deps, ANI, 1, "A-001")
    assert commands.on_command(deps, metrics, command(cmd.CloseCounter, 1)) == "applied"
    assert state(deps, 1) == StationState.CLOSED
