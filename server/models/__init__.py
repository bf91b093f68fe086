"""The marketplace's tables, one module per aggregate.

Every model sets `_no_comments = True`: otherwise Tortoise reads each model's source file at import to look for
"#:" field comments (which we do not use), a tenth of a second of every process's start-up."""

from server.models.block_contracts import BlockCallOff, BlockContract, BlockPlace
from server.models.child_records import ChildDocument, ChildRecord, ChildRecordAccess
from server.models.contract_management import Allegation, ContractReview, ContractReviewAction, PlacementFeedback
from server.models.events import Event, EventTopic, OutboxMessage
from server.models.framework_changes import FrameworkChange
from server.models.frameworks import Framework, FrameworkExtension, Lot, LotMembership, PriceScheduleEntry, Supplement
from server.models.geography import PostcodeDistrict
from server.models.mergers import ProviderMerger
from server.models.offers import Offer, Placement, PlacementFeeChange, PlacementLegalStatusChange, PlacementReview
from server.models.ofsted_register import OfstedRegisterEntry
from server.models.organisations import Council, Provider, ProviderTrackRecord
from server.models.questions import ReferralQuestion
from server.models.referrals import BroadcastRecipient, Referral, ReferralCounter
from server.models.reopenings import JoinApplication, Reopening
from server.models.resources import CarerHousehold, ChildrensHome, Vacancy
from server.models.suspensions import MembershipSuspension
from server.models.users import AccessToken, LoginAttempt, NotificationPreference, User

__all__ = [
    "AccessToken",
    "Allegation",
    "BlockCallOff",
    "BlockContract",
    "BlockPlace",
    "BroadcastRecipient",
    "CarerHousehold",
    "ChildDocument",
    "ChildRecord",
    "ChildRecordAccess",
    "ChildrensHome",
    "ContractReview",
    "ContractReviewAction",
    "Council",
    "Event",
    "EventTopic",
    "Framework",
    "FrameworkChange",
    "FrameworkExtension",
    "JoinApplication",
    "LoginAttempt",
    "Lot",
    "LotMembership",
    "MembershipSuspension",
    "NotificationPreference",
    "Offer",
    "OfstedRegisterEntry",
    "OutboxMessage",
    "Placement",
    "PlacementFeeChange",
    "PlacementFeedback",
    "PlacementLegalStatusChange",
    "PlacementReview",
    "PostcodeDistrict",
    "PriceScheduleEntry",
    "Provider",
    "ProviderMerger",
    "ProviderTrackRecord",
    "Referral",
    "ReferralCounter",
    "ReferralQuestion",
    "Reopening",
    "Supplement",
    "User",
    "Vacancy",
]
