/* Who is signed in on the operator page. The token lives in sessionStorage: closing the tab forgets
 * it, and a second tab signs in on its own. Needs api.js. */
window.antre.operatorSession = (() => {
  "use strict";
  const { call } = window.antre;
  const KEY = "antre.operator.token";
  let token = sessionStorage.getItem(KEY);
  let officer = null;

  function forget() {
    token = officer = null;
    sessionStorage.removeItem(KEY);
  }

  /* The officer of a token kept from before a reload, or null. Other failures are thrown. */
  async function restore() {
    if (!token) return null;
    try {
      officer = await call("/api/v1/me", { token });
    } catch (err) {
      if (err.status !== 401) throw err;
      forget();
    }
    return officer;
  }

  async function signIn(username, password) {
    const session = await call("/api/v1/sessions", { body: { username, password } });
    token = session.token;
    officer = session.officer;
    sessionStorage.setItem(KEY, token);
    return officer;
  }

  async function signOut() {
    if (token) await call("/api/v1/sessions/current", { method: "DELETE", token }).catch(() => {});
    forget();
  }

  return {
    restore,
    signIn,
    signOut,
    forget,
    get token() {
      return token;
    },
    get officer() {
      return officer;
    },
  };
})();
