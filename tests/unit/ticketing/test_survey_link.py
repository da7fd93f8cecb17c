"""The status page's survey link: offered only once the ticket is completed and only when the
hall set ANTRE_SURVEY_URL, with the ticket's id where the template says (as notify writes it)."""

from __future__ import annotations

import dataclasses
import datetime as dt

import pytest

from antre.hall.model import PriorityGroup
from services.ticketing.domain.tickets import State, Ticket
from services.ticketing.entrypoints.http import Context, _survey_url

TICKET = Ticket(
    id="Ab-9_x",
    hall_day=dt.date(2026, 3, 10),
    service="ktp-el",
    agency="dukcapil",
    number="A-012",
    sequence=12,
    priority=PriorityGroup.NONE,
    channel="walk_in",
    kiosk="kiosk-1",
    state=State.COMPLETED,
    created_at=dt.datetime(2026, 3, 10, 1, 0, tzinfo=dt.UTC),
)


def link(template: str, state: State = State.COMPLETED) -> str:
    ctx = Context(None, "", None, demo=False, survey_url=template)  # type: ignore[arg-type]  # no deps needed
    return _survey_url(ctx, dataclasses.replace(TICKET, state=state))


def test_the_template_takes_the_ticket_id() -> None:
    assert link("https://laporan.mpp.example/survey/{ticket}") == "https://laporan.mpp.example/survey/Ab-9_x"
    assert link("https://laporan.mpp.example/survey") == "https://laporan.mpp.example/survey?ticket=Ab-9_x"
    assert link("https://x.example/s?lang=id") == "https://x.example/s?lang=id&ticket=Ab-9_x"


@pytest.mark.parametrize("state", set(State) - {State.COMPLETED})
def test_only_a_completed_ticket_is_offered_the_survey(state: State) -> None:
    assert link("https://laporan.mpp.example/survey/{ticket}", state) == ""


def test_no_address_no_link() -> None:
    assert link("") == ""
