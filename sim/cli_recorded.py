"""``python -m sim calibrate|export``: the twin fitted to what the hall recorded.

``export`` writes the hall's events of some days from JetStream to a JSON-lines file (see
:mod:`sim.recorded`); ``calibrate`` fits a demand file to events read from JetStream or from such
a file. The fitted file is an ordinary demand file: ``python -m sim day|compare|staff|cutoff``
replay it, with whatever changes their options make (see docs/calibrate.md).
"""

from __future__ import annotations

import argparse
import asyncio
import datetime as dt
import os
import sys
from pathlib import Path

from antre.events import hall_subjects, meta_of, subject_filter
from antre.hall.load import HallError, load_hall
from antre.hall.model import WEEKDAYS, Hall
from sim import cli_args
from sim.calibrate import calibrate
from sim.demand import DemandError, load_demand
from sim.demand_file import dump_demand
from sim.recorded import Recorded, RecordedError, day_start, load_export, messages, read_stream, write_export
from sim.stats import estimate

BOOKING_LOOKBACK = dt.timedelta(days=60)  # a check-in's slot is in its booking, made days before


def add_parsers(sub: argparse._SubParsersAction[cli_args.Parser]) -> None:
    for name, help_ in (
        ("calibrate", "sesuaikan permintaan dengan kejadian tercatat / fit a demand file to recorded events"),
        ("export", "ekspor kejadian dari JetStream ke JSON lines / export events from JetStream"),
    ):
        c = sub.add_parser(name, help=help_)
        source = c.add_mutually_exclusive_group(required=True)
        source.add_argument("--nats", help="NATS URL of the hall's JetStream")
        if name == "calibrate":
            source.add_argument("--events", type=Path, help="an export file (JSON lines)")
        c.add_argument("--hall", type=Path, default=Path("examples/kendari.yaml"), help="the hall file")
        c.add_argument("--hall-id", help="the hall id on the stream (default: the hall file's)")
        c.add_argument("--since", type=cli_args.date, help="first hall day (default: yesterday)")
        c.add_argument("--until", type=cli_args.date, help="last hall day, included (default: --since)")
        c.add_argument("-o", "--output", type=Path, required=True)
        if name == "calibrate":
            c.add_argument("--service-time", choices=("lognormal", "empirical"), default="lognormal")
            c.add_argument(
                "--from-call",
                action="store_true",
                help="service time from the call, not from serving started",
            )


def run(args: argparse.Namespace) -> int:
    try:
        hall = load_hall(args.hall)
    except HallError as exc:
        print(exc, file=sys.stderr)
        return 2
    hall_id = args.hall_id or hall.id
    if hall_id != hall.id:
        print(
            f"berkas aula {args.hall} untuk {hall.id!r}, bukan {hall_id!r} / the hall file is "
            f"{hall.id!r}'s, not {hall_id!r}'s",
            file=sys.stderr,
        )
        return 2
    since, until = args.since, args.until
    if args.nats:
        since = since or hall.day_of(dt.datetime.now(dt.UTC)) - dt.timedelta(days=1)
        until = until or since
    if since and until and until < since:
        print("--until sebelum --since / --until is before --since", file=sys.stderr)
        return 2
    try:
        if args.command == "export":
            return _export(args, hall, hall_id, since, until)
        return _calibrate(args, hall, hall_id, since, until)
    except (RecordedError, DemandError, ValueError, OSError) as exc:
        print(exc, file=sys.stderr)
        return 2


def _fetch(url: str, hall: Hall, hall_id: str, since: dt.date, until: dt.date) -> list[Recorded]:
    start = day_start(since, hall.timezone)
    end = day_start(until + dt.timedelta(days=1), hall.timezone)
    reads = [
        (subject_filter(hall_id, "booking.>"), start - BOOKING_LOOKBACK),
        (hall_subjects(hall_id), start),
    ]
    events, skipped = asyncio.run(read_stream(url, hall_id, reads))
    if skipped:
        print(f"{skipped} pesan tidak terbaca dilewati / unreadable messages skipped", file=sys.stderr)
    # Events published after the window (the outbox may publish late) count by when they happened.
    return [e for e in events if meta_of(e.message).occurred_at.ToDatetime(tzinfo=dt.UTC) < end]


def _export(args: argparse.Namespace, hall: Hall, hall_id: str, since: dt.date, until: dt.date) -> int:
    n = write_export(_fetch(args.nats, hall, hall_id, since, until), args.output)
    print(f"{n} kejadian / events -> {args.output}")
    return 0


def _calibrate(
    args: argparse.Namespace, hall: Hall, hall_id: str, since: dt.date | None, until: dt.date | None
) -> int:
    if args.nats:
        assert since is not None and until is not None
        events = list(messages(_fetch(args.nats, hall, hall_id, since, until)))
        source = f"JetStream {args.nats}, hall {hall_id}"
    else:
        events = load_export(args.events)
        source = str(args.events)
    hall_path = os.path.relpath(args.hall.resolve(), args.output.resolve().parent)
    fit = calibrate(
        events,
        hall,
        hall_path,
        since,
        until,
        service_time=args.service_time,
        measure="call" if args.from_call else "serving",
    )
    header = [
        f"Demand for {hall.name} calibrated from the events it recorded ({source}),",
        f"hall days {fit.days[0]} .. {fit.days[-1]}, by `python -m sim calibrate`.",
        "Catatan / notes:",
        *(f"- {note}" for note in fit.notes),
    ]
    args.output.write_text(dump_demand(fit.demand, header, fit.comments), encoding="utf-8")
    load_demand(args.output)  # what was written must load: the replay commands read it
    print(f"{args.output}: {len(fit.demand.services)} layanan / services, {len(fit.days)} hari / days")
    for note in fit.notes:
        print(f"  - {note}")
    print("tunggu rata-rata tercatat / recorded mean wait (min, over days, 95% CI):")
    for agency, days in fit.waits.items():
        e = estimate(list(days.values()))
        ci = "" if e.n < 2 else f" ± {e.half_width:.1f}"
        print(f"  {agency:<12} {e.mean:6.1f}{ci}  ({e.n} days)")
    last = fit.days[-1]
    print(f"ulang / replay: python -m sim day {args.output} --date {last}   ({WEEKDAYS[last.weekday()]})")
    return 0
