"""The whole hall as processes for end-to-end and browser tests: five services, one NATS, one
database backend (PostgreSQL schemas when available, else SQLite files). The hall itself is
tools/local_hall.py's, which the benchmarks start too; a test's hall adds a hall clock and the
hall's manager, supervisors and counters as a test asks for them."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx

from tests.support.clock import CLOCK_FILE_ENV, ClockedProcess, FileClock
from tools.hall import SERVICES, wait_for
from tools.local_hall import PASSWORD, LocalHall, called_numbers, waiting_total

__all__ = [
    "PASSWORD",
    "SERVICES",
    "RunningHall",
    "announced",
    "called_numbers",
    "wait_for",
    "waiting_total",
]


class RunningHall(LocalHall):
    def __init__(
        self,
        folder: Path,
        nats_url: str,
        database_url: str | None,
        services: tuple[str, ...] = SERVICES,
        extra_env: dict[str, str] | None = None,
        clock: FileClock | None = None,
        service_env: dict[str, dict[str, str]] | None = None,
        **hall_overrides: Any,
    ) -> None:
        super().__init__(folder, nats_url, database_url, services, extra_env, service_env, **hall_overrides)
        # With a clock, every service runs on that hall clock instead of the wall clock.
        self.clock = clock
        if clock is not None:
            self.process_type = ClockedProcess

    def env(self, name: str) -> dict[str, str]:
        env = super().env(name)
        if self.clock is not None:
            env[CLOCK_FILE_ENV] = str(self.clock.path)
        return env

    def manager(self) -> dict[str, str]:
        """A signed-in hall manager's headers (the account is made on first use)."""
        if not getattr(self, "_manager", False):
            self.add_officer("pengelola", "", role="manager")
            self._manager = True
        return self.sign_in("pengelola")

    def supervisor(self, agency: str) -> dict[str, str]:
        """A signed-in supervisor of ``agency``'s headers (the account, ``spv-<agency>``, is made on
        first use; it signs in with ``PASSWORD`` like every account here)."""
        username = f"spv-{agency}"
        made: set[str] = self.__dict__.setdefault("_supervisors", set())
        if username not in made:
            self.add_officer(username, agency, role="supervisor")
            made.add(username)
        return self.sign_in(username)

    def counter(self, number: int) -> dict[str, Any]:
        """A counter as the counters see it, asked by the hall's manager."""
        with self.client("counters") as c:
            response = c.get(f"/api/v1/counters/{number}", headers=self.manager())
            response.raise_for_status()
            return dict(response.json())


def announced(display_url: str, zones: set[str]) -> dict[str, list[str]]:
    """The calls each zone's board says, in order: an announcement may say a group of calls, and
    one that stands for earlier entries (``replaces``) is said instead of them. Recalls and
    service messages are left out."""
    out = {}
    with httpx.Client(base_url=display_url, timeout=10) as c:
        for zone in zones:
            log = c.get(f"/api/v1/zones/{zone}/announcements", params={"after": 0, "limit": 1000}).json()
            entries = log["announcements"]
            replaced = {seq for entry in entries for seq in entry["replaces"]}
            out[zone] = [
                call["number"]
                for entry in entries
                if entry["seq"] not in replaced and entry["kind"] not in ("recall", "message")
                for call in entry["calls"]
            ]
    return out
