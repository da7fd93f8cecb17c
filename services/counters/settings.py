"""The counters' settings (``ANTRE_*`` environment variables)."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, field_validator
from pydantic_settings import NoDecode

from antre.settings import ServiceSettings


class Settings(ServiceSettings):
    # The hall's staff pages served from other hosts (the reports service's live hall and
    # reports), as origins separated by commas, e.g. https://laporan.mpp.example. Their pages sign
    # in here and ask who is signed in from the browser; every other origin is refused by the
    # browser. Tokens travel in the Authorization header, never in cookies, so allowing an origin
    # lets its pages send a token they hold, nothing more.
    staff_origins: Annotated[list[str], NoDecode] = Field(default_factory=list)

    @field_validator("staff_origins", mode="before")
    @classmethod
    def _origins(cls, value: object) -> object:
        if isinstance(value, str):
            value = [part.rstrip("/") for part in value.replace(",", " ").split() if part]
        return value
