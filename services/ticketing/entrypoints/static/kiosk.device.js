/* The kiosk as an enrolled device: the token a hall manager gets when enrolling this kiosk
 * (POST /api/v1/kiosks/{id}/token or the ticketing CLI) names the kiosk to the server, which takes
 * numbers and print confirmations only with it. The manager opens the page once with
 * /kiosk#device=<token>; the token is kept on this device and taken out of the address, so it
 * lingers in neither the browser's history nor a photo of the screen.
 */
(() => {
  "use strict";
  const KEY = "antre.kiosk.device";

  function read() {
    try {
      return window.localStorage.getItem(KEY) || "";
    } catch {
      return "";
    }
  }

  function write(token) {
    try {
      if (token) window.localStorage.setItem(KEY, token);
      else window.localStorage.removeItem(KEY);
    } catch {
      /* storage blocked: the token lives as long as the page */
    }
  }

  let token = read();
  const fromAddress = new URLSearchParams(window.location.hash.slice(1)).get("device");
  if (fromAddress) {
    token = fromAddress;
    write(token);
  }
  if (window.location.hash) {
    window.history.replaceState(null, "", window.location.pathname + window.location.search);
  }

  /* A fresh key for one press of "take a number". Not crypto.randomUUID: that exists only on
   * https or localhost, and a hall's kiosks often reach the server by a plain LAN address. */
  function newKey() {
    const bytes = window.crypto.getRandomValues(new Uint8Array(16));
    return Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  }

  window.antre.kioskDevice = {
    token: () => token,
    /* The server no longer knows the token (never enrolled, enrolled again, revoked): drop it, so
     * that a reload shows the not-enrolled screen at once instead of failing a citizen's press. */
    forget() {
      token = "";
      write("");
    },
    /* An ApiError saying this kiosk is not (or no longer) enrolled. */
    refused: (err) => err instanceof window.antre.ApiError && err.code === "device_required",
    newKey,
  };
})();
