"""Repeated GraphQL reads answered from memory while nothing they could show has changed.

A duty desk's inbox, an integrator polling the referrals list: the same query from the same caller, over
and over, with nothing new in between. This ASGI middleware in front of `POST /graphql` remembers the
response of a signed-in caller's query (never a mutation, never a response with errors) under

    the document, its operation name and variables, and the caller (user, role and organisation),

together with the version of the data it depends on (server.events.version.version_for): the newest events,
read by this process's hub from the log every process writes, that concern the caller's organisation
("provider:3", "council:1") or concern everyone, and this process's own commits. The next identical request
gets the same bytes, without touching the database or running GraphQL, if that version is unchanged and the
answer is younger than GRAPHQL_CACHE_SECONDS. Every change made through a unit of work writes an event naming
whom it concerns, which moves their version in every process (this one at once), and only theirs: another
provider's offer leaves a duty desk's kept inbox alone. A platform admin's answers depend on everything. The
age limit bounds what nothing announces (another process's bookkeeping such as "viewed at").

Who is asking is checked on every request, as on the ordinary path (bearer token, or the portal's session
with its CSRF header); the token's owner is remembered for a few seconds (services.accounts). When it is
not remembered, the token is looked up here, once, and the view reuses what was found (a miss costs one
look-up, as any request does). Anything the middleware does not recognise goes to the ordinary path
untouched. Answers about the child's identified record (NEVER_KEPT) are never kept.
"""

from __future__ import annotations

import asyncio
import json
import secrets
import time
from collections import OrderedDict, deque
from collections.abc import Awaitable, Callable, Hashable, MutableMapping
from dataclasses import dataclass
from typing import Any

from starlette.requests import Request

from schema.request_auth import note_checked_token, request_token
from server.events.version import version_for
from server.services.accounts import remembered_actor, token_actor
from server.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]

MAX_ENTRIES = 4096
# While a mutation or a read that has to be worked out is under way, kept answers go out this many to a turn of
# the event loop (see GraphQLResponseCache._turn).
KEPT_PER_TURN = 8
MAX_REQUEST_BYTES = 64 * 1024
MAX_RESPONSE_BYTES = 512 * 1024
# Never kept, whoever asks: the child's identified record and its trail must not sit in memory, and every read
# of them is to be audited (schema/types/child_records.py).
NEVER_KEPT = frozenset({"childRecord", "referralDocument", "accessAudit", "sharedDocuments", "placementAgreement"})
# The data standards' exports name the child by the council's id (issue 20): never kept either.
NEVER_KEPT |= {"placementsStandardExport", "placementsStandardBulkExport", "ssda903Episodes"}


@dataclass(frozen=True)
class _Answer:
    version: Hashable
    good_until: float
    status: int
    headers: tuple[tuple[bytes, bytes], ...]
    body: bytes


@dataclass(frozen=True)
class _Pending:
    """An answer being worked out: the version it starts from, and the answer (None if it is not kept)."""

    version: Hashable
    answer: asyncio.Future[_Answer | None]


class GraphQLResponseCache:
    def __init__(self, app: Callable[[Scope, Receive, Send], Awaitable[None]], settings: Settings,
                 path: str = "/graphql") -> None:  # fmt: skip
        self.app = app
        self.settings = settings
        self.path = path
        self.seconds = settings.graphql_cache_seconds
        self._answers: OrderedDict[Hashable, _Answer] = OrderedDict()
        self._reads = asyncio.Semaphore(settings.graphql_read_concurrency)
        self._pending: dict[Hashable, _Pending] = {}
        self._working = 0  # mutations and reads being worked out, now
        self._waiting: deque[asyncio.Future[None]] = deque()  # kept answers waiting for their turn
        self._releasing = False
        self.hits = 0
        self.misses = 0
        self.joined = 0

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] != "POST" or scope["path"] != self.path:
            await self.app(scope, receive, send)
            return
        body, complete = await _read_body(receive)
        replay = _replaying(body, complete, receive)
        found = await self._key(scope, body) if complete else None
        if found is None:  # a mutation, or nothing this recognises: the ordinary path, ungated
            self._working += 1
            try:
                await self.app(scope, replay, send)
            finally:
                self._finished()
            return
        key, topics = found
        if not self.seconds:
            async with self._reads:
                await self.app(scope, replay, send)
            return
        await self._answer(key, version_for(topics), scope, replay, send)

    async def _answer(self, key: Hashable, version: Hashable, scope: Scope, receive: Receive, send: Send) -> None:
        """A kept answer at once; else the one being worked out for this same key at this version; else work it
        out, taking turns with the other reads that have to."""
        answer = self._kept(key, version)
        if answer is None and (pending := self._pending.get(key)) is not None and pending.version == version:
            # The same caller's same question, already being worked out from data at least this new: its answer
            # is this request's too (a thundering herd after a change asks each question once).
            answer = await asyncio.shield(pending.answer)
            if answer is not None:
                self.joined += 1
        if answer is not None:
            if self._working:
                await self._turn()
            await _send_answer(answer, send)
            return
        self.misses += 1
        self._working += 1
        mine = _Pending(version, asyncio.get_running_loop().create_future())
        pending = self._pending.get(key)
        if pending is None or pending.version != version:
            self._pending[key] = mine
        capture = _Capture(send)
        answer = None
        try:
            # Reads that have to be worked out take turns, a few at a time; kept answers and writes never wait
            # for them. Under a load of readers a council's publish would otherwise queue, at each of its awaits,
            # behind every read in the event loop.
            async with self._reads:
                await self.app(scope, receive, capture)
            answer = capture.answer(version, time.monotonic() + self.seconds)
            if answer is not None:
                self._keep(key, answer)
        finally:
            self._finished()
            if self._pending.get(key) is mine:
                del self._pending[key]
            mine.answer.set_result(answer)

    def _turn(self) -> asyncio.Future[None]:
        """Resolves when this kept answer's turn comes: at most KEPT_PER_TURN of them go out per turn of the loop.

        A kept answer costs a fraction of a millisecond, and 50 desks polling in a closed loop send 50 of them
        each turn of the loop: every await of a publish, or of an inbox being worked out after it, waited behind
        all of them (a publish's 14 awaits took 200-300 ms). Taking turns, the slower work gets a turn of the
        loop every few kept answers, and the kept answers, asked again as soon as they arrive, lose nothing of
        their rate: the loop is busy either way."""
        loop = asyncio.get_running_loop()
        turn = loop.create_future()
        self._waiting.append(turn)
        if not self._releasing:
            self._releasing = True
            loop.call_soon(self._release, loop)
        return turn

    def _release(self, loop: asyncio.AbstractEventLoop) -> None:
        released = 0
        while self._waiting and (released < KEPT_PER_TURN or not self._working):
            turn = self._waiting.popleft()
            if not turn.done():
                turn.set_result(None)
                released += 1
        if self._waiting:
            loop.call_soon(self._release, loop)
        else:
            self._releasing = False

    def _finished(self) -> None:
        self._working -= 1

    def _kept(self, key: Hashable, version: Hashable) -> _Answer | None:
        answer = self._answers.get(key)
        if answer is None or answer.version != version or answer.good_until <= time.monotonic():
            return None
        self._answers.move_to_end(key)
        self.hits += 1
        return answer

    def _keep(self, key: Hashable, answer: _Answer) -> None:
        self._answers[key] = answer
        self._answers.move_to_end(key)
        while len(self._answers) > MAX_ENTRIES:
            self._answers.popitem(last=False)

    async def _key(self, scope: Scope, body: bytes) -> tuple[Hashable, tuple[str, ...]] | None:
        """The answer's key, and the organisation topics whose changes make it out of date."""
        request = Request(scope)
        if not request.headers.get("content-type", "").startswith("application/json"):
            return None
        token = request_token(self.settings, request)
        if token is None:
            return None
        try:
            payload = json.loads(body)
        except ValueError:
            return None
        if not isinstance(payload, dict) or not isinstance(payload.get("query"), str):
            return None
        operation_name = payload.get("operationName")
        variables = payload.get("variables") or {}
        if not isinstance(variables, dict) or not (operation_name is None or isinstance(operation_name, str)):
            return None
        # graphql-core is imported by the first API request, not at start-up (server.app builds the schema late).
        from graphql import OperationType

        from schema.operations import field_names, operation_of

        operation = operation_of(payload["query"], operation_name)
        if operation is None or operation.operation is not OperationType.QUERY:
            return None
        if field_names(payload["query"]) & NEVER_KEPT:
            return None
        actor = remembered_actor(token)
        if actor is None:
            actor = await token_actor(token)
            note_checked_token(scope, token, actor)
        if actor is None:
            return None  # the ordinary path says why
        frozen = json.dumps(variables, sort_keys=True)
        key = (payload["query"], operation_name, frozen, actor.user_id, actor.role, actor.council_id,
               actor.provider_id)  # fmt: skip
        return key, actor.topics


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The request body, or what was read of it and False when it is too big to be worth remembering."""
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), False
        chunk = message.get("body", b"")
        chunks.append(chunk)
        size += len(chunk)
        if not message.get("more_body", False):
            return b"".join(chunks), True
        if size > MAX_REQUEST_BYTES:
            return b"".join(chunks), False


def _replaying(body: bytes, complete: bool, receive: Receive) -> Receive:
    """A receive that gives the body already read, then hands over to the real one."""
    sent = False

    async def replay() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            return {"type": "http.request", "body": body, "more_body": not complete}
        return await receive()

    return replay


class _Capture:
    """Passes the response through and keeps a copy of a clean, complete 200 answer."""

    def __init__(self, send: Send) -> None:
        self._send = send
        self._status = 0
        self._headers: list[tuple[bytes, bytes]] = []
        self._body: list[bytes] = []
        self._size = 0
        self._keep = True

    async def __call__(self, message: Message) -> None:
        if message["type"] == "http.response.start":
            self._status = message["status"]
            self._headers = list(message.get("headers", []))
            if self._status != 200 or any(name.lower() == b"set-cookie" for name, _ in self._headers):
                self._keep = False
        elif message["type"] == "http.response.body" and self._keep:
            chunk = message.get("body", b"")
            self._size += len(chunk)
            if self._size > MAX_RESPONSE_BYTES:
                self._keep = False
                self._body.clear()
            else:
                self._body.append(chunk)
        await self._send(message)

    def answer(self, version: Hashable, good_until: float) -> _Answer | None:
        if not self._keep or not self._status:
            return None
        body = b"".join(self._body)
        try:
            result = json.loads(body)
        except ValueError:
            return None
        if not isinstance(result, dict) or result.get("errors") or "data" not in result:
            return None
        headers = tuple((name, value) for name, value in self._headers if name.lower() != b"x-request-id")
        return _Answer(version, good_until, self._status, headers, body)


async def _send_answer(answer: _Answer, send: Send) -> None:
    request_id = secrets.token_hex(6).encode()
    await send({"type": "http.response.start", "status": answer.status,
                "headers": [*answer.headers, (b"x-request-id", request_id)]})  # fmt: skip
    await send({"type": "http.response.body", "body": answer.body})
