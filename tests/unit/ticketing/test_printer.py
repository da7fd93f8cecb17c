"""The thermal ticket as the printer reads it: python-escpos draws into its own Dummy printer and
the bytes are parsed back, command by command."""

from __future__ import annotations

import datetime as dt

from escpos.printer import Dummy

from antre.hall.model import Hall, PriorityGroup
from services.ticketing.adapters import printer
from services.ticketing.domain import tickets
from tests.support.escpos_bytes import parse

NOW = dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC)
URL = "https://antre.kendarikota.go.id/t/Zx9-abc_DEF12"
CENTRE = 1


def ticket(kendari: Hall, priority: PriorityGroup = PriorityGroup.NONE) -> tickets.Ticket:
    return tickets.new_ticket(
        ticket_id="Zx9-abc_DEF12",
        service=tickets.resolve_service(kendari, "ktp-el"),
        sequence=7,
        day=NOW.date(),
        priority=priority,
        channel="walk_in",
        kiosk="kiosk-2",
        needs_print=True,
        now=NOW,
    )


def test_a_ticket_prints_its_number_service_and_a_centred_native_qr_of_its_status_page(
    kendari: Hall,
) -> None:
    service = kendari.service("ktp-el")
    assert service is not None
    sink = Dummy()

    printer.draw(sink, kendari, service, ticket(kendari), URL, "30-11-2026 09:00")
    printed = parse(sink.output)

    lines = printed.text.splitlines()
    assert "A-007" in lines
    assert service.name in lines
    assert kendari.name in lines
    assert "Dinas Kependudukan dan Pencatatan Sipil" in lines
    assert "30-11-2026 09:00" in lines
    assert "PRIORITAS" not in lines
    assert printed.qr_data() == [URL]  # GS ( k fn 80 stores exactly the status URL
    assert printed.qr_printed() and printed.qr_align == CENTRE
    assert printed.cut


def test_render_gives_the_same_bytes_the_printer_is_drawn_with(kendari: Hall) -> None:
    service = kendari.service("ktp-el")
    assert service is not None
    sink = Dummy()
    printer.draw(sink, kendari, service, ticket(kendari), URL, "30-11-2026 09:00")

    assert printer.render(kendari, service, ticket(kendari), URL, "30-11-2026 09:00") == sink.output


def test_a_priority_ticket_says_so(kendari: Hall) -> None:
    service = kendari.service("ktp-el")
    assert service is not None

    raw = printer.render(kendari, service, ticket(kendari, PriorityGroup.ELDERLY), URL, "09:00")

    assert "PRIORITAS" in parse(raw).text.splitlines()


def test_a_ticket_names_the_zone_to_wait_in(kendari: Hall) -> None:
    service = kendari.service("ktp-el")
    assert service is not None

    lines = parse(printer.render(kendari, service, ticket(kendari), URL, "09:00")).text.splitlines()

    assert "Tunggu di / Wait at:" in lines
    assert "Lantai 1 Sayap A (Disdukcapil)" in lines
    assert "Floor 1, Wing A (Civil Registry)" in lines
