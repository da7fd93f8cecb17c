"""The body of every service's Alembic ``env.py``: migrations run on the connection that
:func:`antre.db.migrate` hands over (or on ``ANTRE_DATABASE_URL`` from the alembic command line)."""

from __future__ import annotations

import os

from alembic import context
from sqlalchemy import Connection, MetaData

from antre.db import make_engine


def run(metadata: MetaData) -> None:
    handed: Connection | None = context.config.attributes.get("connection")
    if handed is None:
        engine = make_engine(os.environ["ANTRE_DATABASE_URL"], os.environ.get("ANTRE_DATABASE_SCHEMA", ""))
        with engine.connect() as connection:
            _run(connection, metadata)
            connection.commit()
        return
    _run(handed, metadata)


def _run(connection: Connection, metadata: MetaData) -> None:
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()
