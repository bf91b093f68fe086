"""Contract management in the portal: the quarter pages (shells; web/static/js/pages/contract.js asks the API),
the CSV and XLSX downloads and the printable reports (from server.services.contract_exports, as the CLI), and
the drill-down from a figure's references to the referral and placement pages.

Stable addresses (ids are the API's global ids, or the database number):
    /contract-management                                            the reader's frameworks and scorecards
    /frameworks/{framework}/contract-management?quarter=2026-Q3     a framework's quarter (lead commissioners)
    /frameworks/{framework}/councils/{council}/quarter              a member council's quarter
    /frameworks/{framework}/providers/{provider}/scorecard          a provider's scorecard
    /frameworks/{framework}/quarters/2026-Q3.xlsx                   every table, a sheet each
    /frameworks/{framework}/quarters/2026-Q3/{table}.csv            one table
    /frameworks/{framework}/quarters/2026-Q3/report                 the printable quarterly report
    the same three under /frameworks/{framework}/councils/{council}/ and /frameworks/{framework}/providers/{provider}/
    /frameworks/{framework}/placements/2026-27.xlsx                 a financial year's placements
    /referrals/by-reference/{reference}, /placements/by-reference/{IPA reference}   the drill-down's links
Anyone the policy does not let see a page or a file gets the missing page (404), as for a wrong address.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import RedirectResponse, Response
from starlette.routing import BaseRoute, Route

from schema.ids import from_global_id, to_global_id
from server.auth.actor import Actor
from server.domain.quarters import Quarter
from server.services import contract_exports, contract_pages
from server.services.contract_exports import Export, QuarterScope
from server.services.contract_figures import current_quarter
from server.services.errors import ServiceError
from web.routes import _to_sign_in, not_found, render, vocabulary
from web.session import current_user

QUARTERS_OFFERED = 12


def _pk(value: str, type_name: str) -> int | None:
    """A path's id: the API's global id, or the database number."""
    if value.isascii() and value.isdigit() and len(value) <= 10:
        return int(value)
    return from_global_id(value, type_name)


class _Missing(Exception):
    """Answered with the missing page: a wrong address, or something the reader may not see."""


async def _signed_in(request: Request) -> tuple[object, Actor] | Response:
    user = await current_user(request)
    if user is None:
        return _to_sign_in(request)
    return user, Actor.of(user)


def _guarded(handler: Callable[..., Awaitable[Response]]) -> Callable[[Request], Awaitable[Response]]:
    async def endpoint(request: Request) -> Response:
        signed_in = await _signed_in(request)
        if isinstance(signed_in, Response):
            return signed_in
        user, actor = signed_in
        try:
            return await handler(request, user, actor)
        except (_Missing, ServiceError):
            return await not_found(request, HTTPException(404))

    return endpoint


def _ids(request: Request) -> tuple[int, int | None, int | None]:
    params = request.path_params
    framework_id = _pk(params["framework_id"], "Framework")
    council_id = _pk(params["council_id"], "Council") if "council_id" in params else None
    provider_id = _pk(params["provider_id"], "Provider") if "provider_id" in params else None
    if framework_id is None or ("council_id" in params and council_id is None):
        raise _Missing
    if "provider_id" in params and provider_id is None:
        raise _Missing
    return framework_id, council_id, provider_id


def _quarter(written: str) -> str:
    try:
        return str(Quarter.parse(written))
    except ValueError as error:
        raise _Missing from error


def _download(export: Export) -> Response:
    return Response(
        export.content,
        media_type=export.media_type,
        headers={"Content-Disposition": f'attachment; filename="{export.filename}"', "Cache-Control": "no-store"},
    )


def _base_path(framework_id: int, council_id: int | None, provider_id: int | None) -> str:
    base = f"/frameworks/{to_global_id('Framework', framework_id)}"
    if council_id is not None:
        return f"{base}/councils/{to_global_id('Council', council_id)}"
    if provider_id is not None:
        return f"{base}/providers/{to_global_id('Provider', provider_id)}"
    return base


def _page_path(framework_id: int, council_id: int | None, provider_id: int | None) -> str:
    base = _base_path(framework_id, council_id, provider_id)
    if council_id is not None:
        return f"{base}/quarter"
    return f"{base}/scorecard" if provider_id is not None else f"{base}/contract-management"


# --- pages ----------------------------------------------------------------------------------


async def _quarter_page(request: Request, user: object, actor: Actor) -> Response:
    framework_id, council_id, provider_id = _ids(request)
    if provider_id is not None:
        page = await contract_pages.scorecard_page(actor, framework_id, provider_id)
        kind = "provider"
    elif council_id is not None:
        page = await contract_pages.council_page(actor, framework_id, council_id)
        kind = "council"
    else:
        page = await contract_pages.framework_page(actor, framework_id)
        kind = "framework"
    now = current_quarter()
    asked = request.query_params.get("quarter")
    quarter = _quarter(asked) if asked else str(now)
    prefix = await contract_pages.council_reference_prefix(actor)
    return await render(
        request,
        "contract_quarter.html",
        user=user,
        actor=actor,
        title=page.title,
        page=page,
        kind=kind,
        quarter=quarter,
        current=str(now),
        quarters=[(str(q), q.label) for q in reversed(now.last(QUARTERS_OFFERED))],
        framework_gid=to_global_id("Framework", framework_id),
        council_gid=to_global_id("Council", council_id) if council_id else "",
        provider_gid=to_global_id("Provider", provider_id) if provider_id else "",
        base_path=_base_path(framework_id, council_id, provider_id),
        own_prefix=f"{prefix}-" if prefix else "",
        options=vocabulary(),
    )


async def _index(request: Request, user: object, actor: Actor) -> Response:
    """The reader's way in: the frameworks it leads, its council's quarters, or its provider's scorecards."""
    found = await contract_pages.contract_index(actor)

    def gid(kind: str, pk: int | None) -> str:
        return to_global_id(kind, pk or 0)

    led = [(f, f"/frameworks/{gid('Framework', f.id)}/contract-management") for f in found.led]
    member = [
        (f, f"/frameworks/{gid('Framework', f.id)}/councils/{gid('Council', actor.council_id)}/quarter")
        for f in found.member_of
    ]
    scorecards = [
        (f, f"/frameworks/{gid('Framework', f.id)}/providers/{gid('Provider', actor.provider_id)}/scorecard")
        for f in found.provider_on
    ]
    return await render(
        request,
        "contract_index.html",
        user=user,
        actor=actor,
        title="Contract management" if actor.is_council else "Scorecards",
        led=led,
        member=member,
        scorecards=scorecards,
        options=vocabulary(),
    )


# --- files ------------------------------------------------------------------------------------


def _scope(request: Request, quarter: str) -> QuarterScope:
    framework_id, council_id, provider_id = _ids(request)
    return QuarterScope(framework_id, _quarter(quarter), council_id=council_id, provider_id=provider_id)


async def _workbook(request: Request, user: object, actor: Actor) -> Response:
    name = request.path_params["file"]
    if not name.endswith(".xlsx"):
        raise _Missing
    scope = _scope(request, name.removesuffix(".xlsx"))
    return _download(await contract_exports.quarter_export(actor, scope, "xlsx"))


async def _table_or_report(request: Request, user: object, actor: Actor) -> Response:
    name = request.path_params["file"]
    scope = _scope(request, request.path_params["quarter"])
    if name == "report":
        found = await contract_exports.quarter_tables(actor, scope)
        framework_id, council_id, provider_id = _ids(request)
        return await render(
            request,
            "contract_report.html",
            user=user,
            actor=actor,
            title=found.heading,
            found=found,
            page_path=_page_path(framework_id, council_id, provider_id),
            quarter=scope.quarter,
            printed_at=datetime.now(UTC),
        )
    if not name.endswith(".csv"):
        raise _Missing
    return _download(await contract_exports.quarter_export(actor, scope, "csv", name.removesuffix(".csv")))


async def _placements_year(request: Request, user: object, actor: Actor) -> Response:
    name = request.path_params["file"]
    framework_id, _, _ = _ids(request)
    if not name.endswith(".xlsx"):
        raise _Missing
    year = contract_exports.parse_year(name.removesuffix(".xlsx"))
    return _download(await contract_exports.placements_year_xlsx(actor, framework_id, year))


# --- drill-down -----------------------------------------------------------------------------


async def _referral_by_reference(request: Request, user: object, actor: Actor) -> Response:
    pk = await contract_pages.referral_by_reference(actor, request.path_params["reference"])
    return RedirectResponse(f"/referrals/{to_global_id('Referral', pk)}", status_code=303)


async def _placement_by_reference(request: Request, user: object, actor: Actor) -> Response:
    pk = await contract_pages.placement_by_reference(actor, request.path_params["reference"])
    return RedirectResponse(f"/placements/{to_global_id('Placement', pk)}", status_code=303)


def contract_routes() -> list[BaseRoute]:
    quarter_files = [
        ("/quarters/{file}", _workbook),
        ("/quarters/{quarter}/{file}", _table_or_report),
    ]
    routes: list[BaseRoute] = [
        Route("/contract-management", _guarded(_index)),
        Route("/frameworks/{framework_id}/contract-management", _guarded(_quarter_page)),
        Route("/frameworks/{framework_id}/councils/{council_id}/quarter", _guarded(_quarter_page)),
        Route("/frameworks/{framework_id}/providers/{provider_id}/scorecard", _guarded(_quarter_page)),
        Route("/frameworks/{framework_id}/placements/{file}", _guarded(_placements_year)),
        Route("/referrals/by-reference/{reference}", _guarded(_referral_by_reference)),
        Route("/placements/by-reference/{reference}", _guarded(_placement_by_reference)),
    ]
    for prefix in ("", "/councils/{council_id}", "/providers/{provider_id}"):
        for path, handler in quarter_files:
            routes.append(Route(f"/frameworks/{{framework_id}}{prefix}{path}", _guarded(handler)))
    return routes
