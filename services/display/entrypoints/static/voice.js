// The hall's voice in a speaker page: the voice pack's clips (GET /voice/manifest.json) decoded
// once and played back to back with the Web Audio API, sample-exact, at a given moment.
//
// window.AntreVoice.create(options) -> voice
//   voice.load()                 fetch the manifest and decode the clips of options.langs (retries
//                                while the display has no pack yet, e.g. while it builds one)
//   voice.context()              the page's AudioContext (made on first use, resumed if suspended:
//                                call it at the page's start and inside a touch, where a browser
//                                that holds audio back lets it start)
//   voice.audio()                the same, never asked to resume (decoding needs no running clock)
//   voice.running()              true when audio can be heard now (not blocked by autoplay rules)
//   voice.settled()              true once the first load finished, with a pack or without one
//   voice.has(tokens, lang)      true when every clip of the sentence is decoded
//   voice.schedule(tokens, lang, delayMs, notBefore) -> {start, end, delayMs, seconds}
//                                queue the clips to start delayMs from now, never in the past
//                                nor before notBefore (audio clock seconds: where the previous
//                                sentence ends, so two never overlap whatever the page thinks
//                                the server's clock is); start and end on the audio clock
//   voice.stop()                 silence everything queued
// No fetch leaves the display: the hall keeps its voice when the internet is down.
(function () {
  "use strict";

  const PAUSE = "_pause";
  const RETRY_MS = 30000;
  const MIN_DELAY_S = 0.02; // the audio thread needs a moment to pick up a start time

  function create(options) {
    const langs = options.langs || ["id"];
    const base = options.base || "/voice/";
    const log = options.log || function () {};
    const state = {
      ctx: null, manifest: null, buffers: {}, sources: new Set(), loading: null, settled: false,
    };

    function audio() {
      const Ctx = window.AudioContext || window.webkitAudioContext;
      if (!Ctx) return null;
      if (!state.ctx) state.ctx = new Ctx({ latencyHint: "playback" });
      return state.ctx;
    }

    function context() {
      const ctx = audio();
      if (ctx && ctx.state === "suspended") ctx.resume().catch(() => {});
      return ctx;
    }

    function running() { return !!state.ctx && state.ctx.state === "running"; }

    function load() {
      if (!state.loading) {
        state.loading = fetchAll().finally(() => { state.loading = null; state.settled = true; });
      }
      return state.loading;
    }

    async function fetchAll() {
      let manifest;
      try {
        const response = await fetch(base + "manifest.json", { cache: "no-cache" });
        if (!response.ok) throw new Error("manifest: HTTP " + response.status);
        manifest = await response.json();
      } catch (err) {
        log("voice pack unavailable (" + err.message + "); speech engine until it is");
        setTimeout(load, RETRY_MS);
        return;
      }
      const ctx = audio();
      if (!ctx) return;
      const fresh = !state.manifest || state.manifest.version !== manifest.version;
      state.manifest = manifest;
      if (fresh) state.buffers = {};
      const decoded = {}; // by file: one decode per file (the chime serves every language)
      const jobs = [];
      langs.forEach((lang) => {
        const clips = (manifest.langs || {})[lang] || {};
        state.buffers[lang] = state.buffers[lang] || {};
        Object.entries(clips).forEach(([token, clip]) => {
          if (state.buffers[lang][token]) return;
          if (!decoded[clip.file]) decoded[clip.file] = decode(ctx, clip.file, manifest.version);
          jobs.push(decoded[clip.file].then((buffer) => { state.buffers[lang][token] = buffer; },
            (err) => log("clip " + clip.file + ": " + err.message)));
        });
      });
      await Promise.all(jobs);
    }

    async function decode(ctx, file, version) {
      const response = await fetch(base + file.split("/").map(encodeURIComponent).join("/") + "?v=" + version);
      if (!response.ok) throw new Error("HTTP " + response.status);
      return ctx.decodeAudioData(await response.arrayBuffer());
    }

    function pauseSeconds() { return (state.manifest && state.manifest.pause_seconds) || 0.25; }

    function has(tokens, lang) {
      const buffers = state.buffers[lang];
      return !!buffers && tokens.length > 0 && tokens.every((t) => t === PAUSE || buffers[t]);
    }

    function schedule(tokens, lang, delayMs, notBefore) {
      const ctx = context();
      const buffers = state.buffers[lang];
      const start = Math.max(ctx.currentTime + Math.max(delayMs / 1000, MIN_DELAY_S), notBefore || 0);
      let at = start;
      tokens.forEach((token) => {
        if (token === PAUSE) { at += pauseSeconds(); return; }
        const source = ctx.createBufferSource();
        source.buffer = buffers[token];
        source.connect(ctx.destination);
        source.onended = () => state.sources.delete(source);
        state.sources.add(source);
        source.start(at);
        at += source.buffer.duration;
      });
      return { start: start, end: at, delayMs: (start - ctx.currentTime) * 1000, seconds: at - start };
    }

    function stop() {
      state.sources.forEach((s) => { try { s.stop(); } catch (e) { /* not started */ } });
      state.sources.clear();
    }

    return { load, context, audio, running, settled: () => state.settled, has, schedule, stop, state };
  }

  window.AntreVoice = { create: create };
})();
