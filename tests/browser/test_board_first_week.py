"""A zone's board in its first week, in Debian's headless Chromium against the display as it runs:
a speaker board on a TV whose browser starts with the autoplay flag speaks the next call in a fresh
profile with no touch at all; without the flag it shows why it is silent and beats "cannot be
heard" until someone touches it."""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, BrowserContext, Page, expect
from sqlalchemy import select

from services.display import handlers
from services.display.adapters import tables
from tests.browser.conftest import CHROMIUM, CHROMIUM_ARGS, SCREENSHOTS
from tests.integration.display.display_live import LiveDisplay
from tests.integration.display.voice_packs import tone_pack
from tests.unit.display import display_factories as f

pytestmark = pytest.mark.browser
ZONE = "lantai-1-a"
BOARD = "papan-lantai-1-a"
AUTOPLAY = "--autoplay-policy=no-user-gesture-required"
TV = {"width": 1920, "height": 1080}


@pytest.fixture
def display(tmp_path: Path) -> Iterator[LiveDisplay]:
    live = LiveDisplay(tmp_path, voice_dir=str(tone_pack(tmp_path / "voice", clip=0.05, chime=0.2))).start()
    try:
        yield live
    finally:
        live.stop()


@contextmanager
def tv_browser(chromium: Browser, autoplay: bool) -> Iterator[Browser]:
    """A browser of its own, started as the TV starts it (with or without the autoplay flag)."""
    args = [*CHROMIUM_ARGS, AUTOPLAY] if autoplay else CHROMIUM_ARGS
    browser = chromium.browser_type.launch(executable_path=str(CHROMIUM), args=args)
    try:
        yield browser
    finally:
        browser.close()


def fresh_tv(browser: Browser, plays: list[dict[str, Any]], errors: list[str]) -> tuple[BrowserContext, Page]:
    """A fresh profile (nothing kept from an earlier run, no "sound on" remembered); each call the
    page starts is told to the test as it happens, without asking the page anything."""
    context = browser.new_context(viewport=TV, locale="id-ID", timezone_id="Asia/Makassar")
    context.set_default_timeout(15_000)
    context.expose_binding("antreReport", lambda _source, detail: plays.append(detail))
    context.add_init_script("window.addEventListener('antre:play', (e) => window.antreReport(e.detail));")
    context.on("weberror", lambda e: errors.append(str(e.error)))
    return context, context.new_page()


def heard(display: LiveDisplay) -> tuple[bool, bool]:
    """(has the board beaten yet, what its last beat said of its sound), as the display stored it."""
    with display.deps.uow.read() as conn:
        row = conn.execute(
            select(tables.devices.c.last_seen_at, tables.devices.c.sound).where(tables.devices.c.id == BOARD)
        ).one()
    return row.last_seen_at is not None, bool(row.sound)


def wait_for(page: Page, check: Callable[[], Any], seconds: float, what: str) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return
        page.wait_for_timeout(100)
    raise AssertionError(f"timed out waiting for {what}")


def call(display: LiveDisplay, ticket: str, number: str, counter: int) -> None:
    hall = display.deps.hall
    now = dt.datetime.now(dt.UTC)
    handlers.on_hall_events(display.deps, [f.called(hall, ticket, number, "ktp-el", counter, now)])


def test_a_tv_started_with_the_autoplay_flag_speaks_the_next_call_without_a_touch(
    chromium: Browser, display: LiveDisplay
) -> None:
    plays: list[dict[str, Any]] = []
    errors: list[str] = []
    url = display.speaker_url(ZONE, BOARD)
    with tv_browser(chromium, autoplay=True) as browser:
        _, page = fresh_tv(browser, plays, errors)
        page.goto(url)  # the TV's start page: no click, no key, no touch from here on
        expect(page.locator("#zone-name")).to_contain_text("Lantai 1")
        call(display, "t1", "A-001", 2)
        wait_for(page, lambda: plays, 20, "the call to be played")
        assert [(p["number"], p["counter"], p["via"]) for p in plays] == [("A-001", 2, "clips")]
        expect(page.locator("#sound")).to_be_hidden()
        wait_for(page, lambda: heard(display)[0], 10, "the board's first heartbeat")
        assert heard(display) == (True, True)
    assert not errors


def test_a_tv_without_the_flag_says_why_it_is_silent_and_beats_cannot_be_heard(
    chromium: Browser, display: LiveDisplay
) -> None:
    plays: list[dict[str, Any]] = []
    errors: list[str] = []
    with tv_browser(chromium, autoplay=False) as browser:
        _, page = fresh_tv(browser, plays, errors)
        page.goto(display.speaker_url(ZONE, BOARD))
        prompt = page.locator("#sound")
        expect(prompt).to_be_visible()
        expect(prompt).to_contain_text("Suara papan ini belum aktif")
        expect(prompt).to_contain_text("sentuh layar")
        expect(prompt).to_contain_text("--autoplay-policy=no-user-gesture-required")
        expect(prompt).to_contain_text("The browser blocks sound until the screen is touched")
        box = prompt.bounding_box()
        assert box is not None and box["width"] > TV["width"] / 2  # seen across the hall
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=SCREENSHOTS / "board-sound-blocked.png")
        wait_for(page, lambda: heard(display)[0], 10, "the board's first heartbeat")
        assert heard(display) == (True, False)  # the live hall lists it as a board that cannot speak

        call(display, "t1", "A-001", 2)
        page.wait_for_timeout(3000)
        assert plays == []  # held back by the browser, not played unheard
        expect(prompt).to_be_visible()

        prompt.click()  # whoever looks after the TV touches it once
        expect(prompt).to_be_hidden()
        wait_for(page, lambda: heard(display) == (True, True), 10, "a beat that says it is heard")
        call(display, "t2", "A-002", 3)
        wait_for(page, lambda: any(p["number"] == "A-002" for p in plays), 20, "the next call")
    assert not errors


# ---- grouped calls on a TV, read from 10 m ----

GEOMETRY = """() => {
  const rect = (el) => { const r = el.getBoundingClientRect(); return [r.left, r.top, r.right, r.bottom]; };
  // Line boxes of a text: more than one means it wrapped.
  const lines = (el) => {
    const range = document.createRange();
    range.selectNodeContents(el);
    return new Set([...range.getClientRects()].map((r) => Math.round(r.top))).size;
  };
  const cards = [...document.querySelectorAll('#spotlight-calls li')].map((li) => {
    const n = li.querySelector('.number'), w = li.querySelector('.where');
    return {
      number: n.textContent, where: w.textContent, card: rect(li), n: rect(n), w: rect(w),
      lines: [lines(n), lines(w)],
      clipped: n.scrollWidth > n.clientWidth + 1 || w.scrollWidth > w.clientWidth + 1,
    };
  });
  return { cards, width: innerWidth, height: innerHeight,
    scroll: [document.documentElement.scrollWidth, document.documentElement.scrollHeight],
    outside: [...document.querySelectorAll('body *')].filter((el) => {
      if (!el.getClientRects().length || getComputedStyle(el).position === 'fixed') return false;
      const r = el.getBoundingClientRect();
      const out = r.left < -1 || r.top < -1 || r.right > innerWidth + 1 || r.bottom > innerHeight + 1;
      return r.width > 0 && out;
    }).map((el) => el.id || el.className) };
}"""


def inside(inner: list[float], outer: list[float]) -> bool:
    return (
        inner[0] >= outer[0] - 1
        and inner[1] >= outer[1] - 1
        and inner[2] <= outer[2] + 1
        and inner[3] <= outer[3] + 1
    )


@pytest.mark.parametrize("calls", [4, 5])
def test_a_group_pairs_each_number_with_its_counter_at_tv_sizes(
    tmp_path: Path, new_context: Callable[..., BrowserContext], screenshots: Path, calls: int
) -> None:
    # Every call that must wait joins a group of up to four: the first call is said alone, the
    # others together (three or four).
    group = {"group_lag_seconds": 0, "group_max": 4}
    display = LiveDisplay(tmp_path, hall={"announcement_gap_seconds": 0.2, "announcements": group}).start()
    try:
        sizes = {(1920, 1080): None, (1366, 768): None}
        pages = {
            size: new_context(viewport={"width": size[0], "height": size[1]}).new_page() for size in sizes
        }
        for page in pages.values():
            page.goto(f"{display.url}/boards/{ZONE}")
            expect(page.locator("#zone-name")).to_contain_text("Lantai 1")
        hall = display.deps.hall
        now = dt.datetime.now(dt.UTC)
        burst = [f.called(hall, f"t{n}", f"A-{n:03d}", "ktp-el", n, now) for n in range(1, calls + 1)]
        handlers.on_hall_events(display.deps, burst)
        grouped = [a for a in handlers.announcements_after(display.deps, ZONE, 0, 10) if len(a.calls) > 1]
        assert [len(a.calls) for a in grouped] == [calls - 1]
        expected = [(p.number, f"Loket {p.counter}") for p in grouped[0].calls]

        for (width, height), page in pages.items():
            expect(page.locator("#spotlight-calls")).to_be_visible(timeout=20_000)
            seen = page.evaluate(GEOMETRY)
            page.screenshot(path=screenshots / f"board-group-{calls - 1}-{width}x{height}.png")
            assert [(c["number"], c["where"]) for c in seen["cards"]] == expected
            assert seen["scroll"] == [width, height]  # nothing pushes the page past the screen
            assert seen["outside"] == []
            for card in seen["cards"]:
                assert card["lines"] == [1, 1], card  # no number or counter broken over two lines
                assert not card["clipped"], card
                assert inside(card["n"], card["card"]) and inside(card["w"], card["card"]), card
                assert card["w"][1] >= card["n"][3] - 2, card  # the counter right under its number
                middle = (card["card"][0] + card["card"][2]) / 2
                for part in (card["n"], card["w"]):
                    assert abs((part[0] + part[2]) / 2 - middle) < 4, card  # centred on one card
                assert card["n"][3] - card["n"][1] >= 0.07 * height, card  # large enough for 10 m
            # Each card is a block of its own: no two overlap.
            boxes = [c["card"] for c in seen["cards"]]
            for a, b in ((a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :]):
                assert a[2] <= b[0] + 1 or b[2] <= a[0] + 1 or a[3] <= b[1] + 1 or b[3] <= a[1] + 1
    finally:
        display.stop()


# ---- a closed hall ----


def test_after_hours_and_in_a_break_the_board_says_closed_and_when_it_opens(
    tmp_path: Path, new_context: Callable[..., BrowserContext], screenshots: Path
) -> None:
    # Not a demo hall (a demo never closes); the display's clock runs from a Friday 11:29:56 WITA,
    # four seconds before the hall's Friday prayer break, whatever the real hour is.
    display = LiveDisplay(tmp_path, demo=False).start()
    try:
        start = dt.datetime(2026, 12, 11, 3, 29, 56, tzinfo=dt.UTC)
        began = time.monotonic()
        display.deps.uow.clock = lambda: start + dt.timedelta(seconds=time.monotonic() - began)
        page = new_context(viewport=TV).new_page()
        page.goto(f"{display.url}/boards/{ZONE}")
        expect(page.locator("#zone-name")).to_contain_text("Lantai 1")
        expect(page.locator("#closed")).to_be_hidden()
        expect(page.locator("#spotlight-counter")).to_have_text("Menunggu panggilan")

        closed = page.locator("#closed")  # at 11:30 the board asks again, with no event
        expect(closed).to_be_visible(timeout=10_000)
        expect(page.locator("#closed-title")).to_have_text("ISTIRAHAT / ON A BREAK")
        expect(page.locator("#closed-line")).to_have_text(
            "Layanan istirahat (Salat Jumat) · buka kembali pukul 13:00"
        )
        expect(page.locator("#closed-en")).to_have_text("On a break (Salat Jumat) · opens again at 13:00")
        expect(page.locator("#spotlight-number")).to_be_hidden()

        # Saturday after noon: closed until Monday.
        saturday = dt.datetime(2026, 12, 12, 5, 0, tzinfo=dt.UTC)  # 13:00 WITA
        display.deps.uow.clock = lambda: saturday
        for width, height in ((1920, 1080), (1366, 768)):
            tv = new_context(viewport={"width": width, "height": height}).new_page()
            tv.goto(f"{display.url}/boards/{ZONE}")
            expect(tv.locator("#closed-line")).to_have_text("Layanan tutup · buka kembali Senin 08:00")
            expect(tv.locator("#closed-en")).to_have_text("Closed · opens again Monday 08:00")
            expect(tv.locator("#closed-title")).to_have_text("LAYANAN TUTUP / CLOSED")
            fits = tv.evaluate(
                "() => [...document.querySelectorAll('#closed *')].every((el) => {"
                " const r = el.getBoundingClientRect();"
                " const inside = r.right <= innerWidth && r.bottom <= innerHeight;"
                " return inside && el.scrollWidth <= el.clientWidth; })"
            )
            assert fits
            tv.screenshot(path=screenshots / f"board-closed-{width}x{height}.png")
    finally:
        display.stop()


def test_a_demo_board_is_never_closed(tmp_path: Path) -> None:
    display = LiveDisplay(tmp_path).start()  # demo, as make run starts it
    try:
        display.deps.uow.clock = lambda: dt.datetime(2026, 12, 13, 2, 0, tzinfo=dt.UTC)  # a Sunday
        with display.client() as client:
            board = client.get(f"/api/v1/zones/{ZONE}/board").json()
        assert board["closed"] is None and board["hours_change_at"] is None
    finally:
        display.stop()


# ---- why a counter paused ----


def test_a_paused_counter_slot_says_why_in_both_languages(
    tmp_path: Path, new_context: Callable[..., BrowserContext], screenshots: Path
) -> None:
    display = LiveDisplay(tmp_path).start()
    try:
        hall = display.deps.hall
        now = dt.datetime.now(dt.UTC)
        page = new_context(viewport={"width": 1366, "height": 768}).new_page()
        page.goto(f"{display.url}/boards/{ZONE}")
        expect(page.locator("#zone-name")).to_contain_text("Lantai 1")
        events = []
        for counter, reason in ((2, "prayer"), (4, "system"), (5, "Rapat koordinasi")):
            envelope = f.counter_event(hall, "paused", counter, now)
            envelope.message.reason = reason  # type: ignore[attr-defined]
            events.append(envelope)
        handlers.on_hall_events(display.deps, events)
        handlers.on_hall_events(display.deps, [f.called(hall, "t1", "A-001", "ktp-el", 1, now)])
        slot = page.locator("#counters li[data-counter='2']")
        expect(slot).to_contain_text("Sholat")
        expect(slot).to_contain_text("Loket 2")
        expect(slot.locator("[lang=en]")).to_have_text("Prayer")
        expect(page.locator("#counters li[data-counter='4']")).to_contain_text("Gangguan sistem")
        expect(page.locator("#counters li[data-counter='4'] [lang=en]")).to_have_text("System fault")
        expect(page.locator("#counters li[data-counter='5']")).to_contain_text("Rapat koordinasi")
        expect(page.locator("#spotlight-number")).to_have_text("A-001")  # the call keeps the spotlight
        page.screenshot(path=screenshots / "board-paused-reasons-1366x768.png")

        later = now + dt.timedelta(seconds=1)
        handlers.on_hall_events(display.deps, [f.counter_event(hall, "resumed", 2, later)])
        expect(slot).to_have_count(0)  # back at work: the slot leaves the board
        expect(page.locator("#counters li.paused")).to_have_count(2)
    finally:
        display.stop()
