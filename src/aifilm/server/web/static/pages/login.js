// Log in: the server sets HttpOnly session cookies; the page never sees a token.
import { h, append, field, notice } from "../dom.js";
import { post, explain } from "../api.js";

export default async function render({ root, t, query, navigate, setUser }) {
  const email = h("input", { type: "email", name: "email", autocomplete: "username", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "current-password", required: true });
  const errors = h("div");
  const form = h("form", { class: "card", novalidate: false },
    field(t("common.email"), email),
    field(t("common.password"), password),
    errors,
    h("button", { type: "submit" }, t("login.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    try {
      const answer = await post("/session/login", { email: email.value, password: password.value });
      setUser(answer.user);
      const next = query.get("next");
      navigate(next && next.startsWith("/") && !next.startsWith("//") ? next : "/dashboard");
    } catch (error) {
      errors.append(notice(explain(error)));
    }
  });
  append(root, h("h1", {}, t("login.title")), form,
    h("p", {}, h("a", { href: "/forgot", "data-link": "" }, t("login.forgot"))),
    h("p", {}, h("a", { href: "/signup", "data-link": "" }, t("login.new"))));
}
