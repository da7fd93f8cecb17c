/* Antre i18n: Bahasa Indonesia first, English second.
 *
 * Each page registers its own dictionary: antre.i18n.register({id: {...}, en: {...}}).
 * Elements carrying data-i18n="key" get their text replaced; data-i18n-placeholder,
 * data-i18n-title and data-i18n-aria-label do the same for those attributes. Texts may hold
 * {name} slots: t("position", {n: 3}). A missing English text falls back to Indonesian, a missing
 * key shows the key (easy to spot, never blank). The choice is kept in localStorage, per origin.
 * Buttons marked data-lang-toggle switch the language; each names the language it switches to.
 */
(() => {
  "use strict";
  const KEY = "antre.lang";
  const LANGS = ["id", "en"];
  const dicts = { id: {}, en: {} };
  const listeners = [];
  let lang = readStored();

  function readStored() {
    try {
      const stored = window.localStorage.getItem(KEY);
      return LANGS.includes(stored) ? stored : "id";
    } catch {
      return "id"; // storage blocked (private mode): the default will do
    }
  }

  function register(dict) {
    for (const l of LANGS) Object.assign(dicts[l], (dict && dict[l]) || {});
  }

  function t(key, vars) {
    const text = dicts[lang][key] ?? dicts.id[key];
    if (text === undefined) return key;
    return String(text).replace(/\{(\w+)\}/g, (slot, name) =>
      vars && vars[name] !== undefined && vars[name] !== null ? String(vars[name]) : slot
    );
  }

  /* A text the API gives in both languages (name / name_en, message / message_en). */
  function pick(idText, enText) {
    return (lang === "en" && enText) || idText || enText || "";
  }

  /* Like pick, with the language the text is in: an English page shows an untranslated text in
   * Indonesian, marked lang="id" so a screen reader says it in the right voice. */
  function local(idText, enText) {
    return lang === "en" && enText ? { text: enText, lang: "en" } : { text: idText || "", lang: "id" };
  }

  /* A service standard's texts (hall file: standard and standard.en) in the page's language. */
  function standard(std) {
    const en = std.en || {};
    const ours = std.requirements || [];
    const theirs = (en.requirements || []).length === ours.length ? en.requirements : [];
    return {
      requirements: ours.map((r, i) => local(r, theirs[i])),
      procedure: local(std.procedure, en.procedure),
      time_to_complete: local(std.time_to_complete, en.time_to_complete),
      product: local(std.product, en.product),
      complaints: local(std.complaints, en.complaints),
    };
  }

  function apply(root = document) {
    for (const node of root.querySelectorAll("[data-i18n]")) node.textContent = t(node.dataset.i18n);
    for (const attr of ["placeholder", "title", "aria-label"]) {
      for (const node of root.querySelectorAll(`[data-i18n-${attr}]`)) {
        node.setAttribute(attr, t(node.getAttribute(`data-i18n-${attr}`)));
      }
    }
    document.documentElement.lang = lang;
    for (const button of document.querySelectorAll("[data-lang-toggle]")) labelToggle(button);
  }

  function labelToggle(button) {
    button.textContent = lang === "id" ? "English" : "Bahasa Indonesia";
    button.lang = lang === "id" ? "en" : "id";
  }

  /* remember=false switches without storing (a kiosk going back to its default). */
  function setLang(next, remember = true) {
    if (!LANGS.includes(next)) return;
    lang = next;
    if (remember) {
      try {
        window.localStorage.setItem(KEY, next);
      } catch {
        /* switched, just not remembered */
      }
    }
    apply();
    for (const fn of listeners) fn(lang);
  }

  function installToggle() {
    for (const button of document.querySelectorAll("[data-lang-toggle]")) {
      labelToggle(button);
      button.addEventListener("click", () => setLang(lang === "id" ? "en" : "id"));
    }
  }

  window.antre = window.antre || {};
  window.antre.i18n = {
    register,
    t,
    pick,
    local,
    standard,
    apply,
    setLang,
    installToggle,
    onChange: (fn) => listeners.push(fn),
    lang: () => lang,
  };
})();
