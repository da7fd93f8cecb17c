"""ESC/POS over HTTP and to a network printer, through the whole ticketing app: the bytes a kiosk
fetches, the job a printer on the network receives, and a printer that cannot be reached."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from antre.events import Envelope
from antre.v1 import events_pb2 as pb
from services.ticketing import handlers
from services.ticketing.domain.tickets import State
from services.ticketing.handlers import queries
from tests.support.deps import outbox_events
from tests.support.escpos_bytes import parse
from tests.support.infra import free_port
from tests.support.ticketing_app import PUBLIC_URL, PrinterServer, deps_of, ticketing_client

SERVICE = "ktp-el"  # a daily pool: every walk-in number takes a place
SERVICE_NAME = "KTP Elektronik (perekaman, cetak, penggantian)"


def kiosks(printer_port: int, dead_port: int) -> list[dict[str, Any]]:
    network = {"printer": "network", "printer_host": "127.0.0.1"}
    return [
        {"id": "kiosk-1", "name": "Kios Lobi Utama", "printer": "none"},
        {"id": "kiosk-2", "name": "Kios Lantai 2", "printer": "browser"},
        {"id": "kiosk-net", "name": "Kios Printer Jaringan", **network, "printer_port": printer_port},
        {"id": "kiosk-dead", "name": "Kios Printer Mati", **network, "printer_port": dead_port},
    ]


@pytest.fixture
def printer() -> Iterator[PrinterServer]:
    with PrinterServer() as server:
        yield server


@pytest.fixture
def client(backend: str, tmp_path: Path, nats_url: str, printer: PrinterServer) -> Iterator[TestClient]:
    hall = {"kiosks": kiosks(printer.port, free_port())}  # nothing listens on the second port
    with ticketing_client(backend, tmp_path, nats_url, **hall) as test_client:
        yield test_client


def walk_ins_used(client: TestClient) -> int:
    deps = deps_of(client)
    return queries.pool(deps, SERVICE, deps.hall.day_of(deps.uow.clock())).walk_in_used


def events(client: TestClient, kind: type) -> list[Envelope]:
    return [e for e in outbox_events(deps_of(client).uow.engine) if isinstance(e.message, kind)]


def assert_is_the_ticket(raw: bytes, ticket: dict[str, Any]) -> None:
    printed = parse(raw)
    lines = printed.text.splitlines()
    assert ticket["number"] in lines
    assert SERVICE_NAME in lines and ticket["service_name"] == SERVICE_NAME
    assert printed.qr_data() == [f"{PUBLIC_URL}/t/{ticket['id']}"] == [ticket["status_url"]]
    assert printed.qr_printed() and printed.cut


def test_a_kiosk_fetches_its_ticket_as_escpos_bytes(client: TestClient) -> None:
    ticket = client.post("/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-2"}).json()
    assert ticket["state"] == "printing"

    answer = client.get(f"/api/v1/tickets/{ticket['id']}/escpos")

    assert answer.status_code == 200
    assert answer.headers["content-type"] == "application/octet-stream"
    assert_is_the_ticket(answer.content, ticket)


def test_a_network_printer_receives_the_ticket_and_the_number_joins_the_queue(
    client: TestClient, printer: PrinterServer
) -> None:
    answer = client.post("/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-net"})

    assert answer.status_code == 201
    ticket = answer.json()
    assert ticket["state"] == "waiting" and ticket["kiosk"] == "kiosk-net"
    assert_is_the_ticket(printer.next_job(), ticket)
    assert client.get(f"/api/v1/tickets/{ticket['id']}").json()["state"] == "waiting"
    issued = [e.message.ticket.ticket_id for e in events(client, pb.TicketIssued)]  # type: ignore[attr-defined]
    assert issued == [ticket["id"]]  # the counters hear of it: it can be called
    assert walk_ins_used(client) == 1


def test_an_unreachable_printer_cancels_the_number_and_gives_its_place_back(
    client: TestClient, printer: PrinterServer
) -> None:
    answer = client.post("/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-dead"})

    assert answer.status_code == 503
    error = answer.json()["error"]
    assert error["code"] == "printer_unreachable"
    assert error["message"].startswith("Printer tidak dapat dihubungi")
    assert error["message_en"].startswith("The printer cannot be reached")
    cancelled = events(client, pb.TicketCancelled)
    assert [e.message.reason for e in cancelled] == ["print_failed"]  # type: ignore[attr-defined]
    ticket_id = cancelled[0].message.ticket.ticket_id  # type: ignore[attr-defined]
    assert handlers.get(deps_of(client), ticket_id).state == State.CANCELLED
    assert events(client, pb.TicketIssued) == []  # never offered to a counter
    assert walk_ins_used(client) == 0
    assert printer.jobs == []


def test_print_failed_from_the_kiosk_gives_the_place_back_once(client: TestClient) -> None:
    ticket = client.post("/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-2"}).json()
    assert walk_ins_used(client) == 1

    for _ in range(3):
        answer = client.post(f"/api/v1/tickets/{ticket['id']}/print-failed")
        assert answer.status_code == 200 and answer.json()["state"] == "cancelled"

    assert walk_ins_used(client) == 0
    assert len(events(client, pb.TicketCancelled)) == 1


def test_a_ticket_that_cannot_be_drawn_is_cancelled_at_once_not_left_printing(
    client: TestClient, printer: PrinterServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refused(*args: object) -> bytes:  # as python-escpos 3.1 refused a centred native QR
        raise NotImplementedError("Centering not implemented for native QR rendering")

    monkeypatch.setattr("services.ticketing.adapters.printer.render", refused)

    with pytest.raises(NotImplementedError):  # the test client re-raises what answered 500
        client.post("/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-net"})

    cancelled = events(client, pb.TicketCancelled)
    assert [e.message.reason for e in cancelled] == ["print_failed"]  # type: ignore[attr-defined]
    assert walk_ins_used(client) == 0
    assert printer.jobs == []
