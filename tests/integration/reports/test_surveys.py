"""The SKM survey's answers on SQLite and PostgreSQL: an answer for a completed visit is written
and published in one transaction, a change within the window replaces it (a new event), after it
the response is final, and every refusal leaves the record and the outbox as they were."""

from __future__ import annotations

import datetime as dt
import itertools
import threading
from typing import Any

import pytest
from sqlalchemy import Engine, select

from antre.events import decode, to_datetime
from antre.problems import Conflict, Invalid, NotFound
from antre.v1 import events_pb2 as pb
from services.reports import handlers
from services.reports.adapters.tables import outbox, surveys
from services.reports.domain.skm_form import Respondent
from services.reports.handlers import surveys as survey
from tests.integration.reports.conftest import NOW
from tests.support.survey_visits import record_visit
from tests.support.visit_day import envelopes

WINDOW = dt.timedelta(minutes=30)
FOURS = {f"u{i}": 4 for i in range(1, 10)}
MIXED = {"u1": 4, "u2": 3, "u3": 2, "u4": 4, "u5": 3, "u6": 3, "u7": 4, "u8": 1, "u9": 3}


def rows(engine: Engine) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        return [dict(r) for r in conn.execute(select(surveys).order_by(surveys.c.ticket_id)).mappings()]


def staged(engine: Engine) -> list[pb.SurveyAnswered]:
    with engine.connect() as conn:
        found = conn.execute(select(outbox.c.event_type, outbox.c.payload).order_by(outbox.c.seq)).all()
    return [decode(name, payload) for name, payload in found]  # type: ignore[misc]


def at(deps: handlers.Deps, moment: dt.datetime) -> None:
    deps.uow.clock = lambda: moment


@pytest.fixture
def served(deps: handlers.Deps) -> str:
    """A KTP visit completed at counter 1 five minutes before NOW."""
    ticket_id, _ = record_visit(deps, "ktp-el", 1, NOW - dt.timedelta(minutes=5))
    return ticket_id


def test_an_answer_is_written_and_published_once(deps: handlers.Deps, store: Engine, served: str) -> None:
    given = Respondent(34, "P", "S1", "WIRAUSAHA", "Antrean rapi.")
    result = survey.answer(deps, served, MIXED, given, WINDOW)

    assert result.refusal is None and result.changeable_until == NOW + WINDOW
    (row,) = rows(store)
    assert [row[f"u{i}"] for i in range(1, 10)] == [4, 3, 2, 4, 3, 3, 4, 1, 3]
    assert (row["service"], row["agency"], row["day"]) == ("ktp-el", "dukcapil", deps.hall.day_of(NOW))
    assert (row["age"], row["sex"], row["education"], row["occupation"]) == (34, "P", "S1", "WIRAUSAHA")
    (event,) = staged(store)
    assert isinstance(event, pb.SurveyAnswered)
    assert (event.ticket.ticket_id, event.ticket.service, event.meta.agency) == (served, "ktp-el", "dukcapil")
    assert list(event.scores) == [4, 3, 2, 4, 3, 3, 4, 1, 3] and event.suggestion == "Antrean rapi."
    assert to_datetime(event.answered_at) == NOW == to_datetime(event.meta.occurred_at)


def test_the_consumer_applying_the_same_event_changes_nothing(
    deps: handlers.Deps, store: Engine, served: str
) -> None:
    survey.answer(deps, served, MIXED, Respondent(sex="L"), WINDOW)
    before = rows(store)

    assert handlers.on_events(deps, envelopes(staged(store))) == 1
    assert rows(store) == before


def test_a_change_within_the_window_replaces_the_answer(
    deps: handlers.Deps, store: Engine, served: str
) -> None:
    survey.answer(deps, served, MIXED, Respondent(34, "P", suggestion="Rapi."), WINDOW)
    at(deps, NOW + WINDOW - dt.timedelta(seconds=1))

    result = survey.answer(deps, served, FOURS, Respondent(occupation="PNS"), WINDOW)

    (row,) = rows(store)
    assert [row[f"u{i}"] for i in range(1, 10)] == [4] * 9
    # The fields left empty keep what was given; the window still counts from the first answer.
    assert (row["age"], row["sex"], row["occupation"], row["suggestion"]) == (34, "P", "PNS", "Rapi.")
    assert result.changeable_until == NOW + WINDOW
    first, second = staged(store)
    assert first.meta.event_id != second.meta.event_id
    assert list(second.scores) == [4] * 9 and to_datetime(second.answered_at) == NOW


def test_after_the_window_the_answer_is_final(deps: handlers.Deps, store: Engine, served: str) -> None:
    survey.answer(deps, served, MIXED, Respondent(), WINDOW)
    before, events = rows(store), staged(store)
    at(deps, NOW + WINDOW)

    with pytest.raises(Conflict) as refused:
        survey.answer(deps, served, FOURS, Respondent(), WINDOW)

    assert refused.value.code == "survey_final" and "sudah final" in refused.value.message
    assert (rows(store), staged(store)) == (before, events)
    assert survey.survey(deps, served, WINDOW).refusal is not None


@pytest.mark.parametrize("fate", ["no_show", "waiting"])
def test_a_visit_not_completed_is_refused(deps: handlers.Deps, store: Engine, fate: str) -> None:
    ticket_id, _ = record_visit(deps, "ktp-el", 1, NOW - dt.timedelta(minutes=5), fate=fate)

    with pytest.raises(Conflict) as refused:
        survey.answer(deps, ticket_id, FOURS, Respondent(), WINDOW)

    assert refused.value.code == "survey_visit_not_completed"
    assert (rows(store), staged(store)) == ([], [])
    refusal = survey.survey(deps, ticket_id, WINDOW).refusal
    assert refusal is not None and refusal.code == "survey_visit_not_completed"


def test_an_unknown_ticket_is_not_found(deps: handlers.Deps, store: Engine) -> None:
    with pytest.raises(NotFound):
        survey.answer(deps, "no-such-ticket", FOURS, Respondent(), WINDOW)
    with pytest.raises(NotFound):
        survey.survey(deps, "no-such-ticket", WINDOW)
    assert (rows(store), staged(store)) == ([], [])


@pytest.mark.parametrize(
    "scores",
    [
        {**FOURS, "u3": 5},
        {**FOURS, "u3": 0},
        {**FOURS, "u3": "4"},
        {k: v for k, v in FOURS.items() if k != "u5"},
        {**FOURS, "u10": 4},
    ],
)
def test_bad_values_are_refused_and_change_nothing(
    deps: handlers.Deps, store: Engine, served: str, scores: dict[str, object]
) -> None:
    with pytest.raises(Invalid):
        survey.answer(deps, served, scores, Respondent(), WINDOW)
    assert (rows(store), staged(store)) == ([], [])

    survey.answer(deps, served, MIXED, Respondent(), WINDOW)
    before, events = rows(store), staged(store)
    with pytest.raises(Invalid):  # a change with bad values leaves the first answer standing
        survey.answer(deps, served, scores, Respondent(), WINDOW)
    assert (rows(store), staged(store)) == (before, events)


def test_a_transferred_visit_is_rated_where_it_was_completed(deps: handlers.Deps, store: Engine) -> None:
    ticket_id, _ = record_visit(deps, "ktp-el", 1, NOW - dt.timedelta(minutes=5), fate="waiting")
    ref = pb.TicketRef(
        ticket_id=ticket_id, service="jkn", number="A-900", hall_day=deps.hall.day_of(NOW).isoformat()
    )
    moved = pb.TicketTransferred(
        meta=pb.EventMeta(event_id="move", hall=deps.hall.id, agency="bpjs"), ticket=ref
    )
    moved.meta.occurred_at.FromDatetime(NOW - dt.timedelta(minutes=4))
    done = pb.TicketCompleted(
        meta=pb.EventMeta(event_id="done", hall=deps.hall.id, agency="bpjs"), ticket=ref
    )
    done.meta.occurred_at.FromDatetime(NOW - dt.timedelta(minutes=1))
    done.counter.number = 17
    handlers.on_events(deps, envelopes([moved, done]))

    survey.answer(deps, ticket_id, FOURS, Respondent(), WINDOW)

    (row,) = rows(store)
    assert (row["service"], row["agency"]) == ("jkn", "bpjs")


def test_answers_at_once_for_one_ticket_take_turns(deps: handlers.Deps, store: Engine, served: str) -> None:
    """Eight phones send at the same moment (one citizen tapping twice, a tablet and a phone): one
    is the first answer, the others changes of it, and every event names that first answer."""
    ticks = itertools.count()
    deps.uow.clock = lambda: NOW + dt.timedelta(milliseconds=next(ticks))  # each transaction its own now
    barrier = threading.Barrier(8)
    failures: list[BaseException] = []

    def send(n: int) -> None:
        barrier.wait()
        try:
            survey.answer(deps, served, {**FOURS, "u1": 1 + n % 4}, Respondent(), WINDOW)
        except BaseException as error:
            failures.append(error)

    threads = [threading.Thread(target=send, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert failures == []
    events = staged(store)
    assert len(events) == 8 and len({to_datetime(e.answered_at) for e in events}) == 1
    (row,) = rows(store)
    assert row["u1"] == events[-1].scores[0]  # the last committed change stands
