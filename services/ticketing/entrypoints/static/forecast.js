/* The call-time window of a forecast, as the status page and the kiosk both show it: the median
 * rounded down and the 90th percentile rounded up to 5 minutes, so the window is honest about its
 * spread. Hall-local ISO times are read as written: the forecast is in the hall's zone, whatever
 * zone the device is set to. */
(() => {
  "use strict";

  function minutesOf(iso) {
    const m = /T(\d{2}):(\d{2})(?::(\d{2}))?/.exec(iso || "");
    return m ? Number(m[1]) * 60 + Number(m[2]) + Number(m[3] || 0) / 60 : null;
  }

  const clock = (minutes) =>
    `${String(Math.floor(minutes / 60) % 24).padStart(2, "0")}:${String(minutes % 60).padStart(2, "0")}`;

  /* {from: "10:40", to: "10:55"}; {from} alone without a 90th percentile; null without a median. */
  function forecastWindow(f) {
    const from = f ? minutesOf(f.p50) : null;
    if (from === null) return null;
    const low = Math.floor(from / 5) * 5;
    const to = minutesOf(f.p90);
    if (to === null) return { from: clock(low) };
    return { from: clock(low), to: clock(Math.max(Math.ceil(to / 5) * 5, low + 5)) };
  }

  window.antre.forecastWindow = forecastWindow;
})();
