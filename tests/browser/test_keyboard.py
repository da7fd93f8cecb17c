"""Keyboard-only journeys in Chromium: every step with the keys a person without a mouse has
(Tab, Shift+Tab, Enter, Space and the page's own shortcuts), focus on each new screen's heading,
and focus never dropped to the page's body after an action.

The operator at a counter PC (1366x768): sign in, choose a counter, open it, call, serve and
complete; the one-key shortcuts fire in the counter's own area only (not on the header's language
button) and can be turned off.

The citizen on the booking page: book, look the booking up, move it and cancel it."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import Hall, Officer

pytestmark = pytest.mark.browser

DESK = {"viewport": {"width": 1366, "height": 768}}
WULAN = Officer(username="bapenda-kb", password="password123", name="Wulan", agency="bapenda")


def focused(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => { const e = document.activeElement;
        return { tag: e.tagName, testid: e.dataset.testid || "", text: (e.textContent || "").trim() }; }"""
    )


def tab_to(page: Page, testid: str, most: int = 60) -> None:
    """Tab forward until ``testid`` has focus, as a keyboard user would."""
    for _ in range(most):
        page.keyboard.press("Tab")
        if focused(page)["testid"] == testid:
            return
    raise AssertionError(f"Tab never reached {testid}")


def heading_has_focus(page: Page, text: str) -> None:
    page.wait_for_function("() => document.activeElement.tagName === 'H1'")
    assert text in focused(page)["text"]


def test_an_officer_works_a_counter_with_the_keyboard_alone(hall: Hall, new_context: Any) -> None:
    hall.add_officer(WULAN)
    hall.issue("bphtb")
    page = new_context(**DESK).new_page()
    page.goto(f"{hall.counters_url}/operator")
    expect(page.get_by_test_id("username")).to_be_focused()
    page.keyboard.type(WULAN.username)
    page.keyboard.press("Tab")
    page.keyboard.type(WULAN.password)
    page.keyboard.press("Enter")
    heading_has_focus(page, "Pilih loket")

    tab_to(page, "counter-12")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Loket 12")
    tab_to(page, "open")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("counter-state")).to_have_text("Buka")
    expect(page.get_by_test_id("call-next")).to_be_focused()  # the step that follows, not the body

    page.keyboard.press("n")
    expect(page.get_by_test_id("current-number")).not_to_have_text("—")
    expect(page.get_by_test_id("start")).to_be_focused()
    page.keyboard.press("s")
    expect(page.get_by_test_id("current-state")).to_contain_text("Sedang dilayani")
    expect(page.get_by_test_id("complete")).to_be_focused()
    page.keyboard.press("c")
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    expect(page.get_by_test_id("call-next")).to_be_focused()

    # A key pressed on the header's language button is that button's, not a call.
    hall.issue("bphtb")
    page.get_by_test_id("lang-toggle").focus()
    page.keyboard.press("n")
    page.wait_for_timeout(800)
    expect(page.get_by_test_id("current-number")).to_have_text("—")

    # Turned off, the shortcuts do nothing; the buttons still work with Enter.
    tab_to(page, "shortcuts")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("shortcuts")).not_to_be_checked()
    page.keyboard.press("n")
    page.wait_for_timeout(800)
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    page.get_by_test_id("call-next").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("current-number")).not_to_have_text("—")
    expect(page.get_by_test_id("start")).to_be_focused()
    tab_to(page, "complete")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    tab_to(page, "close")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("counter-state")).to_have_text("Tutup")
    expect(page.get_by_test_id("open")).to_be_focused()
    page.reload()
    expect(page.get_by_test_id("shortcuts")).not_to_be_checked()  # the choice is kept on this PC


KIOSK = {"viewport": {"width": 1080, "height": 1920}}


def test_a_citizen_takes_a_number_at_the_kiosk_with_the_keyboard_alone(hall: Hall, new_context: Any) -> None:
    """Tab, Shift and the arrows on the start screen move between its buttons (they once opened
    the check-in screen); Enter chooses; each screen's heading takes focus, the number takes it
    on the last and is said whole; more time is one key away, before and after the number."""
    page = new_context(**KIOSK).new_page()
    page.clock.install()
    page.goto(hall.kiosk_url())
    expect(page.get_by_test_id("agency-dukcapil")).to_be_visible()
    for key in ("Tab", "Shift+Tab", "ArrowDown", "Shift", "Tab"):
        page.keyboard.press(key)
    expect(page.locator('[data-screen="agencies"]')).to_be_visible()
    tab_to(page, "agency-dukcapil")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Pilih layanan")

    page.clock.fast_forward(41_000)  # idle: asked first, and one key keeps the screen
    expect(page.get_by_test_id("idle-warning")).to_be_visible()
    expect(page.get_by_test_id("stay")).to_be_focused()
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("idle-warning")).to_be_hidden()
    page.clock.fast_forward(30_000)
    expect(page.locator('[data-screen="services"]')).to_be_visible()

    tab_to(page, "service-akta-kematian")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Prioritas")
    tab_to(page, "take-number")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("ticket-number")).to_be_focused()
    number = page.get_by_test_id("ticket-number").inner_text()
    expect(page.get_by_test_id("announce")).to_have_text(f"Nomor antrean Anda {number}, Akta Kematian")

    tab_to(page, "more-time")
    page.keyboard.press("Enter")
    page.clock.fast_forward(30_000)  # past the first 20 seconds: still the number
    expect(page.get_by_test_id("ticket-number")).to_have_text(number)
    tab_to(page, "done")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Pilih instansi")


def test_a_booking_is_checked_in_from_the_kiosks_keys_by_keyboard(hall: Hall, new_context: Any) -> None:
    """On the check-in screen Enter and Space press the focused key of the on-screen keypad (they
    were swallowed), and a typed code still goes in letter by letter."""
    page = new_context(**KIOSK).new_page()
    page.goto(hall.kiosk_url())
    tab_to(page, "checkin-start")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Konfirmasi kedatangan")
    tab_to(page, "key-A")
    page.keyboard.press("Enter")
    tab_to(page, "key-2")
    page.keyboard.press("Space")
    expect(page.get_by_test_id("checkin-code")).to_contain_text("A2")
    page.keyboard.type("b7")
    expect(page.get_by_test_id("checkin-code")).to_contain_text("A2B7")
    tab_to(page, "back-checkin")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Pilih instansi")


# ---- the booking page ----

LAPTOP = {"viewport": {"width": 1280, "height": 900}}
NIK_KEYBOARD = "7471010808880011"  # male, born 8 Aug 1988; no other test books with it


def quiet_skck_day(hall: Hall) -> dict[str, Any]:
    """SKCK's last bookable day with room in both its sessions: the other booking tests take the
    first day after today (tests/browser/test_booking_pages.py, test_kiosk_first_week.py)."""
    today = dt.datetime.now(ZoneInfo("Asia/Makassar")).date().isoformat()
    days = [
        d
        for d in hall.sessions("skck")
        if d["day"] > today and d["pool"]["online_left"] > 0 and all(s["left"] > 0 for s in d["sessions"])
    ]
    assert len(days) >= 2, "SKCK should offer several days ahead"
    return days[-1]


def checked(page: Page) -> dict[str, Any]:
    return page.evaluate(
        """() => { const e = document.activeElement;
        return { testid: e.dataset.testid || "", role: e.getAttribute("role") || "",
                 checked: e.getAttribute("aria-checked") || "" }; }"""
    )


def test_a_citizen_books_moves_and_cancels_with_the_keyboard_alone(hall: Hall, new_context: Any) -> None:
    """Every step of the booking page from the keys: each new step's heading takes focus (it
    stayed on the pressed button, gone with its screen, so focus fell to the body), the booking
    code takes it once booked and the result is said; moving a booking picks its day and session
    in radio groups with the arrows; the tabs move with the arrows and open with Enter."""
    day = quiet_skck_day(hall)
    first, second = day["sessions"][0], day["sessions"][1]
    page = new_context(**LAPTOP).new_page()
    page.goto(f"{hall.ticketing_url}/booking")
    expect(page.get_by_test_id("agency-polresta")).to_be_visible()

    tab_to(page, "agency-polresta")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Pilih layanan")
    tab_to(page, "service-skck")
    page.keyboard.press("Space")
    heading_has_focus(page, "Pilih tanggal")
    expect(page.get_by_test_id(f"day-{day['day']}")).to_be_enabled()
    tab_to(page, f"day-{day['day']}")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Pilih sesi")
    tab_to(page, f"session-{first['start']}")
    page.keyboard.press("Enter")
    heading_has_focus(page, "Data pemohon")

    tab_to(page, "nik")
    page.keyboard.type(NIK_KEYBOARD)
    page.keyboard.press("Tab")
    page.keyboard.type("Rahmat Hidayat")
    page.keyboard.press("Shift+Tab")
    assert focused(page)["testid"] == "nik"
    tab_to(page, "phone")
    page.keyboard.type("0812 3456 7120")
    tab_to(page, "submit")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("booking-code")).to_be_focused()
    code = page.get_by_test_id("booking-code").inner_text()
    spelled = " ".join(code)
    expect(page.get_by_test_id("announce")).to_have_text(
        re.compile(rf"^Reservasi berhasil\. Kode reservasi Anda: {spelled}\. .*sesi {first['start']}")
    )

    # Look it up, move it to the day's other session, then cancel it.
    tab_to(page, "done-manage")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("booking-heading")).to_be_focused()
    expect(page.get_by_test_id("booking-heading")).to_have_text(f"Reservasi {code}")
    tab_to(page, "owner-nik")
    page.keyboard.type(NIK_KEYBOARD)
    tab_to(page, "reschedule")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("move-days-heading")).to_be_focused()
    page.keyboard.press("Tab")  # into the day group: one tab stop
    assert checked(page)["role"] == "radio"
    for _ in range(10):
        if checked(page)["testid"] == f"move-day-{day['day']}":
            break
        page.keyboard.press("ArrowDown")
    assert checked(page) == {"testid": f"move-day-{day['day']}", "role": "radio", "checked": "true"}
    page.keyboard.press("Tab")  # the session group: the current session cannot be chosen
    assert checked(page) == {"testid": f"move-session-{second['start']}", "role": "radio", "checked": "false"}
    page.keyboard.press("Space")
    assert checked(page)["checked"] == "true"
    page.keyboard.press("Tab")
    assert focused(page)["testid"] == "move-confirm"
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("booking-heading")).to_be_focused()
    expect(page.get_by_test_id("details-session")).to_have_text(f"{second['start']}–{second['end']} WITA")
    expect(page.get_by_test_id("announce")).to_contain_text("Jadwal diubah ke")

    tab_to(page, "cancel")
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("cancel-question")).to_be_focused()
    page.keyboard.press("Tab")
    assert focused(page)["testid"] == "cancel-yes"
    page.keyboard.press("Enter")
    expect(page.get_by_test_id("booking-state")).to_have_text("Dibatalkan")
    expect(page.get_by_test_id("booking-heading")).to_be_focused()
    expect(page.get_by_test_id("announce")).to_have_text("Reservasi dibatalkan.")

    # The tabs: the arrows move between them, Enter opens one.
    page.get_by_test_id("tab-manage").focus()
    page.keyboard.press("ArrowLeft")
    assert focused(page)["testid"] == "tab-book"
    expect(page.get_by_test_id("booking-heading")).to_be_visible()  # moved, not opened yet
    page.keyboard.press("Enter")
    heading_has_focus(page, "Pilih instansi")
