"""Thermal tickets in ESC/POS (58 or 80 mm printers) through python-escpos.

The same drawing goes to a :class:`escpos.printer.Dummy` (bytes for tests and for a kiosk that
forwards them) or to a network printer on port 9100.
"""

from __future__ import annotations

from typing import Any

from escpos.printer import Dummy, Network

from antre.hall.model import Hall, Service
from services.ticketing.domain.tickets import Ticket


def draw(
    printer: Any, hall: Hall, service: Service, ticket: Ticket, status_url: str, local_time: str
) -> None:
    agency = hall.agency(service.agency)
    printer.set(align="center", bold=True)
    printer.text(f"{hall.name}\n")
    printer.set(align="center", bold=False)
    printer.text(f"{agency.name if agency else service.agency}\n{service.name}\n\n")
    printer.set(align="center", bold=True, double_width=True, double_height=True)
    printer.text(f"{ticket.number}\n")
    printer.set(align="center", normal_textsize=True)
    if ticket.priority.value != "none":
        printer.text("PRIORITAS\n")
    printer.text(f"{local_time}\n\n")
    printer.qr(status_url, native=True, size=6, center=True)
    printer.text("Pindai untuk melihat antrean\nScan to follow your turn\n")
    printer.cut()


def render(hall: Hall, service: Service, ticket: Ticket, status_url: str, local_time: str) -> bytes:
    dummy = Dummy()
    draw(dummy, hall, service, ticket, status_url, local_time)
    return bytes(dummy.output)


def send(host: str, port: int, data: bytes, timeout: float = 5.0) -> None:
    """Send a drawn ticket to a network printer; raises OSError when it cannot be reached."""
    printer = Network(host, port=port, timeout=timeout)
    try:
        printer.open()
        printer._raw(data)
    finally:
        printer.close()
