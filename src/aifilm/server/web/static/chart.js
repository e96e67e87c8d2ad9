// Charts as inline SVG drawn here (no chart library, nothing to download): bars for a
// daily or monthly series, with an optional line over them. Built with createElementNS
// and presentation attributes only (the CSP allows no inline style). Each chart is a
// <figure> whose SVG has role="img" and a label summing it up, and whose numbers are also
// in a table a screen reader (or anyone) can open.
import { h } from "./dom.js";

const NS = "http://www.w3.org/2000/svg";
const H = 220;
const PAD = { left: 48, right: 48, top: 12, bottom: 28 };

/** The drawing's width in its own units: about the pixels it gets, so text stays ~11 px
 * (a phone gets a narrow drawing, a full-width desktop chart a wide one). */
function widthFor(wide) {
  if (window.innerWidth < 720) return 360;
  return wide ? 960 : 560;
}

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [key, value] of Object.entries(attrs)) el.setAttribute(key, String(value));
  for (const child of children) if (child) el.append(child);
  return el;
}

function text(x, y, value, attrs = {}) {
  const el = svg("text", { x, y, "font-size": 11, fill: "#4a5560", ...attrs });
  el.textContent = String(value);
  return el;
}

/** A round upper bound for the axis: 1, 2, 5, 10, 20, 50... at or above `max`. A series
 * of whole numbers (counts, cents) gets at least 2, so the axis's middle line is a whole
 * number too: at 1 it would be 0.5, written as 0 or 1 like a neighbour. */
function niceMax(max, whole) {
  if (whole && max <= 2) return 2;
  if (max <= 0) return 1;
  const step = 10 ** Math.floor(Math.log10(max));
  for (const m of [1, 2, 5, 10]) if (m * step >= max) return m * step;
  return 10 * step;
}

/**
 * barChart({title, points, x, bars, line, format}): `points` are objects, `x` the key of
 * the label (a date), `bars` {key, label, color} drawn as bars, `line` (optional) the same
 * for a line over them on its own scale. `format(n)` writes a value.
 */
export function barChart({ id, title, points, x, bars, line = null, format = String, summary, tableLabel = "Numbers", wide = false }) {
  const W = widthFor(wide);
  const values = points.map((p) => Number(p[bars.key]) || 0);
  const top = niceMax(Math.max(0, ...values), values.every(Number.isInteger));
  const lineValues = line ? points.map((p) => Number(p[line.key]) || 0) : [];
  const lineTop = line ? niceMax(Math.max(0, ...lineValues), lineValues.every(Number.isInteger)) : 1;
  const plotW = W - PAD.left - PAD.right;
  const plotH = H - PAD.top - PAD.bottom;
  const step = plotW / Math.max(1, points.length);
  const barW = Math.max(1, step * 0.7);
  const y = (v, max) => PAD.top + plotH - (v / max) * plotH;

  const grid = [0, 0.5, 1].map((f) =>
    svg("g", {},
      svg("line", { x1: PAD.left, x2: W - PAD.right, y1: y(top * f, top), y2: y(top * f, top), stroke: "#d5dbe1" }),
      text(PAD.left - 6, y(top * f, top) + 4, format(top * f), { "text-anchor": "end" }),
      line ? text(W - PAD.right + 6, y(top * f, top) + 4, format(lineTop * f), { fill: line.color || "#c2410c" }) : null));
  const rects = points.map((p, i) => {
    const v = values[i];
    const rect = svg("rect", {
      x: PAD.left + i * step + (step - barW) / 2,
      y: y(v, top),
      width: barW,
      height: Math.max(0, PAD.top + plotH - y(v, top)),
      fill: bars.color || "#1f5fbf",
    });
    rect.append(svg("title"));
    rect.firstChild.textContent = `${p[x]}: ${format(v)}`;
    return rect;
  });
  let path = null;
  if (line) {
    const d = lineValues
      .map((v, i) => `${i ? "L" : "M"}${(PAD.left + i * step + step / 2).toFixed(1)},${y(v, lineTop).toFixed(1)}`)
      .join(" ");
    path = svg("path", { d, fill: "none", stroke: line.color || "#c2410c", "stroke-width": 2 });
  }
  const every = Math.max(1, Math.ceil(points.length / 6));
  const labels = points.map((p, i) =>
    i % every === 0 || i === points.length - 1
      ? text(PAD.left + i * step + step / 2, H - 8, String(p[x]).slice(5) || p[x], { "text-anchor": "middle" })
      : null);
  const total = values.reduce((a, b) => a + b, 0);
  const label = summary || `${title}: ${format(total)} (${points.length} × ${bars.label})`;
  const chart = svg("svg", {
    viewBox: `0 0 ${W} ${H}`,
    role: "img",
    "aria-label": label,
    class: "chart",
  }, ...grid, ...rects, path, ...labels.filter(Boolean));

  const headers = [x, bars.label, line ? line.label : null].filter(Boolean);
  const table = h("table", {},
    h("thead", {}, h("tr", {}, headers.map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, points.map((p, i) => h("tr", {},
      h("td", {}, String(p[x])),
      h("td", {}, format(values[i])),
      line ? h("td", {}, format(lineValues[i])) : null))));
  const legend = h("p", { class: "legend" },
    h("span", { class: "swatch bar" }), bars.label,
    line ? [" ", h("span", { class: "swatch line" }), line.label] : null);
  return h("figure", { class: "chart-box", id },
    h("figcaption", {}, title),
    chart,
    legend,
    h("details", {}, h("summary", {}, tableLabel), h("div", { class: "table-wrap", tabindex: "0" }, table)));
}
