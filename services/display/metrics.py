"""The display's metrics, made on the registry bootstrap hands in (nothing at import time).

- ``antre_announcements_total{zone,kind}``: calls and recalls put in a zone's log.
- ``antre_announcement_delay_seconds{zone}``: from the counter's call to the chime, i.e. how far
  behind the hall's voice is (0 when the zone was quiet; grows in a burst of calls).
- ``antre_announcements_grouped_total{zone}``: calls that joined a waiting announcement of their
  zone (a burst: the voice would have fallen more than the hall's ``group_lag_seconds`` behind).
- ``antre_announcement_outcomes_total{zone,outcome}``: what speaker boards reported: ``spoken``,
  or ``stale`` (learnt of too late to say).
- ``antre_board_connections{zone}``: boards (pages) connected to a zone's live stream now.
- ``antre_voice_clips{lang}``: clips of the voice pack boards play (0 for every language: no pack,
  boards speak with the browser's speech engine, whose voice and timing vary).
"""

from __future__ import annotations

from prometheus_client import CollectorRegistry, Counter, Gauge, Histogram


class Metrics:
    def __init__(self, registry: CollectorRegistry) -> None:
        self.announcements = Counter(
            "antre_announcements_total",
            "Announcements scheduled in a zone's log",
            ["zone", "kind"],
            registry=registry,
        )
        self.delay = Histogram(
            "antre_announcement_delay_seconds",
            "Time from a call to the start of its announcement",
            ["zone"],
            buckets=(0.0, 1.0, 2.5, 5.0, 10.0, 20.0, 30.0, 60.0, 120.0, 300.0),
            registry=registry,
        )
        self.grouped = Counter(
            "antre_announcements_grouped_total",
            "Calls said in a group with other calls of their zone",
            ["zone"],
            registry=registry,
        )
        self.outcomes = Counter(
            "antre_announcement_outcomes_total",
            "Speaker boards' reports on announcements: spoken or stale",
            ["zone", "outcome"],
            registry=registry,
        )
        self.voice_clips = Gauge(
            "antre_voice_clips",
            "Clips in the voice pack the boards play, by language",
            ["lang"],
            registry=registry,
        )
        self.connections = Gauge(
            "antre_board_connections",
            "Board pages connected to a zone's live stream",
            ["zone"],
            registry=registry,
        )
