"""The data-standard commands: export-standard (one referral or a range, JSON or CSV), import-standard FILE
(drafts, with what cannot be mapped listed), export-903 YEAR; each acting as a placement officer."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, date, datetime
from pathlib import Path

import pytest
from click.testing import CliRunner

from bench.harness.marketplace import build_marketplace
from server.cli import main
from server.database import database
from server.domain import placements_standard as std
from server.domain.child_details import ChildDetails
from server.models import Referral
from server.services import child_records, ssda903
from server.settings import Settings

OFFICER = "kent_officer@council.test"


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, str, str]:
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("APP_ENV", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0

    async def build() -> str:
        async with database(Settings.from_env({"DATABASE_URL": url})):
            market = await build_marketplace()
            referral = await market.referral()
            details = ChildDetails(full_name="Amelia Rose Thornbury", date_of_birth="2013-05-17",
                                   nhs_number="943 476 5919", council_child_id="31337")  # fmt: skip
            await child_records.save_child_record(market.actor("kent_officer"), referral.id, details)
            return referral.reference

    return runner, url, asyncio.run(build())


def _references(url: str) -> list[str]:
    async def go() -> list[str]:
        async with database(Settings.from_env({"DATABASE_URL": url})):
            return [r.reference for r in await Referral.all().order_by("id")]

    return asyncio.run(go())


def test_export_then_import_from_the_command_line(world, tmp_path: Path) -> None:
    runner, url, reference = world
    out = tmp_path / "referral.json"
    result = runner.invoke(main, ["export-standard", "--as", OFFICER, "--referral", reference, "--output", str(out)])
    assert result.exit_code == 0, result.output
    document = json.loads(out.read_text())
    assert std.option_problems(document) == [] and document["PlacementAvailability"]["childId"] == 31337

    today = datetime.now(UTC).date().isoformat()
    table = tmp_path / "referrals.csv"
    args = ["export-standard", "--as", OFFICER, "--since", today, "--format", "csv", "--output", str(table)]
    assert runner.invoke(main, args).exit_code == 0
    assert table.read_text().splitlines()[0] == ",".join(std.columns())

    result = runner.invoke(main, ["import-standard", str(out), "--as", OFFICER])
    assert result.exit_code == 0, result.output
    assert "not mapped: PlacementAvailability.childId" in result.output
    assert len(_references(url)) == 2

    refused = runner.invoke(
        main, ["export-standard", "--as", "kent_commissioner@council.test", "--referral", reference]
    )
    assert refused.exit_code == 1 and "No active placement officer" in refused.output
    other = runner.invoke(main, ["export-standard", "--as", "medway_officer@council.test", "--referral", reference])
    assert other.exit_code == 1 and "No referral with that id" in other.output


def test_export_903_for_a_collection_year(world, tmp_path: Path) -> None:
    runner, _, _ = world
    out = tmp_path / "903.csv"
    year = date.today().year - 1
    result = runner.invoke(main, ["export-903", str(year), "--as", OFFICER, "--output", str(out)])
    assert result.exit_code == 0, result.output
    assert out.read_text().splitlines() == [",".join(ssda903.COLUMNS)]  # no placements yet: the header alone
    refused = runner.invoke(main, ["export-903", str(year), "--as", OFFICER, "--council", "E06000035"])
    assert refused.exit_code == 1 and "No council with that id" in refused.output
