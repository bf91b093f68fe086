"""The vendored front-end files: pinned versions with their licences, GOV.UK Frontend without the GOV.UK typeface or
crown, loaded before the portal's own CSS on every page."""

from __future__ import annotations

import re
from pathlib import Path

from web.assets_served import GOVUK_FRONTEND_CSS, STATIC_DIR

VENDOR = STATIC_DIR / "vendor"
TEMPLATES = Path(__file__).resolve().parents[2] / "web" / "templates"


def test_each_vendored_package_is_pinned_and_has_its_licence() -> None:
    folders = sorted(p.name for p in VENDOR.iterdir() if p.is_dir())
    assert folders == ["chart.js-4.6.1", "govuk-frontend-6.6.0"]
    for folder in folders:
        licence = (VENDOR / folder / "LICENSE.txt").read_text()
        assert "MIT License" in licence and "Permission is hereby granted" in licence, folder
    assert "Crown Copyright" in (VENDOR / "govuk-frontend-6.6.0" / "LICENSE.txt").read_text()
    css = (STATIC_DIR / GOVUK_FRONTEND_CSS).read_text()
    assert '--govuk-frontend-version: "6.6.0"' in css
    chart = (VENDOR / "chart.js-4.6.1" / "chart.umd.min.js").read_text()
    assert "Chart.js v4.6.1" in chart[:300]


def test_govuk_frontend_is_built_without_the_govuk_typeface_or_crown() -> None:
    css = (STATIC_DIR / GOVUK_FRONTEND_CSS).read_text()
    assert "GDS Transport" not in css and "@font-face" not in css
    assert "system-ui" in css
    shipped = {p.name for p in (VENDOR / "govuk-frontend-6.6.0").rglob("*") if p.is_file()}
    assert shipped == {"LICENSE.txt", "govuk-frontend.min.css"}  # no fonts, no crest, no crown
    # The only image the CSS names is the crest of GOV.UK's copyright footer logo, which no page uses.
    assert set(re.findall(r"url\(([^)]*)\)", css)) <= {'"./assets/images/govuk-crest.svg"'}
    for template in TEMPLATES.rglob("*.html"):
        text = template.read_text()
        assert "govuk-footer__copyright-logo" not in text and "govuk-header__logotype" not in text, template.name


def test_base_loads_govuk_frontend_before_the_portals_css() -> None:
    base = (TEMPLATES / "base.html").read_text()
    govuk, portal = base.index(GOVUK_FRONTEND_CSS), base.index("/css/app.css")
    assert govuk < portal
    assert 'class="govuk-template"' in base and "govuk-template__body" in base and "govuk-skip-link" in base
