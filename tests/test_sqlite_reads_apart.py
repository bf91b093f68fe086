"""SQLite (server/sqlite.py): a plain read goes on while a transaction is open, and sees only what is committed;
writes, and reads inside a transaction, keep the one writer connection."""

from __future__ import annotations

import asyncio

from tortoise import Tortoise, connections
from tortoise.transactions import in_transaction

from server.database import tortoise_config
from server.models import Council
from server.sqlite import ReadApartClient


async def test_a_read_is_not_queued_behind_an_open_transaction(tmp_path) -> None:
    await Tortoise.init(config=tortoise_config(f"sqlite://{tmp_path / 'apart.sqlite3'}"))
    try:
        await Tortoise.generate_schemas()
        assert isinstance(connections.get("default"), ReadApartClient)
        await Council.create(
            name="Kent County Council",
            ons_code="E10000016",
            region="South East",
            district="ME14",
            reference_prefix="KEN",
        )
        written, release = asyncio.Event(), asyncio.Event()

        async def publish_slowly() -> None:
            async with in_transaction():
                await Council.create(
                    name="Medway Council",
                    ons_code="E06000035",
                    region="South East",
                    district="ME4",
                    reference_prefix="MED",
                )
                assert await Council.all().count() == 2  # the transaction reads its own write
                written.set()
                await release.wait()

        writer = asyncio.create_task(publish_slowly())
        await written.wait()
        # With one connection and one lock this read would wait for the COMMIT (and time out here).
        assert await asyncio.wait_for(Council.all().count(), timeout=2) == 1
        release.set()
        await writer
        assert await Council.all().count() == 2
        await Council.filter(reference_prefix="MED").update(
            name="Medway"
        )  # a write outside a transaction: the writer's
        assert (await Council.get(reference_prefix="MED")).name == "Medway"
    finally:
        await connections.close_all()


async def test_reads_gathered_together_run_side_by_side_on_the_pool(tmp_path) -> None:
    """Each of READERS reads holds its own connection at once (so each runs on its own thread); one more waits
    for a connection to come back, and every one gets its answer."""
    from server import sqlite as sqlite_client

    await Tortoise.init(config=tortoise_config(f"sqlite://{tmp_path / 'pool.sqlite3'}"))
    try:
        await Tortoise.generate_schemas()
        client = connections.get("default")
        held: set[int] = set()
        most = 0
        original = sqlite_client.ReadApartClient._take_reader

        async def take_and_hold(self):
            nonlocal most
            reader = await original(self)
            held.add(id(reader))
            most = max(most, len(held))
            await asyncio.sleep(0.05)  # keep it while the others are taken
            held.discard(id(reader))
            return reader

        sqlite_client.ReadApartClient._take_reader = take_and_hold
        try:
            counts = await asyncio.gather(
                *(
                    client.execute_query_dict("WITH n AS (SELECT COUNT(*) AS c FROM council) SELECT c FROM n")
                    for _ in range(sqlite_client.READERS + 1)
                )
            )
        finally:
            sqlite_client.ReadApartClient._take_reader = original
        assert counts == [[{"c": 0}]] * (sqlite_client.READERS + 1)
        assert most == sqlite_client.READERS
        assert len({id(reader) for reader in client._readers}) == sqlite_client.READERS
    finally:
        await connections.close_all()


async def test_readers_go_to_statements_in_the_order_they_asked(tmp_path) -> None:
    """A reader given back goes to the statement waiting longest, not to one that asks after (as the task
    giving it back asking again at once); a wait cancelled passes on the reader it was handed."""
    await Tortoise.init(config=tortoise_config(f"sqlite://{tmp_path / 'fair.sqlite3'}"))
    try:
        await Tortoise.generate_schemas()
        client = connections.get("default")
        await client.execute_query_dict("SELECT 1")  # opens the pool
        held = [await client._take_reader() for _ in client._readers]
        served: list[str] = []

        async def ask(name: str) -> None:
            reader = await client._take_reader()
            served.append(name)
            client._give_back(reader)

        first, cancelled, second = (asyncio.ensure_future(ask(n)) for n in ("first", "cancelled", "second"))
        await asyncio.sleep(0)  # all three waiting, in that order
        cancelled.cancel()
        client._give_back(held.pop())
        late = await client._take_reader()  # asked after the three: waits behind them
        served.append("late")
        await asyncio.gather(first, second)
        assert served == ["first", "second", "late"]
        assert cancelled.cancelled()
        client._give_back(late)
        for reader in held:
            client._give_back(reader)
        assert len(client._idle_readers) == len(client._readers)
    finally:
        await connections.close_all()
