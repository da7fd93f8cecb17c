/* The kiosk: agency -> service -> priority -> number, or a booking's check-in (kiosk.checkin.js)
 * -> its number. One citizen at a time; the screen goes back to the start (and to Bahasa
 * Indonesia) after a ticket or when left idle, so the next person never inherits someone else's
 * half-made choice. */
(() => {
  "use strict";
  const { i18n, call, Banner, el, formatRupiah, forecastWindow, kioskDevice: device } = window.antre;
  const { t, pick } = i18n;

  const RESULT_SECONDS = 20;
  const IDLE_SECONDS = 60;
  const WARN_SECONDS = 20; // asked this long before the screen goes back to the start
  const MORE_SECONDS = 60; // what "more time" on the number's screen gives, as often as asked
  const QUEUES_SECONDS = 15; // the server keeps its summary 10 s: looking more often sees nothing new
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const banner = new Banner($("error"));
  // kioskId: the ?kiosk= of the address, sent for the server to check against the token; empty,
  // the token alone says which kiosk this is (and the first ticket tells the page).
  const state = { hall: null, kiosk: null, kioskId: "", agency: null, service: null, priority: "none",
    booking: "" };
  // The key of a press whose answer never came: pressing again for the same choice sends it
  // again, so a number issued before the network dropped is handed over, not issued twice.
  let pending = null; // {choice, key}
  let screen = "agencies";
  let ticket = null;
  let idleTimer = null;
  let warnTimer = null;
  let countdown = null;
  let queues = {}; // per service: {waiting, forecast}, from /api/v1/queues

  /* A new screen takes focus to its heading (the number, on the result screen), so a keyboard
   * starts from the top of it and a screen reader says where the citizen is. */
  function show(name) {
    const changed = screen !== name;
    screen = name;
    for (const s of document.querySelectorAll("[data-screen]")) s.hidden = s.dataset.screen !== name;
    window.scrollTo(0, 0);
    touch();
    // Spoken guidance (kiosk.speech.js) says each new screen; the result screen, its number.
    const detail = { name, hall: state.hall, ticket };
    if (changed) document.dispatchEvent(new CustomEvent("kiosk:screen", { detail }));
    if (!changed && document.activeElement !== document.body) return;
    const target = name === "result" ? $("ticket-number") : document.querySelector(`[data-screen="${name}"] h1`);
    if (target) {
      target.tabIndex = -1;
      target.focus({ preventScroll: true });
    }
  }

  /* Any touch restarts the idle clock; the start screen has none. WARN_SECONDS before it runs
   * out the citizen is asked whether they need more time (WCAG 2.2.1), and one touch gives it. */
  function touch() {
    clearTimeout(idleTimer);
    clearInterval(warnTimer);
    $("idle-warning").hidden = true;
    if (!["agencies", "result", "printing", "unenrolled"].includes(screen)) {
      idleTimer = setTimeout(warn, (IDLE_SECONDS - WARN_SECONDS) * 1000);
    }
  }

  function warn() {
    const until = Date.now() + WARN_SECONDS * 1000;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) return reset();
      $("idle-text").textContent = t("idle.warning", { n: left });
    };
    tick();
    $("idle-warning").hidden = false;
    $("stay").focus();
    warnTimer = setInterval(tick, 1000);
  }

  function reset() {
    document.dispatchEvent(new CustomEvent("kiosk:reset")); // large text and spoken guidance off
    clearInterval(countdown);
    clearInterval(warnTimer);
    $("idle-warning").hidden = true;
    Object.assign(state, { agency: null, service: null, priority: "none", booking: "" });
    ticket = null;
    pending = null; // the next citizen's press is never an earlier citizen's retry
    checkIn.reset();
    const qr = $("ticket-qr");
    qr.removeAttribute("src"); // the next citizen must never see the previous QR
    delete qr.dataset.src;
    banner.clear();
    if (i18n.lang() !== "id") i18n.setLang("id");
    show(device.token() ? "agencies" : "unenrolled");
    loadHall();
  }

  /* Not enrolled, or no longer: nothing here can issue a number, so no citizen is offered one. */
  function unenrolled() {
    device.forget();
    clearInterval(countdown);
    ticket = null;
    pending = null;
    checkIn.reset();
    banner.clear();
    $("agencies").replaceChildren();
    show("unenrolled");
  }

  /* Handles a refusal that means "not enrolled"; false for any other error. */
  function refusedDevice(err) {
    if (!device.refused(err)) return false;
    unenrolled();
    return true;
  }

  async function loadHall() {
    try {
      state.hall = await call("/api/v1/hall");
    } catch (err) {
      banner.show(err);
      setTimeout(loadHall, 10000);
      return;
    }
    const hall = state.hall;
    checkIn.refresh();
    const wanted = new URLSearchParams(location.search).get("kiosk");
    const known = wanted || (state.kiosk && state.kiosk.id);
    state.kiosk = known ? hall.kiosks.find((k) => k.id === known) : hall.kiosks[0];
    state.kioskId = wanted || "";
    if (wanted && !state.kiosk) banner.show(new Error(t("kiosk.unknown", { id: wanted })));
    document.body.classList.toggle("is-demo", !!hall.demo);
    $("demo").hidden = !hall.demo;
    $("hall-name").textContent = hall.name;
    $("kiosk-name").textContent = state.kiosk ? state.kiosk.name : "";
    $("loading").hidden = true;
    renderAgencies();
  }

  function renderAgencies() {
    const hall = state.hall;
    if (!hall || !device.token()) return;
    const refusal = $("refusal");
    refusal.hidden = hall.issuing.open;
    refusal.textContent = hall.issuing.open ? "" : pick(hall.issuing.message, hall.issuing.message_en);
    renderClosed();
    const grid = $("agencies");
    grid.hidden = !hall.issuing.open;
    $("checkin-start").hidden = !hall.issuing.open || !hall.services.some((s) => s.bookable);
    grid.replaceChildren(...hall.agencies.map(agencyButton));
  }

  /* Out of hours no service is offered (each would be refused): the day and time the hall opens
   * again, and the booking page's address and QR code. */
  function renderClosed() {
    const hall = state.hall;
    const closed = !hall.issuing.open;
    $("closed").hidden = !closed;
    const next = closed ? window.antre.hallTime(hall.issuing.next_opening) : null;
    $("closed-next").hidden = !next;
    $("closed-next").textContent = next
      ? t("closed.next", { ...next, day: t(`day.${weekday(hall.issuing.next_opening)}`) }) : "";
    const booking = closed && hall.booking_url;
    $("closed-booking").hidden = !booking;
    $("closed-booking-url").textContent = booking ? hall.booking_url.replace(/^https?:\/\//, "") : "";
    const qr = $("closed-booking-qr");
    if (booking && qr.dataset.src !== "/booking/qr.svg") window.antre.svgImage(qr, "/booking/qr.svg");
  }

  /* 0 (Sunday) to 6 of the date written in a hall-local ISO time, whatever the kiosk's zone. */
  function weekday(iso) {
    const [y, m, d] = iso.slice(0, 10).split("-").map(Number);
    return new Date(Date.UTC(y, m - 1, d)).getUTCDay();
  }

  function agencyButton(agency) {
    const count = state.hall.services.filter((s) => s.agency === agency.code).length;
    const official = i18n.lang() === "en" ? agency.name : ""; // the name on the hall's signs
    return el("button", { type: "button", class: "agency", "data-testid": `agency-${agency.code}`,
      on: { click: () => chooseAgency(agency) } }, [
      el("span", { class: "agency-name", text: pick(agency.name, agency.name_en) }),
      official ? el("span", { class: "agency-other", lang: "id", text: official }) : null,
      el("span", { class: "agency-count",
        text: t(count === 1 ? "agencies.count.one" : "agencies.count", { n: count }) }),
    ]);
  }

  function chooseAgency(agency) {
    state.agency = agency;
    renderServices();
    show("services");
    loadQueues();
  }

  /* How many wait and when the last of them is expected to be called: the citizen sees it before
   * choosing. Without an answer the cards simply show no line. */
  async function loadQueues() {
    try {
      queues = (await call("/api/v1/queues")).services || {};
    } catch {
      queues = {};
    }
    renderQueues();
  }

  /* In place: a card's open requirements stay open while the figures move. */
  function renderQueues() {
    for (const node of document.querySelectorAll(".queue[data-service]")) {
      node.textContent = queueText(node.dataset.service);
      node.hidden = !node.textContent;
    }
  }

  function queueText(code) {
    const q = queues[code];
    if (!q || !Number.isInteger(q.waiting)) return "";
    if (q.waiting === 0) return t("queue.none");
    const times = forecastWindow(q.forecast);
    if (!times) return t("queue.waiting", { n: q.waiting });
    return t(times.to ? "queue.forecast" : "queue.forecastFrom", { n: q.waiting, ...times });
  }

  function renderServices() {
    const agency = state.agency;
    $("chosen-agency").textContent = pick(agency.name, agency.name_en);
    const services = state.hall.services.filter((s) => s.agency === agency.code);
    $("services").replaceChildren(...services.map(serviceCard));
    renderQueues();
  }

  /* A tax's amount is set per case by law (the vehicle, the land): never "free". */
  function feeText(std) {
    if (std.fee_assessed) return t("service.assessed");
    return std.fee_idr ? formatRupiah(std.fee_idr) : t("service.free");
  }

  function serviceCard(s) {
    const std = s.standard;
    const fee = feeText(std);
    const details = window.antre.standardDetails(s, {
      requirements: t("service.requirements"), procedure: t("service.procedure"), product: t("service.product"),
    });
    const time = i18n.local(std.time_to_complete, std.en && std.en.time_to_complete);
    return el("article", { class: "service" }, [
      el("button", { type: "button", class: "service-pick", "data-testid": `service-${s.code}`,
        on: { click: () => chooseService(s) } }, [
        el("span", { class: "prefix number", "aria-hidden": "true", text: s.prefix }),
        el("span", { class: "service-main" }, [
          el("span", { class: "service-name", text: pick(s.name, s.name_en) }),
          el("span", { class: "service-meta" }, [
            el("span", { text: t("service.time", { time: time.text }) }),
            el("span", { class: std.fee_idr || std.fee_assessed ? "fee" : "fee free",
            "data-testid": `fee-${s.code}`, text: t("service.fee", { fee }) }),
            el("span", { class: "queue", "data-testid": `queue-${s.code}`, "data-service": s.code }),
          ]),
        ]),
        el("span", { class: "chevron", "aria-hidden": "true", text: "›" }),
      ]),
      details,
    ]);
  }

  function chooseService(service) {
    state.service = service;
    state.priority = "none";
    renderPriority();
    show("priority");
  }

  function renderPriority() {
    const s = state.service;
    $("chosen-service").replaceChildren(
      el("span", { class: "prefix number", text: s.prefix }),
      el("span", { text: pick(s.name, s.name_en) })
    );
    const groups = state.hall.priority_groups || ["none"];
    $("priorities").replaceChildren(...groups.map(priorityButton));
  }

  function priorityButton(group) {
    const choose = () => {
      state.priority = group;
      renderPriority();
    };
    return el("button", { type: "button", role: "radio", "aria-checked": String(state.priority === group),
      class: group === "none" ? "priority priority-none" : "priority", "data-testid": `priority-${group}`,
      on: { click: choose } }, t(`priority.${group}`));
  }

  async function takeNumber() {
    const button = $("take-number");
    if (button.disabled) return;
    button.disabled = true; // one touch, one number
    banner.clear();
    state.booking = "";
    const body = { service: state.service.code, priority: state.priority, kiosk: state.kioskId };
    const choice = JSON.stringify(body);
    if (!pending || pending.choice !== choice) pending = { choice, key: device.newKey() };
    try {
      const issued = await issue(body, pending.key);
      pending = null;
      await deliver(issued);
    } catch (err) {
      if (err instanceof window.antre.ApiError && err.status) pending = null; // answered: a new press is new
      if (refusedDevice(err)) return;
      banner.show(err);
      show("priority");
    } finally {
      button.disabled = false;
    }
  }

  /* A dropped request is sent again at once with the same key: a kiosk's Wi-Fi blinks more often
   * than a server fails, and the key makes a number issued before the blink come back as is. */
  async function issue(body, key) {
    for (let attempt = 1; ; attempt += 1) {
      try {
        return await call("/api/v1/tickets", { body, token: device.token(), headers: { "Idempotency-Key": key } });
      } catch (err) {
        if (attempt >= 3 || !(err instanceof window.antre.ApiError) || err.status) throw err;
        await new Promise((resolve) => setTimeout(resolve, 1000 * attempt));
      }
    }
  }

  /* A number in the citizen's hand, walk-in or checked in: printed first where the kiosk prints
   * (a ticket checked in twice is printed once), then on the screen. Rejects if the print failed. */
  async function deliver(issued) {
    ticket = issued;
    // The ticket names the kiosk the token belongs to: that kiosk's printer is the one to use.
    const kiosk = state.hall.kiosks.find((k) => k.id === issued.kiosk);
    if (kiosk && kiosk !== state.kiosk) {
      state.kiosk = kiosk;
      $("kiosk-name").textContent = kiosk.name;
    }
    if (state.kiosk && state.kiosk.printer === "browser" && issued.state === "printing") {
      show("printing");
      await printInBrowser(issued);
    }
    showResult();
  }

  /* Print the ticket page from a hidden frame, then confirm it; a ticket whose print failed is
   * cancelled so that no "ghost" number gets called. */
  async function printInBrowser(issued) {
    const frame = el("iframe", { class: "print-frame", src: issued.print_url, "aria-hidden": "true",
      tabindex: "-1", title: "print" });
    const loaded = new Promise((resolve) => frame.addEventListener("load", resolve, { once: true }));
    document.body.append(frame);
    try {
      await within(loaded, 15000);
      const ready = frame.contentWindow.antreTicketReady; // absent: the print page did not load
      if (!ready) throw new Error("no ticket page");
      await within(ready, 15000);
      frame.contentWindow.focus();
      frame.contentWindow.print();
      await call(`/api/v1/tickets/${issued.id}/printed`, { method: "POST", token: device.token() });
    } catch (err) {
      const failed = `/api/v1/tickets/${issued.id}/print-failed`;
      await call(failed, { method: "POST", token: device.token() }).catch(() => {});
      throw err instanceof window.antre.ApiError && err.status ? err : new Error(t("print.failed"));
    } finally {
      setTimeout(() => frame.remove(), 2000);
    }
  }

  function within(promise, ms) {
    return Promise.race([
      Promise.resolve(promise),
      new Promise((_, reject) => setTimeout(() => reject(new Error("timeout")), ms)),
    ]);
  }

  function showResult() {
    renderResult();
    show("result");
    // Counted against the clock, not in ticks: a busy or throttled page still returns on time.
    let until = Date.now() + RESULT_SECONDS * 1000;
    const tick = () => {
      const left = Math.ceil((until - Date.now()) / 1000);
      if (left <= 0) return reset();
      $("countdown").textContent = t("countdown", { n: left });
    };
    $("more-time").onclick = () => {
      until = Math.max(until, Date.now()) + MORE_SECONDS * 1000;
      tick();
    };
    tick();
    countdown = setInterval(tick, 1000);
    // Said once, whole: the number alone is what focus reads.
    $("announce").textContent = t("result.announce", {
      number: ticket.number,
      service: pick(ticket.service_name, ticket.service_name_en),
    });
  }

  function renderResult() {
    if (!ticket) return;
    const printed = state.kiosk && state.kiosk.printer !== "none";
    $("ticket-number").textContent = ticket.number;
    $("ticket-service").textContent = pick(ticket.service_name, ticket.service_name_en);
    const agency = state.hall.agencies.find((a) => a.code === ticket.agency) || state.agency;
    $("ticket-agency").textContent = agency ? pick(agency.name, agency.name_en) : ticket.agency_name;
    $("ticket-zone").hidden = !ticket.zone_name;
    const zone = pick(ticket.zone_name, ticket.zone_name_en);
    $("ticket-zone").textContent = zone ? t("result.zone", { zone }) : "";
    $("ticket-booking").hidden = !state.booking;
    $("ticket-booking").textContent = t("result.checkedIn", { code: state.booking });
    const badge = $("ticket-priority");
    badge.hidden = ticket.priority === "none";
    badge.textContent = t("result.priority", { group: t(`priority.${ticket.priority}`) });
    $("ticket-note").textContent = t(printed ? "result.printed" : "result.unprinted");
    const qr = $("ticket-qr");
    const src = `/api/v1/tickets/${encodeURIComponent(ticket.id)}/qr.svg`;
    if (qr.dataset.src !== src) window.antre.svgImage(qr, src);
  }

  const checkIn = window.antre.kioskCheckIn({
    root: document.querySelector('[data-screen="checkin"]'),
    kioskId: () => state.kioskId,
    token: () => device.token(),
    refusedDevice,
    groups: () => (state.hall ? state.hall.priority_groups || ["none"] : ["none"]),
    active: () => screen === "checkin",
    canOpen: () => screen === "agencies" && !$("checkin-start").hidden,
    deliver: (issued, code) => {
      state.booking = code;
      return deliver(issued);
    },
    showScreen: () => {
      banner.clear();
      show("checkin");
    },
    walkIn: leaveCheckIn,
  });

  /* Back to the start; with a service (a booking refused outside its window, walk-ins open), to
   * that service's walk-in number at once: the citizen already said what they came for. */
  function leaveCheckIn(serviceCode) {
    checkIn.reset();
    const service = typeof serviceCode === "string" && state.hall
      ? state.hall.services.find((s) => s.code === serviceCode) : null;
    const agency = service && state.hall.agencies.find((a) => a.code === service.agency);
    if (!service || !agency) {
      show("agencies");
      return;
    }
    state.agency = agency;
    renderServices();
    chooseService(service);
  }

  i18n.onChange(() => {
    renderAgencies();
    if (state.agency) renderServices();
    if (state.service) renderPriority();
    renderResult();
  });
  document.addEventListener("pointerdown", touch, { passive: true });
  document.addEventListener("keydown", touch, { passive: true }); // a scanner types, never touches
  $("take-number").addEventListener("click", takeNumber);
  $("done").addEventListener("click", reset);
  $("stay").addEventListener("click", touch);
  $("back-services").addEventListener("click", () => show("agencies"));
  $("back-priority").addEventListener("click", () => show("services"));
  $("back-checkin").addEventListener("click", () => leaveCheckIn());
  $("checkin-start").addEventListener("click", () => {
    banner.clear();
    show("checkin");
  });
  // A closed hall opens by itself in the morning: look again while nobody is using the kiosk.
  setInterval(() => screen === "agencies" && loadHall(), 60000);
  setInterval(() => screen === "services" && loadQueues(), QUEUES_SECONDS * 1000);

  i18n.installToggle();
  i18n.apply();
  if (!device.token()) show("unenrolled");
  loadHall();
  device.keepReporting(unenrolled);
})();
