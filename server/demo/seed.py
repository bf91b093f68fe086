"""Load the demo world: `seed_demo()`, as the CLI's `seed-demo` and `demo` and the tests call it.

The loader runs the phases of `server.demo.load` in one transaction. Kent County Council is the marker: when it
exists the demo is loaded, and a second run writes nothing.
"""

from __future__ import annotations

from tortoise.transactions import in_transaction

from server.demo.load import PHASES
from server.demo.load.context import Demo
from server.demo.world import load_world
from server.models import Council

PASSWORD = load_world().password  # every demo account's
MARKER_ONS_CODE = "E10000016"  # Kent: present means the demo is loaded


async def seed_demo() -> bool:
    """Load the demo; False (and nothing written) when it is already loaded."""
    if await Council.exists(ons_code=MARKER_ONS_CODE):
        return False
    demo = Demo()
    async with in_transaction():
        for phase in PHASES:
            await phase(demo)
    return True
