"""What a caller can do with the printer's routes: a ticket's id is on its QR code for anyone to
read, so ``print-failed`` must never take a number out of the queue nor free more walk-in places
than failed prints took; and what the hall file says reaches the paper as text, never as a
printer command."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from antre.hall.model import Hall, PriorityGroup
from antre.problems import Refused
from antre.v1 import events_pb2 as pb
from services.ticketing import handlers
from services.ticketing.adapters import printer
from services.ticketing.domain import tickets
from services.ticketing.handlers import queries
from tests.support.deps import outbox_events
from tests.support.escpos_bytes import parse
from tests.support.ticketing_app import deps_of, ticketing_client

SERVICE = "ktp-el"
WALK_IN_PLACES = 200 - 84  # its daily quota less the online share
REPEATS = 20


@pytest.fixture
def client(backend: str, tmp_path: Path, nats_url: str) -> Iterator[TestClient]:
    with ticketing_client(backend, tmp_path, nats_url) as test_client:
        yield test_client


def walk_in(deps: handlers.Deps, kiosk: str = "kiosk-2") -> tickets.Ticket:
    return handlers.issue(deps, handlers.IssueTicket(SERVICE, kiosk=kiosk))


def test_print_failed_said_again_and_again_frees_one_place_not_more(client: TestClient) -> None:
    deps = deps_of(client)
    failed = walk_in(deps)  # printing at the kiosk with a browser printer
    for _ in range(WALK_IN_PLACES - 1):
        walk_in(deps, kiosk="kiosk-1")  # no printer: straight into the queue
    with pytest.raises(Refused):
        walk_in(deps, kiosk="kiosk-1")  # the day's walk-in places are all taken

    for _ in range(REPEATS):
        assert (
            client.post(
                f"/api/v1/tickets/{failed.id}/print-failed", headers=kiosk(client, failed)
            ).status_code
            == 200
        )

    again = client.post("/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-1"})
    assert again.status_code == 201  # the one place the failed print held
    full = client.post("/api/v1/tickets", json={"service": SERVICE, "kiosk": "kiosk-1"})
    assert full.json()["error"]["code"] == "walk_in_quota_full"
    assert queries.pool(deps, SERVICE, failed.hall_day).walk_in_used == WALK_IN_PLACES


def test_print_failed_cannot_take_a_printed_number_out_of_the_queue(client: TestClient) -> None:
    deps = deps_of(client)
    printed = handlers.confirm_print(deps, walk_in(deps).id)
    served = walk_in(deps, kiosk="kiosk-1")

    for ticket in (printed, served):
        for _ in range(3):
            answer = client.post(f"/api/v1/tickets/{ticket.id}/print-failed", headers=kiosk(client, ticket))
            assert answer.status_code == 200 and answer.json()["state"] == "waiting"

    assert queries.pool(deps, SERVICE, printed.hall_day).walk_in_used == 2
    assert not [e for e in outbox_events(deps.uow.engine) if isinstance(e.message, pb.TicketCancelled)]


def test_the_escpos_of_an_unknown_ticket_is_a_bilingual_not_found(client: TestClient) -> None:
    answer = client.get("/api/v1/tickets/no-such-ticket/escpos")

    assert answer.status_code == 404
    error = answer.json()["error"]
    assert (error["code"], error["message"], error["message_en"]) == (
        "unknown_ticket",
        "Nomor antrean tidak ditemukan",
        "Ticket not found",
    )


def test_control_characters_in_the_hall_file_reach_the_paper_as_nothing(kendari: Hall) -> None:
    kick_drawer, cut = "\x1bp\x00\x19\x19", "\x1dV\x00"
    service = dataclasses.replace(kendari.services[0], name=f"KTP-el{cut}{kick_drawer}")
    hall = dataclasses.replace(kendari, name=f"MPP{kick_drawer} Kendari")
    ticket = tickets.new_ticket(
        ticket_id="t1",
        service=service,
        sequence=1,
        day=dt.date(2026, 11, 30),
        priority=PriorityGroup.NONE,
        channel="walk_in",
        kiosk="kiosk-2",
        needs_print=True,
        now=dt.datetime(2026, 11, 30, 1, 0, tzinfo=dt.UTC),
    )

    printed = parse(printer.render(hall, service, ticket, "https://antre.example.id/t/t1", "09:00"))

    lines = printed.text.splitlines()
    assert "MPPp Kendari" in lines and "KTP-elVp" in lines  # the letters stay, the commands go
    assert [c for c in printed.commands if c.startswith((b"\x1bp", b"\x1dV"))] == [b"\x1dV\x00"]


def kiosk(client: TestClient, ticket: tickets.Ticket) -> dict[str, str]:
    """The headers of the kiosk that issued ``ticket``."""
    return {"Authorization": f"Bearer {client.kiosk_tokens[ticket.kiosk]}"}  # type: ignore[attr-defined]
