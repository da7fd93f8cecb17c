/* The kiosk as an enrolled device: the token a hall manager gets when enrolling this kiosk
 * (POST /api/v1/kiosks/{id}/token or the ticketing CLI) names the kiosk to the server, which takes
 * numbers and print confirmations only with it. The manager opens the page once with
 * /kiosk#device=<token>; the token is kept on this device and taken out of the address, so it
 * lingers in neither the browser's history nor a photo of the screen. While the page runs it beats
 * with the token (keepReporting), so the live hall shows a kiosk that stopped.
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

  /* "Still here", with the token, as often as the server asks (its answer's beat_seconds; a
   * third of the limit after which a kiosk shows as not reporting). A refusal means the token is
   * gone (revoked, enrolled again elsewhere): onRefused. A beat lost to the network is no matter:
   * the next one follows. */
  function keepReporting(onRefused) {
    let every = 30;
    async function beat() {
      if (token) {
        try {
          const answer = await window.antre.call("/api/v1/kiosks/me/heartbeat", { method: "POST", token });
          if (answer && answer.beat_seconds > 0) every = answer.beat_seconds;
        } catch (err) {
          if (refused(err)) onRefused(err);
        }
      }
      setTimeout(beat, every * 1000);
    }
    beat();
  }

  const refused = (err) => err instanceof window.antre.ApiError && err.code === "device_required";

  window.antre.kioskDevice = {
    token: () => token,
    /* The server no longer knows the token (never enrolled, enrolled again, revoked): drop it, so
     * that a reload shows the not-enrolled screen at once instead of failing a citizen's press. */
    forget() {
      token = "";
      write("");
    },
    /* An ApiError saying this kiosk is not (or no longer) enrolled. */
    refused,
    newKey,
    keepReporting,
  };
})();
