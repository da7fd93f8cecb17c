"""Reports over HTTP: a range of hall days as JSON, CSV or Excel, a month as the PDF *Laporan
Bulanan*, and the page that shows them.

Who sees what: a supervisor or above. A supervisor sees their own agency only (naming another is
refused, naming none means theirs); a hall-wide manager or admin sees the hall or any agency.
The page itself holds no data: it signs in from the browser and asks these routes with the
person's token, so it is served to anyone.

The routes are plain ``def``: reading a month of the record and writing a PDF are blocking work,
which FastAPI runs in its thread pool, away from the event loop."""

from __future__ import annotations

import datetime as dt
from dataclasses import asdict
from typing import Annotated, Any

from fastapi import APIRouter, Depends, FastAPI, Query, Request
from fastapi.responses import HTMLResponse, Response

from antre.hall.model import Hall
from antre.people import signed_in
from antre.refusals import refusals
from antre.roles import Person, Role
from services.reports.domain.figures import Figures, Key
from services.reports.entrypoints import exports
from services.reports.entrypoints.http import Ctx, staff_page
from services.reports.handlers import reporting

Supervisor = Annotated[Person, Depends(signed_in(Role.SUPERVISOR))]
pages = APIRouter(tags=["reports"])
api = APIRouter(prefix="/api/v1", tags=["reports"])
REFUSALS = refusals(
    401,
    (403, "An officer, or a supervisor asking for another agency"),
    (422, "A malformed date or month, a reversed or too long range, an unknown grouping, agency or service"),
    503,
)
CSV = "text/csv; charset=utf-8"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PDF = "application/pdf"


async def _question(
    ctx: Ctx,
    person: Supervisor,
    start: Annotated[str, Query(alias="from", max_length=10, description="First hall day, YYYY-MM-DD")] = "",
    end: Annotated[str, Query(alias="to", max_length=10, description="Last hall day (inclusive)")] = "",
    by: Annotated[
        str, Query(max_length=16, description="hall, agency, service, counter, officer, hour, day")
    ] = "hall",
    agency: Annotated[str, Query(max_length=64)] = "",
    service: Annotated[str, Query(max_length=64)] = "",
) -> reporting.Query:
    """The request's question, checked against the hall and the person. Without dates: today."""
    today = reporting.today(ctx.deps)
    return reporting.ask(ctx.deps.hall, person, today, start, end, by, agency, service)


Asked = Annotated[reporting.Query, Depends(_question)]


@pages.get("/reports", response_class=HTMLResponse)
async def reports_page(request: Request) -> HTMLResponse:
    """The reports' page: ranges, groupings, the table against the standard, charts, downloads."""
    return staff_page(request, "reports.html")


@api.get("/reports", responses=REFUSALS)
def report(ctx: Ctx, person: Supervisor, question: Asked) -> dict[str, Any]:
    """The figures of a range of hall days (``from``..``to``, both included, at most 366 days),
    one row per ``by``: visits, outcomes, wait and service time (mean, nearest-rank p50 and p90,
    in seconds), the shares within each service's standard time, channels, priority groups and
    bookings. An empty range gives zeros. ``choices``: the agencies and services the caller may
    ask for (the page's filters)."""
    return {**report_json(reporting.report(ctx.deps, question)), "choices": choices(ctx.deps.hall, person)}


@api.get(
    "/reports.csv",
    response_class=Response,
    responses={200: {"content": {CSV: {}}}, **REFUSALS},
)
def report_csv(ctx: Ctx, question: Asked) -> Response:
    """The same report as CSV (UTF-8 with a byte order mark, commas; durations in minutes)."""
    found = reporting.report(ctx.deps, question)
    return _attachment(exports.to_csv(found), CSV, exports.file_name(found, "csv"))


@api.get(
    "/reports.xlsx",
    response_class=Response,
    responses={200: {"content": {XLSX: {}}}, **REFUSALS},
)
def report_xlsx(ctx: Ctx, question: Asked) -> Response:
    """The same report as an Excel workbook of one sheet."""
    found = reporting.report(ctx.deps, question)
    return _attachment(exports.to_xlsx(found), XLSX, exports.file_name(found, "xlsx"))


@api.get(
    "/reports/monthly.pdf",
    response_class=Response,
    responses={200: {"content": {PDF: {}}}, **REFUSALS},
)
def monthly_pdf(
    ctx: Ctx,
    person: Supervisor,
    month: Annotated[str, Query(max_length=7, description="YYYY-MM; empty: this month")] = "",
    agency: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """The *Laporan Bulanan* of a month as an A4 PDF in Bahasa Indonesia: totals, agencies and
    services against the standard, the busiest hours, bookings and the SKM index per agency."""
    deps = ctx.deps
    question = reporting.ask_month(deps.hall, person, reporting.today(deps), month, agency)
    found = reporting.monthly(deps, question)
    parts = ("laporan-bulanan", deps.hall.id, question.start.strftime("%Y-%m"), question.agency)
    name = "-".join(p for p in parts if p)
    return _attachment(exports.monthly_pdf(found), PDF, f"{name}.pdf")


def _attachment(body: bytes, media_type: str, name: str) -> Response:
    # The name holds codes and dates only (see exports.file_name): safe in the header unquoted too.
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-store"}
    return Response(body, media_type=media_type, headers=headers)


def _key(key: Key) -> Any:
    return key.isoformat() if isinstance(key, dt.date) else key


def _figures(figures: Figures) -> dict[str, Any]:
    return asdict(figures)


def report_json(found: reporting.Report) -> dict[str, Any]:
    q = found.query
    return {
        "hall": {"id": found.hall_id, "name": found.hall_name},
        "from": q.start.isoformat(),
        "to": q.end.isoformat(),
        "days": q.days,
        "by": q.by.value,
        "agency": q.agency,
        "service": q.service,
        "totals": _figures(found.totals),
        "rows": [
            {
                "key": _key(row.key),
                "label": row.label,
                "label_en": row.label_en,
                "target_minutes": row.target_minutes,
                **_figures(row.figures),
            }
            for row in found.rows
        ],
    }


def choices(hall: Hall, person: Person) -> dict[str, list[dict[str, Any]]]:
    """What a person may narrow a report to: a supervisor their agency and its services."""
    mine = [a for a in hall.agencies if not person.agency or a.code == person.agency]
    codes = {a.code for a in mine}
    return {
        "agencies": [{"code": a.code, "name": a.name, "name_en": a.name_en or a.name} for a in mine],
        "services": [
            {
                "code": s.code,
                "name": s.name,
                "name_en": s.name_en or s.name,
                "agency": s.agency,
                "target_minutes": s.target_minutes,
            }
            for s in hall.services
            if s.agency in codes
        ],
    }


def install(app: FastAPI) -> None:
    app.include_router(pages)
    app.include_router(api)
