"""The hall's IKM of the month so far for the boards, on SQLite and PostgreSQL: published as
skm.index on the first look and then only when the month, the responses or the index changed
(last month's responses never count), and once however many replicas look at the same moment."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest
from prometheus_client import CollectorRegistry

from antre.hall.model import Hall
from antre.uow import UnitOfWork
from antre.v1 import events_pb2 as pb
from services.reports import handlers
from services.reports.adapters.tables import outbox
from services.reports.bootstrap import MIGRATIONS
from services.reports.domain.skm_form import Respondent
from services.reports.handlers import skm_index
from services.reports.handlers import surveys as survey
from services.reports.metrics import Metrics
from tests.integration.reports.conftest import NOW
from tests.support.replicas import Clock, published, together, two_engines
from tests.support.survey_visits import record_visit

WINDOW = dt.timedelta(minutes=30)


def answered(deps: handlers.Deps, scores: tuple[int, ...], finished: dt.datetime) -> None:
    ticket_id, _ = record_visit(deps, "ktp-el", 1, finished)
    survey.answer(deps, ticket_id, {f"u{i + 1}": s for i, s in enumerate(scores)}, Respondent(), WINDOW)


def indexes(deps: handlers.Deps) -> list[pb.SkmIndexComputed]:
    return [event for _, event in published(deps.uow.engine, outbox, pb.SkmIndexComputed)]


def test_the_months_index_is_published_when_it_changed(deps: handlers.Deps) -> None:
    clock = Clock(NOW)  # 08:00 WITA, 11 March
    deps.uow.clock = clock
    first = skm_index.publish_month(deps)
    assert first is not None and (first.month, first.responses, first.ikm, first.grade) == (
        "2026-03",
        0,
        0,
        "",
    )
    assert first.meta.agency == "_hall"
    assert skm_index.publish_month(deps) is None  # nothing changed

    clock.now = dt.datetime(2026, 2, 28, 6, 0, tzinfo=dt.UTC)  # February's answer counts nowhere here
    answered(deps, (1,) * 9, clock.now - dt.timedelta(minutes=5))
    clock.now = NOW
    answered(deps, (4, 4, 3, 4, 3, 3, 4, 3, 4), NOW - dt.timedelta(minutes=20))
    answered(deps, (3, 3, 3, 4, 3, 3, 3, 2, 3), NOW - dt.timedelta(minutes=10))
    march = skm_index.publish_month(deps)
    # (32 + 27) / 18 x 25 = 81.944... -> 81.94, B
    assert march is not None and (march.month, march.responses, march.ikm, march.grade) == (
        "2026-03",
        2,
        81.94,
        "B",
    )
    clock.advance(600)
    assert skm_index.publish_month(deps) is None

    clock.now = dt.datetime(2026, 3, 31, 16, 0, tzinfo=dt.UTC)  # 1 April, 00:00 WITA: a new month
    april = skm_index.publish_month(deps)
    assert april is not None and (april.month, april.responses, april.grade) == ("2026-04", 0, "")
    assert [(e.month, e.responses) for e in indexes(deps)] == [("2026-03", 0), ("2026-03", 2), ("2026-04", 0)]


@pytest.fixture
def replicas(backend: str, tmp_path: Path, kendari: Hall) -> Iterator[list[handlers.Deps]]:
    with two_engines(backend, tmp_path, MIGRATIONS) as engines:
        yield [
            handlers.Deps(
                hall=kendari,
                uow=UnitOfWork(engine, outbox, lambda: NOW),
                metrics=Metrics(CollectorRegistry()),
            )
            for engine in engines
        ]


def test_replicas_publish_a_change_once(replicas: list[handlers.Deps]) -> None:
    one, two = replicas
    answered(one, (4,) * 9, NOW - dt.timedelta(minutes=5))
    done = together([lambda deps=deps: skm_index.publish_month(deps) for deps in replicas * 4])
    assert sum(event is not None for event in done) == 1
    [event] = indexes(one)
    assert (event.responses, event.ikm, event.grade) == (1, 100.0, "A")
    answered(two, (3,) * 9, NOW - dt.timedelta(minutes=4))
    done = together([lambda deps=deps: skm_index.publish_month(deps) for deps in replicas * 4])
    assert sum(event is not None for event in done) == 1
    assert [(e.responses, e.ikm) for e in indexes(one)] == [(1, 100.0), (2, 87.5)]
