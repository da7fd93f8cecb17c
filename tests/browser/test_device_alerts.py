"""A kiosk or board that stopped, on the live hall, in Chromium against the hall as processes
(ticketing, counters, the display and reports, with the limit set to 4 s by
ANTRE_DEVICE_SILENT_SECONDS): an open kiosk page keeps its kiosk off the alerts, the page closed
makes it an alert on the manager's live hall within the limit and a few seconds; a speaker board
whose sound is not on is an alert until someone touches "Aktifkan suara"."""

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

LIMIT = 4.0  # seconds without a heartbeat before a device is silent
DESK = {"viewport": {"width": 1366, "height": 768}}
KIOSK_SILENT = "device_silent:kiosk:kiosk-2"
BOARD_MUTE = "board_no_sound:papan-lantai-1-a"


@pytest.fixture(scope="module")
def whole_hall(
    tmp_path_factory: pytest.TempPathFactory, nats_url: str, pg_url: str | None
) -> Iterator[RunningHall]:
    hall = RunningHall(
        tmp_path_factory.mktemp("device-alerts"),
        nats_url,
        pg_url,
        services=("ticketing", "counters", "display", "reports"),
        extra_env={"ANTRE_DEVICE_SILENT_SECONDS": str(LIMIT)},
    )
    hall.start()
    try:
        yield hall
    finally:
        hall.stop()


def alert_keys(hall: RunningHall, manager: dict[str, str]) -> set[str]:
    with httpx.Client(base_url=hall.url("reports"), headers=manager, timeout=10) as reports:
        body = reports.get("/api/v1/hall/live")
        body.raise_for_status()
        return {a["key"] for a in body.json()["alerts"]}


def live_hall_page(page: Page, hall: RunningHall) -> None:
    page.goto(f"{hall.url('reports')}/hall")
    page.locator("#staff-username").fill("pengelola")
    page.locator("#staff-password").fill(PASSWORD)
    page.locator(".staff-sign-in button[type=submit]").click()
    expect(page.get_by_test_id("who")).to_contain_text("pengelola")


def test_a_kiosk_page_closed_becomes_an_alert_within_the_limit(
    whole_hall: RunningHall, new_context: Any, screenshots: Path
) -> None:
    hall = whole_hall
    manager = hall.manager()
    device = new_context(viewport={"width": 1080, "height": 1920})  # the kiosk's browser
    kiosk = device.new_page()
    kiosk.goto(f"{hall.url('ticketing')}/kiosk?kiosk=kiosk-2#device={hall.kiosk_token('kiosk-2')}")
    expect(kiosk.get_by_test_id("agency-dukcapil")).to_be_visible()
    head = new_context(**DESK).new_page()
    live_hall_page(head, hall)

    deadline = time.monotonic() + 2.5 * LIMIT  # the open page beats: never silent meanwhile
    while time.monotonic() < deadline:
        assert KIOSK_SILENT not in alert_keys(hall, manager)
        time.sleep(0.5)
    expect(head.get_by_test_id(f"alert-{KIOSK_SILENT}")).to_have_count(0)

    kiosk.close()  # switched off, a crashed browser, a cut cable
    closed = time.monotonic()
    alert = head.get_by_test_id(f"alert-{KIOSK_SILENT}")
    expect(alert).to_contain_text("Kios kiosk-2 tidak melapor sejak", timeout=(LIMIT + 6) * 1000)
    shown = time.monotonic() - closed
    print(f"device alerts: kiosk-2 shown as not reporting {shown:.1f} s after its page closed")
    assert shown < LIMIT + 4  # the limit, a job's period, the relay and the record
    expect(alert).to_contain_text("Perangkat")
    assert KIOSK_SILENT in alert_keys(hall, manager)
    head.screenshot(path=screenshots / "live-hall-device-alert.png")

    again = device.new_page()  # switched on again: the token is kept on the device
    again.goto(f"{hall.url('ticketing')}/kiosk?kiosk=kiosk-2")
    expect(again.get_by_test_id("agency-dukcapil")).to_be_visible()
    expect(alert).to_have_count(0, timeout=(LIMIT + 6) * 1000)  # back: the alert ends


def test_a_speaker_board_without_sound_is_an_alert_until_sound_is_on(
    whole_hall: RunningHall, new_context: Any
) -> None:
    hall = whole_hall
    manager = hall.manager()
    token = hall.board_token("papan-lantai-1-a")
    board = new_context(viewport={"width": 1920, "height": 1080}).new_page()
    board.goto(f"{hall.url('display')}/boards/lantai-1-a?speaker=1#device={token}")
    expect(board.locator("#sound")).to_be_visible()  # the browser has not been let to speak
    head = new_context(**DESK).new_page()
    live_hall_page(head, hall)
    alert = head.get_by_test_id(f"alert-{BOARD_MUTE}")
    expect(alert).to_contain_text("Papan papan-lantai-1-a tidak bisa bersuara", timeout=15_000)
    assert BOARD_MUTE in alert_keys(hall, manager)

    board.click("#sound")
    expect(board.locator("#sound")).to_be_hidden()
    expect(alert).to_have_count(0, timeout=10_000)
    assert "device_silent:board:papan-lantai-1-a" not in alert_keys(hall, manager)
