from antre.migrations_env import run
from services.notify.adapters.tables import metadata

run(metadata)
