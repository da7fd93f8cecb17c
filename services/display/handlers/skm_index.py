"""The hall's satisfaction index of the month (``skm.index``, published by reports) kept for the
boards' footer (:func:`services.display.domain.ikm.board_line`). Where the hall file shows it
(``boards.show_ikm``), every zone's boards are told once it is stored."""

from __future__ import annotations

from collections.abc import Sequence

from antre.bus import consumed
from antre.events import Envelope
from services.display.adapters import repository as repo
from services.display.handlers import wire
from services.display.handlers.deps import Deps, topic


def on_index(deps: Deps, envelopes: Sequence[Envelope]) -> None:
    """Idempotent: an index stored again, or older than the month's stored one, changes nothing."""
    with deps.uow.begin() as tx:
        for envelope in envelopes:
            index = wire.month_index(envelope.message)
            if index is not None:
                with consumed(envelope):
                    repo.save_month_index(tx.conn, index)
    if deps.hall.boards.show_ikm:
        for zone in deps.hall.zones:
            deps.live.publish(topic(zone.code), ("board", None))
