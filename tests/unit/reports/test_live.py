"""The live hall from hand-built legs and counters: queue length, longest wait, today's p90 by
nearest rank, colour levels at their boundaries, and each alert on and off."""

from __future__ import annotations

import datetime as dt

import pytest

from antre.hall.model import Counter, Service
from services.reports.domain import live
from services.reports.domain.live import LegNow
from services.reports.domain.stations import Station

NOW = dt.datetime(2026, 3, 11, 2, 0, tzinfo=dt.UTC)  # 10:00 WITA
DAY = dt.date(2026, 3, 11)
KTP = Service("ktp-el", "KTP Elektronik", "dukcapil", "A", name_en="Electronic ID card", target_minutes=10)
KK = Service("kartu-keluarga", "Kartu Keluarga", "dukcapil", "B", name_en="Family card", target_minutes=15)
SERVICES = (KTP, KK)
COUNTERS = (
    Counter(1, "Loket 1", "lantai-1-a", ("ktp-el",)),
    Counter(2, "Loket 2", "lantai-1-a", ("kartu-keluarga",)),
)


def ago(seconds: float) -> dt.datetime:
    return NOW - dt.timedelta(seconds=seconds)


def waiting(service: str, since: float) -> LegNow:
    return LegNow(service, "waiting", ago(since), None)


def called(service: str, wait: int, outcome: str = "served") -> LegNow:
    return LegNow(service, outcome, ago(3600), wait)


def open_counter(number: int, since: float, services: tuple[str, ...] = ()) -> Station:
    return Station(number, "open", "siti", "", services, ago(since))


def holding(number: int, service: str, state: str, since: float) -> Station:
    return Station(
        number, "open", "siti", "", (service,), ago(3600), "t1", "A-007", service, state, ago(since)
    )


def hall(
    legs: list[LegNow],
    stations: dict[int, Station] | None = None,
    last_free: dict[int, dt.datetime] | None = None,
    idle_minutes: float = 3,
) -> live.HallNow:
    return live.hall_now(SERVICES, COUNTERS, legs, stations or {}, last_free or {}, DAY, NOW, idle_minutes)


def service(now: live.HallNow, code: str) -> live.ServiceNow:
    return next(s for s in now.services if s.code == code)


def codes(now: live.HallNow) -> list[str]:
    return [a.key for a in now.alerts]


# ---- services ----


def test_queue_length_longest_wait_served_and_p90() -> None:
    legs = [
        waiting("ktp-el", 300),
        waiting("ktp-el", 120.9),
        *(called("ktp-el", w) for w in (60, 120, 30)),
        called("ktp-el", 500, outcome="no_show"),  # called: counts in the waits, not as served
        waiting("kartu-keluarga", 10),
    ]
    ktp = service(hall(legs), "ktp-el")
    assert (ktp.waiting, ktp.longest_wait_seconds, ktp.served, ktp.called) == (2, 300, 3, 4)
    assert ktp.p90_wait_seconds == 500  # rank ceil(0.9 x 4) = 4 of 30, 60, 120, 500
    assert service(hall(legs), "kartu-keluarga").waiting == 1


def test_a_service_nobody_came_for() -> None:
    ktp = service(hall([]), "ktp-el")
    assert (ktp.waiting, ktp.longest_wait_seconds, ktp.p90_wait_seconds, ktp.served) == (0, None, None, 0)
    assert ktp.level == "ok"


@pytest.mark.parametrize(
    ("values", "p90"),
    [([7], 7), (list(range(1, 11)), 9), (list(range(1, 12)), 10), (list(range(20, 0, -1)), 18), ([], None)],
)
def test_p90_is_the_nearest_rank(values: list[int], p90: int | None) -> None:
    assert live.nearest_rank(values, 90) == p90


@pytest.mark.parametrize(
    ("seconds", "level"),
    [(0, "ok"), (479, "ok"), (480, "warn"), (600, "warn"), (601, "over")],
)
def test_levels_against_a_ten_minute_standard(seconds: int, level: str) -> None:
    assert live.level(seconds, 10) == level


def test_a_service_takes_the_worse_of_its_longest_and_p90() -> None:
    assert service(hall([waiting("ktp-el", 480), called("ktp-el", 10)]), "ktp-el").level == "warn"
    assert service(hall([waiting("ktp-el", 10), called("ktp-el", 601)]), "ktp-el").level == "over"
    assert service(hall([waiting("ktp-el", 479), called("ktp-el", 479)]), "ktp-el").level == "ok"


# ---- counters ----


def test_counters_as_they_stand() -> None:
    paused = Station(2, "paused", "budi", "istirahat", ("kartu-keluarga",), ago(600))
    now = hall([], {1: holding(1, "ktp-el", "serving", 480), 2: paused})
    one, two = now.counters
    assert one.ticket == live.TicketNow("A-007", "ktp-el", "serving", 480, "warn")
    assert one.idle_seconds is None and one.state_seconds == 3600
    assert (two.state, two.officer, two.reason, two.state_seconds, two.ticket) == (
        "paused",
        "budi",
        "istirahat",
        600,
        None,
    )


def test_a_counter_missing_from_the_record_is_closed() -> None:
    one = hall([]).counters[0]
    assert (one.state, one.officer, one.services, one.state_seconds, one.idle_seconds) == (
        "closed",
        "",
        ("ktp-el",),
        None,
        None,
    )


def test_a_called_ticket_has_no_level_against_the_standard() -> None:
    one = hall([], {1: holding(1, "ktp-el", "called", 5000)}).counters[0]
    assert one.ticket is not None and (one.ticket.state, one.ticket.level) == ("called", "ok")


# ---- alerts ----


def test_an_idle_counter_while_its_queue_waits() -> None:
    queue = [waiting("ktp-el", 60)]
    assert codes(hall(queue, {1: open_counter(1, 181)})) == ["counter_idle:1"]
    assert codes(hall(queue, {1: open_counter(1, 180)})) == []  # "more than" three minutes
    assert codes(hall([], {1: open_counter(1, 900)})) == []  # nobody waits for it
    assert codes(hall([waiting("kartu-keluarga", 60)], {1: open_counter(1, 900)})) == []  # not its queue
    assert codes(hall(queue, {1: open_counter(1, 900)}, idle_minutes=20)) == []
    assert codes(hall(queue, {1: holding(1, "ktp-el", "called", 900)})) == []
    [one] = hall(queue, {1: open_counter(1, 181)}).alerts
    assert one.message_en.endswith("for 3 min 1 s while 1 person waits for its services")


def test_idle_counts_from_the_last_citizen_let_go() -> None:
    queue = [waiting("ktp-el", 60)]
    assert codes(hall(queue, {1: open_counter(1, 900)}, {1: ago(100)})) == []
    now = hall(queue, {1: open_counter(1, 900)}, {1: ago(200)})
    assert now.counters[0].idle_seconds == 200 and codes(now) == ["counter_idle:1"]
    assert codes(hall(queue, {1: open_counter(1, 200)}, {1: ago(5000)})) == ["counter_idle:1"]


def test_a_paused_or_closed_counter_is_not_idle() -> None:
    queue = [waiting("ktp-el", 60)]
    paused = Station(1, "paused", "siti", "istirahat", ("ktp-el",), ago(900))
    assert codes(hall(queue, {1: paused})) == []
    assert codes(hall(queue, {1: Station(1, "closed", since=ago(900))})) == []


def test_the_idle_alert_speaks_both_languages() -> None:
    [alert] = hall([waiting("ktp-el", 60)] * 4, {1: open_counter(1, 330)}).alerts
    assert (alert.code, alert.level, alert.counter) == ("counter_idle", "warn", 1)
    assert alert.message == (
        "Loket 1 buka tanpa melayani selama 5 menit 30 detik, sementara 4 orang menunggu layanannya"
    )
    assert alert.message_en == (
        "Counter 1 has been open with nobody at it for 5 min 30 s while 4 people wait for its services"
    )


def test_a_wait_over_the_standard() -> None:
    assert codes(hall([waiting("ktp-el", 601)])) == ["wait_over_target:ktp-el"]
    assert codes(hall([waiting("ktp-el", 600), called("ktp-el", 600)])) == []  # at the standard
    assert codes(hall([called("ktp-el", 601), called("ktp-el", 10)])) == ["wait_over_target:ktp-el"]
    [alert] = hall([waiting("ktp-el", 660), called("ktp-el", 30)]).alerts
    assert (alert.level, alert.service, alert.counter) == ("over", "ktp-el", None)
    assert alert.message == (
        "Waktu tunggu KTP Elektronik melewati standar 10 menit: terlama 11 menit, p90 hari ini 30 detik"
    )
    assert alert.message_en == (
        "Waiting for Electronic ID card is over its 10 min standard: longest 11 min, today's p90 30 s"
    )
    [p90_only] = hall([called("ktp-el", 700)]).alerts
    assert "terlama" not in p90_only.message and "p90 hari ini 11 menit 40 detik" in p90_only.message


def test_one_citizen_served_for_more_than_twice_the_standard() -> None:
    assert codes(hall([], {1: holding(1, "ktp-el", "serving", 1201)})) == ["serving_long:1"]
    assert codes(hall([], {1: holding(1, "ktp-el", "serving", 1200)})) == []
    assert codes(hall([], {1: holding(1, "ktp-el", "called", 5000)})) == []  # called, not at the desk
    [alert] = hall([], {1: holding(1, "ktp-el", "serving", 1500)}).alerts
    assert (alert.level, alert.service, alert.counter) == ("over", "ktp-el", 1)
    assert alert.message == "Loket 1 melayani A-007 selama 25 menit, lebih dari dua kali standar 10 menit"
    assert alert.message_en == (
        "Counter 1 has been serving A-007 for 25 min, more than twice the 10 min standard"
    )


def test_only_what_was_given_is_counted() -> None:
    """The caller picks a supervisor's services and counters; legs of others are left out."""
    now = live.hall_now(
        (KTP,), COUNTERS[:1], [waiting("ktp-el", 700), waiting("skck", 9000)], {}, {}, DAY, NOW, 3
    )
    assert [s.code for s in now.services] == ["ktp-el"] and [c.number for c in now.counters] == [1]
    assert codes(now) == ["wait_over_target:ktp-el"]
    assert (now.day, now.at) == (DAY, NOW)


# ---- the hall's devices ----

WITA = dt.timezone(dt.timedelta(hours=8))


def device(
    kind: str, name: str, silent: bool = False, sound: bool = True, seen: str = "10:42"
) -> live.DeviceNow:
    hour, minute = (int(part) for part in seen.split(":"))
    return live.DeviceNow(kind, name, silent, sound, dt.datetime(2026, 3, 11, hour, minute, tzinfo=WITA))


def test_a_device_that_stopped_reporting_in_both_languages() -> None:
    now = live.hall_now(
        SERVICES, COUNTERS, [], {}, {}, DAY, NOW, 3, [device("kiosk", "kiosk-1", silent=True)]
    )
    [alert] = now.alerts
    assert (alert.code, alert.key, alert.level, alert.device) == (
        "device_silent",
        "device_silent:kiosk:kiosk-1",
        "over",
        "kiosk-1",
    )
    assert alert.message == "Kios kiosk-1 tidak melapor sejak 10:42"
    assert alert.message_en == "Kiosk kiosk-1 has not reported since 10:42"
    [board] = live.device_alerts([device("board", "papan-1", silent=True)], DAY)
    assert board.message == "Papan papan-1 tidak melapor sejak 10:42"
    assert board.message_en == "Board papan-1 has not reported since 10:42"


def test_a_device_silent_since_an_earlier_day_names_the_day() -> None:
    evening = live.DeviceNow("kiosk", "kiosk-2", True, True, dt.datetime(2026, 3, 10, 17, 2, tzinfo=WITA))
    [alert] = live.device_alerts([evening], DAY)
    assert alert.message == "Kios kiosk-2 tidak melapor sejak 10-03-2026 17:02"


def test_a_speaker_board_that_cannot_be_heard() -> None:
    [alert] = live.device_alerts([device("board", "papan-lantai-1-a", sound=False)], DAY)
    assert (alert.code, alert.key, alert.level) == (
        "board_no_sound",
        "board_no_sound:papan-lantai-1-a",
        "warn",
    )
    assert alert.message.startswith("Papan papan-lantai-1-a tidak bisa bersuara")
    assert alert.message_en.startswith("Board papan-lantai-1-a cannot speak")
    # A silent board's sound is not known: one alert, that it stopped reporting.
    [silent] = live.device_alerts([device("board", "papan-1", silent=True, sound=False)], DAY)
    assert silent.code == "device_silent"


def test_devices_that_report_have_no_alert() -> None:
    fine = [device("kiosk", "kiosk-1"), device("board", "papan-1"), device("kiosk", "kiosk-2", sound=False)]
    assert live.device_alerts(fine, DAY) == []
    assert hall([]).alerts == ()  # none given: a view of one agency
