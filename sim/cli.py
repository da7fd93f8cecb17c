"""``python -m sim day|compare|staff|cutoff DEMAND.yaml``: the twin's questions from a shell;
``python -m sim calibrate|export``: a demand file from the hall's recorded events (:mod:`sim.cli_recorded`).

Each command prints a terminal summary; ``--json FILE`` (``-`` for stdout) writes the figures for
machines and ``--html FILE`` a self-contained report. Waits are minutes, each figure a mean over
replications with its 95% confidence interval half width.
"""

from __future__ import annotations

import argparse
import dataclasses
import datetime as dt
import json
import sys
from collections.abc import Sequence
from pathlib import Path

from antre.hall.load import HallError
from antre.hall.model import Hall
from sim import cli_args, cli_recorded, report
from sim.demand import Demand, DemandError, load_demand
from sim.model import BLENDS, DISPATCHES, Scenario
from sim.progress import ProgressLine
from sim.questions import compare, cutoff, default_scenarios, scenario_named, staff
from sim.runner import next_weekday, replicate
from sim.stats import Estimate, summarise


def _parser() -> argparse.ArgumentParser:
    p = cli_args.Parser(prog="python -m sim", description="Antre's digital twin / kembaran digital")
    sub = p.add_subparsers(dest="command", required=True)
    for name, help_ in (
        ("day", "bagaimana hari ini berjalan / how does this day go"),
        ("compare", "bandingkan kebijakan / compare policies on common random numbers"),
        ("staff", "loket paling sedikit per jam / fewest counters per agency and hour"),
        ("cutoff", "jam terakhir ambil nomor / latest issuing time"),
    ):
        c = sub.add_parser(name, help=help_)
        c.add_argument("demand", type=Path, help="demand file (YAML)")
        c.add_argument(
            "--weekday",
            type=cli_args.weekday,
            default="monday",
            help="simulated weekday, monday..sunday or senin..minggu (default monday)",
        )
        c.add_argument("--date", type=cli_args.date, help="a date (YYYY-MM-DD) instead of --weekday")
        c.add_argument("--replications", "-n", type=cli_args.replications, default=40, help="at least 1")
        c.add_argument("--seed", type=int, default=2026)
        c.add_argument("--jobs", type=cli_args.jobs, default=0, help="worker processes (0: one per core)")
        c.add_argument("--dispatch", choices=DISPATCHES, help="override the hall's")
        c.add_argument("--blend", choices=BLENDS, help="override every bookable service's booking.blend")
        c.add_argument("--json", dest="json_out", help="write figures as JSON to FILE ('-': stdout)")
        c.add_argument("--html", dest="html_out", type=Path, help="write a self-contained HTML report")
        if name == "compare":
            c.add_argument(
                "--policies", nargs="*", help="dispatch+blend pairs, e.g. fifo+check_in priority_lane+ratio"
            )
        if name == "staff":
            c.add_argument("--target", type=cli_args.minutes, default=30.0, help="p90 wait target, minutes")
        if name == "cutoff":
            c.add_argument(
                "--level", type=cli_args.likelihood, default=0.9, help="likelihood of being called (0-1)"
            )
    cli_recorded.add_parsers(sub)
    return p


def _json(summary: dict[str, Estimate]) -> dict[str, object]:
    return {k: v.as_dict() for k, v in summary.items()}


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command in ("calibrate", "export"):
        return cli_recorded.run(args)
    try:
        demand, hall = load_demand(args.demand)
    except (DemandError, HallError) as exc:
        print(exc, file=sys.stderr)
        return 2
    except (OSError, UnicodeDecodeError) as exc:
        print(cli_args.file_problem(exc, args.demand), file=sys.stderr)
        return 2
    day = args.date or next_weekday(args.weekday)
    problem = cli_args.closed_problem(hall, day) or next(
        filter(None, map(cli_args.output_problem, (args.json_out, args.html_out))), None
    )
    if problem:
        print(problem, file=sys.stderr)
        return 2
    with ProgressLine(args.command) as bar:
        return _answer(args, demand, hall, day, bar)


def _answer(args: argparse.Namespace, demand: Demand, hall: Hall, day: dt.date, bar: ProgressLine) -> int:
    """Run the command, then (the progress line wiped) print and write what it found."""
    base = Scenario(dispatch=args.dispatch, blend=args.blend)
    intro = (
        f"{hall.name}, {day.isoformat()} ({cli_args.HARI[day.weekday()]} / {day:%A}); {args.replications} "
        f"replikasi / replications, seed {args.seed}."
    )
    out: dict[str, object] = {"hall": hall.id, "date": day.isoformat(), "replications": args.replications}
    sections: list[tuple[str, str]] = []
    if args.command == "day":
        runs = replicate(hall, demand, day, [base], args.replications, args.seed, args.jobs, bar)
        bar.close()
        summary = summarise(runs[0])
        print(report.table(summary))
        out["figures"] = _json(summary)
        sections = report.day_sections(summary)
    elif args.command == "compare":
        scenarios = default_scenarios()
        if args.policies:
            try:
                scenarios = [scenario_named(p) for p in args.policies]
            except ValueError as exc:
                print(exc, file=sys.stderr)
                return 2
        result = compare(hall, demand, day, scenarios, args.replications, args.seed, args.jobs, bar)
        bar.close()
        heads = ("tunggu rata-rata", "tunggu p90", "pergi", "lama di aula")
        units = ("menit / min", "menit / min", "orang / people", "menit / min")
        lines = [
            f"{'kebijakan / policy':<30}" + "".join(f"{h:>18}" for h in heads),
            f"{'':<30}" + "".join(f"{u:>18}" for u in units),
        ]
        for s, summary in zip(result.scenarios, result.summaries, strict=True):
            cells = [report.fmt(summary.get(k)) for k in ("hall|all|wait_mean", "hall|all|wait_p90")]
            cells += [report.fmt(summary.get(k)) for k in ("hall|all|reneged", "hall|all|stay_mean")]
            lines.append(f"{s.name:<30}" + "".join(f"{c:>18}" for c in cells))
        lines.append(
            f"\nselisih tunggu rata-rata terhadap / mean wait's difference to {result.scenarios[0].name} "
            "(menit / min; berpasangan / paired, CRN):"
        )
        differences = result.differences["hall|all|wait_mean"]
        for s, diff in zip(result.scenarios[1:], differences, strict=True):
            lines.append(f"  {s.name:<28} {report.fmt(diff)}")
        print("\n".join(lines))
        out["scenarios"] = {s.name: _json(m) for s, m in zip(result.scenarios, result.summaries, strict=True)}
        out["differences"] = {
            k: {s.name: d.as_dict() for s, d in zip(result.scenarios[1:], ds, strict=True)}
            for k, ds in result.differences.items()
        }
        labels = [s.name for s in result.scenarios]
        rows = [
            (s.name, m, d)
            for s, m, d in zip(result.scenarios, result.summaries, (None, *differences), strict=True)
        ]
        sections = [("Perbandingan / comparison", report.compare_table(rows, labels[0]))]
        for key, title in (
            ("hall|all|wait_mean", "Tunggu rata-rata / mean wait"),
            ("hall|all|wait_p90", f"{report.P90[0]} / {report.P90[1]}"),
        ):
            sections.append((title, report.chart_compare(labels, [m[key] for m in result.summaries], title)))
    elif args.command == "staff":
        plan = staff(hall, demand, day, args.target, args.replications, args.seed, base, args.jobs, bar)
        bar.close()
        hours = sorted({h for p in plan.plan.values() for h in p})
        lines = [
            f"loket buka per jam, target p90 <= {plan.target_minutes:g} menit / counters open per hour, "
            f"target p90 <= {plan.target_minutes:g} min",
            f"{'agency':<12}" + "".join(f"{h:>4}" for h in hours),
        ]
        for agency, per_hour in plan.plan.items():
            order = " ".join(map(str, plan.order[agency]))
            lines.append(
                f"{agency:<12}"
                + "".join(f"{per_hour[h]:>4}" for h in hours)
                + f"  / {plan.available[agency]}  urutan buka / opening order {order}"
            )
            if plan.unreachable[agency]:
                lines.append(f"{'':<12}tidak tercapai / unreachable at {plan.unreachable[agency]}")
        text = "\n".join(lines)
        print(text + "\n\n" + report.table(plan.summary))
        out["plan"] = plan.plan
        out["order"] = plan.order
        out["unreachable"] = plan.unreachable
        out["figures"] = _json(plan.summary)
        table = report.staff_table(
            plan.plan, plan.available, plan.order, plan.unreachable, plan.target_minutes
        )
        sections = [("Rencana loket / staffing plan", table), *report.day_sections(plan.summary)]
    else:
        limit = cutoff(hall, demand, day, args.replications, args.seed, args.level, base=base, progress=bar)
        bar.close()
        lines = [
            f"tutup / close {limit.close}; "
            f"P(dipanggil sebelum tutup / called before closing) >= {limit.level}"
        ]
        lines += [f"  {a:<12} {t or '-'}" for a, t in sorted(limit.latest.items())]
        print("\n".join(lines))
        out |= dataclasses.asdict(limit)
        table = report.cutoff_table(limit.latest, limit.close, limit.level)
        sections = [("Batas ambil nomor / cutoff", table)]
    if args.json_out:
        text = json.dumps(out, indent=1, ensure_ascii=False)
        if args.json_out == "-":
            print(text)
        else:
            Path(args.json_out).write_text(text, encoding="utf-8")
    if args.html_out:
        args.html_out.write_text(report.page(f"Simulasi {hall.name}", intro, sections), encoding="utf-8")
        print(f"laporan / report: {args.html_out}", file=sys.stderr)
    return 0
