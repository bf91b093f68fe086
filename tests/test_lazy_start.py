"""Start-up imports neither strawberry, graphql-core nor the schema: the GraphQL endpoint is built by the first
API request (schema/endpoint.py), so health checks and the portal answer at once and an idle process is small."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

TABLES = """
import asyncio, os
from tortoise import Tortoise, connections
from server.database import tortoise_config

async def main():
    await Tortoise.init(config=tortoise_config(os.environ["DATABASE_URL"]))
    await Tortoise.generate_schemas()
    await connections.close_all()

asyncio.run(main())
"""

PROBE = """
import asyncio, json, sys
import server.asgi
command_line = sorted(m for m in ("rich", "server.cli") if m in sys.modules)  # before httpx, whose CLI has rich
import httpx
loaded = lambda: sorted(m for m in ("strawberry", "graphql", "schema.build", "schema.types") if m in sys.modules)
report = {"after_import": loaded(), "command_line": command_line}

async def main():
    app = server.asgi.app
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            report["healthz"] = (await client.get("/healthz")).status_code
            report["sign_in_page"] = (await client.get("/sign-in")).status_code
            report["after_portal"] = loaded()
            answer = await client.post("/graphql", json={"query": "{ __typename }"})
            report["graphql"] = [answer.status_code, answer.json()]
            report["after_graphql"] = loaded()
            report["live_groups"] = len(app.state.live)

asyncio.run(main())
print(json.dumps(report))
"""


def test_the_schema_is_built_by_the_first_api_request_not_at_start_up(tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite://{tmp_path / 'lazy.sqlite3'}",
        "APP_ENV": "development",
        "WORKER_IN_PROCESS": "false",
    }
    env.pop("REDIS_URL", None)
    subprocess.run([sys.executable, "-c", TABLES], cwd=ROOT, env=env, check=True, timeout=120)
    done = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["after_import"] == []
    assert report["command_line"] == []  # the web process imports neither the CLI nor its rich output
    assert report["healthz"] == 200 and report["sign_in_page"] == 200
    assert report["after_portal"] == []
    assert report["graphql"] == [200, {"data": {"__typename": "Query"}}]
    assert report["after_graphql"] == ["graphql", "schema.build", "schema.types", "strawberry"]
    assert report["live_groups"] == 0


# Imported only where they are used: the workbook exports, the dev mailbox's SMTP server, password hashing,
# sealing child records, phone number checks, page and email templates, the exports' XML escaping.
HEAVY = ("openpyxl", "aiosmtpd", "argon2", "cryptography", "phonenumbers", "jinja2", "xml.sax", "playwright")

HEAVY_PROBE = """
import asyncio, json, sys
heavy = HEAVY
loaded = lambda: sorted(m for m in heavy if m in sys.modules)
import server.asgi
from server.auth import passwords
report = {
    "after_import": loaded(),
    # no Argon2 hash made at import (the sign-in's timing equaliser is made by the first sign-in)
    "hashed_at_import": passwords._hasher is not None or passwords.dummy_hash.cache_info().currsize > 0,
}
import httpx

async def main():
    app = server.asgi.app
    transport = httpx.ASGITransport(app=app)
    async with app.router.lifespan_context(app):  # the outbox worker and the dev mailbox run in this process
        report["after_start_up"] = loaded()
        async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
            report["healthz"] = (await client.get("/healthz")).status_code
            report["after_healthz"] = loaded()
            report["sign_in_page"] = (await client.get("/sign-in")).status_code
            report["after_portal"] = loaded()

asyncio.run(main())
print(json.dumps(report))
""".replace("HEAVY", repr(HEAVY))


def test_start_up_imports_no_heavy_module_it_does_not_use(tmp_path: Path) -> None:
    """As `make demo` runs it (worker and dev mailbox in the process): the mailbox loads aiosmtpd because it
    runs; nothing else on the list is loaded until a request needs it (the portal's first page: jinja2)."""
    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        mailbox_port = probe.getsockname()[1]
    env = {
        **os.environ,
        "PYTHONPATH": str(ROOT),
        "DATABASE_URL": f"sqlite://{tmp_path / 'heavy.sqlite3'}",
        "APP_ENV": "development",
        "WORKER_IN_PROCESS": "true",
        "DEV_MAILBOX_PORT": str(mailbox_port),
    }
    for name in ("REDIS_URL", "SMTP_URL"):
        env.pop(name, None)
    subprocess.run([sys.executable, "-c", TABLES], cwd=ROOT, env=env, check=True, timeout=120)
    done = subprocess.run(
        [sys.executable, "-c", HEAVY_PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr[-3000:]
    report = json.loads(done.stdout.strip().splitlines()[-1])
    assert report["after_import"] == []
    assert report["hashed_at_import"] is False
    assert report["after_start_up"] == ["aiosmtpd"]
    assert report["healthz"] == 200 and report["after_healthz"] == ["aiosmtpd"]
    assert report["sign_in_page"] == 200 and report["after_portal"] == ["aiosmtpd", "jinja2"]
