"""Downloads of the data standards (issue 20): a referral in the placements data standard and a council's
SSDA903 episodes, for the council's signed-in placement officers (anyone else gets the page a missing thing
gets: 404), and the open-data feed of vacancies as Open Referral (HSDS) service capacity, for whoever asks,
showing what the vacancies query would show them (a bearer token or the portal's session; anonymous: none)."""

from __future__ import annotations

import json
from datetime import UTC, datetime

from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import JSONResponse, RedirectResponse, Response

from schema.ids import from_global_id
from server.auth.actor import Actor
from server.services import data_standards, open_data, ssda903
from server.services.accounts import token_actor
from server.services.errors import ServiceError
from web.session import current_user

NO_STORE = {"Cache-Control": "no-store"}


def collection_years(count: int = 6) -> list[int]:
    """The SSDA903 collection years a council may export, the current one (from 1 April) first."""
    today = datetime.now(UTC).date()
    current = today.year if today.month >= 4 else today.year - 1
    return list(range(current, current - count, -1))


async def _officer(request: Request) -> Actor | Response:
    user = await current_user(request)
    if user is None:
        return RedirectResponse(f"/sign-in?next={request.url.path}", status_code=303)
    return Actor.of(user)


def _download(body: str, name: str, fmt: str) -> Response:
    media = "text/csv; charset=utf-8" if fmt == "csv" else "application/json"
    headers = {**NO_STORE, "Content-Disposition": f'attachment; filename="{name}.{fmt}"'}
    return Response(body, media_type=media, headers=headers)


def _format(request: Request) -> str:
    fmt = request.query_params.get("format", "json")
    if fmt not in ("json", "csv"):
        raise HTTPException(404)
    return fmt


async def placements_standard(request: Request) -> Response:
    actor = await _officer(request)
    if isinstance(actor, Response):
        return actor
    fmt = _format(request)
    pk = from_global_id(request.path_params["referral_id"], "Referral")
    try:
        document = await data_standards.export_referral(actor, pk or 0)
    except ServiceError:
        raise HTTPException(404) from None
    name = f"placements-standard-{document[data_standards.EXTENSION]['reference']}"
    body = data_standards.as_csv([document]) if fmt == "csv" else json.dumps(document, indent=2)
    return _download(body, name, fmt)


async def ssda903_episodes(request: Request) -> Response:
    actor = await _officer(request)
    if isinstance(actor, Response):
        return actor
    fmt = _format(request)
    year_text = request.query_params.get("year", "")
    if not (year_text.isascii() and year_text.isdigit() and len(year_text) == 4) or actor.council_id is None:
        raise HTTPException(404)
    year = int(year_text)
    try:
        rows = await ssda903.episodes(actor, actor.council_id, year)
    except ServiceError:
        raise HTTPException(404) from None
    body = (
        ssda903.as_csv(rows) if fmt == "csv" else json.dumps({"columns": ssda903.COLUMNS, "episodes": rows}, indent=2)
    )
    return _download(body, f"ssda903-episodes-{year}-{(year + 1) % 100:02d}", fmt)


async def open_vacancies(request: Request) -> Response:
    header = request.headers.get("authorization", "")
    scheme, _, token = header.partition(" ")
    actor = None
    if scheme.lower() == "bearer" and token.strip():
        actor = await token_actor(token.strip())
        if actor is None:
            return JSONResponse({"error": "That token is not valid."}, status_code=401, headers=NO_STORE)
    else:
        user = await current_user(request)
        actor = Actor.of(user) if user else None
    feed = await open_data.vacancies_feed(actor, now=datetime.now(UTC))
    return JSONResponse(feed, headers={"Cache-Control": "private, max-age=60" if actor else "public, max-age=60"})
