"""Fixtures for the display's integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.integration.display.display_live import LiveDisplay


@pytest.fixture
def display(tmp_path: Path) -> Iterator[LiveDisplay]:
    live = LiveDisplay(tmp_path).start()
    yield live
    live.stop()
