// Help: the docs' guides and a FAQ, rendered from Markdown shipped with the site.
import { h, append } from "../dom.js";
import { markdown } from "../markdown.js";

async function text(url) {
  const response = await fetch(url);
  if (!response.ok) throw new Error(`${url}: ${response.status}`);
  return response.text();
}

export default async function render({ root, t, params, setTitle }) {
  const index = JSON.parse(await text("/static/help/index.json"));
  const topic = index.find((entry) => entry.topic === params.topic);
  if (!topic) {
    append(root, h("h1", {}, t("help.title")),
      h("nav", { "aria-label": t("help.guides") }, h("ul", {}, index.map((entry) =>
        h("li", {}, h("a", { href: `/help/${entry.topic}`, "data-link": "" }, entry.title))))));
    return;
  }
  setTitle(topic.title);
  const body = await text(`/static/help/${topic.topic}.md`);
  const [first, ...rest] = markdown(body.replace(/^# .*\n/, ""));
  append(root,
    h("p", {}, h("a", { href: "/help", "data-link": "" }, `← ${t("help.back")}`)),
    h("h1", {}, topic.title),
    h("article", { class: "doc" }, first, rest));
}
