from antre.migrations_env import run
from services.ticketing.adapters.tables import metadata

run(metadata)
