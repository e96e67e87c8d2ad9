// The admin console: analytics (charts and CSV), users (search, plan, credits with a
// reason, suspend), projects (block, remove) and renders (failures grouped by error).
// The server refuses every call here to non-admins (403); app.js refuses the page too.
import { h, append, replace, notice, field, toast, when } from "../dom.js";
import { get, post, del, explain } from "../api.js";
import { barChart } from "../chart.js";
import { statusBadge } from "./dashboard.js";

const PLANS = ["creator", "standard", "pro", "enterprise"];
const TABS = ["analytics", "users", "projects", "jobs"];

function isoDay(date) {
  return date.toISOString().slice(0, 10);
}

function money(cents, currency, lang) {
  return new Intl.NumberFormat(lang, { style: "currency", currency: (currency || "usd").toUpperCase() }).format(cents / 100);
}

export default async function render(ctx) {
  const { root, t, query } = ctx;
  append(root, h("h1", {}, t("admin.title")));
  const panel = h("div", { id: "admin-panel" });
  const current = TABS.includes(query.get("tab")) ? query.get("tab") : "analytics";
  const buttons = TABS.map((name) => h("button", {
    type: "button", "aria-pressed": String(name === current), "data-tab": name,
    on: { click: () => show(name) },
  }, t(`admin.tab_${name}`)));
  append(root, h("div", { class: "tabs", role: "group", "aria-label": t("admin.sections") }, buttons), panel);

  async function show(name) {
    for (const b of buttons) b.setAttribute("aria-pressed", String(b.dataset.tab === name));
    history.replaceState(null, "", `/admin?tab=${name}`);
    replace(panel, h("p", { class: "loading" }, t("common.loading")));
    try {
      const body = await { analytics, users, projects, jobs }[name](ctx);
      replace(panel, body);
    } catch (error) {
      replace(panel, notice(explain(error)));
    }
  }
  await show(current);
}

// --- analytics ------------------------------------------------------------------------

async function analytics({ t, lang }) {
  const end = new Date();
  const start = new Date(end.getTime() - 29 * 86400000);
  const startInput = h("input", { type: "date", id: "an-start", value: isoDay(start) });
  const endInput = h("input", { type: "date", id: "an-end", value: isoDay(end) });
  const period = h("select", { id: "an-period" },
    h("option", { value: "day" }, t("admin.by_day")), h("option", { value: "month" }, t("admin.by_month")));
  const out = h("div", { "aria-live": "polite" });
  const apply = h("button", { type: "button", id: "an-apply" }, t("admin.apply"));
  const box = h("section", { "aria-labelledby": "an-h" },
    h("h2", { id: "an-h", class: "sr" }, t("admin.tab_analytics")),
    h("div", { class: "row" },
      field(t("admin.from"), startInput), field(t("admin.to"), endInput), field(t("admin.period"), period), apply),
    out);

  async function draw() {
    const range = new URLSearchParams({ start: startInput.value, end: endInput.value });
    const series = new URLSearchParams({ ...Object.fromEntries(range), period: period.value });
    let o, u, p, r;
    try {
      [o, u, p, r] = await Promise.all([
        get(`/analytics/overview?${range}`), get(`/analytics/users?${series}`),
        get(`/analytics/projects?${series}`), get(`/analytics/revenue?${series}`)]);
    } catch (error) {
      replace(out, notice(explain(error)));
      return;
    }
    const revenue = Object.entries(o.revenue).map(([c, v]) => money(v, c, lang)).join(" + ") || money(0, "usd", lang);
    const stat = (key, value) => h("div", { class: "card" }, h("p", { class: "muted" }, t(`admin.stat_${key}`)), h("p", { class: "stat", "data-stat": key }, String(value)));
    const csv = (name, params) => h("a", { class: "btn secondary", href: `/api/analytics/${name}?${params}&format=csv`, download: "" }, t("admin.csv", { name: t(`admin.csv_${name}`) }));
    const usd = (r.points || []).filter((x) => x.currency === (r.points[0] || {}).currency);
    replace(out,
      h("div", { class: "grid four" },
        stat("dau", o.daily_active_users), stat("mau", o.monthly_active_users),
        stat("films", o.films_rendered), stat("minutes", o.minutes_rendered),
        stat("credits", o.credits_spent), stat("failure", `${(o.failure_rate * 100).toFixed(1)} %`),
        stat("signups", o.signups), stat("revenue", revenue)),
      h("div", { class: "grid two" },
        barChart({ id: "chart-active", title: t("admin.chart_active"), points: u.points, x: "period",
          bars: { key: "active_users", label: t("admin.active_users") }, line: { key: "signups", label: t("admin.signups") }, tableLabel: t("common.numbers") }),
        barChart({ id: "chart-films", title: t("admin.chart_films"), points: p.points, x: "period",
          bars: { key: "films_rendered", label: t("admin.films") }, line: { key: "films_failed", label: t("admin.failed") }, tableLabel: t("common.numbers") }),
        barChart({ id: "chart-minutes", title: t("admin.chart_minutes"), points: p.points, x: "period",
          bars: { key: "minutes_rendered", label: t("admin.minutes") }, line: { key: "credits_spent", label: t("admin.credits") }, tableLabel: t("common.numbers") }),
        barChart({ id: "chart-revenue", title: t("admin.chart_revenue"), points: usd, x: "period",
          bars: { key: "revenue", label: t("admin.revenue") }, format: (v) => money(v, (usd[0] || {}).currency, lang), tableLabel: t("common.numbers") })),
      h("h3", {}, t("admin.by_plan")),
      r.by_product.length ? h("div", { class: "table-wrap", tabindex: "0" }, h("table", { id: "revenue-by-plan", class: "wide" },
        h("thead", {}, h("tr", {}, ["product", "payments", "revenue"].map((c) => h("th", { scope: "col" }, t(`admin.col_${c}`))))),
        h("tbody", {}, r.by_product.map((x) => h("tr", {}, h("td", {}, x.product), h("td", {}, String(x.payments)), h("td", {}, money(x.revenue, x.currency, lang)))))))
        : h("p", {}, t("admin.no_revenue")),
      h("div", { class: "row" }, csv("overview", range), csv("users", series), csv("projects", series), csv("revenue", series)));
  }
  apply.addEventListener("click", draw);
  await draw();
  return box;
}

// --- users -----------------------------------------------------------------------------

async function users({ t, lang, user: me }) {
  const search = h("input", { type: "search", id: "user-q", autocomplete: "off" });
  const status = h("select", { id: "user-status" },
    h("option", { value: "" }, t("admin.any")), h("option", { value: "active" }, t("admin.active")), h("option", { value: "suspended" }, t("admin.suspended")));
  const list = h("div", { "aria-live": "polite" });
  const detail = h("div");
  const box = h("section", { "aria-labelledby": "us-h" },
    h("h2", { id: "us-h", class: "sr" }, t("admin.tab_users")),
    h("form", { class: "row", role: "search", on: { submit: (e) => { e.preventDefault(); draw(); } } },
      field(t("admin.search_users"), search), field(t("admin.status"), status),
      h("button", { type: "submit" }, t("admin.search"))),
    list, detail);

  async function draw() {
    const params = new URLSearchParams({ limit: "50" });
    if (search.value.trim()) params.set("q", search.value.trim());
    if (status.value) params.set("status", status.value);
    const page = await get(`/admin/users?${params}`);
    replace(list, h("p", { class: "muted" }, t("admin.found", { n: page.total })),
      h("div", { class: "table-wrap", tabindex: "0" }, h("table", { id: "users", class: "wide" },
        h("thead", {}, h("tr", {}, ["email", "plan", "credits", "state", "joined"].map((c) => h("th", { scope: "col" }, t(`admin.col_${c}`))))),
        h("tbody", {}, page.items.map((u) => h("tr", {},
          h("td", {}, h("button", { type: "button", class: "linklike", on: { click: () => open(u.id) } }, u.email)),
          h("td", {}, u.plan),
          h("td", {}, String(u.credit_balance)),
          h("td", {}, u.is_active ? t("admin.active") : t("admin.suspended")),
          h("td", {}, when(u.created_at, lang))))))));
  }

  async function open(id) {
    const u = await get(`/admin/users/${id}`);
    const out = h("div", { role: "status", "aria-live": "polite" });
    const done = async (message) => { toast(message); await draw(); await open(id); };
    const fail = (error) => replace(out, notice(explain(error)));

    const plan = h("select", { id: "u-plan" }, PLANS.map((p) => h("option", { value: p, selected: p === u.plan }, p)));
    const setPlan = h("button", { type: "button", class: "secondary" }, t("admin.set_plan"));
    setPlan.addEventListener("click", () => post(`/admin/users/${id}/plan`, { plan: plan.value }).then(() => done(t("admin.plan_set"))).catch(fail));

    const amount = h("input", { type: "number", id: "u-amount", step: "1", required: true });
    const reason = h("input", { type: "text", id: "u-reason", minlength: "3", maxlength: "500", required: true });
    const adjust = h("form", { on: { submit: (e) => {
      e.preventDefault();
      post("/admin/credits/adjust", { user_id: id, amount: Number(amount.value), reason: reason.value })
        .then(() => done(t("admin.adjusted"))).catch(fail);
    } } }, h("fieldset", {}, h("legend", {}, t("admin.adjust")),
      h("div", { class: "row" }, field(t("admin.amount"), amount, t("admin.amount_hint")), field(t("admin.reason"), reason)),
      h("button", { type: "submit", class: "secondary" }, t("admin.adjust_submit"))));

    let suspension;
    if (u.is_active) {
      const why = h("input", { type: "text", id: "u-why", minlength: "3", maxlength: "500", required: true });
      suspension = h("form", { on: { submit: (e) => {
        e.preventDefault();
        post(`/admin/users/${id}/suspend`, { reason: why.value }).then(() => done(t("admin.suspended_done"))).catch(fail);
      } } }, h("fieldset", {}, h("legend", {}, t("admin.suspend")), field(t("admin.reason"), why, t("admin.suspend_hint")),
        h("button", { type: "submit", class: "danger", disabled: id === me.id }, t("admin.suspend"))));
    } else {
      suspension = h("div", {},
        notice(t("admin.suspended_note", { when: when(u.suspended_at, lang), reason: u.suspension_reason || "" }), "info"),
        h("button", { type: "button", on: { click: () => post(`/admin/users/${id}/unsuspend`).then(() => done(t("admin.unsuspended"))).catch(fail) } }, t("admin.unsuspend")));
    }
    replace(detail, h("section", { class: "card", "aria-labelledby": "u-h", id: "user-detail" },
      h("h3", { id: "u-h" }, u.email),
      h("dl", { class: "kv" },
        h("dt", {}, t("common.name")), h("dd", {}, u.full_name || "—"),
        h("dt", {}, t("admin.col_plan")), h("dd", {}, u.plan),
        h("dt", {}, t("admin.col_credits")), h("dd", { "data-testid": "user-credits" }, String(u.credit_balance)),
        h("dt", {}, t("admin.projects_jobs")), h("dd", {}, t("admin.counts", { projects: u.projects, jobs: u.jobs, failed: u.failed_jobs })),
        h("dt", {}, t("admin.last_login")), h("dd", {}, u.last_login_at ? when(u.last_login_at, lang) : "—")),
      h("div", { class: "row" }, field(t("admin.col_plan"), plan), setPlan),
      adjust, suspension, out,
      h("h4", {}, t("admin.recent_ledger")),
      h("ul", { class: "plain-list" }, u.transactions.map((x) => h("li", {}, `${when(x.created_at, lang)} · ${x.type} · ${x.amount > 0 ? "+" : ""}${x.amount} · `, h("span", {}, x.description))))));
    detail.querySelector("h3").setAttribute("tabindex", "-1");
    detail.querySelector("h3").focus();
  }
  await draw();
  return box;
}

// --- projects --------------------------------------------------------------------------

async function projects({ t, lang }) {
  const search = h("input", { type: "search", id: "project-q" });
  const moderation = h("select", { id: "project-mod" },
    h("option", { value: "" }, t("admin.any")), h("option", { value: "ok" }, t("admin.mod_ok")), h("option", { value: "blocked" }, t("admin.mod_blocked")));
  const list = h("div", { "aria-live": "polite" });
  const box = h("section", { "aria-labelledby": "pr-h" },
    h("h2", { id: "pr-h", class: "sr" }, t("admin.tab_projects")),
    h("form", { class: "row", role: "search", on: { submit: (e) => { e.preventDefault(); draw(); } } },
      field(t("admin.search_projects"), search), field(t("admin.moderation"), moderation),
      h("button", { type: "submit" }, t("admin.search"))),
    list);
  async function draw() {
    const params = new URLSearchParams({ limit: "50" });
    if (search.value.trim()) params.set("q", search.value.trim());
    if (moderation.value) params.set("moderation", moderation.value);
    const page = await get(`/admin/projects?${params}`);
    replace(list, h("p", { class: "muted" }, t("admin.found", { n: page.total })), h("div", { class: "table-wrap", tabindex: "0" }, h("table", { id: "projects", class: "wide" },
      h("thead", {}, h("tr", {}, ["title", "status", "moderation", "created", "actions"].map((c) => h("th", { scope: "col" }, t(`admin.col_${c}`))))),
      h("tbody", {}, page.items.map((p) => {
        const block = h("button", { type: "button", class: "secondary" }, p.moderation === "blocked" ? t("admin.allow") : t("admin.block"));
        block.addEventListener("click", async () => {
          try {
            await post(`/admin/projects/${p.id}/moderate`, { moderation: p.moderation === "blocked" ? "ok" : "blocked" });
            await draw();
          } catch (error) { list.prepend(notice(explain(error))); }
        });
        const remove = h("button", { type: "button", class: "danger" }, t("common.delete"));
        remove.addEventListener("click", async () => {
          if (!confirm(t("admin.remove_confirm", { title: p.title }))) return;
          try { await del(`/admin/projects/${p.id}`); toast(t("admin.removed")); await draw(); } catch (error) { list.prepend(notice(explain(error))); }
        });
        return h("tr", {},
          h("td", {}, p.title), h("td", {}, statusBadge(t, p.status)),
          h("td", {}, p.moderation === "blocked" ? t("admin.mod_blocked") : t("admin.mod_ok")),
          h("td", {}, when(p.created_at, lang)),
          h("td", {}, h("div", { class: "actions", "aria-label": p.title, role: "group" }, block, remove)));
      })))));
  }
  await draw();
  return box;
}

// --- renders ---------------------------------------------------------------------------

async function jobs({ t, lang }) {
  const status = h("select", { id: "job-status" },
    h("option", { value: "failed" }, t("status.failed")),
    ["queued", "running", "completed", "cancelled"].map((s) => h("option", { value: s }, t(`status.${s}`))),
    h("option", { value: "" }, t("admin.any")));
  const list = h("div", { "aria-live": "polite" });
  const groups = await get("/admin/failures");
  const box = h("section", { "aria-labelledby": "jb-h" },
    h("h2", { id: "jb-h" }, t("admin.failures")),
    groups.length ? h("ul", { class: "issues", id: "failure-groups" }, groups.map((g) => h("li", {}, h("strong", {}, `${g.count} × `), h("span", {}, g.error), h("span", { class: "muted" }, ` · ${when(g.last_at, lang)}`))))
      : h("p", {}, t("admin.no_failures")),
    h("h2", {}, t("admin.renders")),
    h("div", { class: "row" }, field(t("admin.status"), status)),
    list);
  async function draw() {
    const params = new URLSearchParams({ limit: "50" });
    if (status.value) params.set("status", status.value);
    const page = await get(`/admin/jobs?${params}`);
    replace(list, page.items.length ? h("div", { class: "table-wrap", tabindex: "0" }, h("table", { id: "jobs", class: "wide" },
      h("thead", {}, h("tr", {}, ["when", "user", "title", "status", "error"].map((c) => h("th", { scope: "col" }, t(`admin.col_${c}`))))),
      h("tbody", {}, page.items.map((j) => h("tr", {},
        h("td", {}, when(j.created_at, lang)), h("td", {}, j.user_email), h("td", {}, j.project_title),
        h("td", {}, statusBadge(t, j.status)), h("td", {}, j.error_message || "")))))) : h("p", {}, t("admin.no_jobs")));
  }
  status.addEventListener("change", draw);
  await draw();
  return box;
}
