"""One hall clock for a test and every service process: the wall clock plus an offset kept in a
file, so that a test replays a whole day (the evening before, the morning's check-ins, the night's
quiet hours) in a minute or two.

Time still flows between jumps, at the real pace: relays, leases, retries and polling loops keep
working as they do in production. The offset only ever grows, so no service sees time go back.
The services read it through :mod:`tests.support.clocked_service`, which hands it to
``Runtime.build`` (the one place every service takes its clock from).
"""

from __future__ import annotations

import datetime as dt
import os
import sys
from pathlib import Path

from tools.hall import ServiceProcess

CLOCK_FILE_ENV = "ANTRE_TEST_CLOCK_FILE"


class FileClock:
    """``now()`` of a service: the real UTC time plus the file's offset (seconds). The file is
    re-read only when it changed (its inode or modification time), so a call costs one ``stat``."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._seen: tuple[int, int] | None = None
        self._offset = dt.timedelta(0)

    def __call__(self) -> dt.datetime:
        info = os.stat(self.path)
        seen = (info.st_ino, info.st_mtime_ns)
        if seen != self._seen:
            self._offset = dt.timedelta(seconds=float(self.path.read_text()))
            self._seen = seen
        return dt.datetime.now(dt.UTC) + self._offset


class HallClock(FileClock):
    """The test's side: read the hall's time like a service does, and move it forward."""

    def __init__(self, path: Path, start: dt.datetime) -> None:
        self._write(path, start - dt.datetime.now(dt.UTC))
        super().__init__(path)

    def jump_to(self, moment: dt.datetime) -> dt.datetime:
        """Move the hall's time to ``moment`` (it flows on from there); never backwards."""
        now = self()
        if moment < now:
            raise ValueError(f"the hall's clock does not go back: {moment.isoformat()} < {now.isoformat()}")
        self._write(self.path, moment - dt.datetime.now(dt.UTC))
        return self()

    @staticmethod
    def _write(path: Path, offset: dt.timedelta) -> None:
        # Written aside and renamed: a service never reads half a number.
        aside = path.with_suffix(".tmp")
        aside.write_text(repr(offset.total_seconds()))
        os.replace(aside, path)


class ClockedProcess(ServiceProcess):
    """A service process on the hall clock named in its environment (``ANTRE_TEST_CLOCK_FILE``)."""

    def command(self) -> list[str]:
        app = f"services.{self.name}.bootstrap:create_app"
        cmd = [sys.executable, "-m", "tests.support.clocked_service", app, "--factory"]
        return [*cmd, "--host", "127.0.0.1", "--port", str(self.port), "--log-level", "warning"]
