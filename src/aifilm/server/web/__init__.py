"""The web studio: the site `aifilm serve` shows at `/` (the API stays under `/api`).

`site.py` serves the page shell and the static files (plain ES modules, no build step),
`headers.py` adds the browser security headers, `cookies.py` is the browser session
(HttpOnly cookies) and its CSRF check. See docs/studio.md.
"""
