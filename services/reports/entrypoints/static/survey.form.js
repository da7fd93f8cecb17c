/* The SKM form as both survey pages draw it (a citizen's phone, a counter's tablet): the nine
 * unsur as the API gives them in both languages, four answers each from worst to best, the
 * respondent's optional fields and the send button. What was chosen lives in a state object, not
 * in the inputs, so a language switch redraws the form without losing an answer.
 * Needs i18n.js and api.js. */
window.antre.surveyForm = (() => {
  "use strict";
  const { i18n, el } = window.antre;
  const { t, pick } = i18n;

  i18n.register({
    id: {
      "survey.title": "Survei Kepuasan Masyarakat",
      "survey.intro": "Bagaimana layanan kami? Jawab 9 pertanyaan singkat (1 menit). Nama Anda tidak ditanyakan.",
      "survey.progress": "{n} dari {total} pertanyaan terjawab",
      "survey.respondent": "Tentang Anda (tidak wajib)",
      "survey.age": "Umur (tahun)",
      "survey.sex": "Jenis kelamin",
      "survey.education": "Pendidikan terakhir",
      "survey.occupation": "Pekerjaan",
      "survey.suggestion": "Saran dan masukan",
      "survey.notGiven": "Tidak diisi",
      "survey.submit": "Kirim jawaban",
      "survey.missing": "Masih ada {n} pertanyaan yang belum dijawab.",
    },
    en: {
      "survey.title": "Public Satisfaction Survey",
      "survey.intro": "How was our service? Answer 9 short questions (1 minute). Your name is not asked.",
      "survey.progress": "{n} of {total} questions answered",
      "survey.respondent": "About you (optional)",
      "survey.age": "Age (years)",
      "survey.sex": "Sex",
      "survey.education": "Highest education",
      "survey.occupation": "Occupation",
      "survey.suggestion": "Suggestions and feedback",
      "survey.notGiven": "Not given",
      "survey.submit": "Send answers",
      "survey.missing": "{n} questions still have no answer.",
    },
  });

  const FIELDS = ["age", "sex", "education", "occupation", "suggestion"];

  /* A fresh state: no score, no respondent field. */
  function blank(scores = {}) {
    return { scores: { ...scores }, age: "", sex: "", education: "", occupation: "", suggestion: "" };
  }

  function question(u, index, state, changed) {
    const answers = u.answers.map((a) => {
      const id = `${u.code}-${a.score}`;
      const input = el("input", {
        type: "radio",
        name: u.code,
        id,
        value: String(a.score),
        checked: state.scores[u.code] === a.score,
        "data-testid": `answer-${u.code}-${a.score}`,
        on: {
          change: () => {
            state.scores[u.code] = a.score;
            changed(u.code);
          },
        },
      });
      return el("label", { class: "answer", for: id }, [input, el("span", { text: pick(a.label, a.label_en) })]);
    });
    return el("fieldset", { class: "question", "data-testid": `question-${u.code}`, "data-unsur": u.code }, [
      el("legend", {}, [el("span", { class: "question-number", text: `${index + 1}. ` }), pick(u.question, u.question_en)]),
      el("div", { class: "answers" }, answers),
    ]);
  }

  function choice(name, options, state) {
    const select = el("select", { id: `survey-${name}`, name, "data-testid": `respondent-${name}` }, [
      el("option", { value: "", text: t("survey.notGiven") }),
      ...options.map((o) => el("option", { value: o.code, text: pick(o.label, o.label_en), selected: state[name] === o.code })),
    ]);
    select.addEventListener("change", () => (state[name] = select.value));
    return field(name, select);
  }

  function field(name, input) {
    return el("div", { class: "field" }, [el("label", { for: `survey-${name}`, text: t(`survey.${name}`) }), input]);
  }

  function respondent(form, state, note) {
    const age = el("input", {
      id: "survey-age",
      name: "age",
      type: "number",
      inputmode: "numeric",
      min: form.age.min,
      max: form.age.max,
      value: state.age,
      "data-testid": "respondent-age",
    });
    age.addEventListener("input", () => (state.age = age.value));
    const suggestion = el("textarea", {
      id: "survey-suggestion",
      name: "suggestion",
      rows: 3,
      maxlength: form.suggestion_max,
      "data-testid": "respondent-suggestion",
    });
    suggestion.value = state.suggestion;
    suggestion.addEventListener("input", () => (state.suggestion = suggestion.value));
    return el("details", { class: "respondent", open: FIELDS.some((f) => state[f] !== "") }, [
      el("summary", { text: t("survey.respondent") }),
      note ? el("p", { class: "hint", text: note }) : null,
      field("age", age),
      choice("sex", form.sexes, state),
      choice("education", form.education, state),
      choice("occupation", form.occupations, state),
      field("suggestion", suggestion),
    ]);
  }

  /* The body the API takes from a state: the nine scores and the fields given (empty ones are
   * left out: in a change, they keep what was given before). */
  function body(state) {
    const out = { scores: { ...state.scores } };
    if (String(state.age).trim() !== "") out.age = Number(state.age);
    for (const name of ["sex", "education", "occupation", "suggestion"]) if (state[name].trim()) out[name] = state[name];
    return out;
  }

  /* Draw `form` (the API's) into the <form> `node` for `state`. `note`: a line above the
   * respondent's fields, or "". `onSubmit(body)` once all nine are answered. Returns
   * {busy(on)} to disable the button while sending. */
  function draw(node, form, state, { note = "", onSubmit }) {
    const total = form.unsur.length;
    const progress = el("p", { class: "progress", "data-testid": "progress", "aria-live": "polite" });
    const missing = el("p", { class: "missing", role: "alert", "data-testid": "missing", hidden: true });
    const showProgress = () => {
      const n = form.unsur.filter((u) => state.scores[u.code]).length;
      progress.textContent = t("survey.progress", { n, total });
      if (n === total) missing.hidden = true;
    };
    const changed = (code) => {
      node.querySelector(`[data-unsur="${code}"]`).classList.remove("is-missing");
      showProgress();
    };
    const submit = el("button", { type: "submit", class: "btn btn-primary send", "data-testid": "submit", text: t("survey.submit") });
    node.replaceChildren(
      el("p", { class: "intro", text: t("survey.intro") }),
      ...form.unsur.map((u, i) => question(u, i, state, changed)),
      respondent(form, state, note),
      missing,
      progress,
      submit
    );
    showProgress();
    node.onsubmit = (event) => {
      event.preventDefault();
      const unanswered = form.unsur.filter((u) => !state.scores[u.code]);
      for (const u of unanswered) node.querySelector(`[data-unsur="${u.code}"]`).classList.add("is-missing");
      if (unanswered.length) {
        missing.textContent = t("survey.missing", { n: unanswered.length });
        missing.hidden = false;
        node.querySelector(`[data-unsur="${unanswered[0].code}"] input`).focus();
        return;
      }
      onSubmit(body(state));
    };
    return {
      busy(on) {
        submit.disabled = on;
      },
    };
  }

  return { blank, draw, body };
})();
