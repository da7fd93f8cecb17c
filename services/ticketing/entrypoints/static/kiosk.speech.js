/* Spoken guidance at the kiosk, for citizens who cannot read the screen: a button in the header
 * turns it on; then each new screen is said (its heading and what to do), each control when focus
 * moves to it, and the number taken, whole, in the kiosk's current language. kiosk.js tells this
 * module of each new screen ("kiosk:screen") and of the reset for the next citizen ("kiosk:reset",
 * which turns guidance off).
 *
 * The number is said with the hall's voice pack where the kiosk reaches it (the hall's voice_url:
 * the display's /voice/, readable from any origin), clip by clip as the boards will call it; its
 * words come from the server with the ticket (ticket.spoken, spelled by the boards' own code), not
 * from a spelling here. Everything else, and the number too when the pack is out of reach or lacks
 * a clip, is said by the browser's speech engine with an Indonesian or English voice.
 *
 * Each thing said is also told as a window event "antre:say" ({via: "clips"|"speech", lang, text,
 * tokens}), for browser tests. */
(() => {
  "use strict";
  const { i18n } = window.antre;
  const { t, pick } = i18n;
  const PAUSE = "_pause";
  const PACK_RETRY_MS = 30000;
  const CLIPS_WAIT_MS = 3000; // longer than this to fetch a number's clips: say it with speech
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const button = $("guidance");

  let on = false;
  let voiceUrl = "";
  let pack = null; // {manifest, base} once loaded
  let packTried = 0; // when the pack was last asked for (ms)
  let audio = null;
  const clips = new Map(); // file -> Promise<AudioBuffer>
  const sources = new Set();
  let timer = null;
  let turn = 0; // each new thing to say makes anything still pending from before stale
  let ticket = null; // the number on the result screen, said again when guidance is turned on there

  function report(detail) {
    window.dispatchEvent(new CustomEvent("antre:say", { detail }));
  }

  /* Silence: what the engine says, the clips playing, and the rest of a number not yet said. */
  function hush() {
    turn += 1;
    clearTimeout(timer);
    if (window.speechSynthesis) window.speechSynthesis.cancel();
    for (const source of sources) {
      try {
        source.stop();
      } catch {
        /* not started */
      }
    }
    sources.clear();
  }

  function speak(text) {
    const lang = i18n.lang();
    report({ via: "speech", lang, text });
    const synth = window.speechSynthesis;
    if (!synth || !window.SpeechSynthesisUtterance) return;
    const utterance = new SpeechSynthesisUtterance(text);
    utterance.lang = lang === "en" ? "en-US" : "id-ID";
    const voice = synth.getVoices().find((v) => v.lang.toLowerCase().replace("_", "-").startsWith(lang));
    if (voice) utterance.voice = voice;
    synth.speak(utterance);
  }

  /* A new thing to say cuts what was being said: the citizen has moved on. */
  function say(text) {
    if (!on || !text) return;
    hush();
    speak(text);
  }

  // ---- the voice pack ----

  function audioContext() {
    const Ctx = window.AudioContext || window.webkitAudioContext;
    if (!Ctx) return null;
    if (!audio) audio = new Ctx();
    if (audio.state === "suspended") audio.resume().catch(() => {});
    return audio;
  }

  /* The pack's manifest, asked for at most every PACK_RETRY_MS while it cannot be had. */
  async function loadPack() {
    if (pack || !voiceUrl || Date.now() - packTried < PACK_RETRY_MS) return pack;
    packTried = Date.now();
    const base = voiceUrl.endsWith("/") ? voiceUrl : `${voiceUrl}/`;
    try {
      const response = await fetch(`${base}manifest.json`, { cache: "no-cache" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      pack = { manifest: await response.json(), base };
    } catch {
      pack = null; // unreachable or none yet: the speech engine says the number
    }
    return pack;
  }

  function clip(file) {
    if (!clips.has(file)) {
      const url = pack.base + file.split("/").map(encodeURIComponent).join("/") + `?v=${pack.manifest.version}`;
      const job = fetch(url)
        .then((r) => (r.ok ? r.arrayBuffer() : Promise.reject(new Error(`HTTP ${r.status}`))))
        .then((bytes) => audioContext().decodeAudioData(bytes));
      job.catch(() => clips.delete(file)); // asked again next time
      clips.set(file, job);
    }
    return clips.get(file);
  }

  /* The clips of the tokens, decoded, or null when the pack lacks one or they come too late. */
  async function buffersOf(tokens, lang) {
    const known = pack && (pack.manifest.langs || {})[lang];
    if (!known || !audioContext() || !tokens.every((token) => token === PAUSE || known[token])) return null;
    const wanted = tokens.map((token) => (token === PAUSE ? null : clip(known[token].file)));
    const late = new Promise((resolve) => setTimeout(() => resolve(null), CLIPS_WAIT_MS));
    try {
      return await Promise.race([Promise.all(wanted), late]);
    } catch {
      return null;
    }
  }

  /* Back to back from now; returns the seconds they take. */
  function play(buffers) {
    const ctx = audioContext();
    const pause = pack.manifest.pause_seconds || 0.25;
    let at = ctx.currentTime + 0.05;
    const start = at;
    for (const buffer of buffers) {
      if (!buffer) {
        at += pause;
        continue;
      }
      const source = ctx.createBufferSource();
      source.buffer = buffer;
      source.connect(ctx.destination);
      source.onended = () => sources.delete(source);
      sources.add(source);
      source.start(at);
      at += buffer.duration;
    }
    return at - start;
  }

  // ---- what each screen says ----

  function heading(name) {
    const h1 = document.querySelector(`[data-screen="${name}"] h1`);
    return h1 ? h1.textContent.trim() : "";
  }

  function sentences(...parts) {
    return parts
      .map((p) => (p || "").trim())
      .filter(Boolean)
      .map((p) => (/[.!?]$/.test(p) ? p : `${p}.`))
      .join(" ");
  }

  function screenText(name) {
    if (name === "agencies" && !$("refusal").hidden) {
      return sentences($("refusal").textContent, $("closed-next").hidden ? "" : $("closed-next").textContent);
    }
    if (name === "services") return sentences(heading(name), $("chosen-agency").textContent, t("speech.services"));
    const hint = { agencies: "speech.agencies", priority: "speech.priority", checkin: "speech.checkin" }[name];
    return sentences(heading(name), hint ? t(hint) : "");
  }

  /* The number (clips where the pack has them all), then where to wait and what to do. */
  async function sayNumber(taken) {
    hush();
    const mine = turn;
    const lang = i18n.lang();
    const spoken = (taken.spoken || {})[lang];
    const zone = pick(taken.zone_name, taken.zone_name_en);
    const rest = sentences(zone ? t("speech.zone", { zone }) : "", $("ticket-note").textContent);
    if (spoken && (await loadPack())) {
      const buffers = await buffersOf(spoken.tokens, lang);
      if (mine !== turn || !on) return;
      if (buffers) {
        report({ via: "clips", lang, tokens: spoken.tokens, text: spoken.text });
        const seconds = play(buffers);
        timer = setTimeout(() => mine === turn && on && speak(rest), seconds * 1000);
        return;
      }
    }
    if (mine !== turn || !on) return;
    speak(sentences(spoken ? spoken.text : taken.number, rest));
  }

  function onScreen(event) {
    const { name, hall } = event.detail || {};
    if (hall) voiceUrl = hall.voice_url || "";
    ticket = name === "result" ? event.detail.ticket : null;
    if (!on) return;
    if (ticket) sayNumber(ticket);
    else say(screenText(name));
  }

  // ---- what each control says ----

  /* The words of a control as a screen reader would find them: its aria-label, else its visible
   * texts (not what is hidden from assistive technology) one after the other. */
  function label(node) {
    const named = node.getAttribute("aria-label");
    if (named) return named;
    const parts = [];
    const walk = (n) => {
      if (n.nodeType === Node.TEXT_NODE) {
        const text = n.textContent.replace(/\s+/g, " ").trim();
        if (text) parts.push(text);
      } else if (n.nodeType === Node.ELEMENT_NODE && n.getAttribute("aria-hidden") !== "true" && !n.hidden) {
        n.childNodes.forEach(walk);
      }
    };
    walk(node);
    return parts.join(", ");
  }

  function controlText(node) {
    const state = node.getAttribute("aria-checked") === "true" || node.getAttribute("aria-pressed") === "true"
      ? t("speech.selected") : "";
    return sentences(label(node), state);
  }

  function onFocus(event) {
    const node = event.target;
    if (!on || !(node instanceof Element) || !node.matches("button, summary, [role=radio], [role=button]")) return;
    say(controlText(node));
  }

  function set(value) {
    on = value;
    button.setAttribute("aria-pressed", String(on));
    if (!on) hush();
  }

  button.addEventListener("click", () => {
    set(!on);
    if (!on) return;
    audioContext(); // inside the touch: a browser that holds audio back lets it start here
    loadPack();
    if (ticket) {
      sayNumber(ticket);
      return;
    }
    const screen = document.querySelector("[data-screen]:not([hidden])");
    say(sentences(t("speech.on"), screen ? screenText(screen.dataset.screen) : ""));
  });
  document.addEventListener("kiosk:screen", onScreen);
  document.addEventListener("kiosk:reset", () => set(false));
  document.addEventListener("focusin", onFocus);
  window.antre.kioskSpeech = { set, on: () => on };
})();
