// Settings: profile, password, signed-in sessions, API keys (the key shown once, at its
// creation), and deleting the account with everything it owns.
import { h, append, replace, notice, field, toast, when } from "../dom.js";
import { get, post, patch, del, explain } from "../api.js";

export default async function render({ root, t, lang, user, setUser, navigate }) {
  append(root, h("h1", {}, t("settings.title")));

  // --- profile ------------------------------------------------------------------------
  const name = h("input", { type: "text", id: "s-name", value: user.full_name || "", maxlength: "255", autocomplete: "name" });
  const email = h("input", { type: "email", id: "s-email", value: user.email, autocomplete: "email", required: true });
  const current = h("input", { type: "password", id: "s-current", autocomplete: "current-password" });
  const profileOut = h("div", { role: "status", "aria-live": "polite" });
  append(root, h("form", { class: "card", "aria-labelledby": "s-profile", on: { submit: async (e) => {
    e.preventDefault();
    const body = { full_name: name.value };
    if (email.value.trim().toLowerCase() !== user.email) {
      body.email = email.value;
      body.current_password = current.value;
    }
    try {
      const updated = await patch("/users/me", body);
      setUser({ ...user, ...updated });
      replace(profileOut, notice(t("settings.saved"), "ok"));
    } catch (error) {
      replace(profileOut, notice(explain(error)));
    }
  } } },
  h("h2", { id: "s-profile" }, t("settings.profile")),
  field(t("common.name"), name),
  field(t("common.email"), email, t("settings.email_hint")),
  field(t("settings.current_password"), current),
  h("button", { type: "submit" }, t("common.save")), profileOut));

  // --- password -----------------------------------------------------------------------
  const old = h("input", { type: "password", id: "p-old", autocomplete: "current-password", required: true });
  const fresh = h("input", { type: "password", id: "p-new", autocomplete: "new-password", minlength: "8", required: true });
  const passwordOut = h("div", { role: "status", "aria-live": "polite" });
  append(root, h("form", { class: "card", "aria-labelledby": "s-pass", on: { submit: async (e) => {
    e.preventDefault();
    try {
      await patch("/users/me", { password: fresh.value, current_password: old.value });
      old.value = fresh.value = "";
      replace(passwordOut, notice(t("settings.password_changed"), "ok"));
      await drawSessions();
    } catch (error) {
      replace(passwordOut, notice(explain(error)));
    }
  } } },
  h("h2", { id: "s-pass" }, t("settings.password")),
  field(t("settings.current_password"), old),
  field(t("settings.new_password"), fresh, t("signup.password_hint")),
  h("button", { type: "submit" }, t("settings.change_password")), passwordOut));

  // --- sessions -----------------------------------------------------------------------
  const sessionsOut = h("div", { "aria-live": "polite" });
  const others = h("button", { type: "button", class: "secondary", id: "sign-out-others" }, t("settings.sign_out_others"));
  others.addEventListener("click", async () => {
    try { await del("/users/me/sessions"); toast(t("settings.signed_out_others")); await drawSessions(); } catch (error) { sessionsOut.prepend(notice(explain(error))); }
  });
  async function drawSessions() {
    const sessions = await get("/users/me/sessions");
    replace(sessionsOut, h("div", { class: "table-wrap", tabindex: "0" }, h("table", { id: "sessions", class: "wide" },
      h("thead", {}, h("tr", {}, ["signed_in", "active", "expires", "actions"].map((c) => h("th", { scope: "col" }, t(`settings.col_${c}`))))),
      h("tbody", {}, sessions.map((s) => {
        const end = s.current ? h("span", { class: "status succeeded" }, t("settings.this_session"))
          : h("button", { type: "button", class: "secondary", "aria-label": t("settings.sign_out_session", { when: when(s.signed_in_at, lang) }),
            on: { click: async () => {
              try { await del(`/users/me/sessions/${s.id}`); await drawSessions(); } catch (error) { sessionsOut.prepend(notice(explain(error))); }
            } } }, t("settings.sign_out"));
        return h("tr", {}, h("td", {}, when(s.signed_in_at, lang)), h("td", {}, when(s.last_active_at, lang)), h("td", {}, when(s.expires_at, lang)), h("td", {}, end));
      })))));
  }
  append(root, h("section", { class: "card", "aria-labelledby": "s-sessions" },
    h("h2", { id: "s-sessions" }, t("settings.sessions")), h("p", { class: "muted" }, t("settings.sessions_hint")), sessionsOut, others));
  await drawSessions();

  // --- API keys -------------------------------------------------------------------------
  const keyName = h("input", { type: "text", id: "k-name", maxlength: "100", required: true, value: "" });
  const shown = h("div", { "aria-live": "polite", id: "new-key" });
  const keysOut = h("div");
  async function drawKeys() {
    const keys = await get("/users/me/api-keys");
    replace(keysOut, keys.length ? h("div", { class: "table-wrap", tabindex: "0" }, h("table", { id: "api-keys", class: "wide" },
      h("thead", {}, h("tr", {}, ["name", "prefix", "created", "used", "actions"].map((c) => h("th", { scope: "col" }, t(`settings.key_${c}`))))),
      h("tbody", {}, keys.map((k) => h("tr", {},
        h("td", {}, k.name), h("td", {}, h("code", {}, `${k.prefix}…`)), h("td", {}, when(k.created_at, lang)),
        h("td", {}, k.last_used_at ? when(k.last_used_at, lang) : t("settings.never")),
        h("td", {}, h("button", { type: "button", class: "danger", "aria-label": t("settings.revoke_key", { name: k.name }), on: { click: async () => {
          if (!confirm(t("settings.revoke_confirm", { name: k.name }))) return;
          try { await del(`/users/me/api-keys/${k.id}`); replace(shown); await drawKeys(); } catch (error) { keysOut.prepend(notice(explain(error))); }
        } } }, t("settings.revoke")))))))) : h("p", {}, t("settings.no_keys")));
  }
  append(root, h("section", { class: "card", "aria-labelledby": "s-keys" },
    h("h2", { id: "s-keys" }, t("settings.api_keys")),
    h("form", { class: "row", on: { submit: async (e) => {
      e.preventDefault();
      try {
        const created = await post("/users/me/api-keys", { name: keyName.value || "default" });
        keyName.value = "";
        replace(shown, notice(t("settings.key_once"), "info"), h("p", { class: "secret", "data-testid": "api-key" }, created.key));
        await drawKeys();
      } catch (error) {
        replace(shown, notice(explain(error)));
      }
    } } }, field(t("settings.key_name"), keyName), h("button", { type: "submit" }, t("settings.create_key"))),
    shown, keysOut));
  await drawKeys();

  // --- delete the account -----------------------------------------------------------------
  const confirmInput = h("input", { type: "email", id: "d-email", autocomplete: "off", required: true });
  const deleteOut = h("div", { role: "status", "aria-live": "polite" });
  append(root, h("form", { class: "card", "aria-labelledby": "s-delete", on: { submit: async (e) => {
    e.preventDefault();
    if (confirmInput.value.trim().toLowerCase() !== user.email) {
      replace(deleteOut, notice(t("settings.delete_mismatch")));
      return;
    }
    try {
      await del("/users/me");
      await post("/session/logout").catch(() => null);
      setUser(null);
      navigate("/");
    } catch (error) {
      replace(deleteOut, notice(explain(error)));
    }
  } } },
  h("h2", { id: "s-delete" }, t("settings.delete")),
  h("p", {}, t("settings.delete_warning")),
  field(t("settings.delete_type_email", { email: user.email }), confirmInput),
  h("button", { type: "submit", class: "danger" }, t("settings.delete_submit")), deleteOut));
}
