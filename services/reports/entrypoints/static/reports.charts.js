/* The reports page's charts, drawn as inline SVG by hand: the hall works offline and the page's
 * policy allows no other script, so no chart library. Colours come from reports.css classes
 * (no style attributes: the policy forbids them too). Each function replaces a container's
 * content and returns the <svg>, or a note when there is nothing to draw. */
window.antre.reportCharts = (() => {
  "use strict";
  const NS = "http://www.w3.org/2000/svg";
  const { t } = window.antre.i18n;

  function svg(tag, attrs = {}, text) {
    const node = document.createElementNS(NS, tag);
    for (const [key, value] of Object.entries(attrs)) node.setAttribute(key, value);
    if (text !== undefined) node.textContent = text;
    return node;
  }

  function frame(width, height, caption) {
    return svg("svg", { viewBox: `0 0 ${width} ${height}`, role: "img", "aria-label": caption, class: "chart-svg" });
  }

  function empty(container) {
    const note = document.createElement("p");
    note.className = "chart-empty";
    note.textContent = t("chart.empty");
    container.replaceChildren(note);
    return null;
  }

  /* A round top for an axis: 1, 2 or 5 times a power of ten, at least `value`. */
  function niceMax(value) {
    if (value <= 0) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    return [1, 2, 5, 10].map((m) => m * power).find((m) => m >= value);
  }

  /* Vertical bars, one per item {label, value, title} (whole numbers); the axis is labelled at
   * 0, half and top. */
  function columns(container, items, caption) {
    if (!items.length || items.every((i) => !i.value)) return empty(container);
    const width = 640;
    const height = 240;
    const left = 40;
    const bottom = 28;
    const top = niceMax(Math.max(...items.map((i) => i.value)));
    const step = (width - left) / items.length;
    const scale = (v) => ((height - bottom - 10) * v) / top;
    const root = frame(width, height, caption);
    for (const mark of [0, top / 2, top]) {
      const y = height - bottom - scale(mark);
      root.append(svg("line", { x1: left, x2: width, y1: y, y2: y, class: "grid" }));
      root.append(svg("text", { x: left - 6, y: y + 4, class: "axis", "text-anchor": "end" }, String(mark)));
    }
    items.forEach((item, n) => {
      const h = scale(item.value);
      const x = left + n * step + step * 0.15;
      const bar = svg("rect", { x, y: height - bottom - h, width: step * 0.7, height: h, class: "bar" });
      bar.append(svg("title", {}, item.title || `${item.label}: ${item.value}`));
      root.append(bar);
      root.append(
        svg("text", { x: x + step * 0.35, y: height - bottom + 16, class: "axis", "text-anchor": "middle" }, item.label)
      );
      if (item.value) {
        const at = { x: x + step * 0.35, y: height - bottom - h - 4, class: "value", "text-anchor": "middle" };
        root.append(svg("text", at, String(item.value)));
      }
    });
    container.replaceChildren(root);
    return root;
  }

  /* Per item {label, wait, service, target} (minutes; null: nothing measured): two horizontal bars
   * (p90 wait, p90 service) and the standard as a tick; a bar past its standard turns red (light
   * for the wait, dark for the service). `format` writes a value as the page's language does. */
  function againstTarget(container, items, caption, format = String) {
    const shown = items.filter((i) => i.wait !== null || i.service !== null);
    if (!shown.length) return empty(container);
    const width = 640;
    const row = 34;
    const left = 210;
    const right = 50;
    const legend = 24;
    const height = legend + shown.length * row + 8;
    const top = niceMax(Math.max(...shown.flatMap((i) => [i.wait || 0, i.service || 0, i.target || 0])));
    const scale = (v) => ((width - left - right) * v) / top;
    const root = frame(width, height, caption);
    const keys = [
      ["bar-wait", t("chart.wait")],
      ["bar-service", t("chart.service")],
      ["target", t("chart.target")],
    ];
    keys.forEach(([cls, text], n) => {
      const x = left + n * 130;
      root.append(svg("rect", { x, y: 6, width: 12, height: 12, class: cls === "target" ? "target-key" : cls }));
      root.append(svg("text", { x: x + 18, y: 17, class: "axis" }, text));
    });
    shown.forEach((item, n) => {
      const y = legend + n * row;
      const label = item.label.length > 26 ? `${item.label.slice(0, 25)}…` : item.label;
      const named = svg("text", { x: left - 8, y: y + 20, class: "label", "text-anchor": "end" }, label);
      named.append(svg("title", {}, item.label));
      root.append(named);
      [
        ["bar-wait", item.wait, 4],
        ["bar-service", item.service, 17],
      ].forEach(([cls, value, dy]) => {
        if (value === null) return;
        const over = item.target !== null && value > item.target ? " over" : "";
        const size = { x: left, y: y + dy, width: Math.max(1, scale(value)), height: 11 };
        const bar = svg("rect", { ...size, class: cls + over });
        bar.append(svg("title", {}, `${item.label}: ${format(value)} / ${format(item.target)}`));
        root.append(bar);
        root.append(svg("text", { x: left + scale(value) + 4, y: y + dy + 10, class: "value" }, format(value)));
      });
      if (item.target !== null) {
        const x = left + scale(item.target);
        root.append(svg("line", { x1: x, x2: x, y1: y + 1, y2: y + row - 3, class: "target" }));
      }
    });
    container.replaceChildren(root);
    return root;
  }

  return { columns, againstTarget };
})();
