"""Serving the studio: the page shell for each page's address, and the static files.

Every page is the same small HTML shell; `static/app.js` reads the address and loads the
page's module from `static/pages/`. The route table (`static/routes.json`) is the one list
of pages: the server answers 200 with the shell for its addresses and 404 (with the same
shell, which then shows "page not found") for others. The shell carries the route table
and the user's language strings as JSON data blocks (not scripts: the CSP forbids inline
script), so a page needs no extra round trip before it draws.

Static files are read once, gzipped once, and answered with an ETag (a revalidation costs
a 304); there is no build step, the files in the package are what the browser runs.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from pathlib import PurePosixPath
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.responses import HTMLResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from aifilm.server.errors import NotFound, Problem
from aifilm.server.openapi import allowed_methods
from aifilm.server.web.cookies import CSRF_COOKIE, new_csrf_token, set_csrf_cookie
from aifilm.server.web.headers import SecurityHeaders

LANG_COOKIE = "aifilm_lang"
DEFAULT_LANGUAGE = "en"
TYPES = {
    ".js": "text/javascript; charset=utf-8",
    ".css": "text/css; charset=utf-8",
    ".json": "application/json",
    ".svg": "image/svg+xml",
    ".png": "image/png",
    ".jpg": "image/jpeg",
    ".mp4": "video/mp4",
    ".vtt": "text/vtt; charset=utf-8",
    ".md": "text/markdown; charset=utf-8",
    ".html": "text/html; charset=utf-8",
}
COMPRESSIBLE = {".js", ".css", ".json", ".svg", ".vtt", ".md", ".html"}
NOT_PAGES = ("/api/", "/static/")


def static_root() -> Any:
    """The static folder inside the installed package."""
    return resources.files("aifilm.server.web").joinpath("static")


@dataclass(frozen=True)
class StaticFile:
    """A static file as served: its bytes, gzipped bytes (if worth it), type and ETag."""

    body: bytes
    gzipped: bytes | None
    content_type: str
    etag: str


@cache
def static_file(name: str) -> StaticFile | None:
    """The static file `name` (a relative POSIX path), or None when there is none."""
    path = PurePosixPath(name)
    if not name or path.is_absolute() or any(p in ("..", ".", "") for p in path.parts):
        return None
    node = static_root()
    for part in path.parts:
        node = node.joinpath(part)
    if not node.is_file() or path.suffix not in TYPES:
        return None
    body = node.read_bytes()
    squeezed = gzip.compress(body, 9, mtime=0) if path.suffix in COMPRESSIBLE else None
    if squeezed is not None and len(squeezed) >= len(body):
        squeezed = None
    etag = '"' + hashlib.sha256(body).hexdigest()[:20] + '"'
    return StaticFile(body, squeezed, TYPES[path.suffix], etag)


@cache
def routes() -> list[dict[str, Any]]:
    """The route table: one entry per page (path pattern, module, nav, who may see it)."""
    data: list[dict[str, Any]] = json.loads(static_root().joinpath("routes.json").read_text())
    return data


@cache
def _patterns() -> list[re.Pattern[str]]:
    return [re.compile("^" + re.sub(r":[a-z_]+", r"[^/]+", r["path"]) + "/?$") for r in routes()]


def is_page(path: str) -> bool:
    """Whether `path` is one of the route table's page addresses."""
    return any(p.match(path) for p in _patterns())


@cache
def languages() -> list[str]:
    """The languages the site speaks: one JSON file each in static/i18n/."""
    folder = static_root().joinpath("i18n")
    return sorted(
        n.name.removesuffix(".json") for n in folder.iterdir() if n.name.endswith(".json")
    )


@cache
def strings(language: str) -> dict[str, str]:
    """The site's words in `language`, English where a translation lacks a key."""
    folder = static_root().joinpath("i18n")
    words: dict[str, str] = json.loads(folder.joinpath(f"{DEFAULT_LANGUAGE}.json").read_text())
    if language != DEFAULT_LANGUAGE:
        words = {**words, **json.loads(folder.joinpath(f"{language}.json").read_text())}
    return words


def pick_language(request: Request) -> str:
    """The chosen language (cookie), else the browser's first one we speak, else English."""
    have = languages()
    chosen = request.cookies.get(LANG_COOKIE, "")
    if chosen in have:
        return chosen
    for part in request.headers.get("accept-language", "").split(","):
        code = part.split(";")[0].strip().lower().split("-")[0]
        if code in have:
            return code
    return DEFAULT_LANGUAGE


def _json_block(value: Any) -> str:
    # Inside <script type="application/json">, only "</" could end the block early.
    return json.dumps(value, ensure_ascii=False).replace("<", "\\u003c")


def shell(request: Request, status: int = 200) -> HTMLResponse:
    """The page shell for `request`, in its language, with a CSRF cookie if it has none."""
    language = pick_language(request)
    template = static_root().joinpath("index.html").read_text(encoding="utf-8")
    page = (
        template.replace("{{lang}}", language)
        .replace("{{routes}}", _json_block(routes()))
        .replace("{{strings}}", _json_block(strings(language)))
        .replace("{{languages}}", _json_block(languages()))
    )
    response = HTMLResponse(page, status_code=status, headers={"Cache-Control": "no-cache"})
    if not request.cookies.get(CSRF_COOKIE):
        set_csrf_cookie(response, request.app.state.aifilm.settings, new_csrf_token())
    return response


router = APIRouter(include_in_schema=False)


@router.api_route("/static/demo/{name}", methods=["GET", "HEAD"])
def demo(name: str, request: Request) -> Response:
    """The landing page's demo film, its poster and subtitles (rendered on first request)."""
    from fastapi.responses import FileResponse

    from aifilm.errors import AifilmError
    from aifilm.server.web.demo import DEMO_FILES, demo_file

    if name not in DEMO_FILES:
        raise NotFound("file")
    try:
        path = demo_file(request.app.state.aifilm.settings.data_dir, name)
    except AifilmError as error:
        raise Problem(503, f"the demo film could not be rendered here: {error}") from None
    return FileResponse(
        path, media_type=DEMO_FILES[name], headers={"Cache-Control": "public, max-age=86400"}
    )


@router.api_route("/static/{name:path}", methods=["GET", "HEAD"])
def static(name: str, request: Request) -> Response:
    """A file of the site; gzipped when the browser accepts it."""
    found = static_file(name)
    if found is None:
        raise NotFound("file")
    headers = {"ETag": found.etag, "Cache-Control": "no-cache", "Vary": "Accept-Encoding"}
    if found.etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers=headers)
    if found.gzipped is not None and "gzip" in request.headers.get("accept-encoding", ""):
        headers["Content-Encoding"] = "gzip"
        return Response(found.gzipped, media_type=found.content_type, headers=headers)
    return Response(found.body, media_type=found.content_type, headers=headers)


@router.get("/{path:path}")
def page(path: str, request: Request) -> Response:
    """A page of the site (the shell); a 404 shell for addresses that are no page."""
    full = "/" + path
    if full.startswith(NOT_PAGES) or full == "/api":
        # This route catches every GET, so an API path that exists for other methods only
        # lands here: answer the 405 the API would have (its handler names the methods).
        if allowed_methods(request.app, full):
            raise StarletteHTTPException(405)
        raise NotFound("resource")
    return shell(request, 200 if is_page(full) else 404)


def install_site(app: FastAPI) -> None:
    """Serve the studio at `/` (after every other route) with the security headers."""
    app.include_router(router)
    app.add_middleware(SecurityHeaders)
