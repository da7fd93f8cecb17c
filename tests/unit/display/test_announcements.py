"""The announcement arbiter: one voice per zone, never overlapping, zones independent."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest

from antre.speech import CHIME, PAUSE, tokens, words
from services.display.domain.announcements import (
    CHIME_SECONDS,
    SECONDS_PER_WORD,
    Announcement,
    Kind,
    estimate_duration,
    schedule,
    spoken_duration,
)
from tests.unit.display.arbiters import Arbiter, announce

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)
GAP = dt.timedelta(seconds=1)


def s(seconds: float) -> dt.timedelta:
    return dt.timedelta(seconds=seconds)


def call(
    arbiter: Arbiter, zone: str, n: int, counter: int, now: dt.datetime, kind: Kind = Kind.CALL
) -> Announcement:
    number = f"A-{n:03d}"
    return arbiter.add(
        zone=zone,
        ticket_id=f"t{n}",
        number=number,
        counter=counter,
        text=words(number, counter),
        kind=kind,
        now=now,
    )


def assert_no_overlap(log: tuple[Announcement, ...], gap: dt.timedelta) -> None:
    for a, b in itertools.pairwise(log):
        assert a.seq < b.seq
        assert b.starts_at >= a.ends_at + gap, (a, b)
    for a in log:
        assert a.starts_at >= a.created_at


def test_a_quiet_zone_speaks_at_once() -> None:
    assert schedule(None, T0, s(5), GAP) == T0


def test_the_next_call_waits_for_the_end_plus_the_gap() -> None:
    assert schedule(T0 + s(5), T0 + s(1), s(5), GAP) == T0 + s(6)


def test_a_call_after_a_silence_does_not_wait() -> None:
    assert schedule(T0, T0 + s(30), s(5), GAP) == T0 + s(30)


def test_the_gap_is_respected_to_the_microsecond() -> None:
    last_end = T0 + s(5)
    assert schedule(last_end, last_end, s(5), s(2.5)) == last_end + s(2.5)
    assert schedule(last_end, last_end + s(2.4), s(5), s(2.5)) == last_end + s(2.5)
    assert schedule(last_end, last_end + s(2.6), s(5), s(2.5)) == last_end + s(2.6)


def test_negative_lengths_are_refused() -> None:
    with pytest.raises(ValueError):
        schedule(None, T0, s(-1), GAP)
    with pytest.raises(ValueError):
        schedule(None, T0, s(1), s(-1))


def test_duration_is_chime_plus_words() -> None:
    text = words("A-012", 3)  # Nomor antrean A nol satu dua, silakan menuju loket tiga
    assert len(text.split()) == 10
    assert estimate_duration(text) == s(CHIME_SECONDS + 10 * SECONDS_PER_WORD)
    assert estimate_duration(text) == s(5.5)
    assert estimate_duration(words("PH-007", 12)) > estimate_duration(text)


def test_a_burst_of_calls_never_overlaps_within_a_zone() -> None:
    arbiter = Arbiter(GAP)
    # Six counters press "call next" within the same second, then two more a little later.
    for n, counter in enumerate([1, 2, 3, 4, 5, 6], start=1):
        call(arbiter, "lantai-1-a", n, counter, T0 + s(n * 0.1))
    call(arbiter, "lantai-1-a", 7, 1, T0 + s(3))
    call(arbiter, "lantai-1-a", 8, 2, T0 + s(90))
    log = arbiter.log("lantai-1-a")
    assert len(log) == 8
    assert_no_overlap(log, GAP)
    assert log[0].starts_at == log[0].created_at  # the first in a quiet zone: no wait
    assert log[5].delay > s(25)  # the sixth waits for five calls before it
    assert log[7].starts_at == T0 + s(90)  # after the burst the zone is quiet again


def test_zones_are_independent() -> None:
    arbiter = Arbiter(GAP)
    a = [call(arbiter, "lantai-1-a", n, 1, T0) for n in range(1, 4)]
    b = [call(arbiter, "lantai-1-b", n, 7, T0) for n in range(10, 13)]
    assert a[0].starts_at == b[0].starts_at == T0  # two zones speak at the same time
    assert a[2].starts_at == b[2].starts_at  # and neither waits for the other
    assert_no_overlap(arbiter.log("lantai-1-a"), GAP)
    assert_no_overlap(arbiter.log("lantai-1-b"), GAP)
    assert arbiter.zones() == ("lantai-1-a", "lantai-1-b")
    assert [x.seq for x in a + b] == [1, 2, 3, 4, 5, 6]  # seq orders the whole hall


def test_a_recall_is_one_more_announcement() -> None:
    arbiter = Arbiter(GAP)
    first = call(arbiter, "lantai-1-a", 12, 3, T0)
    again = call(arbiter, "lantai-1-a", 12, 3, T0 + s(2), Kind.RECALL)
    log = arbiter.log("lantai-1-a")
    assert log == (first, again)
    assert again.kind == Kind.RECALL
    assert again.text == first.text
    assert again.starts_at == first.ends_at + GAP
    assert_no_overlap(log, GAP)


def test_a_report_from_the_past_still_waits_for_the_zone() -> None:
    # A call processed late (its moment earlier than the zone's last call) never jumps the queue.
    arbiter = Arbiter(GAP)
    late = call(arbiter, "lantai-1-a", 1, 1, T0 + s(10))
    early = call(arbiter, "lantai-1-a", 2, 2, T0)
    assert early.starts_at == late.ends_at + GAP
    assert_no_overlap(arbiter.log("lantai-1-a"), GAP)


def test_a_zero_gap_still_never_overlaps() -> None:
    arbiter = Arbiter(dt.timedelta(0))
    for n in range(1, 20):
        call(arbiter, "z", n, 1 + n % 5, T0)
    assert_no_overlap(arbiter.log("z"), dt.timedelta(0))


def test_staleness_is_measured_from_the_start() -> None:
    entry = announce(
        zone="z",
        ticket_id="t",
        number="A-001",
        counter=1,
        text=words("A-001", 1),
        kind=Kind.CALL,
        now=T0,
        last_end=None,
        gap=GAP,
    )
    assert not entry.is_stale(T0 + s(30), s(30))
    assert entry.is_stale(T0 + s(30.001), s(30))
    assert entry.seq == 0  # numbered by the log that keeps it
    assert entry.ends_at == T0 + entry.duration


# ---- timed by the voice pack ----

CLIPS = {CHIME: 1.3, "nomor": 0.5, "antrean": 0.6, "a": 0.3, "nol": 0.4, "satu": 0.45, "dua": 0.4}
CLIPS |= {"silakan": 0.7, "menuju": 0.6, "loket": 0.5, "tiga": 0.45}


def test_a_call_lasts_as_long_as_its_clips_back_to_back() -> None:
    # chime + nomor antrean A nol satu dua + pause + silakan menuju loket tiga
    expected = 1.3 + 0.5 + 0.6 + 0.3 + 0.4 + 0.45 + 0.4 + 0.25 + 0.7 + 0.6 + 0.5 + 0.45
    assert spoken_duration(tokens("A-012", 3), CLIPS, 0.25) == pytest.approx(s(expected), abs=s(1e-6))
    assert spoken_duration([CHIME, PAUSE, PAUSE], CLIPS, 0.25) == s(1.8)
    assert spoken_duration([], CLIPS, 0.25) == s(0)


def test_a_missing_clip_leaves_the_timing_to_the_estimate() -> None:
    assert spoken_duration(tokens("A-012", 5), CLIPS, 0.25) is None  # no "lima"
    entry = announce(
        zone="z", ticket_id="t", number="A-012", counter=5, text=words("A-012", 5), kind=Kind.CALL,
        now=T0, last_end=None, gap=GAP, duration=spoken_duration(tokens("A-012", 5), CLIPS, 0.25),
    )  # fmt: skip
    assert entry.duration == estimate_duration(words("A-012", 5))


def test_the_pack_s_timing_makes_the_slots() -> None:
    arbiter = Arbiter(GAP)
    length = spoken_duration(tokens("A-012", 3), CLIPS, 0.25)
    first = arbiter.add(
        zone="z", ticket_id="t1", number="A-012", counter=3, text=words("A-012", 3), kind=Kind.CALL,
        now=T0, duration=length,
    )  # fmt: skip
    second = arbiter.add(
        zone="z", ticket_id="t2", number="A-012", counter=3, text=words("A-012", 3), kind=Kind.RECALL,
        now=T0, duration=length,
    )  # fmt: skip
    assert first.duration == length and second.starts_at == T0 + length + GAP
    assert first.tokens == tuple(tokens("A-012", 3))
