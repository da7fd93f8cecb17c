"""A small client of Antre's booking API for an agency's own system (see docs/agency-api.md)."""

from examples.agency_client.client import AgencyClient, AntreError

__all__ = ["AgencyClient", "AntreError"]
