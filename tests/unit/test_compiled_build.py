"""The compiled build of the pure rules (antre/build.py, setup.py): it is the one running unless
``ANTRE_PURE`` says otherwise, a build that cannot be used falls back loudly, and both builds
give the same hall days and forecasts, bit for bit.

CI sets ``ANTRE_REQUIRE_COMPILED=1``: there, a run without the compiled build fails instead of
skipping, so the switch cannot rot into "always pure"."""

from __future__ import annotations

import importlib.machinery
import logging
import os
import shutil
import subprocess
import sys
import warnings
from pathlib import Path

import pytest

from antre import build

ROOT = Path(__file__).resolve().parents[2]
REQUIRED = os.environ.get("ANTRE_REQUIRE_COMPILED", "") not in ("", "0")


def _summary() -> str:
    """Which build this tree gives a fresh interpreter, whichever this process runs."""
    return _run("-m", "antre.build", "--summary", pure=False).strip()


def _run(*args: str, pure: bool) -> str:
    env = {k: v for k, v in os.environ.items() if k != build.PURE_SWITCH}
    if pure:
        env[build.PURE_SWITCH] = "1"
    done = subprocess.run(
        [sys.executable, *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=300
    )
    assert done.returncode == 0, done.stderr
    return done.stdout


def _needs_compiled() -> None:
    summary = _summary()
    if not summary.startswith("rules: compiled"):
        if REQUIRED:
            pytest.fail(f"no usable compiled build in this tree: {summary}")
        pytest.skip(f"no usable compiled build in this tree: {summary}")


def test_this_run_uses_the_build_it_asked_for() -> None:
    kinds = build.report()
    assert set(kinds) == set(build.MODULES)
    if build.pure_requested():
        assert set(kinds.values()) == {"pure"}
        assert not build.current().compiled
        return
    if not build.current().compiled:
        message = f"the rules run pure: {build.current().reason}"
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    assert set(kinds.values()) == {"compiled"}, kinds
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    import sim.kernel

    assert sim.kernel.__file__ and sim.kernel.__file__.endswith(suffix)


def test_the_switch_runs_every_rule_from_its_source() -> None:
    _needs_compiled()
    pure = _run("-m", "antre.build", pure=True).splitlines()
    compiled = _run("-m", "antre.build", pure=False).splitlines()
    assert pure[-1] == "rules: pure (ANTRE_PURE is set)"
    assert [line.split()[0] for line in pure[:-1]] == ["pure"] * len(build.MODULES)
    assert [line.split()[0] for line in compiled[:-1]] == ["compiled"] * len(build.MODULES)


# Hall days of the three-agency bench hall under every blend and both dispatches, and a busy
# forecast, printed whole: the compiled build must decide exactly what the source decides.
_SAME = """
import dataclasses
import numpy as np
from bench import sim_hallday
from bench.forecast import busy_snapshot
from sim.forecast import forecast
from sim.model import Scenario
from sim.runner import simulate

hall, demand, day = sim_hallday.hall(), sim_hallday.demand(), sim_hallday.DAY
for i, scenario in enumerate([Scenario(), Scenario(dispatch="priority_lane"), Scenario(blend="ratio"),
                              Scenario(blend="near_slot", dispatch="fifo")]):
    log = simulate(hall, demand, day, scenario, np.random.SeedSequence(i))
    for f in dataclasses.fields(log):
        if f.name != "desks":
            print(f.name, repr(getattr(log, f.name)))
    print("desks", [(d.number, d.open_s, d.busy_s, d.state) for d in log.desks])
for code, f in sorted(forecast(busy_snapshot(90), replications=30).items()):
    print(code, repr(f))
"""


def test_compiled_and_pure_give_the_same_days_and_forecasts() -> None:
    _needs_compiled()
    compiled = _run("-c", _SAME, pure=False)
    pure = _run("-c", _SAME, pure=True)
    assert compiled.count("\n") > 40
    assert compiled == pure


# ---- a build that cannot be used ----


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """The compiled modules' sources, as in a checkout with nothing compiled yet; the switch off
    (the pure run of this file sets it)."""
    monkeypatch.delenv(build.PURE_SWITCH, raising=False)
    for name in build.MODULES:
        target = build.source(name, tmp_path)
        target.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(build.source(name), target)
    return tmp_path


def _compile_fake(root: Path, library: str) -> None:
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    (root / f"{library}__mypyc{suffix}").write_bytes(b"not a shared object")
    for name in build.MODULES:
        build.source(name, root).with_suffix(suffix).write_bytes(b"")


def test_nothing_compiled_is_pure_without_a_word(tree: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        decided = build._decide(tree)
    assert not decided.compiled and decided.reason == "not compiled"


def test_a_library_that_does_not_load_falls_back_loudly(tree: Path) -> None:
    _compile_fake(tree, build.library_name(tree))
    with pytest.warns(build.CompiledBuildWarning, match="does not load"):
        assert not build._decide(tree).compiled


def test_an_edited_rule_makes_the_build_stale_and_says_which(tree: Path) -> None:
    _compile_fake(tree, build.library_name(tree))
    model = build.source("sim.model", tree)
    model.write_text(model.read_text() + "\n# edited\n")
    later = model.stat().st_mtime + 10
    os.utime(model, (later, later))
    with pytest.warns(build.CompiledBuildWarning, match=r"changed since they were compiled: sim\.model "):
        assert not build._decide(tree).compiled


def test_a_missing_extension_is_named(tree: Path) -> None:
    _compile_fake(tree, build.library_name(tree))
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    build.source("sim.kernel", tree).with_suffix(suffix).unlink()
    with pytest.warns(build.CompiledBuildWarning, match=r"no extension for sim\.kernel$"):
        assert not build._decide(tree).compiled


def test_a_build_for_another_python_is_said_so(tree: Path) -> None:
    (tree / f"{build.library_name(tree)}__mypyc.cpython-399-x86_64-linux-gnu.so").write_bytes(b"")
    for name in build.MODULES:
        build.source(name, tree).with_suffix(".cpython-399-x86_64-linux-gnu.so").write_bytes(b"")
    with pytest.warns(build.CompiledBuildWarning, match="compiled for another one"):
        assert not build._decide(tree).compiled


def test_the_switch_wins_over_a_good_build(tree: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _compile_fake(tree, build.library_name(tree))
    monkeypatch.setenv(build.PURE_SWITCH, "1")
    decided = build._decide(tree)
    assert not decided.compiled and decided.reason == "ANTRE_PURE is set"


def test_a_service_says_at_start_which_build_it_runs(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO, logger="antre.build"):
        build.log_current()
    expected = "rules: compiled (" if build.current().compiled else "rules: pure ("
    assert caplog.messages[-1].startswith(expected)
