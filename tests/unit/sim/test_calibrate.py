"""Calibration gets back the demand that twin days were drawn from, from their events alone.

Tolerances are about four standard errors of each estimate at this much data (8 Mondays, about
620 ID-card visits), computed in the test from the counts, so a fit that is biased fails while
the seeds' luck does not.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from pathlib import Path

import pytest

from antre.hall.load import load_hall
from antre.v1 import events_pb2 as pb
from sim import cli
from sim.calibrate import Calibration, calibrate, fit_lognormal
from sim.demand import load_demand, parse_demand
from sim.demand_file import dump_demand
from sim.recorded import Recorded, RecordedError, export_line, parse_line, read_export, write_export
from tests.support.twin_events import known_demand, record_days, same_weekdays

HALL_FILE = Path(__file__).resolve().parents[3] / "examples" / "kendari.yaml"
DAYS = same_weekdays(dt.date(2026, 4, 6), 8)  # Mondays, no holiday nor cuti bersama among them


@pytest.fixture(scope="module")
def hall():
    return load_hall(HALL_FILE)


@pytest.fixture(scope="module")
def recorded(hall):
    events, logs = record_days(hall, known_demand(str(HALL_FILE)), DAYS, seed=3)
    return events, logs


@pytest.fixture(scope="module")
def fit(hall, recorded) -> Calibration:
    return calibrate(recorded[0], hall, str(HALL_FILE))


def test_service_time_lognormal_is_recovered(fit: Calibration) -> None:
    st = fit.demand.services["ktp-el"].service_time
    n = int(fit.comments["services.ktp-el"].split("; ")[1].split()[0])
    assert n > 500
    se_mu, se_sigma = 0.5 / math.sqrt(n), 0.5 / math.sqrt(2 * n)
    assert st.dist == "lognormal"
    assert abs(math.log(st.mean / 12.0)) < 4 * (se_mu + 0.5 * se_sigma)
    assert abs(st.sigma - 0.5) < 4 * se_sigma
    land = fit.demand.services["pbb-p2"].service_time
    assert abs(land.mean - 8.0) / 8.0 < 0.1 and abs(land.sigma - 0.4) < 0.06


def test_arrivals_per_hour_are_recovered(fit: Calibration) -> None:
    rates = fit.demand.services["ktp-el"].arrivals["monday"]
    assert sorted(rates) == list(range(8, 14))
    for hour, rate in rates.items():
        se = math.sqrt(13.0 / len(DAYS))  # Poisson count over the days, per day
        assert abs(rate - 13.0) < 4.5 * se, hour
    total_se = math.sqrt(78.0 / len(DAYS))
    assert abs(sum(rates.values()) - 78.0) < 4 * total_se
    assert fit.demand.services["pbb-p2"].arrivals == {}  # reached only by transfer
    assert set(fit.demand.services) == {"ktp-el", "pbb-p2"}


def test_shares_bookings_and_journeys_are_recovered(fit: Calibration) -> None:
    d = fit.demand
    visits = 78 * len(DAYS)
    booked = d.services["ktp-el"].booking_share
    assert booked is not None and abs(booked - 0.3) < 4 * math.sqrt(0.3 * 0.7 / visits)
    assert abs(d.priority_share - 0.1) < 4 * math.sqrt(0.1 * 0.9 / (0.7 * visits))
    assert abs(d.bookings.no_show - 0.2) < 4 * math.sqrt(0.2 * 0.8 / (0.3 * visits))
    assert d.bookings.slot_minutes == 15
    assert abs(d.bookings.punctuality_sd_minutes - 5.0) < 4 * 5.0 / math.sqrt(2 * 0.24 * visits)
    (journey,) = d.journeys
    assert (journey.after, journey.then) == ("ktp-el", "pbb-p2")
    assert abs(journey.share - 0.25) < 4 * math.sqrt(0.25 * 0.75 / visits)


def test_staffing_is_the_plan_the_days_ran(fit: Calibration, hall) -> None:
    assert fit.demand.staffing["dukcapil"] == {"monday": {8: 6, 9: 6, 10: 6, 11: 6, 12: 4, 13: 6, 14: 6}}
    # An agency without a plan opened every counter, and the events say so.
    assert fit.demand.staffing["bapenda"] == {"monday": dict.fromkeys(range(8, 15), 3.0)}


def test_what_the_events_cannot_tell_is_left_out_and_said(fit: Calibration) -> None:
    assert fit.demand.patience is None
    assert any(note.startswith("patience:") for note in fit.notes)
    assert any("cutoff" in note for note in fit.notes)


def test_missing_no_shows_and_counters_are_not_made_up(hall, recorded) -> None:
    dropped = (pb.BookingNoShow, pb.CounterOpened, pb.CounterClosed)
    events = [e for e in recorded[0] if not isinstance(e, dropped)]
    fit = calibrate(events, hall, "hall.yaml")
    assert fit.demand.bookings.no_show == 0.0
    assert fit.demand.staffing == {}
    assert any("no BookingNoShow" in note for note in fit.notes)
    assert any("no counter events" in note for note in fit.notes)


def test_repeated_events_are_read_once(hall, recorded, fit: Calibration) -> None:
    events = recorded[0]
    again = calibrate(events + events[: len(events) // 2], hall, str(HALL_FILE))
    assert again.demand == fit.demand
    assert any("repeated events" in note for note in again.notes)


def test_window_takes_only_its_days(hall, recorded) -> None:
    one = calibrate(recorded[0], hall, "hall.yaml", since=DAYS[2], until=DAYS[2])
    assert one.days == (DAYS[2],)
    assert set(one.waits["dukcapil"]) == {DAYS[2]}
    rates = one.demand.services["ktp-el"].arrivals["monday"]
    issued = sum(
        1 for e in recorded[0] if isinstance(e, pb.TicketIssued) and e.ticket.hall_day == str(DAYS[2])
    )
    no_shows = sum(1 for e in recorded[0] if isinstance(e, pb.BookingNoShow) and e.slot.day == str(DAYS[2]))
    assert round(sum(rates.values())) == issued + no_shows  # one day: the rates are the counts
    with pytest.raises(ValueError, match="no events"):
        calibrate(recorded[0], hall, "hall.yaml", since=dt.date(2025, 1, 6), until=dt.date(2025, 1, 6))


def test_recorded_waits_are_the_days_own(hall, recorded, fit: Calibration) -> None:
    """The waits calibration reports are those the twin logged for the very same days."""
    _, logs = recorded
    for day, log in zip(DAYS, logs, strict=True):
        waits = [(c - j) / 60 for code, j, c, o in log.visits if o == "served" and code == "ktp-el"]
        assert fit.waits["dukcapil"][day] == pytest.approx(sum(waits) / len(waits), abs=1e-6)


def test_fitted_file_round_trips(fit: Calibration, tmp_path: Path) -> None:
    text = dump_demand(fit.demand, ["header", *fit.notes], fit.comments)
    assert parse_demand(text) == fit.demand
    path = tmp_path / "fit.yaml"
    path.write_text(text, encoding="utf-8")
    demand, hall = load_demand(path)
    assert demand == fit.demand and hall.id == "kendari"


def test_empirical_keeps_the_durations(hall, recorded) -> None:
    fit = calibrate(recorded[0], hall, "hall.yaml", service_time="empirical")
    st = fit.demand.services["ktp-el"].service_time
    assert st.dist == "empirical" and len(st.values) > 500
    mean, _ = fit_lognormal(st.values)
    assert abs(mean - 12.0) < 1.0


def test_export_lines_round_trip(recorded) -> None:
    events = recorded[0][:300]
    lines = [export_line(Recorded(e)) for e in events]
    assert [parse_line(line) for line in lines] == events
    assert read_export(lines) == events


def test_bad_export_lines_name_the_line_in_both_languages(recorded) -> None:
    good = export_line(Recorded(recorded[0][0]))
    lines = [
        good,
        "{not json",
        '{"event": "antre.v1.Nothing", "payload": {}}',
        '{"event": "antre.v1.TicketCalled", "payload": {"ticket": 5}}',
        "",
        '["a list"]',
    ]
    with pytest.raises(RecordedError) as caught:
        read_export(lines, "day.jsonl")
    problems = caught.value.problems
    assert [p.split(":")[1] for p in problems] == ["2", "3", "4", "6"]
    assert "bukan JSON" in problems[0] and "not JSON" in problems[0]
    assert "tidak dikenal" in problems[1] and "unknown event" in problems[1]
    assert "payload tidak sah" in problems[2] and "invalid payload" in problems[2]
    assert "harus objek" in problems[3] and "must be an object" in problems[3]


def test_calibrate_command_writes_a_file_the_day_command_replays(recorded, tmp_path: Path, capsys) -> None:
    export = tmp_path / "events.jsonl"
    write_export((Recorded(e) for e in recorded[0]), export)
    out = tmp_path / "out" / "fit.yaml"
    out.parent.mkdir()
    args = ["calibrate", "--events", str(export), "--hall", str(HALL_FILE), "-o", str(out)]
    assert cli.main(args) == 0
    text = out.read_text(encoding="utf-8")
    assert text.startswith("# Demand for") and 'hall: "../../' not in text.splitlines()[0]
    demand, _ = load_demand(out)
    assert demand.services["ktp-el"].service_time.dist == "lognormal"
    printed = capsys.readouterr().out
    assert "dukcapil" in printed and "python -m sim day" in printed
    assert cli.main(["day", str(out), "--date", DAYS[-1].isoformat(), "-n", "2", "--jobs", "1"]) == 0


def test_calibrate_command_reports_a_bad_export(tmp_path: Path, capsys) -> None:
    export = tmp_path / "events.jsonl"
    export.write_text("{}\n", encoding="utf-8")
    args = ["calibrate", "--events", str(export), "--hall", str(HALL_FILE), "-o", str(tmp_path / "f.yaml")]
    assert cli.main(args) == 2
    err = capsys.readouterr().err
    assert "events.jsonl:1" in err and "must be an object" in err
    assert not (tmp_path / "f.yaml").exists()


def test_logs_hold_calls(recorded) -> None:
    # The recorded days are busy enough to say something: every day called most of its visitors.
    for log in recorded[1]:
        served = sum(1 for v in log.visits if v[3] == "served")
        assert served > 0.9 * len(log.visits)


def test_hall_of_other_events_is_ignored(hall, recorded) -> None:
    other = dataclasses.replace(hall, id="elsewhere")
    with pytest.raises(ValueError, match="no events of hall 'elsewhere'"):
        calibrate(recorded[0], other, "hall.yaml")
