// The landing page: what aifilm does, a demo film it made, plans and prices.
import { h, append } from "../dom.js";
import { get } from "../api.js";

function money(cents, lang) {
  return new Intl.NumberFormat(lang, { style: "currency", currency: "USD" }).format(cents / 100);
}

export default async function render({ root, t, lang, user }) {
  append(
    root,
    h("section", { class: "hero" },
      h("h1", {}, t("landing.title")),
      h("p", {}, t("landing.lead")),
      h("div", { class: "row" },
        user
          ? h("a", { class: "btn", href: "/dashboard", "data-link": "" }, t("nav.dashboard"))
          : [h("a", { class: "btn", href: "/signup", "data-link": "" }, t("landing.start")),
             h("a", { class: "btn secondary", href: "/login", "data-link": "" }, t("landing.have"))])),
    h("div", { class: "grid two" },
      h("section", { class: "card", "aria-labelledby": "demo-h" },
        h("h2", { id: "demo-h" }, t("landing.demo")),
        h("video", { controls: true, preload: "none", src: "/static/demo/demo.mp4", poster: "/static/demo/demo.jpg", "aria-describedby": "demo-c" },
          h("track", { kind: "subtitles", src: "/static/demo/demo.vtt", srclang: "en", label: "English", default: true })),
        h("p", { id: "demo-c", class: "muted" }, t("landing.demo_caption"))),
      h("section", { class: "card", "aria-labelledby": "how-h" },
        h("h2", { id: "how-h" }, t("landing.how")),
        h("ol", {}, h("li", {}, t("landing.step1")), h("li", {}, t("landing.step2")), h("li", {}, t("landing.step3"))))),
  );
  const pricing = await get("/studio/pricing");
  const plans = pricing.plans.map((p) =>
    h("li", { class: "card" },
      h("h3", {}, p.name[0].toUpperCase() + p.name.slice(1)),
      h("p", { class: "price" }, p.usd_cents ? t("landing.per_month", { price: money(p.usd_cents, lang) }) : t("landing.free")),
      h("ul", {},
        h("li", {}, p.monthly_credits === null ? t("landing.unlimited") : t("landing.plan_credits", { n: p.monthly_credits })),
        h("li", {}, t("landing.plan_length", { n: p.max_seconds })),
        h("li", {}, t("landing.plan_size", { n: p.max_long_side })),
        h("li", {}, p.watermark ? t("landing.watermark") : t("landing.no_watermark")))),
  );
  append(
    root,
    h("section", { "aria-labelledby": "plans-h" },
      h("h2", { id: "plans-h" }, t("landing.plans")),
      h("p", { class: "muted" }, t("landing.credit_rule")),
      h("ul", { class: "grid four plain-list" }, plans),
      h("h3", {}, t("landing.packs")),
      h("ul", {}, pricing.packs.map((p) => h("li", {}, t("landing.pack", { n: p.credits, price: money(p.usd_cents, lang) }))))),
  );
}
