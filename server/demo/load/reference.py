"""Reference data: the postcode districts bundled with the app (data/postcode_districts.csv, via the geography)."""

from __future__ import annotations

from server.demo.load.context import Demo
from server.domain.geography import bundled_directory
from server.services.districts import district_directory, import_districts


async def load(demo: Demo) -> None:
    await import_districts(list(bundled_directory()))
    demo.directory = await district_directory()
