"""Every page a citizen, an officer, a manager or the hall's TV shows, in the states they meet,
scanned in Chromium by axe-core (4.12, from the axe-playwright-python package) for the WCAG 2.0,
2.1 and 2.2 A and AA rules: none may fail. The whole hall runs as processes (five services, one
NATS, PostgreSQL when the environment gives one).

axe finds what a machine can: names, roles, contrast, structure. The keyboard journeys in
``test_keyboard.py`` hold what it cannot."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import httpx
import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.support.hall import PASSWORD, RunningHall

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

WCAG = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]
DESK = {"viewport": {"width": 1366, "height": 768}}
KIOSK = {"viewport": {"width": 1080, "height": 1920}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
TV = {"viewport": {"width": 1920, "height": 1080}}
AXE = Axe()


def violations(page: Page) -> list[str]:
    """axe's WCAG A/AA failures on the page as it stands, one line each with where."""
    options = {"runOnly": {"type": "tag", "values": WCAG}, "resultTypes": ["violations"]}
    found = AXE.run(page, options=options).response["violations"]
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes'][:5]]}" for v in found
    ]


def clean(page: Page, state: str) -> None:
    assert violations(page) == [], f"{state}: {page.url}"


@pytest.fixture(scope="module")
def whole_hall(
    tmp_path_factory: pytest.TempPathFactory, nats_url: str, pg_url: str | None
) -> Iterator[RunningHall]:
    running = RunningHall(tmp_path_factory.mktemp("a11y-hall"), nats_url, pg_url)
    running.start()
    try:
        running.manager()
        running.add_officer("capil-a11y", "dukcapil")
        yield running
    finally:
        running.stop()


@pytest.fixture
def open_page(new_context: Callable[..., Any]) -> Callable[..., Page]:
    def open_(url: str, **options: Any) -> Page:
        page: Page = new_context(**options).new_page()
        page.goto(url)
        return page

    return open_


def ticket(hall: RunningHall, service: str = "ktp-el") -> dict[str, Any]:
    with hall.client("ticketing") as kiosk:
        answer = kiosk.post("/api/v1/tickets", json={"service": service})
    answer.raise_for_status()
    return dict(answer.json())


def test_the_kiosk(whole_hall: RunningHall, open_page: Callable[..., Page]) -> None:
    hall = whole_hall
    page = open_page(f"{hall.url('ticketing')}/kiosk#device={hall.kiosk_token()}", **KIOSK)
    expect(page.get_by_test_id("agency-dukcapil")).to_be_visible()
    clean(page, "kiosk: agencies")
    page.get_by_test_id("agency-dukcapil").click()
    expect(page.get_by_test_id("service-ktp-el")).to_be_visible()
    clean(page, "kiosk: services")
    page.get_by_test_id("service-ktp-el").click()
    expect(page.get_by_test_id("take-number")).to_be_visible()
    clean(page, "kiosk: priority")
    page.get_by_test_id("take-number").click()
    expect(page.get_by_test_id("ticket-number")).to_be_visible()
    clean(page, "kiosk: number taken")
    # Large text in high contrast (kiosk.access.css), with spoken guidance on, on every screen.
    page.get_by_test_id("done").click()
    page.get_by_test_id("large-text").click()
    page.get_by_test_id("guidance").click()
    expect(page.get_by_test_id("large-text")).to_have_attribute("aria-pressed", "true")
    clean(page, "kiosk, large text: agencies")
    page.get_by_test_id("agency-dukcapil").click()
    expect(page.get_by_test_id("service-ktp-el")).to_be_visible()
    clean(page, "kiosk, large text: services")
    page.get_by_test_id("service-ktp-el").click()
    expect(page.get_by_test_id("take-number")).to_be_visible()
    clean(page, "kiosk, large text: priority")
    page.get_by_test_id("take-number").click()
    expect(page.get_by_test_id("ticket-number")).to_be_visible()
    clean(page, "kiosk, large text: number taken")


def test_the_citizens_pages(whole_hall: RunningHall, open_page: Callable[..., Page]) -> None:
    hall = whole_hall
    taken = ticket(hall)
    status = open_page(taken["status_url"], **PHONE)
    expect(status.get_by_test_id("status-state")).to_be_visible()
    clean(status, "status page")
    printed = open_page(f"{hall.url('ticketing')}{taken['print_url']}", **PHONE)
    expect(printed.locator("body")).to_contain_text(taken["number"])
    clean(printed, "printed ticket")
    booking = open_page(f"{hall.url('ticketing')}/booking", **PHONE)
    expect(booking.get_by_test_id("hall-name")).not_to_have_text("Antre")
    clean(booking, "booking page")
    opt_out = open_page(f"{hall.url('notify')}/opt-out", **PHONE)
    clean(opt_out, "opt-out page")


def test_the_operators_page(whole_hall: RunningHall, open_page: Callable[..., Page]) -> None:
    hall = whole_hall
    ticket(hall)
    page = open_page(f"{hall.url('counters')}/operator", **DESK)
    expect(page.get_by_test_id("username")).to_be_focused()
    clean(page, "operator: sign in")
    page.get_by_test_id("username").fill("capil-a11y")
    page.get_by_test_id("password").fill(PASSWORD)
    page.get_by_test_id("sign-in").click()
    expect(page.get_by_test_id("counter-1")).to_be_visible()
    clean(page, "operator: counters")
    page.get_by_test_id("counter-1").click()
    page.get_by_test_id("open").click()
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-number")).not_to_have_text("—")
    clean(page, "operator: a citizen called")
    page.get_by_test_id("complete").click()
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("pause-panel")).to_be_visible()
    clean(page, "operator: pause reasons")
    page.get_by_test_id("pause-break").click()
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("counter-state")).to_have_text("Tutup")


def test_the_boards(whole_hall: RunningHall, open_page: Callable[..., Page]) -> None:
    hall = whole_hall
    display = hall.url("display")
    index = open_page(f"{display}/", **DESK)
    clean(index, "board index")
    board = open_page(f"{display}/boards/lantai-1-a#device={hall.board_token()}", **TV)
    expect(board.locator("h1, [data-testid=zone-name]").first).to_be_visible()
    clean(board, "board")


def staff_page(page: Page, username: str) -> None:
    page.locator("#staff-username").fill(username)
    page.locator("#staff-password").fill(PASSWORD)
    page.locator(".staff-sign-in button[type=submit]").click()


def test_the_managers_pages(whole_hall: RunningHall, open_page: Callable[..., Page]) -> None:
    hall = whole_hall
    reports = hall.url("reports")
    live = open_page(f"{reports}/hall", **DESK)
    clean(live, "live hall: sign in")
    staff_page(live, "pengelola")
    expect(live.get_by_test_id("counter-1")).to_be_visible()
    clean(live, "live hall")
    page = open_page(f"{reports}/reports", **DESK)
    staff_page(page, "pengelola")
    expect(page.get_by_test_id("sign-out")).to_be_visible()
    clean(page, "reports")
    tablet = open_page(f"{reports}/survey/tablet", **DESK)
    clean(tablet, "survey tablet")


def test_the_survey_on_a_phone(whole_hall: RunningHall, open_page: Callable[..., Page]) -> None:
    hall = whole_hall
    taken = ticket(hall, "kartu-keluarga")
    officer = hall.sign_in("capil-a11y")
    with httpx.Client(base_url=f"{hall.url('counters')}/api/v1", headers=officer, timeout=10) as api:
        api.post("/counters/3/open").raise_for_status()
        called = api.post("/counters/3/call-next").json()
        assert called["ticket"]["id"] == taken["id"]
        api.post("/counters/3/complete").raise_for_status()
        api.post("/counters/3/close").raise_for_status()
    page = open_page(f"{hall.url('reports')}/survey/{taken['id']}", **PHONE)
    # The record learns of the visit a moment after it ends; the page asks it then.
    expect(page.get_by_test_id("visit-number")).to_have_text(taken["number"], timeout=15_000)
    clean(page, "survey on a phone")
