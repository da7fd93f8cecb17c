/* "Cek / batalkan / ubah jadwal": look a booking up by its code; cancel it or move it to another
 * session with the NIK it was made with (the code alone is printed and shown on screens, so it
 * does not let anyone change a booking). Every refusal is the server's own message.
 *
 * From the keyboard: after each action focus goes where its result is (the booking found, the
 * question before cancelling, the day picker), never back to the page's body; a change that
 * went through is said once through the page's live region.
 */
(() => {
  "use strict";
  const { i18n } = window.antre;
  const B = window.antre.booking;
  const { t } = i18n;

  /* opts: $ (test id lookup), banner, fail(err), onChanged(booking) after a cancel or a move.
   * Returns {open(code)}: look a code up (from the confirmation or a ?code= link). */
  function setup({ $, banner, fail, onChanged }) {
    let booking = null;
    let notice = null; // () => text
    let move = null; // {days, day, session} while choosing a new session
    let busy = false;

    async function lookup(code) {
      banner.clear();
      say(null);
      const clean = String(code || "").replace(/[\s-]/g, "").toUpperCase();
      $("code").value = clean;
      if (!booking || booking.code !== clean) $("owner-nik").value = ""; // another booking, maybe another person
      if (!clean) {
        fail("manage.codeMissing");
        return;
      }
      try {
        booking = await B.send(`/api/v1/bookings/${encodeURIComponent(clean)}`);
      } catch (err) {
        booking = null;
        fail(err);
      }
      move = null;
      $("cancel-confirm").hidden = true;
      render();
      if (booking) B.focus($("booking-heading"));
    }

    function say(text) {
      notice = text;
      $("manage-notice").hidden = !notice;
      $("manage-notice").textContent = notice ? notice() : "";
    }

    function render() {
      $("booking").hidden = !booking;
      $("changes").hidden = !booking || booking.state !== "booked";
      if (notice) say(notice);
      if (!booking) return;
      $("booking-heading").textContent = t("manage.booking", { code: booking.code });
      const stateNode = $("booking-state");
      stateNode.textContent = t(`state.${booking.state}`);
      stateNode.className = `state state-${booking.state}`;
      B.summary($("booking-details"), [
        [t("manage.code"), booking.code, "details-code"],
        [t("label.service"), B.serviceName(booking.service, booking.service_name), "details-service"],
        [t("label.day"), B.dayLabel(booking.day), "details-day"],
        [t("label.session"), B.sessionLabel(booking.session_start, booking.session_end), "details-session"],
        [t("label.name"), booking.name, "details-name"],
        ["NIK", booking.nik, "details-nik"],
      ]);
      renderMove();
    }

    function ownerNik() {
      const ok = B.fieldError($("owner-nik"), $("owner-nik-error"), B.nikProblem($("owner-nik").value));
      if (!ok) $("owner-nik").focus();
      return ok ? B.nikDigits($("owner-nik").value) : "";
    }

    /* Run one change (cancel or move): one at a time, the result replaces the booking shown. */
    async function change(path, body, done) {
      if (busy) return;
      busy = true;
      banner.clear();
      say(null);
      let changed = false;
      try {
        booking = await B.send(`/api/v1/bookings/${encodeURIComponent(booking.code)}/${path}`, { body });
        move = null;
        $("cancel-confirm").hidden = true;
        say(done(booking));
        onChanged(booking);
        changed = true;
      } catch (err) {
        fail(err);
      } finally {
        busy = false;
        render();
      }
      if (!changed) return; // the refusal's banner is said; focus stays on the button pressed
      B.focus($("booking-heading")); // the button pressed may be gone (a cancelled booking)
      B.announce(notice());
    }

    function askCancel() {
      if (!ownerNik()) return;
      move = null;
      renderMove();
      $("cancel-confirm").hidden = false;
      B.focus($("cancel-question"));
    }

    function cancel() {
      const nik = ownerNik();
      if (nik) change("cancel", { nik }, () => () => t("manage.cancelled"));
    }

    async function startMove() {
      if (!ownerNik()) return;
      $("cancel-confirm").hidden = true;
      banner.clear();
      try {
        const answer = await B.send(`/api/v1/services/${encodeURIComponent(booking.service)}/sessions`);
        move = { days: answer.days, day: null, session: null };
      } catch (err) {
        move = null;
        fail(err);
      }
      renderMove();
      if (move) B.focus($("move-days-heading"));
    }

    /* Re-drawn on every choice: focus that was in a group goes back to its chosen radio. */
    function renderMove() {
      $("move").hidden = !move;
      if (!move) return;
      const focused = ["move-days", "move-sessions"].find((id) => $(id).contains(document.activeElement));
      $("move-days").replaceChildren(...B.dayChoices(move.days, {
        prefix: "move-",
        selected: move.day ? move.day.day : "",
        onPick: (day) => {
          move.day = day;
          move.session = null;
          renderMove();
        },
      }));
      B.asRadios($("move-days"));
      $("move-sessions-heading").hidden = $("move-sessions").hidden = !move.day;
      $("move-sessions").replaceChildren(...(move.day ? B.sessionChoices(move.day, {
        prefix: "move-",
        selected: move.session ? move.session.start : "",
        disabledStart: move.day.day === booking.day ? booking.session_start : "",
        onPick: (session) => {
          move.session = session;
          renderMove();
        },
      }) : []));
      B.asRadios($("move-sessions"));
      if (focused) B.focus($(focused).querySelector('[aria-checked="true"]') || $(focused).querySelector("[role=radio]"));
      const confirm = $("move-confirm");
      confirm.hidden = !move.session;
      if (move.session) {
        confirm.textContent = t("manage.moveTo", {
          day: B.dayLabel(move.day.day),
          session: B.sessionLabel(move.session.start, move.session.end),
        });
      }
    }

    function confirmMove() {
      const nik = ownerNik();
      if (!nik || !move || !move.session) return;
      const body = { nik, day: move.day.day, session: move.session.start };
      change("reschedule", body, (moved) => () =>
        t("manage.moved", { day: B.dayLabel(moved.day), session: B.sessionLabel(moved.session_start, moved.session_end) })
      );
    }

    $("lookup-form").addEventListener("submit", (e) => {
      e.preventDefault();
      lookup($("code").value);
    });
    $("cancel").addEventListener("click", askCancel);
    $("cancel-yes").addEventListener("click", cancel);
    $("cancel-no").addEventListener("click", () => {
      $("cancel-confirm").hidden = true;
      $("cancel").focus();
    });
    $("move-days").addEventListener("keydown", B.radioKeys);
    $("move-sessions").addEventListener("keydown", B.radioKeys);
    $("reschedule").addEventListener("click", startMove);
    $("move-confirm").addEventListener("click", confirmMove);
    i18n.onChange(() => {
      render();
      if (!$("owner-nik-error").hidden) {
        B.fieldError($("owner-nik"), $("owner-nik-error"), B.nikProblem($("owner-nik").value));
      }
    });

    return { open: lookup };
  }

  window.antre.bookingManage = setup;
})();
