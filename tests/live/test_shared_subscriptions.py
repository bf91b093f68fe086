"""Identical live subscriptions share one execution per event, and nobody gets what is not theirs.

See schema/live/: subscribers with the same document, variables and permission scope (role and
organisation) form a group; the group runs the subscription once and every member gets the same payload
under its own operation id. Resuming `after` a cursor, or another organisation, means another path or group.
"""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta

import pytest
from strawberry.types.execution import ExecutionResult

from bench.harness.marketplace import Marketplace
from schema.build import build_schema
from schema.ids import to_global_id
from schema.live.grouping import Grouping, grouping, shared_across_organisations
from schema.live.groups import LiveGroup, LiveGroups
from schema.live.member import LiveItem
from server.auth.actor import Actor
from server.domain.vocabulary import Role
from server.events.hub import get_hub
from server.services import offers
from server.services.offers import OfferDetails
from server.services.referrals import withdraw_referral
from tests.api.test_query_counts import counting_queries
from tests.live.test_subscriptions import INBOX, acked

THIN = "subscription { referralInbox { cursor referral { reference } } }"


async def _settled(condition, timeout: float = 2.0) -> None:
    deadline = asyncio.get_running_loop().time() + timeout
    while not condition():
        assert asyncio.get_running_loop().time() < deadline, "the live groups did not settle"
        await asyncio.sleep(0.01)


async def test_identical_subscriptions_of_one_provider_share_one_execution(live, market: Marketplace) -> None:
    groups: LiveGroups = live.app.state.live
    async with live("harbour") as a, live("harbour") as b, live("harbour") as c, live("oakleaf") as other:
        for socket in (a, b, c, other):
            await acked(socket)
        ids = [await a.subscribe(INBOX), await b.subscribe(INBOX), await c.subscribe(THIN)]
        await other.subscribe(INBOX)
        # Harbour's INBOX (a and b), Harbour's THIN (c), Oakleaf's INBOX: three groups, one hub subscriber each.
        await _settled(lambda: groups.member_count == 4)
        await _settled(lambda: get_hub().subscriber_count == 3)
        assert len(groups) == 3

        referral = await market.referral()
        first, second, thin, theirs = [await s.receive() for s in (a, b, c, other)]
        assert first["id"] == ids[0] and second["id"] == ids[1] and thin["id"] == ids[2]
        assert first["payload"] == second["payload"]
        inbox = first["payload"]["data"]["referralInbox"]
        assert inbox["event"] == "referral.published" and inbox["referral"]["reference"] == referral.reference
        assert thin["payload"]["data"]["referralInbox"] == {
            "cursor": inbox["cursor"],
            "referral": {"reference": referral.reference},
        }
        assert theirs["payload"]["data"]["referralInbox"]["referral"]["reference"] == referral.reference


async def test_a_group_never_carries_another_providers_referrals(live, market: Marketplace) -> None:
    groups: LiveGroups = live.app.state.live
    async with live("harbour") as harbour, live("northdowns") as northdowns, live("northdowns") as colleague:
        for socket in (harbour, northdowns, colleague):
            await acked(socket)
            await socket.subscribe(INBOX)
        await _settled(lambda: groups.member_count == 3)
        assert len(groups) == 2  # same document, another organisation: another group
        referral = await market.referral()  # tier 1 only: Harbour, not Northdowns (tier 2)
        message = await harbour.receive()
        assert message["payload"]["data"]["referralInbox"]["referral"]["reference"] == referral.reference
        for socket in (northdowns, colleague):
            with pytest.raises(TimeoutError):
                await socket.receive(timeout=0.5)


async def test_members_leave_and_the_last_one_out_stops_the_group(live, market: Marketplace) -> None:
    groups: LiveGroups = live.app.state.live
    async with live("harbour") as staying:
        await acked(staying)
        await staying.subscribe(INBOX)
        async with live("harbour") as leaving:
            await acked(leaving)
            operation = await leaving.subscribe(INBOX)
            await _settled(lambda: groups.member_count == 2)
            await leaving.send({"id": operation, "type": "complete"})
            await _settled(lambda: groups.member_count == 1)
        referral = await market.referral()
        message = await staying.receive()
        assert message["payload"]["data"]["referralInbox"]["referral"]["reference"] == referral.reference
    await _settled(lambda: len(groups) == 0 and get_hub().subscriber_count == 0)


async def test_a_member_resuming_after_a_cursor_replays_alone_then_shares_the_live_feed(
    live, market: Marketplace
) -> None:
    groups: LiveGroups = live.app.state.live
    first = await market.referral()
    missed = await market.referral()
    async with live("harbour") as fresh, live("harbour") as resuming:
        await acked(fresh)
        await acked(resuming)
        await fresh.subscribe(INBOX)
        await _settled(lambda: groups.member_count == 1)
        cursor = await _cursor_of(first)
        await resuming.subscribe(INBOX, {"after": cursor})
        replayed = await resuming.receive()
        assert _reference(replayed) == missed.reference  # only what came after its cursor
        assert groups.member_count == 2 and len(groups) == 1 and get_hub().subscriber_count == 1
        later = await market.referral()
        assert _reference(await fresh.receive()) == later.reference  # the replay was for the resuming one
        assert _reference(await resuming.receive()) == later.reference
        for socket in (fresh, resuming):
            with pytest.raises(TimeoutError):
                await socket.receive(timeout=0.3)  # no duplicate at the seam


async def test_a_long_replay_does_not_hold_up_the_live_feed(live, market: Marketplace) -> None:
    from server.events import hub as hub_module

    backlog = [await market.referral() for _ in range(5)]
    async with live("harbour") as fresh, live("harbour") as resuming:
        await acked(fresh)
        await acked(resuming)
        await fresh.subscribe(INBOX)
        await _settled(lambda: live.app.state.live.member_count == 1)
        original = hub_module.REPLAY_PAGE
        try:
            import schema.live.feed as live_module

            live_module.REPLAY_PAGE = 2  # the table is read two events at a time
            await resuming.subscribe(INBOX, {"after": "0"})
            now = await market.referral()
            assert _reference(await fresh.receive()) == now.reference
            seen = [_reference(await resuming.receive()) for _ in range(len(backlog) + 1)]
        finally:
            live_module.REPLAY_PAGE = original
        assert seen == [r.reference for r in backlog] + [now.reference]  # in order, once each


async def _cursor_of(referral) -> str:
    from server.models import Event

    events = await Event.filter(type="referral.published").order_by("id")
    (event,) = [e for e in events if e.payload.get("referralId") == referral.id]
    return str(event.id)


def _reference(message: dict) -> str:
    assert message["type"] == "next", message
    return message["payload"]["data"]["referralInbox"]["referral"]["reference"]


def group_key(query, variables, operation_name, actor):
    found = grouping(query, variables, operation_name, actor)
    return found.key if found else None


def test_group_keys_separate_documents_variables_and_organisations() -> None:
    harbour = Actor(user_id=1, role=Role.PROVIDER_RESPONDER, provider_id=1)
    colleague = Actor(user_id=2, role=Role.PROVIDER_RESPONDER, provider_id=1)
    oakleaf = Actor(user_id=3, role=Role.PROVIDER_RESPONDER, provider_id=2)
    key = group_key(INBOX, {}, None, harbour)
    assert key is not None
    assert group_key(INBOX, {"after": None}, None, colleague) == key  # colleagues share
    assert group_key(INBOX, {}, None, oakleaf) != key
    assert group_key(THIN, {}, None, harbour) not in (None, key)
    resuming = grouping(INBOX, {"after": "12"}, None, colleague)
    assert resuming is not None and resuming.key == key and resuming.after == 12  # replays, then shares
    assert group_key(INBOX, {"after": "twelve"}, None, harbour) is None  # the ordinary path refuses it
    assert group_key('subscription { referralInbox(after: "3") { cursor } }', {}, None, harbour) is None
    assert group_key("subscription { dashboard { cursor } }", {}, None, harbour) is None  # snapshot first
    assert group_key("query { me { email } }", {}, None, harbour) is None
    assert group_key("subscription {", {}, None, harbour) is None  # the ordinary path reports the error
    assert group_key(INBOX, {}, None, None) is None


async def test_a_member_that_stops_draining_is_cut_off_with_its_cursor() -> None:
    groups = LiveGroups(member_limit=3)
    never = asyncio.Event()

    async def start(feed):
        await never.wait()

    together = Grouping("key", ("referralInbox",), None)
    member = groups.join(together, start, str)
    neighbour = groups.join(together, start, str)
    result = ExecutionResult(data={"referralInbox": {}}, errors=None)
    items = [LiveItem(str(cursor), result, f"payload {cursor}") for cursor in range(10, 15)]
    received = []
    reading = asyncio.create_task(_drain(neighbour, received))
    for item in items:
        member.offer(item)
        neighbour.offer(item)
        await asyncio.sleep(0)  # the neighbour reads as they come; the member does not
    assert member.cut_off  # three taken, the fourth found the backlog full
    assert groups.member_count == 1
    backlog = [item.cursor async for item in member.items()]
    assert backlog == ["10", "11", "12"]  # what it was given before the cut-off is still delivered
    assert 'after: \\"12\\"' in member.lagging_payload(json.dumps)
    neighbour.end()
    await reading
    assert received == ["10", "11", "12", "13", "14"]
    await _settled(lambda: len(groups) == 0)


async def _drain(member, received: list) -> None:
    async for item in member.items():
        received.append(item.cursor)


async def test_a_write_that_has_to_wait_holds_up_only_its_own_member() -> None:
    """A full socket buffer (the client is not reading) makes that member's write wait; the others go on."""
    groups = LiveGroups(member_limit=10)
    never = asyncio.Event()

    async def start(feed):
        await never.wait()

    drained = asyncio.Event()
    slow_written: list[str] = []
    fast_written: list[str] = []

    def slow_frames(head: bytes, body: bytes) -> bool:
        if not drained.is_set():
            return False  # its transport is paused by flow control: the buffer is full
        slow_written.append((head + body).decode())
        return True

    def fast_frames(head: bytes, body: bytes) -> bool:
        fast_written.append((head + body).decode())
        return True

    async def slow_send(text: str) -> None:  # the ordinary send waits for the buffer to drain
        await drained.wait()
        slow_written.append(text)

    together = Grouping("key", ("referralInbox",), None)
    slow = groups.join(together, start, str, "<", slow_frames)
    fast = groups.join(together, start, str, "[", fast_frames)
    result = ExecutionResult(data={}, errors=None)
    for cursor in (1, 2, 3):
        item = LiveItem(str(cursor), result, str(cursor))
        slow.offer(item)
        fast.offer(item)
    assert fast_written == ["[1}", "[2}", "[3}"]  # written as delivered, without waiting for the slow one
    assert slow_written == []

    sent_by_task: list[str] = []

    async def slow_task() -> None:
        async for item in slow.items():
            await slow_send(slow.message(item))
            sent_by_task.append(item.cursor)

    task = asyncio.create_task(slow_task())
    await asyncio.sleep(0.01)
    assert slow_written == []  # still waiting for its buffer
    drained.set()
    await _settled(lambda: len(slow_written) == 3)
    assert slow_written == ["<1}", "<2}", "<3}"]  # in order, by the member's own task
    assert sent_by_task == ["1", "2", "3"]
    slow.offer(LiveItem("4", result, "4"))  # nothing waits any more: written at once again
    assert slow_written[-1] == "<4}" and sent_by_task == ["1", "2", "3"]
    slow.end()
    fast.end()
    await task


async def test_a_list_loaded_before_subscribing_misses_nothing_sent_in_between(live, market: Marketplace) -> None:
    """The portal's way: read liveCursor, load the list, subscribe after the cursor (schema: Query.liveCursor)."""
    import httpx

    from server.services.accounts import issue_token

    token, _ = await issue_token(market.users["harbour"], "login")
    transport = httpx.ASGITransport(app=live.app)
    async with httpx.AsyncClient(transport=transport, base_url="http://testserver") as client:
        answer = await client.post(
            "/graphql", json={"query": "{ liveCursor }"}, headers={"Authorization": f"Bearer {token}"}
        )
    cursor = answer.json()["data"]["liveCursor"]
    sent_while_loading = await market.referral()  # after the cursor was read, before the feed started
    async with live("harbour") as socket:
        await acked(socket)
        await socket.subscribe(INBOX, {"after": cursor})
        assert _reference(await socket.receive()) == sent_while_loading.reference
        later = await market.referral()
        assert _reference(await socket.receive()) == later.reference


async def test_an_invalid_selection_is_refused_to_each_subscriber_as_the_protocol_says(
    live, market: Marketplace
) -> None:
    groups: LiveGroups = live.app.state.live
    wrong = "subscription { referralInbox { cursor referral { noSuchField } } }"
    async with live("harbour") as first, live("harbour") as second:
        for socket in (first, second):
            await acked(socket)
            operation = await socket.subscribe(wrong)
            refused = await socket.receive()
            assert refused["type"] == "error" and refused["id"] == operation, refused
            assert "noSuchField" in refused["payload"][0]["message"]
        await _settled(lambda: len(groups) == 0)
        # The connection is still usable: a correct subscription on it works.
        await first.subscribe(INBOX)
        await _settled(lambda: groups.member_count == 1)
        referral = await market.referral()
        assert _reference(await first.receive()) == referral.reference


async def test_a_referral_published_in_this_process_is_not_loaded_again_for_its_subscribers(
    live, market: Marketplace
) -> None:
    groups: LiveGroups = live.app.state.live
    async with live("harbour") as harbour, live("oakleaf") as oakleaf:
        for socket in (harbour, oakleaf):
            await acked(socket)
            await socket.subscribe(INBOX)
        await _settled(lambda: groups.member_count == 2)
        referral = await market.referral()  # committed and handed to the hub: its groups run after this
        with counting_queries() as queries:
            messages = [await harbour.receive(), await oakleaf.receive()]
        for message in messages:
            shown = message["payload"]["data"]["referralInbox"]["referral"]
            assert shown == {"reference": referral.reference, "status": "OPEN"}
        assert not [query for query in queries if "referral" in query], queries


# Across organisations: a selection that reads only the referral itself is run once per event for every provider
# it reaches; one that reads who is asking (myOffer) is run by each provider's own group.
MINE = "subscription { referralInbox { cursor event referral { reference myOffer { id } } } }"


def test_only_selections_that_read_nothing_of_the_asker_are_shared_across_organisations() -> None:
    schema = build_schema(production=True)._schema
    harbour = Actor(user_id=1, role=Role.PROVIDER_RESPONDER, provider_id=1)
    oakleaf = Actor(user_id=3, role=Role.PROVIDER_RESPONDER, provider_id=2)
    ours, theirs = grouping(THIN, {}, None, harbour, schema), grouping(THIN, {}, None, oakleaf, schema)
    assert ours is not None and theirs is not None
    assert ours.key != theirs.key and ours.shared is not None and ours.shared == theirs.shared
    framework = "subscription { referralInbox { cursor referral { reference framework { name } lot { code } } } }"
    assert shared_across_organisations(schema, framework, None)
    for asking in (
        MINE,
        "subscription { referralInbox { cursor referral { offers { id } } } }",
        "subscription { referralInbox { cursor referral { myBroadcast { tier } } } }",
        "subscription { referralInbox { cursor referral { responseDeadline } } }",
        "subscription { referralInbox { cursor referral { framework { lots { code } } } } }",
        "subscription { referralInbox { ... on InboxMessage { cursor } } }",
        "subscription { referralInbox { cursor @include(if: true) } }",
        'subscription { offerUpdates(referralId: "UmVmZXJyYWw6MQ==") { cursor } }',
    ):
        assert not shared_across_organisations(schema, asking, None), asking
        assert (
            grouping(asking, {}, None, harbour, schema) is None
            or grouping(asking, {}, None, harbour, schema).shared is None
        )


async def test_a_shared_selection_runs_once_for_every_provider_it_reaches_and_for_none_it_does_not(
    live, market: Marketplace, monkeypatch
) -> None:
    groups: LiveGroups = live.app.state.live
    runs: list[str | None] = []
    deliver = LiveGroup._deliver

    def counted(result, encode, cursor, audience):
        runs.append(cursor)
        return deliver(result, encode, cursor, audience)

    monkeypatch.setattr(LiveGroup, "_deliver", staticmethod(counted))
    async with live("harbour") as harbour, live("oakleaf") as oakleaf, live("northdowns") as northdowns:
        for socket in (harbour, oakleaf, northdowns):
            await acked(socket)
            await socket.subscribe(THIN)
        await _settled(lambda: groups.member_count == 3)
        assert len(groups) == 3  # a group per organisation, as ever
        referral = await market.referral()  # tier 1: Harbour and Oakleaf, not Northdowns (tier 2)
        ours, theirs = await harbour.receive(), await oakleaf.receive()
        assert ours["payload"] == theirs["payload"]
        assert ours["payload"]["data"]["referralInbox"]["referral"] == {"reference": referral.reference}
        assert len(runs) == 1  # one execution for both
        with pytest.raises(TimeoutError):
            await northdowns.receive(timeout=0.5)


async def test_a_selection_that_reads_the_asker_is_run_by_each_provider_for_itself(live, market: Marketplace) -> None:
    groups: LiveGroups = live.app.state.live
    referral = await market.referral()
    offer = await offers.submit_offer(
        market.actor("harbour"),
        OfferDetails(
            referral_id=referral.id,
            carer_household_id=market.households["harbour"],
            start_date=datetime.now(UTC).date() + timedelta(days=1),
            matching_statement="Experienced with this age; close to home.",
        ),
    )
    async with live("harbour") as harbour, live("oakleaf") as oakleaf:
        for socket in (harbour, oakleaf):
            await acked(socket)
            await socket.subscribe(MINE)
        await _settled(lambda: groups.member_count == 2)
        await withdraw_referral(market.actor("kent_officer"), referral.id, "Placed in family.")
        ours = (await harbour.receive())["payload"]["data"]["referralInbox"]
        theirs = (await oakleaf.receive())["payload"]["data"]["referralInbox"]
        assert ours["event"] == theirs["event"] == "referral.withdrawn"
        assert ours["referral"]["myOffer"] == {"id": to_global_id("Offer", offer.id)}
        assert theirs["referral"]["myOffer"] is None  # never Harbour's offer


async def test_a_group_that_ends_while_running_a_shared_message_leaves_the_others_to_run_it(
    live, market: Marketplace, monkeypatch
) -> None:
    """The first group to take an event runs its selection for the other organisations' groups (schema.live.feed);
    if its last member leaves before it has a message, the groups waiting for that message run it themselves."""
    from schema import subscriptions

    groups: LiveGroups = live.app.state.live
    events = subscriptions._events
    running: list[int | None] = []  # the organisation whose group took the event first: it runs for the others
    held = asyncio.Event()

    def holding_the_runner(info, topics, after):
        feed, source = info.context.live_feed, events(info, topics, after)

        async def held_while_running():
            async for event in source:
                if feed is not None and feed.running is not None and not running:
                    running.append(info.context.actor.provider_id)
                    held.set()
                    await asyncio.Event().wait()  # until the group is cancelled: its last member leaves
                yield event

        return held_while_running()

    monkeypatch.setattr(subscriptions, "_events", holding_the_runner)
    sockets = {}
    async with live("harbour") as sockets["harbour"], live("oakleaf") as sockets["oakleaf"]:
        operations = {}
        for key, socket in sockets.items():
            await acked(socket)
            operations[key] = await socket.subscribe(THIN)
        await _settled(lambda: groups.member_count == 2 and get_hub().subscriber_count == 2)
        referral = await market.referral()  # tier 1: both
        await asyncio.wait_for(held.wait(), 5)
        (runner,) = [key for key in sockets if market.actor(key).provider_id == running[0]]
        (waiting,) = [key for key in sockets if key != runner]
        await sockets[runner].send({"id": operations[runner], "type": "complete"})  # its group's last member
        message = await sockets[waiting].receive()
        assert message["id"] == operations[waiting]
        assert message["payload"]["data"]["referralInbox"]["referral"] == {"reference": referral.reference}
        await _settled(lambda: len(groups) == 1 and groups.member_count == 1)
        with pytest.raises(TimeoutError):
            await sockets[runner].receive(timeout=0.3)  # it left before any message
        later = await market.referral()  # the group that stays runs the next event's shared message itself
        message = await sockets[waiting].receive()
        assert message["payload"]["data"]["referralInbox"]["referral"] == {"reference": later.reference}


async def test_a_fault_in_a_groups_message_is_masked_for_every_member(live, market: Marketplace, monkeypatch) -> None:
    from types import SimpleNamespace

    from schema.build import MASKED_MESSAGE
    from schema.types import referrals

    def broken(age: int) -> None:
        raise RuntimeError("a detail about the child that must not leave the server")

    # Referral.ageBand's resolver only (the services go on using the vocabulary as ever).
    monkeypatch.setattr(referrals, "v", SimpleNamespace(AgeBand=SimpleNamespace(for_age=broken)))
    groups: LiveGroups = live.app.state.live
    async with live("harbour") as first, live("harbour") as second:
        for socket in (first, second):
            await acked(socket)
            await socket.subscribe("subscription { referralInbox { cursor referral { reference ageBand } } }")
        await _settled(lambda: groups.member_count == 2 and len(groups) == 1)
        await market.referral()
        for socket in (first, second):
            message = await socket.receive()
            assert message["type"] == "next"
            assert [error["message"] for error in message["payload"]["errors"]] == [MASKED_MESSAGE]
            assert "child" not in json.dumps(message)
