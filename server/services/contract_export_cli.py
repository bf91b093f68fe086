"""`placement-exchange export-quarter`: the portal's downloads for an operator, by the references people use
(framework reference, Ofsted URN, ONS code, a user's email), through the same exports and the same policy."""

from __future__ import annotations

from dataclasses import dataclass

from server.auth.actor import Actor
from server.models import Council, Framework, Provider, User
from server.services import contract_exports
from server.services.contract_exports import Export, QuarterScope
from server.services.contract_figures import current_quarter
from server.services.errors import ServiceError


@dataclass(frozen=True)
class ExportRequest:
    framework_reference: str
    as_email: str
    fmt: str
    quarter: str | None = None
    provider_urn: str | None = None
    council_code: str | None = None
    year: str | None = None
    table_key: str | None = None


@dataclass(frozen=True)
class ExportOutcome:
    export: Export | None = None
    problem: str = ""


async def export_for_cli(request: ExportRequest) -> ExportOutcome:
    user = await User.get_or_none(email__iexact=request.as_email.strip())
    framework = await Framework.get_or_none(reference=request.framework_reference)
    if user is None:
        return ExportOutcome(problem=f"No user {request.as_email}")
    if framework is None:
        return ExportOutcome(problem=f"No framework with reference {request.framework_reference}")
    actor = Actor.of(user)
    try:
        if request.year:
            if request.fmt != "xlsx":
                return ExportOutcome(problem="A year's placements is an XLSX: use --format xlsx (or a .xlsx output).")
            year = contract_exports.parse_year(request.year)
            return ExportOutcome(await contract_exports.placements_year_xlsx(actor, framework.id, year))
        scope = QuarterScope(framework.id, request.quarter or str(current_quarter()))
        if request.provider_urn:
            provider = await Provider.get_or_none(ofsted_urn=request.provider_urn)
            if provider is None:
                return ExportOutcome(problem=f"No provider with Ofsted URN {request.provider_urn}")
            scope = QuarterScope(framework.id, scope.quarter, provider_id=provider.id)
        elif request.council_code:
            council = await Council.get_or_none(ons_code=request.council_code)
            if council is None:
                return ExportOutcome(problem=f"No council with ONS code {request.council_code}")
            scope = QuarterScope(framework.id, scope.quarter, council_id=council.id)
        fmt = contract_exports.check_format(request.fmt)
        if fmt == "csv" and not request.table_key:
            found = await contract_exports.quarter_tables(actor, scope)
            keys = ", ".join(table.key for table in found.tables)
            return ExportOutcome(problem=f"A CSV is one table: name it with --table, one of: {keys}")
        return ExportOutcome(await contract_exports.quarter_export(actor, scope, fmt, request.table_key))
    except ServiceError as error:
        return ExportOutcome(problem=f"{error.field or 'export'}: {error.message}")
