"""Repeated reads from memory (schema/response_cache.py): the same bytes while nothing changed, never stale
after a change, never another caller's, never for a revoked token, never a mutation or an error."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime, timedelta

from bench.harness.marketplace import PASSWORD, Marketplace
from schema.response_cache import GraphQLResponseCache
from server.app import create_app
from server.events.hub import get_hub
from server.events.log import latest_event_id
from server.services import accounts, offers
from server.services.offers import OfferDetails
from server.settings import Settings
from tests.api.conftest import Api, token_lookups

INBOX = """{ referrals(first: 20, filter: {status: [OPEN]}) { edges { node { reference myOffer { status } } } } }"""


def _cache(api: Api) -> GraphQLResponseCache:
    layer = api.app.middleware_stack
    while not isinstance(layer, GraphQLResponseCache):
        layer = layer.app
    return layer


async def _hub_caught_up() -> None:
    """The hub reads new events a moment after they are written; until then the data version may still move."""
    newest = await latest_event_id()
    for _ in range(200):
        if get_hub().position >= newest:
            return
        await asyncio.sleep(0.01)
    raise AssertionError("the event hub did not catch up")


async def _post(api: Api, query: str, who: str, variables: dict | None = None):
    return await api.client.post(
        "/graphql",
        json={"query": query, "variables": variables or {}},
        headers={"Authorization": f"Bearer {api.tokens[who]}"},
    )


def _references(response) -> list[str]:
    body = response.json()
    assert not body.get("errors"), body
    return sorted(edge["node"]["reference"] for edge in body["data"]["referrals"]["edges"])


async def test_a_repeated_read_is_answered_from_memory_until_something_changes(api: Api, market: Marketplace) -> None:
    first = await market.referral()
    await _hub_caught_up()
    before = await _post(api, INBOX, "harbour")
    cache = _cache(api)
    hits = cache.hits
    again = await _post(api, INBOX, "harbour")
    assert cache.hits == hits + 1
    assert again.content == before.content and again.headers["content-type"] == before.headers["content-type"]
    assert again.headers["x-request-id"] != before.headers["x-request-id"]
    assert _references(again) == [first.reference]

    second = await market.referral()  # another user's change: an event, a new data version
    assert _references(await _post(api, INBOX, "harbour")) == sorted([first.reference, second.reference])

    await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=second.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=1),
            matching_statement="Experienced with this age; close to home.",
        ),
    )
    body = (await _post(api, INBOX, "harbour")).json()
    statuses = {e["node"]["reference"]: e["node"]["myOffer"] for e in body["data"]["referrals"]["edges"]}
    assert statuses[second.reference] == {"status": "SUBMITTED"}  # the caller reads its own write back


async def test_one_callers_answer_is_never_given_to_another(api: Api, market: Marketplace) -> None:
    referral = await market.referral()
    await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=1),
            matching_statement="Experienced with this age; close to home.",
        ),
    )
    for _ in range(2):
        harbour = (await _post(api, INBOX, "harbour")).json()["data"]["referrals"]["edges"]
        oakleaf = (await _post(api, INBOX, "oakleaf")).json()["data"]["referrals"]["edges"]
        northdowns = (await _post(api, INBOX, "northdowns")).json()["data"]["referrals"]["edges"]
        assert harbour[0]["node"]["myOffer"] == {"status": "SUBMITTED"}
        assert oakleaf[0]["node"]["myOffer"] is None  # the same referral, its own (absent) offer
        assert northdowns == []  # tier 2: not sent to it yet


async def test_a_revoked_token_is_refused_not_answered_from_memory(api: Api, market: Marketplace) -> None:
    await market.referral()
    assert (await _post(api, INBOX, "harbour")).status_code == 200
    assert (await _post(api, INBOX, "harbour")).status_code == 200  # remembered
    logout = await _post(api, "mutation { logout { errors { code } } }", "harbour")
    assert logout.json()["data"]["logout"]["errors"] == []
    refused = (await _post(api, INBOX, "harbour")).json()
    assert refused["data"] is None and refused["errors"][0]["extensions"]["code"] == "UNAUTHENTICATED"


async def test_mutations_and_answers_with_errors_are_never_remembered(api: Api, market: Marketplace) -> None:
    cache = _cache(api)
    too_many = "{ referrals(first: 500) { edges { node { id } } } }"  # over the page-size limit
    hits = cache.hits
    for _ in range(3):
        assert (await _post(api, too_many, "harbour")).json()["errors"]
    assert cache.hits == hits  # an answer with errors is worked out every time
    logout = "mutation { logout { errors { code } } }"
    first = (await _post(api, logout, "oakleaf")).json()
    second = (await _post(api, logout, "oakleaf")).json()
    assert first["data"]["logout"]["errors"] == []
    assert second["data"]["logout"]["errors"] == [{"code": "UNAUTHENTICATED"}]  # it ran again, and was refused


async def test_the_cache_can_be_turned_off(db: str, market: Marketplace) -> None:
    import httpx

    settings = Settings.from_env({"DATABASE_URL": db, "APP_ENV": "development", "GRAPHQL_CACHE_SECONDS": "0"})
    app = create_app(settings, manage_database=False)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as client:
            api = Api(client, {}, app)
            await api.sign_in("harbour", market.users["harbour"].email)
            await _post(api, INBOX, "harbour")
            await _post(api, INBOX, "harbour")
            cache = _cache(api)
            assert (cache.hits, cache.misses) == (0, 0)


async def test_a_read_the_cache_has_not_seen_looks_its_token_up_once(api: Api, market: Marketplace) -> None:
    await market.referral()
    await _hub_caught_up()
    cache = _cache(api)
    accounts.forget_tokens()  # nobody remembered: the cache looks the token up, and the view reuses what it found
    misses = cache.misses
    with token_lookups() as first:
        assert len(_references(await _post(api, INBOX, "harbour"))) == 1
    assert cache.misses == misses + 1
    assert len(first) == 1, first

    # Remembered now: another read, not yet answered, is still checked against the database, once (by the view).
    other = "{ referrals(first: 5) { edges { node { reference } } } }"
    with token_lookups() as second:
        assert len(_references(await _post(api, other, "harbour"))) == 1
    assert cache.misses == misses + 2
    assert len(second) == 1, second

    hits = cache.hits
    with token_lookups() as again:
        await _post(api, INBOX, "harbour")
    assert cache.hits == hits + 1
    assert again == []  # answered from memory, its caller remembered for a few seconds


async def _offer(market: Marketplace, key: str, referral_id: int) -> None:
    await offers.submit_offer(
        market.actor(key),
        OfferDetails(
            referral_id=referral_id,
            carer_household_id=market.households[key],
            start_date=datetime.now(UTC).date() + timedelta(days=1),
            matching_statement="Experienced carers for this age group, near the child's school.",
        ),
    )


async def test_another_providers_offer_leaves_a_kept_inbox_kept(api: Api, market: Marketplace) -> None:
    referral = await market.referral()
    await _hub_caught_up()
    cache = _cache(api)
    before = await _post(api, INBOX, "harbour")
    await _offer(market, "oakleaf", referral.id)  # concerns Kent and Oakleaf only
    await _hub_caught_up()
    hits = cache.hits
    assert (await _post(api, INBOX, "harbour")).content == before.content
    assert cache.hits == hits + 1
    # ...while Kent's own list, which the offer concerns, is worked out again.
    council_list = "{ referrals(first: 20) { edges { node { reference liveOfferCount } } } }"
    await _post(api, council_list, "kent_officer")
    await _offer(market, "harbour", referral.id)
    await _hub_caught_up()
    hits = cache.hits
    after = (await _post(api, council_list, "kent_officer")).json()
    assert cache.hits == hits, "Kent's list was answered from memory after an offer on its referral"
    assert after["data"]["referrals"]["edges"][0]["node"]["liveOfferCount"] == 2


async def test_a_change_written_by_another_process_refreshes_only_whom_it_concerns(
    api: Api, market: Marketplace
) -> None:
    """Another server process's commit reaches this one through the event log: its hub reads the event's topics."""
    referral = await market.referral()
    await _hub_caught_up()
    cache = _cache(api)
    await _post(api, INBOX, "harbour")
    await _post(api, INBOX, "oakleaf")
    await _write_event_elsewhere(
        "offer.submitted", [f"provider:{market.providers['oakleaf'].id}", f"referral:{referral.id}"]
    )
    await _hub_caught_up()
    hits = cache.hits
    await _post(api, INBOX, "harbour")
    assert cache.hits == hits + 1  # not Harbour's concern
    await _post(api, INBOX, "oakleaf")
    assert cache.hits == hits + 1  # Oakleaf's: worked out again

    await _post(api, INBOX, "oakleaf")
    await _write_event_elsewhere("framework.prices_changed", [f"provider:{market.providers['oakleaf'].id}", "admin"])
    await _hub_caught_up()
    hits = cache.hits
    await _post(api, INBOX, "harbour")
    await _post(api, INBOX, "oakleaf")
    assert cache.hits == hits, "a platform change concerns every member"


async def _write_event_elsewhere(type_: str, topics: list[str]) -> None:
    """As another process commits: a row in the log, and no word to this process but the bus's ring."""
    from tortoise import connections

    from server.events.bus import get_bus
    from server.repositories.events import write_event

    connection = connections.get("default")
    event_id = await write_event(connection, type_, "{}", datetime.now(UTC), topics)
    await get_bus().publish(event_id)


async def test_reads_take_turns_and_a_write_never_waits_for_them(db: str, market: Marketplace) -> None:
    """GRAPHQL_READ_CONCURRENCY reads at a time go on; a mutation (a council's publish) goes straight through."""
    import httpx

    settings = Settings.from_env(
        {"DATABASE_URL": db, "APP_ENV": "development", "GRAPHQL_CACHE_SECONDS": "0", "GRAPHQL_READ_CONCURRENCY": "1"}
    )
    token, _ = await accounts.issue_token(market.users["kent_officer"], "api", name="gate test")
    release, entered = asyncio.Event(), []

    async def slow_app(scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        entered.append(body)
        if b"mutation" not in body:
            await release.wait()  # a read that takes its time
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": b'{"data": {}}'})

    gate = GraphQLResponseCache(slow_app, settings)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate), base_url="http://testserver") as client:
        headers = {"Authorization": f"Bearer {token}"}

        def post(query: str) -> asyncio.Task:
            return asyncio.create_task(client.post("/graphql", json={"query": query}, headers=headers))

        first, second = post("{ me { id } }"), post("query Again { me { id } }")
        for _ in range(100):
            if entered:
                break
            await asyncio.sleep(0.01)
        write = await asyncio.wait_for(post("mutation { logout { ok } }"), timeout=2)
        assert write.status_code == 200
        assert len(entered) == 2 and not second.done()  # the first read, then the write; the second read waits
        release.set()
        assert (await first).status_code == (await second).status_code == 200
        assert len(entered) == 3


def _slow_reads_app(entered: list[bytes], release: asyncio.Event):
    """An app whose reads wait for `release`, answering each with the caller's token in it (which caller got
    which answer shows in the bytes), and whose mutations answer at once."""

    async def slow_app(scope, receive, send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        entered.append(body)
        run = len(entered)
        if b"mutation" not in body:
            await release.wait()
        caller = dict(scope["headers"])[b"authorization"].split()[-1]
        answer = b'{"data": {"caller": "' + caller + b'", "run": ' + str(run).encode() + b"}}"
        await send({"type": "http.response.start", "status": 200, "headers": [(b"content-type", b"application/json")]})
        await send({"type": "http.response.body", "body": answer})

    return slow_app


async def _gate_with_tokens(db: str, market: Marketplace, app, concurrency: str = "8"):
    settings = Settings.from_env(
        {"DATABASE_URL": db, "APP_ENV": "development", "GRAPHQL_READ_CONCURRENCY": concurrency}
    )
    tokens = {}
    for key in ("harbour", "oakleaf"):
        tokens[key], _ = await accounts.issue_token(market.users[key], "api", name="herd test")
    return GraphQLResponseCache(app, settings), tokens


async def test_a_herd_asking_one_question_at_one_version_works_it_out_once_for_each_caller(
    db: str, market: Marketplace
) -> None:
    import httpx

    entered: list[bytes] = []
    release = asyncio.Event()
    gate, tokens = await _gate_with_tokens(db, market, _slow_reads_app(entered, release))
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate), base_url="http://testserver") as client:

        def ask(who: str) -> asyncio.Task:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            return asyncio.create_task(client.post("/graphql", json={"query": INBOX}, headers=headers))

        herd = [ask("harbour") for _ in range(5)] + [ask("oakleaf") for _ in range(5)]
        for _ in range(200):
            if len(entered) == 2:
                break
            await asyncio.sleep(0.01)
        await asyncio.sleep(0.05)
        assert len(entered) == 2  # one run for Harbour's question, one for Oakleaf's: the rest wait for theirs
        release.set()
        answers = [(await task).json()["data"] for task in herd]
    assert {answer["caller"] for answer in answers[:5]} == {tokens["harbour"]}
    assert {answer["caller"] for answer in answers[5:]} == {tokens["oakleaf"]}  # never another caller's answer
    assert len({answer["run"] for answer in answers[:5]}) == 1 and len({a["run"] for a in answers[5:]}) == 1
    assert gate.misses == 2 and gate.joined + gate.hits == 8 and gate.joined > 0


async def test_a_change_while_an_answer_is_worked_out_is_not_joined_to_it(db: str, market: Marketplace) -> None:
    """A request that arrives after a change the running one started before works its own answer out."""
    import httpx

    entered: list[bytes] = []
    release = asyncio.Event()
    gate, tokens = await _gate_with_tokens(db, market, _slow_reads_app(entered, release))
    headers = {"Authorization": f"Bearer {tokens['harbour']}"}
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate), base_url="http://testserver") as client:
        first = asyncio.create_task(client.post("/graphql", json={"query": INBOX}, headers=headers))
        for _ in range(200):
            if entered:
                break
            await asyncio.sleep(0.01)
        await market.referral()  # a referral sent to Harbour: its inbox's version moves on at once
        second = asyncio.create_task(client.post("/graphql", json={"query": INBOX}, headers=headers))
        for _ in range(200):
            if len(entered) == 2:
                break
            await asyncio.sleep(0.01)
        assert len(entered) == 2
        release.set()
        assert (await first).json()["data"]["run"] != (await second).json()["data"]["run"]


async def test_a_kept_answer_never_waits_behind_reads_being_worked_out(db: str, market: Marketplace) -> None:
    import httpx

    entered: list[bytes] = []
    release = asyncio.Event()
    gate, tokens = await _gate_with_tokens(db, market, _slow_reads_app(entered, release), concurrency="1")
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=gate), base_url="http://testserver") as client:

        def post(who: str, query: str) -> asyncio.Task:
            headers = {"Authorization": f"Bearer {tokens[who]}"}
            return asyncio.create_task(client.post("/graphql", json={"query": query}, headers=headers))

        release.set()
        kept = await post("harbour", INBOX)  # worked out once, and kept
        release.clear()
        slow = post("oakleaf", INBOX)  # holds the one turn
        for _ in range(200):
            if len(entered) == 2:
                break
            await asyncio.sleep(0.01)
        again = await asyncio.wait_for(post("harbour", INBOX), timeout=2)
        assert again.content == kept.content and gate.hits == 1
        assert not slow.done()
        release.set()
        assert (await slow).status_code == 200


async def test_signing_in_refreshes_only_the_signed_in_users_organisation(api: Api, market: Marketplace) -> None:
    """A duty desk signing in (its last sign-in is on its organisation's staff list) leaves every other agency's
    kept inbox alone; its own organisation's answers are worked out again."""
    await market.referral()
    await _hub_caught_up()
    cache = _cache(api)
    await _post(api, INBOX, "harbour")
    await _post(api, INBOX, "oakleaf")
    await accounts.authenticate(market.users["oakleaf"].email, PASSWORD)
    hits = cache.hits
    await _post(api, INBOX, "harbour")
    assert cache.hits == hits + 1  # not Harbour's concern
    misses = cache.misses
    await _post(api, INBOX, "oakleaf")
    assert cache.misses == misses + 1  # Oakleaf's own: worked out again


async def test_while_work_is_under_way_kept_answers_go_out_a_few_to_a_turn_of_the_loop(
    db: str, market: Marketplace
) -> None:
    """A publish's (or a worked-out read's) next step waits one turn of the loop behind at most KEPT_PER_TURN
    kept answers, not behind every desk's; with nothing under way they all go at once."""
    from schema.response_cache import KEPT_PER_TURN

    gate, _ = await _gate_with_tokens(db, market, _slow_reads_app([], asyncio.Event()))
    gate._working = 1  # a mutation under way
    turns = [gate._turn() for _ in range(3 * KEPT_PER_TURN + 1)]
    released = []
    for _ in range(4):
        await asyncio.sleep(0)
        released.append(sum(turn.done() for turn in turns))
        assert all(turn.done() for turn in turns[: released[-1]])  # in the order they were asked for
    assert released[0] <= KEPT_PER_TURN and released[1] - released[0] <= KEPT_PER_TURN
    assert released == sorted(released) and released[0] < released[-1]
    for _ in range(10):
        await asyncio.sleep(0)
    assert all(turn.done() for turn in turns)  # every one goes out, in the order asked

    gate._working = 0  # nothing under way: no turns taken
    turns = [gate._turn() for _ in range(3 * KEPT_PER_TURN)]
    for _ in range(3):
        await asyncio.sleep(0)
    assert all(turn.done() for turn in turns)
