"""The hand-written migration creates exactly the tables the code declares."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from antre import db
from services.display.adapters.tables import metadata
from services.display.bootstrap import MIGRATIONS


def test_migrations_match_the_tables(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    db.migrate(engine, MIGRATIONS)
    with engine.connect() as conn:
        assert compare_metadata(MigrationContext.configure(conn), metadata) == []
    assert set(inspect(engine).get_table_names()) == set(metadata.tables) | {"alembic_version"}
    db.migrate(engine, MIGRATIONS)  # a second start changes nothing


def test_downgrade_removes_every_table(tmp_path: Path) -> None:
    engine = db.make_engine(f"sqlite:///{tmp_path / 'd.db'}")
    db.migrate(engine, MIGRATIONS)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with engine.connect() as conn:
        config.attributes["connection"] = conn
        command.downgrade(config, "base")
        conn.commit()
    assert set(inspect(engine).get_table_names()) == {"alembic_version"}
