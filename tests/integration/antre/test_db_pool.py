"""The PostgreSQL pool checks a connection only after it sat unused, and replaces a dead one."""

from __future__ import annotations

import time
from typing import Any

from sqlalchemy import Engine, text

from antre import db


def counting_pings(engine: Engine) -> list[int]:
    pings: list[int] = []
    ping = engine.dialect.do_ping

    def counted(dbapi_connection: Any) -> bool:
        pings.append(1)
        return ping(dbapi_connection)

    engine.dialect.do_ping = counted  # type: ignore[method-assign]
    return pings


def backend_pid(engine: Engine) -> int:
    with db.read(engine) as conn:
        return int(conn.execute(text("SELECT pg_backend_pid()")).scalar_one())


def test_a_connection_in_use_a_moment_ago_is_not_pinged(needs_postgres: str) -> None:
    engine = db.make_engine(needs_postgres)
    pings = counting_pings(engine)
    try:
        first = backend_pid(engine)
        for _ in range(20):
            assert backend_pid(engine) == first
        assert pings == []
        time.sleep(db.PING_AFTER + 0.2)
        assert backend_pid(engine) == first
        assert pings == [1]
    finally:
        engine.dispose()


def test_a_connection_the_server_closed_while_idle_is_replaced_before_use(needs_postgres: str) -> None:
    engine = db.make_engine(needs_postgres)
    admin = db.make_engine(needs_postgres)
    try:
        dead = backend_pid(engine)
        with db.write(admin) as conn:
            assert conn.execute(text("SELECT pg_terminate_backend(:pid)"), {"pid": dead}).scalar_one()
        time.sleep(db.PING_AFTER + 0.2)
        assert backend_pid(engine) != dead  # no error reached the caller
    finally:
        engine.dispose()
        admin.dispose()
