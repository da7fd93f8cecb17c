/* The live hall: the head of the MPP's (or an agency supervisor's) view of the hall now, on a
 * desk screen or a TV. The server decides what a person may see and sends the whole picture on
 * every change; the page only draws it, and between pictures lets its durations tick. */
(() => {
  "use strict";
  const { i18n, Banner, liveSigned, el, hallTime, staff } = window.antre;
  const { t } = i18n;
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const banner = new Banner($("error"));

  i18n.register({
    id: {
      "reason.break": "Istirahat",
      "reason.prayer": "Sholat",
      "reason.system": "Gangguan sistem",
      "app.title": "Antre · Aula langsung",
      "agency.label": "Instansi",
      "agency.all": "Semua instansi",
      "updated": "Diperbarui {time} {zone}",
      "alerts.heading": "Perlu tindakan",
      "alerts.none": "Tidak ada yang perlu ditangani saat ini.",
      "alert.device": "Perangkat",
      "services.heading": "Layanan hari ini",
      "services.none": "Tidak ada layanan untuk ditampilkan.",
      "col.service": "Layanan",
      "col.waiting": "Menunggu",
      "col.longest": "Tunggu terlama",
      "col.p90": "p90 tunggu",
      "col.served": "Dilayani",
      "col.standard": "Standar",
      "col.level": "Status",
      "standard": "{minutes} mnt",
      "level.ok": "Sesuai",
      "level.warn": "Mendekati",
      "level.over": "Melewati",
      "counters.heading": "Loket",
      "counter.name": "Loket {number}",
      "state.open": "Buka",
      "state.paused": "Istirahat",
      "state.closed": "Tutup",
      "ticket.called": "Dipanggil {time}",
      "ticket.serving": "Dilayani {time}",
      "counter.idle": "Kosong {time}",
      "counter.paused": "Istirahat {time}",
      "role.supervisor": "supervisor instansi",
      "role.manager": "pengelola MPP",
      "role.admin": "admin platform",
      "role.officer": "petugas loket",
    },
    en: {
      "reason.break": "Break",
      "reason.prayer": "Prayer",
      "reason.system": "System fault",
      "app.title": "Antre · Live hall",
      "agency.label": "Agency",
      "agency.all": "All agencies",
      "updated": "Updated {time} {zone}",
      "alerts.heading": "Needs attention",
      "alerts.none": "Nothing needs attention right now.",
      "alert.device": "Device",
      "services.heading": "Services today",
      "services.none": "No services to show.",
      "col.service": "Service",
      "col.waiting": "Waiting",
      "col.longest": "Longest wait",
      "col.p90": "p90 wait",
      "col.served": "Served",
      "col.standard": "Standard",
      "col.level": "Status",
      "standard": "{minutes} min",
      "level.ok": "Within",
      "level.warn": "Near",
      "level.over": "Over",
      "counters.heading": "Counters",
      "counter.name": "Counter {number}",
      "state.open": "Open",
      "state.paused": "On break",
      "state.closed": "Closed",
      "ticket.called": "Called {time}",
      "ticket.serving": "Serving {time}",
      "counter.idle": "Idle {time}",
      "counter.paused": "On break {time}",
      "role.supervisor": "agency supervisor",
      "role.manager": "hall manager",
      "role.admin": "platform admin",
      "role.officer": "counter officer",
    },
  });

  let stream = null;
  let snapshot = null; // the last picture the server sent
  let checking = false;
  let agency = new URLSearchParams(location.search).get("agency") || "";

  function showView(name) {
    for (const v of document.querySelectorAll("[data-view]")) v.hidden = v.dataset.view !== name;
    const person = name === "live" ? staff.person : null;
    $("who").hidden = $("sign-out").hidden = !person;
    $("agency-pick-label").hidden = !person || !!person.agency;
    renderWho();
  }

  function renderWho() {
    const person = staff.person;
    if (!person) return;
    const role = t(`role.${person.role}`);
    $("who").textContent = t("staff.as", { name: person.name || person.username, role });
  }

  /* "4:05" under an hour, "1:02:09" past it: the same in both languages. */
  function clock(seconds) {
    const s = Math.max(0, Math.floor(seconds));
    const pad = (n) => String(n).padStart(2, "0");
    const h = Math.floor(s / 3600);
    const m = Math.floor((s % 3600) / 60);
    return h ? `${h}:${pad(m)}:${pad(s % 60)}` : `${m}:${pad(s % 60)}`;
  }

  /* A duration that keeps counting on the page: the server's seconds at arrival, plus since. */
  function ticking(seconds, key) {
    const node = el("span", { class: "ticking", "data-key": key });
    node.dataset.start = String(Date.now() - seconds * 1000);
    paintTick(node);
    return node;
  }

  function paintTick(node) {
    const time = clock((Date.now() - Number(node.dataset.start)) / 1000);
    node.textContent = node.dataset.key ? t(node.dataset.key, { time }) : time;
  }

  function tick() {
    for (const node of document.querySelectorAll(".ticking")) paintTick(node);
  }

  // ---- drawing ----

  function render(data) {
    snapshot = data;
    $("hall-name").textContent = data.hall.name;
    const at = hallTime(data.at);
    $("updated").textContent = at ? t("updated", at) : "";
    renderAgencyPick(data);
    renderAlerts(data.alerts);
    renderServices(data);
    renderCounters(data.counters);
  }

  function renderAgencyPick(data) {
    const pick = $("agency-pick");
    const options = [el("option", { value: "", text: t("agency.all") })];
    for (const a of data.agencies) {
      options.push(el("option", { value: a.code, text: i18n.pick(a.name, a.name_en) }));
    }
    pick.replaceChildren(...options);
    pick.value = data.agency;
  }

  /* A kiosk's or board's alert (only in the whole hall's view) is tagged as the IT staff's, not
   * the counters'. */
  function renderAlerts(alerts) {
    const items = alerts.map((a) =>
      el("li", { class: `alert alert-${a.level}`, "data-testid": `alert-${a.key}`, "data-code": a.code }, [
        a.device ? el("span", { class: "alert-tag", text: t("alert.device") }) : null,
        i18n.pick(a.message, a.message_en),
      ])
    );
    $("alerts").replaceChildren(...items);
    $("no-alerts").hidden = items.length > 0;
  }

  function agencyName(data, code) {
    const found = data.agencies.find((a) => a.code === code);
    return found ? i18n.pick(found.name, found.name_en) : code;
  }

  function renderServices(data) {
    const rows = data.services.map((s) => {
      const name = i18n.pick(s.name, s.name_en);
      const longest = s.longest_wait_seconds === null ? "—" : ticking(s.longest_wait_seconds, "");
      return el("tr", { class: `level-${s.level}`, "data-testid": `service-${s.code}` }, [
        el("th", { scope: "row", title: `${name} · ${agencyName(data, s.agency)}` }, [
          el("span", { class: "agency-tag", text: s.agency.toUpperCase() }),
          el("span", { class: "service-name", text: name }),
        ]),
        el("td", { class: "num big", "data-testid": `waiting-${s.code}`, text: String(s.waiting) }),
        el("td", { class: "num" }, [longest]),
        el("td", { class: "num", text: s.p90_wait_seconds === null ? "—" : clock(s.p90_wait_seconds) }),
        el("td", { class: "num", text: String(s.served) }),
        el("td", { class: "num", text: t("standard", { minutes: s.target_minutes }) }),
        el("td", {}, [el("span", { class: `level level-${s.level}`, text: t(`level.${s.level}`) })]),
      ]);
    });
    if (!rows.length) rows.push(el("tr", {}, [el("td", { colspan: "7", text: t("services.none") })]));
    $("services").replaceChildren(...rows);
  }

  function counterStatus(c) {
    if (c.ticket) return ticking(c.ticket.seconds, `ticket.${c.ticket.state}`);
    if (c.state === "open" && c.idle_seconds !== null) return ticking(c.idle_seconds, "counter.idle");
    if (c.state === "paused" && c.state_seconds !== null) return ticking(c.state_seconds, "counter.paused");
    return "";
  }

  /* A pause's reason: the operator page's three codes in the page's language, else the words given. */
  function reason(code) {
    return ["break", "prayer", "system"].includes(code) ? t(`reason.${code}`) : code;
  }

  function counterTile(c) {
    const level = c.ticket && c.ticket.state === "serving" ? c.ticket.level : "none";
    const officer = c.state === "paused" && c.reason ? `${c.officer} · ${reason(c.reason)}` : c.officer;
    const parts = [
      el("header", {}, [
        el("span", { class: "counter-name", text: t("counter.name", { number: c.number }) }),
        el("span", { class: `pill pill-${c.state}`, text: t(`state.${c.state}`) }),
      ]),
    ];
    if (c.state !== "closed") {
      const ticket = c.ticket ? c.ticket.number : "—";
      const testid = `counter-${c.number}-ticket`;
      parts.push(
        el("div", { class: "number counter-ticket", "data-testid": testid, text: ticket }),
        el("p", { class: "counter-status" }, [counterStatus(c)]),
        el("p", { class: "counter-officer", text: officer })
      );
    }
    const attrs = { class: `counter state-${c.state} level-${level}`, "data-testid": `counter-${c.number}` };
    return el("article", attrs, parts);
  }

  function renderCounters(counters) {
    $("counters").replaceChildren(...counters.map(counterTile));
  }

  // ---- following the hall ----

  function liveUrl(path) {
    return agency ? `${path}?agency=${encodeURIComponent(agency)}` : path;
  }

  function follow() {
    if (stream) stream.close();
    stream = liveSigned(liveUrl("/api/v1/hall/live/events"), staff.token, "hall", render, onState);
  }

  /* The stream dropped or was refused: say so, and ask once why (a signed-out person signs in again). */
  async function onState(up) {
    $("reconnecting").hidden = up;
    if (up || checking) return;
    checking = true;
    try {
      await staff.fetchJson(liveUrl("/api/v1/hall/live"));
    } catch (err) {
      if (err.status === 401) showSignIn();
      else if (err.status === 403 || err.status === 404) {
        if (stream) stream.close();
        $("reconnecting").hidden = true;
        banner.show(err);
      }
    } finally {
      checking = false;
    }
  }

  function enter() {
    banner.clear();
    if (staff.person && staff.person.agency) agency = ""; // a supervisor sees their own agency
    showView("live");
    follow();
  }

  function showSignIn() {
    if (stream) stream.close();
    stream = null;
    snapshot = null;
    $("reconnecting").hidden = true;
    showView("signin");
    staff.form($("sign-in"), banner, enter);
  }

  async function signOut() {
    if (stream) stream.close();
    await staff.signOut();
    showSignIn();
  }

  function pickAgency() {
    agency = $("agency-pick").value;
    const url = new URL(location.href);
    if (agency) url.searchParams.set("agency", agency);
    else url.searchParams.delete("agency");
    history.replaceState(null, "", url);
    follow();
  }

  async function start() {
    i18n.installToggle();
    i18n.apply();
    i18n.onChange(() => {
      renderWho();
      if (snapshot) render(snapshot);
    });
    $("sign-out").addEventListener("click", signOut);
    $("agency-pick").addEventListener("change", pickAgency);
    setInterval(tick, 1000);
    let person = null;
    try {
      person = await staff.restore();
    } catch (err) {
      banner.show(err);
    }
    if (person) enter();
    else showSignIn();
  }

  start();
})();
