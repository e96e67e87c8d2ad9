"""`aifilm.Client`: the hosted server's API from Python (httpx; no server packages needed).

    client = aifilm.Client("https://films.example.com", api_key="afk_...")
    result = client.render("project.yaml", "renders/", on_progress=print)
    print(result.files["video"])

Errors the server answers with (problem+json) raise `RemoteError`, carrying the status and
the problem document; a server that cannot be reached raises `ServerUnreachableError`.
"""

from __future__ import annotations

import json
import os
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
from pydantic import BaseModel

from aifilm.errors import (
    EXIT_CREDENTIALS,
    EXIT_INTERNAL,
    EXIT_QUOTA,
    ServerUnreachableError,
    UserError,
)

DEFAULT_TIMEOUT = httpx.Timeout(60.0, connect=10.0)


class RemoteError(UserError):
    """The server refused a request; `status` and `problem` say why.

    The exit code follows the status: 401 not signed in (6), 402 out of credits (5),
    5xx the server failed (1), any other refusal (403: not allowed on your plan or account)
    a problem to fix (3).
    """

    def __init__(self, status: int, problem: dict[str, Any]) -> None:
        detail = str(problem.get("detail") or problem.get("title") or f"HTTP {status}")
        hint = None
        if status == 401:
            hint = "sign in with 'aifilm login URL' or set AIFILM_API_KEY"
            self.exit_code = EXIT_CREDENTIALS
        elif status == 402:
            hint = "see 'aifilm credits' and 'aifilm billing buy'"
            self.exit_code = EXIT_QUOTA
        elif status >= 500:
            hint = "the server failed; try again later or tell its operator"
            self.exit_code = EXIT_INTERNAL
        super().__init__(f"server: {detail}", hint=hint)
        self.status = status
        self.problem = problem


def _problem(response: httpx.Response) -> dict[str, Any]:
    """The problem document of an error answer (or its text, if the body is not JSON)."""
    try:
        problem = response.json()
    except ValueError:
        return {"detail": response.text[:500] or f"HTTP {response.status_code}"}
    return problem if isinstance(problem, dict) else {"detail": str(problem)[:500]}


def check_server_url(url: str) -> str:
    """The URL without a trailing slash; a `UserError` naming the fix if it is not http(s)."""
    try:
        parsed = httpx.URL(url)
    except (httpx.InvalidURL, TypeError):
        parsed = None
    if parsed is None or parsed.scheme not in ("http", "https") or not parsed.host:
        bare = url.split("://", 1)[-1]
        raise UserError(
            f"server URL '{url}' does not start with http:// or https://",
            hint=f"use https://{bare} (or http://{bare} for a server on this machine)",
        )
    return url.rstrip("/")


@contextmanager
def _reaching(url: str) -> Iterator[None]:
    """Turn a failed connection into `ServerUnreachableError` naming the server."""
    try:
        yield
    except httpx.TimeoutException as exc:
        raise ServerUnreachableError(
            f"the server at {url} did not answer in time ({type(exc).__name__})",
            url=url,
            hint="try again; check the URL and that the server is running",
        ) from exc
    except httpx.TransportError as exc:
        raise ServerUnreachableError(
            f"cannot reach the server at {url}: {exc or type(exc).__name__}",
            url=url,
            hint="check the URL (aifilm login URL, AIFILM_SERVER_URL) and that the server is up",
        ) from exc


@dataclass
class RemoteResult:
    """A finished remote render: the job and the files downloaded."""

    job: dict[str, Any]
    files: dict[str, Path] = field(default_factory=dict)  # "video", "thumbnail", ... -> path


def spec_files(model: Any) -> list[Path]:
    """Every file path a project model names (images, music files, script files)."""
    if isinstance(model, Path):
        return [model]
    if isinstance(model, BaseModel):
        return [p for name in type(model).model_fields for p in spec_files(getattr(model, name))]
    if isinstance(model, list | tuple):
        return [p for item in model for p in spec_files(item)]
    if isinstance(model, dict):
        return [p for item in model.values() for p in spec_files(item)]
    return []


class Client:
    """A signed-in connection to an aifilm server.

    Give an access token or an API key (`AIFILM_API_KEY` is read when neither is given);
    `transport` lets tests talk to an app in-process (`httpx.ASGITransport`, `MockTransport`).
    """

    def __init__(
        self,
        base_url: str,
        token: str | None = None,
        *,
        api_key: str | None = None,
        transport: httpx.BaseTransport | None = None,
        timeout: httpx.Timeout | float = DEFAULT_TIMEOUT,
    ) -> None:
        self.base_url = check_server_url(base_url)
        self._token = token or api_key or os.environ.get("AIFILM_API_KEY")
        self._http = httpx.Client(base_url=self.base_url, transport=transport, timeout=timeout)

    def close(self) -> None:
        """Close the connection pool."""
        self._http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # plumbing

    def _headers(self, extra: dict[str, str] | None = None) -> dict[str, str]:
        headers = dict(extra or {})
        if self._token:
            headers["Authorization"] = f"Bearer {self._token}"
        return headers

    def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        """Send a request; raise `RemoteError` for an error answer."""
        headers = self._headers(kwargs.pop("headers", None))
        with _reaching(self.base_url):
            response = self._http.request(method, path, headers=headers, **kwargs)
        if response.status_code >= 400:
            raise RemoteError(response.status_code, _problem(response))
        return response

    def _json(self, method: str, path: str, **kwargs: Any) -> Any:
        response = self.request(method, path, **kwargs)
        try:
            return response.json()
        except ValueError:
            raise UserError(
                f"{self.base_url} answered {method} {path} with something that is not JSON",
                hint="check that the URL is an aifilm server (its API lives under /api)",
            ) from None

    # accounts

    def register(self, email: str, password: str) -> dict[str, Any]:
        """Create an account."""
        result: dict[str, Any] = self._json(
            "POST", "/api/users/register", json={"email": email, "password": password}
        )
        return result

    def login(self, email: str, password: str) -> dict[str, Any]:
        """Sign in; the client uses the access token from now on."""
        tokens: dict[str, Any] = self._json(
            "POST", "/api/users/login", json={"email": email, "password": password}
        )
        self._token = tokens["access_token"]
        return tokens

    def create_api_key(self, name: str = "default") -> str:
        """A new API key (returned once)."""
        return str(self._json("POST", "/api/users/me/api-keys", json={"name": name})["key"])

    def me(self) -> dict[str, Any]:
        """The signed-in account."""
        result: dict[str, Any] = self._json("GET", "/api/users/me")
        return result

    def balance(self) -> dict[str, Any]:
        """Credits and plan."""
        result: dict[str, Any] = self._json("GET", "/api/credits/balance")
        return result

    def transactions(self, offset: int = 0, limit: int = 20) -> dict[str, Any]:
        """A page of the credit ledger, newest first."""
        result: dict[str, Any] = self._json(
            "GET", "/api/credits/transactions", params={"offset": offset, "limit": limit}
        )
        return result

    # billing

    def checkout(self, *, plan: str | None = None, pack: str | None = None) -> dict[str, Any]:
        """A Stripe Checkout page (`url`) for a plan or a credit pack; open it to pay."""
        body = {"plan": plan} if plan is not None else {"pack": pack}
        result: dict[str, Any] = self._json("POST", "/api/payments/checkout", json=body)
        return result

    def billing_portal(self) -> dict[str, Any]:
        """A Stripe customer portal page (`url`): card, plan changes, cancellation."""
        result: dict[str, Any] = self._json("POST", "/api/payments/portal")
        return result

    def invoices(self, limit: int = 10, starting_after: str | None = None) -> dict[str, Any]:
        """A page of your invoices, newest first (`items`, `has_more`, `next_cursor`)."""
        params: dict[str, Any] = {"limit": limit}
        if starting_after:
            params["starting_after"] = starting_after
        result: dict[str, Any] = self._json("GET", "/api/payments/invoices", params=params)
        return result

    # projects and jobs

    def create_project(self, spec: str) -> dict[str, Any]:
        """A project from project.yaml text."""
        result: dict[str, Any] = self._json("POST", "/api/projects", json={"spec": spec})
        return result

    def upload_asset(self, project_id: str, path: Path, name: str) -> dict[str, Any]:
        """Upload a file the spec names as `name`."""
        with path.open("rb") as f:
            result: dict[str, Any] = self._json(
                "POST",
                f"/api/projects/{project_id}/assets",
                files={"file": (path.name, f)},
                data={"name": name},
            )
        return result

    def submit(
        self,
        project_id: str,
        *,
        length_seconds: float | None = None,
        preview: bool = False,
        idempotency_key: str | None = None,
    ) -> dict[str, Any]:
        """Queue a render; credits are charged now (once per idempotency key)."""
        body: dict[str, Any] = {"project_id": project_id, "options": {"preview": preview}}
        if length_seconds is not None:
            body["length_seconds"] = length_seconds
        key = idempotency_key or uuid.uuid4().hex
        result: dict[str, Any] = self._json(
            "POST", "/api/jobs", json=body, headers={"Idempotency-Key": key}
        )
        return result

    def job(self, job_id: str) -> dict[str, Any]:
        """A job with its files."""
        result: dict[str, Any] = self._json("GET", f"/api/jobs/{job_id}")
        return result

    def jobs(self, offset: int = 0, limit: int = 20) -> dict[str, Any]:
        """A page of the user's jobs, newest first."""
        result: dict[str, Any] = self._json(
            "GET", "/api/jobs", params={"offset": offset, "limit": limit}
        )
        return result

    def cancel(self, job_id: str) -> dict[str, Any]:
        """Cancel a job (refunding it)."""
        result: dict[str, Any] = self._json("POST", f"/api/jobs/{job_id}/cancel")
        return result

    def events(self, job_id: str) -> Iterator[tuple[str, dict[str, Any]]]:
        """The job's server-sent events as (event, data) until it ends."""
        with (
            _reaching(self.base_url),
            self._http.stream(
                "GET", f"/api/jobs/{job_id}/events", headers=self._headers(), timeout=None
            ) as response,
        ):
            if response.status_code >= 400:
                response.read()
                raise RemoteError(response.status_code, _problem(response))
            event, data = "message", ""
            for line in response.iter_lines():
                if not line:
                    if data:
                        yield event, json.loads(data)
                    event, data = "message", ""
                elif line.startswith("event:"):
                    event = line[6:].strip()
                elif line.startswith("data:"):
                    data += line[5:].strip()

    def wait(
        self,
        job_id: str,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
        poll: float = 1.0,
    ) -> dict[str, Any]:
        """Follow a job to its end (server-sent events, falling back to polling)."""
        try:
            for event, data in self.events(job_id):
                if event == "progress" and on_progress is not None:
                    on_progress(data)
                if event == "end":
                    break
        except ServerUnreachableError:  # a dropped stream: poll instead
            while self.job(job_id)["status"] in ("queued", "running"):
                time.sleep(poll)
        return self.job(job_id)

    def download(self, job_id: str, name: str, target: Path) -> Path:
        """Save a result file of a job."""
        target.parent.mkdir(parents=True, exist_ok=True)
        with (
            _reaching(self.base_url),
            self._http.stream(
                "GET",
                f"/api/jobs/{job_id}/files/{name}",
                headers=self._headers(),
                follow_redirects=True,
            ) as response,
        ):
            if response.status_code >= 400:
                response.read()
                raise RemoteError(response.status_code, _problem(response))
            tmp = target.with_name(target.name + ".part")
            with tmp.open("wb") as f:
                for chunk in response.iter_bytes():
                    f.write(chunk)
            tmp.replace(target)
        return target

    def render(
        self,
        path: str | Path,
        out_dir: str | Path | None = None,
        *,
        length_seconds: float | None = None,
        preview: bool = False,
        on_progress: Callable[[dict[str, Any]], None] | None = None,
    ) -> RemoteResult:
        """Upload a project.yaml and its files, render it on the server, download the results."""
        from aifilm.pipeline.preflight import check_out_dir
        from aifilm.spec.models import Project

        path = Path(path)
        if path.is_dir():
            path = path / "project.yaml"
        if path.suffix.lower() not in (".yaml", ".yml"):
            raise UserError(
                f"remote renders take a project.yaml; got {path.name}",
                hint="wrap the script in a project.yaml with 'script_file:'",
            )
        model = Project.load(path)  # checks the spec here first, with file:line:col errors
        out = Path(out_dir) if out_dir is not None else path.parent / "renders"
        check_out_dir(out)  # before any credit is spent, not when the download fails
        project = self.create_project(path.read_text(encoding="utf-8"))
        for name in sorted({p.as_posix() for p in spec_files(model)}):
            self.upload_asset(project["id"], path.parent / name, name)
        job = self.submit(project["id"], length_seconds=length_seconds, preview=preview)
        final = self.wait(job["id"], on_progress)
        if final["status"] != "completed":
            raise RemoteError(
                409, {"detail": f"job {final['status']}: {final.get('error_message') or ''}"}
            )
        result = RemoteResult(job=final)
        for item in final["files"]:
            name = item["name"]
            saved = self.download(final["id"], name, out / name)
            kind = {"video": "video", "image": "thumbnail", "report": "report"}.get(
                item["kind"], name.rsplit(".", 1)[-1]
            )
            result.files[kind] = saved
        return result
