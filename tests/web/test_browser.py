"""The UI in a real browser (Debian's Chromium driven by Playwright): log in, live vessels,
a vessel's card and track replay, acknowledging an alert, a denied action; screenshots."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from .browsing import MARKS, SHOTS, chromium, login, served

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(platform: dict[str, Any]) -> Iterator[str]:
    with served(platform, live_hub=True) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def test_duty_officer_works_the_map(server: str, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(bypass_csp=True, viewport={"width": 1400, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, server, "prov_sup")
    assert (
        page.locator("header nav button[data-view=map]").inner_text() == "态势地图"
    )  # Chinese by default
    page.wait_for_function(
        "document.querySelector('#live-status').textContent.includes('船舶')", timeout=20_000
    )
    count = int(page.locator("#live-status").inner_text().split("·")[1].split()[0])
    assert count > 10
    page.wait_for_function("window.__seawarden && window.__seawarden.map.loaded()", timeout=20_000)
    page.wait_for_timeout(1000)
    page.screenshot(path=str(SHOTS / "map.png"))
    # the collision-risk layer asks for the risky pairs and shows how many
    page.check("#chk-pairs")
    page.wait_for_function("/^\\d+$/.test(document.querySelector('#pair-count').textContent)")
    # open a vessel's card, then replay its track
    key = page.evaluate("() => window.__seawarden.firstVessel()")
    page.evaluate("(k) => window.__seawarden.openVessel(k)", key)
    page.wait_for_selector("#vessel-card:not(.hidden)")
    assert "MMSI" in page.locator("#vessel-card").inner_text()
    page.click("#vessel-card button:has-text('航迹回放')")
    page.wait_for_selector("#playback:not(.hidden)")
    page.click("#pb-play")
    page.wait_for_timeout(1500)
    assert page.evaluate("() => window.__seawarden.trackPoints()") > 2
    page.screenshot(path=str(SHOTS / "track.png"))
    page.click("#pb-close")
    # acknowledge the first open alert from the side panel
    first = page.locator("#side-alerts li").first
    alert_id = first.get_attribute("data-alert")
    first.locator("button").click()
    page.fill("#dialog input[name=comment]", "已联系船方")
    page.click("#dialog button[value=ok]")
    page.wait_for_selector(
        f"#side-alerts li[data-alert='{alert_id}']", state="detached", timeout=10_000
    )
    page.click("header nav button[data-view=alerts]")
    page.select_option("#alert-state", "acknowledged")
    page.wait_for_selector(f"#alert-table tr[data-alert='{alert_id}']")
    page.screenshot(path=str(SHOTS / "alerts.png"))
    # its history shows who acknowledged it, with the comment
    page.click(f"#alert-table tr[data-alert='{alert_id}'] button:has-text('处理记录')")
    page.wait_for_selector("#alert-history")
    history = page.locator("#alert-history").inner_text()
    assert "已联系船方" in history and "prov_sup" in history
    page.click("#dialog button[value=cancel]")
    page.click("header nav button[data-view=dashboard]")
    page.wait_for_timeout(800)
    page.screenshot(path=str(SHOTS / "dashboard.png"))
    page.click("header .lang-toggle")
    assert page.locator("header nav button[data-view=map]").inner_text() == "Map"
    assert errors == []


def test_lower_role_is_denied(server: str, browser: Any) -> None:
    page = browser.new_context(bypass_csp=True).new_page()
    login(page, server, "city_a_duty")
    assert page.locator("#btn-draw").is_hidden()  # drawing zones is a supervisor's job
    assert page.locator("header nav button[data-view=admin]").is_hidden()
    status = page.evaluate("""async () => {
        const s = await (await fetch('/api/session')).json();
        const r = await fetch('/api/zones', {method: 'POST', headers: {'content-type': 'application/json', 'x-csrf-token': s.csrf},
            body: JSON.stringify({type: 'Feature', geometry: {type: 'Polygon', coordinates: [[[122,30],[122.1,30],[122.1,30.1],[122,30]]]},
                                  properties: {name: 'x', kind: 'restricted'}})});
        return r.status; }""")
    assert status == 403
    page.screenshot(path=str(SHOTS / "denied.png"))


def test_organisation_names_are_shown_as_text(server: str, browser: Any) -> None:
    page = browser.new_context(bypass_csp=True).new_page()
    login(page, server, "enterprise")
    names = page.evaluate(
        "async () => (await (await fetch('/api/organisations')).json()).organisations.map(o => o.name)"
    )
    assert names == ["<b>码头公司</b>"]
    page.evaluate(
        """(n) => { const td = document.createElement('td'); td.id = 'probe'; td.textContent = n; document.body.append(td); }""",
        names[0],
    )
    assert page.locator("#probe b").count() == 0
