"""Notify's work: turning events into deliveries owed to agencies' webhooks and to citizens who
booked, paying them, and the periodic jobs and the opt-out behind citizens' messages.

- :mod:`.webhooks`: events to webhook deliveries.
- :mod:`.citizens`: booking and ticket events to contacts and citizens' messages; the opt-out.
- :mod:`.jobs`: reminders, "your turn is near", the purge.
- :mod:`.phone_codes`: one-time codes proving a citizen holds a phone or email.
- :mod:`.sending`: the worker that sends what is due, on every channel.
- :mod:`.queries`: what operators read.
"""

from services.notify.handlers.citizens import on_citizen_events, opt_out
from services.notify.handlers.deps import Citizens, Deps, Positions, Sender
from services.notify.handlers.jobs import check_positions, purge, recheck_positions, remind
from services.notify.handlers.phone_codes import check_code, purge_codes, send_code
from services.notify.handlers.queries import get_delivery, list_deliveries
from services.notify.handlers.sending import deliver_due
from services.notify.handlers.webhooks import CONSUMER, on_events

__all__ = [
    "CONSUMER",
    "Citizens",
    "Deps",
    "Positions",
    "Sender",
    "check_code",
    "check_positions",
    "deliver_due",
    "get_delivery",
    "list_deliveries",
    "on_citizen_events",
    "on_events",
    "opt_out",
    "purge",
    "purge_codes",
    "recheck_positions",
    "remind",
    "send_code",
]
