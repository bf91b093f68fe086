"""The reference apps bench/startup_bench.py starts beside the exchange, in a module of their own so that the
benchmark's own imports (httpx, the harness: some 5 MB and a tenth of a second) are not counted against them.

    uvicorn bench.startup_apps:bare_app --factory    # bare Starlette answering /healthz from memory
    uvicorn bench.startup_apps:stack_app --factory   # the same, with this stack's libraries loaded
"""

from __future__ import annotations

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Route


def bare_app() -> Starlette:
    async def healthz(request: Request) -> Response:
        return Response(b'{"status": "ok"}', media_type="application/json")

    return Starlette(routes=[Route("/healthz", healthz)])


def stack_app() -> Starlette:
    """The floor of this stack: the bare app plus tortoise-orm, strawberry and graphql-core imported and a
    one-field schema built, none of the exchange's code: what the exchange cannot go below."""
    import strawberry
    import tortoise.models  # noqa: F401

    @strawberry.type
    class Query:
        ok: bool = True

    strawberry.Schema(query=Query)
    return bare_app()
