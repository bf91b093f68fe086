"""A JavaScript integration's duty desk: the standard `graphql-ws` client under Node, against a real server.

tests/js/inbox.mjs subscribes to `referralInbox` with the bearer token in connection_init, the way a
provider's own system would, and prints the first message. Node and npm come from the machine; the
client's packages from the npm registry (`npm ci`, pinned by tests/js/package-lock.json).
"""

from __future__ import annotations

import asyncio
import json
import shutil
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from bench.harness.servers import ROOT, Api, Prepared, ServerProcess, prepare_database, running
from tests.conftest import IN_CI

JS = ROOT / "tests" / "js"


@pytest.fixture(scope="module")
def node_client() -> Path:
    """tests/js with its node_modules installed; skips (fails in CI) without Node.js."""
    if not shutil.which("node") or not shutil.which("npm"):
        message = "Node.js and npm are needed for the graphql-ws client test (apt-get install nodejs npm)"
        if IN_CI:
            pytest.fail(f"CI must not skip the JavaScript client test. {message}")
        pytest.skip(message)
    if not (JS / "node_modules" / "graphql-ws").is_dir():
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--silent"], cwd=JS, check=True, timeout=300)
    return JS / "inbox.mjs"


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[Prepared, ServerProcess]]:
    prepared = prepare_database(f"sqlite://{tmp_path / 'exchange.sqlite3'}")
    server = ServerProcess("js-client", prepared.database_url, tmp_path)
    with running(server):
        yield prepared, server


async def run_inbox(script: Path, url: str, token: str, after: str | None = None) -> asyncio.subprocess.Process:
    arguments = [str(script), url, token] + ([after] if after is not None else [])
    return await asyncio.create_subprocess_exec(
        "node", *arguments, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
    )


async def wait_connected(process: asyncio.subprocess.Process) -> None:
    assert process.stderr is not None
    line = await asyncio.wait_for(process.stderr.readline(), 20)
    assert line.strip() == b"connected", line


async def test_graphql_ws_client_receives_a_referral_published_while_it_listens(
    node_client: Path, server: tuple[Prepared, ServerProcess]
) -> None:
    prepared, process = server
    async with Api(process.base_url, prepared) as api:
        token = await api.token("harbour")
        inbox = await run_inbox(node_client, process.ws_url, token)
        await wait_connected(inbox)
        await asyncio.sleep(0.3)  # the subscribe message follows the acknowledgement
        reference = await api.broadcast_referral()
        out, err = await asyncio.wait_for(inbox.communicate(), 20)
    assert inbox.returncode == 0, err.decode()
    message = json.loads(out)["data"]["referralInbox"]
    assert message["event"] == "referral.published"
    assert message["referral"] == {"reference": reference, "status": "OPEN"}


async def test_graphql_ws_client_resumes_from_a_cursor(
    node_client: Path, server: tuple[Prepared, ServerProcess]
) -> None:
    prepared, process = server
    async with Api(process.base_url, prepared) as api:
        token = await api.token("harbour")
        inbox = await run_inbox(node_client, process.ws_url, token, after="0")
        out, err = await asyncio.wait_for(inbox.communicate(), 20)
    assert inbox.returncode == 0, err.decode()
    replayed = json.loads(out)["data"]["referralInbox"]
    assert replayed["event"] == "referral.published", "the referral broadcast before it connected is replayed"
    assert int(replayed["cursor"]) > 0


async def test_graphql_ws_client_without_a_token_is_refused(
    node_client: Path, server: tuple[Prepared, ServerProcess]
) -> None:
    _, process = server
    inbox = await run_inbox(node_client, process.ws_url, "not-a-token")
    out, err = await asyncio.wait_for(inbox.communicate(), 20)
    assert inbox.returncode != 0
    assert out == b""
    assert err.decode().strip() == "closed 4403 Forbidden"
