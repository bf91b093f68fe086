"""Page routes. Pages are server-rendered shells; their own JS modules fetch and subscribe over GraphQL."""

from __future__ import annotations

import secrets
from functools import cache
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import quote, urlsplit

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import BaseRoute, Mount, Route

from notifications.preferences import unsubscribe_with_token
from notifications.unsubscribe import verify
from schema.ids import from_global_id, to_global_id
from server.auth.actor import Actor
from server.domain import vocabulary as v
from server.services.accounts import authenticate
from server.services.block_contracts import block_contract_for
from server.services.errors import ServiceError
from server.services.errors import not_found as not_found_error
from server.services.lookups import referral_for
from server.services.placement_life import readable_placement
from server.settings import Settings
from web import data_exports
from web.assets_served import static_app, static_prefix
from web.session import csrf_for, current_user, end_session, home_for, start_session

if TYPE_CHECKING:
    from jinja2 import Environment

HERE = Path(__file__).parent
FORM_COOKIE = "px_form"


@cache
def templates() -> Environment:
    """The portal's templates, made by the first page rendered: a process that serves only the API and health
    checks never imports jinja2."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape

    environment = Environment(
        loader=FileSystemLoader(HERE / "templates"), autoescape=select_autoescape(), enable_async=True
    )
    environment.globals["collection_years"] = data_exports.collection_years
    return environment


# Which roles may open each page; the API enforces the data rules, this only keeps menus honest.
PROVIDER = {v.Role.PROVIDER_RESPONDER, v.Role.PROVIDER_ADMIN}
COUNCIL = {v.Role.PLACEMENT_OFFICER, v.Role.COMMISSIONER}
OFFICER = {v.Role.PLACEMENT_OFFICER}
ADMIN = {v.Role.PLATFORM_ADMIN}
COMMISSIONER = {v.Role.COMMISSIONER}
ANYONE = set(v.Role)

PAGES: dict[str, tuple[str, set[v.Role], str]] = {
    "/inbox": ("inbox.html", PROVIDER, "Referral inbox"),
    "/my-offers": ("my_offers.html", PROVIDER, "My offers"),
    "/my-vacancies": ("my_vacancies.html", PROVIDER, "My vacancies"),
    "/carers": ("carers.html", PROVIDER, "Carer households and homes"),
    "/referrals": ("referrals.html", COUNCIL, "Referrals"),
    "/referrals/new": ("referral_form.html", OFFICER, "New referral"),
    "/vacancy-board": ("vacancy_board.html", COUNCIL, "Vacancy board"),
    "/dashboard": ("dashboard.html", COUNCIL | PROVIDER, "Dashboard"),
    "/parked-emails": ("parked_mail.html", ADMIN, "Parked emails"),
    "/placements": ("placements.html", COUNCIL, "Placements"),
    "/providers": ("providers.html", ADMIN | COMMISSIONER, "Providers"),
    "/frameworks": ("framework.html", ADMIN | COMMISSIONER, "Frameworks"),
    "/frameworks/new": ("framework_form.html", ADMIN | COMMISSIONER, "New framework"),
    "/frameworks/edit": ("framework_form.html", ADMIN | COMMISSIONER, "Edit framework"),
    "/users": ("users.html", ANYONE, "Users and API tokens"),
    # Re-openings and mergers (issue 18).
    "/reopenings": ("reopenings.html", ADMIN | COMMISSIONER, "Re-openings"),
    "/join-a-framework": ("join_lots.html", PROVIDER, "Join a framework"),
    "/merge-providers": ("merge.html", ADMIN, "Merge providers"),
    "/suspensions": ("suspensions.html", ADMIN | COMMISSIONER, "Suspensions from referrals"),
    "/block-contracts": ("block_contracts.html", COUNCIL | PROVIDER | ADMIN, "Block contracts"),
}


def vocabulary() -> dict[str, list[tuple[str, str]]]:
    """Words for every code the API uses (age bands, tiers, reasons, ...), from the same enums, so pages never
    show a raw code to a person."""
    enums = [item for item in vars(v).values() if isinstance(item, type) and issubclass(item, v.LabelledEnum)]
    return {
        enum.__name__: [(member.name, member.label) for member in enum] for enum in enums if enum is not v.LabelledEnum
    }


async def render(request: Request, template: str, status_code: int = 200, **context: object) -> HTMLResponse:
    settings: Settings = request.app.state.settings
    page = templates().get_template(template)
    html = await page.render_async(
        request=request,
        csrf=csrf_for(request, settings),
        development=not settings.is_production,
        static=static_prefix(),
        **context,
    )
    return HTMLResponse(html, status_code=status_code)


def _safe_next(target: str | None) -> str | None:
    """Only same-site paths: never redirect a signed-in user to another site."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//"):
        return None
    return target


async def sign_in_page(request: Request) -> Response:
    form_token = secrets.token_urlsafe(16)
    response = await render(
        request,
        "sign_in.html",
        next=_safe_next(request.query_params.get("next")) or "",
        form_token=form_token,
        error=None,
        email="",
    )
    response.set_cookie(FORM_COOKIE, form_token, httponly=True, samesite="strict", path="/sign-in")
    return response


async def sign_in(request: Request) -> Response:
    form = await request.form()
    email, password = str(form.get("email", "")), str(form.get("password", ""))
    target = _safe_next(str(form.get("next", "")))
    if not secrets.compare_digest(str(form.get("form_token", "")), request.cookies.get(FORM_COOKIE, "-")):
        return await _sign_in_error(request, "Your sign-in form expired. Please try again.", email, target)
    try:
        user = await authenticate(email, password, request.client.host if request.client else "")
    except ServiceError as error:
        return await _sign_in_error(request, error.message, email, target)
    response = RedirectResponse(target or home_for(Actor.of(user)), status_code=303)
    await start_session(response, user, request.app.state.settings)
    response.delete_cookie(FORM_COOKIE, path="/sign-in")
    return response


async def _sign_in_error(request: Request, message: str, email: str, target: str | None) -> Response:
    form_token = secrets.token_urlsafe(16)
    response = await render(
        request, "sign_in.html", status_code=400, next=target or "", form_token=form_token, error=message, email=email
    )
    response.set_cookie(FORM_COOKIE, form_token, httponly=True, samesite="strict", path="/sign-in")
    return response


async def sign_out(request: Request) -> Response:
    form = await request.form()
    settings: Settings = request.app.state.settings
    if not secrets.compare_digest(str(form.get("csrf", "")), csrf_for(request, settings) or "-"):
        raise HTTPException(403, "That sign-out request did not come from this site.")
    response = RedirectResponse("/sign-in", status_code=303)
    await end_session(request, response)
    return response


async def home(request: Request) -> Response:
    user = await current_user(request)
    if user is None:
        return RedirectResponse("/sign-in", status_code=303)
    return RedirectResponse(home_for(Actor.of(user)), status_code=303)


async def page(request: Request) -> Response:
    path = request.url.path.rstrip("/") or "/"
    template, roles, title = PAGES[path]
    return await _guarded(request, template, roles, title)


async def referral_page(request: Request) -> Response:
    """One URL for a referral: the provider's answer view or the council's offers view.

    Emails link to a referral by its number (/referrals/42); that is sent on, permanently, to the page's own
    address by global id, so every link already in a mailbox lands (after signing in, if need be)."""
    referral_id = request.path_params["referral_id"]
    if referral_id.isascii() and referral_id.isdigit() and len(referral_id) <= 10:
        return RedirectResponse(f"/referrals/{to_global_id('Referral', int(referral_id))}", status_code=308)
    user = await current_user(request)
    if user is None:
        return _to_sign_in(request)
    actor = Actor.of(user)
    # Another council's referral (or one never sent to this provider) gets the page a missing one gets.
    pk = from_global_id(referral_id, "Referral")
    try:
        if pk is None:
            raise not_found_error("referral", "referralId")
        await referral_for(actor, pk)
    except ServiceError:
        return await not_found(request, HTTPException(404))
    template = "referral_provider.html" if actor.is_provider else "referral_council.html"
    return await render(
        request,
        template,
        user=user,
        actor=actor,
        title="Referral",
        referral_id=request.path_params["referral_id"],
        options=vocabulary(),
    )


async def placement_page(request: Request) -> Response:
    """A placement's agreement and life (/placements/{id}), for the placing council and the provider; emails
    link to it by number, sent on to the page's address by global id. Anyone else gets the missing page."""
    placement_id = request.path_params["placement_id"]
    if placement_id.isascii() and placement_id.isdigit() and len(placement_id) <= 10:
        return RedirectResponse(f"/placements/{to_global_id('Placement', int(placement_id))}", status_code=308)
    user = await current_user(request)
    if user is None:
        return _to_sign_in(request)
    actor = Actor.of(user)
    pk = from_global_id(placement_id, "Placement")
    try:
        if pk is None:
            raise not_found_error("placement", "placementId")
        placement = await readable_placement(actor, pk)
    except ServiceError:
        return await not_found(request, HTTPException(404))
    return await render(
        request,
        "placement.html",
        user=user,
        actor=actor,
        title=f"Placement {placement.ipa_reference}",
        placement_id=placement_id,
        options=vocabulary(),
    )


async def block_contract_page(request: Request) -> Response:
    """One block contract (/block-contracts/{id}): its places, occupancy and voids, for the councils party to it
    and its provider; its commissioners change it here. Anyone else gets the missing page."""
    user = await current_user(request)
    if user is None:
        return _to_sign_in(request)
    actor = Actor.of(user)
    contract_id = request.path_params["contract_id"]
    pk = from_global_id(contract_id, "BlockContract")
    try:
        if pk is None:
            raise not_found_error("block contract", "id")
        contract = await block_contract_for(actor, pk)
    except ServiceError:
        return await not_found(request, HTTPException(404))
    return await render(
        request,
        "block_contract.html",
        user=user,
        actor=actor,
        title=f"Block contract {contract.reference}",
        contract_id=contract_id,
        options=vocabulary(),
    )


async def _guarded(request: Request, template: str, roles: set[v.Role], title: str) -> Response:
    user = await current_user(request)
    if user is None:
        return _to_sign_in(request)
    actor = Actor.of(user)
    if actor.role not in roles:
        return await render(
            request,
            "error.html",
            status_code=403,
            user=user,
            actor=actor,
            title="Not for you",
            message="This page is not part of your role's work. Use the menu to find yours.",
        )
    return await render(request, template, user=user, actor=actor, title=title, options=vocabulary())


def _to_sign_in(request: Request) -> Response:
    target = request.url.path + (f"?{request.url.query}" if request.url.query else "")
    return RedirectResponse(f"/sign-in?next={quote(target)}", status_code=303)


async def not_found(request: Request, exc: Exception) -> Response:
    user = await current_user(request)
    return await render(
        request,
        "error.html",
        status_code=404,
        user=user,
        actor=Actor.of(user) if user else None,
        title="Not found",
        message="There is nothing at this address. It may have been withdrawn or mistyped.",
    )


async def server_error(request: Request, exc: Exception) -> Response:
    return await render(
        request,
        "error.html",
        status_code=500,
        user=None,
        actor=None,
        title="Something went wrong",
        message="Something went wrong on our side. Please try again; if it persists, tell support.",
    )


async def forbidden(request: Request, exc: HTTPException) -> Response:
    if exc.status_code == 404:
        return await not_found(request, exc)
    return await render(
        request,
        "error.html",
        status_code=exc.status_code,
        user=None,
        actor=None,
        title="Not allowed",
        message=str(exc.detail),
    )


async def unsubscribe_page(request: Request) -> Response:
    """An email's unsubscribe link. GET shows what the link switches off and asks (mail scanners follow links);
    POST switches it off: the page's button, or a mail client's one-click unsubscribe (RFC 8058, from the
    List-Unsubscribe-Post header), which sends no cookie and needs none: the signed token is the proof."""
    token = request.query_params.get("token", "")
    settings: Settings = request.app.state.settings
    if not token:
        user = await current_user(request)
        if user is None:
            return _to_sign_in(request)
        return await render(
            request, "preferences.html", user=user, actor=Actor.of(user), title="Your emails", options=vocabulary()
        )
    named = verify(token, secret_key=settings.secret_key)
    if named is None:
        return await render(
            request,
            "unsubscribe.html",
            status_code=400,
            user=None,
            actor=None,
            title="This link no longer works",
            done=False,
            kinds=[],
            token="",
        )
    done = False
    if request.method == "POST":
        done = await unsubscribe_with_token(token, secret_key=settings.secret_key) is not None
    return await render(
        request,
        "unsubscribe.html",
        user=None,
        actor=None,
        title="You will no longer get these emails" if done else "Stop these emails?",
        done=done,
        kinds=[kind.label for kind in named.notifications],
        token=token,
    )


def routes(settings: Settings) -> list[BaseRoute]:
    from web.contract_routes import contract_routes  # it renders with this module's helpers

    return [
        Route("/preferences", unsubscribe_page, methods=["GET", "POST"]),
        Route("/", home),
        Route("/sign-in", sign_in_page, methods=["GET"]),
        Route("/sign-in", sign_in, methods=["POST"]),
        Route("/sign-out", sign_out, methods=["POST"]),
        *(Route(path, page) for path in PAGES),
        Route("/referrals/{referral_id}", referral_page),
        Route("/placements/{placement_id}", placement_page),
        # Data standards in and out (issue 20): web/data_exports.py.
        Route("/referrals/{referral_id}/placements-standard", data_exports.placements_standard),
        Route("/exports/ssda903", data_exports.ssda903_episodes),
        Route("/open-data/vacancies.json", data_exports.open_vacancies),
        Route("/block-contracts/{contract_id}", block_contract_page),
        *contract_routes(),
        Mount("/static", app=static_app(), name="static"),
    ]


exception_handlers = {404: not_found, 500: server_error, HTTPException: forbidden}
