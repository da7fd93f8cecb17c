"""The hall's IKM from reports to the boards, as processes on one NATS: reports computes the
month so far (every ANTRE_SKM_INDEX_MINUTES, about a second here) and publishes skm.index; the
display of a hall whose file says boards.show_ikm puts the line on its boards' snapshot."""

from __future__ import annotations

import time
from collections.abc import Callable

import httpx
import pytest

from tests.support.hall import RunningHall

pytestmark = pytest.mark.e2e


def test_reports_index_reaches_the_boards(start_hall: Callable[..., RunningHall]) -> None:
    hall = start_hall(
        "reports", "display", extra_env={"ANTRE_SKM_INDEX_MINUTES": "0.02"}, boards={"show_ikm": True}
    )
    deadline = time.monotonic() + 30
    line = None
    with httpx.Client(base_url=hall.url("display"), timeout=10) as display:
        while time.monotonic() < deadline:
            ikm = display.get("/api/v1/zones/lantai-1-a/board").json()["ikm"]
            if ikm is not None:
                line = ikm["line"]
                break
            time.sleep(0.2)
    assert line == "IKM bulan ini: belum ada responden"  # a new hall: nobody has answered yet
