"""The ledger through HTTP (SQLite and PostgreSQL): documents signed by two parties, weighbridge
records signed by registered devices, receipts verified offline, mutated receipts and forged
signatures rejected, revoked devices refused, organisation scope, audit rows, bad input."""

from __future__ import annotations

import base64
import uuid
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import func, select

from seawarden.db import schema
from seawarden.ledger import entries as ent
from seawarden.ledger.canonical import canonical_json
from seawarden.ledger.hashing import SHA256
from seawarden.ledger.keys import Algorithm, generate, parse_vkey
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


def _weighing(
    device: Any, record_id: str, gross: int = 42_000_000, tare: int = 15_000_000
) -> tuple[dict[str, Any], str, bytes]:
    """A weighing statement, the device's signature (base64) and the record's canonical bytes."""
    record = {"plate": "浙B12345", "container": "MSCU1234565", "salt": ent.new_salt()}
    body = canonical_json(record)
    stmt = ent.weighing_statement(record_id, body, gross, tare, 1_780_000_000_000)
    return stmt, base64.b64encode(ent.sign_statement(device, stmt)).decode(), body


def test_weighbridge_devices_and_signed_records(
    client: TestClient, platform: dict[str, Any]
) -> None:
    run = uuid.uuid4().hex[:8]
    wb1, wb2 = f"WB-{run}-1", f"WB-{run}-2"
    device = generate(f"weighbridge.ent-1.example/{wb1}")
    sm2_device = generate(f"weighbridge.ent-1.example/{wb2}", Algorithm.sm2)
    log = "weighbridge-ENT-1"
    before = {
        a: _audit(platform, a)
        for a in (
            "ledger.device_register",
            "ledger.weighing",
            "ledger.weighing_refused",
            "ledger.device_revoke",
        )
    }
    # the supervising authority registers the devices of an enterprise in its scope
    sh = {"x-csrf-token": login(client, "city_a_sup", platform)}
    r = client.post(
        "/api/ledger/weighbridge/devices",
        json={
            "organisation": "ENT-1",
            "device_id": wb1,
            "vkey": device.public_key().vkey(),
            "label": "Gate 3 weighbridge",
        },
        headers=sh,
    )
    assert r.status_code == 201, r.text
    reg = r.json()
    assert reg["device"]["log"] == log and reg["device"]["active"] and reg["receipt"]
    assert (
        reg["device"]["algorithm"] == "ed25519" and reg["device"]["registered_by"] == "city_a_sup"
    )
    r = client.post(
        "/api/ledger/weighbridge/devices",
        json={"organisation": "ENT-1", "device_id": wb2, "vkey": sm2_device.public_key().vkey()},
        headers=sh,
    )
    assert r.status_code == 201 and r.json()["device"]["algorithm"] == "sm2", r.text
    refused = [
        (
            {"organisation": "ENT-1", "device_id": wb1, "vkey": generate("x").public_key().vkey()},
            409,
        ),
        (
            {
                "organisation": "ENT-1",
                "device_id": f"WB-{run}-3",
                "vkey": device.public_key().vkey(),
            },
            409,
        ),
        ({"organisation": "ENT-1", "device_id": "bad id", "vkey": device.public_key().vkey()}, 400),
        ({"organisation": "ENT-1", "device_id": f"WB-{run}-4", "vkey": "x+00000000+AAAA"}, 400),
        (
            {
                "organisation": "ENT-1",
                "device_id": f"WB-{run}-5",
                "vkey": generate("w", cosigner=True).public_key().vkey(),
            },
            400,
        ),
        (
            {
                "organisation": "ZJ-ZS",
                "device_id": f"WB-{run}-6",
                "vkey": generate("y").public_key().vkey(),
            },
            404,
        ),
        (
            {
                "organisation": "NOPE",
                "device_id": f"WB-{run}-7",
                "vkey": generate("z").public_key().vkey(),
            },
            404,
        ),
    ]
    for body, status in refused:
        r = client.post("/api/ledger/weighbridge/devices", json=body, headers=sh)
        assert r.status_code == status, (body, r.status_code, r.text)

    # the terminal's gateway submits what the devices signed
    with TestClient(client.app) as terminal:
        eh = {"x-csrf-token": login(terminal, "enterprise", platform)}
        r = terminal.post(
            "/api/ledger/weighbridge/devices",
            json={"device_id": f"WB-{run}-8", "vkey": generate("e").public_key().vkey()},
            headers=eh,
        )
        assert r.status_code == 403  # the enterprise does not trust its own devices
        stmt, sig, body = _weighing(device, f"W-{run}-1")
        payload = {"device_id": wb1, "statement": stmt, "signature": sig}
        r = terminal.post(
            "/api/ledger/weighbridge/records",
            json={**payload, "record_b64": base64.b64encode(body).decode()},
            headers=eh,
        )
        assert r.status_code == 201, r.text
        first = r.json()
        assert first["log"] == log and first["device_id"] == wb1 and not first["duplicate"]
        assert first["statement"]["net_g"] == 27_000_000 and first["receipt"]
        # the receipt verifies offline with the published key only, and covers the record
        keys = {k["log"]: k for k in terminal.get("/api/ledger/keys").json()["keys"]}
        policy = Policy([parse_vkey(keys[log]["vkey"])], origin=keys[log]["origin"])
        done = verify_receipt(first["receipt"], policy)
        assert ent.check_document(done.entry or b"", body)["record_id"] == f"W-{run}-1"
        signed = ent.parse_signature_entry(done.entry or b"")
        assert signed.custody is ent.Custody.device and signed.signer == device.public_key()
        with pytest_raises_receipt():
            verify_receipt(_mutate(first["receipt"]), policy)
        # the same record again: the logged one; another statement under its id: conflict
        again = terminal.post("/api/ledger/weighbridge/records", json=payload, headers=eh)
        assert again.status_code == 201 and again.json()["duplicate"]
        assert again.json()["index"] == first["index"]
        other, osig, _ = _weighing(device, f"W-{run}-1", gross=43_000_000)
        r = terminal.post(
            "/api/ledger/weighbridge/records",
            json={"device_id": wb1, "statement": other, "signature": osig},
            headers=eh,
        )
        assert r.status_code == 409, r.text
        # an SM2 device
        sstmt, ssig, _ = _weighing(sm2_device, f"W-{run}-2")
        r = terminal.post(
            "/api/ledger/weighbridge/records",
            json={"device_id": wb2, "statement": sstmt, "signature": ssig},
            headers=eh,
        )
        assert r.status_code == 201, r.text
        assert verify_receipt(r.json()["receipt"], policy).index == r.json()["index"]

        # forged and mutated signatures, unknown devices, bad input
        stmt3, sig3, _ = _weighing(device, f"W-{run}-3")
        forged = base64.b64encode(ent.sign_statement(generate("forger"), stmt3)).decode()
        flipped = bytearray(base64.b64decode(sig3))
        flipped[5] ^= 1
        bad = [
            ({"device_id": wb1, "statement": stmt3, "signature": forged}, 400),
            (
                {
                    "device_id": wb1,
                    "statement": stmt3,
                    "signature": base64.b64encode(bytes(flipped)).decode(),
                },
                400,
            ),
            (
                {
                    "device_id": wb1,
                    "statement": {
                        **stmt3,
                        "gross_g": stmt3["gross_g"] + 1,
                        "net_g": stmt3["net_g"] + 1,
                    },
                    "signature": sig3,
                },
                400,
            ),
            ({"device_id": wb2, "statement": stmt3, "signature": sig3}, 400),  # other device's key
            ({"device_id": "WB-NONE", "statement": stmt3, "signature": sig3}, 400),
            ({"device_id": wb1, "statement": {**stmt3, "net_g": 1}, "signature": sig3}, 400),
            ({"device_id": wb1, "statement": {**stmt3, "gross_g": "1"}, "signature": sig3}, 400),
            ({"device_id": wb1, "statement": {**stmt3, "extra": 1}, "signature": sig3}, 400),
            ({"device_id": wb1, "statement": stmt3, "signature": "not base64!"}, 400),
            (
                {
                    "device_id": wb1,
                    "statement": stmt3,
                    "signature": sig3,
                    "record_b64": base64.b64encode(b"other").decode(),
                },
                400,
            ),
            (
                {"device_id": wb1, "statement": stmt3, "signature": sig3, "organisation": "ZJ-NB"},
                404,
            ),
        ]
        for body, status in bad:
            r = terminal.post("/api/ledger/weighbridge/records", json=body, headers=eh)
            assert r.status_code == status, (body, r.status_code, r.text)
        assert (
            "does not verify"
            in terminal.post("/api/ledger/weighbridge/records", json=bad[0][0], headers=eh).json()[
                "detail"
            ]
        )

        # devices, records and a record's proof
        devs = {
            d["device_id"]: d
            for d in terminal.get(f"/api/ledger/logs/{log}/devices").json()["devices"]
        }
        assert (
            devs[wb1]["vkey"] == device.public_key().vkey()
            and devs[wb1]["label"] == "Gate 3 weighbridge"
        )
        recs = terminal.get(f"/api/ledger/logs/{log}/weighings?device_id={wb1}").json()["records"]
        assert [x["record_id"] for x in recs] == [f"W-{run}-1"] and recs[0]["receipt"]
        assert (
            terminal.get(f"/api/ledger/logs/{log}/weighings?device_id=WB-NONE").status_code == 404
        )
        proof = terminal.get(f"/api/ledger/logs/{log}/weighings/W-{run}-1").json()
        assert proof["verifier_keys"] == [keys[log]["vkey"]] and proof["checkpoint_size"]
        cp = verify_receipt(proof["receipt"], policy)
        assert verify_inclusion(
            cp.leaf_hash,
            proof["index"],
            proof["checkpoint_size"],
            [base64.b64decode(h) for h in proof["proof"]],
            cp.checkpoint.root,
        )
        assert terminal.get(f"/api/ledger/logs/{log}/weighings/W-NONE").status_code == 404
        assert terminal.get("/api/ledger/logs/documents-ENT-1/devices").status_code == 404

        # the enterprise revokes its device: its records are refused from then on
        r = terminal.post(
            f"/api/ledger/logs/{log}/devices/{wb1}/revocation",
            json={"reason": "seal broken"},
            headers=eh,
        )
        assert r.status_code == 201, r.text
        assert not r.json()["device"]["active"] and r.json()["device"]["reason"] == "seal broken"
        again = terminal.post(
            f"/api/ledger/logs/{log}/devices/{wb1}/revocation", json={}, headers=eh
        )
        assert again.status_code == 409
        assert (
            terminal.post(
                f"/api/ledger/logs/{log}/devices/WB-NONE/revocation", json={}, headers=eh
            ).status_code
            == 404
        )
        r = terminal.post(
            "/api/ledger/weighbridge/records",
            json={"device_id": wb1, "statement": stmt3, "signature": sig3},
            headers=eh,
        )
        assert r.status_code == 403 and "revoked" in r.json()["detail"], r.text
        # a revoked id is not registered again
        r = client.post(
            "/api/ledger/weighbridge/devices",
            json={
                "organisation": "ENT-1",
                "device_id": wb1,
                "vkey": generate("n").public_key().vkey(),
            },
            headers=sh,
        )
        assert r.status_code == 409
        # what was logged before the revocation still verifies
        verify_receipt(
            terminal.get(f"/api/ledger/logs/{log}/weighings/W-{run}-1").json()["receipt"], policy
        )

    assert _audit(platform, "ledger.device_register") == before["ledger.device_register"] + 2
    assert _audit(platform, "ledger.weighing") == before["ledger.weighing"] + 2
    assert _audit(platform, "ledger.device_revoke") == before["ledger.device_revoke"] + 1
    assert _audit(platform, "ledger.weighing_refused") >= before["ledger.weighing_refused"] + 5

    # other organisations: 404; the audit administrator reads receipts and proofs only
    with TestClient(client.app) as other:
        oh = {"x-csrf-token": login(other, "city_b_duty", platform)}
        assert other.get(f"/api/ledger/logs/{log}/devices").status_code == 404
        assert other.get(f"/api/ledger/logs/{log}/weighings").status_code == 404
        assert other.get(f"/api/ledger/logs/{log}/weighings/W-{run}-1").status_code == 404
        assert (
            other.post(
                f"/api/ledger/logs/{log}/devices/{wb2}/revocation", json={}, headers=oh
            ).status_code
            == 403
        )
    with TestClient(client.app) as auditor:
        login(auditor, "auditor", platform)
        assert auditor.get(f"/api/ledger/logs/{log}/weighings/W-{run}-1").status_code == 200
        assert auditor.get(f"/api/ledger/logs/{log}/weighings").status_code == 403
        assert auditor.get(f"/api/ledger/logs/{log}/devices").status_code == 403
    with TestClient(client.app) as duty:
        login(duty, "city_a_duty", platform)
        assert duty.get(f"/api/ledger/logs/{log}/weighings").status_code == 200
