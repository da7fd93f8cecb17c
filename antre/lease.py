"""One holder among a service's replicas: a consumer that must fold the stream in its order (the
visit record) runs on the replica holding the lease, and another takes over when that replica
dies. The others serve their pages and wait.

On PostgreSQL the lease is a session advisory lock held on a connection of its own: it ends
with the session, so a killed pod's lease is free as soon as the database notices the connection
gone. On SQLite (one machine, as ``make run``) it is an exclusive lock on a file beside the
database, which the kernel frees when the process ends.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
from pathlib import Path
from typing import Any

from sqlalchemy import Engine


class Lease:
    def __init__(self, engine: Engine, name: str, folder: Path) -> None:
        self._engine = engine
        self._name = name
        self._folder = folder
        self._held: Any = None  # the connection (PostgreSQL) or the file descriptor (SQLite)

    @property
    def held(self) -> bool:
        return self._held is not None

    def try_take(self) -> bool:
        """Take the lease if nobody holds it; True when this replica holds it now."""
        if self._held is not None:
            return True
        if self._engine.dialect.name == "postgresql":
            conn = self._engine.raw_connection()
            try:
                cursor = conn.cursor()
                # The schema is part of the key: halls sharing a database hold leases of their own.
                cursor.execute("SELECT pg_try_advisory_lock(hashtext(current_schema() || %s))", (self._name,))
                row = cursor.fetchone()  # one row: the lock's answer
                taken = row is not None and bool(row[0])
                conn.commit()  # the lock is the session's, not the transaction's
            except Exception:
                conn.invalidate()
                raise
            if not taken:
                conn.close()
                return False
            self._held = conn
            return True
        self._folder.mkdir(parents=True, exist_ok=True)
        fd = os.open(self._folder / f"{self._name}.lease", os.O_RDWR | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return False
        self._held = fd
        return True

    def still_held(self) -> bool:
        """Whether the lease is still this replica's: on PostgreSQL, whether its session lives."""
        if self._held is None:
            return False
        if isinstance(self._held, int):
            return True
        try:
            cursor = self._held.cursor()
            cursor.execute("SELECT 1")
            cursor.fetchone()
            self._held.commit()
            return True
        except Exception:
            self._drop()
            return False

    def release(self) -> None:
        if self._held is None:
            return
        if isinstance(self._held, int):
            os.close(self._held)  # closing the descriptor drops the flock
            self._held = None
            return
        with contextlib.suppress(Exception):
            cursor = self._held.cursor()
            cursor.execute("SELECT pg_advisory_unlock(hashtext(current_schema() || %s))", (self._name,))
            self._held.commit()
        self._drop()

    def _drop(self) -> None:
        conn, self._held = self._held, None
        with contextlib.suppress(Exception):
            conn.invalidate()  # never back to the pool: the session's locks go with it
        with contextlib.suppress(Exception):
            conn.close()
