"""Every page: no serious or critical axe-core violation, no wider than a 1,366 px desktop or a 375 px phone,
nothing loaded from outside the portal, and every script and stylesheet compressed and cached under a versioned URL."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import Served, make_required_choices, sign_in
from web.assets_served import GZIP_MIN_BYTES, STATIC_DIR, static_version

pytestmark = pytest.mark.browser

PAGES = {
    "harbour": ["/inbox", "/my-offers", "/my-vacancies", "/carers", "/dashboard"],
    "kent_officer": ["/referrals", "/referrals/new", "/vacancy-board", "/dashboard", "/placements"],
    "admin": ["/parked-emails", "/providers", "/frameworks", "/users"],
    "kent_commissioner": ["/frameworks", "/providers", "/users", "/block-contracts"],
}
# Pages about one referral ({referral}: one the officer publishes first, sent to Harbour), every role's own email
# choices, and the pages anyone may see signed out (None): sign-in, the dev mailbox and one email in it.
MORE_PAGES: dict[str | None, list[str]] = {
    "kent_officer": ["/referrals/{referral}", "/preferences"],
    "harbour": ["/referrals/{referral}", "/preferences", "/block-contracts"],
    "admin": ["/preferences"],
    None: ["/sign-in", "/dev/mailbox", "/dev/mailbox/1"],
}
# Re-openings and mergers (issue 18).
MORE_PAGES["kent_commissioner"] = ["/reopenings"]
MORE_PAGES["admin"] += ["/reopenings", "/merge-providers"]
MORE_PAGES["harbour"] += ["/join-a-framework"]
# Contract management (issue 17), by the test marketplace's numbers: framework 1, Kent 1, Harbour 1.
CONTRACT_PAGES = {
    "kent_commissioner": [
        "/contract-management",
        "/frameworks/1/contract-management",
        "/frameworks/1/providers/1/scorecard",
        "/frameworks/1/quarters/2026-Q3/report",
    ],
    "kent_officer": ["/contract-management", "/frameworks/1/councils/1/quarter"],
    "harbour": ["/contract-management", "/frameworks/1/providers/1/scorecard"],
}
for _key, _paths in CONTRACT_PAGES.items():
    MORE_PAGES.setdefault(_key, []).extend(_paths)
VIEWPORTS = [{"width": 1366, "height": 900}, {"width": 375, "height": 800}]
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def referral(browser, served: Served) -> str:
    """A published referral's id, from the page the officer lands on; its emails reach the dev mailbox."""
    context = browser.new_context()
    page = context.new_page()
    sign_in(page, served, "kent_officer")
    page.goto(f"{served.base_url}/referrals/new")
    page.get_by_label("Age in years").fill("14")
    page.get_by_label("Home postcode district").fill("ME14")
    make_required_choices(page)
    page.get_by_label("Summary", exact=True).fill("Keen on music; settled in Year 10.")
    page.get_by_role("button", name="Save and publish").click()
    page.wait_for_url(re.compile(r"/referrals/(?!new)[\w-]+$"))
    referral_id = page.url.rsplit("/", 1)[1]
    page.goto(f"{served.base_url}/dev/mailbox")
    for _ in range(40):  # the server's outbox worker sends the new-referral emails within a moment
        if page.locator("tbody a[href='/dev/mailbox/1']").count():
            break
        page.wait_for_timeout(250)
        page.reload()
    context.close()
    return referral_id


def _all_pages() -> list[tuple[str | None, list[str]]]:
    keys = list(dict.fromkeys([*PAGES, *MORE_PAGES]))
    return [(key, [*PAGES.get(key, []), *MORE_PAGES.get(key, [])]) for key in keys]


@pytest.mark.parametrize("viewport", VIEWPORTS, ids=lambda v: f"{v['width']}px")
def test_pages_have_no_serious_accessibility_violations_and_fit_the_screen(
    browser, served: Served, referral: str, viewport
) -> None:
    axe = Axe()
    problems = []
    for key, paths in _all_pages():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        if key is not None:
            sign_in(page, served, key)
        for path in [*paths, "/sign-in-as-nobody-404"]:
            path = path.format(referral=referral)
            response = page.goto(f"{served.base_url}{path}")
            page.wait_for_load_state("networkidle")
            if path != "/sign-in-as-nobody-404" and (response is None or response.status != 200):
                problems.append(f"{key} {path}: answered {response and response.status}, not the page")
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    where = "; ".join(node["target"][0] for node in violation["nodes"][:3])
                    problems.append(
                        f"{key} {path}: {violation['id']} ({violation['impact']}): {violation['help']} at {where}"
                    )
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{key} {path}: {overflow}px wider than a {viewport['width']}px screen")
        context.close()
    assert not problems, "\n".join(problems)


def test_every_pages_scripts_and_styles_are_the_portals_own_compressed_and_cached(
    browser, served: Served, referral: str
) -> None:
    """Nothing from another site (no CDN), and each JS and CSS file (the vendored ones too) under the current
    version, gzip-compressed and cached for a year as immutable."""
    problems: list[str] = []
    assets: dict[str, dict[str, str]] = {}
    for key, paths in _all_pages():
        context = browser.new_context()
        page = context.new_page()
        page.on(
            "request",
            lambda request: (
                None
                if request.url.startswith((served.base_url, "data:", "blob:"))
                else problems.append(f"{request.url} is not the portal's own")
            ),
        )

        def seen(response) -> None:
            if response.request.resource_type in ("script", "stylesheet"):
                assets[response.url] = response.all_headers()

        page.on("response", seen)
        if key is not None:
            sign_in(page, served, key)
        for path in paths:
            page.goto(f"{served.base_url}{path.format(referral=referral)}")
            page.wait_for_load_state("networkidle")
        context.close()

    prefix = f"{served.base_url}/static/v/{static_version()}/"
    assert any("/vendor/govuk-frontend-" in url for url in assets), "GOV.UK Frontend's CSS is loaded"
    assert any("/vendor/chart.js-" in url for url in assets), "Chart.js is loaded on the dashboard"
    assert any(url.endswith("/css/app.css") for url in assets) and any(url.endswith(".js") for url in assets)
    for url, headers in sorted(assets.items()):
        if not url.startswith(prefix):
            problems.append(f"{url}: not under the current versioned prefix")
            continue
        size = (STATIC_DIR / url.removeprefix(prefix)).stat().st_size
        if headers.get("content-encoding") != "gzip" and size >= GZIP_MIN_BYTES:
            problems.append(f"{url}: not compressed ({headers.get('content-encoding')})")
        if headers.get("cache-control") != "public, max-age=31536000, immutable":
            problems.append(f"{url}: cache-control {headers.get('cache-control')!r}")
    assert not problems, "\n".join(problems)


# What would make a browser fetch from elsewhere: a link, script, image or form pointing at an absolute URL, a
# CSS url() or @import of one, a JS import, fetch, worker or websocket to one.
LOADS_FROM_ELSEWHERE = re.compile(
    r"""(?:\b(?:src|href|action|srcset|poster|data)\s*=\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:url\(\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:@import\s+(?:url\()?\s*["']?\s*(?:https?:)?//)"""
    r"""|(?:\b(?:import|from)\s*\(?\s*["'](?:https?:)?//)"""
    r"""|(?:\b(?:fetch|importScripts|Worker|EventSource|WebSocket)\s*\(\s*["'`](?:https?:|wss?:)?//)""",
    re.IGNORECASE,
)


def test_no_template_or_static_file_loads_anything_from_outside_the_portal() -> None:
    files = [
        *sorted((ROOT / "web" / "templates").rglob("*.html")),
        *sorted(p for p in STATIC_DIR.rglob("*") if p.suffix in {".html", ".js", ".mjs", ".css", ".svg"}),
    ]
    assert any("vendor" in p.parts for p in files), "the vendored files are checked too"
    found = [
        f"{path.relative_to(ROOT)}: {match.group(0)!r}"
        for path in files
        for match in LOADS_FROM_ELSEWHERE.finditer(path.read_text(encoding="utf-8"))
    ]
    assert not found, "\n".join(found)
    # The check itself catches each way of loading from a CDN.
    for sample in (
        '<script src="https://cdn.example/x.js">',
        "<link href='//cdn.example/a.css'>",
        "a { background: url(https://cdn.example/i.png) }",
        '@import "https://fonts.example/css";',
        'import { x } from "https://esm.example/x.js";',
        "fetch(`https://api.example/`)",
    ):
        assert LOADS_FROM_ELSEWHERE.search(sample), sample
    for fine in (
        '<a href="/referrals">',
        '[href^="http://"]::after { content: attr(href) }',
        '"https://www.chartjs.org"',
    ):
        assert not LOADS_FROM_ELSEWHERE.search(fine), fine
