"""Calibration from a real JetStream stream, and the replay of what it fitted.

Twin days with a known demand are told as events (``tests/support/twin_events.py``), published
on a hall's stream as the outbox relay publishes them (subject, ``Nats-Msg-Id``, ``Antre-Event``),
read back by :func:`sim.recorded.read_stream` and fitted. The fitted demand is then run through
the twin: its waits must agree with the days the events came from, and a change (one more
counter at lunch) must show in them.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime as dt
from collections.abc import Sequence
from pathlib import Path

import nats
import pytest
from google.protobuf.message import Message

from antre import bus
from antre.events import EVENT_HEADER, MSG_ID_HEADER, event_name, hall_subjects, stream_name, subject_for
from antre.hall.model import Hall
from sim.calibrate import calibrate
from sim.demand import Profile
from sim.model import Scenario
from sim.recorded import RecordedError, load_export, read_stream, write_export
from sim.runner import replicate
from sim.stats import estimate, paired, summarise
from tests.support.infra import unique
from tests.support.twin_events import known_demand, record_days, same_weekdays

pytestmark = pytest.mark.nats

DAYS = same_weekdays(dt.date(2026, 3, 2), 12)  # Mondays without a holiday


async def publish(url: str, hall: str, events: Sequence[Message]) -> None:
    nc = await nats.connect(url)
    try:
        js = nc.jetstream()
        await bus.ensure_stream(js, hall)
        for i in range(0, len(events), 200):
            await asyncio.gather(
                *(
                    js.publish(
                        subject_for(e),
                        e.SerializeToString(),
                        headers={MSG_ID_HEADER: e.meta.event_id, EVENT_HEADER: event_name(e)},  # type: ignore[attr-defined]
                    )
                    for e in events[i : i + 200]
                )
            )
    finally:
        await nc.close()


async def drop_stream(url: str, hall: str) -> None:
    nc = await nats.connect(url)
    try:
        await nc.jetstream().delete_stream(stream_name(hall))
    finally:
        await nc.close()


@pytest.fixture
def hall(kendari: Hall) -> Hall:
    return dataclasses.replace(kendari, id=unique("cal"))  # its own stream per test


async def test_calibrates_from_the_stream_and_replays_the_days(
    nats_url: str, hall: Hall, tmp_path: Path
) -> None:
    events, _ = record_days(hall, known_demand("hall.yaml"), DAYS, seed=5)
    await publish(nats_url, hall.id, events)
    try:
        since, until = DAYS[0], DAYS[-1]
        start = dt.datetime.combine(since, dt.time(0), tzinfo=dt.UTC) - dt.timedelta(days=1)
        reads = [
            (f"antre.{hall.id}.*.booking.>", start - dt.timedelta(days=60)),
            (hall_subjects(hall.id), start),
        ]
        read, skipped = await read_stream(nats_url, hall.id, reads)
    finally:
        await drop_stream(nats_url, hall.id)
    assert skipped == 0
    assert sorted(r.message.meta.event_id for r in read) == sorted(e.meta.event_id for e in events)  # type: ignore[attr-defined]
    assert [r.seq for r in read] == sorted(r.seq for r in read)

    fit = calibrate([r.message for r in read], hall, "hall.yaml", since, until)
    assert fit.demand == calibrate(events, hall, "hall.yaml", since, until).demand  # the stream lost nothing
    ktp = fit.demand.services["ktp-el"]
    assert abs(ktp.service_time.mean - 12.0) < 0.8 and abs(ktp.service_time.sigma - 0.5) < 0.05
    assert abs(sum(ktp.arrivals["monday"].values()) - 78.0) < 8.0
    assert fit.demand.staffing["dukcapil"]["monday"][12] == 4

    # The export of what was read gives back the very same messages.
    export = tmp_path / "events.jsonl"
    write_export(read, export)
    assert load_export(export) == [r.message for r in read]

    # Replay: the fitted demand's waits agree with the recorded days' (95% intervals overlap)...
    runs = replicate(hall, fit.demand, DAYS[-1], [Scenario()], 40, seed=11, jobs=1)[0]
    summary = summarise(runs)
    for agency in ("dukcapil", "bapenda"):
        seen = estimate(list(fit.waits[agency].values()))
        twin = summary[f"agency|{agency}|wait_mean"]
        assert abs(seen.mean - twin.mean) <= seen.half_width + twin.half_width, (agency, seen, twin)
        assert seen.half_width < 0.5 * seen.mean + 0.5  # the check is not vacuous

    # ...and what if the registry kept all six counters open over lunch? (Counters open in number
    # order: the fifth serves birth and death certificates only, the sixth ID cards too.)
    staffing: dict[str, Profile] = {**fit.demand.staffing}
    lunch = dict(staffing["dukcapil"]["monday"]) | {12: 6.0}
    staffing["dukcapil"] = {"monday": lunch}
    more = replicate(
        hall, fit.demand, DAYS[-1], [Scenario(), Scenario(staffing=staffing)], 40, seed=11, jobs=1
    )
    diff = paired(more[0], more[1], "agency|dukcapil|wait_mean")
    assert diff.high < 0  # shorter waits, and surely so on common random numbers


async def test_reads_from_the_start_time_on(nats_url: str, hall: Hall) -> None:
    """BY_START_TIME: what the stream held before the start is not read."""
    events, _ = record_days(hall, known_demand("hall.yaml"), DAYS[:2], seed=6)
    first = [e for e in events if e.meta.occurred_at.ToDatetime().date() <= DAYS[0]]  # type: ignore[attr-defined]
    later = [e for e in events if e not in first]
    await publish(nats_url, hall.id, first)
    await asyncio.sleep(1.2)
    start = dt.datetime.now(dt.UTC)
    await asyncio.sleep(0.2)
    await publish(nats_url, hall.id, later)
    try:
        read, _ = await read_stream(nats_url, hall.id, [(hall_subjects(hall.id), start)])
    finally:
        await drop_stream(nats_url, hall.id)
    assert {r.message.meta.event_id for r in read} == {e.meta.event_id for e in later}  # type: ignore[attr-defined]
    fit = calibrate([r.message for r in read], hall, "hall.yaml")
    assert fit.days == (DAYS[1],)


async def test_a_missing_stream_is_said_plainly(nats_url: str, hall: Hall) -> None:
    with pytest.raises(RecordedError, match=f"no stream {stream_name(hall.id)}"):
        await read_stream(nats_url, hall.id, [(hall_subjects(hall.id), dt.datetime.now(dt.UTC))])
