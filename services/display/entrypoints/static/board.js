// A zone's board: live state from /api/v1/zones/{zone}/events, and the hall's voice.
//
// The voice rules (see services/display/domain/announcements.py for the server's side):
// - speak each announcement at its starts_at, in server time (offset taken from server_time);
// - one at a time: a single loop speaks, in seq order;
// - never one whose seq is <= the last one played on this screen (localStorage, per zone), so a
//   refresh never replays a call; never a stale one (shown, not spoken).
// window.antreBoard.played keeps {seq, number, counter, startedAt, endedAt} (server-time ms) for
// browser tests.
(function () {
  "use strict";

  const zone = decodeURIComponent(location.pathname.split("/").filter(Boolean).pop() || "");
  const LAST_KEY = "antre.board." + zone + ".lastPlayed";
  const SOUND_KEY = "antre.board.sound";
  const ZONE_ABBR = {
    "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT",
  };

  const state = {
    offsetMs: 0,          // server clock minus this screen's clock
    staleMs: 30000,
    timezone: "Asia/Makassar",
    board: null,
    queue: [],            // announcements waiting for their slot, by seq
    queued: new Set(),
    playing: null,        // the announcement being spoken
    pumping: false,
    lastSeen: null,       // last announcement seq received, for a manual reconnect
    source: null,
    audio: null,
  };
  const board = (window.antreBoard = {
    zone: zone, played: [], skipped: [], shown: [], state: state,
    serverNow: serverNow,
  });

  const $ = (id) => document.getElementById(id);

  function serverNow() { return Date.now() + state.offsetMs; }
  function syncClock(serverTime) { state.offsetMs = Date.parse(serverTime) - Date.now(); }

  function lastPlayed() { return parseInt(localStorage.getItem(LAST_KEY) || "0", 10) || 0; }
  function setLastPlayed(seq) { if (seq > lastPlayed()) localStorage.setItem(LAST_KEY, String(seq)); }
  function soundOn() { return localStorage.getItem(SOUND_KEY) === "on"; }
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
    $("zone-name").textContent = b.zone.name;
    $("demo").hidden = !b.demo;
    renderSpotlight();

    const paused = new Set(b.counters.filter((c) => c.status === "paused").map((c) => c.number));
    const others = b.now_calling.slice(1);
    $("counters").replaceChildren(...others.map((c) => {
      const li = el("li", paused.has(c.counter) ? "paused" : "");
      li.append(el("div", "number", c.number), el("div", "where", "Loket " + c.counter));
      const note = paused.has(c.counter) ? "istirahat" : c.serving ? "sedang dilayani" : "";
      li.append(el("div", "state", note || "\u00a0"));
      return li;
    }));
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
  }

  // The spotlight shows the call being spoken, else the newest call of the zone.
  function renderSpotlight() {
    const b = state.board;
    const call = state.playing || (b && b.now_calling[0]);
    const box = $("spotlight");
    box.classList.toggle("empty", !call);
    $("spotlight-number").textContent = call ? call.number : "—";
    $("spotlight-counter").textContent = call ? "Loket " + call.counter : "Menunggu panggilan";
    const recall = call && (call.kind === "recall" || call.recalls > 0);
    $("spotlight-note").textContent = recall ? "Panggilan ulang / Recall" : "";
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

  function enqueue(a) {
    if (a.seq <= lastPlayed() || state.queued.has(a.seq)) return;
    state.queued.add(a.seq);
    if (isStale(a)) { board.skipped.push({ seq: a.seq, number: a.number, reason: "stale" }); return; }
    state.queue.push(a);
    state.queue.sort((x, y) => x.seq - y.seq);
    pump();
  }

  async function pump() {
    if (state.pumping) return;
    state.pumping = true;
    try {
      while (state.queue.length && soundOn()) {
        const next = state.queue[0];
        const wait = Date.parse(next.starts_at) - serverNow();
        if (wait > 0) { await sleep(Math.min(wait, 500)); continue; }
        state.queue.shift();
        if (next.seq <= lastPlayed()) continue; // another tab of this screen played it
        if (isStale(next)) { board.skipped.push({ seq: next.seq, number: next.number, reason: "stale" }); continue; }
        await play(next);
      }
    } finally {
      state.pumping = false;
    }
  }

  async function play(a) {
    // Marked before speaking: a refresh in the middle of a call must not say it again.
    setLastPlayed(a.seq);
    const startedAt = serverNow();
    state.playing = a;
    renderSpotlight();
    flash();
    try {
      await chime();
      await speak(a);
    } finally {
      state.playing = null;
      renderSpotlight();
      board.played.push({ seq: a.seq, number: a.number, counter: a.counter, startedAt: startedAt, endedAt: serverNow() });
    }
  }

  function audio() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!state.audio) state.audio = new Ctx();
    if (state.audio.state === "suspended") state.audio.resume();
    return state.audio;
  }

  // Two tones (a "ding-dong") made in the page: no sound file to fetch.
  function chime() {
    const ctx = audio();
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

  function voice() {
    const voices = window.speechSynthesis.getVoices();
    return voices.find((v) => v.lang === "id-ID") || voices.find((v) => /^id/i.test(v.lang)) || null;
  }

  function speak(a) {
    return new Promise((resolve) => {
      if (!("speechSynthesis" in window)) { resolve(); return; }
      let done = false;
      // An engine that never reports the end must not silence the board for ever.
      const timer = setTimeout(finish, (a.duration_seconds * 2 + 5) * 1000);
      function finish() { if (!done) { done = true; clearTimeout(timer); resolve(); } }
      const utterance = new SpeechSynthesisUtterance(a.text);
      utterance.lang = a.lang || "id-ID";
      const v = voice();
      if (v) utterance.voice = v;
      utterance.onend = finish;
      utterance.onerror = finish;
      window.speechSynthesis.speak(utterance);
    });
  }

  function showSoundButton() {
    const button = $("sound");
    button.hidden = soundOn();
    button.onclick = () => {
      localStorage.setItem(SOUND_KEY, "on");
      button.hidden = true;
      audio();
      // Speaking once inside the click unlocks speech for the page.
      if ("speechSynthesis" in window) window.speechSynthesis.speak(new SpeechSynthesisUtterance(""));
      pump();
    };
    // A browser that blocked audio until a gesture gets it from any touch of the screen.
    document.addEventListener("click", () => { if (soundOn()) audio(); });
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
      board.shown.push({ seq: a.seq, number: a.number, counter: a.counter, stale: a.stale, resync: a.resync });
      if (!state.playing) flash();
      enqueue(a);
    });
    source.onerror = () => {
      $("offline").hidden = false;
      // EventSource retries by itself unless the server refused; then start over shortly.
      if (source.readyState === EventSource.CLOSED) setTimeout(connect, 3000);
    };
  }

  showSoundButton();
  tick();
  setInterval(tick, 1000);
  setInterval(pump, 1000); // picks up sound turned on in another tab, and queued calls
  connect();
})();
