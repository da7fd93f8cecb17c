"""The SKM survey over HTTP: the citizen's page and API, a counter's tablet, and the IKM report.

Who calls what:
- a citizen, signed in nowhere: ``/survey/{ticket_id}`` and ``/api/v1/surveys/{ticket_id}``. The
  ticket id is the citizen's key, as on the status page. An unknown id and a known one answer
  differently, so unknown ids are counted per client (:class:`WrongIds`) and past the limit
  every id is answered 429 alike;
- a person who may work the counter (its agency's officer or above): the tablet's page and
  ``/api/v1/surveys/counters/{number}/pending``. The server picks the visit; the officer sees the
  ticket's number, never the answers;
- a supervisor or above: ``/api/v1/skm``, the IKM of a period; a supervisor their own agency.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import re
import time
from collections.abc import Callable
from functools import cache
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Path, Query, Request
from fastapi.responses import FileResponse, HTMLResponse
from pydantic import BaseModel, Field, StrictInt

from antre.client_address import request_client
from antre.people import signed_in
from antre.problems import Invalid, NotFound, Problem, TooMany
from antre.refusals import refusals
from antre.roles import Person, Role, require
from services.reports.domain import skm_form as form
from services.reports.entrypoints.http import STATIC, Context, Ctx, staff_page
from services.reports.handlers import skm_reports, surveys

Staff = Annotated[Person, Depends(signed_in(Role.OFFICER))]
Supervisor = Annotated[Person, Depends(signed_in(Role.SUPERVISOR))]
TicketId = Annotated[str, Path(max_length=64, description="The ticket's id (the citizen's key)")]
Counter = Annotated[int, Path(ge=1, le=10_000, description="The counter's number")]
pages = APIRouter(include_in_schema=False)
api = APIRouter(prefix="/api/v1", tags=["SKM survey"])
CITIZEN_REFUSALS = refusals(
    404, (409, "Not a completed visit, or its answers are final"), (429, "Too many unknown ticket ids")
)


class Answer(BaseModel):
    """A response as the form gives it. Scores are checked by the form's own rules (each unsur
    named in its refusal); a respondent's field left empty is not given, or, in a change, keeps
    what was given before."""

    scores: dict[str, Any] = Field(description='Each unsur\'s score, 1 to 4: {"u1": 4, ..., "u9": 3}')
    age: StrictInt | None = Field(default=None, description="Whole years; empty: not given")
    sex: str = Field(default="", max_length=16, description="L or P")
    education: str = Field(default="", max_length=16)
    occupation: str = Field(default="", max_length=16)
    suggestion: str = Field(default="", max_length=4 * form.SUGGESTION_MAX)

    def respondent(self) -> form.Respondent:
        return form.check_respondent(
            age=self.age,
            sex=self.sex,
            education=self.education,
            occupation=self.occupation,
            suggestion=self.suggestion,
        )


class TabletAnswer(Answer):
    number: str = Field(min_length=1, max_length=16, description="The ticket number the tablet showed")


class WrongIds:
    """Unknown ticket ids per client per clock hour, in this replica's memory.

    A table would share the count between replicas; memory keeps a citizen's page off the
    database for a guess. With n replicas a client may try n x ``per_hour`` ids an hour: ids are
    96 random bits, so guessing one stays hopeless either way, and the limit only keeps a prober
    from walking the API. Restarting a replica forgets its counts."""

    KEPT = 50_000  # clients remembered at most: beyond that the hour starts over for everyone

    def __init__(self, per_hour: int, clock: Callable[[], float] = time.time) -> None:
        self.per_hour = per_hour
        self.clock = clock
        self._counts: dict[str, tuple[int, int]] = {}  # client -> (hour, unknown ids in it)

    def _hour(self) -> int:
        return int(self.clock() // 3600)

    def check(self, client: str) -> None:
        hour, count = self._counts.get(client, (0, 0))
        if hour == self._hour() and count >= self.per_hour:
            raise TooMany(
                "too_many_unknown_tickets",
                "Terlalu banyak nomor antrean yang tidak dikenal; silakan coba lagi dalam satu jam",
                "Too many unknown queue tickets; please try again within the hour",
                retry_after=int(3600 - self.clock() % 3600),
            )

    def count(self, client: str) -> None:
        now = self._hour()
        hour, count = self._counts.get(client, (now, 0))
        if len(self._counts) >= self.KEPT and client not in self._counts:
            self._counts.clear()
        self._counts[client] = (now, count + 1 if hour == now else 1)


async def _guarded(request: Request, work: Callable[[], Any]) -> Any:
    """``work`` for a citizen's id, refused beforehand if their client is over its unknown ids,
    counted when the id turns out unknown."""
    guard: WrongIds | None = request.app.state.survey_wrong_ids
    if guard is None:  # made on first use: the settings arrive with the lifespan, after install
        guard = WrongIds(request.app.state.ctx.settings.survey_wrong_ids_per_hour)
        request.app.state.survey_wrong_ids = guard
    client = request_client(request)
    guard.check(client)
    try:
        return await asyncio.to_thread(work)
    except NotFound:
        guard.count(client)
        raise


# ---- the citizen ----


@pages.get("/survey/tablet")
async def tablet_page(request: Request) -> HTMLResponse:
    return staff_page(request, "tablet.html")


@pages.get("/survey")
@pages.get("/survey/{ticket_id}")
async def survey_page() -> FileResponse:
    """The phone's page; it reads the ticket from its address (``/survey/<id>`` or, as notify
    links without ``{ticket}`` in ANTRE_SURVEY_URL, ``/survey?ticket=<id>``)."""
    return FileResponse(STATIC / "survey.html", headers={"Cache-Control": "no-cache"})


@api.get("/surveys/{ticket_id}", responses=CITIZEN_REFUSALS)
async def get_survey(ticket_id: TicketId, request: Request, ctx: Ctx) -> dict[str, Any]:
    """Whether the visit can be answered (or its answer still changed, and until when), the form,
    and the scores given if any. Never a respondent's own fields: whoever holds the ticket could
    read them."""
    found = await _guarded(request, lambda: surveys.survey(ctx.deps, ticket_id, _window(ctx)))
    return _survey_json(ctx, found)


@api.put("/surveys/{ticket_id}", responses=refusals(404, (409, "Not a completed visit, or final"), 422, 429))
async def put_survey(ticket_id: TicketId, body: Answer, request: Request, ctx: Ctx) -> dict[str, Any]:
    """The answers for a completed visit: a first answer, or a change within the window after the
    first (then final). A refusal changes nothing."""
    found = await _guarded(
        request, lambda: surveys.answer(ctx.deps, ticket_id, body.scores, body.respondent(), _window(ctx))
    )
    return _survey_json(ctx, found)


# ---- a counter's tablet ----


@api.get("/surveys/counters/{number}/pending", responses=refusals(401, 403, 404))
async def get_pending(number: Counter, person: Staff, ctx: Ctx) -> dict[str, Any]:
    """The visit this counter completed last, if within 15 minutes and not answered yet."""
    surveys.check_tablet(ctx.deps, person, number)
    found = await asyncio.to_thread(surveys.pending, ctx.deps, number)
    counter = ctx.deps.hall.counter(number)
    return {
        "counter": number,
        "counter_name": counter.name if counter else f"Loket {number}",
        "pending": None if found is None else _ticket_json(ctx, found),
        "form": form_json(),
    }


@api.put(
    "/surveys/counters/{number}/pending",
    responses=refusals(401, 403, 404, (409, "Nothing pending, or another visit is pending now"), 422),
)
async def put_pending(number: Counter, body: TabletAnswer, person: Staff, ctx: Ctx) -> dict[str, Any]:
    """The answers given on the tablet, for the visit pending there now; ``number`` must be the
    one the tablet showed. The answer is not echoed: the officer holds the tablet afterwards."""
    surveys.check_tablet(ctx.deps, person, number)
    respondent = body.respondent()
    done = await asyncio.to_thread(
        surveys.answer_pending, ctx.deps, number, body.number, body.scores, respondent, _window(ctx)
    )
    return {"answered": True, "number": done.visit.number}


# ---- the index ----


@api.get("/skm", responses=refusals(401, 403, 404))
async def skm_report(
    ctx: Ctx,
    person: Supervisor,
    first: Annotated[str, Query(alias="from", max_length=10, description="First day, YYYY-MM-DD")] = "",
    last: Annotated[str, Query(alias="to", max_length=10, description="Last day, YYYY-MM-DD")] = "",
    by: Annotated[str, Query(max_length=16, description="hall, agency or service")] = "hall",
    agency: Annotated[str, Query(max_length=64, description="One agency; a supervisor's own")] = "",
) -> dict[str, Any]:
    """The IKM of the days ``from`` to ``to`` (both included, at most 366): the responses' count,
    NRR per unsur, the weighted NRR, the IKM and its grade, beside the visits completed and
    whether enough of them answered. A supervisor sees their own agency only."""
    if agency:
        require(person, Role.SUPERVISOR, agency)
    scope = person.agency or agency
    if by not in skm_reports.BY:
        raise Invalid(
            "skm_by_unknown",
            "Pengelompokan harus hall, agency, atau service",
            "Group by hall, agency or service",
        )
    period = (_day("from", first), _day("to", last))
    report = await asyncio.to_thread(skm_reports.ikm, ctx.deps, *period, by, scope)
    return _report_json(ctx, report)


def install(app: FastAPI) -> None:
    app.state.survey_wrong_ids = None  # see _guarded
    app.include_router(api)
    app.include_router(pages)


# ---- shapes ----


def _window(ctx: Context) -> dt.timedelta:
    return dt.timedelta(minutes=ctx.settings.survey_change_minutes)


DAY = re.compile(r"\d{4}-\d{2}-\d{2}")


def _day(name: str, text: str) -> dt.date:
    """YYYY-MM-DD and nothing else (Python would also read 20260310 or 2026-W11-2)."""
    try:
        if DAY.fullmatch(text):
            return dt.date.fromisoformat(text)
    except ValueError:
        pass
    raise Invalid(
        "skm_date_invalid",
        f"Tanggal '{name}' harus berupa tanggal yang ada, ditulis YYYY-MM-DD",
        f"'{name}' must be a real date written YYYY-MM-DD",
        field=name,
    )


def _local(ctx: Context, moment: dt.datetime | None) -> str | None:
    return ctx.deps.hall.local(moment).isoformat() if moment else None


def _ticket_json(ctx: Context, visit: surveys.SurveyedVisit) -> dict[str, Any]:
    hall = ctx.deps.hall
    service, agency = hall.service(visit.service), hall.agency(visit.agency)
    return {
        "number": visit.number,
        "day": visit.day.isoformat(),
        "service": visit.service,
        "service_name": service.name if service else visit.service,
        "service_name_en": service.name_en if service else "",
        "agency": visit.agency,
        "agency_name": agency.name if agency else visit.agency,
        "agency_name_en": agency.name_en if agency else "",
        "completed_at": _local(ctx, visit.finished_at) if visit.outcome == "served" else None,
    }


def _survey_json(ctx: Context, found: surveys.Survey) -> dict[str, Any]:
    refusal: Problem | None = found.refusal
    response = found.response
    return {
        "hall_name": ctx.deps.hall.name,
        "ticket": _ticket_json(ctx, found.visit),
        "answerable": refusal is None,
        "refusal": None
        if refusal is None
        else {"code": refusal.code, "message": refusal.message, "message_en": refusal.message_en},
        "answered": response is not None,
        "scores": None if response is None else dict(zip(form.UNSUR_CODES, response.scores, strict=True)),
        "changeable_until": _local(ctx, found.changeable_until),
        "form": form_json(),
    }


@cache
def form_json() -> dict[str, Any]:
    """The form in both languages, as the pages draw it."""

    def options(choices: tuple[form.Option, ...]) -> list[dict[str, str]]:
        return [{"code": o.code, "label": o.label, "label_en": o.label_en} for o in choices]

    return {
        "unsur": [
            {
                "code": u.code,
                "name": u.name,
                "name_en": u.name_en,
                "question": u.question,
                "question_en": u.question_en,
                "answers": [
                    {"score": n, "label": label, "label_en": label_en}
                    for n, (label, label_en) in enumerate(zip(u.answers, u.answers_en, strict=True), 1)
                ],
            }
            for u in form.UNSUR
        ],
        "sexes": options(form.SEXES),
        "education": options(form.EDUCATION),
        "occupations": options(form.OCCUPATIONS),
        "age": {"min": form.AGE_MIN, "max": form.AGE_MAX},
        "suggestion_max": form.SUGGESTION_MAX,
    }


def _report_json(ctx: Context, report: skm_reports.Report) -> dict[str, Any]:
    return {
        "from": report.first.isoformat(),
        "to": report.last.isoformat(),
        "by": report.by,
        "agency": report.agency or None,
        "unsur": [{"code": u.code, "name": u.name, "name_en": u.name_en} for u in form.UNSUR],
        "total": _figures_json(ctx, "agency" if report.agency else "hall", report.total),
        "groups": [_figures_json(ctx, report.by, f) for f in report.groups],
    }


def _name(ctx: Context, kind: str, key: str) -> tuple[str, str]:
    """A group's name in both languages: the hall's, an agency's or a service's (its code if the
    hall file no longer has it)."""
    hall = ctx.deps.hall
    named = hall.agency(key) if kind == "agency" else hall.service(key) if kind == "service" else None
    if named is not None:
        return named.name, named.name_en
    return (hall.name, hall.name) if key == skm_reports.HALL else (key, key)


def _figures_json(ctx: Context, kind: str, f: skm_reports.Figures) -> dict[str, Any]:
    name, name_en = _name(ctx, kind, f.key)
    index, verdict = f.index, f.verdict
    return {
        "key": f.key,
        "name": name,
        "name_en": name_en,
        "count": index.count,
        "nrr": None if index.nrr is None else list(index.nrr),
        "weighted_nrr": index.weighted_nrr,
        "ikm": None if index.ikm_rounded is None else float(index.ikm_rounded),
        "grade": None
        if index.grade is None
        else {"letter": index.grade.letter, "label": index.grade.label, "label_en": index.grade.label_en},
        "served": f.served,
        "sample": {
            "minimum": verdict.minimum,
            "enough": verdict.enough,
            "message": verdict.message,
            "message_en": verdict.message_en,
        },
    }
