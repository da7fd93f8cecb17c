/* The printable ticket for /tickets/{id}/print. window.antreTicketReady resolves once the slip is
 * filled in and its QR code has loaded: the kiosk waits for it before it calls print(), so that a
 * half-drawn ticket never reaches the paper. It rejects when the ticket cannot be loaded. */
(() => {
  "use strict";
  const PRIORITY = {
    elderly: "Lansia 60+ / Elderly",
    disability: "Disabilitas / Disability",
    pregnant: "Ibu hamil / Pregnant",
    child: "Anak / Child",
  };
  const $ = (testid) => document.querySelector(`[data-testid="${testid}"]`);

  /* One page exactly as long as the slip, so the roll is cut right after it. A constructed
   * style sheet, not a <style> element: the Content-Security-Policy refuses inline styles. */
  function fitPageToSlip() {
    const mm = Math.ceil($("slip").getBoundingClientRect().height / (96 / 25.4)) + 1;
    const sheet = new CSSStyleSheet();
    sheet.replaceSync(`@page { size: 80mm ${mm}mm; margin: 0; }`);
    document.adoptedStyleSheets = [...document.adoptedStyleSheets, sheet];
  }

  async function render() {
    const id = decodeURIComponent(location.pathname.split("/")[2] || "");
    const response = await fetch(`/api/v1/tickets/${encodeURIComponent(id)}`, { cache: "no-store" });
    const ticket = await response.json().catch(() => null);
    if (!response.ok || !ticket) {
      const e = (ticket && ticket.error) || {};
      const text = [e.message, e.message_en].filter(Boolean).join(" / ");
      $("error").textContent = text || `HTTP ${response.status}`;
      $("error").hidden = false;
      throw new Error(`ticket ${id}: ${response.status}`);
    }
    document.title = `${ticket.number} · ${ticket.hall_name}`;
    $("demo").hidden = !ticket.demo;
    $("hall-name").textContent = ticket.hall_name;
    $("agency").textContent = ticket.agency_name;
    $("ticket-number").textContent = ticket.number;
    $("service").textContent = ticket.service_name;
    $("service-en").textContent = ticket.service_name_en || "";
    $("zone-name").textContent = ticket.zone_name || "";
    $("zone-name-en").textContent = ticket.zone_name_en && ticket.zone_name_en !== ticket.zone_name ? ticket.zone_name_en : "";
    $("zone").hidden = !ticket.zone_name;
    const when = window.antre.hallTime(ticket.issued_at || ticket.created_at);
    $("issued-at").textContent = when ? `${when.date} ${when.time} ${when.zone}`.trim() : "";
    if (ticket.priority && ticket.priority !== "none") {
      $("priority").textContent = `PRIORITAS · ${PRIORITY[ticket.priority] || ticket.priority}`;
      $("priority").hidden = false;
    }
    // A missing QR still leaves a usable ticket: the number is what gets called.
    await window.antre.svgImage($("qr"), `/api/v1/tickets/${encodeURIComponent(ticket.id)}/qr.svg`);
    fitPageToSlip();
    $("slip").removeAttribute("aria-busy");
    return ticket;
  }

  window.antreTicketReady = render();
  window.antreTicketReady.catch(() => {}); // the kiosk handles the failure; keep the console quiet
})();
