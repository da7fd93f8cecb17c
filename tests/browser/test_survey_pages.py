"""The SKM survey's pages in Debian's Chromium: a citizen answers on a 360 x 640 phone (and
changes an answer), a visit not completed is told why it cannot be answered, a counter's tablet
shows the survey of the visit its counter just completed and waits for the next, and the status
page of a served ticket links to the survey. No page breaks the Content-Security-Policy.

The reports service runs in this process (uvicorn in a thread, SQLite) and its record is fed
completed visits as hand-built events through its own consumer handler. The tablet's sign-in at
the counters is played by routes the browser is answered from, and the reports service asks
tests' KnownPeople who a token is."""

from __future__ import annotations

import datetime as dt
import re
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import uvicorn
from playwright.sync_api import BrowserContext, Page, Route, expect
from sqlalchemy import select

from services.reports import handlers
from services.reports.adapters.tables import outbox, surveys
from services.reports.bootstrap import create_app
from services.reports.settings import Settings
from tests.browser.conftest import Hall, free_port
from tests.support.infra import unique, write_hall
from tests.support.people import OFFICER, KnownPeople
from tests.support.survey_visits import record_visit

SMALL_PHONE = {"viewport": {"width": 360, "height": 640}, "is_mobile": True, "has_touch": True}
COUNTERS = "http://counters.test:8102"  # nobody: the browser's calls there are answered by routes
LISTEN = """
window.__csp = [];
document.addEventListener("securitypolicyviolation", (e) =>
  window.__csp.push(`${e.effectiveDirective} blocked ${e.blockedURI}`));
"""


@dataclass
class Reports:
    url: str
    app: Any

    @property
    def deps(self) -> handlers.Deps:
        return self.app.state.ctx.deps  # type: ignore[no-any-return]

    def visit(self, counter: int = 1, fate: str = "served", ago: float = 2) -> tuple[str, str]:
        finished = self.deps.uow.clock() - dt.timedelta(minutes=ago)
        return record_visit(self.deps, "jkn" if counter == 17 else "ktp-el", counter, finished, fate)

    def answer(self, ticket_id: str) -> dict[str, Any] | None:
        with self.deps.uow.read() as conn:
            row = conn.execute(select(surveys).where(surveys.c.ticket_id == ticket_id)).mappings().first()
            return dict(row) if row else None

    def events(self) -> int:
        with self.deps.uow.read() as conn:
            return len(conn.execute(select(outbox.c.seq)).all())


@pytest.fixture(scope="module")
def reports(tmp_path_factory: pytest.TempPathFactory, nats_url: str) -> Iterator[Reports]:
    folder = tmp_path_factory.mktemp("reports")
    settings = Settings(
        hall_file=write_hall(folder, unique("h")),
        state_dir=folder / "state",
        nats_url=nats_url,  # the hall's own stream (a unique hall id)
        counters_url=COUNTERS,
        demo=True,
    )
    app = create_app(settings)
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", proxy_headers=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert time.monotonic() < deadline and thread.is_alive(), "the reports service did not start"
        time.sleep(0.05)
    app.state.people = KnownPeople()
    try:
        yield Reports(f"http://127.0.0.1:{port}", app)
    finally:
        server.should_exit = True
        thread.join(timeout=15)


def page_of(context: BrowserContext) -> Page:
    context.add_init_script(LISTEN)
    return context.new_page()


def no_csp_violations(page: Page) -> None:
    assert page.evaluate("window.__csp") == []


def fits_the_width(page: Page) -> None:
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"


def answer_all(page: Page, scores: list[int]) -> None:
    for n, score in enumerate(scores, 1):
        page.get_by_test_id(f"answer-u{n}-{score}").check()


def test_a_citizen_answers_on_a_small_phone_and_changes_an_answer(
    reports: Reports, new_context, screenshots: Path
) -> None:
    ticket_id, number = reports.visit()
    phone = page_of(new_context(**SMALL_PHONE))
    phone.goto(f"{reports.url}/survey/{ticket_id}")

    expect(phone.get_by_test_id("visit-number")).to_have_text(number)
    expect(phone.get_by_test_id("question-u1")).to_contain_text("persyaratan")
    fits_the_width(phone)
    phone.screenshot(path=screenshots / "survey-phone.png")
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("missing")).to_have_text("Masih ada 9 pertanyaan yang belum dijawab.")
    assert reports.answer(ticket_id) is None

    answer_all(phone, [3, 3, 2, 4, 3, 3, 4, 2, 3])
    expect(phone.get_by_test_id("progress")).to_have_text("9 dari 9 pertanyaan terjawab")
    phone.locator(".respondent summary").click()
    phone.get_by_test_id("respondent-age").fill("34")
    phone.get_by_test_id("respondent-sex").select_option("P")
    phone.get_by_test_id("respondent-suggestion").fill("Ruang tunggu nyaman.")
    fits_the_width(phone)
    phone.get_by_test_id("submit").click()

    expect(phone.get_by_test_id("thanks")).to_contain_text("Terima kasih atas penilaian Anda!")
    expect(phone.get_by_test_id("thanks-until")).to_contain_text(re.compile(r"sampai pukul \d\d:\d\d WITA"))
    phone.screenshot(path=screenshots / "survey-thanks.png")
    row = reports.answer(ticket_id)
    assert row is not None and [row[f"u{i}"] for i in range(1, 10)] == [3, 3, 2, 4, 3, 3, 4, 2, 3]
    assert (row["age"], row["sex"], row["suggestion"]) == (34, "P", "Ruang tunggu nyaman.")

    phone.get_by_test_id("change").click()
    expect(phone.get_by_test_id("answer-u3-2")).to_be_checked()
    phone.get_by_test_id("answer-u3-4").check()
    phone.get_by_test_id("submit").click()
    expect(phone.get_by_test_id("thanks")).to_be_visible()
    row = reports.answer(ticket_id)
    assert row is not None and row["u3"] == 4 and row["age"] == 34  # the fields left empty kept

    phone.get_by_test_id("lang-toggle").click()
    expect(phone.get_by_test_id("thanks")).to_contain_text("Thank you for your rating!")
    no_csp_violations(phone)


def test_a_visit_not_completed_and_an_unknown_ticket_are_told_so(reports: Reports, new_context) -> None:
    missed, _ = reports.visit(fate="no_show")
    phone = page_of(new_context(**SMALL_PHONE))

    phone.goto(f"{reports.url}/survey/{missed}")
    expect(phone.get_by_test_id("notice")).to_have_text("Survei hanya untuk layanan yang sudah selesai")
    expect(phone.get_by_test_id("survey-form")).to_be_hidden()
    phone.goto(f"{reports.url}/survey/no-such-ticket")
    expect(phone.get_by_test_id("error")).to_contain_text("tidak ditemukan")
    no_csp_violations(phone)


def counters_answer(route: Route) -> None:
    """The counters as the tablet's browser reaches them (cross-origin, so CORS answers too)."""
    cors = {
        "Access-Control-Allow-Origin": "*",
        "Access-Control-Allow-Headers": "Authorization, Content-Type",
        "Access-Control-Allow-Methods": "GET, POST, DELETE",
    }
    request = route.request
    if request.method == "OPTIONS":
        route.fulfill(status=204, headers=cors)
    elif request.url.endswith("/api/v1/sessions"):
        officer = {
            "username": OFFICER.username,
            "name": OFFICER.name,
            "agency": OFFICER.agency,
            "role": "officer",
        }
        route.fulfill(status=201, headers=cors, json={"token": "token-officer", "officer": officer})
    else:
        route.fulfill(status=204, headers=cors)


def test_the_counters_tablet_offers_the_survey_of_the_visit_it_just_completed(
    reports: Reports, new_context, screenshots: Path
) -> None:
    tablet = page_of(new_context(viewport={"width": 1024, "height": 768}, has_touch=True))
    tablet.route(f"{COUNTERS}/**", counters_answer)
    tablet.goto(f"{reports.url}/survey/tablet")
    tablet.locator("#staff-username").fill("siti")
    tablet.locator("#staff-password").fill("rahasia-siti")
    tablet.get_by_role("button", name="Masuk").click()
    tablet.get_by_test_id("counter-input").fill("2")
    tablet.get_by_test_id("counter-save").click()
    expect(tablet.get_by_test_id("waiting")).to_be_visible()
    expect(tablet.get_by_test_id("counter-name")).to_have_text(re.compile("Loket 2"))

    ticket_id, number = reports.visit(counter=2, ago=0.5)
    expect(tablet.get_by_test_id("visit-number")).to_have_text(number, timeout=10_000)
    tablet.screenshot(path=screenshots / "survey-tablet.png")
    answer_all(tablet, [4] * 9)
    tablet.get_by_test_id("submit").click()

    expect(tablet.get_by_test_id("thanks")).to_be_visible()
    row = reports.answer(ticket_id)
    assert row is not None and [row[f"u{i}"] for i in range(1, 10)] == [4] * 9
    expect(tablet.get_by_test_id("waiting")).to_be_visible(timeout=15_000)  # and then the next
    assert tablet.get_by_test_id("survey-form").inner_text() == ""  # no answer left on screen
    no_csp_violations(tablet)


def test_a_served_tickets_status_page_links_to_the_survey(reports: Reports, hall: Hall, new_context) -> None:
    ticket_id, number = reports.visit()
    ticket = hall.issue("ktp-el")
    served = {**ticket, "state": "completed", "survey_url": f"{reports.url}/survey/{ticket_id}"}
    phone = page_of(new_context(**SMALL_PHONE))
    phone.route(f"**/api/v1/tickets/{ticket['id']}", lambda route: route.fulfill(json=served))
    phone.goto(ticket["status_url"])

    link = phone.get_by_test_id("status-survey")
    expect(link).to_have_text("Isi survei kepuasan (1 menit)")
    no_csp_violations(phone)
    link.click()
    expect(phone.get_by_test_id("visit-number")).to_have_text(number)
    assert phone.url == f"{reports.url}/survey/{ticket_id}"


def test_a_waiting_tickets_status_page_offers_no_survey(hall: Hall, new_context) -> None:
    ticket = hall.issue("ktp-el")
    phone = page_of(new_context(**SMALL_PHONE))
    phone.goto(ticket["status_url"])
    expect(phone.get_by_test_id("status-state")).to_have_text("Menunggu")
    expect(phone.get_by_test_id("status-survey")).to_be_hidden()
    assert ticket["survey_url"] == ""
