"""Contract management's downloads and pages over HTTP: the CSV, XLSX and printable report of a quarter's tables,
a year's placements, and the drill-down links; the same policy as the queries, denied looking like missing."""

from __future__ import annotations

import csv
import io
from datetime import date

import httpx
import pytest
from markupsafe import escape
from openpyxl import load_workbook

from bench.harness.marketplace import PASSWORD, Marketplace
from schema.ids import to_global_id
from server.domain.vocabulary import OfstedJudgement
from server.models import Framework, Placement
from server.services import contract_figures, offers
from server.services.contract_exports import table_csv
from server.services.contract_figures import current_quarter
from tests.services.test_referrals_and_offers import offer_details

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


async def _signed_in(portal: httpx.AsyncClient, market: Marketplace, key: str) -> None:
    portal.cookies.clear()
    page = await portal.get("/sign-in")
    form_token = page.text.split('name="form_token" value="', 1)[1].split('"', 1)[0]
    landed = await portal.post(
        "/sign-in",
        data={"email": market.users[key].email, "password": PASSWORD, "form_token": form_token},
        follow_redirects=True,
    )
    assert landed.status_code == 200


async def _placed(market: Marketplace, provider: str = "harbour", officer: str = "kent_officer") -> Placement:
    referral = await market.referral(officer)
    offer = await offers.submit_offer(market.actor(provider), offer_details(market, referral, provider))
    await offers.accept_offer(market.actor(officer), offer.id)
    return await Placement.get(referral_id=referral.id)


def _fw(market: Marketplace) -> str:
    return f"/frameworks/{to_global_id('Framework', market.framework.id)}"


def _provider(market: Marketplace, key: str) -> str:
    return f"{_fw(market)}/providers/{to_global_id('Provider', market.providers[key].id)}"


def _council(market: Marketplace, council) -> str:
    return f"{_fw(market)}/councils/{to_global_id('Council', council.id)}"


@pytest.fixture
async def placed(market: Marketplace) -> Placement:
    placement = await _placed(market)
    await _placed(market, "oakleaf", "medway_officer")
    return placement


async def test_the_lead_commissioner_downloads_every_table_as_a_workbook_and_each_as_csv(
    portal: httpx.AsyncClient, market: Marketplace, placed: Placement
) -> None:
    quarter = str(current_quarter())
    await _signed_in(portal, market, "kent_commissioner")
    view = await contract_figures.framework_quarter(market.actor("kent_commissioner"), market.framework.id, quarter)
    tables = await contract_figures.tables_for(view, with_references=True)

    workbook = await portal.get(f"{_fw(market)}/quarters/{quarter}.xlsx")
    assert workbook.status_code == 200 and workbook.headers["content-type"] == XLSX
    assert workbook.headers["content-disposition"] == f'attachment; filename="KM-IFP-2022-{quarter}.xlsx"'
    book = load_workbook(io.BytesIO(workbook.content))
    assert len(book.sheetnames) == len(tables) > 3
    started = next(t for t in tables if t.key == "placements")
    sheet = book.worksheets[[t.key for t in tables].index("placements")]
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert rows[1][: len(started.columns)] == started.columns
    placements_row = next(r for r in rows[2:] if placed.ipa_reference in (r[-2] or ""))
    assert placements_row[0] == next(r.label for r in started.rows if placed.ipa_reference in r.placement_references)

    one = await portal.get(f"{_fw(market)}/quarters/{quarter}/placements.csv")
    assert one.status_code == 200 and one.headers["content-type"].startswith("text/csv")
    assert one.content == table_csv(started)
    parsed = list(csv.reader(io.StringIO(one.content.decode("utf-8-sig"))))
    assert parsed[0][: len(started.columns)] == started.columns
    assert any(placed.ipa_reference in row[-2] for row in parsed[1:])
    assert (await portal.get(f"{_fw(market)}/quarters/{quarter}/no-such-table.csv")).status_code == 404
    assert (await portal.get(f"{_fw(market)}/quarters/2026-Q9.xlsx")).status_code == 404

    report = await portal.get(f"{_fw(market)}/quarters/{quarter}/report")
    assert report.status_code == 200 and "contract.css" in report.text
    assert all(str(escape(t.title)) in report.text for t in tables) and placed.ipa_reference in report.text


async def test_a_provider_gets_its_own_scorecard_and_is_denied_anothers_and_the_framework(
    portal: httpx.AsyncClient, market: Marketplace, placed: Placement
) -> None:
    quarter = str(current_quarter())
    await _signed_in(portal, market, "harbour")
    own = await portal.get(f"{_provider(market, 'harbour')}/quarters/{quarter}.xlsx")
    assert own.status_code == 200 and own.headers["content-type"] == XLSX
    names = load_workbook(io.BytesIO(own.content)).sheetnames
    assert names[0].startswith("Scorecard") or len(names) > 3
    assert (await portal.get(f"{_provider(market, 'harbour')}/scorecard")).status_code == 200
    assert (await portal.get(f"{_provider(market, 'harbour')}/quarters/{quarter}/report")).status_code == 200

    missing = await portal.get(f"{_fw(market)}/quarters/{quarter}.xlsx")
    for denied in (
        f"{_provider(market, 'oakleaf')}/quarters/{quarter}.xlsx",
        f"{_provider(market, 'oakleaf')}/quarters/{quarter}/report",
        f"{_provider(market, 'oakleaf')}/scorecard",
        f"{_fw(market)}/quarters/{quarter}/placements.csv",
        f"{_fw(market)}/contract-management",
        f"{_council(market, market.kent)}/quarters/{quarter}.xlsx",
    ):
        response = await portal.get(denied)
        assert response.status_code == missing.status_code == 404, denied
        assert "There is nothing at this address" in response.text


async def test_a_member_council_gets_its_own_quarter_and_is_denied_the_framework_and_another_framework(
    portal: httpx.AsyncClient, market: Marketplace, placed: Placement
) -> None:
    quarter = str(current_quarter())
    other = await Framework.create(
        reference="MED-RES-2024",
        name="Medway residential framework",
        lead_council=market.medway,
        starts_on=date(2024, 4, 1),
        ends_on=date(2028, 3, 31),
        minimum_ofsted_judgement=OfstedJudgement.GOOD,
    )
    await other.member_councils.add(market.medway)
    other_path = f"/frameworks/{to_global_id('Framework', other.id)}"

    await _signed_in(portal, market, "medway_officer")
    own = await portal.get(f"{_council(market, market.medway)}/quarters/{quarter}.xlsx")
    assert own.status_code == 200 and own.headers["content-type"] == XLSX
    assert (await portal.get(f"{_council(market, market.medway)}/quarter")).status_code == 200
    for denied in (
        f"{_fw(market)}/quarters/{quarter}.xlsx",
        f"{_fw(market)}/contract-management",
        f"{_council(market, market.kent)}/quarters/{quarter}.xlsx",
        f"{_provider(market, 'harbour')}/quarters/{quarter}.xlsx",
    ):
        assert (await portal.get(denied)).status_code == 404, denied

    await _signed_in(portal, market, "kent_commissioner")  # leads KM-IFP-2022, not on Medway's framework
    for denied in (
        f"{other_path}/quarters/{quarter}.xlsx",
        f"{other_path}/quarters/{quarter}/report",
        f"{other_path}/contract-management",
        f"{other_path}/placements/{quarter[:4]}-{(int(quarter[:4]) + 1) % 100:02d}.xlsx",
    ):
        assert (await portal.get(denied)).status_code == 404, denied


async def test_a_years_placements_and_the_drill_down_links_follow_the_policy(
    portal: httpx.AsyncClient, market: Marketplace, placed: Placement
) -> None:
    year = current_quarter().year
    label = f"{year}-{(year + 1) % 100:02d}"
    medways = await Placement.get(council_id=market.medway.id)
    await _signed_in(portal, market, "kent_commissioner")
    book = await portal.get(f"{_fw(market)}/placements/{label}.xlsx")
    assert book.status_code == 200 and book.headers["content-type"] == XLSX
    references = [r[0] for r in load_workbook(io.BytesIO(book.content)).active.iter_rows(min_row=2, values_only=True)]
    assert sorted(references) == sorted([placed.ipa_reference, medways.ipa_reference])
    assert (await portal.get(f"{_fw(market)}/placements/{year}-99.xlsx")).status_code == 404

    index = await portal.get("/contract-management")
    assert f'href="{_fw(market)}/contract-management"' in index.text
    page = await portal.get(f"{_fw(market)}/contract-management?quarter=2026-Q1")
    assert page.status_code == 200 and 'data-quarter="2026-Q1"' in page.text
    assert (await portal.get(f"{_fw(market)}/contract-management?quarter=Q1")).status_code == 404

    # Its own council's placement opens; another member council's is missing to a Kent commissioner.
    own = await portal.get(f"/placements/by-reference/{placed.ipa_reference}")
    assert own.status_code == 303 and own.headers["location"] == f"/placements/{to_global_id('Placement', placed.id)}"
    assert (await portal.get(f"/placements/by-reference/{medways.ipa_reference}")).status_code == 404
    referral = await portal.get(f"/referrals/by-reference/{placed.ipa_reference.removeprefix('IPA-')}")
    assert referral.status_code == 303 and referral.headers["location"].startswith("/referrals/")
