"""The kinds of email a person can get, and how each role gets them by default."""

from __future__ import annotations

from server.domain.vocabulary import LabelledEnum, Role


class Notification(LabelledEnum):
    REFERRAL_BROADCAST = "referral_broadcast", "A referral is sent to your organisation"
    REFERRAL_CLOSED = "referral_closed", "A referral you were sent is withdrawn or placed elsewhere"
    OFFER_ACTIVITY = "offer_activity", "Offers arrive, are withdrawn, or providers decline"
    OFFER_DECISION = "offer_decision", "Your offer is shortlisted, accepted or declined"
    DEADLINE_NEAR = "deadline_near", "A referral's response deadline nears with no offers"
    VACANCY_POSTED = "vacancy_posted", "A vacancy is posted on your frameworks"
    PLACEMENT_ENDED_UNPLANNED = "placement_ended_unplanned", "A placement ends unplanned or without notice"
    PLACEMENT_LIFE = "placement_life", "A placement's agreement, start, fee, notice or step-across changes"
    REVIEWS_DUE = "reviews_due", "A child's review of a placement is due soon or overdue"
    QUESTION_ASKED = "question_asked", "A provider asks a question about your referral"
    QUESTION_ANSWERED = "question_answered", "The council answers a question about a referral you were sent"
    FRAMEWORK_CHANGED = (
        "framework_changed",
        "A framework you are on, or a block contract you are party to, changes: its terms, term, lots or members",
    )
    FRAMEWORK_MEMBERSHIP = (
        "framework_membership",
        "A framework re-opens, a provider applies to join or joins a lot, or providers merge",
    )
    MEMBERSHIP_SUSPENSION = (
        "membership_suspension",
        "A provider's place on a framework lot is suspended from referrals, or the suspension lifted",
    )


class Delivery(LabelledEnum):
    IMMEDIATELY = "immediately", "Immediately"
    DIGEST = "digest", "Daily digest"
    OFF = "off", "Off"


_PROVIDER = {
    Notification.REFERRAL_BROADCAST: Delivery.IMMEDIATELY,
    Notification.REFERRAL_CLOSED: Delivery.IMMEDIATELY,
    Notification.OFFER_DECISION: Delivery.IMMEDIATELY,
    Notification.PLACEMENT_LIFE: Delivery.IMMEDIATELY,
    Notification.QUESTION_ANSWERED: Delivery.IMMEDIATELY,
    Notification.FRAMEWORK_CHANGED: Delivery.IMMEDIATELY,
}
DEFAULTS: dict[Role, dict[Notification, Delivery]] = {
    Role.PLACEMENT_OFFICER: {
        Notification.OFFER_ACTIVITY: Delivery.IMMEDIATELY,
        Notification.DEADLINE_NEAR: Delivery.IMMEDIATELY,
        Notification.VACANCY_POSTED: Delivery.DIGEST,
        Notification.PLACEMENT_LIFE: Delivery.IMMEDIATELY,
        Notification.REVIEWS_DUE: Delivery.IMMEDIATELY,
        Notification.QUESTION_ASKED: Delivery.IMMEDIATELY,
    },
    Role.COMMISSIONER: {
        Notification.PLACEMENT_ENDED_UNPLANNED: Delivery.IMMEDIATELY,
        Notification.VACANCY_POSTED: Delivery.DIGEST,
        Notification.FRAMEWORK_CHANGED: Delivery.IMMEDIATELY,
        Notification.FRAMEWORK_MEMBERSHIP: Delivery.IMMEDIATELY,
    },
    Role.PROVIDER_RESPONDER: dict(_PROVIDER),
    Role.PROVIDER_ADMIN: {
        **_PROVIDER,
        Notification.REFERRAL_BROADCAST: Delivery.DIGEST,
        Notification.FRAMEWORK_MEMBERSHIP: Delivery.IMMEDIATELY,
    },
    Role.PLATFORM_ADMIN: {},
}

# Suspensions from a framework lot (server/services/suspensions.py): the lead council's commissioners and the
# provider's staff are told at once.
for _role in (Role.COMMISSIONER, Role.PROVIDER_RESPONDER, Role.PROVIDER_ADMIN):
    DEFAULTS[_role][Notification.MEMBERSHIP_SUSPENSION] = Delivery.IMMEDIATELY


def default_delivery(role: Role, notification: Notification) -> Delivery:
    return DEFAULTS.get(role, {}).get(notification, Delivery.OFF)


def kinds_for(role: Role) -> list[Notification]:
    """The kinds a role is ever sent (the services address each kind to these roles), in a stable order."""
    relevant = DEFAULTS.get(role, {})
    return [notification for notification in Notification if notification in relevant]
