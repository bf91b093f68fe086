"""Three years of contract-management history on the demo frameworks, before the six months of `history`.

For each framework and member council, a few placements a quarter over the twelve quarters before the six
months of referrals (each with its referral, the providers it was sent to, the accepted offer), all ended by
the time the six months begin: planned or unplanned, with notice given (28 days or fewer) or none. The rows are
written as plain inserts (server.repositories.statements.insert_rows): they are the past, nobody is to be told
of them, and the event log starts with the six months. Their referral references read like KEN-H2023-0007.
On that history and the six months', allegations (every outcome), social workers' and reviewing officers'
feedback, and a contract review a year with the frameworks' first providers, with actions (some done, some
overdue), recorded through the use cases as the lead commissioners and placing councils would.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from server.auth.actor import Actor
from server.demo.load.context import Demo
from server.domain.quarters import Quarter
from server.domain.vocabulary import (
    AllegationCategory,
    AllegationOutcome,
    AllegationReporter,
    DeclineReason,
    Duration,
    FeeBasis,
    FeedbackGiver,
    FeedbackOccasion,
    Gender,
    NeedLevel,
    OfferStatus,
    OfstedJudgement,
    PlacementSide,
    PlacementStatus,
    PlacementType,
    ReasonPlacementChanged,
    ReferralStatus,
    ReviewActionOwner,
    Role,
    Urgency,
)
from server.models import (
    Allegation,
    BroadcastRecipient,
    CarerHousehold,
    Framework,
    LotMembership,
    Offer,
    Placement,
    PlacementFeedback,
    Referral,
    User,
)
from server.repositories.statements import insert_rows
from server.repositories.track_records import bulk_load
from server.services import contract_records
from server.services.offers import copied_from as offer_copies
from server.services.placements import copied_from

QUARTERS = 12
PER_COUNCIL_QUARTER = (1, 3)
NEEDS = ["trauma", "neglect", "going_missing", "self_harm", "education_continuity", "family_contact"]
PLANNED_REASONS = [ReasonPlacementChanged.CARPL, ReasonPlacementChanged.LAREQ]
UNPLANNED_REASONS = [ReasonPlacementChanged.CREQB, ReasonPlacementChanged.CREQO, ReasonPlacementChanged.ALLEG]


async def load(demo: Demo) -> None:
    window = (demo.now - timedelta(days=190)).date()  # where the six months of history begin
    quarters = Quarter.of(window).previous().last(QUARTERS)
    for framework in demo.frameworks.values():
        await _placements(demo, framework, quarters, window)
    await _allegations_and_feedback(demo)
    for framework in demo.frameworks.values():
        await _reviews(demo, framework)


async def _placements(demo: Demo, framework: Framework, quarters: list[Quarter], window: date) -> None:
    r = demo.rng
    members = await framework.member_councils.all().order_by("name")
    memberships = await LotMembership.filter(lot__framework_id=framework.id).select_related("lot", "provider")
    # Only providers the framework would send referrals to (its Ofsted floor), on a fostering lot.
    fostering = [
        m
        for m in memberships
        if "childrens_home" not in m.lot.placement_kinds
        and OfstedJudgement(m.provider.ofsted_judgement).meets(OfstedJudgement(framework.minimum_ofsted_judgement))
    ]
    households = {m.provider_id: await CarerHousehold.filter(provider_id=m.provider_id).first() for m in fostering}
    # One membership per provider (a provider can be on several of the framework's lots).
    fostering = list({m.provider_id: m for m in fostering if households[m.provider_id] is not None}.values())
    if not members or not fostering:
        return
    authors = {u.council_id: u for u in await User.filter(council_id__in=[c.id for c in members])}
    referrals, recipients, offers, placements = [], [], [], []
    for council in members:
        author = authors.get(council.id)
        if author is None:
            continue
        for q in quarters:
            for _ in range(r.randint(*PER_COUNCIL_QUARTER)):
                membership = r.choice(fostering)
                start = q.starts_on + timedelta(days=r.randrange(q.days))
                if start >= window - timedelta(days=30):
                    continue
                published = datetime.combine(start - timedelta(days=r.randint(2, 9)), datetime.min.time(), UTC)
                published += timedelta(hours=r.randint(8, 16))
                number = len(referrals)
                spot = r.random() < 0.15
                reference = f"{council.reference_prefix}-H{q.year}-{number:04d}"
                referrals.append(
                    {
                        "reference": reference,
                        "council_id": council.id,
                        "author_id": author.id,
                        "framework_id": None if spot else framework.id,
                        "lot_id": membership.lot_id,
                        "placement_kind": r.choice(membership.lot.placement_kinds),
                        "duration": Duration.LONG_TERM,
                        "urgency": r.choice([Urgency.TODAY, Urgency.WITHIN_5_DAYS, Urgency.LATER]),
                        "need_level": NeedLevel.STANDARD,
                        "required_by": published + timedelta(days=5),
                        "status": ReferralStatus.PLACED,
                        "age_years": r.randint(5, 17),
                        "gender": r.choice([Gender.FEMALE, Gender.MALE]),
                        "home_district": council.district,
                        "needs": r.sample(NEEDS, r.randint(1, 3)),
                        "escalated_to_spot": spot,
                        "summary": "Placed before the exchange's six months of history (demo).",
                        "created_at": published - timedelta(hours=3),
                        "published_at": published,
                        "closed_at": published + timedelta(days=2),
                    }
                )
                others = [m for m in fostering if m.provider_id != membership.provider_id]
                declined = r.sample(others, min(len(others), r.randint(0, 2)))
                for other in declined:
                    recipients.append(
                        {
                            "referral_id": number,
                            "council_id": council.id,
                            "provider_id": other.provider_id,
                            "tier": other.tier,
                            "sent_at": published,
                            "responded_at": published + timedelta(hours=r.uniform(1, 30)),
                            "decline_reason": r.choice(list(DeclineReason)),
                        }
                    )
                answered = published + timedelta(hours=r.uniform(2, 40))
                recipients.append(
                    {
                        "referral_id": number,
                        "council_id": council.id,
                        "provider_id": membership.provider_id,
                        "tier": membership.tier,
                        "sent_at": published,
                        "responded_at": answered,
                    }
                )
                fee = r.randrange(80_000, 125_000, 500) if not spot else r.randrange(110_000, 160_000, 500)
                offers.append(
                    {
                        "referral_id": number,
                        "provider_id": membership.provider_id,
                        "carer_household_id": households[membership.provider_id].id,
                        "weekly_fee_pence": fee,
                        "fee_basis": FeeBasis.SPOT if spot else FeeBasis.FRAMEWORK,
                        "start_date": start,
                        "matching_statement": "Experienced carers near the child's school.",
                        "status": OfferStatus.ACCEPTED,
                        "live": None,
                        "submitted_at": answered,
                        "decided_at": answered + timedelta(hours=20),
                        **offer_copies(referrals[number]),
                    }
                )
                end = min(start + timedelta(days=r.randint(40, 540)), window - timedelta(days=1))
                planned = r.random() < 0.65
                notice = end - timedelta(days=r.choice([7, 14, 28, 35, 56])) if r.random() < 0.6 else None
                if notice is not None and notice < start:
                    notice = start
                placements.append(
                    {
                        "referral_id": number,
                        **copied_from(referrals[number]),
                        "offer_id": number,
                        "council_id": council.id,
                        "provider_id": membership.provider_id,
                        "carer_household_id": households[membership.provider_id].id,
                        "placement_type": PlacementType.U4,
                        "start_date": start,
                        "weekly_fee_pence": fee,
                        "fee_basis": FeeBasis.SPOT if spot else FeeBasis.FRAMEWORK,
                        "ipa_reference": f"IPA-{reference}",
                        "distance_miles": round(r.uniform(1, 45), 1),
                        "inside_council_area": r.random() < 0.4,
                        "status": PlacementStatus.ENDED,
                        "end_date": end,
                        "end_reason": r.choice(PLANNED_REASONS if planned else UNPLANNED_REASONS),
                        "planned_ending": planned,
                        "notice_given_on": notice,
                        "notice_given_by": PlacementSide.PROVIDER if notice and not planned else None,
                        "created_at": answered + timedelta(hours=20),
                    }
                )
    await insert_rows(Referral, referrals)
    ids = dict(await Referral.filter(reference__in=[x["reference"] for x in referrals]).values_list("reference", "id"))
    by_number = [ids[x["reference"]] for x in referrals]
    for row in (*recipients, *offers):
        row["referral_id"] = by_number[row["referral_id"]]
    async with bulk_load():  # the track-record triggers off while the history goes in: counted once after
        await insert_rows(BroadcastRecipient, recipients)
        await insert_rows(Offer, offers)
        offer_ids = dict(
            await Offer.filter(referral_id__in=by_number, status=OfferStatus.ACCEPTED).values_list("referral_id", "id")
        )
        for row in placements:
            row["referral_id"] = by_number[row["referral_id"]]
            row["offer_id"] = offer_ids[row["referral_id"]]
        await insert_rows(Placement, placements)


async def _allegations_and_feedback(demo: Demo) -> None:
    """About one placement in twelve has an allegation (every outcome); one in three has feedback."""
    r = demo.rng
    officers = {actor.council_id: actor for actor in demo.officers.values()}
    today = demo.today
    for placement in await Placement.all().order_by("id"):
        officer = officers.get(placement.council_id)
        if officer is None:
            continue
        last_day = min(placement.end_date or today, today)
        if r.random() < 1 / 12 and last_day > placement.start_date:
            reported = placement.start_date + timedelta(days=r.randrange((last_day - placement.start_date).days))
            outcome = r.choice(list(AllegationOutcome))
            concluded = min(reported + timedelta(days=r.randint(10, 60)), today)
            if outcome is not AllegationOutcome.OPEN and concluded < reported:
                outcome = AllegationOutcome.OPEN
            await contract_records.record_allegation(
                officer,
                contract_records.AllegationDetails(
                    reported_on=reported,
                    category=r.choice(list(AllegationCategory)),
                    reported_by=r.choice(list(AllegationReporter)),
                    placement_id=placement.id,
                    outcome=outcome,
                    concluded_on=None if outcome is AllegationOutcome.OPEN else concluded,
                    summary="Concern raised about supervision; strategy discussion held.",
                ),
            )
        if r.random() < 1 / 3 and last_day > placement.start_date:
            given = placement.start_date + timedelta(days=r.randrange((last_day - placement.start_date).days))
            await contract_records.record_placement_feedback(
                officer,
                placement.id,
                contract_records.FeedbackDetails(
                    given_on=given,
                    given_by=r.choice(list(FeedbackGiver)),
                    occasion=r.choice(list(FeedbackOccasion)),
                    needs_met=r.randint(2, 5),
                    communication=r.randint(2, 5),
                    stability=r.randint(1, 5),
                    comment="Carers attend every review and keep good routines.",
                ),
            )
    assert await Allegation.exists() and await PlacementFeedback.exists()


async def _reviews(demo: Demo, framework: Framework) -> None:
    """A contract review a year with each of the framework's first three providers, held by its commissioners."""
    lead = await User.filter(council_id=framework.lead_council_id, role=Role.COMMISSIONER).first()
    if lead is None:
        return
    commissioner = Actor.of(lead)
    providers = (
        await LotMembership.filter(lot__framework_id=framework.id).order_by("id").values_list("provider_id", flat=True)
    )
    today = demo.today
    for provider_id in list(dict.fromkeys(providers))[:3]:
        for years_ago in (2, 1, 0):
            held = today - timedelta(days=365 * years_ago + 40)
            review = await contract_records.record_contract_review(
                commissioner,
                framework_id=framework.id,
                provider_id=provider_id,
                held_on=held,
                notes="Annual contract review: occupancy, response times, unplanned endings and allegations.",
                actions=[
                    contract_records.ActionDetails(
                        what="Share the recruitment plan for teenage carers.",
                        owner=ReviewActionOwner.PROVIDER,
                        due_on=held + timedelta(days=60),
                    ),
                    contract_records.ActionDetails(
                        what="Send the quarter's unplanned endings for discussion.",
                        owner=ReviewActionOwner.COMMISSIONERS,
                        due_on=held + timedelta(days=30),
                    ),
                ],
            )
            if years_ago:
                for action in await review.actions.all():
                    await contract_records.update_review_action(
                        commissioner, action.id, done=True, done_on=action.due_on
                    )
