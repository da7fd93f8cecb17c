"""The display's HTTP side as a board uses it: snapshot, log, live stream with resync, pages."""

from __future__ import annotations

import datetime as dt
import re
import time

import httpx
import pytest

from services.display import handlers
from tests.integration.display.display_live import LiveDisplay, SseReader
from tests.unit.display import display_factories as f

ZONE = "lantai-1-a"


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def feed(display: LiveDisplay, *envelopes: f.Envelope) -> None:
    handlers.on_hall_events(display.deps, list(envelopes))


def gauge(client: httpx.Client, zone: str) -> float | None:
    found = re.search(rf'antre_board_connections\{{zone="{zone}"\}} ([0-9.]+)', client.get("/metrics").text)
    return float(found.group(1)) if found else None


def test_the_board_snapshot(display: LiveDisplay) -> None:
    hall = display.deps.hall
    t = now()
    feed(
        display,
        *[f.issued(hall, f"t{n}", f"A-{n:03d}", "ktp-el", t, day=hall.day_of(t).isoformat()) for n in (1, 2)],
    )
    feed(display, f.called(hall, "t1", "A-001", "ktp-el", 3, t))
    with display.client() as c:
        body = c.get(f"/api/v1/zones/{ZONE}/board").json()
    assert body["hall"] == {"id": hall.id, "name": hall.name, "timezone": "Asia/Makassar"}
    assert body["zone"]["code"] == ZONE and body["zone"]["name"].startswith("Lantai 1")
    assert body["demo"] is True
    assert body["last_seq"] == 1
    assert body["stale_seconds"] == 30.0
    [calling] = body["now_calling"]
    assert calling["number"] == "A-001" and calling["counter"] == 3
    assert calling["counter_name"] == "Loket 3 Disdukcapil"
    assert body["recent"][0]["number"] == "A-001"
    ktp = next(w for w in body["waiting"] if w["service"] == "ktp-el")
    assert ktp == {
        "service": "ktp-el",
        "name": ktp["name"],
        "name_en": ktp["name_en"],
        "prefix": "A",
        "agency": "dukcapil",
        "waiting": 1,
    }
    assert [a["seq"] for a in body["upcoming"]] in ([], [1])
    assert "ticket_id" not in str(body)  # a ticket id opens the citizen's status page: never public


def test_the_announcement_log(display: LiveDisplay) -> None:
    hall = display.deps.hall
    feed(display, *[f.called(hall, f"t{n}", f"A-{n:03d}", "ktp-el", n, now()) for n in (1, 2, 3)])
    with display.client() as c:
        body = c.get(f"/api/v1/zones/{ZONE}/announcements", params={"after": 1}).json()
        assert c.get(f"/api/v1/zones/{ZONE}/announcements", params={"after": -1}).status_code == 422
    assert [a["seq"] for a in body["announcements"]] == [2, 3]
    first = body["announcements"][0]
    assert first["text"] == "Nomor antrean A nol nol dua, silakan menuju loket dua"
    assert first["kind"] == "call" and first["stale"] is False and first["resync"] is False
    words = ["nomor", "antrean", "a", "nol", "nol", "dua", "_pause", "silakan", "menuju", "loket", "dua"]
    assert first["tokens"] == ["_chime", *words]
    assert first["voice_lang"] == "id" and first["lang"] == "id-ID"
    assert dt.datetime.fromisoformat(first["starts_at"]) > dt.datetime.fromisoformat(first["created_at"])


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/zones/atap/board",
        "/api/v1/zones/atap/announcements",
        "/api/v1/zones/atap/events",
        "/boards/atap",
    ],
)
def test_an_unknown_zone_is_a_bilingual_404(display: LiveDisplay, path: str) -> None:
    with display.client() as c:
        response = c.get(path)
    assert response.status_code == 404
    error = response.json()["error"]
    assert error["code"] == "unknown_zone"
    assert error["message"] == "Zona 'atap' tidak dikenal"
    assert error["message_en"] == "Unknown zone 'atap'"


def test_the_pages_load_only_from_the_display(display: LiveDisplay) -> None:
    with display.client() as c:
        index = c.get("/").text
        page = c.get(f"/boards/{ZONE}")
        assets = [c.get(f"/static/{name}") for name in ("board.js", "board.css", "voice.js")]
    for zone in ("lantai-1-a", "lantai-1-b", "lantai-2"):
        assert f'href="/boards/{zone}"' in index
        assert f'href="/boards/{zone}?speaker=1"' in index  # the one TV of the zone that speaks
    assert page.status_code == 200 and "SEDANG DIPANGGIL" in page.text
    assert all(a.status_code == 200 for a in assets)
    for text in [index, page.text, *(a.text for a in assets)]:
        assert not re.search(r"(src|href)=\"(https?:)?//", text)  # offline-first: no CDN, no web fonts
        assert "@import" not in text and "url(http" not in text


def test_the_live_stream(display: LiveDisplay) -> None:
    hall = display.deps.hall
    feed(display, f.called(hall, "t0", "A-000", "ktp-el", 1, now()))
    with display.client() as c, c.stream("GET", f"/api/v1/zones/{ZONE}/events") as stream:
        assert stream.headers["content-type"].startswith("text/event-stream")
        events = SseReader(stream.iter_lines())
        snapshot = events.next()
        assert snapshot.event == "snapshot"
        assert snapshot.id == "1"  # a fresh page resumes after the board it was shown
        assert snapshot.data["last_seq"] == 1
        assert gauge(c, ZONE) == 1.0

        feed(display, f.called(hall, "t1", "A-001", "ktp-el", 3, now()))
        announcement = events.next()
        assert (announcement.event, announcement.id) == ("announcement", "2")
        assert announcement.data["number"] == "A-001" and announcement.data["counter"] == 3
        board = events.next()
        assert board.event == "board"
        assert board.data["now_calling"][0]["number"] == "A-001"

        feed(display, f.issued(hall, "b1", "P-001", "skck", now()))  # another zone's service
        feed(display, f.completed(hall, "t1", "A-001", "ktp-el", 3, now()))
        assert events.next().data["now_calling"][0]["number"] == "A-000"  # only this zone's change came
    deadline = time.monotonic() + 5
    with display.client() as c:
        while gauge(c, ZONE) != 0.0 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gauge(c, ZONE) == 0.0


def test_a_reconnecting_board_gets_what_it_missed(display: LiveDisplay) -> None:
    hall = display.deps.hall
    feed(display, f.called(hall, "old", "A-001", "ktp-el", 1, now() - dt.timedelta(minutes=5)))
    feed(display, f.called(hall, "new", "A-002", "ktp-el", 2, now()))
    with display.client() as c:
        with c.stream("GET", f"/api/v1/zones/{ZONE}/events", headers={"Last-Event-ID": "0"}) as stream:
            events = SseReader(stream.iter_lines())
            snapshot = events.next()
            assert snapshot.event == "snapshot" and snapshot.id is None  # keeps the page's own id
            missed = [events.next(), events.next()]
        assert [(e.event, e.id) for e in missed] == [("announcement", "1"), ("announcement", "2")]
        assert all(e.data["resync"] for e in missed)
        assert [e.data["stale"] for e in missed] == [True, False]  # shown, but only the fresh one spoken

        with c.stream("GET", f"/api/v1/zones/{ZONE}/events?last_event_id=1") as stream:
            events = SseReader(stream.iter_lines())
            events.next()
            assert events.next().id == "2"


def test_without_a_voice_pack_boards_are_told_to_use_speech(display: LiveDisplay) -> None:
    with display.client() as c:
        manifest = c.get("/voice/manifest.json")
        clip = c.get("/voice/id/nomor.wav")
        metrics = c.get("/metrics").text
    assert manifest.status_code == 404 and manifest.json()["error"]["code"] == "no_voice_pack"
    assert "suara peramban" in manifest.json()["error"]["message"]
    assert clip.status_code == 404
    assert 'antre_voice_clips{lang="id"} 0.0' in metrics  # an alert can tell the hall runs without
