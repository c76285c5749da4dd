"""The ledger's receipt verification page in a real browser (Debian's Chromium via Playwright):
a good receipt verifies in the browser (WebCrypto), a mutated one is rejected; screenshots."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from typing import Any

import pytest

from .browsing import MARKS, SHOTS, chromium, login, served

pytestmark = MARKS


@pytest.fixture(scope="module")
def server(platform: dict[str, Any]) -> Iterator[str]:
    with served(platform, live_hub=False) as base:
        yield base


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    with chromium() as b:
        yield b


def _mutate(receipt: str) -> str:
    """Flip one bit of the first proof hash (or of the root when the proof is empty)."""
    lines = receipt.split("\n")
    pos = next(i for i, line in enumerate(lines) if line.startswith("index ")) + 1
    if not lines[pos]:
        pos = lines.index("", pos) + 3
    raw = bytearray(base64.b64decode(lines[pos]))
    raw[-1] ^= 1
    lines[pos] = base64.b64encode(bytes(raw)).decode()
    return "\n".join(lines)


def _verify(page: Any, receipt: str) -> dict[str, Any]:
    page.fill("#ledger-verify-receipt", receipt)
    page.evaluate("() => document.querySelector('#ledger-verify-result').replaceChildren()")
    page.click("#ledger-verify-browser")
    page.wait_for_selector("#ledger-verdict[data-where=browser]", timeout=10_000)
    return {
        "ok": page.get_attribute("#ledger-verdict", "data-ok"),
        "steps": page.eval_on_selector_all(
            "#ledger-steps li", "els => els.map(e => [e.dataset.step, e.dataset.ok])"
        ),
        "text": page.inner_text("#ledger-verify-result"),
    }


def test_receipt_verified_in_the_browser(server: str, browser: Any) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, server, "enterprise")
    page.wait_for_timeout(500)
    errors.clear()  # the start page asks for open alerts, which an enterprise may not read
    # a handover document submitted through the API; its receipt comes back at once
    receipt = page.evaluate("""async () => {
        const s = await (await fetch('/api/session')).json();
        const r = await fetch('/api/ledger/documents', {method: 'POST',
            headers: {'content-type': 'application/json', 'x-csrf-token': s.csrf},
            body: JSON.stringify({role: 'terminal', document: {type: 'handover', berth: 'B7', containers: 3}})});
        return (await r.json()).receipt; }""")
    assert receipt.startswith("c2sp.org/tlog-proof@v1\n")
    page.click("header nav button[data-view=ledger]")
    assert page.locator("header nav button[data-view=ledger]").inner_text() == "存证账本"
    page.wait_for_selector("#ledger-doc-table")
    page.screenshot(path=str(SHOTS / "ledger-documents.png"))
    page.click("#ledger-tab-verify")
    page.wait_for_selector("#ledger-verify-receipt")

    good = _verify(page, receipt)
    assert good["ok"] == "true", good
    assert [s for s, _ in good["steps"]] == [
        "parse",
        "log_signature",
        "witnesses",
        "checkpoint",
        "inclusion",
    ]
    assert "WebCrypto" in good["text"]  # Ed25519 checked by the browser itself
    page.screenshot(path=str(SHOTS / "ledger-verify-ok.png"))

    bad = _verify(page, _mutate(receipt))
    assert bad["ok"] == "false", bad
    assert bad["steps"][-1][1] == "false"
    page.screenshot(path=str(SHOTS / "ledger-verify-rejected.png"))

    # a signature changed: the checkpoint signature step fails
    lines = receipt.split("\n")
    sig_line = next(i for i, line in enumerate(lines) if line.startswith("\u2014 "))
    name, blob = lines[sig_line][2:].split(" ")
    raw = bytearray(base64.b64decode(blob))
    raw[10] ^= 0x80
    lines[sig_line] = f"\u2014 {name} {base64.b64encode(bytes(raw)).decode()}"
    forged = _verify(page, "\n".join(lines))
    assert forged["ok"] == "false" and forged["steps"][-1] == ["log_signature", "false"]

    # the same receipt verified by the server
    page.fill("#ledger-verify-receipt", receipt)
    page.click("#ledger-verify-server")
    page.wait_for_selector("#ledger-verdict[data-where=server]")
    assert page.get_attribute("#ledger-verdict", "data-ok") == "true"
    page.click("header .lang-toggle")
    assert page.locator("header nav button[data-view=ledger]").inner_text() == "Ledger"
    assert errors == []


_POST = """async ([path, body]) => {
    const s = await (await fetch('/api/session')).json();
    const r = await fetch(path, {method: 'POST',
        headers: {'content-type': 'application/json', 'x-csrf-token': s.csrf},
        body: JSON.stringify(body)});
    return [r.status, await r.json()]; }"""


def test_weighbridge_record_verified_in_the_browser(server: str, browser: Any) -> None:
    import uuid

    from seawarden.ledger import entries as ent
    from seawarden.ledger.keys import generate

    SHOTS.mkdir(parents=True, exist_ok=True)
    run = uuid.uuid4().hex[:8]
    device = generate(f"weighbridge.ent-1.example/WB-{run}")
    sup = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    login(sup, server, "city_a_sup")
    status, body = sup.evaluate(
        _POST,
        [
            "/api/ledger/weighbridge/devices",
            {"organisation": "ENT-1", "device_id": f"WB-{run}", "vkey": device.public_key().vkey()},
        ],
    )
    assert status == 201, body
    page = browser.new_context(viewport={"width": 1400, "height": 900}).new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    login(page, server, "enterprise")
    page.wait_for_timeout(500)
    errors.clear()
    stmt = ent.weighing_statement(
        f"W-{run}",
        {"plate": "浙B12345", "salt": ent.new_salt()},
        42_000_000,
        15_000_000,
        1_780_000_000_000,
    )
    signature = base64.b64encode(ent.sign_statement(device, stmt)).decode()
    status, body = page.evaluate(
        _POST,
        [
            "/api/ledger/weighbridge/records",
            {"device_id": f"WB-{run}", "statement": stmt, "signature": signature},
        ],
    )
    assert status == 201 and body["receipt"], body
    page.click("header nav button[data-view=ledger]")
    page.click("#ledger-tab-weighbridge")
    page.wait_for_selector(f"#ledger-wb-record-table button[data-verify='W-{run}']")
    assert f"WB-{run}" in page.inner_text("#ledger-wb-device-table")
    page.click(f"#ledger-wb-record-table button[data-verify='W-{run}']")
    page.wait_for_selector("#ledger-verdict[data-where=browser]", timeout=10_000)
    assert page.get_attribute("#ledger-verdict", "data-ok") == "true"
    steps = page.eval_on_selector_all(
        "#ledger-steps li", "els => els.map(e => [e.dataset.step, e.dataset.ok])"
    )
    assert steps[-1] == ["device_signature", "true"], steps
    page.screenshot(path=str(SHOTS / "ledger-weighbridge.png"))
    # the same receipt with the device's signature changed fails in the browser
    forged = body["receipt"].replace(
        body["receipt"].split("\n")[1],
        "extra "
        + base64.b64encode(
            ent.signature_entry(
                stmt, device.public_key(), base64.b64decode(signature), "device"
            ).replace(signature.encode(), base64.b64encode(b"\0" * 64))
        ).decode(),
    )
    with pytest.raises(Exception, match="does not verify"):
        page.evaluate(
            "([r, k]) => window.__seawardenLedger.verifyDeviceSignature(r, k)",
            [forged, device.public_key().vkey()],
        )
    assert errors == []
