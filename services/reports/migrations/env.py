from antre.migrations_env import run
from services.reports.adapters.tables import metadata

run(metadata)
