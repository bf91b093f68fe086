"""The portal's data-standard downloads and the open-data vacancy feed, over the whole app: the council's
placement officers download a referral in the placements data standard and the 903 episodes (anyone else: the
missing page), and the HSDS feed shows each caller the vacancies the vacancies query would show them."""

from __future__ import annotations

import csv
import io
from datetime import UTC, datetime, timedelta

import httpx

from bench.harness.marketplace import Marketplace
from schema.ids import to_global_id
from server.domain import placements_standard as std
from server.domain.child_details import ChildDetails
from server.models import ChildrensHome
from server.services import accounts, child_records, ssda903, vacancies
from tests.web.test_start_pages import _signed_in


async def _referral_with_child(market: Marketplace) -> str:
    referral = await market.referral()
    await child_records.save_child_record(
        market.actor("kent_officer"),
        referral.id,
        ChildDetails(
            full_name="Amelia Rose Thornbury",
            date_of_birth="2013-05-17",
            nhs_number="943 476 5919",
            council_child_id="88123",
        ),
    )
    return to_global_id("Referral", referral.id)


async def test_the_referral_page_exports_the_standard_for_its_placement_officers(
    portal: httpx.AsyncClient, market: Marketplace
) -> None:
    referral_id = await _referral_with_child(market)
    await _signed_in(portal, market.users["kent_officer"].email)
    page = await portal.get(f"/referrals/{referral_id}")
    assert "Export (placements data standard)" in page.text
    assert f'href="/referrals/{referral_id}/placements-standard?format=csv"' in page.text

    as_json = await portal.get(f"/referrals/{referral_id}/placements-standard?format=json")
    assert as_json.status_code == 200 and as_json.headers["cache-control"] == "no-store"
    assert "attachment" in as_json.headers["content-disposition"]
    document = as_json.json()
    assert std.option_problems(document) == [] and document["PlacementAvailability"]["childId"] == 88123
    as_csv = await portal.get(f"/referrals/{referral_id}/placements-standard?format=csv")
    rows = list(csv.DictReader(io.StringIO(as_csv.text)))
    assert as_csv.headers["content-type"].startswith("text/csv") and len(rows) == 1
    assert list(rows[0]) == std.columns() and rows[0]["PlacementAvailability.childId"] == "88123"

    placements = await portal.get("/placements")
    assert 'action="/exports/ssda903"' in placements.text and "Download the 903 export" in placements.text
    year = datetime.now(UTC).year - 1
    episodes = await portal.get(f"/exports/ssda903?year={year}&format=csv")
    assert episodes.status_code == 200 and episodes.text.splitlines()[0] == ",".join(ssda903.COLUMNS)


async def test_the_downloads_are_missing_for_anyone_else(portal: httpx.AsyncClient, market: Marketplace) -> None:
    referral_id = await _referral_with_child(market)
    signed_out = await portal.get(f"/referrals/{referral_id}/placements-standard?format=json")
    assert signed_out.status_code == 303 and signed_out.headers["location"].startswith("/sign-in")
    for who in ("medway_officer", "kent_commissioner", "harbour"):
        portal.cookies.clear()
        await _signed_in(portal, market.users[who].email)
        refused = await portal.get(f"/referrals/{referral_id}/placements-standard?format=json")
        assert refused.status_code == 404 and "Not found" in refused.text, who
        year = datetime.now(UTC).year - 1
        episodes = await portal.get(f"/exports/ssda903?year={year}&format=csv")
        # Another council's officer downloads its own council's episodes (the page names no council); the rest: none.
        assert episodes.status_code == (200 if who == "medway_officer" else 404), who
    page = await portal.get(f"/referrals/{referral_id}")
    assert "Export (placements data standard)" not in page.text


async def test_the_open_data_feed_is_hsds_capacity_as_the_vacancies_query_would_show(
    portal: httpx.AsyncClient, market: Marketplace
) -> None:
    today = datetime.now(UTC).date()
    for key, free_from in (("harbour", today), ("oakleaf", today + timedelta(days=10))):
        await vacancies.post_vacancy(
            market.actor(key),
            vacancies.VacancyDetails(places=1, available_from=free_from, carer_household_id=market.households[key]),
        )
    home = await ChildrensHome.create(
        provider=market.providers["spot"], name="Hillside House", ofsted_urn="SC940001", beds=4, min_age=10,
        max_age=17, district="TN1", ofsted_judgement="good",
    )  # fmt: skip
    await vacancies.post_vacancy(
        market.actor("spot"), vacancies.VacancyDetails(places=2, available_from=today, childrens_home_id=home.id)
    )

    anonymous = (await portal.get("/open-data/vacancies.json")).json()
    assert anonymous["hsds_version"] == "3.0" and anonymous["contents"] == []

    async def feed_as(user: str) -> dict:
        token, _ = await accounts.issue_token(market.users[user], "api", name="Open data reader")
        response = await portal.get("/open-data/vacancies.json", headers={"Authorization": f"Bearer {token}"})
        assert response.status_code == 200
        return response.json()

    harbour = await feed_as("harbour")
    assert [s["organization"]["name"] for s in harbour["contents"]] == ["Harbour Fostering (test)"]
    [capacity] = harbour["contents"][0]["capacities"]
    assert capacity["available"] == 1 and capacity["maximum"] == 2 and capacity["unit"]["name"] == "places"
    assert datetime.fromisoformat(capacity["updated"]) <= datetime.now(UTC)

    kent = await feed_as("kent_officer")  # the providers on Kent's framework, not the spot provider
    by_provider = {s["organization"]["name"]: s for s in kent["contents"]}
    assert set(by_provider) == {"Harbour Fostering (test)", "Oakleaf Care (test)"}
    later = by_provider["Oakleaf Care (test)"]["capacities"][0]
    assert later["available"] == 0 and later["description"] == f"1 from {(today + timedelta(days=10)).isoformat()}"

    spot = await feed_as("spot")
    beds = next(s for s in spot["contents"] if s["name"] == "Hillside House")["capacities"][0]
    assert (beds["available"], beds["maximum"], beds["unit"]["name"]) == (2, 4, "beds")
    assert len((await feed_as("admin"))["contents"]) == 3

    bad = await portal.get("/open-data/vacancies.json", headers={"Authorization": "Bearer not-a-token"})
    assert bad.status_code == 401
