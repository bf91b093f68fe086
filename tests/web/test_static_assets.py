"""The portal's assets: linked under a versioned URL cached for a year, revalidated on the bare path, gzipped."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator

import httpx
import pytest

from server.app import create_app
from server.settings import Settings
from web.assets_served import STATIC_DIR, static_version


@pytest.fixture
async def portal(db: str) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings.from_env({"DATABASE_URL": db, "APP_ENV": "development"}), manage_database=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client


async def test_pages_link_their_assets_under_the_current_version(portal: httpx.AsyncClient) -> None:
    page = await portal.get("/sign-in")
    links = re.findall(r'(?:href|src)="(/static/[^"]+)"', page.text)
    assert links, "the sign-in page links its stylesheet"
    assert all(link.startswith(f"/static/v/{static_version()}/") for link in links), links


async def test_a_versioned_asset_is_cached_for_a_year_and_compressed(portal: httpx.AsyncClient) -> None:
    url = f"/static/v/{static_version()}/css/app.css"
    response = await portal.get(url, headers={"Accept-Encoding": "gzip"})
    assert response.status_code == 200
    assert response.headers["cache-control"] == "public, max-age=31536000, immutable"
    assert response.headers["content-encoding"] == "gzip"
    assert response.text == (STATIC_DIR / "css" / "app.css").read_text()  # httpx decodes the gzip


async def test_a_module_imported_by_relative_path_stays_under_the_version(portal: httpx.AsyncClient) -> None:
    # pages/inbox.js imports "../ui.js": the browser resolves it under the same versioned prefix.
    response = await portal.get(f"/static/v/{static_version()}/js/ui.js")
    assert response.status_code == 200
    assert "immutable" in response.headers["cache-control"]
    assert "javascript" in response.headers["content-type"]


async def test_the_bare_path_and_an_old_version_must_revalidate(portal: httpx.AsyncClient) -> None:
    bare = await portal.get("/static/css/app.css")
    assert bare.status_code == 200 and bare.headers["cache-control"] == "no-cache" and bare.headers["etag"]
    again = await portal.get("/static/css/app.css", headers={"If-None-Match": bare.headers["etag"]})
    assert again.status_code == 304
    old = await portal.get("/static/v/000000000000/css/app.css")
    assert old.status_code == 200 and old.headers["cache-control"] == "no-cache"


async def test_a_missing_asset_is_not_found_and_not_cached(portal: httpx.AsyncClient) -> None:
    response = await portal.get(f"/static/v/{static_version()}/js/nothing-here.js")
    assert response.status_code == 404
    assert "immutable" not in response.headers.get("cache-control", "")
