"""``ANTRE_REQUIRE_TOOLS=1`` turns a missing Chromium or espeak-ng from a skip into a failure."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.integration.display import board_browser
from tests.support import tools

ROOT = Path(__file__).resolve().parents[2]
VOICE_TEST = "tests/integration/display/test_voice_hall_words.py"


def test_a_missing_tool_skips_unless_required(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv(tools.SWITCH, raising=False)
    with pytest.raises(pytest.skip.Exception):
        tools.missing("espeak-ng is not installed")
    monkeypatch.setenv(tools.SWITCH, "1")
    with pytest.raises(pytest.fail.Exception, match="espeak-ng is not installed"):
        tools.missing("espeak-ng is not installed")


def test_the_boards_browser_fails_when_required(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setattr(board_browser, "CHROMIUM", tmp_path / "chromium")
    monkeypatch.setenv(tools.SWITCH, "1")
    with pytest.raises(pytest.fail.Exception, match="chromium is not installed"), board_browser.chromium():
        pass


@pytest.mark.parametrize(("switch", "outcome"), [("", "1 skipped"), ("1", "1 failed")])
def test_the_voice_tests_without_espeak(switch: str, outcome: str) -> None:
    # Only the virtual environment on the PATH: no espeak-ng there.
    env = {**os.environ, "PATH": str(Path(sys.executable).parent), tools.SWITCH: switch}
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", VOICE_TEST],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert outcome in done.stdout, done.stdout[-2000:]
