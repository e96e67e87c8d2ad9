// The script editor: a plain textarea (fast, accessible, works on phones) checked by the
// server as the user types; each issue is listed at its line and column, and a click on it
// puts the cursor there.
import { h, replace } from "./dom.js";
import { post, explain } from "./api.js";
import { t } from "./i18n.js";

/** Offset in `text` of 1-based `line` and `column`. */
export function offsetOf(text, line, column) {
  const lines = text.split("\n");
  let offset = 0;
  for (let i = 0; i < Math.min(line - 1, lines.length); i += 1) offset += lines[i].length + 1;
  return offset + Math.max(0, (column || 1) - 1);
}

/**
 * editor({format, text, title, onResult}) -> {element, value(), format(), check()}
 * `onResult(validation)` gets the server's answer ({ok, spec, issues, detail}).
 */
export function editor({ format = "plain", text = "", title = "", formats = true, onResult = () => {} } = {}) {
  const area = h("textarea", {
    id: "script", name: "script", spellcheck: "false", rows: 18, "aria-describedby": "script-hint script-status",
  });
  area.value = text;
  const titleInput = h("input", { id: "title", name: "title", maxlength: 100, value: title });
  const formatSelect = h("select", { id: "format", name: "format" },
    ["plain", "fountain", "yaml"].map((f) => h("option", { value: f, selected: f === format }, t(`new.format_${f}`))));
  const status = h("div", { id: "script-status", role: "status", "aria-live": "polite" });
  const issues = h("ul", { class: "issues", "aria-label": t("new.editor") });
  let timer = null;
  let latest = 0;
  let last = null;

  function currentFormat() { return formatSelect.value; }

  function hideTitle() {
    const box = titleInput.closest(".field");
    if (box) box.hidden = formatSelect.value === "yaml";
  }

  async function check() {
    const mine = ++latest;
    const body = { text: area.value, format: currentFormat(), title: titleInput.value || null };
    try {
      const answer = await post("/studio/validate", body);
      if (mine !== latest) return last;
      last = answer;
      show(answer);
      onResult(answer);
      return answer;
    } catch (error) {
      if (mine === latest) replace(status, h("span", { class: "notice error" }, explain(error)));
      return null;
    }
  }

  function show(answer) {
    area.setAttribute("aria-invalid", String(!answer.ok));
    if (answer.ok) {
      replace(status, h("span", { class: "notice ok" }, t("new.valid")));
      issues.replaceChildren();
      return;
    }
    const list = answer.issues.length ? answer.issues : [{ message: answer.detail }];
    replace(status, h("span", { class: "notice error" }, t("new.issues", { n: list.length })));
    replace(issues, list.map((issue) => {
      const where = issue.line ? t("new.line", { line: issue.line, column: issue.column || 1 }) : "";
      const jump = issue.line
        ? h("button", {
            type: "button", title: t("new.go_line", { line: issue.line }),
            on: { click: () => {
              const at = offsetOf(area.value, issue.line, issue.column);
              area.focus();
              area.setSelectionRange(at, at);
            } },
          }, where)
        : null;
      return h("li", { "data-line": issue.line || "" }, jump, jump ? ": " : "", issue.field ? `${issue.field}: ` : "", issue.message);
    }));
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(check, 350);
  }
  area.addEventListener("input", schedule);
  titleInput.addEventListener("input", schedule);
  formatSelect.addEventListener("change", () => {
    hideTitle();
    check();
  });

  const element = h("div", { class: "editor" },
    formats ? h("div", { class: "row" },
      h("div", { class: "field" }, h("label", { for: "format" }, t("new.format")), formatSelect),
      h("div", { class: "field", hidden: format === "yaml" }, h("label", { for: "title" }, t("new.project_title")), titleInput)) : null,
    h("div", { class: "field" },
      h("label", { for: "script" }, t("new.editor")),
      h("small", { id: "script-hint", class: "hint" }, t("new.editor_hint")),
      area),
    status,
    issues);
  return {
    element,
    area,
    check,
    value: () => area.value,
    format: currentFormat,
    last: () => last,
    set(textValue, fmt) {
      area.value = textValue;
      if (fmt) formatSelect.value = fmt;
      hideTitle();
      check();
    },
  };
}
