/* Who is signed in on a staff page served away from the counters (the live hall, reports): people
 * sign in at the counters, whose address the page carries in <meta name="antre-counters">, and the
 * token they get is sent to this page's own service, which asks the counters who it is.
 * The token lives in sessionStorage: closing the tab forgets it. Needs api.js. */
window.antre.staff = (() => {
  "use strict";
  const { call, i18n, el } = window.antre;
  const KEY = "antre.staff.token";
  const meta = document.querySelector('meta[name="antre-counters"]');
  const counters = ((meta && meta.content) || "").replace(/\/$/, "");
  let token = sessionStorage.getItem(KEY);
  let person = null;

  i18n.register({
    id: {
      "staff.title": "Masuk untuk petugas",
      "staff.username": "Nama pengguna",
      "staff.password": "Kata sandi",
      "staff.submit": "Masuk",
      "staff.signOut": "Keluar",
      "staff.as": "{name} · {role}",
    },
    en: {
      "staff.title": "Staff sign-in",
      "staff.username": "Username",
      "staff.password": "Password",
      "staff.submit": "Sign in",
      "staff.signOut": "Sign out",
      "staff.as": "{name} · {role}",
    },
  });

  function forget() {
    token = person = null;
    sessionStorage.removeItem(KEY);
  }

  /* The person of a token kept from before a reload, or null (an ended session is forgotten). */
  async function restore() {
    if (!token) return null;
    try {
      person = await call(`${counters}/api/v1/me`, { token });
    } catch (err) {
      if (err.status !== 401) throw err;
      forget();
    }
    return person;
  }

  async function signIn(username, password) {
    const session = await call(`${counters}/api/v1/sessions`, { body: { username, password } });
    token = session.token;
    person = session.officer;
    sessionStorage.setItem(KEY, token);
    return person;
  }

  async function signOut() {
    if (token) await call(`${counters}/api/v1/sessions/current`, { method: "DELETE", token }).catch(() => {});
    forget();
  }

  /* A JSON call to this page's own service with the person's token; a 401 forgets the token. */
  async function fetchJson(url, opts = {}) {
    try {
      return await call(url, { ...opts, token });
    } catch (err) {
      if (err.status === 401) forget();
      throw err;
    }
  }

  /* A sign-in form in `container`; `onSignedIn(person)` once someone signed in. Refusals (a wrong
   * password, a blocked name) go to `banner` (an api.js Banner). */
  function form(container, banner, onSignedIn) {
    const user = el("input", { id: "staff-username", name: "username", autocomplete: "username", required: "" });
    const pass = el("input", {
      id: "staff-password",
      name: "password",
      type: "password",
      autocomplete: "current-password",
      required: "",
    });
    const labels = [
      el("label", { for: "staff-username", "data-i18n": "staff.username" }),
      el("label", { for: "staff-password", "data-i18n": "staff.password" }),
    ];
    const submit = el("button", { type: "submit", "data-i18n": "staff.submit" });
    const node = el("form", { class: "staff-sign-in" }, [
      el("h2", { "data-i18n": "staff.title" }),
      labels[0],
      user,
      labels[1],
      pass,
      submit,
    ]);
    node.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      try {
        const who = await signIn(user.value.trim(), pass.value);
        pass.value = "";
        banner.clear();
        onSignedIn(who);
      } catch (err) {
        banner.show(err);
      } finally {
        submit.disabled = false;
      }
    });
    container.replaceChildren(node);
    i18n.apply(node);
    user.focus();
  }

  return {
    restore,
    signIn,
    signOut,
    forget,
    fetchJson,
    form,
    get token() {
      return token;
    },
    get person() {
      return person;
    },
  };
})();
