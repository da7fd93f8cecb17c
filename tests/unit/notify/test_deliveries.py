"""Deliveries: the retry schedule, giving up, success, and who hears which event. Pure."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from services.notify.domain.deliveries import (
    Delivery,
    State,
    after_failure,
    after_success,
    dropped,
    is_due,
    new_delivery,
    next_attempt,
    postponed,
    subscribers,
    wanted_events,
)

T0 = dt.datetime(2026, 3, 2, 1, 15, tzinfo=dt.UTC)


def delivery(now: dt.datetime = T0) -> Delivery:
    return new_delivery(
        delivery_id="d1",
        event_id="e1",
        event="ticket.called",
        url="https://hooks.example/antre",
        subject="antre.kendari.dukcapil.ticket.called",
        payload="{}",
        now=now,
    )


@dataclass(frozen=True)
class Hook:
    url: str
    events: tuple[str, ...] = ("ticket.called",)
    agency: str = ""


def test_backoff_doubles_from_one_second_and_stops_at_five_minutes() -> None:
    delays = [(next_attempt(n, T0) - T0).total_seconds() for n in range(1, 13)]

    assert delays == [1, 2, 4, 8, 16, 32, 64, 128, 256, 300, 300, 300]


def test_no_failure_yet_means_now() -> None:
    assert next_attempt(0, T0) == T0


def test_backoff_survives_absurd_attempt_counts() -> None:
    assert next_attempt(10_000, T0) == T0 + dt.timedelta(minutes=5)


def test_backoff_base_and_cap_are_parameters() -> None:
    base, cap = dt.timedelta(seconds=10), dt.timedelta(seconds=60)

    delays = [(next_attempt(n, T0, base, cap) - T0).total_seconds() for n in range(1, 6)]

    assert delays == [10, 20, 40, 60, 60]


def test_a_new_delivery_is_due_at_once() -> None:
    d = delivery()

    assert (d.state, d.attempts, d.next_attempt_at) == (State.PENDING, 0, T0)
    assert is_due(d, T0)


def test_failure_counts_the_attempt_and_waits() -> None:
    later = T0 + dt.timedelta(seconds=3)

    d = after_failure(delivery(), later, "HTTP 500")

    assert (d.state, d.attempts, d.last_error) == (State.PENDING, 1, "HTTP 500")
    assert d.next_attempt_at == later + dt.timedelta(seconds=1)
    assert not is_due(d, later)
    assert is_due(d, later + dt.timedelta(seconds=1))


def test_failure_after_the_last_attempt_gives_up() -> None:
    d, now = delivery(), T0
    for _ in range(11):
        d = after_failure(d, now, "HTTP 503")
        now = d.next_attempt_at
    assert (d.state, d.attempts) == (State.PENDING, 11)

    d = after_failure(d, now, "ConnectError: refused")

    assert (d.state, d.attempts, d.last_error) == (State.FAILED, 12, "ConnectError: refused")
    assert not is_due(d, now + dt.timedelta(days=1))


def test_the_whole_schedule_spans_about_eighteen_minutes() -> None:
    d, now = delivery(), T0
    while d.state == State.PENDING:
        d = after_failure(d, now, "HTTP 500")
        now = d.next_attempt_at if d.state == State.PENDING else now

    assert d.attempts == 12
    assert now - T0 == dt.timedelta(seconds=1111)


def test_max_attempts_is_a_parameter() -> None:
    d = after_failure(after_failure(delivery(), T0, "x", max_attempts=2), T0, "x", max_attempts=2)

    assert (d.state, d.attempts) == (State.FAILED, 2)


def test_long_errors_are_cut() -> None:
    assert len(after_failure(delivery(), T0, "x" * 5000).last_error) == 500


def test_success_after_failures_clears_the_error() -> None:
    failed_once = after_failure(delivery(), T0, "HTTP 500")

    d = after_success(failed_once, T0 + dt.timedelta(seconds=1))

    assert (d.state, d.attempts, d.last_error) == (State.DELIVERED, 2, "")
    assert not is_due(d, T0 + dt.timedelta(days=1))


def test_subscribers_match_event_and_agency() -> None:
    every = Hook("https://a.example/")
    dukcapil = Hook("https://b.example/", ("ticket.called", "ticket.completed"), "dukcapil")
    samsat = Hook("https://c.example/", ("ticket.called",), "samsat")
    issued = Hook("https://d.example/", ("ticket.issued",))
    hooks = [every, dukcapil, samsat, issued]

    assert subscribers(hooks, "ticket.called", "dukcapil") == [every, dukcapil]
    assert subscribers(hooks, "ticket.completed", "dukcapil") == [dukcapil]
    assert subscribers(hooks, "ticket.completed", "samsat") == []


def test_a_url_listed_twice_hears_an_event_once() -> None:
    first = Hook("https://a.example/", ("ticket.called",), "dukcapil")
    second = Hook("https://a.example/", ("ticket.called", "ticket.issued"))

    assert subscribers([first, second], "ticket.called", "dukcapil") == [first]


def test_wanted_events_are_sorted_without_repeats() -> None:
    hooks = [Hook("u1", ("ticket.called", "ticket.issued")), Hook("u2", ("ticket.called",))]

    assert wanted_events(hooks) == ["ticket.called", "ticket.issued"]
    assert wanted_events([]) == []


def test_a_permanent_failure_gives_up_at_once() -> None:
    d = after_failure(delivery(), T0, "HTTP 400", permanent=True)

    assert (d.state, d.attempts, d.last_error) == (State.FAILED, 1, "HTTP 400")


def test_a_dropped_delivery_counts_no_attempt_and_is_never_due() -> None:
    d = dropped(delivery(), T0, "opted out")

    assert (d.state, d.attempts, d.last_error) == (State.DROPPED, 0, "opted out")
    assert not is_due(d, T0 + dt.timedelta(days=1))


def test_a_postponed_delivery_waits_without_counting_an_attempt() -> None:
    morning = T0 + dt.timedelta(hours=9)

    d = postponed(delivery(), morning, T0)

    assert (d.state, d.attempts, d.next_attempt_at) == (State.PENDING, 0, morning)
    assert not is_due(d, morning - dt.timedelta(seconds=1))


def test_a_new_delivery_may_be_due_later() -> None:
    morning = T0 + dt.timedelta(hours=9)

    d = new_delivery(
        delivery_id="d1",
        event_id="k",
        event="citizen.reminder",
        url="sms:bk-1",
        subject="job.reminder",
        payload="{}",
        now=T0,
        channel="sms",
        booking_id="bk-1",
        due=morning,
    )

    assert (d.next_attempt_at, d.created_at, d.channel, d.booking_id) == (morning, T0, "sms", "bk-1")
