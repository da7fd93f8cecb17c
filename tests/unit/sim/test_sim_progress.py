"""The long commands' progress line: drawn in place on a terminal, throttled, wiped before the
answer prints, and nothing at all where stderr is not a terminal."""

from __future__ import annotations

import io

from sim.progress import ProgressLine


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


def test_nothing_is_written_where_stderr_is_not_a_terminal() -> None:
    piped = io.StringIO()
    with ProgressLine("staff", piped) as line:
        for done in range(1, 41):
            line(done, 40, "09:00 (2/7)")
    assert piped.getvalue() == ""


def test_a_terminal_sees_one_line_redrawn_and_wiped_at_the_end() -> None:
    terminal, clock = Terminal(), Clock()
    with ProgressLine("staff", terminal, every=0.1, clock=clock) as line:
        line(1, 40, "09:00 (2/7)")
        clock.now = 12.0
        line(20, 40, "09:00 (2/7)")
        shown = terminal.getvalue()
    assert "\n" not in shown  # redrawn in place, never scrolling the terminal
    last = shown.split("\r")[-1]
    assert last.startswith("staff 09:00 (2/7) [############............] 20/40")
    assert last.rstrip().endswith("12 s")
    wiped = terminal.getvalue()[len(shown) :]
    assert wiped.strip() == "" and wiped.endswith("\r")  # the answer starts on a clean line


def test_redraws_are_throttled_but_the_last_unit_always_shows() -> None:
    terminal, clock = Terminal(), Clock()
    line = ProgressLine("day", terminal, every=0.1, clock=clock)
    for done in range(1, 1001):  # a thousand days within the same instant
        line(done, 1000)
    draws = terminal.getvalue().split("\r")[1:]
    assert len(draws) == 2  # the first and the finished one
    assert "1000/1000" in draws[-1]
