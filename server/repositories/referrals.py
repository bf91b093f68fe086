"""Referrals on the hot paths: read by id for every use case on one, and opened (published) in one statement."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from server.domain.vocabulary import ReferralStatus
from server.models import Referral
from server.repositories.statements import Statement, model_rows, row_by_id


async def referral_by_id(referral_id: int) -> Referral | None:
    return await row_by_id(Referral, referral_id)


# Conditional on the draft as it was read (still a draft, not edited since), so that two publishes, or a
# publish and a withdrawal, cannot both win, and what was planned and announced is what is stored. The row
# comes back as stored, for the announcement and its live subscribers.
_OPEN = Statement(
    "UPDATE referral SET status = ?, published_at = ?, updated_at = ?, current_tier = ?, tier_deadline = ?"
    " WHERE id = ? AND status = ? AND updated_at = ? RETURNING *"
)


async def open_draft(
    draft: Referral, *, now: datetime, tier: int | None, tier_deadline: datetime | None
) -> Referral | None:
    """The draft, published at `now` to `tier` until `tier_deadline`, as now stored; None when it changed
    (published, withdrawn or edited) since it was read."""
    opened = await model_rows(
        Referral,
        _OPEN,
        ReferralStatus.OPEN.value,
        now,
        now,
        tier,
        tier_deadline,
        draft.id,
        ReferralStatus.DRAFT.value,
        draft.updated_at,
    )
    return opened[0] if opened else None


# A provider's inbox, newest first: the referrals sent to it (policy.scope_referrals for provider staff), of
# the statuses asked, a page at a time. One statement per shape (columns, how many statuses, with or without a
# cursor), written once: composing it with pypika costs more than running it, on every inbox worked out.
_INBOX_PAGES: dict[tuple[tuple[str, ...], int, bool], Statement] = {}


def _inbox_statement(columns: tuple[str, ...], statuses: int, after: bool) -> Statement:
    key = (columns, statuses, after)
    statement = _INBOX_PAGES.get(key)
    if statement is None:
        projection = Referral._meta.fields_db_projection
        selected = ", ".join(f'"referral"."{projection[name]}" AS "{name}"' for name in columns)
        where = ["r.provider_id = ?", "r.sent_at IS NOT NULL"]
        if statuses:
            placeholders = ", ".join("?" * statuses)
            where.append(f'"referral"."status" IN ({placeholders})')
        if after:
            where.append('"referral"."id" < ?')
        statement = Statement(
            f'SELECT {selected} FROM "referral" JOIN "broadcast_recipient" r ON r.referral_id = "referral"."id"'
            f' WHERE {" AND ".join(where)} ORDER BY "referral"."id" DESC LIMIT ?'
        )
        _INBOX_PAGES[key] = statement
    return statement


async def provider_inbox_page(
    provider_id: int, *, statuses: Sequence[ReferralStatus], before_id: int | None, columns: Sequence[str] | None,
    limit: int,
) -> list[Referral]:  # fmt: skip
    """Up to `limit` referrals sent to the provider (of these statuses, when any), newest first, below `before_id`
    when given; only `columns` of each (the model's field names), or every column."""
    names = tuple(columns) if columns is not None else tuple(Referral._meta.fields_db_projection)
    statement = _inbox_statement(names, len(statuses), before_id is not None)
    params: list[object] = [provider_id, *(status.value for status in statuses)]
    if before_id is not None:
        params.append(before_id)
    return await model_rows(Referral, statement, *params, limit, connection=Referral._meta.db)
