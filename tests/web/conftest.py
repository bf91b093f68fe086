"""The portal under test: the whole app (pages, API, sessions) over ASGI, on a database holding the marketplace."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from server.app import create_app
from server.settings import Settings


@pytest.fixture
async def portal(db: str, market) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(Settings.from_env({"DATABASE_URL": db, "APP_ENV": "development"}), manage_database=False)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
            yield client
