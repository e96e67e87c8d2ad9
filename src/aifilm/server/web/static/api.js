// Calls to the server's /api. The browser's session lives in HttpOnly cookies the page
// cannot read; state-changing calls copy the aifilm_csrf cookie into X-CSRF-Token (the
// server refuses them without it). Nothing is kept in localStorage.

export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

export function csrfToken() {
  const match = document.cookie.match(/(?:^|;\s*)aifilm_csrf=([^;]+)/);
  return match ? decodeURIComponent(match[1]) : "";
}

async function problemOf(response) {
  try {
    return await response.json();
  } catch {
    return { detail: `${response.status} ${response.statusText}` };
  }
}

/** The session: {user, csrf_token}; renews an expired access cookie from the refresh one. */
export async function session() {
  const response = await fetch("/api/session", { credentials: "same-origin" });
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  return response.json();
}

/** api("POST", "/projects", {spec}) -> parsed JSON (null for 204); throws ApiError. */
export async function api(method, path, body, { retry = true, raw = false } = {}) {
  const headers = { Accept: "application/json" };
  let payload;
  if (body instanceof FormData) {
    payload = body;
  } else if (body !== undefined) {
    headers["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  if (method !== "GET" && method !== "HEAD") headers["X-CSRF-Token"] = csrfToken();
  const response = await fetch(`/api${path}`, {
    method,
    headers,
    body: payload,
    credentials: "same-origin",
  });
  if (response.status === 401 && retry) {
    const renewed = await session().catch(() => null);
    if (renewed && renewed.user) return api(method, path, body, { retry: false, raw });
  }
  if (!response.ok) throw new ApiError(response.status, await problemOf(response));
  if (raw) return response;
  if (response.status === 204) return null;
  return response.json();
}

export const get = (path) => api("GET", path);
export const post = (path, body) => api("POST", path, body ?? {});
export const patch = (path, body) => api("PATCH", path, body);
export const del = (path) => api("DELETE", path);

/** Upload with progress (fetch cannot report it): resolves to the parsed answer. */
export function upload(path, formData, onProgress) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open("POST", `/api${path}`);
    xhr.setRequestHeader("X-CSRF-Token", csrfToken());
    xhr.setRequestHeader("Accept", "application/json");
    xhr.upload.onprogress = (e) => e.lengthComputable && onProgress && onProgress(e.loaded / e.total);
    xhr.onload = () => {
      let data = {};
      try { data = JSON.parse(xhr.responseText || "{}"); } catch { data = { detail: xhr.statusText }; }
      if (xhr.status >= 200 && xhr.status < 300) resolve(data);
      else reject(new ApiError(xhr.status, data));
    };
    xhr.onerror = () => reject(new ApiError(0, { detail: "the upload failed: no connection" }));
    xhr.send(formData);
  });
}

/** A readable sentence from an error (the server's problem detail, else the message). */
export function explain(error) {
  if (error instanceof ApiError) {
    const problem = error.problem || {};
    const errors = problem.errors || [];
    if (errors.length) {
      return errors.map((e) => `${(e.loc || []).filter((p) => p !== "body").join(".")}: ${e.msg}`).join("; ");
    }
    return problem.detail || error.message;
  }
  return String(error && error.message ? error.message : error);
}
export const put = (path, body) => api("PUT", path, body);
