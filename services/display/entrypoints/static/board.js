// A zone's board: live state from /api/v1/zones/{zone}/events, and the hall's voice.
//
// One speaker per zone: only a page opened with ?speaker=1 makes sound (the TV wired to the
// zone's loudspeakers); every other page of the zone only shows. The voice rules (see
// services/display/domain/announcements.py for the server's side):
// - play each announcement at its starts_at, in server time (offset taken from server_time),
//   from the voice pack's clips (voice.js: Web Audio, back to back, no gap between clips); the
//   browser's speech engine only when a clip is missing;
// - one at a time: a single loop schedules, in seq order, each one after the previous ends;
// - never one whose seq is <= the last one played on this screen (localStorage, per zone), so a
//   refresh never replays a call; never a stale one (shown, not spoken);
// - an announcement that "replaces" others (a group that grew in a burst, calls moved behind a
//   service message) is played instead of them: they leave the queue (the arbiter only replaces
//   announcements that no board has begun);
// - every language of an announcement in turn (segments: Indonesian, then English), all from
//   clips when the pack has every clip of every segment, else all with the speech engine;
// - the speaker page reports each announcement it began ("spoken") or gave up ("stale") to
//   POST .../announcements/{seq}/outcome, so the arbiter's decisions can be measured.
// A speaker page plays as soon as its browser lets it: at once where autoplay is allowed (a TV
// whose browser starts with --autoplay-policy=no-user-gesture-required, see docs/boards.md),
// else from the first touch of the screen, with a large prompt saying why until then. The
// ?speaker=1 address is the setting: nothing has to be kept on the screen, so a TV that boots
// into a fresh browser profile speaks again.
// An enrolled board beats (POST /api/v1/boards/me/heartbeat) and says whether it can be heard,
// so the live hall shows a board that stopped, and a speaker board its browser keeps silent.
// window.antreBoard.played keeps {seq, number, counter, startedAt, endedAt, via} (server-time
// ms) for browser tests; each start is also told as a window event "antre:play".
(function () {
  "use strict";

  const zone = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const params = new URLSearchParams(location.search);
  const SPEAKER = params.get("speaker") === "1";
  const LAST_KEY = "antre.board." + zone + ".lastPlayed";
  const SOUND_KEY = "antre.board.sound"; // "on": touched once (only a browser without Web Audio needs it)
  const HAS_AUDIO = !!(window.AudioContext || window.webkitAudioContext);
  const PROMPT_GRACE_MS = 1000; // a browser that allows sound has started the audio clock by then
  const LEAD_MS = 300;      // clips are handed to the audio thread this long before their start
  const OFFSET_SAMPLES = 20;
  const KEEP = 1000;
  const DEVICE = deviceToken();
  const SESSION = Math.random().toString(36).slice(2); // this load of the page, for test logs        // entries kept in each log below, and seqs remembered as queued
  const ZONE_ABBR = {
    "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT",
  };

  const state = {
    offsetMs: 0,          // server clock minus this screen's clock
    offsets: [],          // the last samples of it
    staleMs: 30000,
    timezone: "Asia/Makassar",
    board: null,
    queue: [],            // announcements waiting for their slot, by seq
    queued: new Set(),
    replaced: new Set(),  // seqs an announcement received since stands for: never played
    playing: null,        // the announcement being heard
    busyUntil: 0,         // server ms at which the voice scheduled so far ends
    busyAudio: 0,         // the same on the audio clock (seconds), which decides overlaps
    pumping: false,
    lastSeen: null,       // last announcement seq received, for a manual reconnect
    source: null,
  };
  const voice = window.AntreVoice.create({ langs: ["id", "en"], log: (m) => console.info("antre voice:", m) });
  const board = (window.antreBoard = {
    zone: zone, speaker: SPEAKER, played: [], skipped: [], shown: [], state: state, voice: voice,
    serverNow: serverNow,
  });

  const $ = (id) => document.getElementById(id);

  function serverNow() { return Date.now() + state.offsetMs; }
  // A frame arrives some time after the server stamped it, so each sample can only be low: the
  // highest recent one is the best guess of the offset.
  function syncClock(serverTime) {
    state.offsets.push(Date.parse(serverTime) - Date.now());
    if (state.offsets.length > OFFSET_SAMPLES) state.offsets.shift();
    state.offsetMs = Math.max.apply(null, state.offsets);
  }

  function lastPlayed() { return parseInt(localStorage.getItem(LAST_KEY) || "0", 10) || 0; }
  function setLastPlayed(seq) { if (seq > lastPlayed()) localStorage.setItem(LAST_KEY, String(seq)); }
  function soundOn() {
    try { return localStorage.getItem(SOUND_KEY) === "on"; } catch (e) { return false; }
  }
  function sleep(ms) { return new Promise((resolve) => setTimeout(resolve, ms)); }

  // ---- rendering ----

  function el(tag, cls, text) {
    const node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function render(b) {
    state.board = b;
    state.staleMs = b.stale_seconds * 1000;
    state.timezone = b.hall.timezone;
    document.title = "Antrean " + b.zone.name + " / Queue board";
    $("hall-name").textContent = b.hall.name;
    // Bilingual at once, as every label on the board: the zone's English name after its own.
    const zoneEn = b.zone.name_en && b.zone.name_en !== b.zone.name ? b.zone.name_en : "";
    const zoneName = $("zone-name");
    zoneName.replaceChildren(b.zone.name);
    if (zoneEn) {
      const en = el("span", "", " / " + zoneEn);
      en.lang = "en";
      zoneName.append(en);
    }
    $("demo").hidden = !b.demo;
    renderSpotlight();
    $("recent").replaceChildren(...b.recent.map((r) => {
      const li = el("li");
      li.append(el("span", "number", r.number), el("span", "where", "Loket " + r.counter));
      return li;
    }));
    $("waiting").replaceChildren(...b.waiting.map((w) => {
      const li = el("li");
      li.append(el("span", "prefix", w.prefix), el("span", "name", w.name), el("span", "count", w.waiting));
      return li;
    }));
    const ikm = b.ikm;
    $("footer").hidden = !ikm;
    $("ikm").textContent = ikm ? ikm.line : "";
    $("ikm-en").textContent = ikm ? "/ " + ikm.line_en : "";
    fitList($("recent"));
    askAgainAt(b.hours_change_at);
    tick(); // the clock by the server's, at once
  }

  // The hall opens, closes or breaks with no event to tell the board: it asks for itself then.
  let hoursTimer = null;
  function askAgainAt(at, retryMs) {
    clearTimeout(hoursTimer);
    if (!at) return;
    const wait = retryMs || Math.min(Math.max(Date.parse(at) - serverNow() + 1000, 1000), 3600000);
    hoursTimer = setTimeout(() => {
      fetch("/api/v1/zones/" + encodeURIComponent(zone) + "/board", { cache: "no-store" })
        .then((r) => (r.ok ? r.json() : null))
        .then((b) => { if (b) { syncClock(b.server_time); render(b); } else askAgainAt(at, 30000); })
        .catch(() => askAgainAt(at, 30000));
    }, wait);
  }

  // A list shows whole rows only: those that do not fit its panel are left out, not cut in half.
  function fitList(list) {
    const bottom = list.parentElement.getBoundingClientRect().bottom;
    while (list.lastElementChild && list.lastElementChild.getBoundingClientRect().bottom > bottom) {
      list.lastElementChild.remove();
    }
  }

  // The spotlight shows the call being spoken, else the newest call of the zone; the grid shows
  // every other counter's call. A closed hall (after hours, a break, a day it does not open)
  // takes the spotlight unless a call is being said: the calls still on the board go to the grid.
  function renderSpotlight() {
    const b = state.board;
    const closed = b && b.closed && !state.playing ? b.closed : null;
    const call = closed ? null : state.playing || (b && b.now_calling[0]);
    renderCounters(b, call);
    const box = $("spotlight");
    box.classList.toggle("empty", !call && !closed);
    box.classList.toggle("closed", !!closed);
    $("closed").hidden = !closed;
    if (closed) {
      const en = el("span", "", " / " + closed.title_en);
      en.lang = "en";
      $("closed-title").replaceChildren(closed.title, en);
      fitText($("closed-title"));
      phrases($("closed-line"), closed.line);
      phrases($("closed-en"), closed.line_en);
    }
    const message = call && call.kind === "message";
    const calls = call && call.calls && call.calls.length > 1 ? call.calls : null;
    box.classList.toggle("message", !!message);
    box.classList.toggle("many", !!calls);
    $("spotlight-calls").hidden = !calls || !!message || !!closed;
    $("spotlight-number").hidden = $("spotlight-counter").hidden = (!!calls && !message) || !!closed;
    $("spotlight-note").hidden = !!closed;
    if (closed) return;
    if (message) {
      $("spotlight-number").textContent = "PENGUMUMAN";
      $("spotlight-counter").textContent = call.text;
      $("spotlight-note").textContent = "Pengumuman / Announcement";
      fitText($("spotlight-number"));
      return;
    }
    if (calls) {
      renderGroup(calls);
    } else {
      $("spotlight-number").textContent = call ? call.number : "—";
      $("spotlight-counter").textContent = call ? "Loket " + call.counter : "Menunggu panggilan";
      fitText($("spotlight-number"));
    }
    const recall = call && (call.kind === "recall" || call.recalls > 0);
    $("spotlight-note").textContent = recall ? "Panggilan ulang / Recall" : "";
  }

  // "Layanan tutup · buka kembali Senin 08:00": a line that must wrap does so at the dot, never
  // inside "buka kembali Senin 08:00".
  function phrases(node, text) {
    const parts = text.split(" · ");
    node.replaceChildren(...parts.flatMap((p, i) => (i < parts.length - 1
      ? [el("span", "phrase", p + " ·"), " "] : [el("span", "phrase", p)])));
  }

  // A group said as one: a card per call, its number large and its counter right under it, so
  // that each pair reads as one from the back of the hall (never all numbers, then all counters).
  function renderGroup(calls) {
    const list = $("spotlight-calls");
    list.dataset.count = String(Math.min(calls.length, 5));
    list.replaceChildren(...calls.map((c) => {
      const li = el("li");
      li.append(el("span", "number", c.number), el("span", "where", "Loket " + c.counter));
      return li;
    }));
    list.querySelectorAll(".number, .where").forEach(fitText);
  }

  // A line too long for its box (a long prefix, a narrow TV) gets smaller type, never a break
  // inside a number or a word, nor an overflow.
  function fitText(node) {
    node.style.fontSize = "";
    let size = parseFloat(getComputedStyle(node).fontSize);
    const min = size * 0.4;
    while (node.scrollWidth > node.clientWidth + 1 && size > min) {
      size *= 0.92;
      node.style.fontSize = size + "px";
    }
  }

  // Each other counter's call, then each paused counter nobody is at: its slot says why it
  // paused (Istirahat, Sholat, Gangguan sistem, or the officer's own words).
  function renderCounters(b, spot) {
    if (!b) return;
    const paused = new Map(b.counters.filter((c) => c.status === "paused").map((c) => [c.number, c]));
    const spoken = new Set(((spot && spot.calls) || [spot]).filter(Boolean).map((c) => c.counter + "/" + c.number));
    const calling = new Set(b.now_calling.map((c) => c.counter));
    const others = b.now_calling.filter((c) => !spoken.has(c.counter + "/" + c.number));
    const cards = others.map((c) => {
      const stop = paused.get(c.counter);
      const li = el("li", stop ? "paused" : "");
      li.dataset.counter = String(c.counter);
      li.append(el("div", "number", c.number), el("div", "where", "Loket " + c.counter));
      const why = stop && (stop.pause_en !== stop.pause ? stop.pause + " · " + stop.pause_en : stop.pause);
      const note = why || (c.serving ? "sedang dilayani · now serving" : "");
      li.append(el("div", "state", note || "\u00a0"));
      return li;
    });
    paused.forEach((stop, number) => {
      if (calling.has(number)) return;
      const li = el("li", "paused idle");
      li.dataset.counter = String(number);
      // Someone's own words are said once (they are the same in both languages).
      const en = el("div", "state", stop.pause_en !== stop.pause ? stop.pause_en : "\u00a0");
      en.lang = "en";
      li.append(el("div", "number", stop.pause), el("div", "where", "Loket " + number), en);
      cards.push(li);
    });
    const grid = $("counters");
    grid.replaceChildren(...cards);
    grid.querySelectorAll(".number").forEach(fitText);
  }

  function flash() {
    const box = $("spotlight");
    box.classList.remove("flash");
    void box.offsetWidth; // restart the animation
    box.classList.add("flash");
  }

  function tick() {
    const now = new Date(serverNow());
    const tz = state.timezone;
    const time = new Intl.DateTimeFormat("id-ID", {
      timeZone: tz, hour: "2-digit", minute: "2-digit", second: "2-digit", hour12: false,
    }).format(now).replace(/\./g, ":");
    const date = new Intl.DateTimeFormat("id-ID", {
      timeZone: tz, weekday: "long", day: "numeric", month: "long", year: "numeric",
    }).format(now);
    $("clock-time").textContent = time + (ZONE_ABBR[tz] ? " " + ZONE_ABBR[tz] : "");
    $("clock-date").textContent = date;
  }

  // ---- the voice ----

  function isStale(a) { return a.stale || serverNow() - Date.parse(a.starts_at) > state.staleMs; }

  function skip(a) {
    keep(board.skipped, { seq: a.seq, number: a.number, reason: "stale" });
    report(a, "stale", "", null);
  }

  // The board as an enrolled device: the token a hall manager got when enrolling it, given once
  // as #device=<token> and kept on this screen (taken out of the address). Only an enrolled board's
  // reports count; one without a token still shows and speaks.
  function deviceToken() {
    const KEY = "antre.board.device";
    let token = "";
    try { token = localStorage.getItem(KEY) || ""; } catch (e) { /* storage blocked */ }
    const given = new URLSearchParams(location.hash.slice(1)).get("device");
    if (given) {
      token = given;
      try { localStorage.setItem(KEY, given); } catch (e) { /* kept for this load only */ }
    }
    if (location.hash) history.replaceState(null, "", location.pathname + location.search);
    return token;
  }

  // Told to the display once per announcement (it keeps the first report of any speaker).
  function report(a, outcome, via, startedAt) {
    if (!SPEAKER || !DEVICE) return;
    const url = "/api/v1/zones/" + encodeURIComponent(zone) + "/announcements/" + a.seq + "/outcome";
    const body = { outcome: outcome, via: via };
    if (startedAt !== null) body.started_at = new Date(startedAt).toISOString();
    const headers = { "Content-Type": "application/json", Authorization: "Bearer " + DEVICE };
    fetch(url, { method: "POST", headers: headers, body: JSON.stringify(body), keepalive: true }).catch(() => {});
  }

  // "Still here", as often as the server asks (a third of the limit after which a board shows as
  // not reporting), with whether it can be heard: a page that only shows always can; a speaker
  // can while its browser lets it play (the prompt is hidden).
  let beatMs = 30000;
  let beatTimer = null;
  function heartbeat() {
    clearTimeout(beatTimer);
    if (!DEVICE) return;
    const headers = { "Content-Type": "application/json", Authorization: "Bearer " + DEVICE };
    const body = JSON.stringify({ sound: !SPEAKER || audible() });
    fetch("/api/v1/boards/me/heartbeat", { method: "POST", headers: headers, body: body })
      .then((r) => (r.ok ? r.json() : null))
      .then((answer) => { if (answer && answer.beat_seconds > 0) beatMs = answer.beat_seconds * 1000; })
      .catch(() => {})
      .finally(() => { beatTimer = setTimeout(heartbeat, beatMs); });
  }
  board.heartbeat = heartbeat;

  // An announcement that stands for earlier ones: those are never played nor highlighted.
  function supersede(a) {
    (a.replaces || []).forEach((seq) => {
      state.replaced.add(seq);
      remember(seq);
      state.queue = state.queue.filter((q) => q.seq !== seq);
      if (state.playing && state.playing.seq === seq) { state.playing = null; renderSpotlight(); }
    });
    if (state.replaced.size > KEEP) state.replaced.delete(state.replaced.values().next().value);
  }

  // A board runs for weeks: its logs and memory of seqs stay bounded.
  function keep(list, entry) {
    list.push(entry);
    if (list.length > KEEP) list.splice(0, list.length - KEEP);
  }

  function remember(seq) {
    state.queued.add(seq);
    if (state.queued.size > KEEP) state.queued.delete(state.queued.values().next().value);
  }

  function enqueue(a) {
    supersede(a);
    if (!SPEAKER) { follow(a); return; }
    if (state.queued.has(a.seq)) return;
    remember(a.seq);
    if (isStale(a)) { skip(a); return; }
    if (a.seq <= lastPlayed()) return; // played on this screen before a reload, or by another tab
    state.queue.push(a);
    state.queue.sort((x, y) => x.seq - y.seq);
    pump();
  }

  // A page without sound highlights each call during its slot, as the speaker plays it (the
  // arbiter's slots are what the speaker keeps), so that every screen of the zone agrees.
  function follow(a) {
    if (state.queued.has(a.seq) || isStale(a)) return;
    remember(a.seq);
    const start = Date.parse(a.starts_at) - serverNow();
    const end = Date.parse(a.ends_at) - serverNow();
    if (end <= 0) return;
    setTimeout(() => { if (!state.replaced.has(a.seq)) show(a); }, Math.max(0, start));
    setTimeout(() => { if (state.playing === a) { state.playing = null; renderSpotlight(); } }, end);
  }

  // The browser lets this speaker page be heard now: its audio clock runs (never asked here to
  // resume: only the page's start and a touch do). Without Web Audio at all the speech engine
  // speaks alone, once the screen was touched.
  function audible() {
    if (!SPEAKER) return false;
    return HAS_AUDIO ? voice.running() : soundOn();
  }

  async function pump() {
    if (state.pumping) return;
    state.pumping = true;
    try {
      while (state.queue.length && audible()) {
        if (!voice.settled()) { await sleep(50); continue; } // clips still decoding after a load
        const next = state.queue[0];
        const startAt = Math.max(Date.parse(next.starts_at), state.busyUntil);
        const wait = startAt - serverNow() - LEAD_MS;
        if (wait > 0) { await sleep(Math.min(wait, 500)); continue; }
        state.queue.shift();
        if (next.seq <= lastPlayed() || state.replaced.has(next.seq)) continue; // played, or replaced
        if (isStale(next)) { skip(next); continue; }
        await play(next, startAt);
      }
    } finally {
      state.pumping = false;
    }
  }

  // Marked as played before it is heard: a refresh in the middle of a call must not say it again.
  function segmentsOf(a) {
    if (a.segments && a.segments.length) return a.segments;
    return [{ lang: a.voice_lang || "id", locale: a.lang || "id-ID", text: a.text, tokens: a.tokens || [] }];
  }

  // Every segment's clips back to back on the audio clock, the first at its slot.
  function scheduleClips(segments, delayMs) {
    let first = null;
    let last = null;
    segments.forEach((seg) => {
      const p = voice.schedule(seg.tokens, seg.lang, first ? 0 : delayMs, last ? last.end : state.busyAudio);
      if (!first) first = p;
      last = p;
    });
    return { start: first.start, end: last.end, delayMs: first.delayMs, seconds: last.end - first.start };
  }

  async function play(a, startAt) {
    setLastPlayed(a.seq);
    const segments = segmentsOf(a);
    const lang = segments[0].lang;
    if (voice.running() && segments.every((seg) => seg.tokens && voice.has(seg.tokens, seg.lang))) {
      const planned = scheduleClips(segments, startAt - serverNow());
      const startedAt = serverNow() + planned.delayMs;
      const endedAt = startedAt + planned.seconds * 1000;
      state.busyUntil = endedAt;
      state.busyAudio = planned.end;
      started(a, startedAt, endedAt, "clips", planned);
      setTimeout(() => show(a), planned.delayMs);
      setTimeout(() => finished(a, startedAt, endedAt, "clips"), endedAt - serverNow());
      return; // the loop goes on: the next call is scheduled right behind this one
    }
    await sleep(startAt - serverNow()); // the speech engine cannot be scheduled ahead
    const startedAt = serverNow();
    state.busyUntil = startedAt + a.duration_seconds * 1000;
    started(a, startedAt, state.busyUntil, "speech", null);
    show(a);
    try {
      await chime(lang);
      for (const seg of segments) await speak(seg, a.duration_seconds);
    } finally {
      state.busyUntil = serverNow();
      state.busyAudio = voice.running() ? voice.context().currentTime : 0;
      finished(a, startedAt, state.busyUntil, "speech");
    }
  }

  function show(a) {
    state.playing = a;
    renderSpotlight();
    flash();
    say(a);
  }

  // A screen reader hears each announcement once, whole: written to the one live region when
  // the board shows it (never on a re-render: the spotlight redraws on every state the board
  // gets). Counters as the board shows them ("Loket 3"), Indonesian then English.
  let saidSeq = 0;
  function say(a) {
    if (a.seq <= saidSeq) return;
    saidSeq = a.seq;
    const nodes = [el("span", "", sentence(a, "id"))];
    const english = sentence(a, "en");
    if (english) {
      const en = el("span", "", " " + english);
      en.lang = "en";
      nodes.push(en);
    }
    $("announce").replaceChildren(...nodes);
  }

  // A free-text message is in Indonesian only (nobody translates it): no English then.
  function sentence(a, lang) {
    if (a.kind === "message") {
      const seg = (a.segments || []).find((s) => s.lang === lang);
      return seg ? seg.text : lang === "id" ? a.text : "";
    }
    const calls = a.calls && a.calls.length ? a.calls : [{ number: a.number, counter: a.counter }];
    const said = calls.map((c) => (lang === "en"
      ? "Number " + c.number + ", please go to counter " + c.counter + "."
      : "Nomor antrean " + c.number + ", silakan menuju loket " + c.counter + "."));
    if (a.kind === "recall") said.unshift(lang === "en" ? "Called again." : "Panggilan ulang.");
    return said.join(" ");
  }

  // Told to tests and benchmarks: times in server ms ("at": the first sample on this screen's
  // own clock) and, for clips, on the audio clock of this load of the page ("session").
  function started(a, startedAt, endsAt, via, planned) {
    report(a, "spoken", via, startedAt);
    const detail = { zone: zone, seq: a.seq, number: a.number, counter: a.counter,
      startedAt: startedAt, endsAt: endsAt, at: startedAt - state.offsetMs, via: via, session: SESSION,
      audioStart: planned ? planned.start : null, audioEnd: planned ? planned.end : null,
      kind: a.kind, calls: (a.calls || []).map((c) => c.number) };
    window.dispatchEvent(new CustomEvent("antre:play", { detail: detail }));
  }

  function finished(a, startedAt, endedAt, via) {
    if (state.playing === a) state.playing = null;
    renderSpotlight();
    keep(board.played, { seq: a.seq, number: a.number, counter: a.counter, kind: a.kind,
      calls: (a.calls || []).map((c) => c.number), startedAt: startedAt, endedAt: endedAt, via: via });
  }

  // Before spoken words: the pack's chime, else two tones made in the page.
  function chime(lang) {
    if (voice.running() && voice.has(["_chime"], lang)) {
      const planned = voice.schedule(["_chime"], lang, 0, state.busyAudio);
      return sleep(planned.delayMs + planned.seconds * 1000);
    }
    const ctx = voice.context();
    if (!ctx || ctx.state !== "running") return sleep(0);
    const t0 = ctx.currentTime;
    [[784, 0], [659, 0.6]].forEach(([freq, at]) => {
      const osc = ctx.createOscillator();
      const gain = ctx.createGain();
      osc.frequency.value = freq;
      gain.gain.setValueAtTime(0.0001, t0 + at);
      gain.gain.exponentialRampToValueAtTime(0.5, t0 + at + 0.03);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + at + 1.1);
      osc.connect(gain).connect(ctx.destination);
      osc.start(t0 + at);
      osc.stop(t0 + at + 1.2);
    });
    return sleep(1800);
  }

  function speechVoice(locale) {
    const voices = window.speechSynthesis.getVoices();
    const prefix = new RegExp("^" + locale.slice(0, 2), "i");
    return voices.find((v) => v.lang === locale) || voices.find((v) => prefix.test(v.lang)) || null;
  }

  // One segment (a language) with the browser's engine.
  function speak(seg, seconds) {
    return new Promise((resolve) => {
      if (!("speechSynthesis" in window)) { resolve(); return; }
      let done = false;
      // An engine that never reports the end must not silence the board for ever.
      const timer = setTimeout(finish, (seconds * 2 + 5) * 1000);
      function finish() { if (!done) { done = true; clearTimeout(timer); resolve(); } }
      const utterance = new SpeechSynthesisUtterance(seg.text);
      utterance.lang = seg.locale || "id-ID";
      const v = speechVoice(utterance.lang);
      if (v) utterance.voice = v;
      utterance.onend = finish;
      utterance.onerror = finish;
      window.speechSynthesis.speak(utterance);
    });
  }

  // The prompt shows while the browser holds this speaker's audio back: from a moment after the
  // page starts (a browser that allows autoplay has started the audio clock by then), and again
  // whenever the audio stops. The browser's own word, where it gives one, counts at once.
  let promptArmed = false;
  function refusedByPolicy() {
    if (typeof navigator.getAutoplayPolicy !== "function") return false;
    try { return navigator.getAutoplayPolicy("audiocontext") !== "allowed"; } catch (e) { return false; }
  }

  function updateSoundPrompt() {
    $("sound").hidden = audible() || !(promptArmed || refusedByPolicy());
  }

  // Any touch, click or key is the gesture a browser waits for: the audio clock resumes inside it.
  function unlock() {
    if (audible()) return;
    try { localStorage.setItem(SOUND_KEY, "on"); } catch (e) { /* this load only */ }
    voice.context();
    // Speaking once inside the gesture unlocks speech for the page.
    if ("speechSynthesis" in window) window.speechSynthesis.speak(new SpeechSynthesisUtterance(""));
    setTimeout(soundChanged, 200); // resume() settles after the gesture
  }

  // The live hall's "cannot speak" starts or ends now, not at the next beat. An audio clock that
  // ran in this load and stopped (the TV's sound output went away and came back) is started
  // again: the browser had let this page play.
  let wasAudible = null;
  let hasRun = false;
  function soundChanged() {
    updateSoundPrompt();
    const now = audible();
    if (wasAudible !== null && now !== wasAudible) setTimeout(heartbeat, 100);
    wasAudible = now;
    hasRun = hasRun || now;
    if (now) pump();
    else if (hasRun && HAS_AUDIO) voice.context();
  }

  function setupSound() {
    const ctx = voice.context(); // started now where the browser allows it: no click needed
    if (ctx) ctx.addEventListener("statechange", soundChanged);
    ["pointerdown", "touchstart", "keydown", "click"].forEach((type) => {
      document.addEventListener(type, unlock, { capture: true, passive: true });
    });
    updateSoundPrompt();
    setTimeout(() => { promptArmed = true; soundChanged(); }, PROMPT_GRACE_MS);
  }

  // ---- the stream ----

  function connect() {
    let url = "/api/v1/zones/" + encodeURIComponent(zone) + "/events";
    if (state.lastSeen !== null) url += "?last_event_id=" + state.lastSeen; // a new EventSource forgets it
    const source = new EventSource(url);
    state.source = source;
    source.addEventListener("snapshot", (e) => {
      const b = JSON.parse(e.data);
      $("offline").hidden = true;
      syncClock(b.server_time);
      render(b);
      if (state.lastSeen === null || b.last_seq > state.lastSeen) state.lastSeen = b.last_seq;
      b.upcoming.forEach(enqueue);
    });
    source.addEventListener("board", (e) => {
      const b = JSON.parse(e.data);
      syncClock(b.server_time);
      render(b);
    });
    source.addEventListener("announcement", (e) => {
      const a = JSON.parse(e.data);
      state.lastSeen = Math.max(state.lastSeen || 0, a.seq);
      keep(board.shown, { seq: a.seq, number: a.number, counter: a.counter, stale: a.stale,
        resync: a.resync, receivedAt: Date.now() });
      if (!state.playing) flash();
      enqueue(a);
    });
    source.onerror = () => {
      $("offline").hidden = false;
      // EventSource retries by itself unless the server refused; then start over shortly.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    };
  }

  if (SPEAKER) {
    setupSound();
    voice.load();
    setInterval(soundChanged, 1000); // an audio clock that stopped with no event
  }
  tick();
  setInterval(tick, 1000);
  connect();
  setTimeout(heartbeat, 2000); // after a speaker's audio had its moment to resume
})();
