// The site's words: the server puts the user's language (with English filling any gaps)
// into the page as a JSON block; t("key", {name}) looks a key up and fills {name}.

const strings = JSON.parse(document.getElementById("strings").textContent);
export const languages = JSON.parse(document.getElementById("languages").textContent);
export const lang = document.documentElement.lang || "en";

export function t(key, vars = {}) {
  // "key_one" (when present) is the singular: "1 credit", not "1 credits".
  const one = vars.n === 1 || vars.n === "1" ? strings[`${key}_one`] : undefined;
  const text = one ?? strings[key] ?? key;
  return text.replace(/\{(\w+)\}/g, (_, name) => (name in vars ? String(vars[name]) : `{${name}}`));
}

/** Switch language: remembered in a cookie, the page reloads in it. */
export function setLanguage(code) {
  document.cookie = `aifilm_lang=${encodeURIComponent(code)}; path=/; max-age=31536000; samesite=lax`;
  location.reload();
}
