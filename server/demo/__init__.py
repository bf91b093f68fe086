"""The demo: real frameworks and councils, invented providers and people, and six months of history.

The world is data, in data/, one file per aggregate with named fields: TOML (tomllib, in the standard library,
with comments beside the values) for records with lists and nested parts, CSV for flat tables.

    councils.toml          councils, their postcode districts and reference prefixes
    providers.toml         providers (invented), their offices, how many carer households, mergers
    frameworks.toml        frameworks and their lots
    memberships.csv        providers on lots, by tier, with joining and leaving dates
    price_schedules.toml   the fee tables and supplement ranges the price schedules are generated from
    users.csv              the demo accounts
    childrens_homes.toml   children's homes
    carer_households.toml  what the generated carer households draw from (categories, ages, communities)
    children.toml          the anonymised profiles referrals are written from
    referrals.toml         the history: closed and open cases, with their outcomes, and a draft
    offers.toml            decline notes, matching statements, spot fees
    vacancies.toml         who posts vacancies, and their notes
    postcode_districts.csv the postcode districts (also the app's bundled directory)

world.py reads and checks them into typed records; load/ writes them, by phase, through the same services the
API uses wherever a use case exists (see load/__init__.py); seed.py is the entry point. Carer households and
price schedules are generated from the data by seeded random draws, so two runs give the same demo.
"""
