"""The type checker runs: mypy with the repository's mypy.ini finds nothing in the tree that file
names (antre, services, sim, bench, tools, the unit tests), and the same configuration does
report what a strict module must not hold, so a clean run means the checks ran.

mypy keeps its cache in .antre/ (ignored by git): a rerun after a small change rechecks only what
the change touches."""

from __future__ import annotations

import re
import shutil
from pathlib import Path

import pytest
from mypy import api

ROOT = Path(__file__).resolve().parents[2]
CONFIG = ROOT / "mypy.ini"
CACHE = ROOT / ".antre" / "mypy"
# The planted copy has a cache of its own: its modules share names with the tree's.
PLANTED_CACHE = ROOT / ".antre" / "mypy-planted"
ERROR = re.compile(r"^(?P<path>[^:]+):(?P<line>\d+): error: (?P<text>.*)  \[(?P<code>[a-z-]+)\]$")


def mypy(*args: str) -> tuple[str, int]:
    stdout, stderr, status = api.run(["--no-error-summary", "--no-pretty", *args])
    assert status in (0, 1), f"mypy did not run (status {status}):\n{stdout}{stderr}"
    return stdout, status


def errors(stdout: str) -> list[tuple[str, int, str]]:
    """(path, line, error code) of each error mypy reported."""
    found = []
    for line in stdout.splitlines():
        match = ERROR.match(line)
        if match:
            found.append((Path(match["path"]).as_posix(), int(match["line"]), match["code"]))
    return found


def test_the_configured_tree_type_checks(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(ROOT)  # mypy.ini names the tree relative to the repository
    stdout, status = mypy("--config-file", str(CONFIG), "--cache-dir", str(CACHE))
    assert (status, errors(stdout)) == (0, []), f"mypy found errors (config: mypy.ini):\n{stdout}"


PLANTED = """

def planted_untyped(value):
    return value


def planted_wrong_return(count: int) -> str:
    return count


planted_ignored: int = 1  # type: ignore[assignment]
"""


def test_a_strict_module_reports_what_it_must_not_hold(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A copy of one service's domain (strict in mypy.ini) and the hall model it imports, with a
    function left unannotated, a wrong return type and an ignore nothing needs planted in it:
    mypy reports those three lines, and nothing else of the copy. The unannotated function in an
    adapter (the default mode) is let be: strictness stays in the modules that ask for it."""
    shutil.copy(CONFIG, tmp_path / "mypy.ini")
    for package in ("antre", "antre/hall", "services", "services/notify"):
        (tmp_path / package).mkdir(parents=True, exist_ok=True)
        (tmp_path / package / "__init__.py").touch()  # the packages' own imports are not the point
    shutil.copy(ROOT / "antre/hall/model.py", tmp_path / "antre/hall/model.py")
    domain = Path("services/notify/domain")
    shutil.copytree(ROOT / domain, tmp_path / domain, ignore=shutil.ignore_patterns("*.so", "__pycache__"))
    target = tmp_path / domain / "quiet.py"
    first = len(target.read_text().splitlines()) + 1
    target.write_text(target.read_text() + PLANTED)
    adapters = Path("services/notify/adapters")
    (tmp_path / adapters).mkdir()
    (tmp_path / adapters / "__init__.py").touch()
    (tmp_path / adapters / "planted.py").write_text("def planted_untyped(value):\n    return value\n")
    monkeypatch.chdir(tmp_path)

    stdout, _ = mypy(
        "--config-file", "mypy.ini", "--cache-dir", str(PLANTED_CACHE), str(domain), str(adapters)
    )

    planted = (domain / "quiet.py").as_posix()
    assert errors(stdout) == [
        (planted, first + 2, "no-untyped-def"),
        (planted, first + 7, "return-value"),
        (planted, first + 10, "unused-ignore"),
    ], stdout
