"""Fixtures for the display's integration tests."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from services.display.adapters import espeak
from tests.integration.display.board_browser import chromium
from tests.integration.display.display_live import LiveDisplay
from tests.integration.display.voice_packs import tone_pack
from tests.support.tools import missing


@pytest.fixture
def display(tmp_path: Path) -> Iterator[LiveDisplay]:
    live = LiveDisplay(tmp_path).start()
    yield live
    live.stop()


@pytest.fixture(scope="session")
def espeak_voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """espeak-ng's default pack (Indonesian and English), built once for the session."""
    if not espeak.available():
        missing("espeak-ng is not installed (apt-get install espeak-ng)")
    folder = tmp_path_factory.mktemp("espeak") / "voice"
    espeak.build(folder)
    return folder


@pytest.fixture(scope="session")
def tone_voice(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tone_pack(tmp_path_factory.mktemp("tones") / "voice")


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """Debian's Chromium as a hall's TV runs it (autoplay allowed). Per module: while Playwright's
    sync API is open, the main thread counts as running an event loop, which other modules'
    ``asyncio.run`` refuse."""
    with chromium() as found:
        yield found
