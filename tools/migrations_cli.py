"""``python -m tools.migrations_cli SERVICE "message"``: write a new Alembic revision for a
service by comparing its tables with a fresh database migrated to head."""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from alembic import command
from alembic.config import Config

from antre import db


def main(argv: list[str]) -> int:
    service, message = argv
    migrations = Path("services") / service / "migrations"
    with tempfile.TemporaryDirectory() as tmp:
        engine = db.make_engine(f"sqlite:///{tmp}/{service}.db")
        db.migrate(engine, migrations)
        config = Config()
        config.set_main_option("script_location", str(migrations))
        with engine.connect() as conn:
            config.attributes["connection"] = conn
            command.revision(config, message=message, autogenerate=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
