// New project: write or paste a script (checked as you type), start from a template, or
// (where the server has a writer) from a topic.
import { h, append, replace, notice, field } from "../dom.js";
import { get, post, explain } from "../api.js";
import { editor } from "../editor.js";

const SAMPLE = "[Scene: Morning]\nThe sun rose over the quiet village.\n\nMaya: Good morning, everyone!\n";

export default async function render({ root, t, query, navigate }) {
  const catalogue = await get("/studio/catalogue");
  const tabs = ["script", "template", "topic"];
  let tab = tabs.includes(query.get("tab")) ? query.get("tab") : "script";
  const panel = h("div", { id: "new-panel", role: "region", "aria-live": "polite" });
  const buttons = tabs.map((name) =>
    h("button", { type: "button", "aria-pressed": String(name === tab), "data-tab": name, on: { click: () => select(name) } }, t(`new.tab_${name}`)));
  const errors = h("div");
  const create = h("button", { type: "button", id: "create", disabled: true }, t("new.create"));
  const script = editor({
    format: "plain",
    text: SAMPLE,
    title: "",
    onResult: (answer) => { create.disabled = !answer.ok; },
  });
  create.addEventListener("click", async () => {
    errors.replaceChildren();
    const answer = await script.check();
    if (!answer || !answer.ok) return;
    create.disabled = true;
    try {
      const project = await post("/projects", { spec: answer.spec });
      navigate(`/projects/${project.id}`);
    } catch (error) {
      errors.append(notice(explain(error)));
      create.disabled = false;
    }
  });
  const scriptPanel = h("div", { class: "card" }, script.element, errors, create);

  async function templatePanel() {
    const templates = await get("/studio/templates");
    return h("ul", { class: "grid two plain-list" }, templates.map((tpl) =>
      h("li", { class: "card" },
        h("h2", {}, tpl.name),
        h("p", {}, tpl.description),
        h("button", { type: "button", "data-template": tpl.key, on: { click: () => {
          script.set(tpl.spec, "yaml");
          select("script");
        } } }, t("new.use_template")))));
  }

  function topicPanel() {
    if (!catalogue.writer) return h("div", { class: "card" }, notice(t("new.no_writer"), "info"));
    const topic = h("input", { name: "topic", id: "topic", maxlength: 500, required: true, minlength: 3 });
    const style = h("select", { name: "style", id: "style" },
      ["story", "explainer", "podcast", "devotional", "short"].map((s) => h("option", { value: s }, t(`new.style_${s}`))));
    const minutes = h("input", { type: "number", name: "minutes", id: "minutes", min: 0.5, max: 5, step: 0.5, value: "1" });
    const out = h("div", { role: "status", "aria-live": "polite" });
    const submit = h("button", { type: "submit" }, t("new.write"));
    const form = h("form", { class: "card" },
      field(t("new.topic"), topic, t("new.topic_hint")), field(t("new.style"), style), field(t("new.minutes"), minutes), out, submit);
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      submit.disabled = true;
      replace(out, h("p", { class: "loading" }, t("new.writing")));
      try {
        const answer = await post("/studio/write", { topic: topic.value, style: style.value, minutes: Number(minutes.value) });
        script.set(answer.spec || "", "yaml");
        await select("script");
      } catch (error) {
        replace(out, notice(explain(error)));
      } finally {
        submit.disabled = false;
      }
    });
    return form;
  }

  async function select(name) {
    tab = name;
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.tab === name));
    if (name === "script") replace(panel, scriptPanel);
    else if (name === "template") replace(panel, await templatePanel());
    else replace(panel, topicPanel());
  }

  append(root, h("h1", {}, t("new.title")), h("div", { class: "tabs", role: "group", "aria-label": t("new.title") }, buttons), panel);
  await select(tab);
  script.check();
}
