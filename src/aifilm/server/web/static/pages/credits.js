// Credits and billing: the balance and plan, the last 30 days of use as a chart, the ledger
// with filters, buying a credit pack or a plan through Stripe Checkout (and coming back to
// the updated balance at /billing/done), the customer portal and the invoices.
import { h, append, replace, notice, field, when } from "../dom.js";
import { get, post, explain } from "../api.js";
import { barChart } from "../chart.js";

const TYPES = ["grant", "purchase", "deduction", "refund", "expiry", "adjustment"];
const PAGE = 20;

function money(cents, currency, lang) {
  return new Intl.NumberFormat(lang, { style: "currency", currency: (currency || "usd").toUpperCase() }).format(cents / 100);
}

export default async function render({ root, t, lang, alive }) {
  const [balance, pricing] = await Promise.all([get("/credits/balance"), get("/studio/pricing")]);
  const back = location.pathname === "/billing/done";
  const cancelled = location.pathname === "/billing/cancelled";

  append(root, h("h1", {}, t("credits.title")));
  const status = h("div", { role: "status", "aria-live": "polite", id: "billing-status" });
  append(root, status);
  const balanceOut = h("p", { class: "price", "data-testid": "balance" }, String(balance.balance));
  const planOut = h("p", { class: "stat" }, balance.plan);
  append(root, h("div", { class: "grid three" },
    h("section", { class: "card", "aria-labelledby": "cr-bal" },
      h("h2", { id: "cr-bal" }, t("credits.balance")), balanceOut,
      balance.unlimited ? h("p", { class: "muted" }, t("credits.unlimited")) : null),
    h("section", { class: "card", "aria-labelledby": "cr-plan" },
      h("h2", { id: "cr-plan" }, t("credits.plan")), planOut,
      balance.period_end ? h("p", { class: "muted" },
        `${balance.renews ? t("credits.renews") : t("credits.ends")}: ${when(balance.period_end, lang)}`) : null,
      balance.payment_status && balance.payment_status !== "active"
        ? notice(t("credits.payment_status", { status: balance.payment_status }), "info") : null),
    h("section", { class: "card", "aria-labelledby": "cr-month" },
      h("h2", { id: "cr-month" }, t("credits.monthly")),
      h("p", { class: "stat" }, balance.monthly_credits === null ? "∞" : `${balance.monthly_remaining} / ${balance.monthly_credits}`))));

  if (back) {
    // Stripe sends the browser back here before or after its webhook reaches the server:
    // wait (30 s at most) for the ledger to show this purchase, then show the new balance.
    replace(status, notice(t("credits.thanks_wait"), "info"));
    const since = Date.now() - 15 * 60 * 1000;
    for (let i = 0; i < 30 && alive(); i++) {
      const latest = await get("/credits/transactions?limit=1&type=purchase&type=grant");
      const entry = latest.items[0];
      if (entry && Date.parse(entry.created_at) >= since) {
        const now = await get("/credits/balance");
        balanceOut.textContent = String(now.balance);
        planOut.textContent = now.plan;
        replace(status, notice(t("credits.thanks", { n: now.balance }), "ok"));
        break;
      }
      await new Promise((r) => setTimeout(r, 1000));
    }
  } else if (cancelled) {
    replace(status, notice(t("credits.cancelled"), "info"));
  }

  // --- the last 30 days ------------------------------------------------------------
  const usage = await get("/credits/usage?days=30");
  append(root, h("section", { "aria-labelledby": "cr-use" },
    h("h2", { id: "cr-use" }, t("credits.usage", { n: usage.spent })),
    barChart({
      id: "usage-chart",
      title: t("credits.usage_chart"),
      points: usage.points,
      x: "date",
      bars: { key: "spent", label: t("credits.spent") },
      line: { key: "balance", label: t("credits.balance_line") },
      summary: t("credits.usage_summary", { n: usage.spent, days: usage.points.length }),
      tableLabel: t("common.numbers"),
      wide: true,
    })));

  // --- buy --------------------------------------------------------------------------
  const buyOut = h("div", { role: "status", "aria-live": "polite" });
  async function checkout(what) {
    replace(buyOut, h("p", { class: "loading" }, t("credits.opening")));
    try {
      const session = await post("/payments/checkout", what);
      location.assign(session.url);
    } catch (error) {
      replace(buyOut, notice(explain(error)));
    }
  }
  const packs = pricing.packs.map((p) =>
    h("li", {}, h("button", { type: "button", class: "secondary", "data-pack": p.key, on: { click: () => checkout({ pack: p.key }) } },
      t("credits.buy_pack", { n: p.credits, price: money(p.usd_cents, "usd", lang) }))));
  const plans = pricing.plans.filter((p) => p.usd_cents > 0 && p.name !== balance.plan).map((p) =>
    h("li", {}, h("button", { type: "button", class: "secondary", "data-plan": p.name, on: { click: () => checkout({ plan: p.name }) } },
      t("credits.buy_plan", { plan: p.name, price: money(p.usd_cents, "usd", lang) }))));
  const portal = h("button", { type: "button", id: "portal" }, t("credits.portal"));
  portal.addEventListener("click", async () => {
    try {
      location.assign((await post("/payments/portal")).url);
    } catch (error) {
      replace(buyOut, notice(explain(error)));
    }
  });
  append(root, h("section", { class: "grid two", "aria-labelledby": "cr-buy" },
    h("div", { class: "card" }, h("h2", { id: "cr-buy" }, t("credits.buy")), h("ul", { class: "plain-list actions" }, packs)),
    h("div", { class: "card" }, h("h2", {}, t("credits.change_plan")), h("ul", { class: "plain-list actions" }, plans),
      h("p", { class: "muted" }, t("credits.portal_hint")), portal)),
    buyOut);

  // --- ledger -------------------------------------------------------------------------
  const typeSelect = h("select", { id: "ledger-type" },
    h("option", { value: "" }, t("credits.all_types")),
    TYPES.map((type) => h("option", { value: type }, t(`ledger.${type}`))));
  const startInput = h("input", { type: "date", id: "ledger-start" });
  const endInput = h("input", { type: "date", id: "ledger-end" });
  const ledgerOut = h("div", { "aria-live": "polite" });
  let offset = 0;
  async function drawLedger() {
    const params = new URLSearchParams({ limit: String(PAGE), offset: String(offset) });
    if (typeSelect.value) params.append("type", typeSelect.value);
    if (startInput.value) params.set("start", startInput.value);
    if (endInput.value) params.set("end", endInput.value);
    let page;
    try {
      page = await get(`/credits/transactions?${params}`);
    } catch (error) {
      replace(ledgerOut, notice(explain(error)));
      return;
    }
    const rows = page.items.map((row) => h("tr", {},
      h("td", {}, when(row.created_at, lang)),
      h("td", {}, t(`ledger.${row.type}`)),
      h("td", { class: row.amount < 0 ? "amount-neg" : "amount-pos" }, row.amount > 0 ? `+${row.amount}` : String(row.amount)),
      h("td", {}, String(row.balance_after)),
      h("td", {}, row.description)));
    const prev = h("button", { type: "button", class: "secondary", disabled: offset === 0 }, t("common.previous"));
    const next = h("button", { type: "button", class: "secondary", disabled: offset + PAGE >= page.total }, t("common.next"));
    prev.addEventListener("click", () => { offset = Math.max(0, offset - PAGE); drawLedger(); });
    next.addEventListener("click", () => { offset += PAGE; drawLedger(); });
    replace(ledgerOut,
      page.items.length ? h("div", { class: "table-wrap", tabindex: "0" }, h("table", { id: "ledger", class: "wide" },
        h("caption", { class: "sr" }, t("credits.ledger")),
        h("thead", {}, h("tr", {}, ["when", "type", "amount", "after", "what"].map((c) => h("th", { scope: "col" }, t(`credits.col_${c}`))))),
        h("tbody", {}, rows))) : h("p", {}, t("credits.no_entries")),
      h("div", { class: "row" }, prev, h("span", { class: "muted" }, t("common.range", { from: page.total ? offset + 1 : 0, to: offset + page.items.length, total: page.total })), next));
  }
  for (const input of [typeSelect, startInput, endInput]) input.addEventListener("change", () => { offset = 0; drawLedger(); });
  append(root, h("section", { "aria-labelledby": "cr-ledger" },
    h("h2", { id: "cr-ledger" }, t("credits.ledger")),
    h("div", { class: "row" },
      field(t("credits.filter_type"), typeSelect),
      field(t("credits.filter_start"), startInput),
      field(t("credits.filter_end"), endInput)),
    ledgerOut));
  await drawLedger();

  // --- invoices -----------------------------------------------------------------------
  const invoicesOut = h("div");
  append(root, h("section", { "aria-labelledby": "cr-inv" }, h("h2", { id: "cr-inv" }, t("credits.invoices")), invoicesOut));
  try {
    const invoices = await get("/payments/invoices?limit=10");
    replace(invoicesOut, invoices.items.length ? h("div", { class: "table-wrap", tabindex: "0" }, h("table", { class: "wide" },
      h("thead", {}, h("tr", {}, ["date", "number", "amount", "status", "link"].map((c) => h("th", { scope: "col" }, t(`credits.inv_${c}`))))),
      h("tbody", {}, invoices.items.map((i) => h("tr", {},
        h("td", {}, when(i.created, lang)),
        h("td", {}, i.number || i.id),
        h("td", {}, money(i.amount_paid || i.amount_due, i.currency, lang)),
        h("td", {}, i.status || ""),
        h("td", {}, i.hosted_invoice_url && /^https:\/\//.test(i.hosted_invoice_url)
          ? h("a", { href: i.hosted_invoice_url, rel: "noopener noreferrer", target: "_blank" }, t("credits.inv_open")) : ""))))))
      : h("p", {}, t("credits.no_invoices")));
  } catch (error) {
    // Billing not configured on this server (503): the page works without it.
    replace(invoicesOut, notice(explain(error), "info"));
  }
}
