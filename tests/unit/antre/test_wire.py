"""The one map between the events' enums and the hall's words: every priority group and channel
on the wire has its word and back, so no service needs a map of its own."""

from __future__ import annotations

from pathlib import Path

from antre.hall.model import PriorityGroup
from antre.v1 import events_pb2 as pb
from antre.wire import CHANNEL_FROM_WIRE, CHANNEL_TO_WIRE, PRIORITY_FROM_WIRE, PRIORITY_TO_WIRE


def test_every_priority_group_on_the_wire_is_a_group_of_the_hall_and_back() -> None:
    assert set(PRIORITY_FROM_WIRE) == set(pb.PriorityGroup.values())
    assert set(PRIORITY_TO_WIRE) == set(PriorityGroup)
    assert all(PRIORITY_FROM_WIRE[PRIORITY_TO_WIRE[group]] is group for group in PriorityGroup)
    assert PRIORITY_TO_WIRE[PriorityGroup.ELDERLY] == pb.PRIORITY_GROUP_ELDERLY


def test_every_channel_but_the_unspecified_one_has_its_word_and_back() -> None:
    assert set(CHANNEL_FROM_WIRE) == set(pb.Channel.values()) - {pb.CHANNEL_UNSPECIFIED}
    assert all(CHANNEL_TO_WIRE[CHANNEL_FROM_WIRE[wire]] == wire for wire in CHANNEL_FROM_WIRE)
    assert CHANNEL_FROM_WIRE[pb.CHANNEL_WALK_IN] == "walk_in"


def test_no_service_spells_the_priority_groups_on_the_wire_itself() -> None:
    services = Path(__file__).resolve().parents[3] / "services"
    spelling = sorted(
        str(f.relative_to(services)) for f in services.rglob("*.py") if "PRIORITY_GROUP_" in f.read_text()
    )
    assert spelling == []
