/* Antre page plumbing shared by every service's pages: JSON calls that turn the API's bilingual
 * refusals into errors, the error banner, a live (server-sent events) subscription that says when
 * it is reconnecting, and a few formatters. Load i18n.js first.
 */
(() => {
  "use strict";
  const i18n = window.antre.i18n;

  i18n.register({
    id: {
      "net.offline": "Tidak dapat terhubung ke server. Periksa jaringan atau hubungi petugas.",
      "net.failed": "Permintaan gagal ({status})",
      "live.reconnecting": "Menyambung ulang…",
    },
    en: {
      "net.offline": "Cannot reach the server. Check the network or ask staff.",
      "net.failed": "Request failed ({status})",
      "live.reconnecting": "Reconnecting…",
    },
  });

  /* An API refusal: code, message (Indonesian), message_en, status (0: no answer at all). */
  class ApiError extends Error {
    constructor(status, body) {
      const e = (body && body.error) || {};
      super(e.message_en || e.message || `HTTP ${status}`);
      this.status = status;
      this.code = e.code || (status ? `http_${status}` : "offline");
      this.message_id = e.message || "";
      this.message_en = e.message_en || "";
    }

    text() {
      if (!this.status) return i18n.t("net.offline");
      return i18n.pick(this.message_id, this.message_en) || i18n.t("net.failed", { status: this.status });
    }
  }

  /* fetch + JSON. opts: {method, body, token, headers}. Resolves with the parsed body (null for 204). */
  async function call(url, { method, body, token, headers: extra } = {}) {
    const headers = { Accept: "application/json", ...extra };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    if (token) headers.Authorization = `Bearer ${token}`;
    let response;
    try {
      response = await fetch(url, {
        method: method || (body !== undefined ? "POST" : "GET"),
        headers,
        body: body !== undefined ? JSON.stringify(body) : undefined,
        cache: "no-store",
      });
    } catch {
      throw new ApiError(0, null);
    }
    if (response.status === 204) return null;
    let parsed = null;
    try {
      parsed = await response.json();
    } catch {
      /* not JSON (a proxy's error page): the status says enough */
    }
    if (!response.ok) throw new ApiError(response.status, parsed);
    return parsed;
  }

  /* The page's error banner (role="alert"). Keeps the error, not its text, so that switching the
   * language re-renders it. show() takes an ApiError, an i18n key or any Error. */
  class Banner {
    constructor(node) {
      this.node = node;
      this.error = null;
      i18n.onChange(() => this.render());
    }

    show(error) {
      this.error = error;
      this.render();
    }

    clear() {
      this.show(null);
    }

    render() {
      const err = this.error;
      this.node.hidden = !err;
      if (!err) return;
      if (err instanceof ApiError) this.node.textContent = err.text();
      else if (typeof err === "string") this.node.textContent = i18n.t(err);
      else this.node.textContent = String(err.message || err);
    }
  }

  /* Follow a server-sent events stream. The browser reconnects by itself after a dropped
   * connection, but gives up after a refused one (404, 5xx): then start over after a pause.
   * onState(connected) says whether the stream is up. Returns {close()}. */
  function live(url, event, onData, onState = () => {}) {
    let source = null;
    let retry = null;
    let closed = false;

    function connect() {
      source = new EventSource(url);
      source.addEventListener("open", () => onState(true));
      source.addEventListener(event, (e) => {
        onState(true);
        let data;
        try {
          data = JSON.parse(e.data);
        } catch {
          return;
        }
        onData(data);
      });
      source.addEventListener("error", () => {
        if (closed) return;
        onState(false);
        if (source.readyState === EventSource.CLOSED && !retry) {
          retry = setTimeout(() => {
            retry = null;
            if (!closed) connect();
          }, 5000);
        }
      });
    }

    connect();
    return {
      close() {
        closed = true;
        clearTimeout(retry);
        if (source) source.close();
      },
    };
  }

  const rupiah = new Intl.NumberFormat("id-ID", {
    style: "currency",
    currency: "IDR",
    maximumFractionDigits: 0,
  });

  /* "Rp 30.000", with an ordinary space (Intl puts a no-break space there). */
  const formatRupiah = (amount) => rupiah.format(amount).replace(/\s/g, " ");

  /* Wall-clock time of the hall from an ISO string with offset, ignoring the browser's zone:
   * "2026-11-28T17:07:29.28+08:00" -> {date: "28-11-2026", time: "17:07", zone: "WITA"}. */
  function hallTime(iso) {
    const m = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})(?::\d{2}(?:\.\d+)?)?(Z|[+-]\d{2}:\d{2})?$/.exec(
      iso || ""
    );
    if (!m) return null;
    const zones = { "+07:00": "WIB", "+08:00": "WITA", "+09:00": "WIT" };
    return { date: `${m[3]}-${m[2]}-${m[1]}`, time: `${m[4]}:${m[5]}`, zone: zones[m[6]] || "" };
  }

  /* Show an SVG from the API in an <img>. The SVG is fetched and given its XML namespace when it
   * lacks one: browsers draw an <img> SVG only with xmlns, and the QR endpoint leaves it out.
   * Resolves once the image is drawn or has failed (callers decide whether that matters). */
  async function svgImage(img, url) {
    img.dataset.src = url;
    const loaded = new Promise((resolve) => {
      img.addEventListener("load", () => resolve(true), { once: true });
      img.addEventListener("error", () => resolve(false), { once: true });
    });
    try {
      const response = await fetch(url, { cache: "no-store" });
      if (!response.ok) throw new Error(`HTTP ${response.status}`);
      let svg = await response.text();
      if (!/<svg[^>]*\sxmlns=/.test(svg)) {
        svg = svg.replace("<svg", '<svg xmlns="http://www.w3.org/2000/svg"');
      }
      img.src = `data:image/svg+xml;charset=utf-8,${encodeURIComponent(svg)}`;
    } catch {
      return false;
    }
    return loaded;
  }

  /* el("button", {class: "x", "data-testid": "y", on: {click: fn}}, [children or text]). */
  function el(tag, attrs = {}, children = []) {
    const node = document.createElement(tag);
    for (const [key, value] of Object.entries(attrs)) {
      if (value === null || value === undefined || value === false) continue;
      if (key === "text") node.textContent = value;
      else if (key === "on") for (const [ev, fn] of Object.entries(value)) node.addEventListener(ev, fn);
      else node.setAttribute(key, value === true ? "" : value);
    }
    for (const child of [].concat(children)) if (child !== null && child !== undefined) node.append(child);
    return node;
  }

  /* A service's published standard (requirements, procedure, product) as a disclosure, in the
   * page's language; the kiosk and the booking page show the same one. The labels come from the
   * page, in its own dictionary: {requirements, procedure, product}. */
  function standardDetails(service, labels) {
    const std = i18n.standard(service.standard);
    const line = (label, part) =>
      part.text ? el("p", {}, [el("b", { text: `${label}: ` }), el("span", { lang: part.lang, text: part.text })]) : null;
    return el("details", { class: "standard", "data-testid": `requirements-${service.code}` }, [
      el("summary", { text: `${labels.requirements} (${std.requirements.length})` }),
      el("ul", {}, std.requirements.map((r) => el("li", { lang: r.lang, text: r.text }))),
      line(labels.procedure, std.procedure),
      line(labels.product, std.product),
    ]);
  }

  /* The same for a stream only a signed-in person may follow: EventSource cannot send a bearer
   * token (and a token in the address would land in logs), so the stream is read with fetch and
   * split into frames here. Reconnects 2 s after it ends or fails. Returns {close()}. */
  function liveSigned(url, token, event, onData, onState = () => {}) {
    let closed = false;
    let controller = null;
    let retry = null;

    function dispatch(frame) {
      let name = "message";
      const data = [];
      for (const line of frame.split("\n")) {
        if (line.startsWith("event:")) name = line.slice(6).trim();
        else if (line.startsWith("data:")) data.push(line.slice(5).replace(/^ /, ""));
      }
      if (name !== event || !data.length) return;
      let parsed;
      try {
        parsed = JSON.parse(data.join("\n"));
      } catch {
        return;
      }
      onData(parsed);
    }

    async function connect() {
      controller = new AbortController();
      try {
        const response = await fetch(url, {
          headers: { Accept: "text/event-stream", Authorization: `Bearer ${token}` },
          signal: controller.signal,
          cache: "no-store",
        });
        if (!response.ok || !response.body) throw new Error(`status ${response.status}`);
        onState(true);
        const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
        let buffer = "";
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          buffer += value;
          let end;
          while ((end = buffer.indexOf("\n\n")) >= 0) {
            dispatch(buffer.slice(0, end));
            buffer = buffer.slice(end + 2);
          }
        }
      } catch {
        /* dropped or refused: try again below */
      }
      if (closed) return;
      onState(false);
      retry = setTimeout(connect, 2000);
    }

    connect();
    return {
      close() {
        closed = true;
        clearTimeout(retry);
        if (controller) controller.abort();
      },
    };
  }

  Object.assign(window.antre, { ApiError, call, Banner, live, liveSigned, formatRupiah, hallTime, svgImage, el, standardDetails });
})();
