"""Data standards in and out: the placements data standard (export, bulk export, import), the SSDA903
episodes, and what the placing council records for them (a change of legal status, the standard's placement
details). The exports name the child by the council's own id: for the council's placement officers only, and
never kept by the response cache (each read of the child's record is audited)."""

from __future__ import annotations

import json
from datetime import date

import strawberry
from graphql import GraphQLError
from strawberry.scalars import JSON

from schema.context import Info
from schema.enums import LegalStatus, ReasonEpisodeCeased
from schema.errors import UserError, attempt, input_error
from schema.ids import from_global_id
from schema.input_bounds import OutOfBounds, checked
from schema.permissions import AUTH
from schema.types.offers import PlacementNode
from schema.types.referrals import ReferralNode
from server.domain import vocabulary as v
from server.models import Placement
from server.services import data_standards, legal_status, ssda903
from server.services.errors import ErrorCode, ServiceError

MAX_DOCUMENT_CHARACTERS = 100_000


def _refused(error: ServiceError) -> None:
    """A query's bad argument is a GraphQL error naming it; a refused object is simply absent (None)."""
    problem = next((p for p in error.problems if p.code is not ErrorCode.NOT_FOUND), None)
    if problem is not None:
        raise GraphQLError(problem.message, extensions={"code": problem.code.value, "field": problem.field})


@strawberry.type(description="A referral and its placement in the placements data standard's shape.")
class PlacementsStandardExport:
    document: JSON = strawberry.field(
        description="The standard's six entities (their field names and options), and `placementExchange`: the "
        "exchange's own fields the standard has no word for, so that an import gives the same referral back."
    )
    csv: str = strawberry.field(description="The same as one CSV row under a header of Entity.field columns.")


@strawberry.type(description="Every referral of your council written in a date range, in the standard's shape.")
class PlacementsStandardBulkExport:
    count: int
    documents: list[JSON]
    csv: str


@strawberry.type(description="One SSDA903 episode of care, in the DfE's column names and codes (dates DD/MM/YYYY).")
class Ssda903Episode:
    CHILD: str = strawberry.field(name="CHILD", description="The council's id for the child.")
    DECOM: str = strawberry.field(name="DECOM")
    RNE: str = strawberry.field(name="RNE")
    LS: str | None = strawberry.field(name="LS")
    CIN: str | None = strawberry.field(name="CIN")
    PLACE: str = strawberry.field(name="PLACE")
    PLACE_PROVIDER: str = strawberry.field(name="PLACE_PROVIDER")
    DEC: str | None = strawberry.field(name="DEC")
    REC: str | None = strawberry.field(name="REC")
    REASON_PLACE_CHANGE: str | None = strawberry.field(name="REASON_PLACE_CHANGE")
    HOME_POST: str | None = strawberry.field(name="HOME_POST")
    PL_POST: str | None = strawberry.field(name="PL_POST")
    URN: str | None = strawberry.field(name="URN")


@strawberry.type(description="A council's SSDA903 episodes for a collection year (1 April to 31 March).")
class Ssda903Export:
    collection_year: str = strawberry.field(description="e.g. 2025-26: 1 April 2025 to 31 March 2026.")
    columns: list[str]
    episodes: list[Ssda903Episode]
    csv: str


@strawberry.type
class DataStandardsQueries:
    @strawberry.field(
        permission_classes=AUTH,
        description="The referral (and its placement) in the placements data standard: its council's placement "
        "officers only (the child's id is the council's own, from the child's record; the read is audited).",
    )
    async def placements_standard_export(
        self, info: Info, referral_id: strawberry.ID
    ) -> PlacementsStandardExport | None:
        try:
            document = await data_standards.export_referral(
                info.context.actor, from_global_id(referral_id, "Referral") or 0
            )
        except ServiceError as error:
            _refused(error)
            return None
        return PlacementsStandardExport(document=document, csv=data_standards.as_csv([document]))

    @strawberry.field(
        permission_classes=AUTH,
        description="Every referral your council wrote from `since` to `until` (at most two years), in the standard.",
    )
    async def placements_standard_bulk_export(
        self, info: Info, since: date, until: date
    ) -> PlacementsStandardBulkExport | None:
        try:
            documents = await data_standards.export_range(info.context.actor, since, until)
        except ServiceError as error:
            _refused(error)
            return None
        return PlacementsStandardBulkExport(
            count=len(documents), documents=documents, csv=data_standards.as_csv(documents)
        )

    @strawberry.field(
        permission_classes=AUTH,
        description="The council's SSDA903 episodes for the collection year starting 1 April `year`: its "
        "placement officers only.",
    )
    async def ssda903_episodes(self, info: Info, council_id: strawberry.ID, year: int) -> Ssda903Export | None:
        try:
            rows = await ssda903.episodes(info.context.actor, from_global_id(council_id, "Council") or 0, year)
        except ServiceError as error:
            _refused(error)
            return None
        return Ssda903Export(
            collection_year=f"{year}-{(year + 1) % 100:02d}",
            columns=list(ssda903.COLUMNS),
            episodes=[Ssda903Episode(**row) for row in rows],
            csv=ssda903.as_csv(rows),
        )


@strawberry.input
class ImportPlacementsStandardInput:
    document: JSON = strawberry.field(description="A referral in the placements data standard's JSON (as exported).")


@strawberry.type(description="A field of the imported document the exchange did not take, and why.")
class UnmappedField:
    field: str
    value: str
    reason: str


@strawberry.type
class ImportPlacementsStandardPayload:
    referral: ReferralNode | None
    unmapped: list[UnmappedField]
    errors: list[UserError]


@strawberry.input
class RecordLegalStatusChangeInput:
    placement_id: strawberry.ID
    legal_status: LegalStatus
    effective_from: date


@strawberry.input
class SetPlacementStandardDetailsInput:
    placement_id: strawberry.ID
    education_continuity: bool | None = None
    location_preferred: bool | None = strawberry.field(default=None, description="The location was the preferred one.")
    siblings_placed_together: int | None = None
    placement_officer_name: str | None = None
    placement_date: date | None = None
    cost_officer_name: str | None = None
    cost_date: date | None = None
    care_ceased_reason: ReasonEpisodeCeased | None = strawberry.field(
        default=None, description="SSDA903 REC: why the child stopped being looked after when this placement ended."
    )


@strawberry.type
class PlacementFactsPayload:
    placement: PlacementNode | None
    errors: list[UserError]


def _bounded(value: object, path: str) -> None:
    """Every text of a document held to the bound of the field it is (by its name: summary, faith ...), and never
    a control character: OutOfBounds naming where it is (PlacementRequirements.culturalNeeds)."""
    if isinstance(value, dict):
        for key, inner in value.items():
            _bounded(inner, f"{path}.{key}" if path != "document" else str(key))
    elif isinstance(value, list):
        for inner in value:
            _bounded(inner, path)
    elif isinstance(value, str):
        try:
            checked(path.rsplit(".", 1)[-1], value)
        except OutOfBounds as error:
            raise OutOfBounds(path, error.message) from None


def _placement(value: strawberry.ID) -> int:
    return from_global_id(value, "Placement") or 0


@strawberry.type
class DataStandardsMutations:
    @strawberry.mutation(
        description="A referral in the placements data standard's JSON becomes a draft of your council; what "
        "cannot be mapped is reported field by field."
    )
    async def import_placements_standard(
        self, info: Info, input: ImportPlacementsStandardInput
    ) -> ImportPlacementsStandardPayload:
        if len(json.dumps(input.document, default=str)) > MAX_DOCUMENT_CHARACTERS:
            errors = input_error("document", f"The document is at most {MAX_DOCUMENT_CHARACTERS:,} characters.")
            return ImportPlacementsStandardPayload(referral=None, unmapped=[], errors=errors)
        try:
            _bounded(input.document, "document")
        except OutOfBounds as error:
            return ImportPlacementsStandardPayload(
                referral=None, unmapped=[], errors=input_error(error.field, error.message)
            )
        imported, errors = await attempt(
            info.context.actor, lambda actor: data_standards.import_referral(actor, input.document)
        )
        if imported is None:
            return ImportPlacementsStandardPayload(referral=None, unmapped=[], errors=errors)
        unmapped = [UnmappedField(field=u.field, value=u.value, reason=u.reason) for u in imported.unmapped]
        return ImportPlacementsStandardPayload(referral=imported.referral, unmapped=unmapped, errors=[])

    @strawberry.mutation(description="The child's legal status changed during the placement (a new 903 episode).")
    async def record_legal_status_change(
        self, info: Info, input: RecordLegalStatusChangeInput
    ) -> PlacementFactsPayload:
        async def run(actor):
            await legal_status.record_legal_status_change(
                actor,
                _placement(input.placement_id),
                legal_status=v.LegalStatus(input.legal_status),
                effective_from=input.effective_from,
            )
            return await Placement.get(id=_placement(input.placement_id))

        placement, errors = await attempt(info.context.actor, run)
        return PlacementFactsPayload(placement=placement, errors=errors)

    @strawberry.mutation(
        description="Record what the placements standard asks of a placement (placing council's officers)."
    )
    async def set_placement_standard_details(
        self, info: Info, input: SetPlacementStandardDetailsInput
    ) -> PlacementFactsPayload:
        details = data_standards.PlacementStandardDetails(
            education_continuity=input.education_continuity,
            location_preferred=input.location_preferred,
            siblings_placed_together=input.siblings_placed_together,
            placement_officer_name=input.placement_officer_name,
            placement_date=input.placement_date,
            cost_officer_name=input.cost_officer_name,
            cost_date=input.cost_date,
            care_ceased_reason=v.ReasonEpisodeCeased(input.care_ceased_reason) if input.care_ceased_reason else None,
        )
        placement, errors = await attempt(
            info.context.actor,
            lambda actor: data_standards.record_placement_details(actor, _placement(input.placement_id), details),
        )
        return PlacementFactsPayload(placement=placement, errors=errors)
