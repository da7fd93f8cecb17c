"""Security tests that need the running hall use the end-to-end rings' fixture."""

from tests.e2e.conftest import start_hall

__all__ = ["start_hall"]
