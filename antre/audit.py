"""The audit log: every administrative action is an ``AuditRecorded`` event, staged in the same
transaction as the change (so the log and the change never disagree). Never a secret in it."""

from __future__ import annotations

import datetime as dt

from antre.events import new_meta
from antre.roles import Person
from antre.v1 import events_pb2 as pb

HALL_WIDE = "_hall"  # the subject's agency token for the whole hall (agency codes never start "_")


def audit_event(
    hall: str,
    now: dt.datetime,
    actor: Person | None,
    action: str,
    target: str,
    detail: str = "",
    agency: str = "",
) -> pb.AuditRecorded:
    """``actor`` None: the command line on the server itself."""
    return pb.AuditRecorded(
        meta=new_meta(hall, agency or HALL_WIDE, now),
        actor=actor.username if actor else "cli",
        actor_role=actor.role.value if actor else "",
        action=action,
        target=target,
        detail=detail,
    )
