"""The reports page in a real browser: the reports service (uvicorn, in this process) on a store
holding the known hall day, and a stand-in for the counters that answers who a token belongs to,
as the page's staff.js asks it across origins. A manager reads the day per agency with the
figures the API gives, the charts drawn, and downloads a CSV with the same numbers; the page
switches to English; a supervisor sees their agency alone; an officer is refused in words."""

from __future__ import annotations

import csv
import io
import re
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
import uvicorn
from fastapi import FastAPI, Header
from fastapi.middleware.cors import CORSMiddleware
from fastapi.responses import JSONResponse
from playwright.sync_api import BrowserContext, Page, expect

from services.reports.bootstrap import create_app
from tests.browser.conftest import free_port
from tests.integration.reports.day_app import DAY, settings
from tests.support.people import TOKENS
from tests.support.visit_day import Day, feed, hall_day

pytestmark = pytest.mark.browser
TOKEN_KEY = "antre.staff.token"  # where /shared/staff.js keeps the person's token
ADDRESS = f"/reports?preset=range&from={DAY}&to={DAY}&by=agency"


@contextmanager
def serving(app: FastAPI, port: int) -> Iterator[str]:
    """``app`` under uvicorn on a thread of this process, until the block ends."""
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.should_exit = True
        thread.join(15)


def counters_stand_in(page_origin: str) -> FastAPI:
    """The counters' ``GET /api/v1/me`` for the known tokens, readable from the page's origin."""
    app = FastAPI()
    app.add_middleware(
        CORSMiddleware,
        allow_origins=[page_origin],
        allow_methods=["GET"],
        allow_headers=["Authorization", "Accept"],
    )

    @app.get("/api/v1/me")
    def me(authorization: str = Header("")) -> JSONResponse:
        person = TOKENS.get(authorization.removeprefix("Bearer "))
        if person is None:
            return JSONResponse(
                {"error": {"code": "signed_out", "message": "Silakan masuk", "message_en": "Sign in"}}, 401
            )
        return JSONResponse(
            {
                "username": person.username,
                "name": person.name,
                "agency": person.agency,
                "role": person.role.value,
            }
        )

    return app


@dataclass
class Reports:
    url: str
    day: Day
    hall_id: str

    def api(self, token: str, **params: Any) -> dict[str, Any]:
        answer = httpx.get(
            f"{self.url}/api/v1/reports",
            params=params,
            headers={"Authorization": f"Bearer {token}"},
            timeout=10,
        )
        answer.raise_for_status()
        return answer.json()


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Reports]:
    reports_port, counters_port = free_port(), free_port()
    page_origin = f"http://127.0.0.1:{reports_port}"
    counters_url = f"http://127.0.0.1:{counters_port}"
    config, _ = settings("sqlite", tmp_path_factory.mktemp("reports-page"), counters_url=counters_url)
    app = create_app(config)
    with serving(counters_stand_in(page_origin), counters_port), serving(app, reports_port) as url:
        deps = app.state.ctx.deps
        day = hall_day(deps.hall, DAY)
        feed(deps, day.events)
        yield Reports(url, day, deps.hall.id)


def open_as(
    new_context: Callable[..., BrowserContext],
    reports: Reports,
    token: str,
    address: str = ADDRESS,
    **options: Any,
) -> Page:
    """A browser whose tab already holds ``token``, as after signing in at the counters."""
    context = new_context(**options)
    # Only on the reports' own origin (the first about:blank has no storage to write to).
    origin = reports.url
    context.add_init_script(
        f"if (location.origin === {origin!r}) sessionStorage.setItem({TOKEN_KEY!r}, {token!r});"
    )
    page = context.new_page()
    page.goto(f"{reports.url}{address}")
    return page


def cell(page: Page, key: str, col: str) -> Any:
    return page.locator(f'[data-testid="table"] tr[data-key="{key}"] [data-col="{col}"]')


def test_a_manager_reads_the_day_per_agency_and_downloads_it(
    new_context, reports: Reports, screenshots: Path
) -> None:
    want = reports.api("token-manager", **{"from": DAY.isoformat(), "to": DAY.isoformat(), "by": "agency"})
    page = open_as(new_context, reports, "token-manager")
    expect(page.get_by_test_id("card-visits").locator("strong")).to_have_text(str(want["totals"]["visits"]))
    expect(page.get_by_test_id("person")).to_contain_text("Rina")
    for row in want["rows"]:
        expect(cell(page, row["key"], "visits")).to_have_text(str(row["visits"]))
        expect(cell(page, row["key"], "served")).to_have_text(str(row["outcomes"]["served"]))
    expect(cell(page, "total", "served")).to_have_text(str(want["totals"]["outcomes"]["served"]))
    dukcapil = next(r for r in want["rows"] if r["key"] == "dukcapil")
    p90 = f"{round(dukcapil['wait']['p90'] / 60, 1):.1f}".replace(".", ",")  # Indonesian decimal comma
    expect(cell(page, "dukcapil", "wait_p90")).to_have_text(p90)
    verdict = dukcapil["service_within_target"]["verdict"]
    expect(cell(page, "dukcapil", "service_within")).to_have_class(verdict)
    hours = {leg.hour for leg in reports.day.legs}
    expect(page.locator('[data-testid="chart-hours"] svg rect.bar')).to_have_count(len(hours))
    measured = {leg.service for leg in reports.day.legs if leg.wait_seconds is not None}
    expect(page.locator('[data-testid="chart-services"] svg line.target')).to_have_count(len(measured))
    page.screenshot(path=screenshots / "reports-agency.png", full_page=True)

    with page.expect_download() as downloading:
        page.get_by_test_id("download-csv").click()
    download = downloading.value
    assert download.suggested_filename == f"laporan-{reports.hall_id}-{DAY}-{DAY}-agency.csv"
    text = Path(download.path()).read_bytes().decode("utf-8-sig")
    header, *lines = list(csv.reader(io.StringIO(text)))
    visits = header.index("Kunjungan / Visits")
    assert [int(line[visits]) for line in lines] == [r["visits"] for r in want["rows"]] + [
        want["totals"]["visits"]
    ]

    with page.expect_download() as downloading:
        page.get_by_test_id("download-pdf").click()
    assert downloading.value.suggested_filename == f"laporan-bulanan-{reports.hall_id}-2026-03.pdf"
    assert Path(downloading.value.path()).read_bytes().startswith(b"%PDF-")


def test_the_page_in_english_and_by_service(new_context, reports: Reports, screenshots: Path) -> None:
    page = open_as(new_context, reports, "token-manager")
    expect(cell(page, "dukcapil", "visits")).to_be_visible()
    page.get_by_test_id("lang-toggle").click()
    expect(page.locator('[data-testid="table"] thead th').nth(1)).to_have_text("Visits")
    page.get_by_test_id("by").select_option("service")
    page.get_by_test_id("show").click()
    expect(cell(page, "ktp-el", "target")).to_have_text("15 min")
    expect(page).to_have_url(re.compile(r"by=service"))  # the question stays in the address
    page.screenshot(path=screenshots / "reports-service-en.png", full_page=True)


def test_a_supervisor_sees_their_agency_alone(new_context, reports: Reports) -> None:
    page = open_as(new_context, reports, "token-supervisor")
    expect(cell(page, "dukcapil", "visits")).to_be_visible()
    expect(page.locator('[data-testid="table"] tbody tr')).to_have_count(1)
    expect(page.get_by_test_id("agency").locator("option")).to_have_count(1)
    want = reports.api("token-supervisor", **{"from": DAY.isoformat(), "to": DAY.isoformat()})
    expect(page.get_by_test_id("card-visits").locator("strong")).to_have_text(str(want["totals"]["visits"]))


def test_an_officer_is_told_why_and_a_stranger_signs_in_first(new_context, reports: Reports) -> None:
    page = open_as(new_context, reports, "token-officer")
    expect(page.get_by_test_id("error")).to_have_text(
        "Hanya supervisor instansi atau di atasnya yang boleh melakukan ini"
    )
    stranger = new_context().new_page()
    stranger.goto(f"{reports.url}{ADDRESS}")
    expect(stranger.locator("#staff-username")).to_be_visible()
    expect(stranger.get_by_test_id("table").locator("tbody tr")).to_have_count(0)


@pytest.mark.parametrize(
    "size", [(1366, 768), (1280, 1024), (1920, 1080), (390, 844)], ids=["desk", "desk-4:3", "tv", "phone"]
)
def test_the_page_fits_the_halls_screens(new_context, reports: Reports, size: tuple[int, int]) -> None:
    width, height = size
    page = open_as(new_context, reports, "token-manager", viewport={"width": width, "height": height})
    expect(page.get_by_test_id("card-visits").locator("strong")).not_to_have_text("")
    expect(page.get_by_test_id("download-csv")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"
