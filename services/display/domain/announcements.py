"""The hall's announcement arbiter: when each call may be spoken.

Kendari's agencies feared that calls from many counters would talk over each other. The arbiter
keeps one ordered log per zone (the zone of the calling counter) and gives every call and every
recall a slot in it.

Invariants, for two announcements ``a`` and ``b`` of one zone with ``a.seq < b.seq``:

- ``b.starts_at >= a.ends_at + gap``: within a zone the voice never overlaps itself, and the
  hall hears a pause of at least ``gap`` between two calls;
- hence ``a.starts_at < b.starts_at``: a zone's log is spoken in the order it was written;
- ``a.starts_at >= a.created_at``: nothing is spoken before the counter called it.

Zones are independent: a call in one zone never waits for another zone's voice. A recall is
one more announcement (kind ``recall``), queued like any call.

The duration of an announcement is the length of its clips played back to back when the hall's
voice pack has them all (see :func:`spoken_duration`: then a board plays exactly the slot it was
given), else an estimate made from its words (see :func:`estimate_duration`) for the board's
speech engine; a board whose engine is slower still never speaks two at once, it only falls
behind its schedule.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum

from antre.speech import CHIME, PAUSE, tokenize

# A two-tone chime precedes every call so that the hall turns its head before the number.
CHIME_SECONDS = 2.0
# id-ID speech engines at their default rate say about three words a second, and spelled-out
# numbers ("nol satu dua") are short words; 0.35 s a word leaves a little room for the commas.
SECONDS_PER_WORD = 0.35


class Kind(StrEnum):
    CALL = "call"
    RECALL = "recall"
    GROUP = "group"  # several calls of a zone said as one (see :mod:`.arbiter`)
    MESSAGE = "message"  # a service message an operator posted: goes ahead of waiting calls


@dataclass(frozen=True)
class Part:
    """One call (or recall) an announcement says: a group says several, in call order."""

    ticket_id: str
    number: str
    counter: int
    kind: Kind
    created_at: dt.datetime
    agency: str = ""  # the code of the agency whose counter called, for "{agency}" in a template


@dataclass(frozen=True)
class Caller:
    """Who posts a message: an officer signed in at the counters (``agency`` empty: the hall's
    admin, who may address every zone)."""

    username: str
    agency: str


@dataclass(frozen=True)
class Segment:
    """The announcement's words in one language; a bilingual hall says Indonesian, then English."""

    lang: str
    text: str


@dataclass(frozen=True)
class Announcement:
    """One entry of a zone's log. ``seq`` is 0 until the log (or the database) numbers it;
    ``created_at`` is when the counter called, ``starts_at`` when the chime begins.

    ``ticket_id``, ``number`` and ``counter`` are the first call's (empty for a message);
    ``parts`` every call it says (empty: the one call above, or none for a message);
    ``segments`` its words per language (empty: ``text`` in Indonesian); ``replaces`` the seqs of
    entries it stands for (a group that grew, or an entry moved behind a message): a board drops
    those and plays this one."""

    seq: int
    zone: str
    ticket_id: str
    number: str
    counter: int
    text: str
    kind: Kind
    created_at: dt.datetime
    starts_at: dt.datetime
    duration: dt.timedelta
    parts: tuple[Part, ...] = ()
    segments: tuple[Segment, ...] = ()
    replaces: tuple[int, ...] = ()
    posted_by: str = ""  # a message's officer (their messages are capped per zone); "" for calls

    @property
    def calls(self) -> tuple[Part, ...]:
        if self.parts or self.kind == Kind.MESSAGE:
            return self.parts
        return (Part(self.ticket_id, self.number, self.counter, self.kind, self.created_at),)

    @property
    def spoken(self) -> tuple[Segment, ...]:
        return self.segments or (Segment("id", self.text),)

    @property
    def tokens(self) -> tuple[str, ...]:
        """The voice pack's clips for this announcement's first language: the chime, then its
        words (see :func:`segment_tokens` for every language)."""
        return segment_tokens(self.spoken)[0]

    @property
    def ends_at(self) -> dt.datetime:
        return self.starts_at + self.duration

    @property
    def delay(self) -> dt.timedelta:
        """How far behind the hall's voice was when this call came: the wait for its slot."""
        return self.starts_at - self.created_at

    def is_stale(self, now: dt.datetime, stale_after: dt.timedelta) -> bool:
        """Too old to speak: a board that learns of it late shows it but stays silent, since
        a voice calling a number long after the counter did only confuses the hall."""
        return now - self.starts_at > stale_after


def estimate_duration(
    text: str, *, seconds_per_word: float = SECONDS_PER_WORD, chime_seconds: float = CHIME_SECONDS
) -> dt.timedelta:
    """Chime plus words: "Nomor antrean A nol satu dua, silakan menuju loket tiga" is 10 words,
    2 + 10 x 0.35 = 5.5 seconds."""
    return dt.timedelta(seconds=chime_seconds + seconds_per_word * len(text.split()))


def spoken_duration(
    tokens: Sequence[str], clips: Mapping[str, float], pause_seconds: float
) -> dt.timedelta | None:
    """How long the clips of ``tokens`` last played back to back (``clips``: seconds per clip
    name; a :data:`PAUSE` is ``pause_seconds`` of silence). None when a clip is missing: the
    board then speaks the text with its speech engine, and only an estimate can time that."""
    seconds = 0.0
    for token in tokens:
        if token == PAUSE:
            seconds += pause_seconds
        elif token in clips:
            seconds += clips[token]
        else:
            return None
    return dt.timedelta(seconds=seconds)


def segment_tokens(segments: Sequence[Segment]) -> tuple[tuple[str, ...], ...]:
    """The clips of each segment, played back to back: the chime before the first, a pause
    before each later one (between "... loket tiga" and "Number A zero ...")."""
    return tuple(
        ((CHIME,) if i == 0 else (PAUSE,)) + tuple(tokenize(segment.text))
        for i, segment in enumerate(segments)
    )


def segments_duration(
    segments: Sequence[Segment], clips: Mapping[str, Mapping[str, float]], pause_seconds: float
) -> dt.timedelta:
    """How long an announcement plays: each segment from its language's clips when the pack has
    them all, else estimated for the speech engine (a board speaks the whole announcement with
    its engine then, see board.js, so the estimate covers every segment)."""
    timed = [
        spoken_duration(tokens, clips.get(segment.lang, {}), pause_seconds)
        for segment, tokens in zip(segments, segment_tokens(segments), strict=True)
    ]
    if all(t is not None for t in timed):
        return sum((t for t in timed if t is not None), dt.timedelta(0))
    words = " ".join(segment.text for segment in segments)
    return estimate_duration(words)


def schedule(
    last_end: dt.datetime | None, now: dt.datetime, duration: dt.timedelta, gap: dt.timedelta
) -> dt.datetime:
    """When the next announcement of a zone may start: at once if the zone is quiet, otherwise
    ``gap`` after the zone's last announcement ends. ``duration`` is the new announcement's own
    length; it does not move its start, but it must be a length (it becomes the next ``last_end``)."""
    if duration < dt.timedelta(0) or gap < dt.timedelta(0):
        raise ValueError("duration and gap cannot be negative")
    if last_end is None:
        return now
    return max(now, last_end + gap)
