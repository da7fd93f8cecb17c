"""The display's work: the hall's events on the boards and in the voice, the officers' messages,
what speaker boards report, the boards as devices, and what boards read.

- :mod:`.calls`: ticket and counter events to the board's rows and the zones' voice.
- :mod:`.voice`: a call put in its zone's log; a speaker board's report on an entry.
- :mod:`.messages`: an officer's service message ahead of the waiting calls.
- :mod:`.boards`: the boards' heartbeats, and boards gone silent.
- :mod:`.skm_index`: the month's satisfaction index for the boards' footer.
- :mod:`.queries`: what a zone's board shows, and its announcement log.
- :mod:`.wire`: the one wire edge: events consumed become domain values, events published are built.
"""

from services.display.handlers.boards import heartbeat, watch
from services.display.handlers.calls import CONSUMER, on_hall_events, prune
from services.display.handlers.deps import VOICE_LANG, Deps, MessageCap, VoiceDeps, topic
from services.display.handlers.messages import post_message
from services.display.handlers.queries import BoardView, announcements_after, board, last_seq
from services.display.handlers.skm_index import on_index
from services.display.handlers.voice import Decision, report, told

__all__ = [
    "CONSUMER",
    "VOICE_LANG",
    "BoardView",
    "Decision",
    "Deps",
    "MessageCap",
    "VoiceDeps",
    "announcements_after",
    "board",
    "heartbeat",
    "last_seq",
    "on_hall_events",
    "on_index",
    "post_message",
    "prune",
    "report",
    "told",
    "topic",
    "watch",
]
