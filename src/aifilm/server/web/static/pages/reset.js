// Reset password from the emailed link (?token=...).
import { h, append, field, notice } from "../dom.js";
import { post, explain } from "../api.js";

export default async function render({ root, t, query }) {
  const token = query.get("token");
  append(root, h("h1", {}, t("reset.title")));
  if (!token) {
    append(root, notice(t("reset.no_token")), h("a", { href: "/forgot", "data-link": "" }, t("forgot.title")));
    return;
  }
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password", minlength: 8, required: true });
  const out = h("div");
  const form = h("form", { class: "card" }, field(t("common.password"), password, t("signup.password_hint")), out,
    h("button", { type: "submit" }, t("reset.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    out.replaceChildren();
    try {
      await post("/users/password-reset/confirm", { token, password: password.value });
      out.append(notice(t("reset.done"), "ok"), h("a", { href: "/login", "data-link": "" }, t("nav.login")));
      form.querySelector("button").disabled = true;
    } catch (error) {
      out.append(notice(explain(error)));
    }
  });
  append(root, form);
}
