from __future__ import annotations

from datetime import date

import strawberry

from schema.enums import OfstedJudgement, ProviderSector, ProviderStatus, ProviderType
from schema.ids import to_global_id
from server.models import Council, Provider


@strawberry.type(name="Council")
class CouncilNode:
    name: str
    ons_code: str
    region: str
    district: str

    @strawberry.field
    def id(self, root: Council) -> strawberry.ID:
        return to_global_id("Council", root.id)


@strawberry.type(name="Provider")
class ProviderNode:
    name: str
    provider_type: ProviderType
    sector: ProviderSector
    ofsted_urn: str
    ofsted_judgement: OfstedJudgement
    ofsted_judgement_date: date | None
    district: str
    status: ProviderStatus

    @strawberry.field
    def id(self, root: Provider) -> strawberry.ID:
        return to_global_id("Provider", root.id)
