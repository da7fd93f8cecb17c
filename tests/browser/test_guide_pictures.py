"""The pictures of the hall's set-up guide (docs/panduan-pemasangan.md), taken in Debian's headless
Chromium from the real pages, and what the guide says of each checked on the way: the kiosk's
start screen fits both kiosk screens, the guide's test print (Chromium's own ``--print-to-pdf``)
gives one page 80 mm wide, the operator page fits the desk screens it names, a board at
1920x1080 shows the calls, a page Chromium could not reach loads by itself once the server
answers; and every Chromium switch the guide's start scripts use is one this Chromium knows.

The pictures go where every browser test writes its screenshots (tests/artifacts/screenshots/,
``panduan-*.png``); the guide's copies in docs/panduan/ are these without the prefix, cut to 64
colours (Pillow: ``Image.quantize(colors=64)``, saved with ``optimize=True``) to keep the guide small.

The shared hall's services used here: SKCK (P) at counter 16, which no other page test opens; the
ticket is called by its number and served, so it stands in no queue afterwards.
"""

from __future__ import annotations

import datetime as dt
import mmap
import re
import subprocess
import threading
import time
from collections.abc import Callable
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import TYPE_CHECKING

import httpx
import pytest
from playwright.sync_api import BrowserContext, Page, expect
from playwright.sync_api import Error as PlaywrightError

from services.display import handlers
from tests.browser.conftest import CHROMIUM, REPO, Officer, free_port
from tests.integration.display.display_live import LiveDisplay
from tests.unit.display import display_factories as f

if TYPE_CHECKING:
    from tests.browser.conftest import Hall

pytestmark = pytest.mark.browser

GUIDE = REPO / "docs" / "panduan-pemasangan.md"
KIOSK_SCREENS = ((1080, 1920), (1920, 1080))
DESK_SCREENS = ((1366, 768), (1280, 1024))
# Debian's /usr/bin/chromium is a shell script that starts this, the browser itself.
BROWSER_BINARY = Path("/usr/lib/chromium/chromium")
POLRES = Officer(username="polres-panduan", password="password123", name="Andi", agency="polresta")


def no_sideways_scroll(page: Page) -> None:
    """A kiosk or a desk screen has nobody to scroll it sideways: nothing may be wider."""
    width, inner = page.evaluate("() => [document.documentElement.scrollWidth, innerWidth]")
    assert width <= inner, (width, inner)


def test_the_kiosk_start_screen_fits_both_kiosk_screens(
    hall: Hall, new_context: Callable[..., BrowserContext], screenshots: Path
) -> None:
    for width, height in KIOSK_SCREENS:
        kiosk = new_context(viewport={"width": width, "height": height}, has_touch=True).new_page()
        kiosk.goto(hall.kiosk_url("/kiosk?kiosk=kiosk-2", "kiosk-2"))  # the address the guide opens
        expect(kiosk.get_by_test_id("kiosk-name")).to_have_text("Kios Lantai 2")
        expect(kiosk.get_by_test_id("agency-dukcapil")).to_be_in_viewport()
        expect(kiosk.get_by_test_id("agency-bpjs")).to_be_in_viewport()  # the last agency, no scrolling
        assert "#device=" not in kiosk.url  # the token leaves the address once kept on the device
        no_sideways_scroll(kiosk)
        kiosk.screenshot(path=screenshots / f"panduan-kiosk-{width}x{height}.png")


def test_the_guides_test_print_is_one_page_80_mm_wide(hall: Hall, tmp_path: Path) -> None:
    """The guide's command-line test print of a ticket's page, run as written (with the sandbox
    off, as everywhere in these tests): Chromium waits for the slip to be drawn and lays it on one
    page as wide as the roll, as long as the slip."""
    ticket = hall.issue("skck")
    pdf = tmp_path / "tiket.pdf"
    argv = [str(CHROMIUM), "--no-sandbox", *guide_test_print_switches(), f"--print-to-pdf={pdf}"]
    done = subprocess.run(
        [*argv, f"{hall.ticketing_url}{ticket['print_url']}"], capture_output=True, timeout=60
    )
    assert done.returncode == 0, done.stderr.decode(errors="replace")[-2000:]
    pages = re.findall(rb"/MediaBox \[0 0 ([\d.]+) ([\d.]+)\]", pdf.read_bytes())
    assert len(pages) == 1, pages
    width_mm, height_mm = (float(points) / 72 * 25.4 for points in pages[0])
    assert round(width_mm) == 80
    assert 60 < height_mm < 200  # the slip's own length (ticket.js), not the 160 mm fallback
    serve(hall, ticket["number"])


def guide_test_print_switches() -> list[str]:
    """The switches of the guide's ``chromium --headless ... --print-to-pdf=...`` line."""
    line = next(x for x in GUIDE.read_text().splitlines() if x.startswith("chromium --headless"))
    return [s for s in line.split() if s.startswith("--") and not s.startswith("--print-to-pdf")]


def signed_in(hall: Hall) -> httpx.Client:
    """The counters' API as counter 16's officer (Polresta), signed in."""
    hall.add_officer(POLRES)
    api = httpx.Client(base_url=f"{hall.counters_url}/api/v1", timeout=5.0)
    token = api.post("/sessions", json={"username": POLRES.username, "password": POLRES.password})
    api.headers["Authorization"] = f"Bearer {token.raise_for_status().json()['token']}"
    return api


def serve(hall: Hall, number: str) -> None:
    """Counter 16 calls the number by hand and serves it, so no test's queue keeps it."""
    api = signed_in(hall)
    api.post("/counters/16/open").raise_for_status()
    try:
        for _ in range(50):  # the counters hear of the ticket from ticketing's event, a moment later
            if api.post("/counters/16/call-number", json={"number": number}).status_code == 200:
                break
            time.sleep(0.1)
        api.post("/counters/16/start").raise_for_status()
    finally:
        leave_counter_16(api)


def leave_counter_16(api: httpx.Client) -> None:
    """Whatever the test reached: the citizen served, the counter closed, for the next test."""
    api.post("/counters/16/complete")
    api.post("/counters/16/close").raise_for_status()


def test_the_printed_ticket_and_the_counter_that_serves_it(
    hall: Hall, new_context: Callable[..., BrowserContext], screenshots: Path
) -> None:
    """A ticket's page as the kiosk prints it, then the officer at counter 16 calls its number on a
    1366x768 desk screen; the same counter on a 1280x1024 one leaves nothing outside the screen."""
    ticket = hall.issue("skck")
    paper = new_context(viewport={"width": 340, "height": 760}).new_page()
    paper.emulate_media(media="print")
    paper.goto(f"{hall.ticketing_url}{ticket['print_url']}")
    paper.evaluate("window.antreTicketReady")
    expect(paper.get_by_test_id("ticket-number")).to_have_text(ticket["number"])
    paper.get_by_test_id("slip").screenshot(path=screenshots / "panduan-tiket.png")

    api = signed_in(hall)
    pages: list[Page] = []
    try:
        for width, height in DESK_SCREENS:
            page = new_context(viewport={"width": width, "height": height}).new_page()
            pages.append(page)
            page.goto(f"{hall.counters_url}/operator")
            page.get_by_test_id("username").fill(POLRES.username)
            page.get_by_test_id("password").fill(POLRES.password)
            page.get_by_test_id("sign-in").click()
            page.get_by_test_id("counter-16").click()
            expect(page.get_by_test_id("counter-name")).to_contain_text("Loket 16")
            if len(pages) == 1:
                page.get_by_test_id("open").click()
                expect(page.get_by_test_id("counter-state")).to_have_text("Buka")
                expect(page.get_by_test_id("waiting")).to_contain_text("SKCK")  # counts, not numbers
                page.get_by_test_id("ticket-number").fill(ticket["number"])
                page.get_by_test_id("call-number").click()
                page.get_by_test_id("start").click()
                expect(page.get_by_test_id("current-state")).to_contain_text("dilayani")
            expect(page.get_by_test_id("current-number")).to_have_text(ticket["number"])
            for control in ("call-next", "complete", "ticket-number", "pause", "close", "shortcuts"):
                expect(page.get_by_test_id(control)).to_be_in_viewport()
            no_sideways_scroll(page)
            page.screenshot(path=screenshots / f"panduan-operator-{width}x{height}.png")
    finally:
        leave_counter_16(api)


def test_a_board_on_a_1920x1080_tv_shows_the_calls(
    tmp_path: Path, new_context: Callable[..., BrowserContext], screenshots: Path
) -> None:
    display = LiveDisplay(tmp_path).start()
    try:
        hall = display.deps.hall
        now = dt.datetime.now(dt.UTC)
        tv = new_context(viewport={"width": 1920, "height": 1080}).new_page()
        tv.goto(f"{display.url}/boards/lantai-1-a")
        expect(tv.locator("#zone-name")).to_contain_text("Lantai 1")
        calls = [
            ("t1", "A-014", "ktp-el", 1),
            ("t2", "B-006", "kartu-keluarga", 3),
            ("t3", "A-015", "ktp-el", 2),
        ]
        for seq, (ticket, number, service, counter) in enumerate(calls):
            later = now + dt.timedelta(seconds=seq)
            handlers.on_hall_events(display.deps, [f.called(hall, ticket, number, service, counter, later)])
        # The hall's voice gives each call its slot, about 6.5 s apart: the third is spotlit when its
        # slot comes, not at once.
        expect(tv.locator("#spotlight-number")).to_have_text("A-015", timeout=30_000)
        no_sideways_scroll(tv)
        tv.screenshot(path=screenshots / "panduan-papan-1920x1080.png")
    finally:
        display.stop()


def test_a_page_chromium_could_not_reach_loads_by_itself_once_the_server_answers(
    new_context: Callable[..., BrowserContext], tmp_path: Path
) -> None:
    """A kiosk or TV whose PC starts before the network: Chromium's error page reloads itself, as
    the guide says, with nobody at the keyboard."""
    (tmp_path / "index.html").write_text("<h1>Kios siap</h1>")
    port = free_port()
    page = new_context().new_page()
    with pytest.raises(PlaywrightError):
        page.goto(f"http://127.0.0.1:{port}/")  # nothing listens yet
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", port), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        expect(page.get_by_role("heading")).to_have_text("Kios siap", timeout=60_000)
    finally:
        server.shutdown()
        server.server_close()


def test_every_chromium_switch_in_the_guide_is_one_this_chromium_knows() -> None:
    """Chromium keeps each command-line switch's name as a string of its own in its binary; one it
    dropped long ago (``--disable-session-crashed-bubble``) is not there, and the guide must not
    name such a switch."""
    switches = set(re.findall(r"(?<![\w-])--([a-z][a-z0-9-]+)", chromium_lines(GUIDE.read_text())))
    assert {"kiosk", "kiosk-printing", "user-data-dir", "print-to-pdf"} <= switches, switches
    if not BROWSER_BINARY.is_file():
        pytest.fail(f"{BROWSER_BINARY} is missing: the guide's checks need Debian's chromium package")
    with BROWSER_BINARY.open("rb") as file, mmap.mmap(file.fileno(), 0, access=mmap.ACCESS_READ) as image:
        unknown = sorted(s for s in switches if image.find(b"\x00" + s.encode() + b"\x00") < 0)
        assert image.find(b"\x00disable-session-crashed-bubble\x00") < 0  # the check can tell
    assert not unknown, f"switches this Chromium does not know: {unknown}"


def chromium_lines(text: str) -> str:
    """The lines of the guide's code blocks that start Chromium, and those continuing them."""
    out: list[str] = []
    block = continued = False
    for line in text.splitlines():
        if line.startswith("```"):
            block, continued = not block, False
            continue
        starts = bool(re.match(r"\s*(exec\s+)?chromium\b", line))
        if block and (starts or continued):
            out.append(line)
        continued = block and (starts or continued) and line.rstrip().endswith("\\")
    return "\n".join(out)
