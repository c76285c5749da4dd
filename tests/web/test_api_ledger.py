"""The ledger through HTTP (SQLite and PostgreSQL): documents signed by two parties, receipts
verified offline, a mutated receipt rejected, organisation scope, audit rows, bad input."""

from __future__ import annotations

import base64
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from seawarden.db import schema
from seawarden.ledger import entries as ent
from seawarden.ledger.hashing import SHA256
from seawarden.ledger.keys import generate, parse_vkey
from seawarden.ledger.proofs import verify_consistency, verify_inclusion
from seawarden.ledger.receipt import Policy, ReceiptError, parse_receipt, verify_receipt

from .conftest import login


def _audit(platform: dict[str, Any], action: str, actor: str | None = None) -> int:
    a = schema.audit_log.c
    q = select(func.count()).select_from(schema.audit_log).where(a.action == action)
    if actor is not None:
        q = q.where(a.actor == actor)
    with platform["engine"].connect() as conn:
        return int(conn.execute(q).scalar_one())


def _mutate(receipt: str) -> str:
    """Change one character of the first proof hash (or of the root, for a one-entry tree)."""
    lines = receipt.split("\n")
    pos = next(i for i, line in enumerate(lines) if line.startswith("index ")) + 1
    if not lines[pos]:
        pos = lines.index("", pos) + 3  # the root line of the checkpoint
    raw = bytearray(base64.b64decode(lines[pos]))
    raw[0] ^= 1
    lines[pos] = base64.b64encode(bytes(raw)).decode()
    return "\n".join(lines)


def test_handover_signed_by_two_parties(client: TestClient, platform: dict[str, Any]) -> None:
    csrf = login(client, "enterprise", platform)
    h = {"x-csrf-token": csrf}
    handover = {"type": "handover", "berth": "B3", "containers": 12, "seal": "CN-1234"}
    before = _audit(platform, "ledger.sign_document", "enterprise")
    r = client.post(
        "/api/ledger/documents", json={"role": "terminal", "document": handover}, headers=h
    )
    assert r.status_code == 201, r.text
    first = r.json()
    log, doc_id = first["log"], first["doc_id"]
    assert log == "documents-ENT-1" and first["custody"] == "platform" and first["receipt"]
    kept = base64.b64decode(first["document_b64"])  # what the parties keep
    assert b'"salt"' in kept and b"CN-1234" in kept
    assert first["statement"]["sha256"] == ent.digests(kept)["sha256"]
    assert _audit(platform, "ledger.sign_document", "enterprise") == before + 1
    # the same document id again: sign it instead
    again = client.post(
        "/api/ledger/documents",
        json={"role": "terminal", "document": handover, "doc_id": doc_id},
        headers=h,
    )
    assert again.status_code == 409

    # the ship signs with its own key (a party outside the platform), through the terminal
    ship = generate("ship.example/MV-EXAMPLE")
    stmt = ent.statement_for_digests(
        doc_id,
        1,
        "ship",
        1_780_000_000_000,
        first["statement"]["sha256"],
        first["statement"]["sm3"],
    )
    r = client.post(
        f"/api/ledger/logs/{log}/documents/{doc_id}/signatures",
        json={
            "role": "ship",
            "signer": ship.public_key().vkey(),
            "signature": base64.b64encode(ent.sign_statement(ship, stmt)).decode(),
            "signed_at_ms": 1_780_000_000_000,
            "document_b64": first["document_b64"],
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    assert r.json()["custody"] == "own"
    # a forged signature is refused
    r = client.post(
        f"/api/ledger/logs/{log}/documents/{doc_id}/signatures",
        json={
            "role": "agent",
            "signer": ship.public_key().vkey(),
            "signature": base64.b64encode(b"\0" * 64).decode(),
            "signed_at_ms": 1_780_000_000_000,
        },
        headers=h,
    )
    assert r.status_code == 400 and "does not verify" in r.json()["detail"]

    # the supervising authority signs too (a second account, platform custody)
    with TestClient(client.app) as sup:
        sh = {"x-csrf-token": login(sup, "city_a_sup", platform)}
        r = sup.post(
            f"/api/ledger/logs/{log}/documents/{doc_id}/signatures",
            json={"role": "authority"},
            headers=sh,
        )
        assert r.status_code == 201, r.text
        second = r.json()
        again = sup.post(
            f"/api/ledger/logs/{log}/documents/{doc_id}/signatures",
            json={"role": "authority"},
            headers=sh,
        )
        assert again.status_code == 409
        wrong = sup.post(
            f"/api/ledger/logs/{log}/documents/{doc_id}/signatures",
            json={"role": "pilot", "document_b64": base64.b64encode(b"other").decode()},
            headers=sh,
        )
        assert wrong.status_code == 400
    assert _audit(platform, "ledger.sign_document", "city_a_sup") >= 1

    doc = client.get(f"/api/ledger/logs/{log}/documents/{doc_id}").json()
    assert [s["role"] for s in doc["signatures"]] == ["terminal", "ship", "authority"]
    assert {s["custody"] for s in doc["signatures"]} == {"platform", "own"}
    listed = client.get(f"/api/ledger/logs/{log}/documents").json()["documents"]
    assert any(d["doc_id"] == doc_id and d["signatures"] == 3 for d in listed)

    # receipts verify offline, with the published key only
    logs = {g["name"]: g for g in client.get("/api/ledger/logs").json()["logs"]}
    vkeys = [parse_vkey(k) for k in logs[log]["verifier_keys"]]
    published = client.get("/api/ledger/keys").json()["keys"]
    assert {k["vkey"] for k in published if k["log"] == log} == set(logs[log]["verifier_keys"])
    policy = Policy(vkeys, origin=logs[log]["origin"])
    for s in doc["signatures"]:
        rec = client.get(f"/api/ledger/logs/{log}/receipts/{s['index']}").json()
        done = verify_receipt(rec["receipt"], policy)
        assert ent.check_document(done.entry or b"", kept)["doc_id"] == doc_id
    # the receipt given at submission still verifies (against an older checkpoint)
    verify_receipt(first["receipt"], policy)
    with_other_key = Policy([generate(logs[log]["origin"]).public_key()])
    try:
        verify_receipt(second["receipt"], with_other_key)
        raise AssertionError("a receipt verified with another key")
    except ReceiptError:
        pass

    # inclusion and consistency proofs and the latest checkpoint
    cp = client.get(f"/api/ledger/logs/{log}/checkpoint").json()
    assert cp["signatures"][0]["verified"] is True and not cp["signatures"][0]["witness"]
    root = base64.b64decode(cp["root"])
    inc = client.get(f"/api/ledger/logs/{log}/proofs/inclusion?index=0&size={cp['size']}").json()
    assert verify_inclusion(
        base64.b64decode(inc["leaf_hash"]),
        0,
        cp["size"],
        [base64.b64decode(p) for p in inc["proof"]],
        root,
    )
    con = client.get(f"/api/ledger/logs/{log}/proofs/consistency?from=1&to={cp['size']}").json()
    assert verify_consistency(
        1,
        cp["size"],
        base64.b64decode(con["root1"]),
        base64.b64decode(con["root2"]),
        [base64.b64decode(p) for p in con["proof"]],
    )
    assert base64.b64decode(con["root2"]) == root

    # server-side verification: good, mutated, with the document, wrong document
    rec = client.get(f"/api/ledger/logs/{log}/receipts/{second['index']}").json()["receipt"]
    ok = client.post("/api/ledger/verify", json={"receipt": rec}, headers=h).json()
    assert ok["ok"] and [s["step"] for s in ok["steps"]] == [
        "parse",
        "log_signature",
        "witnesses",
        "checkpoint",
        "inclusion",
    ]
    assert ok["entry"]["statement"]["role"] == "authority"
    bad = client.post("/api/ledger/verify", json={"receipt": _mutate(rec)}, headers=h).json()
    assert not bad["ok"] and bad["steps"][-1]["ok"] is False
    assert bad["steps"][-1]["step"] in ("inclusion", "log_signature", "checkpoint")
    with_doc = client.post(
        "/api/ledger/verify",
        json={"receipt": rec, "document_b64": first["document_b64"]},
        headers=h,
    ).json()
    assert with_doc["ok"] and with_doc["steps"][-1]["step"] == "document"
    other_doc = client.post(
        "/api/ledger/verify",
        json={"receipt": rec, "document_b64": base64.b64encode(b"x").decode()},
        headers=h,
    ).json()
    assert not other_doc["ok"]
    quorum = client.post("/api/ledger/verify", json={"receipt": rec, "quorum": 1}, headers=h)
    assert quorum.json()["detail"].startswith("witnesses")
    with pytest_raises_receipt():
        verify_receipt(_mutate(rec), Policy(vkeys))

    # another organisation's duty officer: 404 for the log and the document
    with TestClient(client.app) as other:
        oh = {"x-csrf-token": login(other, "city_b_duty", platform)}
        assert other.get(f"/api/ledger/logs/{log}/documents/{doc_id}").status_code == 404
        assert other.get(f"/api/ledger/logs/{log}/receipts/0").status_code == 404
        assert other.get(f"/api/ledger/logs/{log}/checkpoint").status_code == 404
        assert log not in {g["name"] for g in other.get("/api/ledger/logs").json()["logs"]}
        # any logged-in user may have a receipt verified
        assert other.post("/api/ledger/verify", json={"receipt": rec}, headers=oh).json()["ok"]
        # a duty officer reads but does not sign
        r = other.post(
            f"/api/ledger/logs/{log}/documents/{doc_id}/signatures",
            json={"role": "x"},
            headers=oh,
        )
        assert r.status_code == 403
    with TestClient(client.app) as duty:
        login(duty, "city_a_duty", platform)
        assert duty.get(f"/api/ledger/logs/{log}/documents/{doc_id}").status_code == 200


class pytest_raises_receipt:  # noqa: N801 - used like pytest.raises
    """``with pytest_raises_receipt():`` passes only if the body raises ReceiptError."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> bool:
        assert kind is ReceiptError, "the mutated receipt verified"
        return True


def test_bad_input_is_refused(client: TestClient, platform: dict[str, Any]) -> None:
    h = {"x-csrf-token": login(client, "enterprise", platform)}
    cases = [
        {"role": "terminal"},  # no document
        {"role": "terminal", "document": {"a": 1}, "document_b64": "eA=="},  # both
        {"role": "terminal", "document": {"weight": 1.5}},  # not an integer
        {"role": "terminal", "document": {"n": 2**60}},  # outside I-JSON
        {"role": "has space", "document": {"a": 1}},
        {"role": "terminal", "document": {"a": 1}, "doc_id": "../x"},
        {"role": "terminal", "document_b64": "not base64!"},
        {"role": "terminal", "document": {"a": 1}, "signer": "x+00000000+AAAA"},
        {"role": "terminal", "document": {"a": 1}, "unknown": 1},
    ]
    for body in cases:
        r = client.post("/api/ledger/documents", json=body, headers=h)
        assert r.status_code == 400, (body, r.status_code, r.text)
    assert (
        client.post(
            "/api/ledger/verify", json={"receipt": "x", "keys": ["bad"]}, headers=h
        ).status_code
        == 400
    )
    r = client.post("/api/ledger/verify", json={"receipt": "not a receipt"}, headers=h)
    assert r.status_code == 200 and not r.json()["ok"] and r.json()["steps"][0]["step"] == "parse"
    assert client.get("/api/ledger/logs/no-such-log/receipts/0").status_code == 404
    assert client.get("/api/ledger/logs/documents-ENT-1/documents/NOPE").status_code in (404,)
    assert client.get("/api/ledger/logs/documents-ENT-1/receipts/999999").status_code == 404
    r = client.get("/api/ledger/logs/documents-ENT-1/proofs/inclusion?index=-1")
    assert r.status_code == 400


def test_audit_admin_anchors_the_audit_trail(client: TestClient, platform: dict[str, Any]) -> None:
    h = {"x-csrf-token": login(client, "auditor", platform)}
    r = client.post("/api/ledger/audit-anchors", headers=h)
    assert r.status_code == 201, r.text
    anchor = r.json()
    assert anchor["receipt"] and anchor["seq"] > 0
    checks = client.get("/api/ledger/audit-anchors").json()
    assert checks["ok"] and any(a["index"] == anchor["index"] for a in checks["anchors"])
    keys = {k["log"]: k for k in client.get("/api/ledger/keys").json()["keys"]}
    done = verify_receipt(anchor["receipt"], Policy([parse_vkey(keys["audit-anchors"]["vkey"])]))
    assert ent.parse_entry(done.entry or b"")["label"] == f"audit_log#{anchor['seq']}"
    cp = client.get("/api/ledger/logs/audit-anchors/checkpoint")
    assert cp.status_code == 200
    assert _audit(platform, "ledger.anchor", "auditor") >= 1
    r = client.get(f"/api/ledger/logs/audit-anchors/receipts/{anchor['index']}")
    assert r.status_code == 200
    parse_receipt(r.json()["receipt"])
    assert SHA256.leaf(done.entry or b"") == done.leaf_hash
