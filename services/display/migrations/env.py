from antre.migrations_env import run
from services.display.adapters.tables import metadata

run(metadata)
