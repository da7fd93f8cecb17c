/* What the booking page's two halves (booking.js: book; booking.manage.js: look up, cancel,
 * move) share: calls to the booking API (with the help desk's key when there is one), dates and
 * sessions in the hall's time, the day and session pickers, and the client-side NIK check.
 *
 * The pickers show the API's own figures: a day's online places left is the pool the kiosk reads
 * too, so the page never promises a place the hall has already given away.
 */
(() => {
  "use strict";
  const { i18n, ApiError, el } = window.antre;
  const { t } = i18n;

  const ZONES = { "Asia/Jakarta": "WIB", "Asia/Pontianak": "WIB", "Asia/Makassar": "WITA", "Asia/Jayapura": "WIT" };
  const shared = { hall: null, apiKey: () => "" };

  /* fetch + JSON like antre.call, plus the X-Api-Key header when the help desk set a key. */
  async function send(url, { method, body } = {}) {
    const headers = { Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const key = shared.apiKey();
    if (key) headers["X-Api-Key"] = key;
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
    const parsed = await response.json().catch(() => null);
    if (!response.ok) throw new ApiError(response.status, parsed);
    return parsed;
  }

  function zone() {
    return (shared.hall && ZONES[shared.hall.timezone]) || "";
  }

  /* "2026-11-30" -> "Senin, 30 November 2026": a calendar date, whatever the browser's zone. */
  function dayLabel(iso) {
    const locale = i18n.lang() === "en" ? "en-GB" : "id-ID";
    const format = { weekday: "long", day: "numeric", month: "long", year: "numeric", timeZone: "UTC" };
    return new Intl.DateTimeFormat(locale, format).format(new Date(`${iso}T12:00:00Z`));
  }

  function sessionLabel(start, end) {
    return `${start}–${end} ${zone()}`.trim();
  }

  /* The hall's date now (by this device's clock): only for the "today"/"tomorrow" tags. */
  function hallToday() {
    const tz = (shared.hall && shared.hall.timezone) || undefined;
    const parts = { year: "numeric", month: "2-digit", day: "2-digit", timeZone: tz };
    return new Intl.DateTimeFormat("en-CA", parts).format(new Date());
  }

  function relativeTag(iso) {
    const today = hallToday();
    const tomorrow = new Date(`${today}T12:00:00Z`);
    tomorrow.setUTCDate(tomorrow.getUTCDate() + 1);
    if (iso === today) return t("day.today");
    if (iso === tomorrow.toISOString().slice(0, 10)) return t("day.tomorrow");
    return "";
  }

  const quotaGone = (day) => day.pool.online_left === 0;
  const dayFull = (day) => quotaGone(day) || day.sessions.every((s) => s.left === 0);

  /* The day buttons, and above them - when the first day has no room - where the next room is.
   * opts: {prefix (test ids), selected (ISO day), onPick(day)}. */
  function dayChoices(days, { prefix = "", selected = "", onPick }) {
    if (!days.length) return [el("p", { class: "notice", "data-testid": `${prefix}no-days`, text: t("days.none") })];
    const nodes = [];
    if (dayFull(days[0])) {
      const next = days.find((d) => !dayFull(d));
      const text = t(quotaGone(days[0]) ? "days.quotaGone" : "days.full", { day: dayLabel(days[0].day) });
      nodes.push(el("div", { class: "notice notice-warn", "data-testid": `${prefix}next-free` }, [
        el("p", { text: next ? `${text} ${t("days.nextFree", { day: dayLabel(next.day) })}` : `${text} ${t("days.noneFree")}` }),
        next ? el("button", { type: "button", class: "btn btn-primary", "data-testid": `${prefix}pick-next`,
          on: { click: () => onPick(next) }, text: t("days.pickNext", { day: dayLabel(next.day) }) }) : null,
      ]));
    }
    for (const day of days) {
      const full = dayFull(day);
      const tag = relativeTag(day.day);
      const left = quotaGone(day)
        ? t("day.quotaGone")
        : full ? t("day.full") : t("day.left", { n: day.pool.online_left });
      nodes.push(el("button", { type: "button", class: "choice", disabled: full, "aria-pressed": String(selected === day.day),
        "data-testid": `${prefix}day-${day.day}`, "data-left": day.pool.online_left, on: { click: () => onPick(day) } }, [
        el("span", { class: "choice-main" }, [
          el("span", { class: "choice-name", text: dayLabel(day.day) }),
          tag ? el("span", { class: "tag", text: tag }) : null,
        ]),
        el("span", { class: full ? "choice-meta is-full" : "choice-meta", "data-testid": `${prefix}day-left-${day.day}`, text: left }),
      ]));
    }
    return nodes;
  }

  /* The day's session buttons; a full session (or a day whose online share is used up) is
   * shown, disabled, so people see why they cannot have it. */
  function sessionChoices(day, { prefix = "", selected = "", disabledStart = "", onPick }) {
    return day.sessions.map((s) => {
      const full = s.left === 0 || quotaGone(day);
      const current = s.start === disabledStart;
      const meta = current ? t("session.current") : full ? t("session.full") : t("session.left", { n: s.left });
      return el("button", { type: "button", class: "choice", disabled: full || current,
        "aria-pressed": String(selected === s.start), "data-testid": `${prefix}session-${s.start}`, "data-left": s.left,
        on: { click: () => onPick(s) } }, [
        el("span", { class: "choice-main" }, [el("span", { class: "choice-name number", text: sessionLabel(s.start, s.end) })]),
        el("span", { class: full ? "choice-meta is-full" : "choice-meta", text: meta }),
      ]);
    });
  }

  /* The client checks only what a typo breaks (digits, 16 of them); the server checks the rest
   * (region, date of birth, serial) and its refusal is shown as it says it. */
  function nikDigits(text) {
    return String(text || "").replace(/[\s.-]/g, "");
  }

  function nikProblem(text) {
    const digits = nikDigits(text);
    if (!digits) return () => t("field.required");
    if (!/^\d+$/.test(digits)) return () => t("nik.digits");
    if (digits.length !== 16) return () => t("nik.length", { n: digits.length });
    return null;
  }

  /* A field's own error line: problem is null or () => text (re-rendered on a language switch). */
  function fieldError(input, node, problem) {
    node.hidden = !problem;
    node.textContent = problem ? problem() : "";
    if (problem) input.setAttribute("aria-invalid", "true");
    else input.removeAttribute("aria-invalid");
    return !problem;
  }

  /* <dl> rows: [label, value, testid]; empty values are left out. */
  function summary(node, rows) {
    node.replaceChildren(...rows.filter((r) => r[1]).flatMap(([label, value, testid]) => [
      el("dt", { text: label }),
      el("dd", { "data-testid": testid || null, text: value }),
    ]));
  }

  /* Focus on a heading or a result that is not a control: focusable by script only
   * (tabindex="-1"), so it never becomes a tab stop. */
  function focus(node) {
    if (!node) return;
    if (!node.hasAttribute("tabindex")) node.tabIndex = -1;
    node.focus();
  }

  /* Said once by a screen reader, through the page's one polite live region. */
  function announce(text) {
    document.querySelector('[data-testid="announce"]').textContent = text;
  }

  /* A picker whose choice is kept, not acted on at once (moving a booking: a day, then a
   * session, then confirm), is a radio group: one tab stop (the chosen radio, else the first),
   * the arrows choose (see radioKeys). Its buttons come from dayChoices/sessionChoices. */
  function asRadios(group) {
    const radios = [...group.querySelectorAll("button.choice")];
    for (const r of radios) {
      r.setAttribute("role", "radio");
      r.setAttribute("aria-checked", r.getAttribute("aria-pressed") || "false");
      r.removeAttribute("aria-pressed");
      r.tabIndex = -1;
    }
    const stop = radios.find((r) => r.getAttribute("aria-checked") === "true") || radios.find((r) => !r.disabled);
    if (stop) stop.tabIndex = 0;
  }

  /* Arrow keys in a radio group: choose the next or previous radio that can be chosen, round
   * the ends. The choice's own click re-renders the group; whoever renders puts focus back on
   * the chosen radio. */
  function radioKeys(event) {
    const step = { ArrowDown: 1, ArrowRight: 1, ArrowUp: -1, ArrowLeft: -1 }[event.key];
    if (!step || event.target.getAttribute("role") !== "radio") return;
    const radios = [...event.currentTarget.querySelectorAll('[role="radio"]:not(:disabled)')];
    const at = radios.indexOf(event.target);
    if (!radios.length) return;
    event.preventDefault();
    radios[(at + step + radios.length) % radios.length].click();
  }

  function serviceName(code, fallback) {
    const s = shared.hall && shared.hall.services.find((x) => x.code === code);
    return s ? i18n.pick(s.name, s.name_en) : fallback || code;
  }

  window.antre.booking = Object.assign(shared, {
    send, dayLabel, sessionLabel, dayChoices, sessionChoices, dayFull, nikDigits, nikProblem, fieldError,
    summary, serviceName, focus, announce, asRadios, radioKeys,
  });
})();
