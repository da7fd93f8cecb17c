"""The twin's report as a hall manager reads it: hours in clock order, no interval below zero,
and every column and axis named in both languages with its unit."""

from __future__ import annotations

import math
import re

from sim import report
from sim.stats import Estimate

WIDE = Estimate(2.0, 6.0, 3)  # few replications: the interval is wider than the mean


def summary() -> dict[str, Estimate]:
    """Two agencies: ``early``'s booked citizens check in at 07:00, before the hall opens;
    ``alpha``, first in the legend, starts at 08:00 (as Kendari's Bapenda does)."""
    out: dict[str, Estimate] = {}
    for agency, hours in (("alpha", range(8, 15)), ("early", range(7, 14))):
        for key in ("served", "reneged", "no_show", "left_at_close"):
            out[f"agency|{agency}|{key}"] = WIDE
        for metric in ("wait_mean", "wait_p90", "wait_max"):
            out[f"agency|{agency}|{metric}"] = Estimate(20.0, 3.0, 3)
        out[f"agency|{agency}|utilisation"] = Estimate(0.97, 0.08, 3)
        for h in hours:
            out[f"agency_hour|{agency}@{h:02d}|wait_mean"] = WIDE
            out[f"agency_hour|{agency}@{h:02d}|wait_p90"] = WIDE
        for minute in range(7 * 60 if agency == "early" else 8 * 60, 15 * 60, 5):
            out[f"queue|{agency}@{minute // 60:02d}:{minute % 60:02d}|length"] = WIDE
    out["service|ktp|wait_mean"] = WIDE
    out["counter|1|utilisation"] = Estimate(0.97, 0.08, 3)
    out["hall|all|wait_mean"] = WIDE
    return out


def tick_labels(svg: str) -> list[str]:
    """The x axis' labels left to right (matplotlib names each text in a comment)."""
    return re.findall(r'<g id="xtick_\d+">.*?<!-- (.*?) -->', svg, flags=re.S)


def y_labels(svg: str) -> list[str]:
    return re.findall(r'<g id="ytick_\d+">.*?<!-- (.*?) -->', svg, flags=re.S)


def test_hours_run_in_clock_order_when_one_agency_starts_earlier() -> None:
    """An hour only a later agency has (07, check-ins before opening) went to the end of the
    axis: 08 ... 14 07."""
    for metric in ("wait_mean", "wait_p90"):
        labels = tick_labels(report.chart_by_hour(summary(), metric, "t"))
        assert labels == sorted(labels) and labels[0] == "07:00", labels
    queue = tick_labels(report.chart_by_hour(summary(), "length", "t", "queue", ("orang", "citizens")))
    assert queue == sorted(queue) and queue[0] == "07:00", queue


def test_bands_and_axes_never_go_below_zero() -> None:
    low, high = report.band([WIDE, Estimate(5.0, 1.0, 40), Estimate(3.0, math.nan, 1)])
    assert low == [0.0, 4.0, 3.0] and high == [8.0, 6.0, 3.0]
    charts = [
        report.chart_by_hour(summary(), "wait_mean", "t"),
        report.chart_by_hour(summary(), "length", "t", "queue"),
        report.chart_counters(summary()),
        report.chart_compare(["a", "b"], [WIDE, WIDE], "t"),
    ]
    for svg in charts:
        labels = y_labels(svg) or tick_labels(svg)
        assert labels and not any(label.startswith(("−", "-")) for label in labels), labels
    assert max(float(x) for x in y_labels(charts[2])) == 100  # a share stops at 100 %


def test_table_cells_clip_their_interval() -> None:
    page = report.html_table(summary())
    intervals = re.findall(r"<small>([^<]*)</small></td>", page)
    assert intervals and all(not low.startswith("-") for low in intervals), intervals
    assert "0.0–8.0" in page  # served 2.0 ± 6.0 citizens
    assert "<td>97<br><small>89–100</small></td>" in page  # utilisation 97 % ± 8, at most 100


def test_columns_are_spelled_out_with_units() -> None:
    page = report.html_table(summary())
    for gone in ("rata2", "tdk hadir", "sisa tutup", "util<", "maks<"):
        assert gone not in page
    heads = re.findall(r"<th scope='col'>(.*?)</th>", page)
    assert len(heads) == 1 + len(report.FIGURES)
    for head, figure in zip(heads[1:], report.FIGURES, strict=True):
        assert figure.name[0] in head and figure.name[1] in head
        assert head.index(figure.name[0]) < head.index(figure.name[1])  # Indonesian first
        assert re.search(r"\((menit / <i lang='en'>minutes|orang per hari / |% waktu buka / )", head), head
    terminal = report.table(summary()).splitlines()
    assert "menit / min" in terminal[2] and "orang / people" in terminal[2]
    assert "seluruh aula / whole hall" in terminal[-1]


def test_services_have_no_utilisation_column() -> None:
    """Counters serve several services: a column of dashes would only puzzle."""
    page = report.html_table(summary(), "service")
    assert "Loket sibuk" not in page and "Tunggu rata-rata" in page
