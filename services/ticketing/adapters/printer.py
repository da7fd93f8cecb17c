"""Thermal tickets in ESC/POS (58 or 80 mm printers) through python-escpos.

The same drawing goes to a :class:`escpos.printer.Dummy` (bytes for tests and for a kiosk that
forwards them) or to a network printer on port 9100. Written against python-escpos 3.1 (pinned
in pyproject.toml): its API moved between majors, and a call it refuses fails every ticket.
It (and Pillow under it, 14 MiB) is imported when a ticket is drawn, not when ticketing starts:
most kiosks print from the browser, and the service would hold it all day for nothing.
"""

from __future__ import annotations

import unicodedata
from typing import Any

from antre.hall.model import Hall, Service
from services.ticketing.domain.tickets import Ticket
from services.ticketing.domain.wayfinding import waiting_zone


def draw(
    printer: Any, hall: Hall, service: Service, ticket: Ticket, status_url: str, local_time: str
) -> None:
    from escpos.constants import QR_ECLEVEL_M

    agency = hall.agency(service.agency)
    printer.set(align="center", bold=True)
    printer.text(f"{_plain(hall.name)}\n")
    printer.set(align="center", bold=False)
    printer.text(f"{_plain(agency.name if agency else service.agency)}\n{_plain(service.name)}\n\n")
    printer.set(align="center", bold=True, double_width=True, double_height=True)
    printer.text(f"{ticket.number}\n")
    printer.set(align="center", normal_textsize=True)
    if ticket.priority.value != "none":
        printer.text("PRIORITAS\n")
    zone = waiting_zone(hall, ticket.service)
    if zone is not None:
        printer.set(align="center", bold=True)
        printer.text(f"Tunggu di / Wait at:\n{_plain(zone.name)}\n")
        printer.set(align="center", bold=False)
        if zone.name_en and zone.name_en != zone.name:  # the paper cannot switch language
            printer.text(f"{_plain(zone.name_en)}\n")
    printer.text(f"{local_time}\n\n")
    # python-escpos refuses ``center=True`` with a native QR (it can only centre an image), but
    # the printer itself centres a 2D code under ESC a 1, which the align above has already sent.
    printer.qr(status_url, native=True, size=6, ec=QR_ECLEVEL_M)
    printer.text("Pindai untuk melihat antrean\nScan to follow your turn\n")
    printer.cut()


def _plain(text: str) -> str:
    """Names as text only: a control character in the hall file (ESC, GS) would reach the
    printer as a command (cut the paper, open the drawer) instead of being printed."""
    return "".join(c for c in text if unicodedata.category(c) != "Cc")


def render(hall: Hall, service: Service, ticket: Ticket, status_url: str, local_time: str) -> bytes:
    from escpos.printer import Dummy

    dummy = Dummy()
    draw(dummy, hall, service, ticket, status_url, local_time)
    return bytes(dummy.output)


def send(host: str, port: int, data: bytes, timeout: float = 5.0) -> None:
    """Send a drawn ticket to a network printer; raises OSError when it cannot be reached."""
    from escpos.exceptions import DeviceNotFoundError
    from escpos.printer import Network

    printer = Network(host, port=port, timeout=timeout)
    try:
        printer.open()
    except DeviceNotFoundError as error:  # python-escpos wraps the socket's OSError in its own
        raise ConnectionError(f"printer {host}:{port} unreachable: {error}") from error
    try:
        printer._raw(data)
    finally:
        printer.close()
