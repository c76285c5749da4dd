"""The dangerous-goods pages in a real browser (Debian's Chromium driven by Playwright): an
enterprise declares through the form, a supervisor approves a declaration, the map of storage
units and the supervision dashboard; screenshots under test-output/screenshots/."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest

from seawarden.dangerous_goods import declarations as decl
from seawarden.security.actor import cli_actor

from .browsing import MARKS, SHOTS, chromium, login, served
from .test_api_dg import DAY, HOUR, DGWorld, dg_world

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(platform: dict[str, Any]) -> Iterator[str]:
    with served(platform, live_hub=False) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _declare(platform: dict[str, Any], world: DGWorld) -> int:
    now = int(time.time() * 1000)
    d = decl.submit(
        platform["engine"],
        cli_actor("terminal-clerk"),
        {
            "terminal_id": world.terminal,
            "berth_id": world.berth,
            "mode": "loading",
            "ship_name": "DONG HAI 7",
            "mmsi": 413000777,
            "start_ms": now + 3 * DAY,
            "end_ms": now + 3 * DAY + 8 * HOUR,
            "personnel": [world.person],
            "lines": [{"un_number": "1294", "quantity_t": 800}],
        },
    )
    assert (d["status"], d["comparison"]) == ("submitted", "pass"), d["findings"]
    return int(d["id"])


def test_enterprise_declares_through_the_form(
    server: str, browser: Any, platform: dict[str, Any]
) -> None:
    world = dg_world(platform)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, server, "enterprise")
    assert page.locator("header nav button[data-view=dg]").inner_text() == "危险货物"
    assert page.locator("header nav button[data-view=admin]").is_hidden()
    page.click("header nav button[data-view=dg]")
    page.wait_for_selector("#dg-declaration-table")
    # the start page (the vessel map) is not an enterprise's: its refused calls are not ours
    page.wait_for_timeout(500)
    errors.clear()
    assert page.locator("[data-dg-tab=dashboard]").count() == 0  # the authority's view
    page.click("#dg-new-declaration")
    page.wait_for_selector("#dialog select[name=terminal_id]")
    page.select_option("#dialog select[name=terminal_id]", str(world.terminal))
    page.select_option("#dialog select[name=berth_id]", str(world.berth))
    page.select_option("#dialog select[name=mode]", "discharging")
    page.fill("#dialog input[name=ship_name]", "<img src=x onerror=alert(1)>")
    page.fill("#dialog input[name=mmsi]", "413000888")
    page.fill("#dialog input[name=un_number]", "1230")
    page.fill("#dialog input[name=quantity_t]", "300")
    page.fill("#dialog input[name=personnel]", str(world.person))
    page.click("#dialog button[value=ok]")
    page.wait_for_selector("#dialog h3:has-text('申报已提交')")
    assert "通过" in page.locator("#dialog").inner_text()
    page.click("#dialog button[value=cancel]")
    row = page.locator("#dg-declaration-table tr", has_text="<img src=x onerror=alert(1)>")
    row.wait_for()
    assert page.locator("#dg-declaration-table img").count() == 0  # names are text, never HTML
    page.screenshot(path=str(SHOTS / "dg-enterprise-declarations.png"))
    page.click("[data-dg-tab=tools]")
    page.fill("textarea[name=items]", "氯,20\n7664-41-7,100")
    page.fill("input[name=people]", "120")
    page.click("#view-dg form.form button")
    page.wait_for_selector("#dg-hazard pre")
    assert "R = 2 × 36 = 72" in page.locator("#dg-hazard").inner_text()
    assert errors == []


def test_supervisor_approves_and_sees_the_map(
    server: str, browser: Any, platform: dict[str, Any]
) -> None:
    world = dg_world(platform)
    decl_id = _declare(platform, world)
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, server, "city_a_sup")
    page.click("header nav button[data-view=dg]")
    row = f"#dg-declaration-table tr[data-decl='{decl_id}']"
    page.wait_for_selector(row)
    assert page.locator(f"{row} td.dg-status").inner_text() == "待审批"
    page.click(f"{row} button:has-text('详情')")
    page.wait_for_selector("#dg-declaration")
    assert "1294" in page.locator("#dg-declaration").inner_text()
    page.click("#dialog button[value=cancel]")
    page.screenshot(path=str(SHOTS / "dg-declarations.png"))
    page.click(f"{row} button.dg-approve")
    page.fill("#dialog textarea[name=comment]", "同意靠泊作业")
    page.click("#dialog button[value=ok]")
    page.wait_for_function(
        "(sel) => document.querySelector(sel)?.textContent === '已批准'",
        arg=f"{row} td.dg-status",
        timeout=10_000,
    )
    assert page.locator(f"{row} button.dg-approve").count() == 0
    page.screenshot(path=str(SHOTS / "dg-approved.png"))
    # the map of storage units coloured by grade, with their inventory
    page.click("[data-dg-tab=map]")
    page.wait_for_selector(f"#dg-unit-table tr[data-unit='{world.yard}']")
    page.wait_for_selector("#dg-map canvas")
    page.wait_for_timeout(1500)
    page.screenshot(path=str(SHOTS / "dg-map.png"))
    page.click("[data-dg-tab=dashboard]")
    page.wait_for_selector("[data-figure=declarations_pending]")
    page.screenshot(path=str(SHOTS / "dg-dashboard.png"))
    page.click("header .lang-toggle")
    assert page.locator("header nav button[data-view=dg]").inner_text() == "Dangerous goods"
    assert errors == []
