"""The controlled vocabulary of children's placement commissioning.

Every enum here is a word of the field (DOMAIN.md). Where a national statistical
code exists (the DfE's SSDA903 return on looked-after children) the enum value
*is* that code, so data can be reported without mapping. Other values follow the
SocialCareData placements standard in lower snake case.

The same enums back the database columns (CharEnumField), the GraphQL enums and
the portal's option lists, so a word is defined exactly once.
"""

from __future__ import annotations

from enum import Enum


class LabelledEnum(str, Enum):
    """A string enum whose members also carry the words a person reads."""

    label: str

    def __new__(cls, value: str, label: str | None = None) -> LabelledEnum:
        member = str.__new__(cls, value)
        member._value_ = value
        member.label = label or value.replace("_", " ").capitalize()
        return member

    def __str__(self) -> str:
        return self.value


# --- organisations and people -------------------------------------------------


class ProviderType(LabelledEnum):
    IFA = "ifa", "Independent fostering agency"
    CHILDRENS_HOMES = "childrens_homes", "Children's homes"
    BOTH = "both", "Fostering and children's homes"


class ProviderStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    SUSPENDED = "suspended", "Suspended"
    CLOSED = "closed", "Closed"
    MERGED = "merged", "Merged into another provider"


class ProviderSector(LabelledEnum):
    """DfE placement provider codes for independent providers."""

    PR4 = "PR4", "Private provision"
    PR5 = "PR5", "Voluntary or third sector provision"


class OfstedJudgement(LabelledEnum):
    OUTSTANDING = "outstanding", "Outstanding"
    GOOD = "good", "Good"
    REQUIRES_IMPROVEMENT = "requires_improvement", "Requires improvement to be good"
    INADEQUATE = "inadequate", "Inadequate"
    NOT_YET_INSPECTED = "not_yet_inspected", "Not yet inspected"

    @property
    def rank(self) -> int:
        """Higher is better; a new registration ranks with Requires improvement."""
        return _JUDGEMENT_RANK[self]

    def meets(self, minimum: OfstedJudgement) -> bool:
        return self.rank >= minimum.rank


_JUDGEMENT_RANK = {
    OfstedJudgement.OUTSTANDING: 4,
    OfstedJudgement.GOOD: 3,
    OfstedJudgement.REQUIRES_IMPROVEMENT: 2,
    OfstedJudgement.NOT_YET_INSPECTED: 2,
    OfstedJudgement.INADEQUATE: 1,
}


class Role(LabelledEnum):
    PLACEMENT_OFFICER = "placement_officer", "Placement officer"
    COMMISSIONER = "commissioner", "Commissioner"
    PROVIDER_RESPONDER = "provider_responder", "Provider responder"
    PROVIDER_ADMIN = "provider_admin", "Provider admin"
    PLATFORM_ADMIN = "platform_admin", "Platform admin"

    @property
    def is_council(self) -> bool:
        return self in (Role.PLACEMENT_OFFICER, Role.COMMISSIONER)

    @property
    def is_provider(self) -> bool:
        return self in (Role.PROVIDER_RESPONDER, Role.PROVIDER_ADMIN)


# --- frameworks ---------------------------------------------------------------


class PlacementKind(LabelledEnum):
    CORE_FOSTERING = "core_fostering", "Core fostering"
    ENHANCED_FOSTERING = "enhanced_fostering", "Enhanced / complex fostering"
    SPECIALIST_FOSTERING = "specialist_fostering", "Specialist or therapeutic fostering"
    PARENT_AND_CHILD = "parent_and_child", "Parent and child"
    SIBLING_GROUP = "sibling_group", "Sibling group"
    SOLO = "solo", "Solo placement"
    DISABLED_CHILDREN = "disabled_children", "Disabled children"
    STEP_DOWN = "step_down", "Step-down from residential to fostering"
    CHILDRENS_HOME = "childrens_home", "Children's home bed"

    @property
    def is_residential(self) -> bool:
        return self is PlacementKind.CHILDRENS_HOME


class Duration(LabelledEnum):
    EMERGENCY = "emergency", "Emergency"
    SHORT_TERM = "short_term", "Short term"
    LONG_TERM = "long_term", "Long term / permanent"
    RESPITE = "respite", "Respite / short breaks"
    REMAND = "remand", "Remand"


class Urgency(LabelledEnum):
    """The placements standard's urgency: needed today, within 5 days, later."""

    TODAY = "today", "Needed today"
    WITHIN_5_DAYS = "within_5_days", "Within 5 days"
    LATER = "later", "Planned (later)"


class AgeBand(LabelledEnum):
    AGE_0_4 = "0-4", "0-4"
    AGE_5_10 = "5-10", "5-10"
    AGE_11_15 = "11-15", "11-15"
    AGE_16_18 = "16-18", "16-18"

    @classmethod
    def for_age(cls, age: int) -> AgeBand:
        if age < 0 or age > 18:
            raise ValueError(f"age {age} is outside 0-18")
        if age <= 4:
            return cls.AGE_0_4
        if age <= 10:
            return cls.AGE_5_10
        if age <= 15:
            return cls.AGE_11_15
        return cls.AGE_16_18


class NeedLevel(LabelledEnum):
    STANDARD = "standard", "Standard"
    ADDITIONAL_SUPPORT = "additional_support", "With additional support"
    INTENSIVE_SUPPORT = "intensive_support", "With intensive support"
    SPECIALIST = "specialist", "Specialist"


class SupplementKind(LabelledEnum):
    SOLO = "solo", "Solo placement"
    EMERGENCY = "emergency", "Emergency placement"
    SIBLING = "sibling", "Each additional sibling"
    ADDITIONAL_SUPPORT_HOURS = "additional_support_hours", "Additional support (per hour a week)"


class SupplementUnit(LabelledEnum):
    PER_WEEK = "per_week", "per week"
    PER_HOUR = "per_hour", "per hour a week"
    PER_CHILD = "per_child", "per additional child a week"


class LeftReason(LabelledEnum):
    TERMINATED = "terminated", "Terminated"
    MERGED = "merged", "Merged into another provider"
    WITHDREW = "withdrew", "Withdrew"


# --- the child's anonymised profile (placements standard) ------------------------


class Gender(LabelledEnum):
    FEMALE = "female", "Female"
    MALE = "male", "Male"
    OTHER = "other", "Other / not stated"


class Need(LabelledEnum):
    CRIMINAL_EXPLOITATION = "criminal_exploitation", "Criminal exploitation"
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Sexual exploitation"
    NEGLECT = "neglect", "Long history of neglect"
    DOMESTIC_ABUSE = "domestic_abuse", "Domestic abuse"
    TRAUMA = "trauma", "Trauma"
    GOING_MISSING = "going_missing", "Going missing"
    SELF_HARM = "self_harm", "Self-harm"
    MENTAL_HEALTH = "mental_health", "Mental health"
    PHYSICAL_DISABILITY = "physical_disability", "Physical disability"
    LEARNING_DISABILITY = "learning_disability", "Learning disability"
    AUTISM = "autism", "Autism"
    UASC = "uasc", "Unaccompanied asylum seeking child"
    LANGUAGE = "language", "Language needs"
    FAITH = "faith", "Faith needs"
    EDUCATION_CONTINUITY = "education_continuity", "Keep the same school"
    FAMILY_CONTACT = "family_contact", "Family contact arrangements"


class RiskToChild(LabelledEnum):
    SELF_HARM = "self_harm", "Self-harm"
    SEXUAL_EXPLOITATION = "sexual_exploitation", "Sexual exploitation"
    CRIMINAL_EXPLOITATION = "criminal_exploitation", "Criminal exploitation"
    DRUGS_AND_ALCOHOL = "drugs_and_alcohol", "Drugs and alcohol"
    EATING_DISORDER = "eating_disorder", "Eating disorder"
    GOING_MISSING = "going_missing", "Going missing"
    OTHER = "other", "Other risk to the child"


class RiskToOthers(LabelledEnum):
    PHYSICAL_HARM = "physical_harm", "Physical harm"
    SEXUAL_HARM = "sexual_harm", "Sexual harm"
    FIRE_SETTING = "fire_setting", "Fire-setting"
    HARM_TO_ANIMALS = "harm_to_animals", "Harm to animals"
    CRIMINAL_EXPLOITATION = "criminal_exploitation", "Criminal exploitation of others"
    OTHER = "other", "Other risk to others or property"


class CommunicationNeed(LabelledEnum):
    ESOL = "esol", "English for speakers of other languages"
    BSL = "bsl", "British Sign Language"
    MAKATON = "makaton", "Makaton"
    OTHER = "other", "Other communication need"


class LivingAlongside(LabelledEnum):
    SOLO_RECOMMENDED = "solo_recommended", "Solo recommended"
    WITH_OTHER_CHILDREN = "with_other_children", "With other children"
    ONLY_OLDER = "only_older", "Only with older children"
    ONLY_YOUNGER = "only_younger", "Only with younger children"
    NO_PREFERENCE = "no_preference", "No preference"


class PetsPreference(LabelledEnum):
    """Whether the child can live with pets."""

    MUST = "must", "Must live with pets"
    CAN = "can", "Can live with pets"
    NO = "no", "Cannot live with pets"
    UNKNOWN = "unknown", "Unknown"


class AdditionalSupport(LabelledEnum):
    EXTRA_SUPERVISION = "extra_supervision", "Extra supervision"
    THERAPEUTIC_SUPPORT = "therapeutic_support", "Therapeutic support"
    RESPITE_WORKER = "respite_worker", "Respite worker"
    TRANSPORT_TO_SCHOOL = "transport_to_school", "Transport to school"


class Adaptation(LabelledEnum):
    WHEELCHAIR_ACCESS = "wheelchair_access", "Wheelchair access"
    GROUND_FLOOR_BEDROOM = "ground_floor_bedroom", "Ground-floor bedroom"
    SENSORY_ROOM = "sensory_room", "Sensory adaptations"
    HOIST = "hoist", "Hoist / moving and handling equipment"


class Setting(LabelledEnum):
    FOSTER_CARE = "foster_care", "Foster care"
    RESIDENTIAL_CARE = "residential_care", "Residential care"
    SUPPORTED_ACCOMMODATION = "supported_accommodation", "Supported accommodation"


class Suitability(LabelledEnum):
    PREFERRED = "preferred", "Preferred"
    SUITABLE = "suitable", "Suitable"
    UNSUITABLE = "unsuitable", "Unsuitable"


class LegalStatus(LabelledEnum):
    C1 = "C1", "Interim care order"
    C2 = "C2", "Full care order"
    E1 = "E1", "Placement order"
    V2 = "V2", "Single period of accommodation (section 20)"
    L1 = "L1", "Police protection"
    L2 = "L2", "Emergency protection order"
    J1 = "J1", "Remanded to local authority accommodation"
    J2 = "J2", "Placed in local authority accommodation (PACE)"
    J3 = "J3", "Sentenced to a youth rehabilitation order"


class CategoryOfNeed(LabelledEnum):
    N1 = "N1", "Abuse or neglect"
    N2 = "N2", "Child's disability"
    N3 = "N3", "Parental illness or disability"
    N4 = "N4", "Family in acute stress"
    N5 = "N5", "Family dysfunction"
    N6 = "N6", "Socially unacceptable behaviour"
    N7 = "N7", "Low income"
    N8 = "N8", "Absent parenting"


class PlacementType(LabelledEnum):
    """DfE placement type codes."""

    U1 = "U1", "Foster placement with relative or friend: long term"
    U2 = "U2", "Foster placement with relative or friend: fostering for adoption"
    U3 = "U3", "Foster placement with relative or friend: other"
    U4 = "U4", "Foster placement with other foster carer: long term"
    U5 = "U5", "Foster placement with other foster carer: fostering for adoption"
    U6 = "U6", "Foster placement with other foster carer: other"
    K1 = "K1", "Secure children's home"
    K2 = "K2", "Children's home"
    K3 = "K3", "Registered supported accommodation"
    H5 = "H5", "Semi-independent living"
    R1 = "R1", "Residential care home"
    S1 = "S1", "Residential school"
    P1 = "P1", "Placed with parents"
    Z1 = "Z1", "Other placement"


class ReasonPlacementChanged(LabelledEnum):
    """DfE reason codes for a placement ending or changing."""

    CARPL = "CARPL", "Change to the care plan"
    CLOSE = "CLOSE", "Provision closed"
    ALLEG = "ALLEG", "Allegation"
    STAND = "STAND", "Standards of care concern"
    APPRR = "APPRR", "Carer approval removed"
    CREQB = "CREQB", "Carer asked to end: child's behaviour"
    CREQO = "CREQO", "Carer asked to end: other reason"
    CHILD = "CHILD", "Child asked to end"
    LAREQ = "LAREQ", "Council asked to end"
    OTHER = "OTHER", "Other"


# --- lifecycle ----------------------------------------------------------------


class ReferralStatus(LabelledEnum):
    DRAFT = "draft", "Draft"
    OPEN = "open", "Open"
    PLACED = "placed", "Placed"
    WITHDRAWN = "withdrawn", "Withdrawn"
    EXPIRED = "expired", "Expired"
    UNFILLED = "unfilled", "Unfilled"


class OfferStatus(LabelledEnum):
    SUBMITTED = "submitted", "Submitted"
    SHORTLISTED = "shortlisted", "Shortlisted"
    ACCEPTED = "accepted", "Accepted"
    DECLINED = "declined", "Declined"
    WITHDRAWN = "withdrawn", "Withdrawn"

    @property
    def is_live(self) -> bool:
        return self in (OfferStatus.SUBMITTED, OfferStatus.SHORTLISTED)


class FeeBasis(LabelledEnum):
    FRAMEWORK = "framework", "Framework price schedule"
    SPOT = "spot", "Spot purchase"
    BLOCK = "block", "Block contract"


class DeclineReason(LabelledEnum):
    """Why a provider cannot offer on a referral."""

    NO_CAPACITY = "no_capacity", "No capacity"
    NEEDS_NOT_MET = "needs_not_met", "Needs cannot be met"
    RISK_TOO_HIGH = "risk_too_high", "Risks cannot be managed"
    LOCATION = "location", "Location does not suit"
    MATCHING = "matching", "Would not match the children already placed"
    OTHER = "other", "Other"


class OfferDeclineReason(LabelledEnum):
    """Why the council declined an offer: told to the provider, so it learns what councils need."""

    ANOTHER_OFFER_ACCEPTED = "another_offer_accepted", "Another offer was accepted"
    ANOTHER_OFFER_BETTER_MATCH = "another_offer_better_match", "Another offer is a better match"
    TOO_FAR_FROM_HOME = "too_far_from_home", "Too far from the child's home"
    NEEDS_NOT_MET = "needs_not_met", "The child's needs would not be met"
    START_TOO_LATE = "start_too_late", "The start date is too late"
    COST = "cost", "The cost"
    CHILD_PLAN_CHANGED = "child_plan_changed", "The child's plan changed"
    OTHER = "other", "Other (see the note)"


class VacancyStatus(LabelledEnum):
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"


class ResourceKind(LabelledEnum):
    CARER_HOUSEHOLD = "carer_household", "Carer household"
    CHILDRENS_HOME = "childrens_home", "Children's home"


class PlacementStatus(LabelledEnum):
    ACTIVE = "active", "Active"
    ENDED = "ended", "Ended"


class OutboxStatus(LabelledEnum):
    PENDING = "pending", "Pending"
    SENDING = "sending", "Sending"
    SENT = "sent", "Sent"
    FAILED = "failed", "Failed"
    SKIPPED = "skipped", "Skipped"


# --- the child's identified record (held apart from the referral) ----------------


class ChildDocumentKind(LabelledEnum):
    CARE_PLAN = "care_plan", "Care plan"
    PLACEMENT_PLAN = "placement_plan", "Placement plan"
    RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
    OTHER = "other", "Other document"


class ChildRecordAction(LabelledEnum):
    """What an access-audit row records."""

    RECORD_SAVED = "record_saved", "Saved the child's details"
    RECORD_VIEWED = "record_viewed", "Viewed the child's details"
    DOCUMENT_ADDED = "document_added", "Added a document"
    DOCUMENT_DOWNLOADED = "document_downloaded", "Downloaded a document"
    ACCESS_REVOKED = "access_revoked", "Revoked the provider's access"
    DOCUMENT_SHARED = "document_shared", "Shared an anonymised document with shortlisted providers"


class PlacementSide(LabelledEnum):
    """Which party to an Individual Placement Agreement acted."""

    COUNCIL = "council", "The placing council"
    PROVIDER = "provider", "The provider"


class ReviewAttendee(LabelledEnum):
    """Who attended a looked-after child's review."""

    CHILD = "child", "The child"
    CARER = "carer", "Carer or key worker"
    SOCIAL_WORKER = "social_worker", "Social worker"
    REVIEWING_OFFICER = "reviewing_officer", "Independent reviewing officer"
    PARENT = "parent", "Parent"
    PROVIDER = "provider", "Provider's representative"


# --- re-openings and mergers (issue 18) --------------------------------------------


class JoinApplicationStatus(LabelledEnum):
    """A provider's application to join a lot at a framework's re-opening."""

    PENDING = "pending", "Awaiting the lead commissioner's decision"
    APPROVED = "approved", "Approved: joined the lot"
    REFUSED = "refused", "Refused"


class JoinDecision(LabelledEnum):
    APPROVE = "approve", "Approve, with a tier and prices"
    REFUSE = "refuse", "Refuse, with a reason"


class MergedUsers(LabelledEnum):
    """What happens to the accounts of a provider that merges into another."""

    MOVE = "move", "Move them to the provider it merges into"
    DEACTIVATE = "deactivate", "Deactivate them (they can no longer sign in)"


# --- data standards in and out (issue 20) ---------------------------------------------------------


class YesNoNotSpecified(LabelledEnum):
    """The placements standard's communicationNeeds: whether the child has communication needs at all."""

    YES = "yes", "Yes"
    NO = "no", "No"
    NOT_SPECIFIED = "not_specified", "Not specified"


class CulturalNeedsCategory(LabelledEnum):
    """The placements standard's culturalNeeds category (the referral keeps its free text beside it)."""

    REQUIRED = "required", "Cultural needs must be met"
    NOT_REQUIRED = "not_required", "No cultural needs to meet"
    NOT_KNOWN = "not_known", "Not known"
    OTHER = "other", "Other (see the cultural needs)"


class ReasonNewEpisode(LabelledEnum):
    """SSDA903 RNE: why a new episode of care started."""

    S = "S", "Started to be looked after"
    L = "L", "Change of legal status only"
    P = "P", "Change of placement and carer(s) only"
    T = "T", "Change of placement only (same carers)"
    B = "B", "Change of legal status and of placement and carer(s) at the same time"
    U = "U", "Change of legal status and of placement only (same carers) at the same time"


class ReasonEpisodeCeased(LabelledEnum):
    """SSDA903 REC: X1 when a new episode follows in the same period of care; the E codes say why the child
    stopped being looked after."""

    X1 = "X1", "Episode ceased, a new episode begins in the same period of care"
    E11 = "E11", "Adopted: application unopposed"
    E12 = "E12", "Adopted: consent dispensed with by the court"
    E13 = "E13", "Left care to live with parent(s), relative(s) or other person(s) with no parental responsibility"
    E14 = "E14", "Accommodation on remand ended"
    E15 = "E15", "Age assessment determined the child is 18 or over"
    E16 = "E16", "Child moved abroad"
    E17 = "E17", "Aged 18 or over and remained with current carers (staying put)"
    E2 = "E2", "Died"
    E3 = "E3", "Care taken over by another local authority"
    E41 = "E41", "Residence order or child arrangements order granted"
    E45 = "E45", "Special guardianship order made to former foster carers, who were relatives or friends"
    E46 = "E46", "Special guardianship order made to former foster carers, other than relatives or friends"
    E47 = "E47", "Special guardianship order made to carers, not former foster carers, who were relatives or friends"
    E48 = "E48", "Special guardianship order made to carers, not former foster carers, other than relatives or friends"
    E4A = "E4A", "Returned home to live with parent(s) or others with parental responsibility, as planned"
    E4B = "E4B", "Returned home to live with parent(s) or others with parental responsibility, not as planned"
    E5 = "E5", "Moved into independent living with formalised advice or support"
    E6 = "E6", "Moved into independent living with no formalised advice or support"
    E7 = "E7", "Transferred to residential care funded by adult social care"
    E8 = "E8", "Period of being looked after ceased for any other reason"
    E9 = "E9", "Sentenced to custody"


# --- block contracts (issue 18 part D) ------------------------------------------


class VoidBasis(LabelledEnum):
    """What a block contract pays for a place while it is empty (a void)."""

    PERCENT_OF_PRICE = "percent_of_price", "A percentage of the weekly price"
    WEEKLY_AMOUNT = "weekly_amount", "A fixed weekly amount"


class CallOffStatus(LabelledEnum):
    """A referral offered first to the provider of a free block place, before the market."""

    OPEN = "open", "Offered to the block provider"
    OFFERED = "offered", "The block provider offered"
    FILLED = "filled", "Accepted: the block place is filled"
    DECLINED = "declined", "The block provider declined"
    LAPSED = "lapsed", "The window passed"
    RELEASED = "released", "Sent to the market"


# --- contract management (issue 17) ------------------------------------------------------------


class AllegationCategory(LabelledEnum):
    """What an allegation against a carer household or a children's home's staff is about."""

    PHYSICAL_ABUSE = "physical_abuse", "Physical abuse"
    EMOTIONAL_ABUSE = "emotional_abuse", "Emotional abuse"
    SEXUAL_ABUSE = "sexual_abuse", "Sexual abuse"
    NEGLECT = "neglect", "Neglect"
    INAPPROPRIATE_CONDUCT = "inappropriate_conduct", "Inappropriate conduct or practice"
    OTHER = "other", "Other"


class AllegationOutcome(LabelledEnum):
    """The outcome categories used in safeguarding practice (LADO), and an allegation still open."""

    SUBSTANTIATED = "substantiated", "Substantiated"
    UNSUBSTANTIATED = "unsubstantiated", "Unsubstantiated"
    UNFOUNDED = "unfounded", "Unfounded"
    FALSE = "false", "False"
    MALICIOUS = "malicious", "Malicious"
    OPEN = "open", "Still open"


class AllegationReporter(LabelledEnum):
    """Who reported the allegation."""

    CHILD = "child", "The child"
    FAMILY = "family", "Parent or family"
    SOCIAL_WORKER = "social_worker", "Social worker"
    REVIEWING_OFFICER = "reviewing_officer", "Independent reviewing officer"
    CARER = "carer", "Another carer or household member"
    PROVIDER_STAFF = "provider_staff", "Provider's staff"
    SCHOOL = "school", "School"
    POLICE = "police", "Police"
    OTHER = "other", "Other"


class FeedbackGiver(LabelledEnum):
    """Who gives feedback on a placement."""

    SOCIAL_WORKER = "social_worker", "The child's social worker"
    REVIEWING_OFFICER = "reviewing_officer", "Independent reviewing officer"


class FeedbackOccasion(LabelledEnum):
    ANY_TIME = "any_time", "At any time"
    ANNUAL_REVIEW = "annual_review", "At the annual review"


class ReviewActionStatus(LabelledEnum):
    """A contract review action's status: open or done as recorded; overdue is computed (open, past due)."""

    OPEN = "open", "Open"
    DONE = "done", "Done"
    OVERDUE = "overdue", "Overdue"


class ReviewActionOwner(LabelledEnum):
    """Who owns an action agreed at a contract review."""

    PROVIDER = "provider", "The provider"
    COMMISSIONERS = "commissioners", "The framework's commissioners"


class PurchaseRoute(LabelledEnum):
    """How a placement was bought, seen from one framework: under it, under a previous one, or spot."""

    THIS_FRAMEWORK = "this_framework", "Under this framework"
    PREVIOUS_FRAMEWORK = "previous_framework", "Under a previous or another framework"
    SPOT = "spot", "Spot purchase"
