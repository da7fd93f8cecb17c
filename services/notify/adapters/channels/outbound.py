"""Routes deliveries to their channels and sends a batch in parallel, so that one slow receiver
does not hold up every other message behind it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor

from services.notify.adapters.channels.base import Channel, Result
from services.notify.domain.deliveries import Delivery


class Outbound:
    def __init__(self, channels: Iterable[Channel], parallel: int = 50) -> None:
        self.channels = {channel.name: channel for channel in channels}
        self._pool = ThreadPoolExecutor(max_workers=parallel, thread_name_prefix="notify-send")

    @property
    def names(self) -> frozenset[str]:
        return frozenset(self.channels)

    def send_all(self, items: Sequence[tuple[Delivery, str]]) -> list[Result]:
        return list(self._pool.map(lambda item: self.send(*item), items))

    def send(self, delivery: Delivery, address: str) -> Result:
        channel = self.channels.get(delivery.channel)
        if channel is None:  # configured when the delivery was made, removed since: an operator's call
            return Result(None, f"channel {delivery.channel} is not configured", 0.0)
        return channel.send(delivery, address)

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)
        for channel in self.channels.values():
            channel.close()
