// The dashboard: credits and plan, recent projects with their status, a quick start.
import { h, append, notice, when } from "../dom.js";
import { get, post, explain } from "../api.js";

export function statusBadge(t, status) {
  return h("span", { class: `status ${status}` }, t(`status.${status}`));
}

export default async function render({ root, t, lang, user }) {
  const [balance, projects] = await Promise.all([get("/credits/balance"), get("/projects?limit=10")]);
  append(root, h("h1", {}, t("dashboard.hello", { name: user.full_name || user.email })));
  if (!user.email_verified_at) {
    const resend = h("button", { type: "button", class: "secondary" }, t("verify.resend"));
    const box = h("div", { class: "notice info row" }, h("span", {}, t("dashboard.unverified", { email: user.email })), resend);
    resend.addEventListener("click", async () => {
      resend.disabled = true;
      try {
        await post("/users/me/verify-email");
        box.append(h("span", {}, t("signup.done", { email: user.email })));
      } catch (error) {
        box.append(notice(explain(error)));
      }
    });
    append(root, box);
  }
  append(
    root,
    h("div", { class: "grid three" },
      h("section", { class: "card", "aria-labelledby": "bal-h" },
        h("h2", { id: "bal-h" }, t("dashboard.balance")),
        h("p", { class: "price", "data-testid": "balance" }, String(balance.balance)),
        h("a", { href: "/credits", "data-link": "" }, t("nav.credits"))),
      h("section", { class: "card", "aria-labelledby": "plan-h" },
        h("h2", { id: "plan-h" }, t("dashboard.plan")),
        h("p", { class: "price" }, balance.plan),
        balance.period_end ? h("p", { class: "muted" }, `${t("dashboard.renews")}: ${when(balance.period_end, lang)}`) : null),
      h("section", { class: "card", "aria-labelledby": "quick-h" },
        h("h2", { id: "quick-h" }, t("dashboard.quick")),
        h("ul", { class: "plain-list" },
          h("li", {}, h("a", { href: "/new", "data-link": "" }, t("dashboard.quick_script"))),
          h("li", {}, h("a", { href: "/new?tab=template", "data-link": "" }, t("dashboard.quick_template"))),
          h("li", {}, h("a", { href: "/new?tab=topic", "data-link": "" }, t("dashboard.quick_topic")))))),
  );
  const recent = h("section", { "aria-labelledby": "recent-h" }, h("h2", { id: "recent-h" }, t("dashboard.recent")));
  if (!projects.items.length) {
    append(recent, h("p", {}, t("dashboard.none")), h("a", { class: "btn", href: "/new", "data-link": "" }, t("nav.new")));
  } else {
    append(recent, h("div", { class: "table-wrap", tabindex: 0 }, h("table", {},
      h("thead", {}, h("tr", {},
        h("th", { scope: "col" }, t("dashboard.col_title")),
        h("th", { scope: "col" }, t("dashboard.col_status")),
        h("th", { scope: "col" }, t("dashboard.col_updated")))),
      h("tbody", {}, projects.items.map((p) => h("tr", {},
        h("td", {}, h("a", { href: `/projects/${p.id}`, "data-link": "" }, p.title)),
        h("td", {}, statusBadge(t, p.status)),
        h("td", {}, when(p.created_at, lang))))))));
  }
  append(root, recent);
}
