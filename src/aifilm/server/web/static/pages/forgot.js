// Forgot password: the server emails a one-time link to /reset.
import { h, append, field, notice } from "../dom.js";
import { post, explain } from "../api.js";

export default async function render({ root, t }) {
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true });
  const out = h("div");
  const form = h("form", { class: "card" }, h("p", {}, t("forgot.lead")), field(t("common.email"), email), out,
    h("button", { type: "submit" }, t("forgot.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    try {
      await post("/users/password-reset", { email: email.value });
      out.append(notice(t("forgot.sent", { email: email.value }), "ok"));
    } catch (error) {
      out.append(notice(explain(error)));
    }
  });
  append(root, h("h1", {}, t("forgot.title")), form);
}
