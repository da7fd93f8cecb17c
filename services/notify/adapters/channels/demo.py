"""The demo channel: a demo hall has no SMS gateway or mailbox, so its one-time codes are
"sent" here and stay as delivered deliveries, which the demo page shows. Bootstrap adds it only
in a demo hall (ANTRE_DEMO): a real hall's codes never reach a page."""

from __future__ import annotations

from services.notify.adapters.channels.base import Result
from services.notify.domain.deliveries import Delivery


class DemoChannel:
    name = "demo"

    def send(self, delivery: Delivery, address: str) -> Result:
        return Result(200, "", 0.0)

    def close(self) -> None:
        return None
