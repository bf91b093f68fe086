"""A block contract made or changed is emailed to the councils party to it (their commissioners) and to its
provider, with a button to the contract's page; nobody else hears of it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import Marketplace
from server.domain.vocabulary import OfstedJudgement, VoidBasis
from server.models import ChildrensHome
from server.services import block_contracts
from server.services.block_contracts import BlockContractChanges, BlockContractDetails, PlaceDetails
from tests.notifications.conftest import BASE_URL, MailServer, drain


async def test_a_block_contract_made_and_changed_reaches_its_parties(
    market: Marketplace, mail_server: MailServer, make_worker
) -> None:
    await drain(make_worker())
    mail_server.received.clear()
    today = datetime.now(UTC).date()
    home = await ChildrensHome.create(
        provider=market.providers["harbour"], name="Harbour House", ofsted_urn="SC981002", beds=2, min_age=10,
        max_age=17, district="ME15", ofsted_judgement=OfstedJudgement.GOOD,
    )  # fmt: skip
    commissioner = market.actor("kent_commissioner")
    view = await block_contracts.create_block_contract(
        commissioner,
        BlockContractDetails(
            reference="KCC-BLOCK-MAIL", name="Kent beds at Harbour House", provider_id=home.provider_id,
            starts_on=today, ends_on=today + timedelta(days=365 * 3), weekly_price_pence=650_000,
            void_basis=VoidBasis.PERCENT_OF_PRICE, void_percent=80, council_id=market.kent.id,
            places=[PlaceDetails(starts_on=today, childrens_home_id=home.id)],
        ),
    )  # fmt: skip
    await drain(make_worker())
    told = {address: r for r in mail_server.received for address in r.rcpt_tos}
    assert "kent_commissioner@council.test" in told and "duty@harbour.test" in told
    assert not [a for a in told if "medway" in a or "oakleaf" in a], told.keys()
    email = told["kent_commissioner@council.test"]
    assert email.message["Subject"] == "[KCC-BLOCK-MAIL] Block contract made"
    link = f"{BASE_URL}/block-contracts/{view.contract.id}"
    assert link in email.text and f'href="{link}"' in email.html
    assert "£6,500.00 a week for each place" in email.text

    mail_server.received.clear()
    await block_contracts.update_block_contract(
        commissioner, view.contract.id, BlockContractChanges(weekly_price_pence=660_000)
    )
    await drain(make_worker())
    subjects = {r.message["Subject"] for r in mail_server.received}
    assert subjects == {"[KCC-BLOCK-MAIL] Block contract changed"}
    assert {a for r in mail_server.received for a in r.rcpt_tos} >= {
        "kent_commissioner@council.test",
        "duty@harbour.test",
    }
