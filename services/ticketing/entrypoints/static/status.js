/* The citizen's status page for /t/{id}: the number, where it stands, and - once called - which
 * counter to go to. Live through server-sent events; the stream ends with the ticket.
 *
 * A screen reader hears a call once, through the page's alert region, and again on a recall
 * (the counter calls again: a new called_at); a status that comes again unchanged (a reconnect,
 * a reload, a language switch) writes nothing, and the polite facts change only where their
 * text does. The tab's title names the counter, so a phone's tab list shows where to go. */
(() => {
  "use strict";
  const { i18n, call, Banner, live, hallTime, forecastWindow } = window.antre;
  const { t, pick } = i18n;

  i18n.register({
    id: {
      subtitle: "Status nomor antrean",
      number: "Nomor antrean",
      "state.label": "Status",
      "state.printing": "Sedang dicetak",
      "state.waiting": "Menunggu",
      "state.called": "Dipanggil",
      "state.serving": "Sedang dilayani",
      "state.completed": "Selesai",
      "state.skipped": "Dilewati",
      "state.no_show": "Tidak hadir",
      "state.cancelled": "Dibatalkan",
      position: "Posisi Anda: {n}",
      next: "Anda berikutnya",
      forecast: "Perkiraan dipanggil {from}-{to}",
      "forecast.from": "Perkiraan dipanggil mulai {from}",
      "call.called": "Silakan menuju",
      "call.serving": "Sedang dilayani di",
      "announce.called": "Nomor {number} dipanggil. Silakan menuju {counter}.",
      "announce.recalled": "Panggilan ulang: nomor {number}. Silakan menuju {counter}.",
      "title.called": "{number} · Silakan menuju {counter}",
      "note.printing": "Tiket Anda sedang dicetak di kios.",
      "note.completed": "Layanan selesai. Terima kasih telah berkunjung.",
      "note.skipped": "Nomor Anda dilewati. Silakan hubungi petugas informasi.",
      "note.no_show": "Anda tidak hadir saat dipanggil. Silakan ambil nomor baru.",
      "note.cancelled": "Nomor ini dibatalkan. Silakan ambil nomor baru di kios.",
      issued: "Diambil {date} pukul {time} {zone}",
      priority: "Prioritas",
      hint: "Halaman ini diperbarui otomatis. Biarkan tetap terbuka.",
      "ticket.missing": "Alamat halaman ini tidak memuat nomor antrean.",
      survey: "Isi survei kepuasan (1 menit)",
      zone: "Tunggu di: {zone}",
      "transfer.lead": "Anda dialihkan ke layanan {service}.",
      "transfer.where": "Nomor Anda tetap. Silakan menunggu di {zone}.",
      "transfer.stay": "Nomor Anda tetap. Silakan menunggu panggilan.",
    },
    en: {
      subtitle: "Queue number status",
      number: "Queue number",
      "state.label": "Status",
      "state.printing": "Printing",
      "state.waiting": "Waiting",
      "state.called": "Called",
      "state.serving": "Being served",
      "state.completed": "Done",
      "state.skipped": "Skipped",
      "state.no_show": "No-show",
      "state.cancelled": "Cancelled",
      position: "Your position: {n}",
      next: "You are next",
      forecast: "Expected call {from}-{to}",
      "forecast.from": "Expected call from {from}",
      "call.called": "Please go to",
      "call.serving": "Being served at",
      "announce.called": "Number {number} is called. Please go to {counter}.",
      "announce.recalled": "Called again: number {number}. Please go to {counter}.",
      "title.called": "{number} · Please go to {counter}",
      "note.printing": "Your ticket is being printed at the kiosk.",
      "note.completed": "Service complete. Thank you for your visit.",
      "note.skipped": "Your number was skipped. Please ask at the information desk.",
      "note.no_show": "You were not there when called. Please take a new number.",
      "note.cancelled": "This number was cancelled. Please take a new number at the kiosk.",
      issued: "Taken {date} at {time} {zone}",
      priority: "Priority",
      hint: "This page updates by itself. Keep it open.",
      "ticket.missing": "This page's address holds no queue number.",
      survey: "Take the satisfaction survey (1 minute)",
      zone: "Wait at: {zone}",
      "transfer.lead": "You were transferred to {service}.",
      "transfer.where": "Your number stays the same. Please wait at {zone}.",
      "transfer.stay": "Your number stays the same. Please wait to be called.",
    },
  });

  const FINAL = new Set(["completed", "skipped", "no_show", "cancelled"]);
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const banner = new Banner($("error"));
  const ticketId = decodeURIComponent(location.pathname.split("/")[2] || "");
  let status = null;
  let stream = null;
  const SAID_KEY = `antre.status.${ticketId}.said`; // the last call said, kept across a reload

  /* Written only when it differs: a live region re-reads a text rewritten the same. */
  function setText(node, text) {
    if (node.textContent !== text) node.textContent = text;
  }

  const counterName = (s) => s.counter_name || `Loket ${s.counter}`;

  function forecastText(f) {
    const times = forecastWindow(f);
    if (!times) return "";
    return times.to ? t("forecast", times) : t("forecast.from", times);
  }

  function render() {
    if (!status) return;
    const s = status;
    $("status").hidden = false;
    document.body.classList.toggle("is-demo", !!s.demo);
    $("demo").hidden = !s.demo;
    setText($("hall-name"), s.hall_name);
    setText($("status-number"), s.number);
    setText($("status-service"), pick(s.service_name, s.service_name_en));
    setText($("status-agency"), s.agency_name);
    const zone = $("status-zone");
    zone.hidden = !s.zone_name || FINAL.has(s.state);
    const where = pick(s.zone_name, s.zone_name_en);
    setText(zone, zone.hidden ? "" : t("zone", { zone: where }));
    const priority = $("status-priority");
    priority.hidden = !s.priority || s.priority === "none";
    setText(priority, t("priority"));

    // Said while the citizen waits in the new line; once called, the counter is what matters.
    const transfer = $("status-transfer");
    transfer.hidden = !(s.transferred && s.state === "waiting");
    setText($("status-transfer-lead"), transfer.hidden
      ? "" : t("transfer.lead", { service: pick(s.service_name, s.service_name_en) }));
    setText($("status-transfer-where"), transfer.hidden
      ? "" : where ? t("transfer.where", { zone: where }) : t("transfer.stay"));

    const state = $("status-state");
    setText(state, t(`state.${s.state}`));
    state.dataset.state = s.state;

    const position = $("status-position");
    const waiting = s.state === "waiting" && Number.isInteger(s.position);
    position.hidden = !waiting;
    setText(position, waiting ? (s.position <= 1 ? t("next") : t("position", { n: s.position })) : "");

    const forecast = $("status-forecast");
    const expected = s.state === "waiting" ? forecastText(s.forecast) : "";
    forecast.hidden = !expected;
    // The times stay on one line: a narrow phone breaks after the words, not inside "10:40-10:55".
    if (forecast.textContent !== expected) {
      const cut = expected.lastIndexOf(" ") + 1;
      const times = document.createElement("span");
      times.className = "nowrap";
      times.textContent = expected.slice(cut);
      forecast.replaceChildren(expected.slice(0, cut), times);
    }

    const atCounter = (s.state === "called" || s.state === "serving") && s.counter;
    const box = $("status-counter");
    box.hidden = !atCounter;
    box.classList.toggle("is-called", s.state === "called");
    box.classList.toggle("is-serving", s.state === "serving");
    setText($("status-counter-lead"), atCounter ? t(`call.${s.state}`) : "");
    setText($("status-counter-name"), atCounter ? counterName(s) : "");

    const note = $("status-note");
    const noteKey = `note.${s.state}`;
    note.hidden = t(noteKey) === noteKey;
    setText(note, note.hidden ? "" : t(noteKey));

    const survey = $("status-survey");
    survey.hidden = !(s.state === "completed" && s.survey_url);
    if (survey.hidden) survey.removeAttribute("href");
    else survey.href = s.survey_url;

    const when = hallTime(s.issued_at || s.created_at);
    setText($("status-issued"), when ? t("issued", when) : "");
    document.title = s.state === "called" && s.counter
      ? t("title.called", { number: s.number, counter: counterName(s) })
      : `${s.number} · ${t(`state.${s.state}`)}`;
  }

  function lastSaid() {
    try {
      return window.sessionStorage.getItem(SAID_KEY) || "";
    } catch {
      return saidHere;
    }
  }

  let saidHere = ""; // where the browser keeps no session storage: this load only

  /* A call is its counter and the time it called; a recall keeps the counter, not the time. */
  function sayCall(s) {
    if (s.state !== "called" || !s.counter) return;
    const call = `${s.counter}|${s.called_at || ""}`;
    const before = lastSaid();
    if (call === before) return;
    saidHere = call;
    try {
      window.sessionStorage.setItem(SAID_KEY, call);
    } catch {
      /* storage blocked: remembered for this load */
    }
    const again = before.split("|")[0] === String(s.counter);
    $("status-announce").textContent = t(again ? "announce.recalled" : "announce.called", {
      number: s.number,
      counter: counterName(s),
    });
    if (navigator.vibrate) navigator.vibrate([300, 150, 300]);
  }

  function update(next) {
    status = next;
    banner.clear();
    render();
    sayCall(next);
    if (FINAL.has(next.state) && stream) {
      stream.close(); // the server ends the stream too; do not let the browser reconnect forever
      stream = null;
      $("reconnecting").hidden = true;
    }
  }

  function follow() {
    stream = live(`/api/v1/tickets/${encodeURIComponent(ticketId)}/events`, "status", update, (up) => {
      $("reconnecting").hidden = up;
    });
  }

  async function start() {
    i18n.installToggle();
    i18n.apply();
    i18n.onChange(render);
    if (!ticketId) {
      banner.show("ticket.missing");
      return;
    }
    try {
      update(await call(`/api/v1/tickets/${encodeURIComponent(ticketId)}`));
    } catch (err) {
      banner.show(err);
      if (err.status === 404) return; // no such ticket: nothing to follow
    }
    if (!status || !FINAL.has(status.state)) follow();
  }

  start();
})();
