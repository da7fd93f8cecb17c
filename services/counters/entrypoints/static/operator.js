/* The counter officer's page: sign in, pick a counter, work the queue: call next or a number the
 * officer names, hold a citizen aside and call them again, bring a passed-over or held ticket back
 * to the queue, pause saying why. The server decides what is allowed; the page only enables the
 * buttons that make sense now, and sends one action at a time so a double press never calls two
 * citizens. */
(() => {
  "use strict";
  const { i18n, call, Banner, liveSigned, el, operatorSession: session } = window.antre;
  const { t } = i18n;
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const COUNTER = "antre.operator.counter";
  const KEYS = { n: "call-next", r: "recall", s: "start", c: "complete", t: "hold" };
  const SHORTCUTS = "antre.operator.shortcuts"; // "off": the one-key shortcuts are turned off
  // Where focus goes when the button just pressed can no longer be pressed: the step that follows.
  const NEXT = ["start", "complete", "call-next", "resume", "open"];
  const REASONS = ["break", "prayer", "system"]; // the pause reasons with a name in both languages
  const banner = new Banner($("error"));
  const notice = new Banner($("notice"));

  let counterNo = Number(new URLSearchParams(location.search).get("counter")) || null;
  let view = null; // the counter as GET /api/v1/counters/{n} describes it
  let stream = null;
  let busy = false;

  /* A new screen takes focus to its heading, so a keyboard starts from the top of it and a screen
   * reader says where it is; the sign-in screen to its first field. */
  function showView(name) {
    for (const v of document.querySelectorAll("[data-view]")) v.hidden = v.dataset.view !== name;
    $("sign-out").hidden = !session.officer;
    $("change-counter").hidden = name !== "work";
    renderOfficer();
    if (name === "signin") $("username").focus();
    else document.querySelector(`[data-view="${name}"] h1`).focus();
  }

  const usable = (b) => !!b && !b.disabled && !b.hidden && b.offsetParent !== null;

  /* Focus back on the button of ``testid`` (drawn again, or enabled again), else on the step that
   * follows, else on the counter's heading: never left on the page's body. */
  function focusAfter(testid) {
    const again = testid && $(testid);
    if (usable(again)) return again.focus();
    const next = NEXT.map((id) => $(id)).find(usable);
    (next || $("counter-name")).focus();
  }

  function renderOfficer() {
    const officer = session.officer;
    $("officer").textContent = officer ? t("officer", { name: officer.name }) : "";
  }

  function markDemo(demo) {
    document.body.classList.toggle("is-demo", !!demo);
    $("demo").hidden = !demo;
  }

  async function start() {
    i18n.installToggle();
    i18n.apply();
    i18n.onChange(() => {
      renderOfficer();
      if (view) render();
    });
    counterNo = counterNo || Number(sessionStorage.getItem(COUNTER)) || null;
    await session.restore().catch((err) => banner.show(err));
    route();
  }

  function route() {
    if (!session.officer) return showView("signin");
    if (counterNo) return enterCounter(counterNo);
    return listCounters();
  }

  async function signIn(event) {
    event.preventDefault();
    const username = $("username").value.trim();
    const password = $("password").value;
    if (!username || !password) return banner.show("signin.missing");
    try {
      await session.signIn(username, password);
      $("password").value = "";
      banner.clear();
      route();
    } catch (err) {
      banner.show(err);
    }
  }

  async function signOut() {
    await session.signOut();
    leaveCounter(false);
    notice.clear();
    banner.clear();
    showView("signin");
  }

  /* Counters of the officer's agency (hall staff, with no agency, see them all). */
  async function listCounters() {
    showView("counters");
    let counters = [];
    try {
      counters = await call("/api/v1/counters", { token: session.token });
    } catch (err) {
      return banner.show(err);
    }
    markDemo(counters[0]?.demo);
    const agencyOf = Object.fromEntries((counters[0]?.all_services || []).map((s) => [s.code, s.agency]));
    const { agency } = session.officer;
    const ours = (c) => !agency || c.services.some((s) => agencyOf[s.code] === agency);
    const mine = counters.filter(ours);
    $("counters").replaceChildren(...mine.map(counterCard));
    if (!mine.length) $("counters").append(el("p", { text: t("counters.none") }));
  }

  function counterCard(c) {
    const other = !!c.officer && c.officer !== session.officer.username;
    // A counter in use by another officer can still be entered: to see whose it is, and to take it
    // over once that officer has signed out.
    return el("button", { type: "button", class: other ? "counter-card is-held" : "counter-card",
      "data-testid": `counter-${c.number}`, on: { click: () => enterCounter(c.number) } }, [
      el("strong", { text: c.name }),
      el("span", { class: "muted", text: c.services.map((s) => s.name).join(", ") }),
      el("span", { class: `pill pill-${c.state}`, text: t(`state.${c.state}`) }),
      other ? el("span", { class: "muted", text: t("counters.held", { officer: c.officer }) }) : null,
    ]);
  }

  async function enterCounter(number) {
    counterNo = number;
    sessionStorage.setItem(COUNTER, String(number));
    history.replaceState(null, "", `${location.pathname}?counter=${number}`);
    try {
      setView(await call(`/api/v1/counters/${number}`, { token: session.token }));
    } catch (err) {
      counterNo = null;
      sessionStorage.removeItem(COUNTER);
      banner.show(err);
      return listCounters();
    }
    showView("work");
    if (stream) stream.close();
    stream = liveSigned(`/api/v1/counters/${number}/events`, session.token, "counter", setView, (up) => {
      $("reconnecting").hidden = up;
    });
  }

  function leaveCounter(toList = true) {
    if (stream) stream.close();
    stream = view = counterNo = null;
    sessionStorage.removeItem(COUNTER);
    history.replaceState(null, "", location.pathname);
    $("reconnecting").hidden = true;
    if (toList) listCounters();
  }

  function setView(next) {
    if (next.number !== counterNo) return; // a late event from a counter we already left
    view = next;
    render();
  }

  function render() {
    // A list drawn again drops the button that had focus: it goes back to the new one.
    const had = busy ? null : document.activeElement?.dataset?.testid;
    draw();
    if (had && document.activeElement === document.body) focusAfter(had);
  }

  function draw() {
    const v = view;
    const tk = v.ticket;
    const mine = !!session.officer && v.officer === session.officer.username;
    const called = tk?.state === "called";
    const serving = tk?.state === "serving";
    const max = v.max_recalls;
    markDemo(v.demo);
    $("counter-name").textContent = v.name;
    $("counter-services").textContent = v.services.map((s) => s.name).join(" · ");
    $("counter-state").textContent = t(`state.${v.state}`);
    $("counter-state").className = `pill pill-${v.state}`;
    const reason = v.state === "paused" ? v.pause_reason : "";
    $("pause-reason").hidden = !reason;
    $("pause-reason").textContent = reason ? t("pause.reason", { reason: reasonText(reason) }) : "";
    $("held-by").hidden = !v.officer || mine;
    $("held-by").textContent = t("held.other", { officer: v.officer });

    $("current-number").textContent = tk ? tk.number : "—";
    $("current-number").classList.toggle("is-empty", !tk);
    $("current-service").textContent = tk ? tk.service_name : t("current.none");
    const priority = tk && tk.priority !== "none" ? `${t("current.priority")} · ` : "";
    const doing = called ? t("current.called", { recalls: tk.recalls, max }) : t("current.serving");
    $("current-state").textContent = tk ? priority + doing : "";
    $("recall-label").textContent = t("act.recall", { recalls: tk ? tk.recalls : 0, max });
    $("skip").textContent = tk && tk.recalls >= max ? t("act.no-show") : t("act.skip");

    const can = {
      open: v.state === "closed",
      "call-next": mine && v.state === "open" && !tk,
      recall: mine && called && tk.recalls < max,
      start: mine && called,
      complete: mine && (called || serving),
      skip: mine && called,
      transfer: mine && (called || serving),
      hold: mine && (called || serving),
      "call-number": mine && v.state === "open" && !tk,
      "return-number": mine && v.state !== "closed",
      pause: mine && v.state === "open" && !tk,
      resume: mine && v.state === "paused",
      close: mine && v.state !== "closed" && !tk && !(v.held || []).length, // held citizens come back here
    };
    for (const [action, ok] of Object.entries(can)) $(action).disabled = busy || !ok;
    $("open").hidden = v.state !== "closed";
    // Left open by an officer who signed out (or went home): the server hands it over, or says
    // whose it still is.
    $("take-over").hidden = v.state === "closed" || !v.officer || mine;
    $("take-over").disabled = busy;
    $("pause").hidden = v.state === "paused";
    $("resume").hidden = v.state !== "paused";
    if (!can.transfer) $("transfer-panel").hidden = true;
    if (!can.pause) $("pause-panel").hidden = true;

    const counts = v.services.map((s) => [s.name, (v.waiting || {})[s.code] || 0]);
    counts.push([t("waiting.total"), counts.reduce((sum, [, n]) => sum + n, 0)]);
    $("waiting").replaceChildren(
      ...counts.map(([name, n]) => el("li", {}, [el("span", { text: name }), el("b", { text: String(n) })]))
    );
    // Held citizens come back to this desk: called again once it is free, or sent back to the queue.
    renderAside("held-list", v.held || [], (h) => t("held.since", { time: clock(h.held_at) }), [
      ["call-held", "act.call-held", mine && v.state === "open" && !tk],
      ["return", "act.return", mine],
    ]);
    renderAside("passed-list", v.passed || [], (p) => t(`passed.${p.state}`), [["return", "act.return", mine]]);
  }

  function renderAside(testid, tickets, note, actions) {
    const items = tickets.map((tk) =>
      el("li", { "data-testid": `${testid}-${tk.number}` }, [
        el("div", {}, [
          el("b", { class: "number", text: tk.number }),
          el("span", { class: "muted", text: ` ${tk.service_name} · ${note(tk)}` }),
        ]),
        el("div", { class: "row" }, actions.map(([action, label, ok]) =>
          el("button", {
            type: "button",
            class: "btn",
            "data-testid": `${action}-${tk.number}`,
            disabled: busy || !ok,
            text: t(label),
            on: { click: () => byNumber(action, tk.number) },
          }))),
      ])
    );
    if (!items.length) items.push(el("li", { class: "muted", text: t("aside.none") }));
    $(testid).replaceChildren(...items);
  }

  function reasonText(reason) {
    return REASONS.includes(reason) ? t(`reason.${reason}`) : reason;
  }

  function clock(iso) {
    if (!iso) return "";
    const locale = i18n.lang() === "en" ? "en-GB" : "id-ID";
    return new Date(iso).toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit" });
  }

  async function act(action, body) {
    if (busy || !view) return;
    const pressed = document.activeElement?.dataset?.testid;
    busy = true; // one action at a time: a double press must not call two citizens
    render();
    banner.clear();
    notice.clear();
    try {
      const url = `/api/v1/counters/${counterNo}/${action}`;
      const result = await call(url, { body: body || {}, token: session.token });
      if (result && result.number === counterNo) setView(result);
      else setView(await call(`/api/v1/counters/${counterNo}`, { token: session.token }));
      if (result && !result.ticket && result.message) {
        flash(i18n.pick(result.message, result.message_en)); // nobody waiting
      }
      return result;
    } catch (err) {
      if (err.status === 401) {
        session.forget();
        leaveCounter(false);
        showView("signin");
      }
      banner.show(err);
    } finally {
      busy = false;
      if (view) render();
      // The pressed button was disabled while the action ran, which drops focus to the body.
      if (view && document.activeElement === document.body) focusAfter(pressed);
    }
  }

  /* A passing note ("nobody is waiting"): true now, stale soon, so it goes away by itself. */
  let flashTimer = null;
  function flash(text) {
    notice.show(new Error(text));
    clearTimeout(flashTimer);
    flashTimer = setTimeout(() => notice.clear(), 8000);
  }

  /* An action on a ticket the officer names (typed, or from the held and passed-over lists). */
  async function byNumber(action, number) {
    const result = await act(action, { number });
    if (!result || !result.ticket) return result;
    if (action === "return") {
      const { ahead } = result;
      flash(t(ahead ? "returned.done" : "returned.front", { number: result.ticket.number, ahead }));
    }
    return result;
  }

  async function typedNumber(event, action) {
    event?.preventDefault();
    const number = $("ticket-number").value.trim();
    if (!number) return banner.show("number.missing");
    const result = await byNumber(action, number);
    if (result && result.ticket) $("ticket-number").value = "";
  }

  async function hold() {
    const result = await act("hold");
    if (result && result.ticket) flash(t("held.done", { number: result.ticket.number }));
  }

  function openPause() {
    $("pause-other").value = "";
    $("pause-panel").hidden = false;
    $("pause-panel").scrollIntoView({ block: "nearest" }); // a 768-pixel desk screen scrolls to it
    $("pause-break").focus();
  }

  async function pause(reason) {
    const result = await act("pause", { reason });
    if (result && !result.error) $("pause-panel").hidden = true;
  }

  function openTransfer() {
    const current = view.ticket;
    $("transfer-service").replaceChildren(
      ...view.all_services.filter((s) => s.code !== current.service).map((s) =>
        el("option", { value: s.code, text: `${s.name} (${s.agency})` }))
    );
    $("transfer-panel").hidden = false;
    $("transfer-service").focus();
  }

  async function confirmTransfer() {
    const select = $("transfer-service");
    const label = select.selectedOptions[0]?.textContent || select.value;
    const result = await act("transfer", { service: select.value });
    if (result && result.ticket) {
      $("transfer-panel").hidden = true;
      flash(t("transfer.done", { number: result.ticket.number, service: label }));
    }
  }

  /* One-key shortcuts (WCAG 2.1.4): only at work, with focus on the page or in the counter's own
   * area (never on the header's buttons nor in a field), and they can be turned off. */
  function onKey(event) {
    const action = KEYS[(event.key || "").toLowerCase()];
    if (!action || event.ctrlKey || event.metaKey || event.altKey || event.repeat) return;
    if (!$("shortcuts").checked) return;
    const work = document.querySelector('[data-view="work"]');
    if (work.hidden) return;
    const target = event.target;
    if (target !== document.body && !work.contains(target)) return;
    if (target.closest("input, select, textarea, form, [data-testid$='-panel']")) return;
    const button = $(action);
    if (!button.disabled && !button.hidden) {
      event.preventDefault();
      button.click();
    }
  }

  $("sign-in-form").addEventListener("submit", signIn);
  $("sign-out").addEventListener("click", signOut);
  $("change-counter").addEventListener("click", leaveCounter);
  for (const button of document.querySelectorAll("[data-act]")) {
    if (button.dataset.act === "hold") button.addEventListener("click", hold);
    else button.addEventListener("click", () => act(button.dataset.act));
  }
  $("by-number").addEventListener("submit", (event) => typedNumber(event, "call-number"));
  $("return-number").addEventListener("click", (event) => typedNumber(event, "return"));
  $("pause").addEventListener("click", openPause);
  for (const button of document.querySelectorAll("[data-reason]")) {
    button.addEventListener("click", () => pause(button.dataset.reason));
  }
  $("pause-other-confirm").addEventListener("click", () => {
    const reason = $("pause-other").value.trim();
    if (reason) pause(reason);
    else $("pause-other").focus();
  });
  $("pause-cancel").addEventListener("click", () => ($("pause-panel").hidden = true));
  $("transfer").addEventListener("click", openTransfer);
  $("transfer-confirm").addEventListener("click", confirmTransfer);
  $("transfer-cancel").addEventListener("click", () => ($("transfer-panel").hidden = true));
  document.addEventListener("keydown", onKey);
  $("shortcuts").checked = localStorage.getItem(SHORTCUTS) !== "off";
  $("shortcuts").addEventListener("change", () =>
    localStorage.setItem(SHORTCUTS, $("shortcuts").checked ? "on" : "off"));
  start();
})();
