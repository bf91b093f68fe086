"""`placement-exchange export-quarter`: the portal's files from the command line, under the same policy."""

from __future__ import annotations

import asyncio
import csv
import io
from pathlib import Path

import pytest
from click.testing import CliRunner
from openpyxl import load_workbook

from bench.harness.marketplace import build_marketplace
from server.cli import main
from server.database import database
from server.models import Placement
from server.services import contract_figures, offers
from server.services.contract_exports import table_csv
from server.settings import Settings
from tests.services.test_referrals_and_offers import offer_details

QUARTER = str(contract_figures.current_quarter())


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> tuple[CliRunner, str, str]:
    url = f"sqlite://{tmp_path / 'cli.sqlite3'}"
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.delenv("APP_ENV", raising=False)
    runner = CliRunner()
    assert runner.invoke(main, ["migrate"]).exit_code == 0

    async def build() -> str:
        async with database(Settings.from_env({"DATABASE_URL": url})):
            market = await build_marketplace()
            referral = await market.referral()
            offer = await offers.submit_offer(market.actor("harbour"), offer_details(market, referral, "harbour"))
            await offers.accept_offer(market.actor("kent_officer"), offer.id)
            return (await Placement.get(referral_id=referral.id)).ipa_reference

    return runner, url, asyncio.run(build())


def _tables(url: str, email: str) -> list:
    async def go() -> list:
        async with database(Settings.from_env({"DATABASE_URL": url})):
            from server.auth.actor import Actor
            from server.models import Framework, User

            actor = Actor.of(await User.get(email=email))
            framework = await Framework.get(reference="KM-IFP-2022")
            view = await contract_figures.framework_quarter(actor, framework.id, QUARTER)
            return await contract_figures.tables_for(view, with_references=True)

    return asyncio.run(go())


def test_export_quarter_writes_the_workbook_and_a_tables_csv_as_the_portal_does(cli, tmp_path: Path) -> None:
    runner, url, ipa = cli
    commissioner = "kent_commissioner@council.test"
    out = tmp_path / "quarter.xlsx"
    args = ["export-quarter", "--framework", "KM-IFP-2022", "--quarter", QUARTER, "--as", commissioner]
    result = runner.invoke(main, [*args, "--output", str(out)])
    assert result.exit_code == 0, result.output
    tables = _tables(url, commissioner)
    book = load_workbook(out)
    assert len(book.sheetnames) == len(tables)
    assert any(
        ipa in str(cell) for sheet in book.worksheets for row in sheet.iter_rows(values_only=True) for cell in row
    )

    listed = runner.invoke(main, [*args, "--format", "csv", "--output", str(tmp_path / "t.csv")])
    assert listed.exit_code == 1 and "--table" in listed.output and "placements" in listed.output
    one = tmp_path / "placements.csv"
    result = runner.invoke(main, [*args, "--table", "placements", "--output", str(one)])
    assert result.exit_code == 0, result.output
    assert one.read_bytes() == table_csv(next(t for t in tables if t.key == "placements"))
    assert any(ipa in row[-2] for row in csv.reader(io.StringIO(one.read_text("utf-8-sig"))))

    year = int(QUARTER[:4])
    placements = tmp_path / "year.xlsx"
    result = runner.invoke(
        main,
        [*args[:-4], "--as", commissioner, "--year", f"{year}-{(year + 1) % 100:02d}", "--output", str(placements)],
    )
    assert result.exit_code == 0, result.output
    assert [r[0] for r in load_workbook(placements).active.iter_rows(min_row=2, values_only=True)] == [ipa]


def test_export_quarter_gives_a_provider_its_scorecard_and_refuses_the_framework(cli, tmp_path: Path) -> None:
    runner, _, _ = cli
    base = ["export-quarter", "--framework", "KM-IFP-2022", "--quarter", QUARTER, "--as", "duty@harbour.test"]
    own = runner.invoke(main, [*base, "--provider", "SC900001", "--output", str(tmp_path / "own.xlsx")])
    assert own.exit_code == 0, own.output
    assert len(load_workbook(tmp_path / "own.xlsx").sheetnames) > 1
    for denied in (["--provider", "SC900002"], []):
        result = runner.invoke(main, [*base, *denied, "--output", str(tmp_path / "no.xlsx")])
        assert result.exit_code == 1 and "No " in result.output, result.output
        assert not (tmp_path / "no.xlsx").exists()
    wrong = runner.invoke(main, [*base, "--provider", "SC900001", "--quarter", "2026-Q5", "--output", "x.xlsx"])
    assert wrong.exit_code == 1 and "quarter" in wrong.output
