"""The demo loader, by phase: each module's `load(demo)` writes one part of the world, in the order of PHASES.

reference      postcode districts (the bundled file)
organisations  councils and providers
frameworks     frameworks, lots, memberships and their price schedules, departures, mergers
users          the demo accounts
resources      carer households (generated) and children's homes
history        six months of referrals, offers, declines, placements and endings; the cascade clock; a draft
contract_history  three years of placements before them; allegations, feedback, contract reviews (issue 17)
vacancies      early notification of vacancies; then the history's old emails are marked skipped
block_contracts Kent's share of a regional block of children's home beds, and one referral called off it

Later phases find what earlier ones wrote through the shared `Demo` (context.py), by the keys the data files use.
"""

from __future__ import annotations

from server.demo.load import (
    block_contracts,
    contract_history,
    frameworks,
    history,
    organisations,
    reference,
    resources,
    users,
    vacancies,
)

PHASES = (
    reference.load,
    organisations.load,
    frameworks.load,
    users.load,
    resources.load,
    history.load,
    contract_history.load,
    vacancies.load,
    block_contracts.load,
    history.quiet_old_emails,
)
