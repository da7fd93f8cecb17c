/* Large text and high contrast at the kiosk (kiosk.access.css): one button in the header of every
 * screen, pressed by touch or keyboard, its state told to screen readers by aria-pressed. The next
 * citizen starts with the kiosk as it normally is: kiosk.js's reset (after a number, or when the
 * screen was left idle) sends "kiosk:reset", which turns it off. */
(() => {
  "use strict";
  const button = document.querySelector('[data-testid="large-text"]');

  function set(on) {
    document.body.classList.toggle("large-text", on);
    button.setAttribute("aria-pressed", String(on));
  }

  button.addEventListener("click", () => set(button.getAttribute("aria-pressed") !== "true"));
  document.addEventListener("kiosk:reset", () => set(false));
  window.antre.kioskAccess = { set, on: () => button.getAttribute("aria-pressed") === "true" };
})();
