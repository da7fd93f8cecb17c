"""The citizen's status page on a phone (390x844) in a hall's first week: it names the zone to wait
in, and a transferred ticket's page says so, with the new service, its zone and the forecast.

Tests share the package's hall (see conftest); each uses services of its own: Akta Kematian (D)
for the zone; PBG (G) at counter 9 transferred to STNK 5 tahunan (N) at counter 14.
"""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Officer

if TYPE_CHECKING:
    from tests.browser.conftest import Hall

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
DUKCAPIL_ZONE = "Lantai 1 Sayap A (Disdukcapil)"
DUKCAPIL_ZONE_EN = "Floor 1, Wing A (Civil Registry)"
SAMSAT_ZONE = "Lantai 2 (Samsat, Polresta, BPJS Kesehatan)"
SAMSAT_ZONE_EN = "Floor 2 (Samsat, City Police, BPJS Kesehatan)"


def wait_for_state(hall: Hall, ticket_id: str, state: str, timeout: float = 5.0) -> None:
    deadline = time.monotonic() + timeout
    while (seen := hall.ticket(ticket_id)["state"]) != state:
        assert time.monotonic() < deadline, f"ticket {ticket_id} is {seen}, expected {state}"
        time.sleep(0.1)


def fits(page: Page, testid: str) -> None:
    box = page.get_by_test_id(testid).bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390, (testid, box)


def test_the_status_page_names_the_zone_to_wait_in(hall: Hall, new_context, screenshots: Path) -> None:
    ticket = hall.issue("akta-kematian")
    wait_for_state(hall, ticket["id"], "waiting")
    phone = new_context(**PHONE).new_page()
    phone.goto(ticket["status_url"])
    expect(phone.get_by_test_id("status-state")).to_have_text("Menunggu")
    expect(phone.get_by_test_id("status-zone")).to_have_text(f"Tunggu di: {DUKCAPIL_ZONE}")
    fits(phone, "status-zone")
    phone.screenshot(path=screenshots / "status-zone.png")
    phone.get_by_test_id("lang-toggle").click()
    expect(phone.get_by_test_id("status-zone")).to_have_text(f"Wait at: {DUKCAPIL_ZONE_EN}")


def signed_in(hall: Hall, officer: Officer) -> httpx.Client:
    hall.add_officer(officer)
    api = httpx.Client(base_url=f"{hall.counters_url}/api/v1", timeout=5.0)
    body = {"username": officer.username, "password": officer.password}
    api.headers["Authorization"] = f"Bearer {api.post('/sessions', json=body).json()['token']}"
    return api


def test_a_transferred_ticket_says_so_with_the_new_service_zone_and_forecast(
    hall: Hall, new_context, screenshots: Path
) -> None:
    """A building approval (PBG, first floor wing B) is sent on at counter 9 to the Samsat's
    five-yearly registration upstairs: the page says the citizen was transferred, to which service
    and where to wait, and still shows when they will be called, now from the new line (counter
    14 open for it)."""
    ptsp = signed_in(hall, Officer("ptsp-transfer", "password123", "Rudi", "dpmptsp"))
    samsat = signed_in(hall, Officer("samsat-transfer", "password123", "Wati", "samsat"))
    ptsp.post("/counters/9/open").raise_for_status()
    samsat.post("/counters/14/open").raise_for_status()
    try:
        ticket = hall.issue("pbg")
        wait_for_state(hall, ticket["id"], "waiting")
        phone = new_context(**PHONE).new_page()
        phone.goto(ticket["status_url"])
        expect(phone.get_by_test_id("status-state")).to_have_text("Menunggu")
        expect(phone.get_by_test_id("status-transfer")).to_be_hidden()  # not moved yet

        ptsp.post("/counters/9/call-number", json={"number": ticket["number"]}).raise_for_status()
        expect(phone.get_by_test_id("status-state")).to_have_text("Dipanggil", timeout=5_000)
        ptsp.post("/counters/9/start").raise_for_status()
        ptsp.post("/counters/9/transfer", json={"service": "stnk-5-tahunan"}).raise_for_status()

        expect(phone.get_by_test_id("status-state")).to_have_text("Menunggu", timeout=5_000)
        transfer = phone.get_by_test_id("status-transfer")
        expect(transfer).to_be_visible()
        expect(phone.get_by_test_id("status-transfer-lead")).to_have_text(
            "Anda dialihkan ke layanan Penggantian STNK 5 Tahunan."
        )
        expect(phone.get_by_test_id("status-transfer-where")).to_have_text(
            f"Nomor Anda tetap. Silakan menunggu di {SAMSAT_ZONE}."
        )
        expect(phone.get_by_test_id("status-number")).to_have_text(ticket["number"])
        expect(phone.get_by_test_id("status-zone")).to_have_text(f"Tunggu di: {SAMSAT_ZONE}")
        window = re.compile(r"^Perkiraan dipanggil \d{2}:[0-5][05]-\d{2}:[0-5][05]$")
        expect(phone.get_by_test_id("status-forecast")).to_have_text(window, timeout=15_000)
        fits(phone, "status-transfer")
        phone.screenshot(path=screenshots / "status-transferred.png", full_page=True)
        phone.get_by_test_id("lang-toggle").click()
        expect(phone.get_by_test_id("status-transfer-lead")).to_have_text(
            "You were transferred to Five-yearly vehicle registration renewal."
        )
        expect(phone.get_by_test_id("status-transfer-where")).to_have_text(
            f"Your number stays the same. Please wait at {SAMSAT_ZONE_EN}."
        )

        samsat.post("/counters/14/call-number", json={"number": ticket["number"]}).raise_for_status()
        expect(phone.get_by_test_id("status-state")).to_have_text("Called", timeout=5_000)
        expect(phone.get_by_test_id("status-transfer")).to_be_hidden()  # the counter is what matters now
        samsat.post("/counters/14/complete").raise_for_status()
    finally:
        ptsp.post("/counters/9/close")
        samsat.post("/counters/14/close")
