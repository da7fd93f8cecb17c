"""What an announcement says in the hall's languages, from the hall file's templates, and how long
it takes to say (the voice pack's clips, else an estimate). Pure: the arbiter calls it to render
one call, or a group of calls, or a service message."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass, field

from antre.hall.model import Announcements, Hall
from antre.speech import render_call, render_message, text_words, vocabulary
from services.display.domain.announcements import Part, Segment, segments_duration

# Between the calls of a group: "... loket tiga; nomor antrean Be nol nol tujuh, ..."
GROUP_JOIN = "; "


@dataclass(frozen=True)
class Wording:
    """The hall's voice settings and the clips a board has, by language (token -> seconds)."""

    voice: Announcements
    agencies: Mapping[str, tuple[str, str]] = field(default_factory=dict)  # code -> (name, name_en)
    clips: Mapping[str, Mapping[str, float]] = field(default_factory=dict)
    pause_seconds: float = 0.25

    @classmethod
    def of(
        cls, hall: Hall, clips: Mapping[str, Mapping[str, float]] | None = None, pause_seconds: float = 0.25
    ) -> Wording:
        agencies = {a.code: (a.name, a.name_en or a.name) for a in hall.agencies}
        return cls(hall.announcements, agencies, clips or {}, pause_seconds)

    def template(self, lang: str) -> str:
        return self.voice.template_en if lang == "en" else self.voice.template_id

    def agency_name(self, code: str, lang: str) -> str:
        names = self.agencies.get(code)
        if names is None:
            return ""
        return names[1] if lang == "en" else names[0]

    def sentence(self, parts: tuple[Part, ...], lang: str) -> str:
        """The calls in one language; a group's later calls joined with a semicolon."""
        said = [
            render_call(self.template(lang), p.number, p.counter, self.agency_name(p.agency, lang), lang)
            for p in parts
        ]
        return GROUP_JOIN.join([said[0], *(s[:1].lower() + s[1:] for s in said[1:])])

    def calls(self, parts: tuple[Part, ...]) -> tuple[str, tuple[Segment, ...], dt.timedelta]:
        """A :data:`~services.display.domain.arbiter.Render`: text (Indonesian), segments, length.
        Raises ValueError for a number no voice can read."""
        segments = tuple(Segment(lang, self.sentence(parts, lang)) for lang in self.voice.languages)
        return segments[0].text, segments, self.duration(segments)

    def message(
        self, code: str | None, text: str | None, counter: int | None
    ) -> tuple[str, tuple[Segment, ...], dt.timedelta]:
        """A service message: a hall template by ``code`` (in every language it has), or free
        ``text`` (Indonesian only: nobody translates it). Raises KeyError for an unknown code and
        ValueError for a template that needs a counter."""
        if code is not None:
            found = self.voice.message(code)
            if found is None:
                raise KeyError(code)
            by_lang = {"id": found.id, "en": found.en}
            segments = tuple(
                Segment(lang, render_message(by_lang[lang], counter, lang))
                for lang in self.voice.languages
                if by_lang[lang]
            )
        else:
            segments = (Segment("id", " ".join((text or "").split())),)
        return segments[0].text, segments, self.duration(segments)

    def duration(self, segments: tuple[Segment, ...]) -> dt.timedelta:
        return segments_duration(segments, self.clips, self.pause_seconds)


def hall_vocabulary(hall: Hall, lang: str) -> tuple[str, ...]:
    """Every clip a voice pack needs for this hall in one language: the numbers, letters and
    words of :func:`vocabulary`, plus the words of the hall's templates, its messages and (when
    a template says ``{agency}``) its agencies' names. Free-text messages may need more: a board
    says those with its speech engine when a word has no clip."""
    voice = hall.announcements
    template = voice.template_en if lang == "en" else voice.template_id
    texts = [template, *(m.en if lang == "en" else m.id for m in voice.messages)]
    if "{agency}" in template:
        texts += [(a.name_en or a.name) if lang == "en" else a.name for a in hall.agencies]
    return tuple(sorted({*vocabulary(lang), *text_words(texts)}))
