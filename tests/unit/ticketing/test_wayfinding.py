"""Where a service's citizens wait, and the estimate at the back of a service's line."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from antre.hall.load import load_hall
from antre.hall.model import Counter
from services.ticketing.domain.wayfinding import back_of_line, waiting_zone

HALL = load_hall(Path(__file__).resolve().parents[3] / "examples" / "kendari.yaml")


def test_a_service_waits_in_the_zone_of_its_counters() -> None:
    zone = waiting_zone(HALL, "pkb-tahunan")
    assert zone is not None and zone.code == "lantai-2"
    zone = waiting_zone(HALL, "ktp-el")
    assert zone is not None and zone.code == "lantai-1-a"


def test_counters_in_two_zones_send_citizens_to_the_agencys_zone() -> None:
    elsewhere = Counter(number=99, name="Loket 99", zone="lantai-2", services=("ktp-el",))
    hall = dataclasses.replace(HALL, counters=(*HALL.counters, elsewhere))
    zone = waiting_zone(hall, "ktp-el")
    assert zone is not None and zone.code == "lantai-1-a"  # Disdukcapil's zone


def test_no_zone_is_guessed_when_the_hall_file_cannot_say() -> None:
    elsewhere = Counter(number=99, name="Loket 99", zone="lantai-1-b", services=("pkb-tahunan",))
    hall = dataclasses.replace(HALL, counters=(*HALL.counters, elsewhere))
    agency = HALL.agency("samsat")
    assert agency is not None
    samsat = dataclasses.replace(agency, zone="")
    agencies = tuple(samsat if a.code == "samsat" else a for a in hall.agencies)
    hall = dataclasses.replace(hall, agencies=agencies)
    assert waiting_zone(hall, "pkb-tahunan") is None
    assert waiting_zone(HALL, "no-such-service") is None


def test_the_back_of_the_line_is_the_latest_median() -> None:
    first = {"p50": "2026-12-08T10:05:00+08:00", "p90": "2026-12-08T10:20:00+08:00", "not_called": 0}
    last = {"p50": "2026-12-08T10:40:00+08:00", "p90": "2026-12-08T10:55:00+08:00", "not_called": 0}
    unsure = {"p50": None, "p90": None, "not_called": 0.6}
    assert back_of_line([first, last, unsure]) == last
    assert back_of_line([last, first]) == last
    assert back_of_line([unsure]) is None
    assert back_of_line([]) is None
