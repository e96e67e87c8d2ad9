// The studio's shell: reads the route table, draws the navigation, loads each page's
// module from /static/pages/ and hands it a context. A page module exports
// `default async function render(ctx)`; it may return a function to run when the user
// leaves the page (closing an event stream, say). See docs/studio.md.

import { h, replace, notice } from "./dom.js";
import { session, post, explain } from "./api.js";
import { t, lang, languages, setLanguage } from "./i18n.js";

const routes = JSON.parse(document.getElementById("routes").textContent).map((route) => ({
  ...route,
  pattern: new RegExp(`^${route.path.replace(/:([a-z_]+)/g, "(?<$1>[^/]+)")}/?$`),
}));
const main = document.getElementById("main");
const nav = document.getElementById("nav");
let user = null;
let leave = null;
let generation = 0;

function match(pathname) {
  for (const route of routes) {
    const found = route.pattern.exec(pathname);
    if (found) return { route, params: { ...(found.groups || {}) } };
  }
  return null;
}

/** Go to `url` inside the site without reloading. */
export function navigate(url, { replace: swap = false } = {}) {
  if (swap) history.replaceState(null, "", url);
  else history.pushState(null, "", url);
  show();
}

function drawNav() {
  const here = location.pathname;
  const links = routes.filter((r) => {
    if (!r.nav) return false;
    if (r.nav === "all") return true;
    if (r.nav === "out") return !user && r.path !== "/";
    if (r.nav === "admin") return user && user.role === "admin";
    return Boolean(user);
  });
  const items = links.map((r) =>
    h("li", {}, h("a", { href: r.path, "data-link": "", "aria-current": here === r.path ? "page" : null }, t(r.title))),
  );
  if (user) {
    items.push(h("li", {}, h("button", { type: "button", class: "linklike", on: { click: signOut } }, t("nav.logout"))));
  }
  replace(nav, h("ul", {}, items));
}

async function signOut() {
  try {
    await post("/session/logout");
  } catch (error) {
    console.warn(explain(error));
  }
  user = null;
  navigate("/");
}

function drawLanguages() {
  const select = h(
    "select",
    { id: "language", on: { change: (e) => setLanguage(e.target.value) } },
    languages.map((code) => h("option", { value: code, selected: code === lang }, t(`lang.${code}`))),
  );
  replace(document.getElementById("lang-switch"), h("label", { for: "language", class: "sr" }, t("nav.language")), select);
}

async function show() {
  const mine = ++generation;
  if (leave) {
    try { leave(); } catch (error) { console.warn(error); }
    leave = null;
  }
  const found = match(location.pathname);
  drawNav();
  if (!found) {
    document.title = `${t("notfound.title")} · aifilm`;
    replace(main, h("h1", {}, t("notfound.title")), h("p", {}, t("notfound.body")), h("a", { href: "/", "data-link": "" }, t("nav.home")));
    return;
  }
  const { route, params } = found;
  if (route.auth && !user) {
    navigate(`/login?next=${encodeURIComponent(location.pathname + location.search)}`, { replace: true });
    return;
  }
  if (route.admin && user.role !== "admin") {
    replace(main, h("h1", {}, t("admin.refused")));
    return;
  }
  if (!route.auth && user && (route.path === "/login" || route.path === "/signup")) {
    navigate("/dashboard", { replace: true });
    return;
  }
  document.title = `${t(route.title)} · aifilm`;
  replace(main, h("p", { class: "loading" }, t("common.loading")));
  try {
    const module = await import(`./pages/${route.module}.js`);
    if (mine !== generation) return;
    const root = h("div", { class: `page page-${route.module}` });
    replace(main, root);
    const ctx = {
      root,
      params,
      query: new URLSearchParams(location.search),
      user,
      t,
      lang,
      navigate,
      setUser: (u) => { user = u; ctx.user = u; drawNav(); },
      setTitle: (text) => { document.title = `${text} · aifilm`; },
      alive: () => mine === generation,
    };
    const cleanup = await module.default(ctx);
    root.dataset.ready = "1"; // tests and benchmarks wait for this
    if (typeof cleanup === "function") {
      if (mine === generation) leave = cleanup;
      else cleanup();
    }
  } catch (error) {
    console.error(error);
    if (mine === generation) replace(main, h("h1", {}, t("common.error")), notice(explain(error)));
  }
  // After a navigation, focus goes to the new content (screen readers announce it); not on
  // the first load, where Tab must reach the skip link first.
  if (mine === generation && mine > 1) main.focus({ preventScroll: true });
}

document.addEventListener("click", (event) => {
  const link = event.target.closest("a[data-link]");
  if (!link || event.ctrlKey || event.metaKey || event.shiftKey || event.button !== 0) return;
  const url = new URL(link.href, location.href);
  if (url.origin !== location.origin) return;
  event.preventDefault();
  document.body.classList.remove("nav-open");
  navigate(url.pathname + url.search + url.hash);
});
window.addEventListener("popstate", show);

const toggle = document.querySelector(".menu-toggle");
toggle.addEventListener("click", () => {
  const open = document.body.classList.toggle("nav-open");
  toggle.setAttribute("aria-expanded", String(open));
});
document.querySelector(".skip").textContent = t("nav.skip");
toggle.querySelector(".sr").textContent = t("nav.menu");
nav.setAttribute("aria-label", t("nav.main"));

async function boot() {
  drawLanguages();
  try {
    user = (await session()).user;
  } catch (error) {
    console.warn(explain(error));
  }
  document.body.dataset.ready = "1";
  await show();
}
boot();
