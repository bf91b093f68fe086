"""Health and readiness, told honestly: the database must answer and take writes; Redis, where configured,
must answer. `/healthz` reports each part; `/readyz` is the load balancer's yes or no (no while shutting down)."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse

from server.events.bus import get_bus
from server.repositories.health import database_accepts_writes, database_answers


async def report() -> dict[str, str]:
    if not await database_answers():
        database = "unavailable"
    elif not await database_accepts_writes():
        database = "read-only"
    else:
        database = "ok"
    bus = get_bus()
    parts = {"database": database, "bus": bus.name}
    if bus.name == "redis":
        parts["redis"] = "ok" if await bus.answers() else "unavailable"
    return parts


def _healthy(parts: dict[str, str]) -> bool:
    return parts["database"] == "ok" and parts.get("redis", "ok") == "ok"


async def healthz(request: Request) -> JSONResponse:
    parts = await report()
    healthy = _healthy(parts)
    return JSONResponse({"status": "ok" if healthy else "unavailable", **parts}, status_code=200 if healthy else 503)


async def readyz(request: Request) -> JSONResponse:
    if getattr(request.app.state, "draining", False):
        return JSONResponse({"status": "draining"}, status_code=503)
    parts = await report()
    ready = _healthy(parts)
    return JSONResponse({"status": "ready" if ready else "not ready", **parts}, status_code=200 if ready else 503)
