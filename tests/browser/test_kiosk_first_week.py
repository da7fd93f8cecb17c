"""What a citizen meets at the kiosk and on the booking page in a hall's first week, in a real
browser against a live hall, on the kiosk's two screens (1920x1080 and 1080x1920): taxes whose fee
the law sets per case, where to wait and how long, a booking checked in outside its window, and
a closed hall.

Tests share the package's hall (see conftest); each uses services of its own: PKB tahunan (M),
BPHTB (K) and STNK 5 tahunan (N) for fees; Izin Reklame (H) and Pajak Daerah (L) for the queue
summary; KTP-el bookings on a later day for check-in.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from playwright.sync_api import Page, Route, expect

from antre.hall.load import load_hall, read_document
from services.ticketing.entrypoints.http import issuing_json
from tests.browser.conftest import HALL_FILE, REPO, Officer, run_hall
from tests.browser.test_pages import take_number

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
    # The whole standard in English, not only its labels.
    kiosk.get_by_test_id("requirements-pkb-tahunan").locator("summary").click()
    standard = kiosk.get_by_test_id("requirements-pkb-tahunan")
    expect(standard.locator("li")).to_have_text(["Original STNK", "Original KTP-el in the name on the STNK"])
    expect(standard).to_contain_text("Procedure: The PKB and SWDKLLJ amounts are on the tax notice")
    expect(kiosk.get_by_test_id("service-pkb-tahunan")).to_contain_text("Done on the spot")
    kiosk.get_by_test_id("lang-toggle").click()
    expect(standard.locator("li").first).to_have_text("STNK asli")

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


# ---- where to go and how long ----

REKLAME_ZONE = "Lantai 1 Sayap B (Perizinan dan Pendapatan Daerah)"
REKLAME_ZONE_EN = "Floor 1, Wing B (Licensing and Regional Revenue)"


def open_counter(hall: Hall, officer: Officer, counter: int) -> httpx.Client:
    """Counter ``counter`` opened by ``officer`` through the counters' API; the signed-in client."""
    hall.add_officer(officer)
    api = httpx.Client(base_url=f"{hall.counters_url}/api/v1", timeout=5.0)
    body = {"username": officer.username, "password": officer.password}
    api.headers["Authorization"] = f"Bearer {api.post('/sessions', json=body).json()['token']}"
    api.post(f"/counters/{counter}/open").raise_for_status()
    return api


def test_the_kiosk_shows_how_many_wait_and_when_before_a_number_is_taken(
    hall: Hall, new_context, screenshots: Path, kiosk_size: tuple[str, dict[str, Any]]
) -> None:
    """Counter 9 open for billboard permits, with citizens waiting: each service card says how
    many wait and the forecast call time at the back of the line, as a status page shows it; a
    service where nobody waits says so."""
    name, size = kiosk_size
    api = open_counter(hall, Officer(f"ptsp-{name}", "password123", "Rudi", "dpmptsp"), 9)
    try:
        waiting = int(httpx.get(f"{hall.counters_url}/api/v1/queues").json()["waiting"]["izin-reklame"])
        for _ in range(2):
            hall.issue("izin-reklame")
        waiting += 2
        kiosk = new_context(**size).new_page()
        kiosk.goto(hall.kiosk_url())
        kiosk.get_by_test_id("agency-dpmptsp").click()
        window = re.compile(
            rf"^{waiting} menunggu · perkiraan dipanggil \d{{2}}:[0-5][05]-\d{{2}}:[0-5][05]$"
        )
        expect(kiosk.get_by_test_id("queue-izin-reklame")).to_have_text(window, timeout=20_000)
        fits(kiosk, "queue-izin-reklame")
        kiosk.screenshot(path=screenshots / f"kiosk-queues-{name}.png")
        kiosk.get_by_test_id("lang-toggle").click()
        expect(kiosk.get_by_test_id("queue-izin-reklame")).to_have_text(
            re.compile(rf"^{waiting} waiting · expected call \d{{2}}:[0-5][05]-\d{{2}}:[0-5][05]$")
        )
        kiosk.get_by_test_id("lang-toggle").click()
        kiosk.get_by_test_id("back-services").click()
        kiosk.get_by_test_id("agency-bpjs").click()  # JKN: nobody waits in this test's hall
        jkn = int(httpx.get(f"{hall.counters_url}/api/v1/queues").json()["waiting"]["jkn"])
        expected = "Tidak ada antrean" if jkn == 0 else re.compile(rf"^{jkn} menunggu")
        expect(kiosk.get_by_test_id("queue-jkn")).to_have_text(expected)
    finally:
        api.post("/counters/9/close")


def test_the_queue_summary_is_cached_and_names_no_citizen(hall: Hall) -> None:
    """Counts and times only; the count catches up within the summary's 10 s."""
    ticket = hall.issue("pajak-daerah")
    codes = {s["code"] for s in httpx.get(f"{hall.ticketing_url}/api/v1/hall").json()["services"]}
    deadline = time.monotonic() + 20.0
    while True:
        response = httpx.get(f"{hall.ticketing_url}/api/v1/queues", timeout=5.0)
        assert response.status_code == 200
        assert "max-age" in response.headers["cache-control"]
        body = response.json()
        assert set(body["services"]) == codes
        if body["services"]["pajak-daerah"]["waiting"] >= 1:
            break
        assert time.monotonic() < deadline, body["services"]["pajak-daerah"]
        time.sleep(1.0)
    assert ticket["id"] not in response.text and ticket["number"] not in response.text


def test_the_number_says_where_to_wait_on_screen_and_on_paper(
    hall: Hall, new_context, screenshots: Path, kiosk_size: tuple[str, dict[str, Any]]
) -> None:
    name, size = kiosk_size
    kiosk = new_context(**size).new_page()
    kiosk.goto(hall.kiosk_url())
    ticket = take_number(kiosk, "dpmptsp", "izin-reklame")
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text(ticket["number"])
    expect(kiosk.get_by_test_id("ticket-zone")).to_have_text(f"Tunggu di: {REKLAME_ZONE}")
    fits(kiosk, "ticket-zone")
    kiosk.screenshot(path=screenshots / f"kiosk-result-zone-{name}.png")
    kiosk.get_by_test_id("lang-toggle").click()
    expect(kiosk.get_by_test_id("ticket-zone")).to_have_text(f"Wait at: {REKLAME_ZONE_EN}")

    paper = new_context(viewport={"width": 420, "height": 900}).new_page()
    paper.emulate_media(media="print")
    paper.goto(f"{hall.ticketing_url}{ticket['print_url']}")
    expect(paper.get_by_test_id("zone")).to_be_visible()
    expect(paper.get_by_test_id("zone")).to_contain_text("Tunggu di / Wait at")
    expect(paper.get_by_test_id("zone-name")).to_have_text(REKLAME_ZONE)
    expect(paper.get_by_test_id("zone-name-en")).to_have_text(REKLAME_ZONE_EN)
    paper.screenshot(path=screenshots / "ticket-zone.png")


# ---- check-in outside its window ----

WITA = ZoneInfo("Asia/Makassar")


def later_day(hall: Hall, service: str) -> dict[str, Any]:
    today = dt.datetime.now(WITA).date().isoformat()
    for day in hall.sessions(service):
        free = [s for s in day["sessions"] if s["left"] > 0]
        if day["day"] > today and day["pool"]["online_left"] > 0 and free:
            return {**day, "sessions": free}
    pytest.fail(f"no later day with room for {service}")


@pytest.mark.parametrize(
    ("size", "nik", "phone"),
    [("landscape", "7471010202920008", "081234567108"), ("portrait", "7471010303930009", "081234567109")],
)
def test_a_booking_checked_in_on_another_day_says_when_check_in_opens_and_offers_a_walk_in(
    hall: Hall, new_context, screenshots: Path, size: str, nik: str, phone: str
) -> None:
    # SKCK: the walk-in number this test takes must not stand in the KTP-el queue other page tests
    # of this hall count on.
    day = later_day(hall, "skck")
    start = day["sessions"][0]["start"]
    booking = hall.book(service="skck", day=day["day"], session=start, nik=nik, name="Yusuf", phone=phone)
    opens = dt.datetime.combine(dt.date.fromisoformat(day["day"]), dt.time.fromisoformat(start))
    opens -= dt.timedelta(minutes=30)  # check_in_early_minutes: SKCK keeps the default

    kiosk = new_context(**KIOSK_SIZES[size]).new_page()
    kiosk.goto(hall.kiosk_url())
    kiosk.get_by_test_id("checkin-start").click()
    kiosk.keyboard.type(booking["code"])
    kiosk.keyboard.press("Enter")
    shown = dt.date.fromisoformat(day["day"]).strftime("%d-%m-%Y")
    expect(kiosk.get_by_test_id("checkin-refusal-text")).to_have_text(f"Reservasi ini untuk tanggal {shown}")
    expect(kiosk.get_by_test_id("checkin-opens")).to_have_text(
        f"Konfirmasi kedatangan dibuka {shown} pukul {opens:%H:%M} WITA."
    )
    expect(kiosk.get_by_test_id("checkin-walk-in")).to_be_visible()
    fits(kiosk, "checkin-opens")
    kiosk.screenshot(path=screenshots / f"kiosk-checkin-other-day-{size}.png")
    kiosk.get_by_test_id("lang-toggle").click()
    expect(kiosk.get_by_test_id("checkin-opens")).to_have_text(
        f"Check-in opens on {shown} at {opens:%H:%M} WITA."
    )
    kiosk.get_by_test_id("lang-toggle").click()

    kiosk.get_by_test_id("checkin-walk-in").click()  # straight to the booked service's walk-in number
    expect(kiosk.get_by_test_id("chosen-service")).to_contain_text("SKCK")
    with kiosk.expect_response(
        lambda r: r.url.endswith("/api/v1/tickets") and r.request.method == "POST"
    ) as out:
        kiosk.get_by_test_id("take-number").click()
    ticket = out.value.json()
    assert ticket["service"] == "skck" and ticket["number"].startswith("P-")
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text(ticket["number"])


# ---- a closed hall ----


def test_a_closed_kiosk_shows_the_next_opening_and_the_booking_link(
    hall: Hall, new_context, screenshots: Path, kiosk_size: tuple[str, dict[str, Any]]
) -> None:
    """The test hall is a demo hall, open at any hour; the kiosk is shown the hall as the server
    answers it on a Saturday afternoon, its issuing state made by the server's own code."""
    name, size = kiosk_size
    kendari = load_hall(REPO / HALL_FILE)
    saturday_afternoon = dt.datetime(2026, 12, 5, 12, 30, tzinfo=WITA)
    closed = issuing_json(kendari, saturday_afternoon.astimezone(dt.UTC))

    def after_hours(route: Route) -> None:
        answer = route.fetch()
        body = {**answer.json(), "issuing": closed}
        route.fulfill(response=answer, body=json.dumps(body))

    kiosk = new_context(**size).new_page()
    kiosk.route("**/api/v1/hall", after_hours)
    kiosk.goto(hall.kiosk_url())
    expect(kiosk.get_by_test_id("refusal")).to_have_text("Layanan sudah tutup pukul 12:00")
    expect(kiosk.get_by_test_id("closed-next")).to_have_text(
        "Buka kembali Senin, 07-12-2026 pukul 08:00 WITA"
    )
    expect(kiosk.get_by_test_id("closed-booking-url")).to_have_text(
        hall.ticketing_url.removeprefix("http://") + "/booking"
    )
    kiosk.wait_for_function(
        "() => document.querySelector('[data-testid=closed-booking-qr]').naturalWidth > 0"
    )
    expect(kiosk.get_by_test_id("agencies")).to_be_hidden()  # no service that would be refused
    expect(kiosk.get_by_test_id("checkin-start")).to_be_hidden()
    for testid in ("closed-next", "closed-booking"):
        fits(kiosk, testid)
    kiosk.screenshot(path=screenshots / f"kiosk-closed-{name}.png")
    kiosk.get_by_test_id("lang-toggle").click()
    expect(kiosk.get_by_test_id("closed-next")).to_have_text(
        "Opens again on Monday, 07-12-2026 at 08:00 WITA"
    )
    expect(kiosk.get_by_test_id("closed")).to_contain_text("Book a queue number online from your phone:")

    qr = httpx.get(f"{hall.ticketing_url}/booking/qr.svg", timeout=5.0)
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")


def hall_with_a_session_later_today(folder: Path) -> tuple[Path, dt.datetime] | None:
    """Kendari's hall file, open all day every day, with one KTP-el session two hours from now:
    its check-in (from 30 minutes before the start) opens in an hour and a half. None when the
    session would run past midnight."""
    start = (dt.datetime.now(WITA) + dt.timedelta(minutes=120)).replace(second=0, microsecond=0)
    end = start + dt.timedelta(minutes=50)
    if end.date() != dt.datetime.now(WITA).date():
        return None
    data = read_document((REPO / HALL_FILE).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    every_day = {"open": "00:00", "close": "23:59"}
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    data["hours"] = {**dict.fromkeys(days, every_day), "cutoff_minutes": 0, "breaks": [], "holidays": []}
    ktp = next(s for s in data["services"] if s["code"] == "ktp-el")
    session = {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "capacity": 10}
    ktp["booking"] = {**ktp["booking"], "online_quota": 10, "sessions": [session]}
    path = folder / "hall-later-today.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path, start


@pytest.fixture(scope="module")
def hall_later(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Hall, dt.datetime]]:
    folder = tmp_path_factory.mktemp("hall-later-today")
    made = hall_with_a_session_later_today(folder)
    if made is None:
        pytest.skip("too close to midnight for a session later today")
    with run_hall(folder, made[0]) as running:
        yield running, made[1]


def test_a_booking_checked_in_too_early_says_when_and_offers_a_walk_in_now(
    hall_later: tuple[Hall, dt.datetime], new_context, screenshots: Path
) -> None:
    hall, start = hall_later
    booking = hall.book(
        service="ktp-el",
        day=start.date().isoformat(),
        session=f"{start:%H:%M}",
        nik="7471010404940001",
        name="Hasan",
        phone="081234567110",
    )
    opens = start - dt.timedelta(minutes=30)
    kiosk = new_context(**KIOSK_SIZES["portrait"]).new_page()
    kiosk.goto(hall.kiosk_url())
    kiosk.get_by_test_id("checkin-start").click()
    kiosk.keyboard.type(booking["code"])
    kiosk.keyboard.press("Enter")
    expect(kiosk.get_by_test_id("checkin-refusal-text")).to_have_text(
        f"Konfirmasi kedatangan dibuka pukul {opens:%H:%M} untuk sesi {start:%H:%M}"
    )
    expect(kiosk.get_by_test_id("checkin-opens")).to_be_hidden()  # the refusal itself says the time
    expect(kiosk.get_by_test_id("checkin-walk-in")).to_be_visible()
    kiosk.screenshot(path=screenshots / "kiosk-checkin-too-early-portrait.png")
    kiosk.get_by_test_id("checkin-walk-in").click()
    expect(kiosk.get_by_test_id("chosen-service")).to_contain_text("KTP Elektronik")
    expect(kiosk.get_by_test_id("take-number")).to_be_visible()
