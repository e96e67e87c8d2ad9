// A project: its script, pictures, voices and music, the plan and its cost, renders with
// live progress (the job's event stream), the film with subtitles, downloads, delete.
import { h, append, replace, notice, field, toast, bytes, when } from "../dom.js";
import { get, post, patch, del, upload, explain } from "../api.js";
import { editor } from "../editor.js";
import { statusBadge } from "./dashboard.js";

const ACTIVE = ["queued", "running"];

export default async function render({ root, t, lang, params, navigate, setTitle, alive }) {
  const id = params.id;
  let project = await get(`/projects/${id}`);
  const catalogue = await get("/studio/catalogue");
  let stream = null;
  setTitle(project.title);

  const heading = h("h1", {}, project.title);
  const badge = h("span", {}, statusBadge(t, project.status));

  // --- script -----------------------------------------------------------------------
  const saveErrors = h("div");
  const save = h("button", { type: "button", id: "save" }, t("project.save"));
  const script = editor({ format: "yaml", text: project.spec, formats: false, onResult: (a) => { save.disabled = !a.ok; } });
  save.addEventListener("click", async () => {
    saveErrors.replaceChildren();
    try {
      project = await patch(`/projects/${id}`, { spec: script.value() });
      heading.textContent = project.title;
      setTitle(project.title);
      toast(t("project.saved"));
      drawMissing();
      await refreshPlan();
    } catch (error) {
      saveErrors.append(notice(explain(error)));
    }
  });
  const scriptSection = h("details", { class: "card" },
    h("summary", {}, t("project.edit")), script.element, saveErrors, save);

  // --- uploads ----------------------------------------------------------------------
  const missing = h("div", { id: "missing" });
  const assetList = h("ul", { class: "plain-list", "aria-label": t("project.uploads") });
  const fileInput = h("input", { type: "file", id: "files", multiple: true, accept: "image/*,audio/*", class: "sr" });
  const drop = h("div", { class: "drop", id: "drop" },
    h("p", {}, t("project.drop")),
    h("label", { for: "files", class: "btn secondary" }, t("project.choose")), fileInput);
  const uploadOut = h("div", { role: "status", "aria-live": "polite" });

  function drawMissing() {
    replace(missing, project.missing_assets.length
      ? notice(t("project.missing", { files: project.missing_assets.join(", ") }), "info") : null);
  }
  async function drawAssets() {
    const assets = await get(`/projects/${id}/assets`);
    replace(assetList, assets.map((a) => h("li", {}, h("span", {}, a.name), " ", h("span", { class: "muted" }, `(${bytes(a.size)})`))));
  }
  async function sendFiles(files) {
    for (const file of files) {
      // A file the spec asks for by its base name takes that path; others go under images/.
      const wanted = project.missing_assets.find((m) => m.split("/").pop() === file.name);
      const name = wanted || `images/${file.name}`;
      const form = new FormData();
      form.append("file", file);
      form.append("name", name);
      const line = h("p", {}, `${file.name}…`);
      uploadOut.append(line);
      try {
        await upload(`/projects/${id}/assets`, form, (p) => { line.textContent = `${file.name} ${Math.round(p * 100)}%`; });
        replace(line, notice(t("project.uploaded", { name }), "ok"));
      } catch (error) {
        replace(line, notice(`${file.name}: ${explain(error)}`));
      }
    }
    project = await get(`/projects/${id}`);
    drawMissing();
    await drawAssets();
    renderButton.disabled = !planned || project.missing_assets.length > 0;
  }
  fileInput.addEventListener("change", () => sendFiles([...fileInput.files]));
  drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
  drop.addEventListener("dragleave", () => drop.classList.remove("over"));
  drop.addEventListener("drop", (e) => {
    e.preventDefault();
    drop.classList.remove("over");
    sendFiles([...e.dataTransfer.files]);
  });
  const uploadSection = h("section", { class: "card", "aria-labelledby": "up-h" },
    h("h2", { id: "up-h" }, t("project.uploads")), missing, drop, uploadOut, assetList);

  // --- voices and music -------------------------------------------------------------
  const voicesBox = h("div", { id: "voices" });
  const player = h("audio", { id: "preview-audio", controls: true, hidden: true, preload: "none" });
  function previewButton(url, label) {
    return h("button", { type: "button", class: "secondary", "aria-label": label, on: { click: () => {
      player.hidden = false;
      player.src = url;
      player.play().catch(() => {});
    } } }, t("project.preview"));
  }
  const genre = h("select", { id: "genre", name: "genre" },
    h("option", { value: "" }, "—"),
    catalogue.genres.map((g) => h("option", { value: g.id }, `${g.id}: ${g.description}`)));
  const choicesOut = h("div");
  const saveChoices = h("button", { type: "button", id: "save-choices" }, t("common.save"));
  function drawVoices(cast) {
    const current = yamlMusicGenre(project.spec);
    genre.value = current || "";
    replace(voicesBox, cast.map((role, i) => {
      const select = h("select", { id: `voice-${i}`, "data-character": role.name },
        catalogue.voices.map((v) => h("option", { value: v.id, selected: v.id === role.voice }, `${v.id}: ${v.description}`)));
      return h("div", { class: "row" },
        field(t("project.voice_for", { name: role.name }), select),
        previewButton(`/api/studio/voices/${encodeURIComponent(role.voice)}/preview?language=${encodeURIComponent(lang)}`,
          `${t("project.preview")}: ${role.name}`));
    }));
    for (const select of voicesBox.querySelectorAll("select")) {
      const button = select.closest(".row").querySelector("button");
      select.addEventListener("change", () => {
        const fresh = previewButton(`/api/studio/voices/${encodeURIComponent(select.value)}/preview`, `${t("project.preview")}: ${select.dataset.character}`);
        button.replaceWith(fresh);
      });
    }
  }
  saveChoices.addEventListener("click", async () => {
    choicesOut.replaceChildren();
    const voices = {};
    for (const select of voicesBox.querySelectorAll("select")) voices[select.dataset.character] = select.value;
    try {
      project = await post(`/studio/projects/${id}/choices`, { voices, music_genre: genre.value || null });
      script.set(project.spec);
      toast(t("project.saved"));
      await refreshPlan();
    } catch (error) {
      choicesOut.append(notice(explain(error)));
    }
  });
  const musicPreview = h("span");
  genre.addEventListener("change", () => replace(musicPreview,
    genre.value ? previewButton(`/api/studio/music/${encodeURIComponent(genre.value)}/preview`, `${t("project.preview")}: ${genre.value}`) : null));
  const castSection = h("section", { class: "card", "aria-labelledby": "cast-h" },
    h("h2", { id: "cast-h" }, t("project.voices")), voicesBox,
    h("h3", {}, t("project.music")),
    h("div", { class: "row" }, field(t("project.music_genre"), genre), musicPreview),
    player, choicesOut, saveChoices);

  // --- plan and render --------------------------------------------------------------
  const length = h("input", { type: "number", id: "length", name: "length", min: 10, max: 600, step: 1, inputmode: "numeric" });
  const previewQuality = h("input", { type: "checkbox", id: "preview-quality", checked: true });
  const planOut = h("div", { id: "plan", "aria-live": "polite" });
  const cost = h("p", { id: "cost", class: "price", "aria-live": "polite" });
  const renderButton = h("button", { type: "button", id: "render", disabled: true }, t("project.render", { n: "…" }));
  const renderErrors = h("div");
  let planned = null;
  let planTimer = null;

  async function refreshPlan() {
    const seconds = length.value ? Number(length.value) : null;
    try {
      planned = await post("/studio/plan", { spec: project.spec, length_seconds: seconds });
    } catch (error) {
      planned = null;
      replace(planOut, notice(explain(error)));
      renderButton.disabled = true;
      return;
    }
    cost.textContent = t("new.cost", { n: planned.credits });
    replace(renderButton, t("project.render", { n: planned.credits }));
    renderButton.disabled = project.missing_assets.length > 0;
    if (!length.value) length.placeholder = String(planned.length_seconds);
    drawVoices(planned.cast);
    replace(planOut,
      h("dl", { class: "kv" },
        h("dt", {}, t("project.duration")), h("dd", {}, t("common.seconds", { n: planned.length_seconds })),
        h("dt", {}, t("project.shots")), h("dd", {}, String(planned.shots.length)),
        h("dt", {}, t("project.estimate")), h("dd", {}, t("common.seconds", { n: Math.round(planned.estimated_render_seconds) })),
        h("dt", {}, t("project.cost")), h("dd", {}, String(planned.credits))),
      planned.warnings.map((w) => notice(w, "info")),
      h("div", { class: "table-wrap", tabindex: 0 }, h("table", {},
        h("caption", { class: "sr" }, t("project.plan")),
        h("thead", {}, h("tr", {}, ["shot_col", "start_col", "length_col", "lines_col"].map((c) => h("th", { scope: "col" }, t(`project.${c}`))))),
        h("tbody", {}, planned.shots.map((s) => h("tr", {},
          h("td", {}, s.id), h("td", {}, s.start.toFixed(1)), h("td", {}, s.duration.toFixed(1)),
          h("td", {}, s.lines.map((l) => h("div", {}, `${l.speaker}: ${l.text}`)))))))));
  }
  length.addEventListener("input", () => { clearTimeout(planTimer); planTimer = setTimeout(refreshPlan, 300); });
  renderButton.addEventListener("click", async () => {
    renderErrors.replaceChildren();
    renderButton.disabled = true;
    try {
      const job = await post("/jobs", {
        project_id: id,
        length_seconds: planned ? planned.length_seconds : null,
        options: { preview: previewQuality.checked },
      });
      follow(job);
    } catch (error) {
      renderErrors.append(notice(explain(error)));
      renderButton.disabled = false;
    }
  });
  const planSection = h("section", { class: "card", "aria-labelledby": "plan-h" },
    h("h2", { id: "plan-h" }, t("project.plan")),
    field(t("new.length"), length, t("new.length_hint")),
    cost, planOut,
    h("div", { class: "row" }, previewQuality, h("label", { for: "preview-quality" }, t("project.preview_quality"))),
    renderErrors, renderButton);

  // --- renders ----------------------------------------------------------------------
  const jobBox = h("section", { class: "card", id: "job", "aria-labelledby": "job-h" }, h("h2", { id: "job-h" }, t("project.renders")));

  function stageList(current, done) {
    return h("ol", { class: "stages", "aria-label": t("project.progress") }, catalogue.stages.map((stage) => {
      const state = done.has(stage) ? "done" : stage === current ? "now" : "";
      return h("li", { class: state, "data-stage": stage },
        h("span", {}, stage), h("span", { class: "muted" }, state === "done" ? "✓" : state === "now" ? "…" : ""));
    }));
  }

  function drawFinished(job) {
    const film = job.files.find((f) => f.name.endsWith(".mp4"));
    const tracks = job.files.filter((f) => f.name.endsWith(".vtt"));
    const url = (f) => `/api/jobs/${job.id}/files/${encodeURIComponent(f.name)}`;
    const out = [];
    if (film) {
      out.push(h("h3", {}, t("project.film")),
        h("video", { controls: true, preload: "metadata", src: url(film), id: "film" },
          tracks.map((f, i) => {
            const code = (f.name.match(/\.([a-z]{2,3})\.vtt$/) || [null, "en"])[1];
            return h("track", { kind: "subtitles", src: url(f), srclang: code, label: code, default: i === 0 });
          }),
          t("project.no_video")));
    }
    const wanted = job.files.filter((f) => /\.(mp4|srt|vtt|png|jpg)$/.test(f.name));
    out.push(h("h3", {}, t("project.downloads")), h("ul", { class: "plain-list downloads" },
      wanted.map((f) => h("li", {}, h("a", { href: url(f), download: f.name }, t("project.download", { name: f.name })), " ",
        h("span", { class: "muted" }, `(${bytes(f.size)})`)))));
    return out;
  }

  function drawJob(job, live = {}) {
    const done = live.done || new Set();
    const parts = [h("p", {}, statusBadge(t, job.status), " ", h("span", { class: "muted" }, when(job.created_at, lang)))];
    if (ACTIVE.includes(job.status)) {
      parts.push(
        h("progress", { max: 1, value: job.progress || 0, "aria-label": t("project.progress") }),
        stageList(job.current_step, done),
        h("button", { type: "button", class: "danger", id: "cancel", on: { click: async () => {
          try { await post(`/jobs/${job.id}/cancel`); } catch (error) { toast(explain(error)); }
        } } }, t("project.cancel")));
    }
    if (job.error_message) parts.push(notice(job.error_message));
    if (job.status === "completed") parts.push(...drawFinished(job));
    if (live.log) parts.push(h("h3", {}, t("project.log")), live.log);
    replace(jobBox, h("h2", { id: "job-h" }, t("project.renders")), parts);
  }

  function follow(job) {
    if (stream) stream.close();
    const done = new Set();
    const log = h("pre", { class: "log", tabindex: 0, "aria-label": t("project.log") });
    let current = job;
    drawJob(current, { done, log });
    // One poll a second on the server, as a polling client costs (benchmarks/bench_studio.py).
    stream = new EventSource(`/api/jobs/${job.id}/events?interval=1`);
    stream.addEventListener("log", (e) => {
      const line = JSON.parse(e.data);
      const finished = /^(\w+) finish$/.exec(line.message);
      if (finished) done.add(finished[1]);
      log.append(`${line.at.slice(11, 19)} ${line.level} ${line.message}\n`);
      log.scrollTop = log.scrollHeight;
    });
    stream.addEventListener("progress", (e) => {
      const status = JSON.parse(e.data);
      current = { ...current, ...status };
      const shown = { queued: "queued", running: "processing" }[status.status];
      if (shown) replace(badge, statusBadge(t, shown));
      for (const stage of catalogue.stages) {
        if (stage === status.current_step) break;
        if (status.current_step) done.add(stage);
      }
      drawJob(current, { done, log });
    });
    stream.addEventListener("end", async () => {
      stream.close();
      stream = null;
      if (!alive()) return;
      const [fresh] = await get(`/studio/projects/${id}/jobs`);
      project = await get(`/projects/${id}`);
      replace(badge, statusBadge(t, project.status));
      drawJob(fresh, { done: new Set(catalogue.stages), log });
      renderButton.disabled = false;
      replace(renderButton, t("project.render_again"));
      jobBox.dataset.final = fresh.status;
    });
    stream.onerror = () => { if (stream && stream.readyState === EventSource.CLOSED) stream = null; };
  }

  // --- delete -----------------------------------------------------------------------
  const remove = h("button", { type: "button", class: "danger", id: "delete" }, t("project.delete"));
  remove.addEventListener("click", async () => {
    if (!window.confirm(t("project.delete_confirm"))) return;
    try {
      await del(`/projects/${id}`);
      toast(t("project.deleted"));
      navigate("/dashboard");
    } catch (error) {
      toast(explain(error));
    }
  });

  append(root, h("div", { class: "row" }, heading, badge), scriptSection, uploadSection, castSection, planSection, jobBox, remove);
  drawMissing();
  await drawAssets();
  await refreshPlan();
  const jobs = await get(`/studio/projects/${id}/jobs`);
  if (jobs.length) {
    if (ACTIVE.includes(jobs[0].status)) follow(jobs[0]);
    else {
      drawJob(jobs[0]);
      jobBox.dataset.final = jobs[0].status;
      replace(renderButton, t("project.render_again"));
    }
  }
  return () => { if (stream) stream.close(); };
}

/** The music genre a project.yaml names (a light read: `genre:` under `music:`). */
function yamlMusicGenre(spec) {
  const inline = /^music:\s*\{[^}]*genre:\s*([\w-]+)/m.exec(spec);
  if (inline) return inline[1];
  const block = /^music:\s*\n((?:[ \t]+.*\n?)*)/m.exec(spec);
  if (!block) return null;
  const found = /genre:\s*([\w-]+)/.exec(block[1]);
  return found ? found[1] : null;
}
