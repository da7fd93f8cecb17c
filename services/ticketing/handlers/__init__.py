"""Ticketing's work: walk-in numbers at the kiosk, online bookings and their check-in, the
kiosks as devices, and the counters' reports its status pages follow.

- :mod:`.tickets`: issuing a number, its print confirmed or failed, a past day's leftovers.
- :mod:`.bookings`: booking, looking up, cancelling, moving and unlocking a booking.
- :mod:`.phones`: an online booker's phone proved by a one-time code.
- :mod:`.check_ins`: a booking's ticket at the kiosk; bookings nobody came for become no-shows.
- :mod:`.kiosks`: enrolling and revoking kiosks, their heartbeats, which kiosk asks.
- :mod:`.limits`: the booking API's limits, shared by every replica.
- :mod:`.events`: the counters' reports on ticketing's tickets.
- :mod:`.queries`: a ticket, and a service's days, sessions and places left.
"""

from services.ticketing.handlers.deps import Deps
from services.ticketing.handlers.events import CONSUMER, on_queue_events
from services.ticketing.handlers.queries import get
from services.ticketing.handlers.tickets import (
    IssueTicket,
    cancel_print,
    confirm_print,
    end_past_days,
    expire_prints,
    issue,
)

__all__ = [
    "CONSUMER",
    "Deps",
    "IssueTicket",
    "cancel_print",
    "confirm_print",
    "end_past_days",
    "expire_prints",
    "get",
    "issue",
    "on_queue_events",
]
