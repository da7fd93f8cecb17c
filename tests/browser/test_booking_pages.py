"""The booking pages in a real browser against a live hall: a citizen books a KTP-el session on a
phone, looks it up, sees the day's online places drop and come back when cancelling, moves an SKCK
booking; the server's refusals (a bad NIK, a second booking for the same day, a wrong NIK) appear
as the server words them, in either language; a day whose online quota is used up points to the
next day with room; the help desk books with its API key; the kiosk's check-in refuses unknown
codes, bookings for another day and missed sessions, and - in a hall of its own whose session
starts in a few minutes - checks a booking in and prints its number.

The services run on the real clock, so "tomorrow" is whichever day after today the hall next
offers (today may be a Saturday evening). Tests share one hall: each uses its own NIKs and phone
numbers (rate limits count per phone) and compares places left before and after, never absolutes.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo

import httpx
import pytest
import yaml
from playwright.sync_api import Page, Route, expect

from antre.hall.load import read_document
from tests.browser.conftest import HALL_FILE, HELPDESK_KEY, REPO, run_hall
from tests.browser.test_accessibility import clean

if TYPE_CHECKING:
    from tests.browser.conftest import Hall

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
KIOSK = {"viewport": {"width": 1920, "height": 1080}}
WITA = ZoneInfo("Asia/Makassar")
BOOKING_CODE = re.compile(r"^[A-HJ-NP-Z2-9]{8}$")

# Structurally valid NIKs of Kota Kendari (7471 01), one per test: one active booking per NIK,
# service and day. Women's day of birth is +40.
NIK_BUDI = "7471010101900002"  # male, born 1 Jan 1990
NIK_SITI = "7471014101900003"  # female, born 1 Jan 1990
NIK_ANDI = "7471011203850004"  # male, born 12 Mar 1985
NIK_RINA = "7471015505850001"  # female, born 15 May 1985
NIK_EKO = "7471010707770005"  # male, born 7 Jul 1977
NIK_DEWI = "7471016006000006"  # female, born 20 Jun 2000


def later_day(hall: Hall, service: str, sessions: int = 1) -> dict[str, Any]:
    """The first day after today (hall time) with online room and at least ``sessions`` sessions
    with room: the day the hall next opens, as the booking page lists it."""
    today = dt.datetime.now(WITA).date().isoformat()
    for day in hall.sessions(service):
        free = [s for s in day["sessions"] if s["left"] > 0]
        if day["day"] > today and day["pool"]["online_left"] > 0 and len(free) >= sessions:
            return {**day, "sessions": free}
    pytest.fail(f"no later day with room for {service}")


def to_form(page: Page, agency: str, service: str, day: str, session: str) -> None:
    page.get_by_test_id(f"agency-{agency}").click()
    page.get_by_test_id(f"service-{service}").click()
    page.get_by_test_id(f"day-{day}").click()
    page.get_by_test_id(f"session-{session}").click()


def fill(page: Page, nik: str, name: str, phone: str, email: str = "") -> None:
    page.get_by_test_id("nik").fill(nik)
    page.get_by_test_id("name").fill(name)
    page.get_by_test_id("phone").fill(phone)
    page.get_by_test_id("email").fill(email)


def submit(page: Page) -> dict[str, Any]:
    """Press "Pesan sekarang" and return the API's answer (a booking or a refusal)."""
    with page.expect_response(
        lambda r: r.url.endswith("/api/v1/bookings") and r.request.method == "POST"
    ) as answer:
        page.get_by_test_id("submit").click()
    return answer.value.json()


def places_left(page: Page, day: str) -> int:
    button = page.get_by_test_id(f"day-{day}")
    expect(button).to_be_visible()
    return int(button.get_attribute("data-left") or "-1")


def test_book_look_up_and_cancel_give_the_place_back(hall: Hall, new_context, screenshots: Path) -> None:
    day = later_day(hall, "ktp-el")
    start, end = day["sessions"][0]["start"], day["sessions"][0]["end"]
    page = new_context(**PHONE).new_page()
    page.goto(f"{hall.ticketing_url}/booking")
    expect(page.get_by_test_id("heading")).to_have_text("Pilih instansi")
    expect(page.get_by_test_id("agency-dukcapil")).to_contain_text("1 layanan dapat dipesan")
    expect(page.get_by_test_id("agency-bapenda")).to_have_count(0)  # walk-in only: not offered
    page.screenshot(path=screenshots / "booking-start.png")

    page.get_by_test_id("agency-dukcapil").click()
    expect(page.get_by_test_id("service-kartu-keluarga")).to_have_count(0)
    page.get_by_test_id("service-ktp-el").click()
    expect(page.get_by_test_id(f"day-left-{day['day']}")).to_have_text(
        f"Sisa kuota online: {day['pool']['online_left']}"
    )
    before = places_left(page, day["day"])
    page.screenshot(path=screenshots / "booking-days.png")
    page.get_by_test_id(f"day-{day['day']}").click()
    expect(page.get_by_test_id(f"session-{start}")).to_contain_text(f"{start}–{end} WITA")
    page.screenshot(path=screenshots / "booking-sessions.png")
    page.get_by_test_id(f"session-{start}").click()
    fill(page, NIK_BUDI, "Budi Santoso", "0812 3456 7001", "budi@example.com")
    page.screenshot(path=screenshots / "booking-form.png")

    booking = submit(page)
    code = booking["code"]
    assert BOOKING_CODE.match(code)
    expect(page.get_by_test_id("booking-code")).to_have_text(code)
    expect(page.get_by_test_id("booking-nik")).to_have_text("************0002")
    expect(page.get_by_test_id("booking-session")).to_have_text(f"{start}–{end} WITA")
    expect(page.get_by_test_id("booking-qr")).to_have_attribute("data-src", f"/booking/{code}/qr.svg")
    page.wait_for_function("() => document.querySelector('[data-testid=booking-qr]').naturalWidth > 0")
    assert NIK_BUDI not in page.content()  # the full NIK is never written into the page
    qr = httpx.get(f"{hall.ticketing_url}/booking/{code.lower()}/qr.svg", timeout=5.0)
    assert qr.headers["content-type"] == "image/svg+xml" and b"xmlns" in qr.content
    refused = httpx.get(f"{hall.ticketing_url}/booking/NOT-A-CODE/qr.svg", timeout=5.0)
    assert refused.json()["error"]["code"] == "booking_code_invalid"
    page.screenshot(path=screenshots / "booking-confirmation.png")
    page.screenshot(path=screenshots / "booking-confirmation-full.png", full_page=True)

    page.get_by_test_id("done-manage").click()
    expect(page.get_by_test_id("booking-state")).to_have_text("Terdaftar")
    expect(page.get_by_test_id("details-code")).to_have_text(code)
    expect(page.get_by_test_id("details-nik")).to_have_text("************0002")
    page.screenshot(path=screenshots / "booking-manage.png", full_page=True)

    page.get_by_test_id("tab-book").click()
    page.get_by_test_id("again").click()
    page.get_by_test_id("agency-dukcapil").click()
    page.get_by_test_id("service-ktp-el").click()
    expect(page.get_by_test_id(f"day-{day['day']}")).to_have_attribute("data-left", str(before - 1))

    page.get_by_test_id("tab-manage").click()
    page.get_by_test_id("owner-nik").fill(NIK_SITI)  # someone else's NIK: refused
    page.get_by_test_id("cancel").click()
    page.get_by_test_id("cancel-yes").click()
    expect(page.get_by_test_id("error")).to_have_text("NIK tidak cocok dengan reservasi ini")
    expect(page.get_by_test_id("booking-state")).to_have_text("Terdaftar")
    page.get_by_test_id("owner-nik").fill(NIK_BUDI)
    page.get_by_test_id("cancel").click()
    page.get_by_test_id("cancel-yes").click()
    expect(page.get_by_test_id("booking-state")).to_have_text("Dibatalkan")
    expect(page.get_by_test_id("manage-notice")).to_have_text("Reservasi dibatalkan.")
    expect(page.get_by_test_id("changes")).to_be_hidden()

    page.get_by_test_id("tab-book").click()  # back on the day list, counted afresh
    expect(page.get_by_test_id(f"day-{day['day']}")).to_have_attribute("data-left", str(before))


def test_refusals_are_the_servers_own_words(hall: Hall, new_context) -> None:
    day = later_day(hall, "ktp-el", sessions=2)
    first, second = day["sessions"][0]["start"], day["sessions"][1]["start"]
    page = new_context(**PHONE).new_page()
    posts: list[str] = []
    page.on("request", lambda r: r.method == "POST" and posts.append(r.url))
    page.goto(f"{hall.ticketing_url}/booking")
    to_form(page, "dukcapil", "ktp-el", day["day"], first)

    fill(page, NIK_SITI[:15], "Siti Aminah", "0812 3456 7002")  # a typo: caught before sending
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("nik-error")).to_have_text("NIK harus 16 angka (tertulis 15)")
    page.get_by_test_id("name").fill("")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("name-error")).to_have_text("Wajib diisi")
    assert posts == []

    fill(page, "0071014101900003", "Siti Aminah", "0812 3456 7002")  # province 00 does not exist
    refusal = submit(page)
    assert refusal["error"]["code"] == "nik_region"
    expect(page.get_by_test_id("error")).to_have_text(refusal["error"]["message"])
    expect(page.get_by_test_id("nik-error")).to_be_hidden()

    fill(page, NIK_SITI, "Siti Aminah", "0812 3456 7002")
    assert BOOKING_CODE.match(submit(page)["code"])
    expect(page.get_by_test_id("error")).to_be_hidden()

    page.get_by_test_id("again").click()  # the same NIK, another session of the same day
    to_form(page, "dukcapil", "ktp-el", day["day"], second)
    expect(page.get_by_test_id("phone")).to_have_value("0812 3456 7002")  # a family's phone stays
    expect(page.get_by_test_id("nik")).to_have_value("")  # a NIK does not
    page.get_by_test_id("nik").fill(NIK_SITI)
    refusal = submit(page)
    assert refusal["error"]["code"] == "already_booked"
    expect(page.get_by_test_id("error")).to_have_text(
        "NIK ini sudah punya reservasi aktif untuk layanan ini pada hari itu"
    )
    page.get_by_test_id("lang-toggle").click()  # the banner follows the language
    expect(page.get_by_test_id("error")).to_have_text(
        "This NIK already has an active booking for this service on that day"
    )


def test_reschedule_moves_a_booking_to_another_session(hall: Hall, new_context, screenshots: Path) -> None:
    day = later_day(hall, "skck", sessions=2)
    first, second = day["sessions"][0], day["sessions"][1]
    booking = hall.book(
        service="skck",
        day=day["day"],
        session=first["start"],
        nik=NIK_ANDI,
        name="Andi",
        phone="081234567003",
    )
    page = new_context(**PHONE).new_page()
    page.goto(f"{hall.ticketing_url}/booking?code={booking['code']}")  # the link a reminder carries
    expect(page.get_by_test_id("booking-state")).to_have_text("Terdaftar")
    expect(page.get_by_test_id("details-session")).to_have_text(f"{first['start']}–{first['end']} WITA")

    page.get_by_test_id("reschedule").click()
    expect(page.get_by_test_id("owner-nik-error")).to_have_text("Wajib diisi")
    page.get_by_test_id("owner-nik").fill(NIK_ANDI)
    page.get_by_test_id("reschedule").click()
    page.get_by_test_id(f"move-day-{day['day']}").click()
    expect(page.get_by_test_id(f"move-session-{first['start']}")).to_be_disabled()  # where it is now
    page.get_by_test_id(f"move-session-{second['start']}").click()
    expect(page.get_by_test_id("move-confirm")).to_contain_text(f"{second['start']}–{second['end']} WITA")
    page.screenshot(path=screenshots / "booking-reschedule.png", full_page=True)
    page.get_by_test_id("move-confirm").click()
    expect(page.get_by_test_id("details-session")).to_have_text(f"{second['start']}–{second['end']} WITA")
    expect(page.get_by_test_id("manage-notice")).to_contain_text("Jadwal diubah ke")
    expect(page.get_by_test_id("move")).to_be_hidden()


def test_english_toggle_on_the_booking_page(hall: Hall, new_context, screenshots: Path) -> None:
    day = later_day(hall, "ktp-el")
    page = new_context(**PHONE).new_page()
    page.goto(f"{hall.ticketing_url}/booking")
    expect(page.get_by_test_id("tab-manage")).to_have_text("Cek / batalkan / ubah jadwal")
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("heading")).to_have_text("Choose an agency")
    expect(page.get_by_test_id("lang-toggle")).to_have_text("Bahasa Indonesia")
    expect(page.get_by_test_id("tab-manage")).to_have_text("Check / cancel / reschedule")
    expect(page.get_by_test_id("agency-dukcapil")).to_contain_text("Civil Registry Office")
    page.get_by_test_id("agency-dukcapil").click()
    expect(page.get_by_test_id("service-ktp-el")).to_contain_text("Electronic ID card")
    expect(page.get_by_test_id("service-ktp-el")).to_contain_text("Done on the spot when blank cards")
    page.get_by_test_id("requirements-ktp-el").locator("summary").click()
    first = page.get_by_test_id("requirements-ktp-el").locator("li").first
    expect(first).to_have_text("Aged 17 or over, or married or once married")
    expect(first).to_have_attribute("lang", "en")
    expect(page.get_by_test_id("requirements-ktp-el")).to_contain_text("Procedure: Take a number")
    page.get_by_test_id("service-ktp-el").click()
    weekday = dt.date.fromisoformat(day["day"]).strftime("%A")  # the C locale's English names
    expect(page.get_by_test_id(f"day-{day['day']}")).to_contain_text(weekday)
    expect(page.get_by_test_id(f"day-left-{day['day']}")).to_contain_text("Online places left")
    page.screenshot(path=screenshots / "booking-days-en.png")
    page.get_by_test_id(f"day-{day['day']}").click()
    page.get_by_test_id(f"session-{day['sessions'][0]['start']}").click()
    expect(page.get_by_test_id("language")).to_have_value("en")  # reminders in the page's language
    fill(page, "7471013201900007", "Eko", "0812 3456 7004")  # 32 January
    refusal = submit(page)
    expect(page.get_by_test_id("error")).to_have_text(refusal["error"]["message_en"])
    page.reload()
    expect(page.get_by_test_id("heading")).to_have_text("Choose an agency")  # remembered


def test_a_full_day_points_to_the_next_day_with_room(hall: Hall, new_context, screenshots: Path) -> None:
    days = hall.sessions("ktp-el")
    assert len(days) >= 2

    def quota_gone(route: Route) -> None:
        body = route.fetch().json()
        body["days"][0]["pool"]["online_left"] = 0
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    page = new_context(**PHONE).new_page()
    page.route("**/api/v1/services/ktp-el/sessions", quota_gone)
    page.goto(f"{hall.ticketing_url}/booking")
    page.get_by_test_id("agency-dukcapil").click()
    page.get_by_test_id("service-ktp-el").click()
    full, following = days[0]["day"], days[1]["day"]
    expect(page.get_by_test_id(f"day-{full}")).to_be_disabled()
    expect(page.get_by_test_id(f"day-left-{full}")).to_have_text("Penuh · kuota online habis")
    expect(page.get_by_test_id("next-free")).to_contain_text("Kuota online")
    expect(page.get_by_test_id("next-free")).to_contain_text("habis")
    page.screenshot(path=screenshots / "booking-days-full.png")
    page.get_by_test_id("pick-next").click()
    next_day = dt.date.fromisoformat(following)
    expect(page.get_by_test_id("chosen-day")).to_contain_text(
        re.compile(rf"\b{next_day.day}\b.*{next_day.year}")
    )
    expect(page.get_by_test_id(f"session-{days[1]['sessions'][0]['start']}")).to_be_enabled()


def test_help_desk_books_with_its_api_key(hall: Hall, new_context, screenshots: Path) -> None:
    day = later_day(hall, "ktp-el")
    start = day["sessions"][0]["start"]
    context = new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.goto(f"{hall.ticketing_url}/helpdesk")
    expect(page.get_by_test_id("subtitle")).to_have_text("Meja bantuan · reservasi untuk warga")
    expect(page.get_by_test_id("api-key-state")).to_contain_text("Belum ada kunci")
    to_form(page, "dukcapil", "ktp-el", day["day"], start)
    fill(page, NIK_RINA, "Rina Wati", "0812 3456 7005")
    page.get_by_test_id("submit").click()
    expect(page.get_by_test_id("error")).to_have_text("Isi kunci API meja bantuan terlebih dahulu.")

    page.get_by_test_id("api-key").fill("not-a-key")
    page.get_by_test_id("api-key-save").click()
    refusal = submit(page)
    assert refusal["error"]["code"] == "bad_api_key"
    expect(page.get_by_test_id("error")).to_have_text("Kunci API tidak dikenal")

    page.get_by_test_id("api-key").fill(HELPDESK_KEY)
    page.get_by_test_id("api-key-save").click()
    expect(page.get_by_test_id("api-key-state")).to_contain_text("Kunci tersimpan")
    with page.expect_request(lambda r: r.url.endswith("/api/v1/bookings")) as sent:
        booking = submit(page)
    assert sent.value.headers.get("x-api-key") == HELPDESK_KEY
    expect(page.get_by_test_id("booking-code")).to_have_text(booking["code"])
    page.wait_for_function("() => document.querySelector('[data-testid=booking-qr]').naturalWidth > 0")
    page.screenshot(path=screenshots / "helpdesk-confirmation.png", full_page=True)

    page.get_by_test_id("again").click()  # the next citizen starts from an empty form
    to_form(page, "dukcapil", "ktp-el", day["day"], start)
    for field in ("nik", "name", "phone", "email"):
        expect(page.get_by_test_id(field)).to_have_value("")
    page.reload()
    expect(page.get_by_test_id("api-key")).to_have_value(HELPDESK_KEY)  # kept in this tab
    other = new_context().new_page()
    other.goto(f"{hall.ticketing_url}/helpdesk")
    expect(other.get_by_test_id("api-key")).to_have_value("")  # never shared beyond it


# ---- the kiosk's check-in ----


def test_kiosk_check_in_refusals_are_shown_big(hall: Hall, new_context, screenshots: Path) -> None:
    kiosk = new_context(**KIOSK).new_page()
    kiosk.goto(hall.kiosk_url())
    expect(kiosk.get_by_test_id("checkin-start")).to_contain_text("Sudah reservasi?")
    expect(kiosk.get_by_test_id("checkin-start")).to_contain_text("Konfirmasi kedatangan")
    kiosk.get_by_test_id("checkin-start").click()
    for symbol in "ABCD2345":
        kiosk.get_by_test_id(f"key-{symbol}").click()
    kiosk.get_by_test_id("key-back").click()
    kiosk.get_by_test_id("key-6").click()
    expect(kiosk.get_by_test_id("checkin-code")).to_have_text("ABCD2346")
    kiosk.screenshot(path=screenshots / "kiosk-checkin.png")
    kiosk.get_by_test_id("checkin-submit").click()
    expect(kiosk.get_by_test_id("checkin-refusal-text")).to_have_text("Kode reservasi tidak ditemukan")
    expect(kiosk.get_by_test_id("checkin-walk-in")).to_be_hidden()
    kiosk.screenshot(path=screenshots / "kiosk-checkin-refused.png")
    kiosk.get_by_test_id("lang-toggle").click()
    expect(kiosk.get_by_test_id("checkin-refusal-text")).to_have_text("Booking code not found")
    kiosk.get_by_test_id("lang-toggle").click()

    # A booking for another day, typed by a scanner (letters, then Enter) over the old code.
    day = later_day(hall, "ktp-el")
    booking = hall.book(
        service="ktp-el",
        day=day["day"],
        session=day["sessions"][0]["start"],
        nik=NIK_EKO,
        name="Eko",
        phone="081234567006",
    )
    kiosk.get_by_test_id("key-clear").click()
    kiosk.keyboard.type(booking["code"].lower())
    expect(kiosk.get_by_test_id("checkin-code")).to_have_text(booking["code"])
    kiosk.keyboard.press("Enter")
    shown = dt.date.fromisoformat(day["day"]).strftime("%d-%m-%Y")
    expect(kiosk.get_by_test_id("checkin-refusal-text")).to_have_text(f"Reservasi ini untuk tanggal {shown}")

    # Missed: the window closed. The kiosk offers a walk-in number instead.
    missed = {
        "error": {
            "code": "booking_missed",
            "message": "Batas konfirmasi kedatangan pukul 09:15 sudah lewat; reservasi tercatat tidak "
            "hadir. Silakan ambil nomor antrean datang langsung",
            "message_en": "Check-in closed at 09:15; the booking counts as a no-show. "
            "Please take a walk-in number",
        }
    }
    kiosk.route(
        "**/check-in",
        lambda r: r.fulfill(status=409, content_type="application/json", body=json.dumps(missed)),
    )
    kiosk.get_by_test_id("checkin-submit").click()
    expect(kiosk.get_by_test_id("checkin-refusal-text")).to_contain_text("sudah lewat")
    kiosk.screenshot(path=screenshots / "kiosk-checkin-missed.png")
    kiosk.get_by_test_id("checkin-walk-in").click()
    expect(kiosk.get_by_test_id("heading")).to_have_text("Pilih instansi")
    kiosk.get_by_test_id("checkin-start").click()
    expect(kiosk.get_by_test_id("checkin-code")).to_have_text("")  # the previous code is gone
    expect(kiosk.get_by_test_id("checkin-refusal")).to_be_hidden()


def hall_with_a_session_now(folder: Path) -> Path | None:
    """Kendari's hall file, open all day every day, with one KTP-el session starting in about ten
    minutes: inside its check-in window (30 minutes before the start) and still bookable. None
    when the session would run past midnight."""
    start = (dt.datetime.now(WITA) + dt.timedelta(minutes=10)).replace(second=0, microsecond=0)
    end = start + dt.timedelta(minutes=50)
    if end.date() != start.date():
        return None
    data = read_document((REPO / HALL_FILE).read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    every_day = {"open": "00:00", "close": "23:59"}
    days = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
    data["hours"] = {**dict.fromkeys(days, every_day), "cutoff_minutes": 0, "breaks": [], "holidays": []}
    ktp = next(s for s in data["services"] if s["code"] == "ktp-el")
    session = {"start": f"{start:%H:%M}", "end": f"{end:%H:%M}", "capacity": 10}
    ktp["booking"] = {**ktp["booking"], "online_quota": 10, "sessions": [session]}
    path = folder / "hall-now.yaml"
    path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def hall_now(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Hall]:
    folder = tmp_path_factory.mktemp("hall-now")
    hall_file = hall_with_a_session_now(folder)
    if hall_file is None:
        pytest.skip("too close to midnight for a session starting now")
    with run_hall(folder, hall_file) as running:
        yield running


def test_kiosk_check_in_prints_the_booked_number(hall_now: Hall, new_context, screenshots: Path) -> None:
    today = hall_now.sessions("ktp-el")[0]
    assert today["day"] == dt.datetime.now(WITA).date().isoformat()
    booking = hall_now.book(
        service="ktp-el",
        day=today["day"],
        session=today["sessions"][0]["start"],
        nik=NIK_DEWI,
        name="Dewi",
        phone="081234567007",
    )
    kiosk = new_context(**KIOSK).new_page()
    kiosk.goto(hall_now.kiosk_url("/kiosk?kiosk=kiosk-2", "kiosk-2"))  # the kiosk that prints
    kiosk.get_by_test_id("checkin-start").click()
    expect(kiosk.get_by_test_id("checkin-submit")).to_be_disabled()  # until all 8 symbols are in
    expect(kiosk.get_by_test_id("checkin-priority-none")).to_have_attribute("aria-checked", "true")
    kiosk.get_by_test_id("checkin-priority-elderly").click()  # declared on arrival, as a walk-in does
    with kiosk.expect_response(lambda r: r.url.endswith("/check-in")) as checked:
        kiosk.keyboard.type(booking["code"])
        kiosk.keyboard.press("Enter")
    ticket = checked.value.json()
    assert (ticket["state"], ticket["priority"]) == ("printing", "elderly")
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A-001")
    expect(kiosk.get_by_test_id("ticket-priority")).to_be_visible()
    expect(kiosk.get_by_test_id("ticket-booking")).to_have_text(f"Reservasi {booking['code']} terkonfirmasi")
    expect(kiosk.get_by_test_id("ticket-note")).to_have_text("Ambil tiket Anda di bawah layar.")
    kiosk.wait_for_function("() => document.querySelector('[data-testid=ticket-qr]').naturalWidth > 0")
    kiosk.screenshot(path=screenshots / "kiosk-checkin-result.png")
    assert hall_now.ticket(ticket["id"])["state"] == "waiting"  # printed, confirmed: callable

    kiosk.get_by_test_id("done").click()  # scanned again: the same number, not a second one
    expect(kiosk.get_by_test_id("heading")).to_have_text("Pilih instansi")
    kiosk.keyboard.type(booking["code"])  # straight at the start screen: check-in opens by itself
    expect(kiosk.get_by_test_id("checkin-code")).to_have_text(booking["code"])
    expect(kiosk.get_by_test_id("checkin-priority-none")).to_have_attribute("aria-checked", "true")
    kiosk.keyboard.press("Enter")
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A-001")


def test_online_booking_asks_for_the_phones_code_first(
    tmp_path: Path, nats_url: str, pg_url: str | None, new_context
) -> None:
    """A hall that proves phones (ANTRE_BOOKING_PHONE_CHECK): the first press sends a code, which
    a demo hall shows on notify's page the booking page links to; typed in, the second books."""
    from tests.support.hall import RunningHall

    running = RunningHall(
        tmp_path, nats_url, pg_url, ("ticketing", "counters", "notify"), {"ANTRE_BOOKING_PHONE_CHECK": "1"}
    ).start()
    try:
        page = new_context(**PHONE).new_page()
        page.goto(f"{running.url('ticketing')}/booking")
        days = httpx.get(f"{running.url('ticketing')}/api/v1/services/ktp-el/sessions").json()["days"]
        day = next(d for d in days if any(s["left"] for s in d["sessions"]))
        start = next(s["start"] for s in day["sessions"] if s["left"])
        to_form(page, "dukcapil", "ktp-el", day["day"], start)
        fill(page, NIK_DEWI, "Dewi", "081299990006")
        with page.expect_response(lambda r: r.url.endswith("/api/v1/phone-codes")) as sent:
            page.get_by_test_id("submit").click()
        assert sent.value.status == 200
        expect(page.get_by_test_id("phone-code-step")).to_be_visible()
        expect(page.get_by_test_id("phone-code-error")).to_be_hidden()

        demo = page.get_by_test_id("demo-messages-link")
        expect(demo).to_be_visible()
        shown = httpx.get(demo.get_attribute("href") or "", timeout=10).text
        code = re.findall(r"\*+0006: Kode Antre Anda: ([0-9]{6})", shown)[0]
        page.get_by_test_id("phone-code").fill(f"{(int(code) + 1) % 1000000:06d}")
        assert submit(page)["error"]["code"] == "phone_code_wrong"
        expect(page.get_by_test_id("error")).to_contain_text("Kode verifikasi salah")
        page.get_by_test_id("phone-code").fill(code)
        made = submit(page)
        assert BOOKING_CODE.match(made["code"]), made
        expect(page.get_by_test_id("booking-code")).to_have_text(made["code"])
    finally:
        running.stop()


NIK_AXE = "7471011909920012"  # male, born 19 Sep 1992; no other test books with it


def test_every_state_of_a_booking_passes_axe(hall: Hall, new_context) -> None:
    """WCAG 2.2 A/AA (axe-core) on each screen of a booking's life, not only the first one:
    agencies, services, days, sessions, the form, the confirmation, the booking looked up, the
    question before cancelling, and the cancelled booking. It gives its place back."""
    day = later_day(hall, "ktp-el")
    start = day["sessions"][0]["start"]
    page = new_context(**PHONE).new_page()
    page.goto(f"{hall.ticketing_url}/booking")
    expect(page.get_by_test_id("agency-dukcapil")).to_be_visible()
    clean(page, "booking: agencies")
    page.get_by_test_id("agency-dukcapil").click()
    expect(page.get_by_test_id("service-ktp-el")).to_be_visible()
    page.get_by_test_id("requirements-ktp-el").locator("summary").click()
    clean(page, "booking: services, a standard open")
    page.get_by_test_id("service-ktp-el").click()
    expect(page.get_by_test_id(f"day-{day['day']}")).to_be_visible()
    clean(page, "booking: days")
    page.get_by_test_id(f"day-{day['day']}").click()
    expect(page.get_by_test_id(f"session-{start}")).to_be_visible()
    clean(page, "booking: sessions")
    page.get_by_test_id(f"session-{start}").click()
    fill(page, NIK_AXE, "Agus Salim", "0812 3456 7012")
    clean(page, "booking: the form, filled")
    booking = submit(page)
    expect(page.get_by_test_id("booking-code")).to_have_text(booking["code"])
    clean(page, "booking: booked")
    page.get_by_test_id("done-manage").click()
    expect(page.get_by_test_id("booking-state")).to_have_text("Terdaftar")
    clean(page, "booking: looked up")
    page.get_by_test_id("owner-nik").fill(NIK_AXE)
    page.get_by_test_id("cancel").click()
    expect(page.get_by_test_id("cancel-yes")).to_be_visible()
    clean(page, "booking: asked before cancelling")
    page.get_by_test_id("cancel-yes").click()
    expect(page.get_by_test_id("booking-state")).to_have_text("Dibatalkan")
    clean(page, "booking: cancelled")
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("booking-state")).to_have_text("Cancelled")
    clean(page, "booking: cancelled, in English")
