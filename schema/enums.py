"""GraphQL enums: the controlled vocabulary of server.domain.vocabulary, one to one."""

from __future__ import annotations

import strawberry

from server.domain import vocabulary as v
from server.outbox.kinds import Delivery, Notification
from server.services.errors import ErrorCode

AdditionalSupport = strawberry.enum(v.AdditionalSupport)
Adaptation = strawberry.enum(v.Adaptation)
AgeBand = strawberry.enum(v.AgeBand)
CategoryOfNeed = strawberry.enum(v.CategoryOfNeed, description="DfE category of need code")
CommunicationNeed = strawberry.enum(v.CommunicationNeed)
DeclineReason = strawberry.enum(v.DeclineReason)
Duration = strawberry.enum(v.Duration)
FeeBasis = strawberry.enum(v.FeeBasis)
Gender = strawberry.enum(v.Gender)
LeftReason = strawberry.enum(v.LeftReason)
LegalStatus = strawberry.enum(v.LegalStatus, description="DfE legal status code")
LivingAlongside = strawberry.enum(v.LivingAlongside)
Need = strawberry.enum(v.Need)
NeedLevel = strawberry.enum(v.NeedLevel)
OfferStatus = strawberry.enum(v.OfferStatus)
OfferDeclineReason = strawberry.enum(
    v.OfferDeclineReason,
    description="Why the council declined an offer (ANOTHER_OFFER_ACCEPTED: recorded, not chosen)",
)
OfstedJudgement = strawberry.enum(v.OfstedJudgement)
PetsPreference = strawberry.enum(v.PetsPreference)
PlacementKind = strawberry.enum(v.PlacementKind)
PlacementStatus = strawberry.enum(v.PlacementStatus)
PlacementType = strawberry.enum(v.PlacementType, description="DfE placement type code")
ProviderSector = strawberry.enum(v.ProviderSector, description="DfE placement provider code")
ProviderStatus = strawberry.enum(v.ProviderStatus)
ProviderType = strawberry.enum(v.ProviderType)
ReasonPlacementChanged = strawberry.enum(v.ReasonPlacementChanged, description="DfE reason code")
ReferralStatus = strawberry.enum(v.ReferralStatus)
RiskToChild = strawberry.enum(v.RiskToChild)
RiskToOthers = strawberry.enum(v.RiskToOthers)
Role = strawberry.enum(v.Role)
Setting = strawberry.enum(v.Setting)
Suitability = strawberry.enum(v.Suitability)
SupplementKind = strawberry.enum(v.SupplementKind)
SupplementUnit = strawberry.enum(v.SupplementUnit)
Urgency = strawberry.enum(v.Urgency)
VacancyStatus = strawberry.enum(v.VacancyStatus)
UserErrorCode = strawberry.enum(ErrorCode)
NotificationKind = strawberry.enum(Notification, name="NotificationKind")
NotificationDelivery = strawberry.enum(
    Delivery, name="NotificationDelivery", description="How a kind of email reaches you"
)
ChildDocumentKind = strawberry.enum(v.ChildDocumentKind)
ChildRecordAction = strawberry.enum(v.ChildRecordAction, description="What a row of a record's access trail records")
# Re-openings and mergers (issue 18).
JoinApplicationStatus = strawberry.enum(v.JoinApplicationStatus)
JoinDecision = strawberry.enum(v.JoinDecision)
MergedUsers = strawberry.enum(v.MergedUsers, description="What happens to the accounts of the provider that merges")
# Data standards in and out (issue 20).
YesNoNotSpecified = strawberry.enum(v.YesNoNotSpecified, description="The placements standard's Y / N / Not Specified")
CulturalNeedsCategory = strawberry.enum(v.CulturalNeedsCategory, description="The placements standard's culturalNeeds")
ReasonEpisodeCeased = strawberry.enum(v.ReasonEpisodeCeased, description="SSDA903 reason the episode ceased (REC)")
