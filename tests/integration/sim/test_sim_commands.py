"""The twin's questions as a newcomer runs them on Kendari (``make sim`` and its siblings), as
processes: the self-contained HTML report of a day, the comparison of mechanisms and the fewest
counters per agency and hour, each read back from what the command wrote; the progress line on a
terminal and none in a pipe."""

from __future__ import annotations

import json
import os
import pty
import re
import select
import subprocess
import sys
import time
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
    reads_plainly(html)


def reads_plainly(html: str) -> None:
    """The report's charts run in clock order from zero up, and its tables name each column in
    both languages with its unit (the figures behind them: tests/unit/sim/test_sim_report.py)."""
    charts = re.findall(r"<svg.*?</svg>", html, flags=re.S)
    for svg in charts:
        hours = re.findall(r'<g id="xtick_\d+">.*?<!-- (\d\d:\d\d) -->', svg, flags=re.S)
        assert hours == sorted(hours), hours
        heights = re.findall(r'<g id="ytick_\d+">.*?<!-- (.*?) -->', svg, flags=re.S)
        assert not any(h.startswith(("−", "-")) for h in heights), heights
    assert not re.search(r"<small>-", html), "an interval below zero"
    for words in (
        "Tunggu rata-rata",
        "Mean wait",
        "(menit / <i lang='en'>minutes</i>)",
        "Dilayani",
        "Served",
    ):
        assert words in html, words
    for abbreviation in ("rata2", "tdk hadir", "sisa tutup"):
        assert abbreviation not in html, abbreviation


def test_progress_shows_on_a_terminal_and_never_in_a_pipe() -> None:
    """``cutoff`` runs its replications one by one: a terminal sees them counted on one line on
    stderr; a pipe (a CI log, ``--json -`` read by a program) gets none of it."""
    args = [sys.executable, "-m", "sim", "cutoff", str(DEMAND), "-n", "5"]
    piped = subprocess.run(args, cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert piped.returncode == 0, piped.stderr
    assert "hari / days" not in piped.stderr + piped.stdout and "\r" not in piped.stderr
    assert "tutup / close" in piped.stdout
    terminal = on_a_terminal(args)
    assert "cutoff [" in terminal and "5/5 hari / days" in terminal, terminal


def on_a_terminal(args: list[str], timeout: float = 300) -> str:
    """What a command writes to stderr when stderr is a terminal (a pseudo-terminal here)."""
    leader, follower = pty.openpty()
    process = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=follower)
    os.close(follower)
    seen = b""
    deadline = time.monotonic() + timeout
    try:
        while time.monotonic() < deadline:
            if not select.select([leader], [], [], 1.0)[0]:
                continue
            try:
                chunk = os.read(leader, 4096)
            except OSError:  # EIO: the command ended and closed the terminal
                break
            if not chunk:
                break
            seen += chunk
        assert process.wait(timeout=30) == 0, seen
    finally:
        os.close(leader)
        if process.poll() is None:
            process.kill()
    return seen.decode(errors="replace")


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
