"""Postcode districts known to this deployment: imported ones over the bundled file."""

from __future__ import annotations

from server.domain.geography import District, DistrictDirectory, bundled_directory
from server.models import PostcodeDistrict

_directory: DistrictDirectory | None = None


async def district_directory() -> DistrictDirectory:
    """Loaded once per process; `import_districts` refreshes it."""
    global _directory
    if _directory is None:
        rows = await PostcodeDistrict.all()
        if rows:
            _directory = DistrictDirectory(
                {row.outward_code: District(row.outward_code, row.latitude, row.longitude, row.area) for row in rows}
            )
        else:
            _directory = bundled_directory()
    return _directory


def forget_directory() -> None:
    global _directory
    _directory = None


async def import_districts(districts: list[District]) -> tuple[int, int]:
    """Insert or update districts; returns (added, updated)."""
    existing = {
        row.outward_code: row
        for row in await PostcodeDistrict.filter(outward_code__in=[d.outward_code for d in districts])
    }
    added = [
        PostcodeDistrict(outward_code=d.outward_code, latitude=d.latitude, longitude=d.longitude, area=d.area)
        for d in districts
        if d.outward_code not in existing
    ]
    changed = []
    for district in districts:
        row = existing.get(district.outward_code)
        if row is not None:
            row.latitude, row.longitude, row.area = district.latitude, district.longitude, district.area
            changed.append(row)
    if added:
        await PostcodeDistrict.bulk_create(added, batch_size=500)
    if changed:
        await PostcodeDistrict.bulk_update(changed, fields=["latitude", "longitude", "area"], batch_size=500)
    forget_directory()
    return len(added), len(changed)
