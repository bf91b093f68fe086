"""The portal's own static files: compressed, and cached for a year under a versioned URL.

Every page links its CSS and JS under ``/static/v/<version>/...``, where the version is a hash of
everything in ``web/static``. A release that changes any file changes the version, so browsers may
keep what they have for a year (``immutable``) and still never run a stale script. JS modules import
each other by relative paths, so they stay under the same version. The bare ``/static/...`` paths
still work (old bookmarks, emails) but must be revalidated each time (``no-cache`` with an ETag).
"""

from __future__ import annotations

import hashlib
from functools import cache
from pathlib import Path

from starlette.middleware.gzip import GZipMiddleware
from starlette.responses import Response
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

STATIC_DIR = Path(__file__).parent / "static"
YEAR = 365 * 24 * 3600
GZIP_MIN_BYTES = 512  # smaller files are sent as they are: gzip would save nothing worth a header


@cache
def static_version() -> str:
    """A short hash of every static file's path and bytes (computed once, on the first page)."""
    digest = hashlib.sha256()
    for path in sorted(STATIC_DIR.rglob("*")):
        if path.is_file():
            digest.update(path.relative_to(STATIC_DIR).as_posix().encode())
            digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def static_prefix() -> str:
    return f"/static/v/{static_version()}"


GOVUK_FRONTEND_CSS = "vendor/govuk-frontend-6.6.0/govuk-frontend.min.css"


def portal_stylesheets() -> list[str]:
    """The portal's CSS, in order (GOV.UK Frontend, then the portal's own), for pages not built from base.html."""
    return [f"{static_prefix()}/{GOVUK_FRONTEND_CSS}", f"{static_prefix()}/css/app.css"]


class _CachedStatic(StaticFiles):
    """Serves ``v/<version>/<path>`` as ``<path>`` with a year's cache; other paths revalidate."""

    async def get_response(self, path: str, scope: Scope) -> Response:
        parts = path.split("/", 2)
        versioned = len(parts) == 3 and parts[0] == "v"
        if versioned:
            if parts[1] != static_version():
                # An old release's URL: serve today's file, but let no cache keep it.
                response = await super().get_response(parts[2], scope)
                response.headers["Cache-Control"] = "no-cache"
                return response
            path = parts[2]
        response = await super().get_response(path, scope)
        if response.status_code in (200, 304):
            response.headers["Cache-Control"] = f"public, max-age={YEAR}, immutable" if versioned else "no-cache"
        return response


def static_app() -> ASGIApp:
    """Static files, gzip-compressed for clients that accept it (text assets only are worth it)."""
    files = _CachedStatic(directory=STATIC_DIR)
    compressed = GZipMiddleware(files, minimum_size=GZIP_MIN_BYTES)

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        await compressed(scope, receive, send)

    return app
