"""Keep the provider register true from Ofsted's published data (`placement-exchange import-ofsted CSV`).

By URN, each matching provider's and children's home's judgement and inspection date take the file's, where the
file's inspection is not older than the one on the exchange; the row is kept as the source of what the register
shows ("Ofsted import, <date>"). A provider's judgement falling below a framework's minimum suspends its places
on that framework's lots (server.services.suspensions); a judgement rising back does not lift them: a
commissioner does. Each change is audited (made by "Ofsted import") and is an event. Running the same file again
changes nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date

from server.domain.ofsted import OfstedRow
from server.domain.vocabulary import OfstedJudgement
from server.models import ChildrensHome, LotMembership, MembershipSuspension, OfstedRegisterEntry, Provider
from server.services.framework_changes import audit_change
from server.services.suspensions import OFSTED_IMPORT, suspend_for_judgement
from server.services.unit_of_work import UnitOfWork, unit_of_work


@dataclass
class ImportReport:
    providers_updated: list[str] = field(default_factory=list)  # URNs
    homes_updated: list[str] = field(default_factory=list)
    unchanged: int = 0
    unknown: list[str] = field(default_factory=list)
    suspended: list[str] = field(default_factory=list)  # "<provider> on <framework> <lot>"
    awaiting_lift: list[str] = field(default_factory=list)  # suspended by a judgement that now meets the minimum

    @property
    def changed(self) -> int:
        return len(self.providers_updated) + len(self.homes_updated)


_ENTRY_FIELDS = (
    "provider_type",
    "setting_name",
    "local_authority",
    "inspection_date",
    "inspection_type",
    "judgement",
)


async def import_ofsted(rows: Sequence[OfstedRow], today: date, report: ImportReport | None = None) -> ImportReport:
    """One batch of the file's rows, in one unit of work (the command calls it batch by batch)."""
    report = report if report is not None else ImportReport()
    urns = [row.urn for row in rows]
    providers = {p.ofsted_urn: p for p in await Provider.filter(ofsted_urn__in=urns)}
    homes = {h.ofsted_urn: h for h in await ChildrensHome.filter(ofsted_urn__in=urns)}
    entries = {e.urn: e for e in await OfstedRegisterEntry.filter(urn__in=urns)}
    async with unit_of_work() as work:
        for row in rows:
            provider, home = providers.get(row.urn), homes.get(row.urn)
            if provider is None and home is None:
                report.unknown.append(row.urn)
                continue
            await _keep_entry(row, entries.get(row.urn), today)
            changed = False
            if provider is not None:
                changed = await _update_provider(work, provider, row, today, report)
            if home is not None:
                changed = await _update_home(work, home, row, report) or changed
            if not changed:  # the judgement and date on the exchange already say what the row says
                report.unchanged += 1
    return report


async def _keep_entry(row: OfstedRow, entry: OfstedRegisterEntry | None, today: date) -> None:
    """The row as the source of what the register shows; `imported_on` moves only when the row changed."""
    values = {name: getattr(row, name) for name in _ENTRY_FIELDS}
    if entry is None:
        await OfstedRegisterEntry.create(urn=row.urn, imported_on=today, **values)
    elif any(getattr(entry, name) != value for name, value in values.items()):
        await OfstedRegisterEntry.filter(id=entry.id).update(imported_on=today, **values)


def _newer(row: OfstedRow, judgement: OfstedJudgement, judged_on: date | None) -> bool:
    """The file's judgement replaces the exchange's if it differs and its inspection is not older."""
    if row.judgement is None or row.inspection_date is None:
        return False  # not judged: the last judgement stands
    if judged_on is not None and row.inspection_date < judged_on:
        return False
    return (row.judgement, row.inspection_date) != (judgement, judged_on)


def _values(judgement: OfstedJudgement | str, judged_on: date | None) -> dict[str, str | None]:
    return {
        "ofstedJudgement": OfstedJudgement(judgement).value,
        "ofstedJudgementDate": judged_on.isoformat() if judged_on else None,
    }


async def _update_provider(
    work: UnitOfWork, provider: Provider, row: OfstedRow, today: date, report: ImportReport
) -> bool:
    before = OfstedJudgement(provider.ofsted_judgement)
    if not _newer(row, before, provider.ofsted_judgement_date):
        return False
    assert row.judgement is not None
    await Provider.filter(id=provider.id).update(
        ofsted_judgement=row.judgement, ofsted_judgement_date=row.inspection_date
    )
    audit_change(
        work,
        "provider.ofsted_judgement",
        actor=None,
        made_by=OFSTED_IMPORT,
        provider_id=provider.id,
        subject=provider.name,
        before=_values(before, provider.ofsted_judgement_date),
        after=_values(row.judgement, row.inspection_date),
    )
    await work.record(
        "provider.ofsted_judgement_changed",
        [f"provider:{provider.id}", "admin"],
        {"providerId": provider.id, "judgement": row.judgement.value},
    )
    report.providers_updated.append(row.urn)
    provider.ofsted_judgement, provider.ofsted_judgement_date = row.judgement, row.inspection_date
    for suspension in await suspend_for_judgement(work, provider, row.judgement, today):
        membership = await LotMembership.get(id=suspension.membership_id).prefetch_related("lot__framework")
        report.suspended.append(f"{provider.name} on {membership.lot.framework.name} {membership.lot.code}")
    if row.judgement.rank > before.rank:
        waiting = await MembershipSuspension.filter(
            membership__provider_id=provider.id, lifted_at__isnull=True, judgement__isnull=False
        ).prefetch_related("membership__lot__framework")
        for suspension in waiting:
            lot = suspension.membership.lot
            if row.judgement.meets(OfstedJudgement(lot.framework.minimum_ofsted_judgement)):
                report.awaiting_lift.append(f"{provider.name} on {lot.framework.name} {lot.code}")
    return True


async def _update_home(work: UnitOfWork, home: ChildrensHome, row: OfstedRow, report: ImportReport) -> bool:
    before = OfstedJudgement(home.ofsted_judgement)
    if not _newer(row, before, home.ofsted_judgement_date):
        return False
    assert row.judgement is not None
    await ChildrensHome.filter(id=home.id).update(
        ofsted_judgement=row.judgement, ofsted_judgement_date=row.inspection_date
    )
    audit_change(
        work,
        "home.ofsted_judgement",
        actor=None,
        made_by=OFSTED_IMPORT,
        provider_id=home.provider_id,
        subject=f"{home.name} ({home.ofsted_urn})",
        before=_values(before, home.ofsted_judgement_date),
        after=_values(row.judgement, row.inspection_date),
    )
    await work.record(
        "home.ofsted_judgement_changed",
        [f"provider:{home.provider_id}", "admin"],
        {"childrensHomeId": home.id, "providerId": home.provider_id, "judgement": row.judgement.value},
    )
    report.homes_updated.append(row.urn)
    return True
