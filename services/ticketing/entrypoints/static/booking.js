/* The booking page (/booking) and its help-desk mode (/helpdesk): agency -> service -> day ->
 * session -> who comes -> the booking code. Looking a booking up, cancelling and moving it live in
 * booking.manage.js; the pickers and API calls in booking.common.js.
 *
 * At the help desk, staff book for citizens without a phone: the desk's API key (the hall's
 * ANTRE_API_KEYS names it "helpdesk") goes in the X-Api-Key header and stays in this browser tab
 * only, and every new booking starts from an empty form so no citizen's data carries over.
 */
(() => {
  "use strict";
  const { i18n, Banner, el, formatRupiah, svgImage } = window.antre;
  const B = window.antre.booking;
  const { t, pick } = i18n;

  const HELPDESK = location.pathname.replace(/\/+$/, "") === "/helpdesk";
  const KEY_STORE = "antre.helpdesk.key";
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const banner = new Banner($("error"));
  const state = { agency: null, service: null, days: [], day: null, session: null, booking: null };
  // The phone's one-time code: asked for on the first press, carried by the booking on the second.
  // The help desk's key vouches for its citizen: no code there.
  const phoneCode = { id: "", phone: "" };
  let bookScreen = "agencies"; // where the booking tab was left, to come back to it

  /* A step's screen, its tab selected, and - unless told otherwise (the first screen of a page
   * just opened) - focus on its heading, so a keyboard starts from the top of the new step and a
   * screen reader says where the citizen now is. */
  function show(name, { focus = true } = {}) {
    const screen = document.querySelector(`[data-screen="${name}"]`);
    const tab = screen.dataset.tab;
    if (tab === "book") bookScreen = name;
    for (const s of document.querySelectorAll("[data-screen]")) s.hidden = s.dataset.screen !== name;
    for (const b of document.querySelectorAll(".tab")) {
      b.setAttribute("aria-selected", String(b.dataset.tab === tab));
      b.tabIndex = b.dataset.tab === tab ? 0 : -1; // one tab stop: the selected tab
    }
    window.scrollTo(0, 0);
    if (focus) B.focus(screen.querySelector("h1"));
  }

  function fail(err) {
    banner.show(err);
    $("error").scrollIntoView({ block: "nearest" });
  }

  // ---- the hall ----

  async function loadHall() {
    try {
      B.hall = await B.send("/api/v1/hall");
    } catch (err) {
      fail(err);
      setTimeout(loadHall, 10000);
      return;
    }
    document.body.classList.toggle("is-demo", !!B.hall.demo);
    $("demo").hidden = !B.hall.demo;
    $("hall-name").textContent = B.hall.name;
    $("loading").hidden = true;
    renderAgencies();
    const code = new URLSearchParams(location.search).get("code");
    if (code) {
      show("manage", { focus: false });
      manage.open(code);
    }
  }

  const bookable = () => B.hall.services.filter((s) => s.bookable);

  function renderAgencies() {
    if (!B.hall) return;
    const services = bookable();
    const agencies = B.hall.agencies.filter((a) => services.some((s) => s.agency === a.code));
    const nodes = agencies.map((a) => {
      const n = services.filter((s) => s.agency === a.code).length;
      return el("button", { type: "button", class: "choice", "data-testid": `agency-${a.code}`,
        on: { click: () => chooseAgency(a) } }, [
        el("span", { class: "choice-main" }, [el("span", { class: "choice-name", text: pick(a.name, a.name_en) })]),
        el("span", { class: "choice-meta", text: t(n === 1 ? "agencies.count.one" : "agencies.count", { n }) }),
      ]);
    });
    $("agencies").replaceChildren(...(nodes.length ? nodes : [el("p", { class: "notice", text: t("agencies.none") })]));
  }

  function chooseAgency(agency) {
    state.agency = agency;
    banner.clear();
    renderServices();
    show("services");
  }

  function renderServices() {
    if (!state.agency) return;
    $("chosen-agency").textContent = pick(state.agency.name, state.agency.name_en);
    const services = bookable().filter((s) => s.agency === state.agency.code);
    $("services").replaceChildren(...services.map(serviceCard));
  }

  /* A tax's amount is set per case by law (the vehicle, the land): never "free". */
  function feeText(std) {
    if (std.fee_assessed) return t("service.assessed");
    return std.fee_idr ? formatRupiah(std.fee_idr) : t("service.free");
  }

  function serviceCard(s) {
    const std = s.standard;
    const fee = feeText(std);
    const time = i18n.local(std.time_to_complete, std.en && std.en.time_to_complete);
    return el("article", { class: "service" }, [
      el("button", { type: "button", class: "choice", "data-testid": `service-${s.code}`,
        on: { click: () => chooseService(s) } }, [
        el("span", { class: "choice-main" }, [el("span", { class: "choice-name", text: pick(s.name, s.name_en) })]),
        el("span", { class: "choice-meta" }, [
          el("span", { text: t("service.time", { time: time.text }) }),
          el("span", { class: std.fee_idr || std.fee_assessed ? "fee" : "fee free",
            "data-testid": `fee-${s.code}`, text: t("service.fee", { fee }) }),
        ]),
      ]),
      window.antre.standardDetails(s, {
        requirements: t("service.requirements"), procedure: t("service.procedure"), product: t("service.product"),
      }),
    ]);
  }

  // ---- day and session ----

  function chooseService(service) {
    state.service = service;
    state.day = null;
    banner.clear();
    $("chosen-service").textContent = pick(service.name, service.name_en);
    $("days").replaceChildren(el("p", { class: "loading", text: t("loading") }));
    show("days");
    loadDays();
  }

  /* Fetched again whenever the day list is shown: the places left move all day long. */
  async function loadDays() {
    try {
      const answer = await B.send(`/api/v1/services/${encodeURIComponent(state.service.code)}/sessions`);
      state.days = answer.days;
    } catch (err) {
      state.days = [];
      fail(err);
    }
    if (state.day) state.day = state.days.find((d) => d.day === state.day.day) || null;
    renderDays();
  }

  function renderDays() {
    if (!state.service) return;
    $("days").replaceChildren(...B.dayChoices(state.days, {
      selected: state.day ? state.day.day : "",
      onPick: chooseDay,
    }));
  }

  function chooseDay(day) {
    banner.clear();
    state.day = day;
    state.session = null;
    renderSessions();
    show("sessions");
  }

  function renderSessions() {
    if (!state.day) return;
    $("chosen-day").textContent = `${pick(state.service.name, state.service.name_en)} · ${B.dayLabel(state.day.day)}`;
    $("sessions").replaceChildren(...B.sessionChoices(state.day, {
      selected: state.session ? state.session.start : "",
      onPick: chooseSession,
    }));
  }

  function chooseSession(session) {
    banner.clear();
    state.session = session;
    renderForm();
    show("form");
  }

  // ---- who comes ----

  function renderForm() {
    if (!state.session) return;
    B.summary($("summary"), [
      [t("label.service"), pick(state.service.name, state.service.name_en)],
      [t("label.day"), B.dayLabel(state.day.day)],
      [t("label.session"), B.sessionLabel(state.session.start, state.session.end)],
    ]);
  }

  const required = (input) => (input.value.trim() ? null : () => t("field.required"));

  function checkForm() {
    const ok = [
      B.fieldError($("nik"), $("nik-error"), B.nikProblem($("nik").value)),
      B.fieldError($("name"), $("name-error"), required($("name"))),
      B.fieldError($("phone"), $("phone-error"), required($("phone"))),
    ];
    const first = document.querySelector("[aria-invalid=true]");
    if (first) first.focus();
    return ok.every(Boolean);
  }

  async function submit(event) {
    event.preventDefault();
    const button = $("submit");
    if (button.disabled || !checkForm()) return;
    if (HELPDESK && !B.apiKey()) return fail("desk.missing");
    button.disabled = true; // one press, one booking
    banner.clear();
    try {
      if (!HELPDESK && !(await codeReady())) return;
      state.booking = await B.send("/api/v1/bookings", {
        body: {
          service: state.service.code,
          day: state.day.day,
          session: state.session.start,
          nik: B.nikDigits($("nik").value),
          name: $("name").value.trim(),
          phone: $("phone").value.trim(),
          email: $("email").value.trim(),
          language: $("language").value,
          code_id: phoneCode.id,
          code: $("phone-code").value.trim(),
        },
      });
      forgetCode();
      renderDone();
      show("done", { focus: false });
      // The code takes focus (read as it stands) and the whole result is said once, the code
      // letter by letter: a screen reader reads "ABCD2345" as one word.
      B.focus($("booking-code"));
      const b = state.booking;
      B.announce(t("done.announce", {
        code: b.code.split("").join(" "),
        service: B.serviceName(b.service, b.service_name),
        day: B.dayLabel(b.day),
        session: B.sessionLabel(b.session_start, b.session_end),
      }));
    } catch (err) {
      fail(err);
      if (err.code === "phone_code_expired") forgetCode(); // the next press sends a new one
      // Taken meanwhile by someone else: the day and session lists show it when the citizen goes back.
      if (err.code === "session_full" || err.code === "online_quota_full") loadDays().then(renderSessions);
    } finally {
      button.disabled = false;
    }
  }

  /* True when the booking may be sent: a code was sent to this very phone and typed in, or the
   * hall needs none. Otherwise asks for one (the first press) and shows where to type it. */
  async function codeReady() {
    const phone = $("phone").value.trim();
    if (phoneCode.id && phoneCode.phone === phone) {
      return Boolean(B.fieldError($("phone-code"), $("phone-code-error"), required($("phone-code"))));
    }
    const sent = await B.send("/api/v1/phone-codes", { body: { phone, language: $("language").value } });
    if (!sent.required) return true;
    Object.assign(phoneCode, { id: sent.id, phone });
    $("phone-code").value = "";
    $("phone-code-step").hidden = false;
    const demo = $("demo-messages-link");
    if (sent.demo_messages) demo.href = sent.demo_messages;
    $("demo-messages").hidden = !sent.demo_messages;
    $("phone-code").focus();
    return false;
  }

  function forgetCode() {
    Object.assign(phoneCode, { id: "", phone: "" });
    $("phone-code").value = "";
    $("phone-code-step").hidden = true;
  }

  // ---- booked ----

  function renderDone() {
    const b = state.booking;
    if (!b) return;
    $("booking-code").textContent = b.code;
    const qr = $("booking-qr");
    const src = `/booking/${encodeURIComponent(b.code)}/qr.svg`;
    if (qr.dataset.src !== src) svgImage(qr, src);
    B.summary($("booking-summary"), [
      [t("label.service"), B.serviceName(b.service, b.service_name), "booking-service"],
      [t("label.day"), B.dayLabel(b.day), "booking-day"],
      [t("label.session"), B.sessionLabel(b.session_start, b.session_end), "booking-session"],
      [t("label.name"), b.name, "booking-name"],
      ["NIK", b.nik, "booking-nik"],
    ]);
  }

  /* The next booking starts clean. A family books on one phone, so the citizen's page keeps the
   * name, phone and email; the help desk serves a stranger next and forgets everything. */
  function again() {
    const keep = HELPDESK ? [] : ["name", "phone", "email"];
    for (const id of ["nik", "name", "phone", "email"]) if (!keep.includes(id)) $(id).value = "";
    for (const id of ["nik", "name", "phone"]) B.fieldError($(id), $(`${id}-error`), null);
    Object.assign(state, { agency: null, service: null, days: [], day: null, session: null, booking: null });
    const qr = $("booking-qr");
    qr.removeAttribute("src");
    delete qr.dataset.src;
    banner.clear();
    show("agencies");
  }

  // ---- the help desk's key ----

  function storedKey() {
    try {
      return window.sessionStorage.getItem(KEY_STORE) || "";
    } catch {
      return "";
    }
  }

  function setKey(value) {
    try {
      if (value) window.sessionStorage.setItem(KEY_STORE, value);
      else window.sessionStorage.removeItem(KEY_STORE);
    } catch {
      /* storage blocked: the key lives as long as the page */
    }
    memoryKey = value;
    $("api-key").value = value;
    renderKey();
  }

  let memoryKey = "";

  function renderKey() {
    $("api-key-state").textContent = t(B.apiKey() ? "desk.saved" : "desk.none");
  }

  function setUpHelpdesk() {
    document.body.classList.add("is-helpdesk");
    $("desk").hidden = false;
    $("subtitle").dataset.i18n = "desk.subtitle";
    memoryKey = storedKey();
    $("api-key").value = memoryKey;
    B.apiKey = () => memoryKey;
    $("api-key-save").addEventListener("click", () => setKey($("api-key").value.trim()));
    $("api-key").addEventListener("keydown", (e) => {
      if (e.key === "Enter") setKey($("api-key").value.trim());
    });
    $("api-key-forget").addEventListener("click", () => setKey(""));
    renderKey();
  }

  // ---- wiring ----

  /* A booking changed on the other tab: the confirmation must not show what no longer holds. */
  function changed(booking) {
    if (!state.booking || booking.code !== state.booking.code) return;
    if (booking.state === "cancelled") {
      state.booking = null;
      if (bookScreen === "done") bookScreen = "agencies";
    } else {
      state.booking = booking;
      renderDone();
    }
  }

  const manage = window.antre.bookingManage({ $, banner, fail, onChanged: changed });

  function openTab(tab) {
    banner.clear();
    show(tab === "manage" ? "manage" : bookScreen);
    if (tab === "book" && bookScreen === "days") loadDays();
  }

  /* Manual activation (the ARIA tabs pattern): the arrows, Home and End move focus between the
   * tabs; Enter or Space (a button's click) opens the focused one. */
  function tabKeys(event) {
    const tabs = [...document.querySelectorAll(".tab")];
    const at = tabs.indexOf(document.activeElement);
    if (at < 0) return;
    const moves = { ArrowRight: at + 1, ArrowDown: at + 1, ArrowLeft: at - 1, ArrowUp: at - 1, Home: 0, End: -1 };
    if (!(event.key in moves)) return;
    event.preventDefault();
    tabs.at(moves[event.key] % tabs.length).focus();
  }

  i18n.onChange(() => {
    document.title = t(HELPDESK ? "desk.title" : "title");
    if (!$("language").dataset.chosen) $("language").value = i18n.lang(); // reminders follow the page
    renderAgencies();
    renderServices();
    if (state.service) $("chosen-service").textContent = pick(state.service.name, state.service.name_en);
    renderDays();
    renderSessions();
    renderForm();
    renderDone();
    if (HELPDESK) renderKey();
    for (const id of ["nik", "name", "phone"]) {
      if ($(`${id}-error`).hidden) continue;
      B.fieldError($(id), $(`${id}-error`), id === "nik" ? B.nikProblem($(id).value) : required($(id)));
    }
  });
  $("form").addEventListener("submit", submit);
  $("language").addEventListener("change", () => {
    $("language").dataset.chosen = "yes"; // chosen on purpose: the page's language no longer decides
  });
  $("back-services").addEventListener("click", () => show("agencies"));
  $("back-days").addEventListener("click", () => show("services"));
  $("back-sessions").addEventListener("click", () => {
    show("days");
    loadDays();
  });
  $("back-form").addEventListener("click", () => show("sessions"));
  $("print").addEventListener("click", () => window.print());
  $("done-manage").addEventListener("click", () => {
    show("manage");
    manage.open(state.booking.code);
  });
  $("again").addEventListener("click", again);
  for (const tab of document.querySelectorAll(".tab")) tab.addEventListener("click", () => openTab(tab.dataset.tab));
  $("tabs").addEventListener("keydown", tabKeys);

  if (HELPDESK) setUpHelpdesk();
  $("language").value = i18n.lang();
  i18n.installToggle();
  i18n.apply();
  document.title = t(HELPDESK ? "desk.title" : "title");
  loadHall();
})();
