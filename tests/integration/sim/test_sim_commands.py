"""The twin's questions as a newcomer runs them on Kendari (``make sim`` and its siblings), as
processes: the self-contained HTML report of a day, the comparison of mechanisms and the fewest
counters per agency and hour, each read back from what the command wrote."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

from antre.hall.load import load_hall
from tests.support.infra import KENDARI, ROOT

DEMAND = ROOT / "examples" / "demand" / "kendari.yaml"


def sim(*args: str) -> str:
    done = subprocess.run(
        [sys.executable, "-m", "sim", *args], cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_a_day_writes_a_report_that_needs_no_internet(tmp_path: Path) -> None:
    report, figures = tmp_path / "report.html", tmp_path / "day.json"
    sim("day", str(DEMAND), "-n", "10", "--html", str(report), "--json", str(figures))
    html = report.read_text(encoding="utf-8")
    assert html.count("<svg") >= 3  # charts drawn into the page itself
    # Nothing fetched from elsewhere: no scripts, styles or images by address (XML namespace
    # names inside the drawings are names, not requests).
    assert not re.search(r"""(src|href)\s*=\s*["']?(https?:)?//""", html), "the report loads something"
    day = json.loads(figures.read_text())
    agencies = {a.code for a in load_hall(KENDARI).agencies}
    assert agencies <= {key.split("|")[1] for key in day["figures"] if key.startswith("agency|")}


def test_compare_and_staff_answer_for_kendari(tmp_path: Path) -> None:
    compared, staffed = tmp_path / "compare.json", tmp_path / "staff.json"
    sim("compare", str(DEMAND), "-n", "10", "--json", str(compared))
    scenarios = json.loads(compared.read_text())["scenarios"]
    assert {"fifo+check_in", "priority_lane+near_slot", "priority_lane+ratio"} <= set(scenarios)
    sim("staff", str(DEMAND), "-n", "10", "--json", str(staffed))
    plan = json.loads(staffed.read_text())["plan"]
    hall = load_hall(KENDARI)
    for agency in hall.agencies:
        available = sum(1 for c in hall.counters if hall.counter_agencies(c) == {agency.code})
        hours = plan[agency.code]
        assert hours and all(0 <= n <= max(available, 1) for n in hours.values()), (agency.code, hours)
