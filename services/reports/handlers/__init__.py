"""The reports service's work: the hall's events into the visit record (:mod:`.recording`), the
SKM survey's responses (:mod:`.surveys`), and what managers read (:mod:`.queries`)."""

from services.reports.handlers.deps import Deps
from services.reports.handlers.recording import CONSUMER, on_events

__all__ = ["CONSUMER", "Deps", "on_events"]
