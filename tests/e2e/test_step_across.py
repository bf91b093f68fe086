"""A step-down in two browsers: a child placed in a children's home, the placement page, and the council's
step-across to a linked draft fostering referral, which names the placement it came from."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date

import pytest
from playwright.sync_api import expect

from bench.harness.marketplace import Marketplace, add_residential_lot
from server.domain.vocabulary import OfstedJudgement
from server.services import resources
from tests.e2e.conftest import Served, make_required_choices, serve, sign_in
from tests.e2e.test_council_decisions import graphql

pytestmark = pytest.mark.browser


async def _residential_lot(market: Marketplace) -> None:
    """A residential lot on the framework with Harbour on it, and Harbour's children's home."""
    await add_residential_lot(market)
    await resources.create_childrens_home(
        market.actor("harbour"),
        market.providers["harbour"].id,
        resources.HomeDetails(
            name="Harbour House",
            ofsted_urn="SC777101",
            beds=3,
            min_age=10,
            max_age=17,
            district="ME16",
            ofsted_judgement=OfstedJudgement.GOOD.value,
        ),
    )


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    yield from serve(tmp_path_factory, _residential_lot)


def test_the_council_steps_a_child_across_from_a_childrens_home_to_fostering(browser, served: Served) -> None:
    contexts = [browser.new_context() for _ in range(2)]
    officer, harbour = (context.new_page() for context in contexts)
    sign_in(officer, served, "kent_officer")
    sign_in(harbour, served, "harbour")

    # The officer asks for a children's home bed on the residential lot.
    officer.goto(f"{served.base_url}/referrals/new")
    officer.get_by_label("Age in years").fill("14")
    officer.get_by_label("Home postcode district").fill("ME14")
    make_required_choices(officer)
    lot = officer.get_by_label("Framework lot")
    lot.select_option(lot.locator("option", has_text="Residential").get_attribute("value"))
    officer.get_by_label("Placement kind").select_option("CHILDRENS_HOME")
    officer.get_by_label("Summary", exact=True).fill("Settled at school; needs a calm home while family work goes on.")
    officer.get_by_role("button", name="Save and publish").click()
    officer.wait_for_url(re.compile(r"/referrals/(?!new)[\w-]+$"))
    referral_id, reference = officer.url.rsplit("/", 1)[1], officer.locator("h1").inner_text().split()[0]

    # Harbour offers its home (through the API its portal uses); the officer accepts.
    harbour.goto(f"{served.base_url}/my-offers")
    home = graphql(harbour, "{ childrensHomes { id } }")["childrensHomes"][0]["id"]
    submitted = graphql(
        harbour,
        "mutation($input: SubmitOfferInput!) { submitOffer(input: $input) { offer { id } errors { message } } }",
        {
            "input": {
                "referralId": referral_id,
                "childrensHomeId": home,
                "startDate": date.today().isoformat(),
                "matchingStatement": "A calm home with a strong education offer, close to the child's school.",
            }
        },
    )["submitOffer"]
    assert submitted["errors"] == [], submitted
    officer.goto(f"{served.base_url}/referrals/{referral_id}")
    officer.locator(f"tr[data-offer-id='{submitted['offer']['id']}']").get_by_role("button", name="Accept").click()
    officer.get_by_role("button", name="Accept offer").click()
    expect(officer.locator("#ipa-reference")).to_have_text(f"IPA-{reference}")

    # On the placement's page the officer steps across: a fostering kind must be chosen, then confirmed.
    officer.goto(f"{served.base_url}/placements")
    officer.get_by_role("link", name=f"IPA-{reference}").click()
    officer.wait_for_url("**/placements/*")
    placement_page = officer.url
    step = officer.locator("#step-form")
    step.get_by_role("button", name="Start the step-across referral").click()
    expect(officer.locator("#placementKind-error")).to_contain_text("Choose the kind of fostering")
    step.get_by_label("Kind of fostering").select_option("CORE_FOSTERING")
    step.get_by_role("button", name="Start the step-across referral").click()
    officer.get_by_role("button", name="Yes, go ahead").click()
    expect(officer.locator("#messages")).to_contain_text("Step-across referral started as a draft.")
    expect(step).to_be_hidden()

    # The draft fostering referral names the placement it steps across from, and leads back to it.
    officer.get_by_role("link", name=re.compile(r"^Referral KEN-")).click()
    officer.wait_for_url(re.compile(r"/referrals/(?!new)[\w-]+$"))
    expect(officer.locator("#referral-status")).to_have_text("Draft")
    officer.get_by_role("link", name=f"IPA-{reference}").click()
    expect(officer).to_have_url(placement_page)

    # The provider's view of the placement does not offer a step-across.
    harbour.goto(placement_page)
    expect(harbour.locator("#agreement")).to_contain_text(f"IPA-{reference}")
    expect(harbour.locator("#step-form")).to_have_count(0)
    for context in contexts:
        context.close()
