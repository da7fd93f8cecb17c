"""Refusals a domain can raise, each with a stable code and a message in Bahasa Indonesia and
English. Standard library only: services' domains raise these; the web layer maps each kind to an
HTTP status (see :mod:`antre.web`)."""

from __future__ import annotations


class Problem(Exception):
    """A request the hall refuses. Nothing was changed."""

    def __init__(self, code: str, message: str, message_en: str, **details: object) -> None:
        super().__init__(f"{code}: {message_en}")
        self.code = code
        self.message = message
        self.message_en = message_en
        self.details = details


class NotFound(Problem):
    pass


class Invalid(Problem):
    pass


class Conflict(Problem):
    """The request is valid but the thing is not in a state that allows it."""


class Refused(Problem):
    """The hall will not do it now (closed, past cutoff, quota full)."""


class Forbidden(Problem):
    pass


class Unauthorized(Problem):
    pass


class Unavailable(Problem):
    """A part the request needs (a printer, another service) cannot be reached now."""


class TooMany(Problem):
    """Too many requests from one phone or client in a short time."""
