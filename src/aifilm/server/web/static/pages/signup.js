// Sign up: an account on the free plan, signed in at once; a link verifies the email.
import { h, append, field, notice, toast } from "../dom.js";
import { post, explain } from "../api.js";

export default async function render({ root, t, navigate, setUser }) {
  const name = h("input", { name: "name", autocomplete: "name", maxlength: 255 });
  const email = h("input", { type: "email", name: "email", autocomplete: "email", required: true });
  const password = h("input", { type: "password", name: "password", autocomplete: "new-password", minlength: 8, required: true });
  const errors = h("div");
  const form = h("form", { class: "card" },
    field(t("common.name"), name),
    field(t("common.email"), email),
    field(t("common.password"), password, t("signup.password_hint")),
    errors,
    h("button", { type: "submit" }, t("signup.submit")));
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    errors.replaceChildren();
    try {
      const answer = await post("/session/register", {
        email: email.value, password: password.value, full_name: name.value || null,
      });
      setUser(answer.user);
      toast(t("signup.done", { email: answer.user.email }));
      navigate("/dashboard");
    } catch (error) {
      errors.append(notice(explain(error)));
    }
  });
  append(root, h("h1", {}, t("signup.title")), form,
    h("p", {}, h("a", { href: "/login", "data-link": "" }, t("landing.have"))));
}
