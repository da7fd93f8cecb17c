"""Settings every service shares, read from ``ANTRE_*`` environment variables."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Self

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from antre.client_address import networks
from antre.logs import LogSettings

# What an example, a tutorial or a demo hall leaves in a secret's place: refused outside demo mode,
# as a missing one is, since a key everyone can read protects nothing.
EXAMPLE_SECRETS = frozenset(
    {"changeme", "change-me", "change_me", "secret", "rahasia", "demo", "password", "test", "example", "xxx"}
)


class ServiceSettings(LogSettings):
    """Besides these, ``ANTRE_LOG_LEVEL`` and ``ANTRE_LOG_FORMAT`` (:class:`LogSettings`)."""

    model_config = SettingsConfigDict(env_prefix="ANTRE_", extra="ignore")

    hall_file: Path = Path("examples/kendari.yaml")
    state_dir: Path = Path(".antre")
    # Empty: a SQLite file in the state folder. Production: postgresql://... (psycopg 3).
    database_url: str = ""
    # PostgreSQL schema holding this service's tables; empty: the service's name.
    database_schema: str = ""
    # One server, or every node of a cluster separated by commas: the client connects to any of
    # them and moves to another when its node goes down.
    nats_url: str = "nats://127.0.0.1:4222"
    # Copies of the hall's stream (and its consumers) a service creates when the stream is
    # missing: 3 on a three-node cluster, so the hall goes on when any one node dies. JetStream
    # allows at most 5.
    nats_replicas: int = 1
    # Demo halls open whatever the hour (marked on every page); real halls honour their hours.
    demo: bool = False
    otlp_endpoint: str = ""
    # Our own proxies (the ingress controller's pods), as addresses or CIDRs separated by commas.
    # Only a request whose TCP peer is one of them has its X-Forwarded-For read, for the limits
    # keyed on the client (booking, signing in); empty: no header is believed, the peer is it.
    trusted_proxies: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("nats_url")
    @classmethod
    def _some_server(cls, value: str) -> str:
        if not nats_servers(value):
            raise ValueError("ANTRE_NATS_URL kosong / ANTRE_NATS_URL is empty: give one nats:// URL or more")
        return value

    @field_validator("nats_replicas")
    @classmethod
    def _replicas_jetstream_allows(cls, value: int) -> int:
        if not 1 <= value <= 5:
            raise ValueError(f"ANTRE_NATS_REPLICAS harus 1 sampai 5 / must be 1 to 5, not {value}")
        return value

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _cidrs(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part for part in value.replace(",", " ").split() if part]
        if isinstance(value, list):
            networks(str(v) for v in value)  # raises, naming the entry that is no CIDR
        return value

    @model_validator(mode="after")
    def _no_example_secrets(self) -> Self:
        """Every secret (a ``SecretStr`` setting) outside demo mode is a real one, or absent."""
        if self.demo:
            return self
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr) and value.get_secret_value().strip().lower() in EXAMPLE_SECRETS:
                raise ValueError(example_secret(name))
        return self

    def db_url(self, service: str) -> str:
        return self.database_url or f"sqlite:///{self.state_dir / (service + '.db')}"

    def db_schema(self, service: str) -> str:
        return self.database_schema or service

    def nats_servers(self) -> list[str]:
        return nats_servers(self.nats_url)


def nats_servers(urls: str) -> list[str]:
    """``nats://a:4222, nats://b:4222`` -> each URL (blanks and spaces dropped)."""
    return [url.strip() for url in urls.split(",") if url.strip()]


def example_secret(name: str) -> str:
    variable = f"ANTRE_{name.upper()}"
    return (
        f"{variable} masih berisi nilai contoh; di luar mode demo berikan rahasia acak / "
        f"{variable} still holds an example value; outside demo mode give a random secret"
    )
