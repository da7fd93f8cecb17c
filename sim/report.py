"""Reports people can read: a terminal table and a self-contained HTML page.

Charts are drawn by matplotlib (Agg, no display) into inline SVG, so the page needs no internet,
no CDN and no files beside it: it can be mailed to an agency head or opened in the hall offline.
"""

from __future__ import annotations

import html
import io
import math
import re
from collections.abc import Sequence

import matplotlib

matplotlib.use("Agg")  # before pyplot: never a window, also on a server without a display
import matplotlib.pyplot as plt

from sim.stats import Estimate

Summary = dict[str, Estimate]
ROWS = (("wait_mean", "tunggu rata2"), ("wait_p90", "p90"), ("wait_max", "maks"), ("served", "dilayani"))
ROWS += (
    ("reneged", "pergi"),
    ("no_show", "tdk hadir"),
    ("left_at_close", "sisa tutup"),
    ("utilisation", "util"),
)


def fmt(est: Estimate | None, digits: int = 1) -> str:
    if est is None or math.isnan(est.mean):
        return "-"
    ci = "" if math.isnan(est.half_width) else f"±{est.half_width:.{digits}f}"
    return f"{est.mean:.{digits}f}{ci}"


def names(summary: Summary, scope: str) -> list[str]:
    return sorted({k.split("|")[1] for k in summary if k.startswith(scope + "|")})


def table(summary: Summary, scope: str = "agency") -> str:
    """One line per agency (or service), waits in minutes, each mean ± 95% CI half width."""
    head = f"{scope:<22}" + "".join(f"{label:>14}" for _, label in ROWS)
    lines = [head, "-" * len(head)]
    for name in [*names(summary, scope), *(["all"] if scope == "agency" else [])]:
        s = "hall" if name == "all" else scope
        cells = [fmt(summary.get(f"{s}|{name}|{m}"), 2 if m == "utilisation" else 1) for m, _ in ROWS]
        lines.append(f"{name:<22}" + "".join(f"{c:>14}" for c in cells))
    return "\n".join(lines)


def _svg(fig: plt.Figure) -> str:
    buf = io.StringIO()
    fig.savefig(buf, format="svg", bbox_inches="tight")
    plt.close(fig)
    return re.sub(r"^.*?(<svg)", r"\1", buf.getvalue(), flags=re.S)  # drop the XML prolog


def _series(summary: Summary, prefix: str, agency: str, metric: str) -> tuple[list[str], list[Estimate]]:
    pattern = re.compile(rf"^{prefix}\|{re.escape(agency)}@([0-9:]+)\|{metric}$")
    points = sorted((m.group(1), est) for k, est in summary.items() if (m := pattern.match(k)))
    return [p[0] for p in points], [p[1] for p in points]


def chart_by_hour(summary: Summary, metric: str, title: str, prefix: str = "agency_hour") -> str:
    fig, ax = plt.subplots(figsize=(9, 3.6))
    for agency in names(summary, "agency"):
        xs, ests = _series(summary, prefix, agency, metric)
        if not xs:
            continue
        mean = [e.mean for e in ests]
        ax.plot(xs, mean, marker="o" if prefix == "agency_hour" else None, label=agency)
        low = [e.low if not math.isnan(e.half_width) else e.mean for e in ests]
        high = [e.high if not math.isnan(e.half_width) else e.mean for e in ests]
        ax.fill_between(xs, low, high, alpha=0.15)
    ax.set_title(title)
    ax.legend(fontsize=7, ncol=3)
    if prefix == "queue":
        ax.set_xticks(ax.get_xticks()[::6])
    ax.grid(alpha=0.3)
    return _svg(fig)


def chart_counters(summary: Summary) -> str:
    counters = sorted(int(n) for n in names(summary, "counter"))
    ests = [summary[f"counter|{n}|utilisation"] for n in counters]
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.bar([str(n) for n in counters], [e.mean for e in ests], yerr=[_hw(e) for e in ests], capsize=3)
    ax.set_ylim(0, 1)
    ax.set_title("Utilisasi per loket / utilisation per counter")
    return _svg(fig)


def chart_compare(labels: Sequence[str], ests: Sequence[Estimate], title: str) -> str:
    fig, ax = plt.subplots(figsize=(9, 3))
    ax.barh(list(labels), [e.mean for e in ests], xerr=[_hw(e) for e in ests], capsize=3)
    ax.set_title(title)
    return _svg(fig)


def _hw(e: Estimate) -> float:
    return 0.0 if math.isnan(e.half_width) else e.half_width


def day_sections(summary: Summary) -> list[tuple[str, str]]:
    return [
        ("Ringkasan per instansi / per agency", f"<pre>{html.escape(table(summary))}</pre>"),
        ("Per layanan / per service", f"<pre>{html.escape(table(summary, 'service'))}</pre>"),
        (
            "Waktu tunggu per jam / waits per hour",
            chart_by_hour(summary, "wait_mean", "Rata-rata tunggu (menit)")
            + chart_by_hour(summary, "wait_p90", "p90 tunggu (menit)"),
        ),
        ("Panjang antrean / queue length", chart_by_hour(summary, "length", "Orang menunggu", "queue")),
        ("Utilisasi / utilisation", chart_counters(summary)),
    ]


def page(title: str, intro: str, sections: Sequence[tuple[str, str]]) -> str:
    body = "".join(f"<section><h2>{html.escape(h)}</h2>{content}</section>" for h, content in sections)
    return (
        "<!doctype html><html lang='id'><head><meta charset='utf-8'>"
        f"<title>{html.escape(title)}</title><style>"
        "body{font-family:sans-serif;max-width:1000px;margin:2em auto;padding:0 1em;color:#222}"
        "pre{font-size:12px;overflow-x:auto;background:#f6f6f6;padding:.5em}svg{max-width:100%;height:auto}"
        f"</style></head><body><h1>{html.escape(title)}</h1><p>{html.escape(intro)}</p>{body}</body></html>"
    )
