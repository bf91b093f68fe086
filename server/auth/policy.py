"""The permission policy: who may see or do what, for every kind of object.

Resolvers, subscriptions, services and the portal all ask here, so tenancy is
decided in one place:
- a council sees its own referrals and every offer on them;
- a provider sees only the referrals broadcast to it (sent, not merely
  considered) and only its own offers, never another provider's offer or price;
- councils see the frameworks they are on, with every member's prices; the lead
  council's commissioners manage members and prices;
- platform admins administer;
- questions before offering are between the owning council and the asking provider; an answer the
  council shares with every provider the referral was sent to is theirs too, without who asked;
- the child's identified record (name, NHS number, documents) is the placing council's placement officers',
  and, once an offer is accepted, the chosen provider's to read until the council revokes it or a set
  time after the placement ends; nobody else's, platform admins included.
Scoping functions narrow a queryset (every list, every data loader of tenant
data); predicates answer for one loaded object or for what a role may do at all.
An object the actor may not see is "not found", exactly as if it did not exist,
so that nobody can probe for another tenant's ids; "permission denied" is only
for an object the actor can see but may not change.
"""

from __future__ import annotations

from datetime import date, timedelta

from tortoise.expressions import Q, Subquery
from tortoise.queryset import QuerySet

from server.auth.actor import Actor
from server.domain.vocabulary import Role
from server.models import (
    AccessToken,
    BlockContract,
    BroadcastRecipient,
    CarerHousehold,
    ChildDocument,
    ChildRecord,
    ChildrensHome,
    Council,
    Framework,
    JoinApplication,
    Lot,
    LotMembership,
    Offer,
    OutboxMessage,
    Placement,
    PriceScheduleEntry,
    Provider,
    Referral,
    ReferralQuestion,
    Reopening,
    Supplement,
    User,
    Vacancy,
)
from server.models.contract_management import Allegation, ContractReview, PlacementFeedback

NOTHING = Q(id__in=[])


# --- referrals ------------------------------------------------------------------


def scope_referrals(actor: Actor, query: QuerySet[Referral]) -> QuerySet[Referral]:
    if actor.is_admin:
        return query
    if actor.is_council:
        return query.filter(council_id=actor.council_id)
    if actor.is_provider:
        return query.filter(recipients__provider_id=actor.provider_id, recipients__sent_at__isnull=False)
    return query.filter(NOTHING)


def inbox_provider(actor: Actor) -> int | None:
    """The provider whose inbox is exactly what scope_referrals lets this actor see (provider staff: the referrals
    sent to their organisation), or None when the actor's scope is not one provider's inbox (admins, councils,
    nobody). For the one plain statement that reads a provider's inbox page (repositories.referrals)."""
    if actor.is_admin or actor.is_council or not actor.is_provider:
        return None
    return actor.provider_id


async def may_view_referral(actor: Actor, referral: Referral) -> bool:
    if actor.is_admin:
        return True
    if actor.is_council:
        return referral.council_id == actor.council_id
    if actor.is_provider:
        return await BroadcastRecipient.exists(
            referral_id=referral.id, provider_id=actor.provider_id, sent_at__isnull=False
        )
    return False


def may_oversee_referral(actor: Actor, referral: Referral) -> bool:
    """The owning council (any of its staff) and admins see the whole market on a referral.

    Every offer on it, how many are live, who was asked and who declined, the ranking, offers as they arrive.
    """
    return actor.is_admin or (actor.is_council and referral.council_id == actor.council_id)


def has_referral_inbox(actor: Actor) -> bool:
    """Provider staff are sent referrals and answer them with offers: an inbox, their own offers."""
    return actor.is_provider


def may_write_referral(actor: Actor, referral: Referral | None = None) -> bool:
    """Placement officers write, publish and withdraw their own council's referrals."""
    if actor.role is not Role.PLACEMENT_OFFICER or actor.council_id is None:
        return False
    return referral is None or referral.council_id == actor.council_id


def may_decide_offers(actor: Actor, referral: Referral) -> bool:
    return may_write_referral(actor, referral)


async def may_respond_to_referral(actor: Actor, referral: Referral) -> bool:
    """Provider staff answer referrals that were sent to their organisation."""
    return has_referral_inbox(actor) and await may_view_referral(actor, referral)


def scope_broadcast_recipients(actor: Actor, query: QuerySet[BroadcastRecipient]) -> QuerySet[BroadcastRecipient]:
    """Who was asked is the owning council's business; a provider sees only its own row."""
    if actor.is_admin:
        return query
    if actor.is_council:
        return query.filter(referral__council_id=actor.council_id)
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    return query.filter(NOTHING)


# --- questions before offering -------------------------------------------------------


async def may_ask_question(actor: Actor, referral: Referral) -> bool:
    """Staff of a provider the referral was sent to ask its council questions (before they offer)."""
    return await may_respond_to_referral(actor, referral)


def may_answer_question(actor: Actor, referral: Referral) -> bool:
    """The owning council's placement officers answer them."""
    return may_write_referral(actor, referral)


async def scope_referral_questions(
    actor: Actor, referral: Referral, query: QuerySet[ReferralQuestion]
) -> QuerySet[ReferralQuestion]:
    """The questions on one referral the actor sees: all of them for the owning council (and admins); for a
    provider it was sent to, its own and the answers the council shared with every provider; else none."""
    query = query.filter(referral_id=referral.id)
    if may_oversee_referral(actor, referral):
        return query
    if await may_ask_question(actor, referral):
        return query.filter(Q(provider_id=actor.provider_id) | Q(shared_with_all=True, answered_at__isnull=False))
    return query.filter(NOTHING)


def asked_by_actors_organisation(actor: Actor, question: ReferralQuestion) -> bool:
    return actor.is_provider and question.provider_id == actor.provider_id


def may_see_who_asked(actor: Actor, referral: Referral, question: ReferralQuestion) -> bool:
    """Which provider asked is the council's to know (and the asker's own); never another provider's."""
    return may_oversee_referral(actor, referral) or asked_by_actors_organisation(actor, question)


# --- offers ---------------------------------------------------------------------


def scope_offers(actor: Actor, query: QuerySet[Offer]) -> QuerySet[Offer]:
    if actor.is_admin:
        return query
    if actor.is_council:
        return query.filter(referral__council_id=actor.council_id)
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    return query.filter(NOTHING)


def own_offers_provider(actor: Actor) -> int | None:
    """The provider whose offers are exactly what scope_offers lets this actor see (provider staff: their own
    organisation's), or None when the actor's scope is not one provider's offers (admins, councils, nobody).

    For loaders that read several providers' offers in one statement and hand each provider only its own."""
    if actor.is_admin or actor.is_council or not actor.is_provider:
        return None
    return actor.provider_id


def scope_my_offers(actor: Actor, query: QuerySet[Offer]) -> QuerySet[Offer]:
    """The asking provider's own offers; nobody else (admins included) has offers of their own."""
    if has_referral_inbox(actor):
        return query.filter(provider_id=actor.provider_id)
    return query.filter(NOTHING)


def may_view_offer(actor: Actor, offer: Offer, referral_council_id: int) -> bool:
    if actor.is_admin:
        return True
    if actor.is_council:
        return referral_council_id == actor.council_id
    if actor.is_provider:
        return offer.provider_id == actor.provider_id
    return False


def may_see_offer_decision(actor: Actor, offer: Offer, referral_council_id: int) -> bool:
    """Why the council declined an offer is between that council and the offering provider: nobody else."""
    if actor.is_council:
        return referral_council_id == actor.council_id
    return actor.is_provider and offer.provider_id == actor.provider_id


def may_manage_own_offer(actor: Actor, offer: Offer) -> bool:
    return actor.is_provider and offer.provider_id == actor.provider_id


# --- the child's identified record --------------------------------------------------


def may_keep_child_record(actor: Actor, referral: Referral) -> bool:
    """The placing council's placement officers write the child's record, add its documents, revoke the
    provider's access and read who saw it. Not its commissioners, not another council, not platform admins."""
    return may_write_referral(actor, referral)


def may_read_child_record(
    actor: Actor,
    referral: Referral,
    placement: Placement | None,
    record: ChildRecord | None,
    today: date,
    days_after_end: int,
) -> bool:
    """The keepers always; the chosen provider's staff once its offer is accepted (the referral's placement
    is theirs), until the council revokes access or `days_after_end` days after the placement's end date.
    No other provider ever, whatever it was sent or offered."""
    if may_keep_child_record(actor, referral):
        return True
    if not actor.is_provider or placement is None or record is None or placement.referral_id != referral.id:
        return False
    if placement.provider_id != actor.provider_id or record.access_revoked_at is not None:
        return False
    return placement.end_date is None or today <= placement.end_date + timedelta(days=days_after_end)


def may_read_shared_document(
    actor: Actor, document: ChildDocument, placement: Placement | None, shortlisted_provider_ids: set[int]
) -> bool:
    """A document the council marked anonymised and shared is also for the providers whose offer on the
    referral it shortlisted, while no offer is accepted (then the chosen provider reads the whole record)."""
    if document.shared_at is None or placement is not None or not actor.is_provider:
        return False
    return actor.provider_id in shortlisted_provider_ids


# --- providers' resources --------------------------------------------------------


def may_manage_provider(actor: Actor, provider_id: int) -> bool:
    """Provider staff manage their own households, homes and vacancies; admins any."""
    return actor.is_admin or (actor.is_provider and actor.provider_id == provider_id)


def may_post_vacancy(actor: Actor) -> bool:
    """Provider staff post vacancies in their own households and homes."""
    return actor.is_provider


def scope_carer_households(actor: Actor, query: QuerySet[CarerHousehold]) -> QuerySet[CarerHousehold]:
    if actor.is_admin:
        return query
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    return query.filter(NOTHING)


def scope_childrens_homes(actor: Actor, query: QuerySet[ChildrensHome]) -> QuerySet[ChildrensHome]:
    if actor.is_admin:
        return query
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    return query.filter(NOTHING)


def scope_vacancies(actor: Actor, query: QuerySet[Vacancy]) -> QuerySet[Vacancy]:
    """Providers see their own; councils see those of providers on their frameworks."""
    if actor.is_admin:
        return query
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    if actor.is_council:
        return query.filter(
            provider__lot_memberships__lot__framework__member_councils__id=actor.council_id,
            provider__lot_memberships__left_on__isnull=True,
        ).distinct()
    return query.filter(NOTHING)


def may_watch_vacancies(actor: Actor) -> bool:
    """The live vacancy feed is for council staff: vacancy events concern the councils on the provider's frameworks."""
    return actor.is_council


# --- frameworks, prices, placements ------------------------------------------------


def scope_frameworks(actor: Actor, query: QuerySet[Framework]) -> QuerySet[Framework]:
    if actor.is_admin:
        return query
    return query.filter(_frameworks_seen(actor)).distinct()


def _frameworks_seen(actor: Actor) -> Q:
    """Councils see the frameworks they are on or lead; providers those they have a lot on."""
    if actor.is_council:
        return Q(member_councils__id=actor.council_id) | Q(lead_council_id=actor.council_id)
    if actor.is_provider:
        return Q(lots__memberships__provider_id=actor.provider_id)
    return NOTHING


def _framework_ids_seen(actor: Actor) -> Subquery:
    # An IN list needs no DISTINCT (which PostgreSQL refuses beside the model's ORDER BY).
    return Subquery(Framework.filter(_frameworks_seen(actor)).values("id"))


def scope_lots(actor: Actor, query: QuerySet[Lot]) -> QuerySet[Lot]:
    """The lots of the frameworks the actor sees."""
    if actor.is_admin:
        return query
    return query.filter(framework_id__in=_framework_ids_seen(actor))


def scope_lot_memberships(actor: Actor, query: QuerySet[LotMembership]) -> QuerySet[LotMembership]:
    """A provider sees only its own memberships; councils every member of the frameworks they see."""
    if actor.is_admin:
        return query
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    if actor.is_council:
        return query.filter(lot__framework_id__in=_framework_ids_seen(actor))
    return query.filter(NOTHING)


def scope_price_entries(actor: Actor, query: QuerySet[PriceScheduleEntry]) -> QuerySet[PriceScheduleEntry]:
    """A provider sees its own prices; a council sees the prices of its frameworks."""
    return _scope_prices(actor, query)


def scope_supplements(actor: Actor, query: QuerySet[Supplement]) -> QuerySet[Supplement]:
    """Supplements are prices too: the same rule as the price schedule."""
    return _scope_prices(actor, query)


def _scope_prices(actor: Actor, query: QuerySet) -> QuerySet:
    if actor.is_admin:
        return query
    if actor.is_provider:
        return query.filter(membership__provider_id=actor.provider_id)
    if actor.is_council:
        return query.filter(membership__lot__framework__member_councils__id=actor.council_id)
    return query.filter(NOTHING)


def may_administer_framework(actor: Actor, framework: Framework) -> bool:
    """Admins, and commissioners of the lead council, manage membership and prices."""
    if actor.is_admin:
        return True
    return actor.role is Role.COMMISSIONER and actor.council_id == framework.lead_council_id


def scope_placements(actor: Actor, query: QuerySet[Placement]) -> QuerySet[Placement]:
    if actor.is_admin:
        return query
    if actor.is_council:
        return query.filter(council_id=actor.council_id)
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    return query.filter(NOTHING)


def may_end_placement(actor: Actor, placement: Placement) -> bool:
    """The council ends a placement, or the provider gives notice."""
    if actor.role is Role.PLACEMENT_OFFICER:
        return placement.council_id == actor.council_id
    return actor.is_provider and placement.provider_id == actor.provider_id


def may_read_placement(actor: Actor, placement: Placement) -> bool:
    """A placement's agreement and life: the placing council's staff (its commissioners read), the
    placement's provider. Anyone else (another organisation, platform admins): missing."""
    if actor.is_council:
        return placement.council_id == actor.council_id
    return actor.is_provider and placement.provider_id == actor.provider_id


def may_act_for_council_on_placement(actor: Actor, placement: Placement) -> bool:
    """The placing council's placement officers confirm, review, change fees, give notice, step across."""
    return actor.role is Role.PLACEMENT_OFFICER and placement.council_id == actor.council_id


def may_act_for_provider_on_placement(actor: Actor, placement: Placement) -> bool:
    """The placement's provider's staff confirm, propose or agree fees and give notice."""
    return actor.is_provider and placement.provider_id == actor.provider_id


def may_see_identified_agreement(actor: Actor, placement: Placement) -> bool:
    """The agreement names the child only for the placing council's placement officers and the chosen
    provider (the child record's own policy then decides, and audits the read)."""
    return may_act_for_council_on_placement(actor, placement) or may_act_for_provider_on_placement(actor, placement)


def has_dashboard(actor: Actor) -> bool:
    """Figures are per organisation: council and provider staff have a dashboard, admins none."""
    return actor.is_council or actor.is_provider


# --- accounts ---------------------------------------------------------------------


def may_administer(actor: Actor) -> bool:
    return actor.is_admin


def scope_parked_mail(actor: Actor, query: QuerySet[OutboxMessage]) -> QuerySet[OutboxMessage]:
    """Parked email names its recipients and what they were told: platform admins only."""
    return query if may_administer(actor) else query.filter(NOTHING)


def may_create_user(actor: Actor, role: Role, provider_id: int | None) -> bool:
    """Admins create anyone; provider admins their own staff."""
    if role not in grantable_roles(actor):
        return False
    return may_administer(actor) or provider_id == actor.provider_id


def grantable_roles(actor: Actor) -> list[Role]:
    """The roles the actor may give a new account: every role for admins, provider roles for provider admins."""
    if may_administer(actor):
        return list(Role)
    if actor.role is Role.PROVIDER_ADMIN and actor.provider_id is not None:
        return [role for role in Role if role.is_provider]
    return []


def scope_users(actor: Actor, query: QuerySet[User]) -> QuerySet[User]:
    """Who has an account: admins see everyone, provider admins their own organisation's staff."""
    if may_administer(actor):
        return query
    if actor.role is Role.PROVIDER_ADMIN and actor.provider_id is not None:
        return query.filter(provider_id=actor.provider_id)
    return query.filter(NOTHING)


def scope_api_tokens(actor: Actor, query: QuerySet[AccessToken]) -> QuerySet[AccessToken]:
    """API tokens: everyone sees their own (revokeApiToken revokes those); admins every user's."""
    query = query.filter(kind="api")
    return query if may_administer(actor) else query.filter(user_id=actor.user_id)


def scope_providers(actor: Actor, query: QuerySet[Provider]) -> QuerySet[Provider]:
    """The register of providers on the exchange, for those who put providers on lots: admins and commissioners.

    Providers are on Ofsted's public register; what is tenant data about them (their memberships and prices)
    is scoped by scope_lot_memberships and scope_price_entries wherever it is reached.
    """
    if may_administer(actor) or (actor.role is Role.COMMISSIONER and actor.council_id is not None):
        return query
    return query.filter(NOTHING)


# --- a framework's life (create, edit, extend, lots, terminations; its audit trail) -----------------------


def may_create_framework(actor: Actor, lead_council_id: int) -> bool:
    """Admins create any framework; a commissioner one that its own council leads."""
    return actor.is_admin or (actor.role is Role.COMMISSIONER and actor.council_id == lead_council_id)


def may_read_framework_changes(actor: Actor, framework: Framework) -> bool:
    """The audit trail is for those who manage the framework: its lead council's commissioners and admins."""
    return may_administer_framework(actor, framework)


# --- re-openings and mergers (issue 18) -------------------------------------------------


def may_open_reopening(actor: Actor, framework: Framework) -> bool:
    """The framework's lead commissioners (and admins) open a re-opening and decide who joins."""
    return may_administer_framework(actor, framework)


def may_decide_join_application(actor: Actor, framework: Framework) -> bool:
    return may_administer_framework(actor, framework)


def may_apply_to_join(actor: Actor) -> bool:
    """A provider's admins apply, for their own organisation, to join the lots of an open re-opening."""
    return actor.role is Role.PROVIDER_ADMIN and actor.provider_id is not None


def scope_reopenings(actor: Actor, query: QuerySet[Reopening], today: date) -> QuerySet[Reopening]:
    """An open re-opening is a public invitation: provider staff see every window open today. Councils see the
    windows of the frameworks they are on or lead, past ones too; admins all."""
    if actor.is_admin:
        return query
    if actor.is_provider:
        return query.filter(opens_on__lte=today, closes_on__gte=today)
    if actor.is_council:
        return query.filter(framework_id__in=_framework_ids_seen(actor))
    return query.filter(NOTHING)


def scope_join_applications(actor: Actor, query: QuerySet[JoinApplication]) -> QuerySet[JoinApplication]:
    """The lead council's commissioners see their frameworks' applications; a provider's staff its own."""
    if actor.is_admin:
        return query
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    if actor.role is Role.COMMISSIONER and actor.council_id is not None:
        return query.filter(reopening__framework__lead_council_id=actor.council_id)
    return query.filter(NOTHING)


def may_merge_providers(actor: Actor) -> bool:
    """Mergers rewrite two providers' register entries, resources and accounts: platform admins only."""
    return actor.is_admin


# --- suspensions from a framework lot (server/services/suspensions.py) --------------------------------------


def may_suspend_membership(actor: Actor, framework: Framework) -> bool:
    """Suspending a member from referrals, and lifting it, is the framework's management: its lead council's
    commissioners and platform admins."""
    return may_administer_framework(actor, framework)


# --- data standards in and out (issue 20) ---------------------------------------------------------------


def may_export_child_data(actor: Actor, council_id: int) -> bool:
    """The placements standard's export and the SSDA903 episodes name the child by the council's own id (from
    the child's identified record): the council's placement officers export its own, nobody else."""
    return actor.role is Role.PLACEMENT_OFFICER and actor.council_id == council_id


def may_import_referrals(actor: Actor) -> bool:
    """An imported referral is a draft of the importer's council: its placement officers import."""
    return may_write_referral(actor)


def may_record_placement_facts(actor: Actor, placement: Placement) -> bool:
    """The placing council's placement officers record a change of legal status and the standard's details."""
    return may_act_for_council_on_placement(actor, placement)


# --- block contracts ------------------------------------------------------------------


def _block_parties(actor: Actor) -> Q:
    """A council's own contracts and its consortia's (the frameworks it leads or is a member of)."""
    return (
        Q(council_id=actor.council_id)
        | Q(framework__member_councils__id=actor.council_id)
        | Q(framework__lead_council_id=actor.council_id)
    )


def scope_block_contracts(actor: Actor, query: QuerySet[BlockContract]) -> QuerySet[BlockContract]:
    """The councils party to a block contract and its provider see it; nobody else."""
    if actor.is_admin:
        return query
    if actor.is_council:
        return query.filter(id__in=Subquery(BlockContract.filter(_block_parties(actor)).values("id")))
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    return query.filter(NOTHING)


def may_manage_block_contract(actor: Actor, *, council_id: int | None, framework: Framework | None) -> bool:
    """Admins; a council's commissioners its own contracts; a consortium's, the lead council's commissioners."""
    if actor.is_admin:
        return True
    if actor.role is not Role.COMMISSIONER or actor.council_id is None:
        return False
    if framework is not None:
        return framework.lead_council_id == actor.council_id
    return council_id == actor.council_id


def may_choose_block_places(actor: Actor) -> bool:
    """Who makes block contracts chooses among a provider's homes and households: commissioners and admins."""
    return actor.is_admin or (actor.role is Role.COMMISSIONER and actor.council_id is not None)


# --- contract management (issue 17) -----------------------------------------------------------------
# The framework's lead commissioners (the lead council's commissioners) see every member council's and every
# provider's figures and records; a member council its own figures beside the consortium's totals; a provider
# its own scorecard beside the consortium's average, never another provider's figures.


def is_lead_commissioner(actor: Actor, framework: Framework) -> bool:
    return actor.role is Role.COMMISSIONER and actor.council_id == framework.lead_council_id


def may_see_framework_figures(actor: Actor, framework: Framework) -> bool:
    """A framework's quarter, with every member council and provider: its lead commissioners."""
    return is_lead_commissioner(actor, framework)


def may_see_council_figures(actor: Actor, framework: Framework, council_id: int) -> bool:
    """A member council's quarter beside the consortium's totals: its own staff, and the lead commissioners."""
    return is_lead_commissioner(actor, framework) or (actor.is_council and actor.council_id == council_id)


def may_see_provider_scorecard(actor: Actor, framework: Framework, provider_id: int) -> bool:
    """A provider's scorecard beside the consortium's average: its own staff, and the lead commissioners."""
    return is_lead_commissioner(actor, framework) or (actor.is_provider and actor.provider_id == provider_id)


def scope_allegations(actor: Actor, query: QuerySet[Allegation]) -> QuerySet[Allegation]:
    """The placing council's staff, the provider's, and the lead commissioners of a framework the placing
    council is a member of (or, with no placing council, a framework the provider is on)."""
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    if not actor.is_council:
        return query.filter(NOTHING)
    if actor.role is not Role.COMMISSIONER:
        return query.filter(council_id=actor.council_id)
    members = Subquery(Council.filter(frameworks__lead_council_id=actor.council_id).values("id"))
    providers = Subquery(LotMembership.filter(lot__framework__lead_council_id=actor.council_id).values("provider_id"))
    return query.filter(
        Q(council_id=actor.council_id)
        | Q(council_id__in=members)
        | Q(council_id__isnull=True, provider_id__in=providers)
    )


def may_write_allegation(actor: Actor, allegation: Allegation) -> bool:
    """Written (and updated) by the placing council's staff or the provider's."""
    if actor.is_provider:
        return allegation.provider_id == actor.provider_id
    return actor.is_council and allegation.council_id == actor.council_id


def scope_placement_feedback(actor: Actor, query: QuerySet[PlacementFeedback]) -> QuerySet[PlacementFeedback]:
    """As allegations: the placing council's staff, the provider's (its scores are part of its contract
    monitoring), and the lead commissioners of a framework the placing council is a member of."""
    if actor.is_provider:
        return query.filter(placement__provider_id=actor.provider_id)
    if not actor.is_council:
        return query.filter(NOTHING)
    if actor.role is not Role.COMMISSIONER:
        return query.filter(placement__council_id=actor.council_id)
    members = Subquery(Council.filter(frameworks__lead_council_id=actor.council_id).values("id"))
    return query.filter(Q(placement__council_id=actor.council_id) | Q(placement__council_id__in=members))


def may_give_placement_feedback(actor: Actor, placement: Placement) -> bool:
    """The placing council records its social worker's or reviewing officer's feedback."""
    return actor.is_council and placement.council_id == actor.council_id


def may_hold_contract_review(actor: Actor, framework: Framework) -> bool:
    return is_lead_commissioner(actor, framework)


def scope_contract_reviews(actor: Actor, query: QuerySet[ContractReview]) -> QuerySet[ContractReview]:
    """A provider's own reviews; the lead commissioners' of the frameworks they lead."""
    if actor.is_provider:
        return query.filter(provider_id=actor.provider_id)
    if actor.role is Role.COMMISSIONER and actor.council_id is not None:
        return query.filter(framework__lead_council_id=actor.council_id)
    return query.filter(NOTHING)


# --- contract-management exports (issue 17) --------------------------------------------


async def placement_export_scope(actor: Actor, framework: Framework) -> tuple[list[int], int | None] | None:
    """Whose placements a framework's export of placements holds, as (council ids, provider id or None):
    the lead council's commissioners every member council's; another member council's staff their own
    council's; a provider on the framework its own placements with the members. None (missing) for anyone
    else, platform admins included (they read no placements)."""
    members = [pk for pk in await framework.member_councils.all().values_list("id", flat=True)]
    members = sorted({*members, framework.lead_council_id})
    if actor.is_council:
        if is_lead_commissioner(actor, framework):
            return members, None
        return ([actor.council_id], None) if actor.council_id in members else None
    if actor.is_provider:
        on_framework = await Framework.filter(
            id=framework.id, lots__memberships__provider_id=actor.provider_id
        ).exists()
        return (members, actor.provider_id) if on_framework else None
    return None
