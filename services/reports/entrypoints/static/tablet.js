/* A counter's survey tablet at /survey/tablet. An officer signs in (at the counters, through
 * staff.js) and says once which counter the tablet stands at; from then on it shows the survey of
 * the visit that counter completed last (the server picks it: within 15 minutes, not answered
 * yet), thanks the citizen and waits for the next. The answers go to the server and are never
 * shown here: the officer holds the tablet again afterwards. */
(() => {
  "use strict";
  const { i18n, Banner, staff, surveyForm } = window.antre;
  const { pick } = i18n;

  i18n.register({
    id: {
      "tablet.which": "Tablet ini untuk loket nomor berapa?",
      "tablet.save": "Simpan",
      "tablet.waiting": "Survei muncul di sini setelah layanan Anda selesai.",
      "tablet.thanks": "Terima kasih atas penilaian Anda!",
      "tablet.changeCounter": "Ganti loket",
    },
    en: {
      "tablet.which": "Which counter number is this tablet at?",
      "tablet.save": "Save",
      "tablet.waiting": "The survey appears here once your service is complete.",
      "tablet.thanks": "Thank you for your rating!",
      "tablet.changeCounter": "Change counter",
    },
  });

  const KEY = "antre.survey.tablet.counter";
  const POLL_MS = 4000;
  const THANKS_MS = 6000;
  const IDLE_MS = 120000; // a form left half-filled this long gives way to the next visit
  const VIEWS = { signin: ["sign-in"], choose: ["choose"], waiting: ["waiting"], thanks: ["thanks"], survey: ["visit", "survey-form"] };
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const banner = new Banner($("error"));
  let counter = Number(localStorage.getItem(KEY)) || null;
  let form = null; // the API's form
  let pending = null; // the visit whose survey is shown
  let state = null; // the citizen's choices for it
  let touchedAt = 0;
  let thanksUntil = 0;
  let timer = null;
  let drawn = "";

  function show(view) {
    const visible = new Set(VIEWS[view]);
    for (const ids of Object.values(VIEWS)) for (const id of ids) $(id).hidden = !visible.has(id);
    $("staff-controls").hidden = !staff.person;
    $("person").textContent = staff.person ? staff.person.name : "";
  }

  function viewNow() {
    if (!staff.person) return "signin";
    if (!counter) return "choose";
    if (Date.now() < thanksUntil) return "thanks";
    return pending && form ? "survey" : "waiting";
  }

  /* Shows the view; the form is drawn again only when its visit or the language changed, so a
   * poll never moves the citizen's place or focus. */
  function render(force = false) {
    const view = viewNow();
    show(view);
    if (view !== "survey") {
      $("survey-form").replaceChildren(); // no answer stays behind for the officer to read
      drawn = "";
      return;
    }
    const key = `${pending.number}|${i18n.lang()}`;
    if (key === drawn && !force) return;
    drawn = key;
    $("visit-number").textContent = pending.number;
    $("visit-service").textContent = pick(pending.service_name, pending.service_name_en);
    const node = $("survey-form");
    node.oninput = node.onchange = () => (touchedAt = Date.now());
    surveyForm.draw(node, form, state, { onSubmit: send }).busy(false);
  }

  function busyWithAnother(next) {
    const filling = state && Object.keys(state.scores).length && Date.now() - touchedAt < IDLE_MS;
    return filling && pending && (!next || next.number !== pending.number);
  }

  async function poll() {
    clearTimeout(timer);
    if (!staff.person || !counter) return;
    try {
      const answer = await staff.fetchJson(`/api/v1/surveys/counters/${counter}/pending`);
      banner.clear();
      $("counter-name").textContent = answer.counter_name;
      form = answer.form;
      const next = answer.pending;
      if (!busyWithAnother(next) && (next ? next.number : null) !== (pending ? pending.number : null)) {
        pending = next;
        state = next ? surveyForm.blank() : null;
      }
      render();
    } catch (err) {
      banner.show(err);
      if (err.status === 401) return route();
      if (err.status === 403 || err.status === 404) return forgetCounter();
    }
    timer = setTimeout(poll, Date.now() < thanksUntil ? thanksUntil - Date.now() : POLL_MS);
  }

  async function send(body) {
    const submit = $("survey-form").querySelector('[data-testid="submit"]');
    submit.disabled = true;
    try {
      await staff.fetchJson(`/api/v1/surveys/counters/${counter}/pending`, {
        method: "PUT",
        body: { ...body, number: pending.number },
      });
      banner.clear();
      thanksUntil = Date.now() + THANKS_MS;
    } catch (err) {
      banner.show(err);
      submit.disabled = false;
      if (err.status !== 409) return; // kept: the same answers may be sent again
    }
    pending = state = null; // answered, or another visit is pending now: start over from the server
    render();
    window.scrollTo(0, 0);
    poll();
  }

  function forgetCounter() {
    counter = null;
    localStorage.removeItem(KEY);
    pending = state = null;
    route();
  }

  function route() {
    clearTimeout(timer);
    render();
    if (!staff.person) staff.form($("sign-in"), banner, route);
    else if (!counter) $("counter-input").focus();
    else poll();
  }

  async function start() {
    i18n.installToggle();
    i18n.apply();
    i18n.onChange(() => render(true));
    $("choose").addEventListener("submit", (event) => {
      event.preventDefault();
      const number = Number($("counter-input").value);
      if (!Number.isInteger(number) || number < 1) return;
      counter = number;
      localStorage.setItem(KEY, String(number));
      banner.clear();
      route();
    });
    $("change-counter").addEventListener("click", forgetCounter);
    $("sign-out").addEventListener("click", async () => {
      await staff.signOut();
      pending = state = null;
      route();
    });
    await staff.restore().catch((err) => banner.show(err));
    route();
  }

  start();
})();
