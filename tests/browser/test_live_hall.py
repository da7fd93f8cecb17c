"""The live hall page in Chromium against the whole hall as processes (five services, one NATS,
PostgreSQL when the environment provides it): the hall manager signs in through the page's own
form, an officer calls a citizen through the counters' API, and the page shows the number at
that counter within two seconds; a Dukcapil supervisor's page shows Dukcapil alone, and the API
refuses them another agency."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.support.hall import PASSWORD, RunningHall

pytestmark = [pytest.mark.browser, pytest.mark.e2e]

DESK = {"viewport": {"width": 1366, "height": 768}}
DUKCAPIL_SERVICES = (
    5  # the Kendari hall's: ktp-el, kartu-keluarga, akta-kelahiran, akta-kematian, pindah-datang
)
DUKCAPIL_COUNTERS = 6  # 1-6


@pytest.fixture(scope="module")
def whole_hall(
    tmp_path_factory: pytest.TempPathFactory, nats_url: str, pg_url: str | None
) -> Iterator[RunningHall]:
    # Idle from the first second: an open counter with nobody at it raises its alert at once.
    idle_at_once = {"reports": {"ANTRE_LIVE_IDLE_MINUTES": "0"}}
    hall = RunningHall(tmp_path_factory.mktemp("live-hall"), nats_url, pg_url, service_env=idle_at_once)
    hall.start()
    try:
        hall.manager()  # the account the page signs in with
        hall.add_officer("capil1", "dukcapil")
        yield hall
    finally:
        hall.stop()


def take(hall: RunningHall, *services: str) -> list[dict[str, Any]]:
    with hall.client("ticketing") as kiosk:
        answers = [kiosk.post("/api/v1/tickets", json={"service": s}) for s in services]
    assert all(a.status_code == 201 for a in answers), [a.text for a in answers]
    return [a.json() for a in answers]


def sign_in(page: Page, hall: RunningHall, username: str) -> None:
    page.goto(f"{hall.url('reports')}/hall")
    page.locator("#staff-username").fill(username)
    page.locator("#staff-password").fill(PASSWORD)
    page.locator(".staff-sign-in button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_contain_text(username)
    expect(page.get_by_test_id("counter-1")).to_be_visible()


def test_a_call_reaches_the_managers_page_within_two_seconds(
    whole_hall: RunningHall, new_context: Any, screenshots: Path
) -> None:
    hall = whole_hall
    page = new_context(**DESK).new_page()
    sign_in(page, hall, "pengelola")
    expect(page.get_by_test_id("agency-pick")).to_be_visible()  # a hall-wide person may narrow it

    take(hall, "ktp-el", "ktp-el", "kartu-keluarga", "skck", "jkn", "pkb-tahunan", "pbb-p2")
    officer = hall.sign_in("capil1")
    with httpx.Client(base_url=hall.url("counters"), headers=officer, timeout=10) as counters:
        assert counters.post("/api/v1/counters/1/open").status_code == 200
        assert counters.post("/api/v1/counters/2/open").status_code == 200
        assert counters.post("/api/v1/counters/3/open").status_code == 200
        assert counters.post("/api/v1/counters/3/pause", json={"reason": "prayer"}).status_code == 200
        expect(page.get_by_test_id("waiting-ktp-el")).to_have_text("2")
        expect(page.get_by_test_id("counter-2")).to_contain_text("Buka")
        time.sleep(1)  # the page is quiet: what follows is the call's own way through

        started = time.monotonic()
        call = counters.post("/api/v1/counters/1/call-next")
        number = call.json()["ticket"]["number"]
        page.wait_for_function(
            "n => document.querySelector('[data-testid=\"counter-1-ticket\"]').textContent === n",
            arg=number,
            polling="raf",
            timeout=2000,
        )
        latency = time.monotonic() - started
        expect(page.get_by_test_id("counter-1")).to_contain_text("Dipanggil")
        assert counters.post("/api/v1/counters/1/start").status_code == 200
    print(f"live hall: call of {number} at counter 1 shown {latency * 1000:.0f} ms after call-next was sent")
    assert latency < 2.0
    expect(page.get_by_test_id("counter-1")).to_contain_text("Dilayani")
    expect(page.get_by_test_id("counter-3")).to_contain_text("Sholat")  # the operator page's code, in words
    expect(page.get_by_test_id("waiting-ktp-el")).to_have_text("1")
    expect(page.get_by_test_id("alert-counter_idle:2")).to_contain_text("Loket 2 buka tanpa melayani")
    page.screenshot(path=screenshots / "live-hall-1366x768.png")

    page.get_by_test_id("lang-toggle").click()  # the English side, and back
    expect(page.get_by_test_id("counter-1")).to_contain_text("Serving")
    expect(page.get_by_test_id("counter-3")).to_contain_text("Prayer")
    expect(page.get_by_test_id("alert-counter_idle:2")).to_contain_text("Counter 2 has been open")
    page.get_by_test_id("lang-toggle").click()
    page.get_by_test_id("sign-out").click()
    expect(page.locator("#staff-username")).to_be_visible()


def test_a_supervisor_sees_their_agency_alone(whole_hall: RunningHall, new_context: Any) -> None:
    hall = whole_hall
    [jkn] = take(hall, "jkn")
    supervisor = hall.supervisor("dukcapil")
    page = new_context(**DESK).new_page()
    sign_in(page, hall, "spv-dukcapil")
    expect(page.locator("[data-testid^='service-']")).to_have_count(DUKCAPIL_SERVICES)
    expect(page.locator("article.counter")).to_have_count(DUKCAPIL_COUNTERS)
    expect(page.get_by_test_id("service-jkn")).to_have_count(0)
    expect(page.get_by_test_id("counter-17")).to_have_count(0)
    expect(page.get_by_test_id("agency-pick-label")).to_be_hidden()
    body = page.locator("main[data-view='live']").inner_text()
    assert jkn["number"] not in body and "BPJS" not in body

    with httpx.Client(base_url=hall.url("reports"), headers=supervisor, timeout=10) as reports:
        other = reports.get("/api/v1/hall/live", params={"agency": "bpjs"})
        assert other.status_code == 403 and other.json()["error"]["code"] == "other_agency"
        stream = reports.get("/api/v1/hall/live/events", params={"agency": "bpjs"})
        assert stream.status_code == 403
        own = reports.get("/api/v1/hall/live").json()
        assert {s["agency"] for s in own["services"]} == {"dukcapil"}


@pytest.mark.parametrize("size", [(1920, 1080), (1366, 768), (1280, 1024)], ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_live_hall_fits_the_managers_screens(
    whole_hall: RunningHall, new_context: Any, screenshots: Path, size: tuple[int, int]
) -> None:
    """On the office's TV (1920x1080) and the desk screens: every service and counter of the hall
    is drawn, nothing pushes the page sideways, and no counter's tile overflows its own box."""
    width, height = size
    page = new_context(viewport={"width": width, "height": height}).new_page()
    sign_in(page, whole_hall, "pengelola")
    expect(page.locator("article.counter")).to_have_count(17)
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth"), "scrolls sideways"
    spilled = page.evaluate(
        """() => [...document.querySelectorAll('article.counter, [data-testid^="service-"]')]
        .filter((e) => e.scrollWidth > e.clientWidth + 1).map((e) => e.dataset.testid || e.className)"""
    )
    assert spilled == []
    if size == (1920, 1080):
        page.screenshot(path=screenshots / "live-hall-1920x1080.png")
