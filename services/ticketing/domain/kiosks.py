"""How fast one kiosk may hand out numbers. A person at a kiosk takes several seconds a ticket;
a kiosk issuing many a second is a script or a stuck button, and would empty a day's walk-in
places before the hall notices."""

from __future__ import annotations

from collections import deque

WINDOW_SECONDS = 60.0


class IssueRate:
    """At most ``per_minute`` tickets per kiosk in any 60 seconds (a sliding window). Kept in the
    process: with n replicas a kiosk may get up to n times as many, which still stops a flood."""

    def __init__(self, per_minute: int) -> None:
        self.per_minute = per_minute
        self._times: dict[str, deque[float]] = {}

    def take(self, kiosk: str, now: float) -> float:
        """0 when the kiosk may issue now (and the issue is counted), else seconds to wait."""
        times = self._times.setdefault(kiosk, deque())
        while times and times[0] <= now - WINDOW_SECONDS:
            times.popleft()
        if len(times) >= self.per_minute:
            return times[0] + WINDOW_SECONDS - now
        times.append(now)
        return 0.0

    def give_back(self, kiosk: str) -> None:
        """An issue that was refused after all (closed, full) does not count."""
        times = self._times.get(kiosk)
        if times:
            times.pop()
