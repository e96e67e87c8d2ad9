// Verify the email address from the emailed link (?token=...).
import { h, append, notice } from "../dom.js";
import { post, explain } from "../api.js";

export default async function render({ root, t, query, user }) {
  append(root, h("h1", {}, t("verify.title")));
  const out = h("div", {}, h("p", { class: "loading" }, t("verify.working")));
  append(root, out);
  try {
    const verified = await post("/users/verify-email", { token: query.get("token") || "" });
    out.replaceChildren(notice(t("verify.done", { email: verified.email }), "ok"),
      h("a", { href: user ? "/dashboard" : "/login", "data-link": "" }, user ? t("nav.dashboard") : t("nav.login")));
  } catch (error) {
    out.replaceChildren(notice(explain(error)));
    if (user) {
      const again = h("button", { type: "button", on: { click: async () => {
        again.disabled = true;
        try { await post("/users/me/verify-email"); out.append(notice(t("signup.done", { email: user.email }), "ok")); }
        catch (e) { out.append(notice(explain(e))); }
      } } }, t("verify.resend"));
      out.append(again);
    }
  }
}
