"""How public lists refer to a ticket without revealing its id (the id is the key of the
citizen's status page): the first 24 hex digits of its SHA-256. Whoever holds a ticket can find
it in such a list; the list itself gives no page away."""

from __future__ import annotations

import hashlib


def ticket_key(ticket_id: str) -> str:
    return hashlib.sha256(ticket_id.encode()).hexdigest()[:24]
