"""What a citizen meets at the kiosk and on the booking page in a hall's first week, in a real
browser against a live hall, on the kiosk's two screens (1920x1080 and 1080x1920): taxes whose fee
the law sets per case, where to wait and how long, a booking checked in outside its window, and
a closed hall.

Tests share the package's hall (see conftest); each uses services of its own: PKB tahunan (M),
BPHTB (K) and STNK 5 tahunan (N) for fees; Izin Reklame (H) and Pajak Daerah (L) for the queue
summary; KTP-el bookings on a later day for check-in.
"""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from playwright.sync_api import Page, Route, expect

if TYPE_CHECKING:
    from tests.browser.conftest import Hall

pytestmark = pytest.mark.browser

KIOSK_SIZES = {
    "landscape": {"viewport": {"width": 1920, "height": 1080}},
    "portrait": {"viewport": {"width": 1080, "height": 1920}},
}


@pytest.fixture(params=sorted(KIOSK_SIZES))
def kiosk_size(request: pytest.FixtureRequest) -> tuple[str, dict[str, Any]]:
    return request.param, KIOSK_SIZES[request.param]


def fits(page: Page, testid: str) -> None:
    """The element is inside the screen's width: a kiosk has no sideways scrolling."""
    box = page.get_by_test_id(testid).bounding_box()
    width = page.viewport_size["width"] if page.viewport_size else 0
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (testid, box)


# ---- taxes: "sesuai ketetapan", never "Gratis" ----


def test_a_tax_says_its_fee_is_assessed_not_free(
    hall: Hall, new_context, screenshots: Path, kiosk_size: tuple[str, dict[str, Any]]
) -> None:
    name, size = kiosk_size
    kiosk = new_context(**size).new_page()
    kiosk.goto(hall.kiosk_url())
    kiosk.get_by_test_id("agency-samsat").click()
    expect(kiosk.get_by_test_id("fee-pkb-tahunan")).to_have_text("Biaya: sesuai ketetapan")
    expect(kiosk.get_by_test_id("fee-stnk-5-tahunan")).to_have_text("Biaya: sesuai ketetapan")
    fits(kiosk, "fee-pkb-tahunan")
    kiosk.screenshot(path=screenshots / f"kiosk-fee-assessed-{name}.png")
    kiosk.get_by_test_id("lang-toggle").click()
    expect(kiosk.get_by_test_id("fee-pkb-tahunan")).to_have_text("Fee: as assessed")
    kiosk.get_by_test_id("lang-toggle").click()

    kiosk.get_by_test_id("back-services").click()
    kiosk.get_by_test_id("agency-bapenda").click()
    expect(kiosk.get_by_test_id("fee-bphtb")).to_have_text("Biaya: sesuai ketetapan")
    kiosk.get_by_test_id("back-services").click()
    kiosk.get_by_test_id("agency-dukcapil").click()
    expect(kiosk.get_by_test_id("fee-ktp-el")).to_have_text("Biaya: Gratis")  # free stays free
    kiosk.get_by_test_id("back-services").click()
    kiosk.get_by_test_id("agency-polresta").click()
    fixed = re.compile(r"^Biaya: Rp\s?30\.000$")
    expect(kiosk.get_by_test_id("fee-skck")).to_have_text(fixed)  # a fixed fee stays fixed


def test_the_booking_page_says_an_assessed_fee_too(hall: Hall, new_context) -> None:
    """The example's bookable services are free or fixed; the hall answer is the server's own, with
    vehicle tax made bookable, so that the booking page shows what the hall says of its fee."""
    page = new_context(viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True).new_page()

    def bookable_tax(route: Route) -> None:
        answer = route.fetch()
        body = answer.json()
        for service in body["services"]:
            if service["code"] == "pkb-tahunan":
                assert service["standard"]["fee_assessed"] is True
                service["bookable"] = True
        route.fulfill(response=answer, body=json.dumps(body))

    page.route("**/api/v1/hall", bookable_tax)
    page.goto(f"{hall.ticketing_url}/booking")
    page.get_by_test_id("agency-samsat").click()
    expect(page.get_by_test_id("fee-pkb-tahunan")).to_have_text("Biaya: sesuai ketetapan")
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("fee-pkb-tahunan")).to_have_text("Fee: as assessed")
