"""The pages in a real browser against a live hall: a walk-in takes a number at the kiosk, follows it
on a phone and is called and served at a counter; recalls, no-show and transfer at the operator
page, and a number called by hand, a citizen held and called again, tickets brought back and a
pause that says why, on a 1366x768 desk screen; the kiosk's language toggle, return to the start
and refusal when issuing is closed; the status page's reconnecting note and forecast call time;
the browser printer's confirm and cancel paths; a kiosk without a live device token, and an issue
retried after its answer was lost.

Tests share one hall (see conftest), so each uses services of its own and asserts numbers only
for those: KTP-el (A) at counter 1; Kartu Keluarga (B) and Pindah/Datang (E) at counter 3;
Akta Kelahiran (C) and Akta Kematian (D) at the printing kiosk; JKN (R); PBB-P2 (J); PKB tahunan
(M) at counter 13; SKCK walk-ins; Perizinan Berusaha (F) at counter 7.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import httpx
import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import Officer

if TYPE_CHECKING:
    from tests.browser.conftest import Hall

pytestmark = pytest.mark.browser

PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}


def take_number(kiosk: Page, agency: str, service: str, priority: str = "none") -> dict[str, Any]:
    """Walk the kiosk's screens and return the ticket the API issued."""
    kiosk.get_by_test_id(f"agency-{agency}").click()
    kiosk.get_by_test_id(f"service-{service}").click()
    kiosk.get_by_test_id(f"priority-{priority}").click()
    with kiosk.expect_response(
        lambda r: r.url.endswith("/api/v1/tickets") and r.request.method == "POST"
    ) as issued:
        kiosk.get_by_test_id("take-number").click()
    return issued.value.json()


def wait_for_state(hall: Hall, ticket_id: str, state: str, timeout: float = 5.0) -> None:
    """Ticketing learns what happened at a counter from the counters' events, a moment later."""
    deadline = time.monotonic() + timeout
    while (seen := hall.ticket(ticket_id)["state"]) != state:
        assert time.monotonic() < deadline, f"ticket {ticket_id} is {seen}, expected {state}"
        time.sleep(0.1)


def shortcut(page: Page, key: str, button: str) -> None:
    """Press a keyboard shortcut once its button is enabled: while an action is on its way the page
    ignores keys (one action at a time), and a key press, unlike a click, does not wait."""
    expect(page.get_by_test_id(button)).to_be_enabled()
    page.keyboard.press(key)


def sign_in(page: Page, hall: Hall, officer: Officer, counter: int) -> None:
    page.goto(f"{hall.counters_url}/operator")
    page.get_by_test_id("username").fill(officer.username)
    page.get_by_test_id("password").fill(officer.password)
    page.get_by_test_id("sign-in").click()
    page.get_by_test_id(f"counter-{counter}").click()
    expect(page.get_by_test_id("counter-name")).to_contain_text(f"Loket {counter}")
    page.get_by_test_id("open").click()
    expect(page.get_by_test_id("counter-state")).to_have_text("Buka")


def test_a_counter_left_open_passes_to_the_next_officer_once_its_own_signs_out(
    hall: Hall, new_context
) -> None:
    """Rina opens counter 10 and walks away from it. Dodi sees whose it is; taking it over is
    refused with her name while she is signed in, and once she signs out it is his."""
    rina = Officer(username="rina", password="password123", name="Rina", agency="bapenda")
    dodi = Officer(username="dodi", password="password123", name="Dodi", agency="bapenda")
    hall.add_officer(rina)
    hall.add_officer(dodi)
    first = new_context().new_page()
    sign_in(first, hall, rina, counter=10)

    second = new_context().new_page()
    second.goto(f"{hall.counters_url}/operator")
    second.get_by_test_id("username").fill(dodi.username)
    second.get_by_test_id("password").fill(dodi.password)
    second.get_by_test_id("sign-in").click()
    second.get_by_test_id("counter-10").click()
    expect(second.get_by_test_id("held-by")).to_contain_text("rina")
    expect(second.get_by_test_id("open")).to_be_hidden()
    expect(second.get_by_test_id("call-next")).to_be_disabled()
    second.get_by_test_id("take-over").click()
    expect(second.get_by_test_id("error")).to_contain_text("rina")  # she is still signed in

    first.get_by_test_id("sign-out").click()
    expect(first.get_by_test_id("sign-in")).to_be_visible()
    second.get_by_test_id("take-over").click()
    expect(second.get_by_test_id("take-over")).to_be_hidden()
    expect(second.get_by_test_id("held-by")).to_be_hidden()
    expect(second.get_by_test_id("call-next")).to_be_enabled()
    second.get_by_test_id("close").click()
    expect(second.get_by_test_id("counter-state")).to_have_text("Tutup")


def test_walk_in_is_called_and_served(hall: Hall, officer: Officer, new_context, screenshots: Path) -> None:
    kiosk = new_context().new_page()
    kiosk.goto(hall.kiosk_url())
    expect(kiosk.get_by_test_id("demo")).to_be_visible()
    expect(kiosk.get_by_test_id("agency-dukcapil")).to_be_visible()
    kiosk.screenshot(path=screenshots / "kiosk-start.png")

    kiosk.get_by_test_id("agency-dukcapil").click()
    expect(kiosk.get_by_test_id("service-ktp-el")).to_contain_text("Gratis")
    kiosk.get_by_test_id("requirements-ktp-el").locator("summary").click()
    expect(kiosk.get_by_test_id("requirements-ktp-el")).to_contain_text("Fotokopi Kartu Keluarga")
    kiosk.screenshot(path=screenshots / "kiosk-services.png")
    kiosk.get_by_test_id("back-services").click()

    ticket = take_number(kiosk, "dukcapil", "ktp-el")
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("A-001")
    expect(kiosk.get_by_test_id("ticket-qr")).to_have_attribute("data-src", re.compile(r"/qr\.svg$"))
    expect(kiosk.get_by_test_id("countdown")).to_contain_text("detik")
    kiosk.wait_for_function("() => document.querySelector('[data-testid=ticket-qr]').naturalWidth > 0")
    kiosk.screenshot(path=screenshots / "kiosk-result.png")
    assert ticket["state"] == "waiting"  # no printer at kiosk-1: callable at once

    phone = new_context(**PHONE).new_page()
    phone.goto(ticket["status_url"])
    expect(phone.get_by_test_id("status-number")).to_have_text("A-001")
    expect(phone.get_by_test_id("status-state")).to_have_text(re.compile("menunggu", re.I))
    expect(phone.get_by_test_id("status-position")).to_have_text(re.compile("Anda berikutnya|Posisi Anda: 1"))
    expect(phone.get_by_test_id("status-counter")).to_be_hidden()
    phone.screenshot(path=screenshots / "status-waiting.png")

    operator = new_context().new_page()
    operator.goto(f"{hall.counters_url}/operator")
    operator.get_by_test_id("username").fill(officer.username)
    operator.get_by_test_id("password").fill("not-the-password")
    operator.get_by_test_id("sign-in").click()
    expect(operator.get_by_test_id("error")).to_be_visible()
    sign_in(operator, hall, officer, counter=1)
    expect(operator.get_by_test_id("complete")).to_be_disabled()
    operator.get_by_test_id("call-next").click()
    expect(operator.get_by_test_id("current-number")).to_have_text("A-001")
    expect(operator.get_by_test_id("call-next")).to_be_disabled()
    expect(operator.get_by_test_id("close")).to_be_disabled()
    operator.screenshot(path=screenshots / "operator.png")

    # The phone was never reloaded: the call reaches it through the live stream.
    expect(phone.get_by_test_id("status-counter")).to_contain_text("Loket 1", timeout=5_000)
    expect(phone.get_by_test_id("status-state")).to_have_text(re.compile("dipanggil", re.I))
    phone.screenshot(path=screenshots / "status.png")

    shortcut(operator, "s", "start")  # Mulai layani
    expect(phone.get_by_test_id("status-state")).to_have_text(re.compile("sedang dilayani", re.I))
    operator.get_by_test_id("complete").click()
    expect(operator.get_by_test_id("current-number")).to_have_text("—")
    expect(phone.get_by_test_id("status-state")).to_have_text(re.compile("selesai", re.I), timeout=5_000)
    operator.get_by_test_id("close").click()
    expect(operator.get_by_test_id("counter-state")).to_have_text("Tutup")


def test_recalls_turn_skip_into_no_show_and_transfer(hall: Hall, officer: Officer, new_context) -> None:
    first = hall.issue("kartu-keluarga")
    second = hall.issue("kartu-keluarga")
    page = new_context().new_page()
    sign_in(page, hall, officer, counter=3)

    shortcut(page, "n", "call-next")
    expect(page.get_by_test_id("current-number")).to_have_text(first["number"])
    expect(page.get_by_test_id("recall")).to_contain_text("0/2")
    expect(page.get_by_test_id("skip")).to_have_text("Lewati")
    page.get_by_test_id("recall").click()
    expect(page.get_by_test_id("recall")).to_contain_text("1/2")
    shortcut(page, "r", "recall")
    expect(page.get_by_test_id("recall")).to_be_disabled()
    expect(page.get_by_test_id("skip")).to_have_text("Tidak hadir")
    page.get_by_test_id("skip").click()
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    wait_for_state(hall, first["id"], "no_show")

    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-number")).to_have_text(second["number"])
    page.get_by_test_id("transfer").click()
    page.get_by_test_id("transfer-service").select_option("pindah-datang")
    page.get_by_test_id("transfer-confirm").click()
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    expect(page.get_by_test_id("notice")).to_contain_text(second["number"])

    page.get_by_test_id("call-next").click()  # the transferred citizen waits for pindah-datang here
    expect(page.get_by_test_id("current-number")).to_have_text(second["number"])
    page.get_by_test_id("complete").click()
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("notice")).to_have_text("Tidak ada antrean yang menunggu")
    page.get_by_test_id("pause").click()
    page.get_by_test_id("pause-prayer").click()
    expect(page.get_by_test_id("counter-state")).to_have_text("Istirahat")
    expect(page.get_by_test_id("pause-reason")).to_have_text("Alasan: Sholat")
    expect(page.get_by_test_id("call-next")).to_be_disabled()
    page.get_by_test_id("resume").click()
    expect(page.get_by_test_id("pause-reason")).to_be_hidden()
    page.get_by_test_id("close").click()
    page.get_by_test_id("sign-out").click()
    expect(page.get_by_test_id("sign-in")).to_be_visible()


DESK = {"viewport": {"width": 1366, "height": 768}}


def test_an_officer_calls_a_number_holds_a_citizen_and_brings_tickets_back(
    hall: Hall, new_context, screenshots: Path
) -> None:
    """At counter 7 (Perizinan Berusaha) on a 1366x768 desk screen: a number called by hand, a
    citizen held while they fetch a document and called again, a no-show brought back to the
    front from the passed-over list, a held one sent back to the queue, and a pause that says
    why, in both languages."""
    dewi = Officer(username="dewi", password="password123", name="Dewi", agency="dpmptsp")
    hall.add_officer(dewi)
    numbers = [hall.issue("perizinan-berusaha")["number"] for _ in range(4)]
    first, second, third, fourth = numbers
    page = new_context(**DESK).new_page()
    sign_in(page, hall, dewi, counter=7)
    for control in ("call-next", "ticket-number", "call-number", "hold", "pause", "held-list"):
        expect(page.get_by_test_id(control)).to_be_in_viewport()

    # A citizen shows their ticket at the desk: called by its number, typed as officers do.
    page.get_by_test_id("ticket-number").fill(third.lower().replace("-0", ""))
    page.get_by_test_id("call-number").click()
    expect(page.get_by_test_id("current-number")).to_have_text(third)
    expect(page.get_by_test_id("ticket-number")).to_have_value("")
    expect(page.get_by_test_id("call-number")).to_be_disabled()

    # They must fetch a document: held, and the desk calls the next meanwhile.
    shortcut(page, "t", "hold")  # Tunda
    expect(page.get_by_test_id("current-number")).to_have_text("—")
    expect(page.get_by_test_id("notice")).to_contain_text(f"{third} ditunda")
    expect(page.get_by_test_id(f"held-list-{third}")).to_contain_text("sejak")
    expect(page.get_by_test_id(f"call-held-{third}")).to_be_enabled()
    expect(page.get_by_test_id("close")).to_be_disabled()  # not with a citizen held
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-number")).to_have_text(first)
    expect(page.get_by_test_id(f"call-held-{third}")).to_be_disabled()  # the desk is busy
    page.get_by_test_id("complete").click()
    page.screenshot(path=screenshots / "operator-held.png")
    page.get_by_test_id(f"call-held-{third}").click()  # back with the document
    expect(page.get_by_test_id("current-number")).to_have_text(third)
    expect(page.get_by_test_id("held-list")).to_have_text("Tidak ada")
    page.get_by_test_id("complete").click()

    # A no-show comes back after all: from the passed-over list, to the front of the queue.
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-number")).to_have_text(second)
    for _ in range(2):
        shortcut(page, "r", "recall")
    page.get_by_test_id("skip").click()
    expect(page.get_by_test_id(f"passed-list-{second}")).to_contain_text("Tidak hadir")
    page.get_by_test_id(f"return-{second}").click()
    expect(page.get_by_test_id("notice")).to_contain_text(f"{second} kembali ke antrean, paling depan")
    expect(page.get_by_test_id("passed-list")).to_have_text("Tidak ada")
    page.get_by_test_id("call-next").click()
    expect(page.get_by_test_id("current-number")).to_have_text(second)

    # Held, then sent back to the queue instead of called again.
    page.get_by_test_id("hold").click()
    expect(page.get_by_test_id(f"held-list-{second}")).to_be_visible()
    page.get_by_test_id(f"return-{second}").click()
    expect(page.get_by_test_id("held-list")).to_have_text("Tidak ada")
    for expected in (second, fourth):
        page.get_by_test_id("call-next").click()
        expect(page.get_by_test_id("current-number")).to_have_text(expected)
        page.get_by_test_id("complete").click()
    expect(page.get_by_test_id("current-number")).to_have_text("—")

    # A ticket served to the end does not come back.
    page.get_by_test_id("ticket-number").fill(fourth)
    page.get_by_test_id("return-number").click()
    expect(page.get_by_test_id("error")).to_contain_text(fourth)

    # A pause says why, in both languages.
    page.get_by_test_id("pause").click()
    expect(page.get_by_test_id("pause-other-confirm")).to_be_in_viewport(ratio=1)
    page.screenshot(path=screenshots / "operator-pause-reasons.png")
    page.get_by_test_id("pause-system").click()
    expect(page.get_by_test_id("counter-state")).to_have_text("Istirahat")
    expect(page.get_by_test_id("pause-reason")).to_have_text("Alasan: Gangguan sistem")
    expect(page.get_by_test_id("pause-panel")).to_be_hidden()
    page.get_by_test_id("lang-toggle").click()
    expect(page.get_by_test_id("pause-reason")).to_have_text("Reason: System fault")
    expect(page.get_by_test_id("hold")).to_contain_text("Hold")
    page.get_by_test_id("lang-toggle").click()
    page.get_by_test_id("resume").click()
    page.get_by_test_id("pause").click()
    page.get_by_test_id("pause-other").fill("Rapat koordinasi")
    page.get_by_test_id("pause-other-confirm").click()
    expect(page.get_by_test_id("pause-reason")).to_have_text("Alasan: Rapat koordinasi")
    page.screenshot(path=screenshots / "operator-paused.png")
    page.get_by_test_id("resume").click()
    page.get_by_test_id("close").click()
    expect(page.get_by_test_id("counter-state")).to_have_text("Tutup")


def test_english_toggle_is_remembered(hall: Hall, new_context) -> None:
    kiosk = new_context().new_page()
    kiosk.goto(hall.kiosk_url())
    heading = kiosk.get_by_test_id("heading")
    expect(heading).to_have_text("Pilih instansi")
    expect(kiosk.get_by_test_id("lang-toggle")).to_have_text("English")

    kiosk.get_by_test_id("lang-toggle").click()
    expect(heading).to_have_text("Choose an agency")
    expect(kiosk.get_by_test_id("agency-dukcapil")).to_contain_text("Civil Registry Office")
    expect(kiosk.get_by_test_id("lang-toggle")).to_have_text("Bahasa Indonesia")
    kiosk.reload()
    expect(heading).to_have_text("Choose an agency")
    kiosk.get_by_test_id("agency-polresta").click()
    expect(kiosk.get_by_test_id("service-skck")).to_contain_text("Rp 30.000")


def test_kiosk_returns_to_the_start_in_bahasa_indonesia(hall: Hall, new_context) -> None:
    kiosk = new_context().new_page()
    kiosk.clock.install()
    kiosk.goto(hall.kiosk_url())
    kiosk.get_by_test_id("lang-toggle").click()
    take_number(kiosk, "bpjs", "jkn")
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("R-001")
    expect(kiosk.get_by_test_id("countdown")).to_have_text("Back to the start in 20 seconds")

    kiosk.clock.run_for(21_000)
    expect(kiosk.get_by_test_id("heading")).to_have_text("Pilih instansi")  # the next citizen's default
    expect(kiosk.get_by_test_id("ticket-number")).to_be_hidden()


def test_status_page_says_when_it_reconnects(hall: Hall, new_context) -> None:
    ticket = hall.issue("pbb-p2")
    streams = []

    def events(route: Route) -> None:
        streams.append(route.request.url)
        if len(streams) == 1:  # the first stream ends at once, as a dropped connection would
            frame = f"event: status\ndata: {json.dumps(hall.ticket(ticket['id']))}\n\n"
            route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=frame)
        else:
            route.continue_()

    phone = new_context(**PHONE).new_page()
    phone.route("**/events", events)
    phone.goto(ticket["status_url"])
    expect(phone.get_by_test_id("reconnecting")).to_be_visible()
    expect(phone.get_by_test_id("reconnecting")).to_have_text("Menyambung ulang…")
    expect(phone.get_by_test_id("reconnecting")).to_be_hidden(timeout=10_000)
    expect(phone.get_by_test_id("status-state")).to_have_text("Menunggu")
    assert len(streams) >= 2


def test_kiosk_refuses_when_issuing_is_closed(hall: Hall, new_context) -> None:
    def closed_hall(route: Route) -> None:
        body = route.fetch().json()
        body["issuing"] = {
            "open": False,
            "code": "hall_closed",
            "message": "Pengambilan nomor sudah ditutup untuk hari ini",
            "message_en": "Numbers are no longer issued today",
        }
        route.fulfill(status=200, content_type="application/json", body=json.dumps(body))

    kiosk = new_context().new_page()
    kiosk.route("**/api/v1/hall", closed_hall)
    kiosk.goto(hall.kiosk_url())
    expect(kiosk.get_by_test_id("refusal")).to_have_text("Pengambilan nomor sudah ditutup untuk hari ini")
    expect(kiosk.get_by_test_id("agency-dukcapil")).to_be_hidden()
    expect(kiosk.get_by_test_id("hall-name")).to_have_text("Mal Pelayanan Publik Kota Kendari")
    kiosk.get_by_test_id("lang-toggle").click()
    expect(kiosk.get_by_test_id("refusal")).to_have_text("Numbers are no longer issued today")


def test_a_kiosk_without_a_live_token_says_it_is_not_enrolled(hall: Hall, new_context) -> None:
    kiosk = new_context().new_page()
    kiosk.goto(f"{hall.ticketing_url}/kiosk")  # a fresh browser: no token kept, none in the address
    expect(kiosk.get_by_test_id("unenrolled")).to_contain_text("Kios ini belum terdaftar.")
    expect(kiosk.get_by_test_id("unenrolled")).to_contain_text("Minta pengelola MPP mendaftarkannya.")
    expect(kiosk.get_by_test_id("hall-name")).to_have_text("Mal Pelayanan Publik Kota Kendari")
    expect(kiosk.locator("[data-testid^=agency-]")).to_have_count(0)  # nothing to choose
    expect(kiosk.get_by_test_id("checkin-start")).to_be_hidden()
    kiosk.get_by_test_id("lang-toggle").click()
    expect(kiosk.get_by_test_id("unenrolled")).to_contain_text("This kiosk is not enrolled.")
    expect(kiosk.get_by_test_id("unenrolled")).to_contain_text("Ask the hall manager to enrol it.")

    # Enrolled, then enrolled again elsewhere: the token this browser keeps stops working.
    revoked = new_context().new_page()
    old_token = hall.kiosk_tokens["kiosk-1"]
    revoked.goto(hall.kiosk_url())
    expect(revoked).to_have_url(f"{hall.ticketing_url}/kiosk")  # the token left the address bar
    assert revoked.evaluate("localStorage.getItem('antre.kiosk.device')") == old_token
    hall.enrol("kiosk-1")
    with revoked.expect_response(lambda r: r.url.endswith("/api/v1/tickets")) as refused:
        take_number(revoked, "bpjs", "jkn")
    assert refused.value.status == 401
    assert refused.value.request.headers["authorization"] == f"Bearer {old_token}"
    expect(revoked.get_by_test_id("unenrolled")).to_contain_text("Kios ini belum terdaftar.")
    expect(revoked.get_by_test_id("error")).to_be_hidden()
    expect(revoked.locator("[data-testid^=agency-]:visible")).to_have_count(0)
    revoked.reload()  # the dead token is forgotten: the screen stays, no citizen is let choose
    expect(revoked.get_by_test_id("unenrolled")).to_be_visible()
    expect(revoked.locator("[data-testid^=agency-]")).to_have_count(0)


def test_an_issue_whose_answer_was_lost_is_sent_again_with_the_same_key(hall: Hall, new_context) -> None:
    sent: list[tuple[str, str]] = []
    lost: list[dict[str, Any]] = []

    def lose_the_first_answer(route: Route) -> None:
        headers = route.request.headers
        sent.append((headers.get("idempotency-key", ""), headers.get("authorization", "")))
        if len(sent) == 1:  # issued on the server, then the kiosk's network drops
            lost.append(route.fetch().json())
            route.abort("connectionreset")
        else:
            route.continue_()

    kiosk = new_context().new_page()
    kiosk.route("**/api/v1/tickets", lose_the_first_answer)
    kiosk.goto(hall.kiosk_url())
    ticket = take_number(kiosk, "polresta", "skck")
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text(ticket["number"])
    assert ticket["id"] == lost[0]["id"]  # the same number, not a second one
    assert len(sent) == 2
    assert sent[0] == sent[1]
    assert re.fullmatch(r"[0-9a-f]{32}", sent[0][0])
    assert sent[0][1] == f"Bearer {hall.kiosk_tokens['kiosk-1']}"

    kiosk.get_by_test_id("done").click()  # the next citizen's press is a press of its own
    again = take_number(kiosk, "polresta", "skck")
    assert again["id"] != ticket["id"]
    assert sent[2][0] != sent[0][0]


def test_browser_printer_confirms_the_print(hall: Hall, new_context, screenshots: Path) -> None:
    kiosk = new_context().new_page()
    kiosk.goto(hall.kiosk_url("/kiosk?kiosk=kiosk-2", "kiosk-2"))
    expect(kiosk.get_by_test_id("kiosk-name")).to_have_text("Kios Lantai 2")
    ticket = take_number(kiosk, "dukcapil", "akta-kelahiran", priority="elderly")
    assert ticket["state"] == "printing"
    expect(kiosk.get_by_test_id("ticket-number")).to_have_text("C-001")
    expect(kiosk.get_by_test_id("ticket-priority")).to_contain_text("Lansia")
    assert hall.ticket(ticket["id"])["state"] == "waiting"  # confirmed: now callable

    slip = new_context(viewport={"width": 340, "height": 760}).new_page()
    slip.goto(f"{hall.ticketing_url}{ticket['print_url']}")
    slip.evaluate("window.antreTicketReady")
    expect(slip.get_by_test_id("ticket-number")).to_have_text("C-001")
    expect(slip.get_by_test_id("priority")).to_contain_text("PRIORITAS")
    expect(slip.get_by_test_id("issued-at")).to_have_text(re.compile(r"^\d{2}-\d{2}-\d{4} \d{2}:\d{2} WITA$"))
    slip.screenshot(path=screenshots / "ticket-print.png", full_page=True)

    # Printed as one page 80 mm wide, as long as the slip (the roll is cut once, after it).
    pages = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", slip.pdf(prefer_css_page_size=True))
    assert len(pages) == 1
    width_mm, height_mm = (float(points) / 72 * 25.4 for points in pages[0])
    assert round(width_mm) == 80
    assert 60 < height_mm < 200


def test_failed_print_cancels_the_number(hall: Hall, new_context) -> None:
    kiosk = new_context().new_page()
    kiosk.route("**/tickets/*/print", lambda route: route.fulfill(status=503, body="printer page down"))
    kiosk.goto(hall.kiosk_url("/kiosk?kiosk=kiosk-2", "kiosk-2"))
    ticket = take_number(kiosk, "dukcapil", "akta-kematian")
    expect(kiosk.get_by_test_id("error")).to_contain_text("gagal dicetak")
    expect(kiosk.get_by_test_id("take-number")).to_be_visible()  # back to try again
    assert hall.ticket(ticket["id"])["state"] == "cancelled"  # no ghost number to call


def test_status_page_shows_the_forecast_call_time_until_called(
    hall: Hall, new_context, screenshots: Path
) -> None:
    """Counter 13 (Samsat) busy with one citizen: the next one's page shows when they will be
    called, by the counters' forecast through ticketing, in both languages; once called, not.
    The first citizen's page asks first, so the second joins after a forecast the services keep
    for a few seconds: the second's page must still show a call time at once."""
    samsat = Officer(username="samsat1", password="password123", name="Budi", agency="samsat")
    hall.add_officer(samsat)
    api = httpx.Client(base_url=f"{hall.counters_url}/api/v1", timeout=5.0)
    body = {"username": samsat.username, "password": samsat.password}
    api.headers["Authorization"] = f"Bearer {api.post('/sessions', json=body).json()['token']}"
    api.post("/counters/13/open").raise_for_status()
    window = re.compile(r"^Perkiraan dipanggil \d{2}:[0-5][05]-\d{2}:[0-5][05]$")
    first = hall.issue("pkb-tahunan")
    wait_for_state(hall, first["id"], "waiting")
    early = new_context(**PHONE).new_page()
    early.goto(first["status_url"])
    expect(early.get_by_test_id("status-forecast")).to_have_text(window, timeout=10_000)
    early.close()

    second = hall.issue("pkb-tahunan")
    wait_for_state(hall, second["id"], "waiting")
    assert api.post("/counters/13/call-next").json()["ticket"]["id"] == first["id"]
    phone = new_context(**PHONE).new_page()
    phone.goto(second["status_url"])
    expect(phone.get_by_test_id("status-forecast")).to_have_text(window, timeout=3_000)  # kept ones: 10 s
    phone.screenshot(path=screenshots / "status-forecast.png")
    phone.get_by_test_id("lang-toggle").click()
    expect(phone.get_by_test_id("status-forecast")).to_have_text(
        re.compile(r"^Expected call \d{2}:[0-5][05]-\d{2}:[0-5][05]$")
    )
    api.post("/counters/13/complete").raise_for_status()
    assert api.post("/counters/13/call-next").json()["ticket"]["id"] == second["id"]
    expect(phone.get_by_test_id("status-state")).to_have_text("Called", timeout=5_000)
    expect(phone.get_by_test_id("status-forecast")).to_be_hidden()
    api.post("/counters/13/complete").raise_for_status()
    api.post("/counters/13/close").raise_for_status()


def test_status_page_rounds_the_forecast_to_five_minutes(hall: Hall, new_context) -> None:
    """p50 10:41:10 rounds down, p90 10:52:00 up: the window the citizen reads is 10:40-10:55."""
    ticket = hall.issue("pkb-tahunan")
    status = {
        **hall.ticket(ticket["id"]),
        "forecast": {"p50": "2026-12-04T10:41:10+08:00", "p90": "2026-12-04T10:52:00+08:00", "not_called": 0},
    }

    def fixed(route: Route) -> None:
        if route.request.url.endswith("/events"):
            frame = f"event: status\ndata: {json.dumps(status)}\n\n"
            route.fulfill(status=200, headers={"Content-Type": "text/event-stream"}, body=frame)
        else:
            route.fulfill(status=200, content_type="application/json", body=json.dumps(status))

    phone = new_context(**PHONE).new_page()
    phone.route(f"**/api/v1/tickets/{ticket['id']}*", fixed)
    phone.route(f"**/api/v1/tickets/{ticket['id']}/events", fixed)
    phone.goto(ticket["status_url"])
    expect(phone.get_by_test_id("status-forecast")).to_have_text("Perkiraan dipanggil 10:40-10:55")
    status["forecast"] = None
    phone.reload()
    expect(phone.get_by_test_id("status-state")).to_have_text("Menunggu")
    expect(phone.get_by_test_id("status-forecast")).to_be_hidden()
