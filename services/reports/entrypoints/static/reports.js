/* The reports page: sign in (at the counters, through staff.js), choose a period, a grouping and
 * a filter, and read the figures against each service's standard; download them as CSV, Excel or
 * the monthly PDF. The server decides what a person may see (a supervisor: their agency); the
 * page only offers what the server said it may ask for (`choices`). The question lives in the
 * address, so a report can be bookmarked or passed on. */
(() => {
  "use strict";
  const { i18n, Banner, ApiError, el, staff, reportCharts: charts } = window.antre;
  const { t } = i18n;
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const form = $("controls");
  const banner = new Banner($("error"));
  const PRESETS = ["today", "week", "month", "range"];
  let shown = null; // {main, hours, services}: the last answers, drawn again on a language change
  let choices = null;

  // ---- the question ----

  const pad = (n) => String(n).padStart(2, "0");
  const iso = (d) => `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}`;

  /* A preset's days in the browser's calendar (the hall's staff are in the hall's time zone). */
  function presetDays(preset, now = new Date()) {
    const today = new Date(now.getFullYear(), now.getMonth(), now.getDate());
    if (preset === "week") {
      const monday = new Date(today);
      monday.setDate(today.getDate() - ((today.getDay() + 6) % 7));
      return [iso(monday), iso(today)];
    }
    if (preset === "month") return [iso(new Date(today.getFullYear(), today.getMonth(), 1)), iso(today)];
    return [iso(today), iso(today)];
  }

  function readAddress() {
    const q = new URLSearchParams(location.search);
    const preset = PRESETS.includes(q.get("preset")) ? q.get("preset") : q.get("from") ? "range" : "today";
    form.preset.value = preset;
    const [from, to] = preset === "range" ? [q.get("from"), q.get("to") || q.get("from")] : presetDays(preset);
    form.from.value = from;
    form.to.value = to;
    form.by.value = q.get("by") || "agency";
    form.agency.dataset.wanted = q.get("agency") || "";
    form.service.dataset.wanted = q.get("service") || "";
  }

  /* A select's value, or the one the address asked for while its options are not there yet. */
  const chosen = (select) => select.dataset.wanted ?? select.value;

  function question(by = form.by.value) {
    const q = new URLSearchParams({ from: form.from.value, to: form.to.value, by });
    if (chosen(form.agency)) q.set("agency", chosen(form.agency));
    if (chosen(form.service)) q.set("service", chosen(form.service));
    return q;
  }

  function keepInAddress() {
    const q = question();
    q.set("preset", form.preset.value);
    history.replaceState(null, "", `?${q}`);
  }

  // ---- filters: what the server says this person may ask for ----

  function option(value, text, selected) {
    return el("option", { value, selected: selected || null, text });
  }

  function fillChoices() {
    if (!choices) return;
    const mine = staff.person && staff.person.agency;
    const agency = chosen(form.agency);
    form.agency.replaceChildren(
      ...(mine ? [] : [option("", t("filter.all"), !agency)]),
      ...choices.agencies.map((a) => option(a.code, i18n.pick(a.name, a.name_en), a.code === agency))
    );
    delete form.agency.dataset.wanted;
    fillServices();
  }

  function fillServices() {
    const service = chosen(form.service);
    const agency = form.agency.value;
    const offered = choices.services.filter((s) => !agency || s.agency === agency);
    form.service.replaceChildren(
      option("", t("filter.all"), !service),
      ...offered.map((s) => option(s.code, i18n.pick(s.name, s.name_en), s.code === service))
    );
    delete form.service.dataset.wanted;
  }

  // ---- numbers ----

  function fmt(value, digits = 0) {
    if (value === null || value === undefined) return "–";
    const locale = i18n.lang() === "id" ? "id-ID" : "en-GB";
    const options = { minimumFractionDigits: digits, maximumFractionDigits: digits };
    return new Intl.NumberFormat(locale, options).format(value);
  }
  const minutes = (seconds) => (seconds === null ? null : Math.round(seconds / 6) / 10);
  const fmtMinutes = (seconds) => fmt(minutes(seconds), 1);
  const fmtShare = (share) => (share.share === null ? "–" : `${fmt(share.share * 100, 1)}%`);

  // ---- drawing ----

  const label = (row) => i18n.pick(row.label, row.label_en);

  function columns(report) {
    const cols = [
      { col: "name", head: "col.name", text: (r) => label(r) },
      { col: "visits", head: "col.visits", text: (r) => fmt(r.visits) },
      { col: "served", head: "col.served", text: (r) => fmt(r.outcomes.served) },
      { col: "no_show", head: "col.noShow", text: (r) => fmt(r.outcomes.no_show) },
      { col: "skipped", head: "col.skipped", text: (r) => fmt(r.outcomes.skipped) },
      { col: "transferred", head: "col.transferred", text: (r) => fmt(r.outcomes.transferred) },
      { col: "cancelled", head: "col.cancelled", text: (r) => fmt(r.outcomes.cancelled + r.outcomes.day_ended) },
      { col: "wait_mean", head: "col.waitMean", text: (r) => fmtMinutes(r.wait.mean) },
      { col: "wait_p50", head: "col.waitP50", text: (r) => fmtMinutes(r.wait.p50) },
      { col: "wait_p90", head: "col.waitP90", text: (r) => fmtMinutes(r.wait.p90) },
      {
        col: "wait_within",
        head: "col.waitWithin",
        text: (r) => fmtShare(r.wait_within_target),
        verdict: (r) => r.wait_within_target.verdict,
      },
      { col: "service_mean", head: "col.serviceMean", text: (r) => fmtMinutes(r.service.mean) },
      { col: "service_p50", head: "col.serviceP50", text: (r) => fmtMinutes(r.service.p50) },
      {
        col: "service_p90",
        head: "col.serviceP90",
        text: (r) => fmtMinutes(r.service.p90),
        verdict: (r) => (r.target_minutes && r.service.p90 > r.target_minutes * 60 ? "poor" : null),
      },
      {
        col: "service_within",
        head: "col.serviceWithin",
        text: (r) => fmtShare(r.service_within_target),
        verdict: (r) => r.service_within_target.verdict,
      },
    ];
    const target = (r) => (r.target_minutes === null ? "–" : t("minutes", { n: fmt(r.target_minutes) }));
    if (report.by === "service") cols.splice(1, 0, { col: "target", head: "col.target", text: target });
    const booked = (r) => (r.bookings ? fmt(r.bookings.made) : "–");
    if (report.totals.bookings) cols.push({ col: "bookings", head: "col.bookings", text: booked });
    return cols;
  }

  function tableRow(cols, row, key) {
    const cell = (c) =>
      el(c.col === "name" ? "th" : "td", {
        scope: c.col === "name" ? "row" : null,
        "data-col": c.col,
        class: (c.verdict && c.verdict(row)) || null,
        text: c.text(row),
      });
    return el("tr", { "data-key": key }, cols.map(cell));
  }

  function drawTable(report) {
    const table = $("table");
    const cols = columns(report);
    table.tHead.replaceChildren(el("tr", {}, cols.map((c) => el("th", { scope: "col", text: t(c.head) }))));
    const keyed = (r) => tableRow(cols, r, r.key === null ? "" : String(r.key));
    table.tBodies[0].replaceChildren(...report.rows.map(keyed));
    const totals = { ...report.totals, label: t("total"), label_en: t("total"), target_minutes: null };
    table.tFoot.replaceChildren(tableRow(cols, totals, "total"));
  }

  function drawCards(report) {
    const f = report.totals;
    const cards = [
      ["visits", "card.visits", fmt(f.visits)],
      ["served", "card.served", fmt(f.outcomes.served)],
      ["no-shows", "card.noShows", fmt(f.outcomes.no_show)],
      ["wait", "card.wait", `${fmtMinutes(f.wait.mean)} · ${fmtMinutes(f.wait.p90)}`],
      ["service", "card.service", `${fmtMinutes(f.service.mean)} · ${fmtMinutes(f.service.p90)}`],
      ["service-within", "card.serviceWithin", fmtShare(f.service_within_target), f.service_within_target.verdict],
      ["wait-within", "card.waitWithin", fmtShare(f.wait_within_target), f.wait_within_target.verdict],
    ];
    if (f.bookings) {
      cards.push(["bookings", "card.bookings", `${fmt(f.bookings.made)} · ${fmt(f.bookings.checked_in)}`]);
    }
    const card = ([id, key, value, verdict]) =>
      el("div", { class: `card stat ${verdict || ""}`, "data-testid": `card-${id}` }, [
        el("span", { text: t(key) }),
        el("strong", { text: value }),
      ]);
    $("summary").replaceChildren(...cards.map(card));
  }

  function drawCharts(hours, services) {
    const perHour = hours.rows.map((r) => ({
      label: String(r.key).padStart(2, "0"),
      value: r.queued,
      title: `${label(r)}: ${r.queued}`,
    }));
    charts.columns($("chart-hours"), perHour, t("chart.hours"));
    const perService = services.rows.map((r) => ({
      label: label(r),
      wait: minutes(r.wait.p90),
      service: minutes(r.service.p90),
      target: r.target_minutes,
    }));
    charts.againstTarget($("chart-services"), perService, t("chart.services"), (v) => fmt(v, v % 1 ? 1 : 0));
  }

  function draw() {
    if (!shown) return;
    const { main, hours, services } = shown;
    const days = { hall: main.hall.name, from: main.from, to: main.to, days: main.days };
    $("period").textContent = t(main.days === 1 ? "period.one" : "period", days);
    drawCards(main);
    drawTable(main);
    drawCharts(hours, services);
  }

  // ---- asking ----

  async function load() {
    banner.clear();
    $("period").textContent = t("loading");
    const by = form.by.value;
    const ask = (cut) => staff.fetchJson(`/api/v1/reports?${question(cut)}`);
    try {
      const main = await ask(by);
      const [hours, services] = await Promise.all([
        by === "hour" ? main : ask("hour"),
        by === "service" ? main : ask("service"),
      ]);
      choices = main.choices;
      shown = { main, hours, services };
      fillChoices();
      keepInAddress();
      draw();
    } catch (err) {
      $("period").textContent = "";
      fail(err);
    }
  }

  function fail(err) {
    banner.show(err);
    if (err.status === 401) route();
  }

  /* The file comes with the person's token (a plain link cannot carry it): fetched as a blob and
   * saved through an object URL under the name the server gave. */
  async function download(kind) {
    const month = new URLSearchParams({ month: form.from.value.slice(0, 7), agency: form.agency.value });
    const url = kind === "pdf" ? `/api/v1/reports/monthly.pdf?${month}` : `/api/v1/reports.${kind}?${question()}`;
    try {
      const response = await fetch(url, { headers: { Authorization: `Bearer ${staff.token}` }, cache: "no-store" });
      if (!response.ok) {
        const body = await response.json().catch(() => null);
        if (response.status === 401) staff.forget();
        throw new ApiError(response.status, body);
      }
      const blob = await response.blob();
      const named = /filename="([^"]+)"/.exec(response.headers.get("Content-Disposition") || "");
      const name = named ? named[1] : `laporan.${kind}`;
      const link = el("a", { href: URL.createObjectURL(blob), download: name, hidden: true });
      document.body.append(link);
      link.click();
      link.remove();
      setTimeout(() => URL.revokeObjectURL(link.href), 60_000);
    } catch (err) {
      fail(err instanceof ApiError ? err : new ApiError(0, null));
    }
  }

  // ---- the page ----

  function showView(name) {
    for (const v of document.querySelectorAll("[data-view]")) v.hidden = v.dataset.view !== name;
    const person = staff.person;
    $("sign-out").hidden = !person;
    $("person").textContent = person ? t("staff.as", { name: person.name, role: t(`role.${person.role}`) }) : "";
  }

  function route() {
    if (!staff.person) {
      showView("signin");
      staff.form($("sign-in"), banner, () => route());
      return;
    }
    showView("report");
    load();
  }

  function wire() {
    form.addEventListener("change", (event) => {
      const name = event.target.name;
      if (name === "preset" && form.preset.value !== "range") {
        [form.from.value, form.to.value] = presetDays(form.preset.value);
      }
      if (name === "from" || name === "to") form.preset.value = "range";
      if (name === "agency") fillServices();
    });
    form.addEventListener("submit", (event) => {
      event.preventDefault();
      load();
    });
    for (const button of document.querySelectorAll("[data-download]")) {
      button.addEventListener("click", () => download(button.dataset.download));
    }
    $("sign-out").addEventListener("click", async () => {
      await staff.signOut();
      shown = choices = null;
      route();
    });
    i18n.onChange(() => {
      showView(staff.person ? "report" : "signin");
      fillChoices();
      draw();
    });
  }

  async function start() {
    i18n.installToggle();
    i18n.apply();
    readAddress();
    wire();
    await staff.restore().catch((err) => banner.show(err));
    route();
  }

  start();
})();
