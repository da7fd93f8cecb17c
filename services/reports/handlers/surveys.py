"""The SKM survey's responses: what the survey page and a counter's tablet show, a citizen's answer
for a completed visit (checked, written and published as ``survey.answered`` in one transaction),
and that event into the record.

A ``survey.answered`` event is the response as it stands (a change is the same event again),
written by ticket, so a replay gives back every response exactly. The route writes the row from
the very event it publishes (:func:`apply_answered`), so the consumer's later upsert of our own
event writes the same values again."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from antre import db
from antre.events import new_meta, timestamp, to_datetime
from antre.problems import Conflict, Forbidden, NotFound
from antre.roles import Person, Role, require
from antre.uow import Transaction
from antre.v1 import events_pb2 as pb
from services.reports.adapters import record
from services.reports.adapters.tables import legs, surveys, visits
from services.reports.domain import skm_form as form
from services.reports.domain.visits import Outcome
from services.reports.handlers.deps import Deps


@dataclass(frozen=True)
class SurveyedVisit:
    """The visit a survey is about, as the record has it. Service, agency and counter are those
    of its last leg: where it was completed (a transfer's first service is not what is rated)."""

    ticket_id: str
    number: str
    day: dt.date
    outcome: Outcome
    service: str
    agency: str
    counter: int | None
    finished_at: dt.datetime | None


@dataclass(frozen=True)
class Response:
    scores: tuple[int, ...]  # the nine unsur in order
    respondent: form.Respondent
    answered_at: dt.datetime  # the first answer: the change window counts from it
    changed_at: dt.datetime


@dataclass(frozen=True)
class Survey:
    """A visit's survey as of ``now``: its response if any, and why it cannot be answered (or
    changed) now, if it cannot."""

    visit: SurveyedVisit
    response: Response | None
    now: dt.datetime
    window: dt.timedelta

    @property
    def changeable_until(self) -> dt.datetime | None:
        return None if self.response is None else form.change_deadline(self.response.answered_at, self.window)

    @property
    def refusal(self) -> Conflict | None:
        try:
            form.check_answerable(self.visit.outcome)
            form.check_changeable(_first_answer(self.response), self.now, self.window)
        except Conflict as refusal:
            return refusal
        return None


def survey(deps: Deps, ticket_id: str, window: dt.timedelta) -> Survey:
    """The survey of one ticket; an unknown ticket is refused (NotFound)."""
    now = deps.uow.clock()
    with deps.uow.read() as conn:
        return Survey(_visit(conn, deps.hall.id, ticket_id), _response(conn, ticket_id), now, window)


def answer(
    deps: Deps,
    ticket_id: str,
    scores: Mapping[str, Any],
    given: form.Respondent,
    window: dt.timedelta,
) -> Survey:
    """A citizen's answer for their visit: a first answer, or a change within the window. A
    refusal (unknown ticket, a visit not completed, a final response, a bad score) writes and
    publishes nothing."""
    checked = form.check_answers(scores)
    with deps.uow.begin() as tx:
        visit = _visit(tx.conn, deps.hall.id, ticket_id, lock=True)
        return _store(deps, tx, visit, checked, given, window)


def check_tablet(deps: Deps, person: Person, number: int) -> None:
    """A counter's tablet is run by a person who may work that counter: an officer (or above) of
    one of the agencies whose services it serves, or a hall-wide person."""
    require(person, Role.OFFICER)
    counter = deps.hall.counter(number)
    if counter is None:
        raise NotFound("counter_unknown", f"Loket {number} tidak ada", f"There is no counter {number}")
    if person.agency and person.agency not in deps.hall.counter_agencies(counter):
        raise Forbidden("other_agency", "Ini urusan instansi lain", "This belongs to another agency")


def pending(deps: Deps, counter: int) -> SurveyedVisit | None:
    """The visit a counter's tablet offers now, if any (see :func:`_pending`)."""
    now = deps.uow.clock()
    with deps.uow.read() as conn:
        return _pending(conn, deps, counter, now)


def answer_pending(
    deps: Deps,
    counter: int,
    shown: str,
    scores: Mapping[str, Any],
    given: form.Respondent,
    window: dt.timedelta,
) -> Survey:
    """The answer given on a counter's tablet, for the visit the server finds pending there (the
    tablet never names a ticket). ``shown`` is the number the tablet showed: when another visit
    has been completed since, the answer is refused rather than given to the wrong citizen."""
    checked = form.check_answers(scores)
    with deps.uow.begin() as tx:
        found = _pending(tx.conn, deps, counter, tx.now)
        if found is None:
            raise Conflict(
                "survey_nothing_pending",
                "Tidak ada layanan yang menunggu survei di loket ini",
                "No completed visit at this counter is waiting for a survey",
            )
        if found.number != shown:
            raise Conflict(
                "survey_pending_moved",
                f"Survei sekarang untuk nomor {found.number}; silakan isi ulang",
                f"The survey is now for number {found.number}; please fill it in again",
            )
        visit = _visit(tx.conn, deps.hall.id, found.ticket_id, lock=True)
        return _store(deps, tx, visit, checked, given, window)


def apply_answered(conn: Connection, hall: str, msg: pb.SurveyAnswered) -> None:
    """A response into the record (by the consumer, and by the route from its own event)."""
    scores = list(msg.scores)
    if len(scores) != len(form.UNSUR):
        return  # not a response this version can count (the route never publishes one)
    at = to_datetime(msg.meta.occurred_at)
    row = {
        "ticket_id": msg.ticket.ticket_id,
        "hall": hall,
        "day": dt.date.fromisoformat(msg.ticket.hall_day),  # the visit's day, set by the route
        "service": msg.ticket.service,
        "agency": msg.meta.agency,
        **{f"u{i + 1}": score for i, score in enumerate(scores)},
        "age": msg.age or None,
        "sex": msg.sex,
        "education": msg.education,
        "occupation": msg.occupation,
        "suggestion": msg.suggestion,
        "answered_at": to_datetime(msg.answered_at) if msg.HasField("answered_at") else at,
        "changed_at": at,
    }
    record.upsert(conn, surveys, ["ticket_id"], [row])


# ---- inside ----


def _store(
    deps: Deps,
    tx: Transaction,
    visit: SurveyedVisit,
    scores: tuple[int, ...],
    given: form.Respondent,
    window: dt.timedelta,
) -> Survey:
    before = _response(tx.conn, visit.ticket_id)
    form.check_answerable(visit.outcome)
    form.check_changeable(_first_answer(before), tx.now, window)
    respondent = form.kept(before.respondent if before else None, given)
    answered_at = before.answered_at if before else tx.now
    message = _answered(deps, visit, scores, respondent, answered_at, tx.now)
    apply_answered(tx.conn, deps.hall.id, message)
    tx.publish(message)
    return Survey(visit, Response(scores, respondent, answered_at, tx.now), tx.now, window)


def _answered(
    deps: Deps,
    visit: SurveyedVisit,
    scores: tuple[int, ...],
    respondent: form.Respondent,
    answered_at: dt.datetime,
    now: dt.datetime,
) -> pb.SurveyAnswered:
    """The one place a ``survey.answered`` event is built."""
    return pb.SurveyAnswered(
        meta=new_meta(deps.hall.id, visit.agency, now),
        ticket=pb.TicketRef(
            ticket_id=visit.ticket_id,
            service=visit.service,
            number=visit.number,
            hall_day=visit.day.isoformat(),
        ),
        scores=list(scores),
        age=respondent.age or 0,
        sex=respondent.sex or "",
        education=respondent.education or "",
        occupation=respondent.occupation or "",
        suggestion=respondent.suggestion or "",
        answered_at=timestamp(answered_at),
    )


def _first_answer(response: Response | None) -> dt.datetime | None:
    return response.answered_at if response else None


def _visit(conn: Connection, hall: str, ticket_id: str, lock: bool = False) -> SurveyedVisit:
    """``lock``: hold the visit's row to commit (PostgreSQL), so two answers for one ticket at once
    take turns and the second sees the first as a change."""
    query = select(visits.c.number, visits.c.day, visits.c.outcome).where(
        visits.c.ticket_id == ticket_id, visits.c.hall == hall
    )
    row = conn.execute(query.with_for_update() if lock else query).first()
    if row is None:
        raise NotFound(
            "survey_ticket_unknown",
            "Nomor antrean ini tidak ditemukan untuk survei",
            "This queue ticket is not known to the survey",
        )
    last = conn.execute(
        select(legs.c.service, legs.c.agency, legs.c.counter, legs.c.finished_at)
        .where(legs.c.ticket_id == ticket_id)
        .order_by(legs.c.leg.desc())
        .limit(1)
    ).first()
    service, agency, counter, finished_at = last if last is not None else ("", "", None, None)
    return SurveyedVisit(
        ticket_id, row.number, row.day, Outcome(row.outcome), service, agency, counter, db.utc(finished_at)
    )


def _response(conn: Connection, ticket_id: str) -> Response | None:
    row = conn.execute(select(surveys).where(surveys.c.ticket_id == ticket_id)).mappings().first()
    if row is None:
        return None
    respondent = form.Respondent(
        row["age"],
        row["sex"] or None,
        row["education"] or None,
        row["occupation"] or None,
        row["suggestion"] or None,
    )
    return Response(
        tuple(row[u.code] for u in form.UNSUR),
        respondent,
        record.utc(row["answered_at"]),
        record.utc(row["changed_at"]),
    )


def _pending(conn: Connection, deps: Deps, counter: int, now: dt.datetime) -> SurveyedVisit | None:
    """The visit a counter completed last, if that was within :data:`form.TABLET_WINDOW` and it has
    no answer yet. Only the last: once it is answered the tablet waits for the next citizen, and
    does not offer the one before, who has left the counter."""
    since = now - form.TABLET_WINDOW
    days = {deps.day_of("", since), deps.day_of("", now)}  # the day index, not every leg ever kept
    last = conn.execute(
        select(legs.c.ticket_id, legs.c.finished_at)
        .where(
            legs.c.hall == deps.hall.id,
            legs.c.day.in_(sorted(days)),
            legs.c.counter == counter,
            legs.c.outcome == Outcome.SERVED.value,
            legs.c.finished_at >= since,
        )
        .order_by(legs.c.finished_at.desc(), legs.c.ticket_id)
        .limit(1)
    ).first()
    if last is None or _response(conn, last.ticket_id) is not None:
        return None
    visit = _visit(conn, deps.hall.id, last.ticket_id)
    return visit if visit.outcome == Outcome.SERVED else None
