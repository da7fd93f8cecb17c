"""The SKM survey's record: a ``survey.answered`` event is the response as it stands (a change
is the same event again), written by ticket, so a replay gives back every response exactly."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Connection

from antre.events import to_datetime
from antre.v1 import events_pb2 as pb
from services.reports.adapters import record
from services.reports.adapters.tables import surveys

UNSUR = 9


def apply_answered(conn: Connection, hall: str, msg: pb.SurveyAnswered) -> None:
    scores = list(msg.scores)
    if len(scores) != UNSUR:
        return  # not a response this version can count (the route never publishes one)
    at = to_datetime(msg.meta.occurred_at)
    row = {
        "ticket_id": msg.ticket.ticket_id,
        "hall": hall,
        "day": dt.date.fromisoformat(msg.ticket.hall_day),  # the visit's day, set by the route
        "service": msg.ticket.service,
        "agency": msg.meta.agency,
        **{f"u{i + 1}": score for i, score in enumerate(scores)},
        "age": msg.age or None,
        "sex": msg.sex,
        "education": msg.education,
        "occupation": msg.occupation,
        "suggestion": msg.suggestion,
        "answered_at": to_datetime(msg.answered_at) if msg.HasField("answered_at") else at,
        "changed_at": at,
    }
    record.upsert(conn, surveys, ["ticket_id"], [row])
