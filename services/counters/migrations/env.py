from antre.migrations_env import run
from services.counters.adapters.tables import metadata

run(metadata)
