/* The citizen's SKM survey at /survey/{ticket} (or /survey?ticket=, as a message may link it):
 * the visit it is about, the nine questions, and once sent, thanks and until when the answers may
 * still change. The ticket's id in the address is the key, as on the status page; the page never
 * asks a name, and never shows back what the citizen told about themselves. */
(() => {
  "use strict";
  const { i18n, call, Banner, hallTime, surveyForm } = window.antre;
  const { t, pick } = i18n;

  i18n.register({
    id: {
      "page.thanks": "Terima kasih atas penilaian Anda!",
      "page.changeUntil": "Anda masih dapat mengubah jawaban sampai pukul {time} {zone}.",
      "page.final": "Jawaban Anda sudah tercatat.",
      "page.change": "Ubah jawaban",
      "page.keptFields": "Isian tentang Anda tidak ditampilkan lagi. Yang dikosongkan tetap seperti sebelumnya.",
      "page.missingTicket": "Alamat halaman ini tidak memuat nomor antrean.",
    },
    en: {
      "page.thanks": "Thank you for your rating!",
      "page.changeUntil": "You can still change your answers until {time} {zone}.",
      "page.final": "Your answers have been recorded.",
      "page.change": "Change answers",
      "page.keptFields": "What you told about yourself is not shown again. Fields left empty stay as they were.",
      "page.missingTicket": "This page's address holds no queue number.",
    },
  });

  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);
  const banner = new Banner($("error"));
  const ticketId =
    decodeURIComponent(location.pathname.split("/")[2] || "") || new URLSearchParams(location.search).get("ticket") || "";
  const url = `/api/v1/surveys/${encodeURIComponent(ticketId)}`;
  let survey = null; // the API's answer
  let state = null; // the form's choices while it is shown
  let form = null; // {busy(on)} of the drawn form

  function render() {
    const s = survey;
    if (!s) return;
    $("hall-name").textContent = s.hall_name;
    $("visit").hidden = false;
    $("visit-number").textContent = s.ticket.number;
    const agency = pick(s.ticket.agency_name, s.ticket.agency_name_en);
    $("visit-service").textContent = `${pick(s.ticket.service_name, s.ticket.service_name_en)} · ${agency}`;

    const notice = $("notice");
    notice.hidden = s.answerable || s.answered;
    notice.textContent = notice.hidden ? "" : pick(s.refusal.message, s.refusal.message_en);

    const editing = state !== null && s.answerable;
    $("thanks").hidden = !s.answered || editing;
    const until = s.answerable && s.changeable_until ? hallTime(s.changeable_until) : null;
    $("thanks-until").textContent = until ? t("page.changeUntil", until) : t("page.final");
    $("change").hidden = !until;

    const node = $("survey-form");
    node.hidden = !(s.answerable && (!s.answered || editing));
    if (node.hidden) return;
    if (state === null) state = surveyForm.blank();
    form = surveyForm.draw(node, s.form, state, { note: s.answered ? t("page.keptFields") : "", onSubmit: send });
  }

  async function send(body) {
    form.busy(true);
    try {
      survey = await call(url, { method: "PUT", body });
      state = null;
      banner.clear();
      render();
      window.scrollTo(0, 0);
    } catch (err) {
      banner.show(err);
      if (err.status === 409) await load(); // final meanwhile: show it as it stands
    } finally {
      if (form) form.busy(false);
    }
  }

  async function load() {
    try {
      survey = await call(url);
      if (!survey.answerable) state = null;
      render();
    } catch (err) {
      banner.show(err);
    }
  }

  function start() {
    i18n.installToggle();
    i18n.apply();
    i18n.onChange(render);
    $("change").addEventListener("click", () => {
      state = surveyForm.blank(survey.scores || {});
      render();
    });
    if (!ticketId) {
      banner.show("page.missingTicket");
      return;
    }
    load();
  }

  start();
})();
