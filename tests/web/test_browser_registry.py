"""The register pages in a real browser (Debian's Chromium driven by Playwright): search a
ship, open its whole life and read its risk profile line by line; screenshot."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ..registry.helpers import imo
from .browsing import MARKS, SHOTS, chromium, served
from .conftest import PASSWORD, login

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(platform: dict[str, Any]) -> Iterator[str]:
    with served(platform, live_hub=False) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _seed(platform: dict[str, Any]) -> tuple[str, str]:
    """A ship with a detention and a low-performing ISM company; returns its IMO and id."""
    from seawarden.registry.codes import uscc_check_char
    from seawarden.web.app import create_app

    tag = uuid.uuid4().int
    number = imo(tag % 900_000 + 100_000)
    body = f"913302{tag % 1_000_000:06d}MB4C5"
    code = body + uscc_check_char(body)
    app = create_app(platform["data"], platform["url"], secure_cookies=False, live_hub=False)
    with TestClient(app) as c:
        h = {"x-csrf-token": login(c, "city_a_sup", platform)}
        r = c.post(
            "/api/registry/companies",
            json={"name": f"舟山船务 {tag % 10_000}", "uscc": code, "ism_performance": "low"},
            headers=h,
        )
        assert r.status_code == 201, r.text
        r = c.post(
            "/api/registry/ships",
            json={
                "name": f"浙海 {tag % 10_000}",
                "imo": number,
                "ship_type": "oil_tanker",
                "flag": "PA",
                "build_year": 2005,
                "ism_company": code,
                "registered_on": "2016-01-01",
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
        sid = r.json()["id"]
        r = c.post(
            f"/api/registry/ships/{sid}/events",
            json={
                "kind": "inspection",
                "on_date": "2026-01-10",
                "port": "Ningbo",
                "deficiencies": 6,
                "detained": True,
                "ended_on": "2026-01-12",
            },
            headers=h,
        )
        assert r.status_code == 201, r.text
    return number, sid


def test_ship_life_and_risk_profile_in_the_browser(
    server: str, browser: Any, platform: dict[str, Any]
) -> None:
    number, sid = _seed(platform)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    page.fill("input[name=username]", "city_a_duty")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#app:not(.hidden)")
    nav = page.locator("header nav button[data-view=registry]")
    assert nav.inner_text() == "船舶登记"  # Chinese by default
    assert page.locator("header nav button[data-view=risk]").is_visible()
    nav.click()
    page.wait_for_selector("#rg-ship-q")
    page.fill("#rg-ship-q", number)
    page.click("#rg-ship-search")
    row = page.locator(f"#rg-ship-table tr[data-ship='{sid}']")
    row.wait_for()
    row.locator("button").click()
    page.wait_for_selector("#rg-risk-lines tr:nth-child(10)")  # header + nine parameters
    lines = page.locator("#rg-risk-lines tr")
    assert lines.count() == 10
    first = lines.nth(1).inner_text()
    assert "2" in first  # an oil tanker scores 2 points for its type
    risk = page.locator("#rg-risk").inner_text()
    assert "船舶风险画像" in risk and "HRS" in risk
    assert "inspection" in page.locator("#rg-history").inner_text()
    page.locator("#rg-risk").scroll_into_view_if_needed()
    page.screenshot(path=str(SHOTS / "registry-ship.png"), full_page=True)
    # the public page needs no more than the public role's view
    page.click("header nav button[data-view=public]")
    page.wait_for_selector("#view-public table.grid")
    assert "ship_name" in page.locator("#view-public").inner_text()
    page.screenshot(path=str(SHOTS / "registry-public.png"))
    # fishing licences and quotas, the flag and RO lists, the credit rule sets
    page.click("header nav button[data-view=registry]")
    page.click("#view-registry button[data-tab=fishing]")
    page.wait_for_selector("#rg-licences")
    assert page.locator("#rg-quotas").is_visible()
    page.click("header nav button[data-view=risk]")
    page.click("#view-risk button[data-tab=lists]")
    page.wait_for_selector("#rg-flag-list")
    page.click("header nav button[data-view=credit]")
    page.click("#view-credit button[data-tab=rulesets]")
    page.wait_for_selector("#rg-rulesets")
    assert "default-2026.1" in page.locator("#rg-rulesets").inner_text()
    assert not errors, errors


def test_seafarer_career_in_the_browser(
    server: str, browser: Any, platform: dict[str, Any]
) -> None:
    """A supervisor opens a seafarer's career with its certificates, training and service."""
    from seawarden.web.app import create_app

    from ..registry.helpers import id_number

    tag = uuid.uuid4().int
    person = id_number(f"33020319750415{tag % 997:03d}")
    app = create_app(platform["data"], platform["url"], secure_cookies=False, live_hub=False)
    with TestClient(app) as c:
        h = {"x-csrf-token": login(c, "city_a_sup", platform)}
        r = c.post(
            "/api/registry/crews",
            json={"name": f"周大副{tag % 1000}", "id_number": person, "organisation": "ZJ-NB"},
            headers=h,
        )
        assert r.status_code == 201, r.text
        cid = r.json()["id"]
        for path, body in (
            ("certificates", {"number": f"CoC-{tag % 10_000}", "grade": "chief mate"}),
            ("training", {"course": "advanced fire fighting", "completed_on": "2024-03-01"}),
            ("service", {"rank": "chief mate", "signed_on": "2024-04-01"}),
        ):
            assert (
                c.post(f"/api/registry/crews/{person}/{path}", json=body, headers=h).status_code
                == 201
            )
    page = browser.new_context(viewport={"width": 1400, "height": 1000}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(server + "/")
    page.fill("input[name=username]", "city_a_sup")
    page.fill("input[name=password]", PASSWORD)
    page.click("#login-form button[type=submit]")
    page.wait_for_selector("#app:not(.hidden)")
    page.click("header nav button[data-view=registry]")
    page.click("#view-registry button[data-tab=crews]")
    page.locator(f"#rg-crew-table button[data-crew='{cid}']").click()
    page.wait_for_selector("#rg-crew-certificates")
    career = page.locator("#rg-crew-detail").inner_text()
    assert f"CoC-{tag % 10_000}" in career and "advanced fire fighting" in career
    assert "chief mate" in career
    page.screenshot(path=str(SHOTS / "registry-crew.png"), full_page=True)
    assert not errors, errors
