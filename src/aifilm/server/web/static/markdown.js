// A small Markdown reader for the help pages: headings, paragraphs, lists, tables, code
// blocks, inline code, bold, italics and links, built as DOM nodes (text is never parsed
// as HTML). Links to other guides (voices.md) stay inside the site.
import { h } from "./dom.js";

function inline(text) {
  const out = [];
  const pattern = /(`[^`]+`)|(\*\*[^*]+\*\*)|(\[[^\]]+\]\([^)\s]+\))|(\*[^*\s][^*]*\*)/g;
  let last = 0;
  for (const match of text.matchAll(pattern)) {
    if (match.index > last) out.push(text.slice(last, match.index));
    const [token] = match;
    if (match[1]) out.push(h("code", {}, token.slice(1, -1)));
    else if (match[2]) out.push(h("strong", {}, token.slice(2, -2)));
    else if (match[3]) {
      const [, label, href] = /\[([^\]]+)\]\(([^)\s]+)\)/.exec(token);
      out.push(link(label, href));
    } else out.push(h("em", {}, token.slice(1, -1)));
    last = match.index + token.length;
  }
  if (last < text.length) out.push(text.slice(last));
  return out;
}

function link(label, href) {
  const guide = /^(?:\.\/|docs\/)?([a-z-]+)\.md(#.*)?$/.exec(href);
  if (guide) return h("a", { href: `/help/${guide[1]}`, "data-link": "" }, label);
  if (/^https?:\/\//.test(href)) return h("a", { href, rel: "noopener noreferrer" }, label);
  if (href.startsWith("#")) return h("a", { href }, label);
  return h("span", {}, label); // a repository path: no page to link to
}

function table(rows) {
  const cells = (row) => row.replace(/^\||\|$/g, "").split("|").map((c) => c.trim());
  const [head, , ...body] = rows;
  return h("div", { class: "table-wrap", tabindex: 0 }, h("table", {},
    h("thead", {}, h("tr", {}, cells(head).map((c) => h("th", { scope: "col" }, inline(c))))),
    h("tbody", {}, body.map((r) => h("tr", {}, cells(r).map((c) => h("td", {}, inline(c))))))));
}

/** The Markdown `text` as a list of elements. */
export function markdown(text) {
  const lines = text.replace(/\r\n/g, "\n").split("\n");
  const out = [];
  let i = 0;
  while (i < lines.length) {
    const line = lines[i];
    if (line.startsWith("```")) {
      const code = [];
      i += 1;
      while (i < lines.length && !lines[i].startsWith("```")) code.push(lines[i++]);
      i += 1;
      out.push(h("pre", { tabindex: 0 }, h("code", {}, code.join("\n"))));
      continue;
    }
    const heading = /^(#{1,4})\s+(.*)$/.exec(line);
    if (heading) {
      const level = Math.max(2, heading[1].length); // the page's own title is the h1
      const id = heading[2].toLowerCase().replace(/[^\p{L}\p{N}]+/gu, "-").replace(/^-|-$/g, "");
      out.push(h(`h${level}`, { id }, inline(heading[2])));
      i += 1;
      continue;
    }
    if (/^\s*\|/.test(line)) {
      const rows = [];
      while (i < lines.length && /^\s*\|/.test(lines[i])) rows.push(lines[i++].trim());
      out.push(table(rows));
      continue;
    }
    if (/^\s*([-*]|\d+\.)\s+/.test(line)) {
      const ordered = /^\s*\d+\./.test(line);
      const items = [];
      while (i < lines.length && lines[i].trim() && !lines[i].startsWith("```")) {
        const item = /^\s*(?:[-*]|\d+\.)\s+(.*)$/.exec(lines[i]);
        if (item) items.push(item[1]);
        else if (items.length) items[items.length - 1] += ` ${lines[i].trim()}`;
        i += 1;
      }
      out.push(h(ordered ? "ol" : "ul", {}, items.map((item) => h("li", {}, inline(item)))));
      continue;
    }
    if (!line.trim()) { i += 1; continue; }
    const para = [];
    while (i < lines.length && lines[i].trim() && !/^(#{1,4}\s|```|\s*\||\s*([-*]|\d+\.)\s)/.test(lines[i])) para.push(lines[i++].trim());
    out.push(h("p", {}, inline(para.join(" "))));
  }
  return out;
}
