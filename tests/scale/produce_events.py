"""Write many inbox events quickly, from another process, through the unit of work.

    python -m tests.scale.produce_events DATABASE_URL PROVIDER_ID REFERRAL_ID COUNT [PER_TRANSACTION [PAUSE]]

Each event is what publishing a referral records for a provider's inbox
(`referral.published` on topic `provider:<id>`, payload naming an existing referral),
committed the way the services commit, PER_TRANSACTION at a time with PAUSE seconds between
commits (a steady stream rather than one lump). Prints the first and last event ids as JSON.
"""

from __future__ import annotations

import asyncio
import json
import sys

from tortoise import Tortoise, connections

from server.database import tortoise_config
from server.services.unit_of_work import unit_of_work


async def produce(
    database_url: str, provider_id: int, referral_id: int, count: int, per_transaction: int, pause: float
) -> list[int]:
    await Tortoise.init(config=tortoise_config(database_url))
    ids: list[int] = []
    try:
        while len(ids) < count:
            async with unit_of_work() as work:
                for _ in range(min(per_transaction, count - len(ids))):
                    event = await work.record(
                        "referral.published",
                        [f"provider:{provider_id}", f"referral:{referral_id}"],
                        {"referralId": referral_id, "tier": 1},
                    )
                    ids.append(event.id)
            if pause and len(ids) < count:
                await asyncio.sleep(pause)
    finally:
        await connections.close_all()
    return ids


def main(argv: list[str]) -> None:
    database_url, provider_id, referral_id, count = argv[:4]
    per_transaction = int(argv[4]) if len(argv) > 4 else 50
    pause = float(argv[5]) if len(argv) > 5 else 0.0
    ids = asyncio.run(produce(database_url, int(provider_id), int(referral_id), int(count), per_transaction, pause))
    print(json.dumps({"first": ids[0], "last": ids[-1], "count": len(ids)}))


if __name__ == "__main__":
    main(sys.argv[1:])
