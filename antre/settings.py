"""Settings every service shares, read from ``ANTRE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path

from pydantic_settings import BaseSettings, SettingsConfigDict


class ServiceSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="ANTRE_", extra="ignore")

    hall_file: Path = Path("examples/kendari.yaml")
    state_dir: Path = Path(".antre")
    # Empty: a SQLite file in the state folder. Production: postgresql://... (psycopg 3).
    database_url: str = ""
    # PostgreSQL schema holding this service's tables; empty: the service's name.
    database_schema: str = ""
    nats_url: str = "nats://127.0.0.1:4222"
    # Demo halls open whatever the hour (marked on every page); real halls honour their hours.
    demo: bool = False
    otlp_endpoint: str = ""
    log_level: str = "INFO"

    def db_url(self, service: str) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / (service + '.db')}"

    def db_schema(self, service: str) -> str:
        return self.database_schema or service
