"""Every page: no serious or critical axe-core violation, and usable at 375 px wide."""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe

from tests.e2e.conftest import Served, sign_in

pytestmark = pytest.mark.browser

PAGES = {
    "harbour": ["/inbox", "/my-offers", "/my-vacancies", "/carers", "/dashboard"],
    "kent_officer": ["/referrals", "/referrals/new", "/vacancy-board", "/dashboard", "/placements"],
    "admin": ["/parked-emails", "/providers", "/frameworks", "/users"],
    "kent_commissioner": ["/frameworks", "/providers", "/users"],
}


@pytest.mark.parametrize("viewport", [{"width": 1280, "height": 900}, {"width": 375, "height": 800}])
def test_pages_have_no_serious_accessibility_violations_and_fit_a_phone(browser, served: Served, viewport) -> None:
    axe = Axe()
    problems = []
    for key, paths in PAGES.items():
        context = browser.new_context(viewport=viewport)
        page = context.new_page()
        sign_in(page, served, key)
        for path in [*paths, "/sign-in-as-nobody-404"]:
            page.goto(f"{served.base_url}{path}")
            page.wait_for_load_state("networkidle")
            results = axe.run(page)
            for violation in results.response["violations"]:
                if violation["impact"] in ("serious", "critical"):
                    problems.append(f"{path}: {violation['id']} ({violation['impact']}): {violation['help']}")
            overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
            if overflow > 0:
                problems.append(f"{path}: {overflow}px wider than a {viewport['width']}px screen")
        context.close()
    assert not problems, "\n".join(problems)
