"""The printed ticket (80 mm, black only), as Chromium prints it: a regular ticket carries no black
bar under its number, and a priority ticket carries its badge there."""

from __future__ import annotations

import base64
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from playwright.sync_api import Page, expect

if TYPE_CHECKING:
    from tests.browser.conftest import Hall

pytestmark = pytest.mark.browser


def dark_rows_between(page: Page, top: float, bottom: float) -> int:
    """Rows of pixels in the slip between ``top`` and ``bottom`` (CSS pixels) that hold black ink,
    read from a print-media screenshot: what would reach the paper."""
    slip = page.get_by_test_id("slip").bounding_box()
    assert slip is not None
    clip = {"x": slip["x"], "y": top, "width": slip["width"], "height": max(bottom - top, 1)}
    png = page.screenshot(clip=clip)
    return page.evaluate(
        """async (b64) => {
          const img = new Image();
          img.src = `data:image/png;base64,${b64}`;
          await img.decode();
          const canvas = new OffscreenCanvas(img.width, img.height);
          const ctx = canvas.getContext("2d");
          ctx.drawImage(img, 0, 0);
          const data = ctx.getImageData(0, 0, img.width, img.height).data;
          let rows = 0;
          for (let y = 0; y < img.height; y += 1) {
            let dark = 0;
            for (let x = 0; x < img.width; x += 1) {
              const i = (y * img.width + x) * 4;
              if (data[i] < 60 && data[i + 1] < 60 && data[i + 2] < 60) dark += 1;
            }
            if (dark > img.width / 4) rows += 1; // a bar: ink across a quarter of the slip
          }
          return rows;
        }""",
        base64.b64encode(png).decode(),
    )


def open_print(page: Page, hall: Hall, ticket_id: str) -> None:
    page.emulate_media(media="print")
    page.goto(f"{hall.ticketing_url}/tickets/{ticket_id}/print")
    page.wait_for_function("() => window.antreTicketReady && !document.querySelector('[aria-busy]')")


def gap_under_number(page: Page) -> tuple[float, float]:
    number = page.get_by_test_id("ticket-number").bounding_box()
    service = page.get_by_test_id("service").bounding_box()
    assert number is not None and service is not None
    return number["y"] + number["height"], service["y"]


def test_a_regular_ticket_prints_no_bar_under_its_number(hall: Hall, new_context, screenshots: Path) -> None:
    ticket = hall.issue("akta-kematian")
    page = new_context(viewport={"width": 420, "height": 900}).new_page()
    open_print(page, hall, ticket["id"])
    expect(page.get_by_test_id("ticket-number")).to_have_text(ticket["number"])
    expect(page.get_by_test_id("priority")).to_be_hidden()
    top, bottom = gap_under_number(page)
    assert dark_rows_between(page, top, bottom) == 0
    page.screenshot(path=screenshots / "ticket-regular.png")


def test_a_priority_ticket_prints_its_badge_under_its_number(
    hall: Hall, new_context, screenshots: Path
) -> None:
    ticket = hall.issue("akta-kematian", priority="elderly")
    page = new_context(viewport={"width": 420, "height": 900}).new_page()
    open_print(page, hall, ticket["id"])
    badge = page.get_by_test_id("priority")
    expect(badge).to_be_visible()
    expect(badge).to_have_text("PRIORITAS · Lansia 60+ / Elderly")
    top, bottom = gap_under_number(page)
    assert dark_rows_between(page, top, bottom) > 0  # the badge, white on black
    page.screenshot(path=screenshots / "ticket-priority.png")
