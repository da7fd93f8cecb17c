/* The kiosk's check-in (konfirmasi kedatangan). A booked citizen types the 8-symbol code on a
 * keyboard of the code's own 32 symbols - no 0/O/1/I, so nothing typed here can be a misreading -
 * or scans the booking's QR code: a kiosk scanner types the code followed by Enter.
 *
 * The ticket a check-in gives goes through the kiosk's own print and result screens (kiosk.js
 * hands them in as deliver), exactly as a walk-in number does. Refusals (too early, missed,
 * unknown code) are shown big on this screen, not in the thin banner: they are the whole answer.
 */
(() => {
  "use strict";
  const { i18n, el, ApiError, hallTime } = window.antre;
  const { t } = i18n;

  const ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"; // services/ticketing/domain/bookings.py
  const LENGTH = 8;
  const ROWS = ["ABCDEFGH", "JKLMNPQR", "STUVWXYZ", "23456789"];
  const LIVE = new Set(["printing", "waiting", "called", "serving"]);

  /* opts: root (the screen), kioskId() -> id, token() -> the kiosk's device token,
   * refusedDevice(err) -> true when err says the kiosk is not enrolled (the kiosk then shows so),
   * groups() -> the hall's priority groups,
   * active() -> is the screen showing,
   * canOpen() -> may a scan open it (the start screen), deliver(ticket, code) -> Promise (print if
   * need be, then the result screen; rejects when the print failed), showScreen() (to this
   * screen: a scan on the start screen, a failed print), walkIn() (to the agencies).
   * Returns {reset(), refresh()}: the next citizen never sees the previous one's code or
   * priority; refresh() once the hall (its priority groups) is known. */
  function setup(opts) {
    const $ = (testid) => opts.root.querySelector(`[data-testid="${testid}"]`);
    let code = "";
    let refusal = null; // () => text, so a language switch re-renders it
    let opensAt = ""; // when check-in opens, where the refusal's own words do not say it
    let walkIn = null; // outside the window with walk-ins open: {service} to take a number for
    let busy = false;
    // Declared here as at a walk-in number: a booking made weeks ago does not say it, and an
    // elderly or pregnant citizen who booked keeps the priority lane.
    let priority = "none";

    function type(symbol) {
      if (busy || !ALPHABET.includes(symbol)) return;
      if (code.length === LENGTH && refusal) code = ""; // a fresh scan after a refused code
      if (code.length < LENGTH) code += symbol;
      refuse(null);
    }

    function erase(all) {
      if (busy) return;
      code = all ? "" : code.slice(0, -1);
      refuse(null);
    }

    function refuse(text, details = {}) {
      refusal = text;
      opensAt = details.opensAt || "";
      walkIn = details.walkIn || null;
      render();
    }

    function render() {
      const boxes = [];
      for (let i = 0; i < LENGTH; i += 1) {
        const cls = i < code.length ? "box filled" : i === code.length ? "box current" : "box";
        boxes.push(el("span", { class: cls, text: code[i] || "" }));
      }
      $("checkin-code").replaceChildren(...boxes);
      $("checkin-submit").disabled = busy || code.length !== LENGTH;
      $("checkin-refusal").hidden = !refusal;
      $("checkin-refusal-text").textContent = refusal ? refusal() : "";
      const opens = hallTime(opensAt);
      $("checkin-opens").hidden = !opens;
      $("checkin-opens").textContent = opens ? t("checkin.opens", opens) : "";
      $("checkin-walk-in").hidden = !walkIn;
      const groups = opts.groups();
      $("checkin-priorities").replaceChildren(...groups.map((group) =>
        el("button", { type: "button", role: "radio", "aria-checked": String(priority === group),
          class: group === "none" ? "priority compact priority-none" : "priority compact",
          "data-testid": `checkin-priority-${group}`,
          on: { click: () => { if (!busy) { priority = group; render(); } } } }, t(`priority.${group}`))));
    }

    async function submit() {
      if (busy || code.length !== LENGTH) return;
      busy = true;
      refuse(null);
      let ticket;
      try {
        ticket = await checkIn({ kiosk: opts.kioskId(), priority });
      } catch (err) {
        busy = false;
        if (opts.refusedDevice(err)) return;
        refuse(() => (err instanceof ApiError ? err.text() : String(err.message || err)), outside(err));
        return;
      }
      busy = false;
      if (!LIVE.has(ticket.state)) {
        // Checked in before, and that ticket is over (served, cancelled after a failed print).
        refuse(() => t("checkin.used", { number: ticket.number }));
        return;
      }
      try {
        await opts.deliver(ticket, code);
      } catch (err) {
        if (opts.refusedDevice(err)) return;
        opts.showScreen();
        refuse(() => (err instanceof ApiError && err.status ? err.text() : t("checkin.printFailed")));
      }
    }

    /* POST the check-in. Not api.js's call(): a refusal here carries details the screen needs
     * (when check-in opens, whether walk-ins are open), which call() does not keep. */
    async function checkIn(body) {
      const headers = { Accept: "application/json", "Content-Type": "application/json" };
      const token = opts.token();
      if (token) headers.Authorization = `Bearer ${token}`;
      let response;
      try {
        response = await fetch(`/api/v1/bookings/${encodeURIComponent(code)}/check-in`, {
          method: "POST", headers, body: JSON.stringify(body), cache: "no-store" });
      } catch {
        throw new ApiError(0, null);
      }
      const parsed = await response.json().catch(() => null);
      if (!response.ok) {
        const err = new ApiError(response.status, parsed);
        err.details = (parsed && parsed.error) || {};
        throw err;
      }
      return parsed;
    }

    /* Outside the window: when it opens (a booking for another day: its message names only the
     * day) and a walk-in number where the hall still gives one. A missed booking always offered
     * one; it still does unless the server says walk-ins are closed. */
    function outside(err) {
      const d = (err && err.details) || {};
      const walk = err.code === "booking_missed" ? d.walk_in !== false : d.walk_in === true;
      const codes = ["check_in_too_early", "booking_other_day", "booking_missed"];
      if (!codes.includes(err.code)) return {};
      return {
        opensAt: err.code === "booking_other_day" ? d.opens_at || "" : "",
        walkIn: walk ? { service: d.service || "" } : null,
      };
    }

    // A touch on the keypad leaves focus where it was, so that a code a scanner types next ends
    // with an Enter that sends it rather than pressing the last key touched. A keyboard user
    // Tabs to a key and presses it with Enter or Space.
    const keepFocus = (e) => e.preventDefault();
    const keys = ROWS.map((row) =>
      el("div", { class: "key-row" }, [...row].map((symbol) =>
        el("button", { type: "button", class: "key number", "data-testid": `key-${symbol}`,
          on: { click: () => type(symbol), mousedown: keepFocus } }, symbol)))
    );
    const backLabel = el("span", { "data-i18n": "checkin.erase", text: t("checkin.erase") });
    const clearLabel = el("span", { "data-i18n": "checkin.clear", text: t("checkin.clear") });
    keys.push(el("div", { class: "key-row key-row-edit" }, [
      el("button", { type: "button", class: "key key-edit", "data-testid": "key-back",
        on: { click: () => erase(false), mousedown: keepFocus } }, [el("span", { "aria-hidden": "true", text: "⌫ " }), backLabel]),
      el("button", { type: "button", class: "key key-edit", "data-testid": "key-clear",
        on: { click: () => erase(true), mousedown: keepFocus } }, clearLabel),
    ]));
    $("checkin-keys").replaceChildren(...keys);
    $("checkin-submit").addEventListener("click", submit);
    $("checkin-walk-in").addEventListener("click", () => opts.walkIn(walkIn && walkIn.service));

    // A scanner (or a desk keyboard) types: letters in either case; Enter sends. A code scanned
    // on the start screen opens this screen by itself: nobody has to find the button first.
    // Only a code's own characters do (Tab, the arrows and Shift have no character). Enter and
    // Space on a button are that button's (a keyboard user presses what they chose), unless a
    // code was typed since the button took focus: then the Enter ends a scan and sends it.
    let typedHere = false;
    document.addEventListener("focusin", () => { typedHere = false; });
    document.addEventListener("keydown", (e) => {
      if (e.ctrlKey || e.metaKey || e.altKey) return;
      const symbol = e.key.length === 1 ? e.key.toUpperCase() : "";
      const isCode = symbol !== "" && ALPHABET.includes(symbol);
      if (!opts.active() && isCode && opts.canOpen()) {
        code = "";
        opts.showScreen();
      }
      if (!opts.active()) return;
      const onControl = e.target instanceof Element && e.target.closest("button, a, summary, input, select");
      if (e.key === "Enter" && (!onControl || typedHere)) submit();
      else if (e.key === "Backspace") erase(false);
      else if (e.key === "Escape") erase(true);
      else if (isCode) {
        type(symbol);
        typedHere = true;
      } else return;
      e.preventDefault();
    });
    i18n.onChange(render);
    render();

    return {
      reset() {
        code = "";
        priority = "none";
        busy = false;
        refuse(null);
      },
      refresh: render,
    };
  }

  window.antre.kioskCheckIn = setup;
})();
