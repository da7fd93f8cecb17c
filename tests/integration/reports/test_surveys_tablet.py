"""A counter's tablet on SQLite and PostgreSQL: it offers the visit its counter completed last,
within 15 minutes and not yet answered, takes the answer for the visit the server finds (never one
the tablet names), and is run only by people who may work that counter."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine, select

from antre.problems import Conflict, Forbidden, NotFound
from antre.roles import Person, Role
from services.reports import handlers
from services.reports.adapters.tables import surveys
from services.reports.domain.skm_form import Respondent
from services.reports.handlers import surveys as survey
from tests.integration.reports.conftest import NOW
from tests.support.people import MANAGER, OFFICER, OTHER_SUPERVISOR, SUPERVISOR
from tests.support.survey_visits import record_visit

WINDOW = dt.timedelta(minutes=30)
FOURS = {f"u{i}": 4 for i in range(1, 10)}


def minutes_ago(n: float) -> dt.datetime:
    return NOW - dt.timedelta(minutes=n)


def answered(engine: Engine) -> dict[str, tuple[int, ...]]:
    with engine.connect() as conn:
        found = conn.execute(select(surveys)).mappings()
        return {r["ticket_id"]: tuple(r[f"u{i}"] for i in range(1, 10)) for r in found}


def test_the_last_visit_completed_at_the_counter_is_offered(deps: handlers.Deps) -> None:
    record_visit(deps, "ktp-el", 1, minutes_ago(9))
    last, number = record_visit(deps, "ktp-el", 1, minutes_ago(3))
    record_visit(deps, "ktp-el", 2, minutes_ago(1))  # another counter's
    record_visit(deps, "ktp-el", 1, minutes_ago(0.5), fate="no_show")  # not completed

    found = survey.pending(deps, 1)

    assert found is not None and (found.ticket_id, found.number, found.counter) == (last, number, 1)
    assert survey.pending(deps, 3) is None


def test_nothing_is_offered_after_15_minutes(deps: handlers.Deps) -> None:
    record_visit(deps, "ktp-el", 1, minutes_ago(15.5))
    assert survey.pending(deps, 1) is None


def test_once_answered_the_tablet_waits_for_the_next_citizen(deps: handlers.Deps, store: Engine) -> None:
    record_visit(deps, "ktp-el", 1, minutes_ago(6))  # unanswered, but its citizen has left
    last, number = record_visit(deps, "ktp-el", 1, minutes_ago(2))

    done = survey.answer_pending(deps, 1, number, FOURS, Respondent(sex="P"), WINDOW)

    assert done.visit.ticket_id == last and answered(store) == {last: (4,) * 9}
    assert survey.pending(deps, 1) is None
    following, _ = record_visit(deps, "ktp-el", 1, minutes_ago(1))
    found = survey.pending(deps, 1)
    assert found is not None and found.ticket_id == following


def test_an_answer_for_a_visit_no_longer_pending_is_refused(deps: handlers.Deps, store: Engine) -> None:
    _, shown = record_visit(deps, "ktp-el", 1, minutes_ago(4))
    record_visit(deps, "ktp-el", 1, minutes_ago(1))  # completed while the tablet was filled in

    with pytest.raises(Conflict) as moved:
        survey.answer_pending(deps, 1, shown, FOURS, Respondent(), WINDOW)
    with pytest.raises(Conflict) as nothing:
        survey.answer_pending(deps, 2, shown, FOURS, Respondent(), WINDOW)

    assert (moved.value.code, nothing.value.code) == ("survey_pending_moved", "survey_nothing_pending")
    assert answered(store) == {}


@pytest.mark.parametrize(
    ("person", "counter"),
    [
        (OFFICER, 1),  # Dukcapil's counter, Dukcapil's officer
        (OFFICER, 6),
        (SUPERVISOR, 3),
        (MANAGER, 17),  # hall-wide
        (OTHER_SUPERVISOR, 17),  # BPJS's supervisor at BPJS's counter
        (Person("ani", "Ani", "", Role.OFFICER), 10),  # an officer of no agency works any counter
    ],
)
def test_the_counters_people_may_run_its_tablet(deps: handlers.Deps, person: Person, counter: int) -> None:
    survey.check_tablet(deps, person, counter)


@pytest.mark.parametrize(("person", "counter"), [(OFFICER, 17), (OFFICER, 7), (OTHER_SUPERVISOR, 1)])
def test_another_agencys_counter_is_refused(deps: handlers.Deps, person: Person, counter: int) -> None:
    with pytest.raises(Forbidden) as refused:
        survey.check_tablet(deps, person, counter)
    assert refused.value.code == "other_agency"


def test_an_unknown_counter_is_not_found(deps: handlers.Deps) -> None:
    with pytest.raises(NotFound):
        survey.check_tablet(deps, MANAGER, 99)
