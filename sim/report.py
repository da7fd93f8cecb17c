"""Reports people can read: a terminal table and a self-contained HTML page.

Charts are drawn by matplotlib (Agg, no display) into inline SVG, so the page needs no internet,
no CDN and no files beside it: it can be mailed to an agency head or opened in the hall offline.

The page is read by hall managers and agency heads, not statisticians: every column and axis says
what it counts in both languages and in which unit, hours run in clock order, and an interval
never reaches below zero (nobody waits minus five minutes).
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence
from dataclasses import dataclass

import matplotlib

matplotlib.use("Agg")  # before pyplot: never a window, also on a server without a display
import matplotlib.pyplot as plt
from matplotlib.figure import Figure as Chart

from sim.stats import Estimate

Summary = dict[str, Estimate]
MINUTES = ("menit", "minutes")
CITIZENS = ("orang per hari", "citizens a day")
P90 = ("Tunggu p90: 9 dari 10 warga menunggu paling lama ini", "p90 wait: 9 in 10 citizens wait at most this")


@dataclass(frozen=True)
class Figure:
    """A figure of the tables: its key's metric, a terminal header (Indonesian over English,
    each at most 16 characters) and the page's header in full, with its unit."""

    metric: str
    short: tuple[str, str]
    name: tuple[str, str]
    unit: tuple[str, str]
    percent: bool = False  # a share, shown as a percentage


FIGURES = (
    Figure("wait_mean", ("tunggu rata-rata", "mean wait"), ("Tunggu rata-rata", "Mean wait"), MINUTES),
    Figure(
        "wait_p90",
        ("tunggu p90", "p90 wait"),
        P90,
        MINUTES,
    ),
    Figure("wait_max", ("tunggu terlama", "longest wait"), ("Tunggu terlama", "Longest wait"), MINUTES),
    Figure("served", ("dilayani", "served"), ("Dilayani", "Served"), CITIZENS),
    Figure(
        "reneged",
        ("pergi", "left unserved"),
        ("Pergi sebelum dipanggil", "Left before being called"),
        CITIZENS,
    ),
    Figure(
        "no_show",
        ("tidak datang", "booked, absent"),
        ("Pemesan yang tidak datang", "Booked but did not come"),
        CITIZENS,
    ),
    Figure(
        "left_at_close",
        ("sisa saat tutup", "left at closing"),
        ("Masih menunggu saat tutup", "Still waiting at closing"),
        CITIZENS,
    ),
    Figure(
        "utilisation",
        ("utilisasi loket", "utilisation"),
        ("Loket sibuk melayani", "Counters busy serving"),
        ("% waktu buka", "% of open time"),
        percent=True,
    ),
)
UNIT_SHORT = {MINUTES: "menit / min", CITIZENS: "orang / people"}
SCOPES = {"agency": ("Instansi", "Agency"), "service": ("Layanan", "Service")}


def fmt(est: Estimate | None, digits: int = 1) -> str:
    if est is None or math.isnan(est.mean):
        return "-"
    ci = "" if math.isnan(est.half_width) else f"±{est.half_width:.{digits}f}"
    return f"{_number(est.mean, digits)}{ci}"


def _number(x: float, digits: int) -> str:
    text = f"{x:.{digits}f}"
    return text[1:] if text.startswith("-") and float(text) == 0 else text  # no "-0.0"


def _scaled(est: Estimate | None, figure: Figure) -> Estimate | None:
    if est is None or not figure.percent:
        return est
    return Estimate(est.mean * 100, est.half_width * 100, est.n)


def names(summary: Summary, scope: str) -> list[str]:
    return sorted({k.split("|")[1] for k in summary if k.startswith(scope + "|")})


def _rows(summary: Summary, scope: str) -> list[tuple[str, str]]:
    """(name shown, key prefix) per row: the agencies or services, then the whole hall."""
    rows = [(name, f"{scope}|{name}") for name in names(summary, scope)]
    return rows + ([("seluruh aula / whole hall", "hall|all")] if scope == "agency" else [])


def _figures(summary: Summary, rows: Sequence[tuple[str, str]]) -> list[Figure]:
    """The columns some row has (services have no utilisation: counters serve several)."""
    return [f for f in FIGURES if any(f"{key}|{f.metric}" in summary for _, key in rows)]


def table(summary: Summary, scope: str = "agency") -> str:
    """One line per agency (or service), each figure its mean ± 95% CI half width over the
    replications; the header names each column in both languages and its unit."""
    width = 17
    rows = _rows(summary, scope)
    figures = _figures(summary, rows)
    heads = [
        [SCOPES[scope][0].lower(), *(f.short[0] for f in figures)],
        [SCOPES[scope][1].lower(), *(f.short[1] for f in figures)],
        ["", *(UNIT_SHORT.get(f.unit, "%") for f in figures)],
    ]
    lines = [f"{row[0]:<26}" + "".join(f"{c:>{width}}" for c in row[1:]) for row in heads]
    lines.append("-" * len(lines[0]))
    for name, key in rows:
        cells = [fmt(_scaled(summary.get(f"{key}|{f.metric}"), f), 0 if f.percent else 1) for f in figures]
        lines.append(f"{name:<26}" + "".join(f"{c:>{width}}" for c in cells))
    return "\n".join(lines)


def cell(est: Estimate | None, digits: int = 1, top: float = math.inf) -> str:
    """A figure for the page: its mean, and under it the 95% interval clipped to what the figure
    can be (at least zero; a share at most 100 %)."""
    if est is None or math.isnan(est.mean):
        return "<td>-</td>"
    text = _number(est.mean, digits)
    if not math.isnan(est.half_width):
        low, high = max(0.0, est.low), min(top, est.high)
        text += f"<br><small>{low:.{digits}f}–{high:.{digits}f}</small>"
    return f"<td>{text}</td>"


def header(name: tuple[str, str], unit: tuple[str, str] | None = None) -> str:
    """A column's header: Bahasa Indonesia, then English (none where both read alike, as a
    clock time), then the unit in both."""
    text = html.escape(name[0]) + (f"<br><i lang='en'>{html.escape(name[1])}</i>" if name[1] else "")
    if unit:
        text += f"<br><small>({html.escape(unit[0])} / <i lang='en'>{html.escape(unit[1])}</i>)</small>"
    return f"<th scope='col'>{text}</th>"


def html_table(summary: Summary, scope: str = "agency") -> str:
    """:func:`table` for the page, with every header spelled out."""
    rows = _rows(summary, scope)
    figures = _figures(summary, rows)
    head = header(SCOPES[scope]) + "".join(header(f.name, f.unit) for f in figures)
    body = []
    for name, key in rows:
        cells = "".join(
            cell(_scaled(summary.get(f"{key}|{f.metric}"), f), *((0, 100.0) if f.percent else (1, math.inf)))
            for f in figures
        )
        body.append(f"<tr><th scope='row'>{html.escape(name)}</th>{cells}</tr>")
    return f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


INTERVALS = (
    "<p class='note'>Tiap angka: rata-rata atas semua replikasi; di bawahnya rentang kepercayaan 95%. "
    "<i lang='en'>Each figure: the mean over the replications; under it the 95% confidence interval.</i>"
    "</p>"
)


def _svg(fig: Chart) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return re.sub(r"^.*?(<svg)", r"\1", buf.getvalue(), flags=re.S)  # drop the XML prolog


def clock_hours(stamp: str) -> float:
    """``09`` or ``09:35`` as hours since midnight: the charts' x axis is the clock, so an hour
    only some agencies have (booked citizens checking in at 07:00) still falls in its place."""
    hours, _, minutes = stamp.partition(":")
    return int(hours) + (int(minutes) / 60 if minutes else 0.0)


def _series(summary: Summary, prefix: str, agency: str, metric: str) -> tuple[list[float], list[Estimate]]:
    pattern = re.compile(rf"^{prefix}\|{re.escape(agency)}@([0-9:]+)\|{metric}$")
    points = sorted((clock_hours(m.group(1)), est) for k, est in summary.items() if (m := pattern.match(k)))
    return [p[0] for p in points], [p[1] for p in points]


def band(ests: Sequence[Estimate]) -> tuple[list[float], list[float]]:
    """The 95% band around the means, clipped at zero: a count or a wait is never negative, even
    where few replications make the interval wide."""
    low = [max(0.0, e.low) if not math.isnan(e.half_width) else e.mean for e in ests]
    high = [e.high if not math.isnan(e.half_width) else e.mean for e in ests]
    return low, high


def chart_by_hour(
    summary: Summary, metric: str, title: str, prefix: str = "agency_hour", unit: tuple[str, str] = MINUTES
) -> str:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    seen: list[float] = []
    for agency in names(summary, "agency"):
        xs, ests = _series(summary, prefix, agency, metric)
        if not xs:
            continue
        seen += xs
        ax.plot(xs, [e.mean for e in ests], marker="o" if prefix == "agency_hour" else None, label=agency)
        ax.fill_between(xs, *band(ests), alpha=0.15)
    ax.set_title(title)
    if seen:
        ax.legend(fontsize=7, ncol=3)
        ticks = range(math.floor(min(seen)), math.ceil(max(seen)) + 1)
        ax.set_xticks(list(ticks), [f"{h:02d}:00" for h in ticks])
    ax.set_ylim(bottom=0)
    what = "jam datang / hour citizens arrived" if prefix == "agency_hour" else "jam / time of day"
    ax.set_xlabel(what)
    ax.set_ylabel(f"{unit[0]} / {unit[1]}")
    ax.grid(alpha=0.3)
    return _svg(fig)


def chart_counters(summary: Summary) -> str:
    counters = sorted(int(n) for n in names(summary, "counter"))
    ests = [summary[f"counter|{n}|utilisation"] for n in counters]
    means = [100 * e.mean for e in ests]
    below = [min(100 * _hw(e), m) for e, m in zip(ests, means, strict=True)]
    above = [min(100 * _hw(e), 100 - m) for e, m in zip(ests, means, strict=True)]
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.bar([str(n) for n in counters], means, yerr=[below, above], capsize=3)
    ax.set_ylim(0, 100)
    ax.set_title("Waktu loket sibuk melayani / share of open time a counter is serving")
    ax.set_xlabel("loket / counter")
    ax.set_ylabel("% waktu buka / % of open time")
    return _svg(fig)


def chart_compare(labels: Sequence[str], ests: Sequence[Estimate], title: str) -> str:
    means = [e.mean for e in ests]
    below = [min(_hw(e), max(m, 0.0)) for e, m in zip(ests, means, strict=True)]
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.barh(list(labels), means, xerr=[below, [_hw(e) for e in ests]], capsize=3)
    ax.set_title(title)
    ax.set_xlabel(f"{MINUTES[0]} / {MINUTES[1]}")
    return _svg(fig)


def _hw(e: Estimate) -> float:
    return 0.0 if math.isnan(e.half_width) else e.half_width


def day_sections(summary: Summary) -> list[tuple[str, str]]:
    return [
        ("Ringkasan per instansi / per agency", INTERVALS + html_table(summary)),
        ("Per layanan / per service", html_table(summary, "service")),
        (
            "Waktu tunggu per jam / waits per hour",
            chart_by_hour(summary, "wait_mean", "Tunggu rata-rata / mean wait")
            + chart_by_hour(summary, "wait_p90", f"{P90[0]} / {P90[1]}"),
        ),
        (
            "Panjang antrean / queue length",
            chart_by_hour(
                summary, "length", "Orang menunggu / citizens waiting", "queue", ("orang", "citizens")
            ),
        ),
        ("Loket sibuk / counters busy", chart_counters(summary)),
    ]


def compare_table(rows: Sequence[tuple[str, Summary, Estimate | None]], first: str) -> str:
    """Policies side by side: per policy the hall's figures, and the paired difference of its
    mean wait to the first policy's (negative: shorter waits; not clipped, a difference may be)."""
    columns = (
        ("hall|all|wait_mean", ("Tunggu rata-rata", "Mean wait"), MINUTES),
        ("hall|all|wait_p90", P90, MINUTES),
        ("hall|all|reneged", ("Pergi sebelum dipanggil", "Left before being called"), CITIZENS),
        ("hall|all|stay_mean", ("Lama di aula", "Time in the hall"), MINUTES),
    )
    head = header(("Kebijakan", "Policy")) + "".join(header(name, unit) for _, name, unit in columns)
    head += header((f"Selisih tunggu rata-rata dari {first}", f"Mean wait's difference to {first}"), MINUTES)
    body = []
    for label, summary, diff in rows:
        cells = "".join(cell(summary.get(key)) for key, _, _ in columns)
        change = "<td>-</td>" if diff is None else f"<td>{html.escape(fmt(diff))}</td>"
        body.append(f"<tr><th scope='row'>{html.escape(label)}</th>{cells}{change}</tr>")
    return INTERVALS + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def staff_table(
    plan: dict[str, dict[int, int]],
    available: dict[str, int],
    order: dict[str, list[int]],
    unreachable: dict[str, list[int]],
    target_minutes: float,
) -> str:
    """Counters to open per agency and hour, of how many, in which order, and the hours the
    target cannot be met even with every counter."""
    hours = sorted({h for p in plan.values() for h in p})
    head = header(("Instansi", "Agency")) + "".join(header((f"{h:02d}:00", "")) for h in hours)
    head += header(("Loket tersedia", "Counters available"))
    head += header(("Urutan buka (nomor loket)", "Opening order (counter numbers)"))
    head += header(("Target tidak tercapai pada jam", "Target out of reach at"))
    body = []
    for agency, per_hour in plan.items():
        cells = "".join(f"<td>{per_hour[h]}</td>" for h in hours)
        missed = ", ".join(f"{h:02d}:00" for h in unreachable[agency]) or "-"
        body.append(
            f"<tr><th scope='row'>{html.escape(agency)}</th>{cells}<td>{available[agency]}</td>"
            f"<td>{' '.join(map(str, order[agency]))}</td><td>{missed}</td></tr>"
        )
    note = (
        f"<p class='note'>Jumlah loket buka per jam agar 90% warga menunggu paling lama {target_minutes:g} "
        f"menit. <i lang='en'>Counters to open each hour so that 90% of citizens wait at most "
        f"{target_minutes:g} minutes.</i></p>"
    )
    return note + f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(body)}</tbody></table>"


def cutoff_table(latest: dict[str, str | None], close: str, level: float) -> str:
    head = header(("Instansi", "Agency")) + header(("Nomor terakhir diambil pukul", "Last ticket at"))
    body = "".join(
        f"<tr><th scope='row'>{html.escape(a)}</th><td>{t or '-'}</td></tr>"
        for a, t in sorted(latest.items())
    )
    note = (
        f"<p class='note'>Aula tutup pukul {close}. Nomor yang diambil sampai jam ini masih dipanggil "
        f"sebelum tutup dengan peluang paling sedikit {level:.0%}. <i lang='en'>The hall closes at {close}. "
        f"A ticket taken by this time is still called before closing with a likelihood of at least "
        f"{level:.0%}.</i></p>"
    )
    return note + f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def page(title: str, intro: str, sections: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<section><h2>{html.escape(h)}</h2>{content}</section>" for h, content in sections)
    return (
        "<!doctype html><html lang='id'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;max-width:1100px;margin:2em auto;padding:0 1em;color:#222}"
        "pre{font-size:12px;overflow-x:auto;background:#f6f6f6;padding:.5em}svg{max-width:100%;height:auto}"
        "table{border-collapse:collapse;font-size:13px;margin:.5em 0;display:block;overflow-x:auto}"
        "th,td{border:1px solid #ccc;padding:.3em .5em;vertical-align:top}td{text-align:right}"
        "thead th{background:#f0f0f0;font-weight:600}tbody th{text-align:left;font-weight:600}"
        "small{color:#555}.note{font-size:13px;color:#444}"
        f"</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>{body}</body></html>"
    )
