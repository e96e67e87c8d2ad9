// YouTube: connect a channel (Google's consent, back here with ?youtube=connected),
// publish a finished film with its metadata, schedule, playlist and thumbnail and follow
// the upload, turn auto-publish on per project, and the past uploads.
import { h, append, replace, notice, field, toast, when } from "../dom.js";
import { get, post, put, del, explain } from "../api.js";

const FINAL = ["published", "failed"];

export default async function render({ root, t, lang, query, alive }) {
  append(root, h("h1", {}, t("youtube.title")));
  const back = query.get("youtube");
  if (back === "connected") append(root, notice(t("youtube.connected_now", { channel: query.get("channel") || "" }), "ok"));
  if (back === "error") append(root, notice(t("youtube.connect_failed", { message: query.get("message") || "" })));

  const status = await get("/youtube/status");
  const connection = status.connection;
  if (!status.plan_allows) {
    append(root, notice(t("youtube.needs_plan"), "info"), h("a", { class: "btn", href: "/credits", "data-link": "" }, t("nav.credits")));
    await drawUploads(root, t, lang);
    return;
  }
  const connectOut = h("div", { role: "status", "aria-live": "polite" });
  const connect = h("button", { type: "button", id: "connect" }, connection ? t("youtube.reconnect") : t("youtube.connect"));
  connect.addEventListener("click", async () => {
    try {
      const start = await get("/youtube/auth");
      location.assign(start.authorization_url);
    } catch (error) {
      replace(connectOut, notice(explain(error)));
    }
  });
  const disconnect = h("button", { type: "button", class: "secondary" }, t("youtube.disconnect"));
  disconnect.addEventListener("click", async () => {
    if (!confirm(t("youtube.disconnect_confirm"))) return;
    try { await del("/youtube/connection"); location.reload(); } catch (error) { replace(connectOut, notice(explain(error))); }
  });
  append(root, h("section", { class: "card", "aria-labelledby": "yt-ch" },
    h("h2", { id: "yt-ch" }, t("youtube.channel")),
    connection
      ? h("p", { "data-testid": "channel" }, t("youtube.connected", { channel: connection.channel_title || connection.channel_id, when: when(connection.connected_at, lang) }))
      : h("p", {}, t("youtube.not_connected")),
    connection && connection.status === "reauth" ? notice(t("youtube.reauth")) : null,
    h("div", { class: "row" }, connect, connection ? disconnect : null), connectOut));
  if (!connection) {
    await drawUploads(root, t, lang);
    return;
  }

  // --- publish a film --------------------------------------------------------------------
  const [jobs, projects] = await Promise.all([get("/jobs?status=completed&limit=50"), get("/projects?limit=100")]);
  const titles = Object.fromEntries(projects.items.map((p) => [p.id, p.title]));
  const film = h("select", { id: "yt-film", required: true },
    jobs.items.map((j) => h("option", { value: j.id, "data-project": j.project_id },
      `${titles[j.project_id] || j.project_id} · ${when(j.completed_at, lang)}`)));
  const title = h("input", { type: "text", id: "yt-title", maxlength: "100" });
  const description = h("textarea", { id: "yt-description", maxlength: "5000", rows: "4" });
  const tags = h("input", { type: "text", id: "yt-tags" });
  const privacy = h("select", { id: "yt-privacy" }, ["private", "unlisted", "public"].map((p) => h("option", { value: p }, t(`youtube.privacy_${p}`))));
  const schedule = h("input", { type: "datetime-local", id: "yt-schedule" });
  const playlist = h("input", { type: "text", id: "yt-playlist", maxlength: "150", list: "yt-playlists" });
  const playlistList = h("datalist", { id: "yt-playlists" });
  const createPlaylist = h("input", { type: "checkbox", id: "yt-create-playlist" });
  const thumbnail = h("select", { id: "yt-thumbnail" });
  const auto = h("input", { type: "checkbox", id: "yt-auto" });
  const publishOut = h("div", { role: "status", "aria-live": "polite", id: "yt-progress" });
  get("/youtube/playlists").then((lists) => replace(playlistList, lists.map((p) => h("option", { value: p.title })))).catch(() => null);

  async function filmChanged() {
    const option = film.selectedOptions[0];
    if (!option) return;
    const projectId = option.dataset.project;
    title.placeholder = titles[projectId] || "";
    const assets = await get(`/projects/${projectId}/assets`).catch(() => []);
    replace(thumbnail,
      h("option", { value: "render" }, t("youtube.thumb_render")),
      h("option", { value: "none" }, t("youtube.thumb_none")),
      assets.filter((a) => a.kind === "image").map((a) => h("option", { value: a.name }, a.name)));
    const current = await get(`/youtube/autopublish/${projectId}`).catch(() => ({ enabled: false }));
    auto.checked = current.enabled;
  }
  film.addEventListener("change", filmChanged);

  function options() {
    const body = {
      description: description.value,
      tags: tags.value.split(",").map((x) => x.trim()).filter(Boolean),
      privacy: privacy.value,
      thumbnail: thumbnail.value || "render",
    };
    if (schedule.value) body.publish_at = new Date(schedule.value).toISOString();
    if (playlist.value.trim()) {
      body.playlist = playlist.value.trim();
      body.create_playlist = createPlaylist.checked;
    }
    return body;
  }

  auto.addEventListener("change", async () => {
    const projectId = film.selectedOptions[0] && film.selectedOptions[0].dataset.project;
    if (!projectId) return;
    try {
      if (auto.checked) await put(`/youtube/autopublish/${projectId}`, options());
      else await del(`/youtube/autopublish/${projectId}`);
      replace(publishOut);
      toast(auto.checked ? t("youtube.auto_on") : t("youtube.auto_off"));
    } catch (error) {
      auto.checked = !auto.checked;
      replace(publishOut, notice(explain(error)));
    }
  });

  const submit = h("button", { type: "submit", id: "yt-publish", disabled: !jobs.items.length }, t("youtube.publish"));
  const form = h("form", { class: "card", "aria-labelledby": "yt-pub", on: { submit: async (e) => {
    e.preventDefault();
    submit.disabled = true;
    try {
      const upload = await post("/youtube/upload", { job_id: film.value, title: title.value.trim() || null, ...options() });
      await follow(upload);
    } catch (error) {
      replace(publishOut, notice(explain(error)));
    } finally {
      submit.disabled = false;
    }
  } } },
  h("h2", { id: "yt-pub" }, t("youtube.publish_film")),
  jobs.items.length ? null : notice(t("youtube.no_films"), "info"),
  field(t("youtube.film"), film),
  field(t("youtube.video_title"), title, t("youtube.title_hint")),
  field(t("youtube.description"), description),
  field(t("youtube.tags"), tags, t("youtube.tags_hint")),
  h("div", { class: "row" }, field(t("youtube.privacy"), privacy), field(t("youtube.schedule"), schedule, t("youtube.schedule_hint"))),
  h("div", { class: "row" }, field(t("youtube.playlist"), playlist), playlistList,
    h("div", { class: "check" }, createPlaylist, h("label", { for: "yt-create-playlist" }, t("youtube.create_playlist")))),
  field(t("youtube.thumbnail"), thumbnail),
  h("div", { class: "check" }, auto, h("label", { for: "yt-auto" }, t("youtube.auto"))),
  submit, publishOut);
  append(root, form);
  await filmChanged();

  async function follow(upload) {
    const bar = h("progress", { max: "100", value: String(upload.progress), "aria-label": t("youtube.progress") });
    const line = h("p", {}, t(`youtube.status_${upload.status}`));
    replace(publishOut, line, bar);
    while (alive() && !FINAL.includes(upload.status)) {
      await new Promise((r) => setTimeout(r, 700));
      upload = await get(`/youtube/uploads/${upload.id}`);
      bar.value = upload.progress;
      line.textContent = `${t(`youtube.status_${upload.status}`)}${upload.current_step ? ` · ${upload.current_step}` : ""}`;
    }
    if (upload.status === "published") {
      replace(publishOut, notice(t("youtube.published"), "ok"),
        upload.url ? h("a", { href: upload.url, rel: "noopener noreferrer", target: "_blank", "data-testid": "video-link" }, upload.url) : null);
    } else if (upload.status === "failed") {
      replace(publishOut, notice(upload.error_message || t("youtube.status_failed")));
    }
    await drawUploads(uploadsBox, t, lang);
  }

  const uploadsBox = h("div");
  append(root, uploadsBox);
  await drawUploads(uploadsBox, t, lang);
}

async function drawUploads(box, t, lang) {
  const page = await get("/youtube/uploads?limit=20");
  const section = h("section", { "aria-labelledby": "yt-past", id: "yt-uploads" },
    h("h2", { id: "yt-past" }, t("youtube.past")),
    page.items.length ? h("div", { class: "table-wrap", tabindex: "0" }, h("table", { class: "wide" },
      h("thead", {}, h("tr", {}, ["when", "title", "status", "video"].map((c) => h("th", { scope: "col" }, t(`youtube.col_${c}`))))),
      h("tbody", {}, page.items.map((u) => h("tr", {},
        h("td", {}, when(u.created_at, lang)),
        h("td", {}, (u.request && u.request.title) || ""),
        h("td", {}, h("span", { class: `status ${u.status === "published" ? "succeeded" : u.status}` }, t(`youtube.status_${u.status}`)), u.automatic ? ` ${t("youtube.automatic")}` : ""),
        h("td", {}, u.url && /^https:\/\//.test(u.url) ? h("a", { href: u.url, rel: "noopener noreferrer", target: "_blank" }, u.video_id) : (u.error_message || "")))))))
      : h("p", {}, t("youtube.no_uploads")));
  if (box.classList && box.classList.contains("page")) append(box, section);
  else replace(box, section);
}
