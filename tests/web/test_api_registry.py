"""The register, risk profiles, credit and the public service through HTTP: import with a row
report, a ship's whole life and risk profile, credit grades, appeals, identity conflicts,
organisation scope, masking of personal data, the open-data export and the audit trail."""

from __future__ import annotations

import csv
import datetime as dt
import io
import uuid
from typing import Any

import pyarrow.parquet as pq
from fastapi.testclient import TestClient

from seawarden.registry.public import Dataset, dataset_fields

from ..registry.helpers import id_number, imo, uscc
from .conftest import PASSWORD, login

TODAY = dt.date.today()


def _tag() -> str:
    """A short unique tag for names (the platform is shared by the tests of a session)."""
    return uuid.uuid4().hex[:6].upper()


def _n6(tag: str, k: int) -> int:
    """Six digits for an IMO number, unique per tag."""
    return (int(tag, 16) * 7 + k) % 900_000 + 100_000


def _uscc(tag: str) -> str:
    digits = f"{int(tag, 16) % 1_000_000:06d}"
    return uscc(f"913302{digits}MA2B3")


def _audit_actions(app: Any, platform: dict[str, Any], action: str) -> list[dict[str, Any]]:
    with TestClient(app) as a:
        login(a, "auditor", platform)
        r = a.get("/api/audit", params={"action": action, "page_size": 1000})
        assert r.status_code == 200, r.text
        return r.json()["rows"]  # type: ignore[no-any-return]


def _csv(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text.lstrip("\ufeff"))))


def test_import_reports_bad_rows_and_writes_the_good_ones(
    client: TestClient, platform: dict[str, Any]
) -> None:
    tag = _tag()
    csrf = login(client, "city_a_sup", platform)
    h = {"x-csrf-token": csrf}
    bad_imo = imo(_n6(tag, 1))[:6] + str((int(imo(_n6(tag, 1))[6]) + 1) % 10)
    text = (
        "Name,IMO,Flag,Ship Type,Build Year,Organisation\n"
        f"IMPORT {tag} ONE,{imo(_n6(tag, 0))},CN,bulk carrier,2010,ZJ-NB\n"
        f"IMPORT {tag} TWO,{bad_imo},CN,tug,,ZJ-NB\n"
        f",{imo(_n6(tag, 2))},CN,tug,,ZJ-NB\n"
        f"IMPORT {tag} FOUR,{imo(_n6(tag, 3))},CN,tug,,ZJ-ZS\n"
        f"IMPORT {tag} FIVE,,CN,tug,1700,ZJ-NB\n"
    )
    r = client.post(
        "/api/registry/import/ships",
        files={"file": ("ships.csv", text.encode(), "text/csv")},
        headers=h,
    )
    assert r.status_code == 200, r.text
    rep = r.json()
    assert (rep["rows"], rep["created"], rep["rejected"]) == (5, 1, 4), rep
    assert [(e["line"], e["reason"]) for e in rep["errors"]] == [
        (3, "bad_imo"),
        (4, "missing_field"),
        (5, "out_of_scope"),
        (6, "bad_value"),
    ]
    assert all(e["message"] for e in rep["errors"])
    found = client.get("/api/registry/ships", params={"q": f"IMPORT {tag}"}).json()["ships"]
    assert [s["name"] for s in found] == [f"IMPORT {tag} ONE"]
    assert found[0]["ship_type"] == "bulk_carrier" and found[0]["organisation"] == "ZJ-NB"
    history = client.get("/api/registry/imports").json()["imports"]
    assert history[0]["id"] == rep["import_id"] and history[0]["rejected"] == 4

    # a file without a required column, or of another kind, changes nothing
    before = len(client.get("/api/registry/imports").json()["imports"])
    r = client.post(
        "/api/registry/import/ships",
        files={"file": ("ships.csv", f"imo\n{imo(_n6(tag, 5))}\n".encode(), "text/csv")},
        headers=h,
    )
    assert r.status_code == 400 and "name" in r.json()["detail"]
    r = client.post(
        "/api/registry/import/ships",
        files={"file": ("ships.txt", b"name\nX\n", "text/plain")},
        headers=h,
    )
    assert r.status_code == 400
    r = client.post(
        "/api/registry/import/ships",
        files={"file": ("ships.xlsx", b"not a workbook", "application/octet-stream")},
        headers=h,
    )
    assert r.status_code == 400
    r = client.post(
        "/api/registry/import/ships",
        files={"file": ("ships.csv", b"name\nX\n", "text/csv")},
        data={"organisation": "ZJ-ZS"},
        headers=h,
    )
    assert r.status_code == 403
    assert len(client.get("/api/registry/imports").json()["imports"]) == before
    assert client.get("/api/registry/ships", params={"q": imo(_n6(tag, 5))}).json()["total"] == 0

    # JSON works the same way; a duty officer may not import
    items = f'[{{"name": "IMPORT {tag} SIX", "organisation": "ZJ-NB"}}, {{"name": ""}}]'
    r = client.post(
        "/api/registry/import/ships",
        files={"file": ("ships.json", items.encode(), "application/json")},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["created"] == 1
    assert [(e["line"], e["reason"]) for e in r.json()["errors"]] == [(2, "missing_field")]
    with TestClient(client.app) as duty:
        dcsrf = login(duty, "city_a_duty", platform)
        r = duty.post(
            "/api/registry/import/ships",
            files={"file": ("ships.csv", b"name\nX\n", "text/csv")},
            headers={"x-csrf-token": dcsrf},
        )
        assert r.status_code == 403
        # the export gives the list back in the import format
        r = duty.get("/api/registry/export/ships", params={"format": "csv"})
        assert r.status_code == 200 and r.headers["content-type"].startswith("text/csv")
        rows = _csv(r.text)
        assert list(rows[0])[:3] == ["id", "organisation", "name"]
        assert f"IMPORT {tag} ONE" in {x["name"] for x in rows}
        r = duty.get("/api/registry/export/ships", params={"format": "xlsx"})
        assert r.status_code == 200 and r.content[:2] == b"PK"
        r = duty.get("/api/registry/export/ships", params={"format": "json"})
        assert any(x["name"] == f"IMPORT {tag} ONE" for x in r.json())

    assert any(
        row["entity_id"] == str(rep["import_id"])
        for row in _audit_actions(client.app, platform, "registry.import")
    )


def test_ship_life_and_risk_profile(client: TestClient, platform: dict[str, Any]) -> None:
    tag = _tag()
    csrf = login(client, "city_a_sup", platform)
    h = {"x-csrf-token": csrf}
    code = _uscc(tag)
    r = client.post(
        "/api/registry/companies",
        json={
            "name": f"Ningbo Ship Management {tag}",
            "uscc": code,
            "organisation": "ZJ-NB",
            "ism_performance": "low",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    number = imo(_n6(tag, 0))
    r = client.post(
        "/api/registry/ships",
        json={
            "name": f"HAI {tag}",
            "imo": number,
            "ship_type": "bulk_carrier",
            "flag": "PA",
            "build_year": TODAY.year - 15,
            "class_society": "CCS",
            "ism_company": code,
            "organisation": "ZJ-NB",
            "registered_on": "2015-03-01",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = client.patch(
        f"/api/registry/ships/{number}",
        json={"name": f"HAI {tag} II", "on": "2020-06-01"},
        headers=h,
    )
    assert r.status_code == 200 and set(r.json()["changed"]) == {"name"}
    detained_on = TODAY - dt.timedelta(days=60)
    port = f"Ningbo-{tag}"
    for body in (
        {
            "kind": "inspection",
            "on_date": detained_on.isoformat(),
            "port": port,
            "regime": "paris",
            "deficiencies": 9,
            "detained": True,
            "ended_on": (detained_on + dt.timedelta(days=3)).isoformat(),
        },
        {"kind": "port_call", "on_date": TODAY.isoformat(), "port": port},
    ):
        r = client.post(f"/api/registry/ships/{sid}/events", json=body, headers=h)
        assert r.status_code == 201, r.text
    r = client.post(
        f"/api/registry/ships/{sid}/certificates",
        json={
            "kind": "SMC",
            "number": f"SMC-{tag}",
            "issued_on": "2024-01-01",
            "expires_on": "2029-01-01",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text

    life = client.get(f"/api/registry/ships/{sid}").json()
    assert life["ship"]["name"] == f"HAI {tag} II"
    names = [(i["value"], i["valid_to"]) for i in life["identities"] if i["kind"] == "name"]
    assert names == [(f"HAI {tag}", "2020-06-01"), (f"HAI {tag} II", None)]
    kinds = [e["what"] for e in life["history"]]
    assert kinds[0] == "registration" and "name_change" in kinds and "inspection" in kinds
    assert len(life["inspections"]) == 1 and life["inspections"][0]["detained"] is True
    assert [c["number"] for c in life["certificates"]] == [f"SMC-{tag}"]
    assert life["certificates"][0]["state"] == "valid"
    # the search finds the ship by its former name
    assert client.get("/api/registry/ships", params={"q": f"HAI {tag}"}).json()["total"] == 1

    prof = client.get(f"/api/risk/ships/{number}/profile").json()
    assert len(prof["parameters"]) == 9
    assert sum(p["points"] for p in prof["parameters"]) == prof["points"]
    by = {p["parameter"]: p for p in prof["parameters"]}
    assert by["1"]["points"] == 2 and by["2"]["points"] == 1 and by["5"]["points"] == 2
    assert prof["profile"] == "HRS" and prof["points"] >= 5
    assert all(isinstance(line, str) and line for line in prof["lines"])
    assert "company" in prof["sources"] and prof["last_inspection"] == detained_on.isoformat()
    tokyo = client.get(f"/api/risk/ships/{number}/profile", params={"regime": "tokyo"}).json()
    assert tokyo["regime"] == "tokyo"

    due = client.get("/api/risk/due", params={"port": port, "all": "true"}).json()["ships"]
    assert [(s["ship_id"], s["profile"]) for s in due] == [(sid, "HRS")]

    company = client.get(f"/api/registry/companies/{code}").json()
    assert [s["id"] for s in company["fleet"]] == [sid] and company["fleet"][0]["roles"] == ["ism"]

    # another city does not see the ship at all
    with TestClient(client.app) as b:
        login(b, "city_b_duty", platform)
        assert b.get(f"/api/registry/ships/{sid}").status_code == 404
        assert b.get(f"/api/risk/ships/{number}/profile").status_code == 404
        assert b.get("/api/registry/ships", params={"q": f"HAI {tag}"}).json()["total"] == 0
        assert b.get("/api/risk/due", params={"port": port}).json()["ships"] == []
    for action in ("ship.create", "ship.update"):
        assert any(r["entity_id"] == sid for r in _audit_actions(client.app, platform, action))
    inspections = _audit_actions(client.app, platform, "ship_event.inspection")
    assert any((r["detail"] or {}).get("ship") == sid for r in inspections)


def test_credit_grade_explanation_and_appeal(client: TestClient, platform: dict[str, Any]) -> None:
    tag = _tag()
    csrf = login(client, "city_a_sup", platform)
    h = {"x-csrf-token": csrf}
    own = _uscc(tag)
    other = _uscc(_tag())
    for name, code, org in ((f"Own {tag}", own, "ENT-1"), (f"Other {tag}", other, "ZJ-NB")):
        r = client.post(
            "/api/registry/companies",
            json={"name": name, "uscc": code, "organisation": org},
            headers=h,
        )
        assert r.status_code == 201, r.text
    r = client.post(
        "/api/credit/events",
        json={
            "subject_kind": "company",
            "subject": own,
            "kind": "detention",
            "on_date": (TODAY - dt.timedelta(days=30)).isoformat(),
            "source": f"PSC-{tag}",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    eid = r.json()["id"]
    r = client.post(f"/api/credit/subjects/{own}/score", json={}, headers=h)
    assert r.status_code == 201, r.text
    first = r.json()
    assert (first["score"], first["grade"]) == (90.0, "A")
    assert any("detention" in line for line in first["lines"])
    shown = client.get(f"/api/credit/subjects/{own}").json()
    assert shown["latest"]["grade"] == "A" and shown["latest"]["lines"] == first["lines"]
    assert [e["id"] for e in shown["events"]] == [eid]
    again = client.get(f"/api/credit/scores/{first['id']}/recompute").json()
    assert again["same"] is True

    with TestClient(client.app) as ent:
        ecsrf = login(ent, "enterprise", platform)
        eh = {"x-csrf-token": ecsrf}
        names = {c["name"] for c in ent.get("/api/registry/companies").json()["companies"]}
        assert f"Own {tag}" in names and f"Other {tag}" not in names
        listed = [
            c for c in ent.get("/api/registry/companies").json()["companies"] if c["uscc"] == own
        ]
        assert listed[0]["grade"] == "A"
        assert ent.get(f"/api/registry/companies/{other}").status_code == 404
        assert ent.get(f"/api/credit/subjects/{other}").status_code == 404
        assert ent.post(f"/api/credit/subjects/{own}/score", json={}, headers=eh).status_code == 403
        r = ent.post(
            f"/api/credit/events/{eid}/appeal",
            json={"reason": "the detention was lifted: deficiencies were rectified"},
            headers=eh,
        )
        assert r.status_code == 201, r.text
        aid = r.json()["id"]
        assert (
            ent.post(
                f"/api/credit/events/{eid}/appeal", json={"reason": "again"}, headers=eh
            ).status_code
            == 409
        )
        r = ent.post(
            f"/api/credit/appeals/{aid}/decide",
            json={"uphold": True, "decision": "mine"},
            headers=eh,
        )
        assert r.status_code == 403
        assert [a["id"] for a in ent.get("/api/credit/appeals").json()["appeals"]] == [aid]

    with TestClient(client.app) as b:
        login(b, "city_b_duty", platform)
        assert b.get(f"/api/credit/subjects/{own}").status_code == 404
        assert aid not in {a["id"] for a in b.get("/api/credit/appeals").json()["appeals"]}

    assert aid in {a["id"] for a in client.get("/api/credit/appeals").json()["appeals"]}
    r = client.post(
        f"/api/credit/appeals/{aid}/decide",
        json={"uphold": True, "decision": "rectification verified"},
        headers=h,
    )
    assert r.status_code == 200 and r.json()["state"] == "upheld"
    r = client.post(
        f"/api/credit/appeals/{aid}/decide",
        json={"uphold": False, "decision": "again"},
        headers=h,
    )
    assert r.status_code == 409
    r = client.post(f"/api/credit/subjects/{own}/score", json={}, headers=h)
    assert r.json()["grade"] == "AA" and r.json()["score"] == 100.0
    shown = client.get(f"/api/credit/subjects/{own}").json()
    assert shown["events"][0]["status"] == "revoked"
    assert shown["appeals"][0]["state"] == "upheld"
    assert (
        client.post(
            "/api/credit/appeals/999999/decide",
            json={"uphold": True, "decision": "x"},
            headers=h,
        ).status_code
        == 404
    )
    actions = {
        row["action"]
        for action in ("credit.event", "credit.score", "credit.appeal", "credit.appeal_upheld")
        for row in _audit_actions(client.app, platform, action)
    }
    assert actions == {"credit.event", "credit.score", "credit.appeal", "credit.appeal_upheld"}
    appeal_rows = _audit_actions(client.app, platform, "credit.appeal")
    assert any(row["actor"] == "enterprise" and row["entity_id"] == str(eid) for row in appeal_rows)


def test_identity_conflicts_are_decided(client: TestClient, platform: dict[str, Any]) -> None:
    seen = pq.read_table(platform["data"] / "vessels.parquet").to_pylist()
    csrf = login(client, "city_a_sup", platform)
    h = {"x-csrf-token": csrf}
    taken = {s["mmsi"] for s in client.get("/api/registry/ships?page_size=10000").json()["ships"]}
    vessel = next(
        v
        for v in seen
        if v.get("shipname")
        and 412_000_000 <= int(v["mmsi"]) < 414_000_000
        and int(v["mmsi"]) not in taken
    )
    mmsi = int(vessel["mmsi"])
    tag = _tag()
    r = client.post(
        "/api/registry/ships",
        json={"name": f"CONFLICT {tag}", "mmsi": mmsi, "organisation": "ZJ-NB"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    r = client.post("/api/registry/identity/resolve", headers=h)
    assert r.status_code == 200, r.text
    assert r.json()["observed_mmsi"] == len(seen)
    conflicts = client.get("/api/registry/conflicts").json()["conflicts"]
    mine = [c for c in conflicts if c["key"] == str(mmsi) and c["ship_id"] == sid]
    assert mine and mine[0]["conflict"] == "name_mismatch" and mine[0]["state"] == "open"
    did = mine[0]["id"]
    with TestClient(client.app) as b:
        bcsrf = login(b, "city_b_duty", platform)
        assert did not in {c["id"] for c in b.get("/api/registry/conflicts").json()["conflicts"]}
        r = b.post(
            f"/api/registry/conflicts/{did}/decide",
            json={"note": "not mine"},
            headers={"x-csrf-token": bcsrf},
        )
        assert r.status_code == 403  # duty officers do not decide
    with TestClient(client.app) as duty:
        login(duty, "city_a_duty", platform)
        assert did in {c["id"] for c in duty.get("/api/registry/conflicts").json()["conflicts"]}
    r = client.post(
        f"/api/registry/conflicts/{did}/decide",
        json={"ship": sid, "note": "the register is right; AIS name to be corrected"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    r = client.post(f"/api/registry/conflicts/{did}/decide", json={"note": "again"}, headers=h)
    assert r.status_code == 409
    assert did not in {c["id"] for c in client.get("/api/registry/conflicts").json()["conflicts"]}
    resolved = client.get("/api/registry/conflicts", params={"state": "all"}).json()["conflicts"]
    assert any(c["id"] == did and c["state"] == "resolved" for c in resolved)
    assert any(
        row["entity_id"] == str(did)
        for row in _audit_actions(client.app, platform, "identity.decide")
    )


def test_crews_public_service_and_open_data(client: TestClient, platform: dict[str, Any]) -> None:
    tag = _tag()
    csrf = login(client, "city_a_sup", platform)
    h = {"x-csrf-token": csrf}
    seq = int(tag, 16) % 999
    body17 = f"330902{1980 + int(tag, 16) % 20}0612{seq:03d}"
    other17 = body17[:-3] + f"{seq + 1:03d}"
    person = id_number(body17)
    r = client.post(
        "/api/registry/crews",
        json={"name": f"王海生{tag}", "id_number": person, "organisation": "ZJ-NB"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    r = client.post(
        f"/api/registry/crews/{person}/points",
        json={"on_date": TODAY.isoformat(), "points": 3, "reason": "no lookout"},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["year_points"] == 3
    number = imo(_n6(tag, 0))
    sid = client.post(
        "/api/registry/ships",
        json={"name": f"PUBLIC {tag}", "imo": number, "flag": "CN", "organisation": "ZJ-NB"},
        headers=h,
    ).json()["id"]
    for body in (
        {
            "kind": "inspection",
            "on_date": "2026-01-10",
            "port": "Ningbo",
            "deficiencies": 7,
            "detained": True,
            "ended_on": "2026-01-12",
            "regime": "paris",
        },
        {
            "kind": "inspection",
            "on_date": "2026-02-10",
            "port": "Ningbo",
            "public": False,
            "regime": "paris",
        },
        {
            "kind": "penalty",
            "on_date": "2026-01-11",
            "legal_basis": "海上交通安全法",
            "penalty_amount": 20000,
            "detail": {"officer": "secret"},
        },
    ):
        r = client.post(f"/api/registry/ships/{sid}/events", json=body, headers=h)
        assert r.status_code == 201, r.text

    # authorities see personal data; an enterprise only masked, and only its own seafarers
    with TestClient(client.app) as duty:
        login(duty, "city_a_duty", platform)
        crews = duty.get("/api/registry/crews?page_size=10000").json()["crews"]
        assert any(c["id_number"] == person and c["name"] == f"王海生{tag}" for c in crews)
        career = duty.get(f"/api/registry/crews/{person}").json()
        assert career["year_points"] == 3 and career["crew"]["id_number"] == person
    r = client.post(
        "/api/registry/crews",
        json={
            "name": f"李四{tag}",
            "id_number": id_number(other17),
            "organisation": "ENT-1",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    with TestClient(client.app) as ent:
        login(ent, "enterprise", platform)
        crews = ent.get("/api/registry/crews?page_size=10000").json()["crews"]
        assert crews and all(c["organisation"] == "ENT-1" for c in crews)
        mine = [c for c in crews if c["id_number"].startswith(body17[:3])]
        assert mine and all("*" in c["id_number"] and c["name"].startswith("李") for c in mine)
        assert person not in ent.get("/api/registry/crews?page_size=10000").text
        assert ent.get(f"/api/registry/crews/{person}").status_code == 404
        assert ent.get(f"/api/registry/ships/{sid}").status_code == 404
        assert ent.get("/api/risk/due", params={"port": "Ningbo"}).status_code == 403

    # the public service: any logged-in account (a citizen here), public fields only
    with TestClient(client.app) as nobody:
        assert nobody.get("/api/public/detentions").status_code == 401
        assert nobody.get("/api/public/opendata/penalties").status_code == 401
    with TestClient(client.app) as anon:
        login(anon, "citizen", platform)
        det = anon.get("/api/public/detentions", params={"ship": number}).json()
        assert det["fields"] == dataset_fields(Dataset.detentions)
        assert [set(r) for r in det["rows"]] == [set(det["fields"])]
        assert (
            det["rows"][0]["ship_name"] == f"PUBLIC {tag}" and det["rows"][0]["deficiencies"] == 7
        )
        ins = anon.get("/api/public/inspections", params={"ship": number}).json()["rows"]
        assert [r["date"] for r in ins] == ["2026-01-10"]  # the one not public is left out
        pen = anon.get("/api/public/penalties", params={"since": TODAY.isoformat()})
        assert pen.status_code == 200
        seafarers = [r for r in pen.json()["rows"] if r["subject_type"] == "seafarer"]
        assert any(r["subject_name"] == "王" + "*" * (len(f"王海生{tag}") - 1) for r in seafarers)
        assert f"王海生{tag}" not in pen.text and person not in pen.text
        ships_pen = anon.get("/api/public/penalties").json()["rows"]
        assert any(r["imo"] == number and r["penalty_amount"] == 20000 for r in ships_pen)
        assert "secret" not in anon.get("/api/public/penalties").text
        csv_rows = _csv(anon.get("/api/public/opendata/penalties").text)
        assert list(csv_rows[0]) == dataset_fields(Dataset.penalties)
        assert person not in anon.get("/api/public/opendata/penalties?format=json").text
        data = anon.get("/api/public/opendata/detentions", params={"format": "json"}).json()
        assert any(d["imo"] == number for d in data)
        assert all(set(d) == set(dataset_fields(Dataset.detentions)) for d in data)
        assert anon.get("/api/public/opendata/secrets").status_code == 400
        assert anon.get("/api/public/inspections", params={"page_size": 501}).status_code == 400
        # only public roles' fields: no internal ids or organisations
        assert "organisation" not in anon.get("/api/public/inspections").text
        assert anon.get("/api/registry/ships").status_code == 403
    with TestClient(client.app) as citizen:
        login(citizen, "citizen", platform)
        assert citizen.get("/api/registry/ships").status_code == 403
        assert citizen.get("/api/public/company-grades").status_code == 200


def test_public_service_is_limited_per_address(
    client: TestClient, platform: dict[str, Any]
) -> None:
    login(client, "citizen", platform)
    codes = [client.get("/api/public/opendata/inspections").status_code for _ in range(21)]
    assert codes[:20] == [200] * 20 and codes[20] == 429


def test_roles_scope_and_bad_input(client: TestClient, platform: dict[str, Any]) -> None:
    tag = _tag()
    csrf = login(client, "city_a_sup", platform)
    h = {"x-csrf-token": csrf}
    name = f"BAD {tag}"
    bad = imo(_n6(tag, 0))[:6] + str((int(imo(_n6(tag, 0))[6]) + 1) % 10)
    for body in (
        {"name": name, "imo": bad, "organisation": "ZJ-NB"},
        {"name": name, "flag": "China", "organisation": "ZJ-NB"},
        {"name": name + "\x00", "organisation": "ZJ-NB"},
        {"name": name, "registered_on": "0001-01-01", "organisation": "ZJ-NB"},
        {"name": name, "ship_type": "spaceship", "organisation": "ZJ-NB"},
        {"imo": imo(_n6(tag, 1))},
    ):
        r = client.post("/api/registry/ships", json=body, headers=h)
        assert r.status_code == 400, (body, r.text)
        assert r.json()["detail"]
    assert (
        client.post(
            "/api/registry/ships", json={"name": name, "organisation": "ZJ-ZS"}, headers=h
        ).status_code
        == 403
    )
    assert client.post("/api/registry/ships", json={"name": name}).status_code == 403  # CSRF
    assert client.get("/api/registry/ships", params={"q": name}).json()["total"] == 0
    assert not [
        row
        for row in _audit_actions(client.app, platform, "ship.create")
        if (row["detail"] or {}).get("name") == name
    ]
    sid = client.post(
        "/api/registry/ships", json={"name": name, "organisation": "ZJ-NB"}, headers=h
    ).json()["id"]
    assert (
        client.post(
            f"/api/registry/ships/{sid}/events",
            json={"kind": "sinking", "on_date": "2026-01-01"},
            headers=h,
        ).status_code
        == 400
    )
    assert (
        client.post(
            f"/api/registry/ships/{sid}/events",
            json={"kind": "scrapped", "on_date": "2026-01-01"},
            headers=h,
        ).status_code
        == 201
    )
    assert (
        client.patch(f"/api/registry/ships/{sid}", json={"flag": "CN"}, headers=h).status_code
        == 409
    )
    life = client.get(f"/api/registry/ships/{sid}").json()
    assert life["ship"]["status"] == "scrapped" and sorted(e["kind"] for e in life["events"]) == [
        "registration",
        "scrapped",
    ]
    assert client.get("/api/risk/due").status_code == 400
    assert client.get("/api/risk/due", params={"port": "x\x00"}).status_code == 400
    assert client.get("/api/registry/ships/no-such-ship").status_code == 404
    with TestClient(client.app) as duty:
        dcsrf = login(duty, "city_a_duty", platform)
        assert duty.get(f"/api/registry/ships/{sid}").status_code == 200
        r = duty.post("/api/registry/ships", json={"name": name}, headers={"x-csrf-token": dcsrf})
        assert r.status_code == 403
    for user in ("sysadmin", "auditor"):
        with TestClient(client.app) as admin:
            login(admin, user, platform)
            assert admin.get("/api/registry/ships").status_code == 403
            assert admin.get("/api/credit/scores").status_code == 403


def test_risk_register(client: TestClient, platform: dict[str, Any]) -> None:
    tag = _tag()
    csrf = login(client, "city_a_sup", platform)
    h = {"x-csrf-token": csrf}
    r = client.post(
        "/api/risk/points",
        json={
            "name": f"Berth 3 tank farm {tag}",
            "location": "Beilun berth 3",
            "hazard": "fire and explosion",
            "likelihood": 4,
            "consequence": 5,
            "measures": ["foam system", "hot-work permits"],
            "owner": "Terminal safety officer",
            "identified_on": "2026-01-01",
            "review_months": 3,
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    points = client.get("/api/risk/points").json()["points"]
    mine = next(p for p in points if p["id"] == pid)
    assert (mine["level"], mine["colour"], mine["organisation"]) == ("major", "red", "ZJ-NB")
    r = client.post(
        f"/api/risk/points/{pid}/reviews",
        json={
            "reviewed_on": "2026-04-01",
            "reviewer": "Li",
            "likelihood": 2,
            "consequence": 4,
            "note": "sprinklers installed",
        },
        headers=h,
    )
    assert r.status_code == 201 and r.json()["level"] == "general"
    assert len(client.get(f"/api/risk/points/{pid}/reviews").json()["reviews"]) == 1
    assert (
        client.post(
            f"/api/risk/points/{pid}/reviews",
            json={"reviewed_on": "2026-04-01", "reviewer": "Li", "likelihood": 9, "consequence": 4},
            headers=h,
        ).status_code
        == 400
    )
    with TestClient(client.app) as b:
        login(b, "city_b_duty", platform)
        assert pid not in {p["id"] for p in b.get("/api/risk/points").json()["points"]}
        assert b.get(f"/api/risk/points/{pid}/reviews").status_code == 404


def _platform_supervisor(platform: dict[str, Any]) -> str:
    """A supervisor without an organisation (the whole platform), created once per database."""
    from seawarden.security import accounts
    from seawarden.security.actor import cli_actor

    name = "platform_sup"
    try:
        accounts.create_user(
            platform["engine"],
            cli_actor("test-setup"),
            name,
            PASSWORD,
            ["supervisor"],
            None,
            bootstrap=True,
        )
    except ValueError as exc:  # created by an earlier test on this database
        assert "exists" in str(exc)
    return name


def _other_city(client: TestClient, platform: dict[str, Any], path: str, body: Any) -> str:
    """Create an object of ZJ-ZS (another city than city_a_sup's) as the province; its id."""
    with TestClient(client.app) as prov:
        h = {"x-csrf-token": login(prov, "prov_sup", platform)}
        r = prov.post(path, json={**body, "organisation": "ZJ-ZS"}, headers=h)
        assert r.status_code == 201, r.text
        return str(r.json()["id"])


def test_company_permits(client: TestClient, platform: dict[str, Any]) -> None:
    tag = _tag()
    h = {"x-csrf-token": login(client, "city_a_sup", platform)}
    code = _uscc(tag)
    r = client.post(
        "/api/registry/companies",
        json={"name": f"Permit Co {tag}", "uscc": code, "organisation": "ZJ-NB"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    permit = {
        "kind": "port operation",
        "number": f"港经证-{tag}",
        "scope": "container handling",
        "valid_from": "2025-01-01",
        "valid_to": "2028-12-31",
        "issuer": "宁波市交通运输局",
    }
    r = client.post(f"/api/registry/companies/{code}/permits", json=permit, headers=h)
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    shown = client.get(f"/api/registry/companies/{code}").json()["permits"]
    assert [(p["id"], p["number"], p["valid_to"]) for p in shown] == [
        (pid, f"港经证-{tag}", "2028-12-31")
    ]
    for bad in (
        {**permit, "valid_to": "2024-01-01"},
        {**permit, "kind": ""},
        {**permit, "number": "x\x07"},
        {**permit, "valid_from": "1800-01-01"},
        {"number": "only"},
    ):
        r = client.post(f"/api/registry/companies/{code}/permits", json=bad, headers=h)
        assert r.status_code == 400 and r.json()["detail"], (bad, r.text)
    other = _other_city(
        client, platform, "/api/registry/companies", {"name": f"ZS Co {tag}", "uscc": _uscc(_tag())}
    )
    r = client.post(f"/api/registry/companies/{other}/permits", json=permit, headers=h)
    assert r.status_code == 404
    with TestClient(client.app) as duty:
        dh = {"x-csrf-token": login(duty, "city_a_duty", platform)}
        r = duty.post(f"/api/registry/companies/{code}/permits", json=permit, headers=dh)
        assert r.status_code == 403
    assert any(
        row["entity_id"] == str(pid)
        for row in _audit_actions(client.app, platform, "permit.create")
    )


def test_fishing_licences_and_quotas(client: TestClient, platform: dict[str, Any]) -> None:
    tag = _tag()
    h = {"x-csrf-token": login(client, "city_a_sup", platform)}
    r = client.post(
        "/api/registry/ships",
        json={"name": f"浙岱渔{tag}", "ship_type": "fishing", "organisation": "ZJ-NB"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    sid = r.json()["id"]
    year = TODAY.year
    licence = {
        "number": f"(浙)船网捕({year})-{tag}",
        "gear": "trawl",
        "area": "East China Sea zone 2",
        "valid_from": f"{year}-01-01",
        "valid_to": f"{year}-12-31",
    }
    r = client.post(f"/api/registry/ships/{sid}/licences", json=licence, headers=h)
    assert r.status_code == 201, r.text
    lid = r.json()["id"]
    assert (
        client.post(f"/api/registry/ships/{sid}/licences", json=licence, headers=h).status_code
        == 409
    )
    for bad in (
        {**licence, "number": "other", "valid_to": f"{year - 1}-01-01"},
        {**licence, "number": "other", "gear": ""},
        {**licence, "number": "other", "valid_from": "2026-02-30"},
        {"gear": "trawl"},
    ):
        r = client.post(f"/api/registry/ships/{sid}/licences", json=bad, headers=h)
        assert r.status_code == 400 and r.json()["detail"], (bad, r.text)
    r = client.patch(
        f"/api/registry/licences/{lid}",
        json={"gear": "gillnet", "area": "zone 3"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert r.json()["changed"]["gear"] == {"old": "trawl", "new": "gillnet"}
    r = client.patch(
        f"/api/registry/licences/{lid}", json={"valid_to": f"{year - 1}-06-01"}, headers=h
    )
    assert r.status_code == 400 and "valid_to" in r.text
    assert (
        client.patch("/api/registry/licences/999999", json={"gear": "x"}, headers=h).status_code
        == 404
    )

    quota = {"year": year, "species": "hairtail", "quota_t": 100, "licence": licence["number"]}
    r = client.post(f"/api/registry/ships/{sid}/quotas", json=quota, headers=h)
    assert r.status_code == 201, r.text
    qid = r.json()["id"]
    for bad in ({**quota, "quota_t": -1}, {**quota, "year": 1800}, {**quota, "species": ""}):
        r = client.post(f"/api/registry/ships/{sid}/quotas", json=bad, headers=h)
        assert r.status_code == 400, (bad, r.text)
    r = client.post(
        f"/api/registry/ships/{sid}/quotas", json={**quota, "licence": "NO-SUCH"}, headers=h
    )
    assert r.status_code == 404
    r = client.post(f"/api/registry/quotas/{qid}/catches", json={"tonnes": 40.5}, headers=h)
    assert r.status_code == 200 and r.json()["remaining_t"] == 59.5
    assert (
        client.post(
            f"/api/registry/quotas/{qid}/catches", json={"tonnes": -1}, headers=h
        ).status_code
        == 400
    )
    listed = client.get("/api/registry/licences", params={"year": year}).json()
    mine = next(x for x in listed["licences"] if x["id"] == lid)
    assert (mine["gear"], mine["area"], mine["ship_name"]) == ("gillnet", "zone 3", f"浙岱渔{tag}")
    assert next(q for q in listed["quotas"] if q["id"] == qid)["caught_t"] == 40.5
    assert client.get("/api/registry/licences", params={"year": 1800}).status_code == 400

    # a cargo ship has no licence; another city's vessel, licence and quota do not exist here
    cargo = client.post(
        "/api/registry/ships", json={"name": f"CARGO {tag}", "organisation": "ZJ-NB"}, headers=h
    ).json()["id"]
    assert (
        client.post(f"/api/registry/ships/{cargo}/licences", json=licence, headers=h).status_code
        == 409
    )
    assert (
        client.post(f"/api/registry/ships/{cargo}/quotas", json=quota, headers=h).status_code == 409
    )
    other = _other_city(
        client, platform, "/api/registry/ships", {"name": f"浙舟渔{tag}", "ship_type": "fishing"}
    )
    with TestClient(client.app) as prov:
        ph = {"x-csrf-token": login(prov, "prov_sup", platform)}
        other_lid = prov.post(
            f"/api/registry/ships/{other}/licences", json=licence, headers=ph
        ).json()["id"]
        other_qid = prov.post(
            f"/api/registry/ships/{other}/quotas",
            json={**quota, "licence": None},
            headers=ph,
        ).json()["id"]
    assert (
        client.post(f"/api/registry/ships/{other}/licences", json=licence, headers=h).status_code
        == 404
    )
    assert (
        client.post(f"/api/registry/ships/{other}/quotas", json=quota, headers=h).status_code == 404
    )
    assert (
        client.patch(
            f"/api/registry/licences/{other_lid}", json={"gear": "x"}, headers=h
        ).status_code
        == 404
    )
    r = client.post(f"/api/registry/quotas/{other_qid}/catches", json={"tonnes": 1}, headers=h)
    assert r.status_code == 404
    with TestClient(client.app) as b:
        login(b, "city_b_duty", platform)
        seen = b.get("/api/registry/licences").json()
        assert lid not in {x["id"] for x in seen["licences"]} and other_lid in {
            x["id"] for x in seen["licences"]
        }
    for action, entity in (
        ("fishing.licence", lid),
        ("fishing.licence_change", lid),
        ("fishing.quota", qid),
        ("fishing.catch", qid),
    ):
        assert any(
            row["entity_id"] == str(entity) for row in _audit_actions(client.app, platform, action)
        ), action


def test_crew_certificates_training_exams_and_service(
    client: TestClient, platform: dict[str, Any]
) -> None:
    tag = _tag()
    h = {"x-csrf-token": login(client, "city_a_sup", platform)}
    seq = int(tag, 16) % 999
    person = id_number(f"330203{1970 + int(tag, 16) % 20}0301{seq:03d}")
    r = client.post(
        "/api/registry/crews",
        json={"name": f"陈船长{tag}", "id_number": person, "organisation": "ZJ-NB"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    base = f"/api/registry/crews/{person}"
    cert = {
        "number": f"CoC-{tag}",
        "grade": "master, unlimited",
        "issued_on": "2022-01-01",
        "expires_on": "2027-01-01",
    }
    r = client.post(f"{base}/certificates", json=cert, headers=h)
    assert r.status_code == 201, r.text
    cid = r.json()["id"]
    r = client.post(
        f"{base}/certificates/{cid}/renew", json={"expires_on": "2032-01-01"}, headers=h
    )
    assert r.status_code == 200 and r.json()["expires_on"] == "2032-01-01", r.text
    r = client.post(
        f"{base}/certificates/{cid}/renew", json={"expires_on": "2030-01-01"}, headers=h
    )
    assert r.status_code == 409 and "after the current one" in r.json()["detail"]
    assert (
        client.post(
            f"{base}/certificates/999999/renew", json={"expires_on": "2040-01-01"}, headers=h
        ).status_code
        == 404
    )
    ship_id = client.post(
        "/api/registry/ships", json={"name": f"CREW SHIP {tag}", "organisation": "ZJ-NB"}, headers=h
    ).json()["id"]
    for path, body in (
        (
            "training",
            {"course": "basic safety", "provider": "Ningbo academy", "completed_on": "2021-05-01"},
        ),
        (
            "exams",
            {"subject": "master, unlimited", "taken_on": "2021-12-01", "passed": True, "score": 82},
        ),
        (
            "service",
            {
                "ship": ship_id,
                "rank": "master",
                "signed_on": "2022-02-01",
                "signed_off": "2022-08-01",
            },
        ),
    ):
        r = client.post(f"{base}/{path}", json=body, headers=h)
        assert r.status_code == 201, (path, r.text)
    for path, body in (
        ("certificates", {**cert, "expires_on": "2021-01-01"}),
        ("certificates", {**cert, "grade": ""}),
        ("training", {"course": "x", "completed_on": "yesterday"}),
        ("exams", {"subject": "x", "taken_on": "2022-01-01"}),
        ("exams", {"subject": "x", "taken_on": "2022-01-01", "passed": True, "score": -1}),
        ("service", {"rank": "AB", "signed_on": "2022-02-01", "signed_off": "2022-01-01"}),
        ("service", {"rank": "AB\x00", "signed_on": "2022-02-01"}),
    ):
        r = client.post(f"{base}/{path}", json=body, headers=h)
        assert r.status_code == 400 and r.json()["detail"], (path, body, r.text)
    r = client.post(
        f"{base}/service",
        json={"ship": "no-such-ship", "rank": "AB", "signed_on": "2022-02-01"},
        headers=h,
    )
    assert r.status_code == 404
    career = client.get(base).json()
    assert [c["number"] for c in career["certificates"]] == [f"CoC-{tag}"]
    assert [t["course"] for t in career["training"]] == ["basic safety"]
    assert [e["passed"] for e in career["exams"]] == [True]
    assert [(s["ship_id"], s["rank"]) for s in career["service"]] == [(ship_id, "master")]

    # 15 points withhold; nothing is returned before an exam passed after the withholding
    assert client.post(f"{base}/certificates/return", headers=h).status_code == 409
    r = client.post(
        f"{base}/points",
        json={"on_date": TODAY.isoformat(), "points": 15, "reason": "false log entries"},
        headers=h,
    )
    assert r.status_code == 201 and r.json()["withheld"] == [cid]
    r = client.post(
        f"{base}/certificates/{cid}/renew", json={"expires_on": "2036-01-01"}, headers=h
    )
    assert r.status_code == 409 and "withheld" in r.json()["detail"]
    r = client.post(f"{base}/certificates/return", headers=h)
    assert r.status_code == 409 and "exam" in r.json()["detail"]
    r = client.post(
        f"{base}/exams",
        json={"subject": "law and rules", "taken_on": TODAY.isoformat(), "passed": True},
        headers=h,
    )
    assert r.status_code == 201
    r = client.post(f"{base}/certificates/return", headers=h)
    assert r.status_code == 200 and r.json()["returned"] == [cid]
    assert client.get(base).json()["certificates"][0]["state"] == "valid"
    assert client.post(f"{base}/certificates/return", headers=h).status_code == 409

    # another city's seafarer does not exist here; a duty officer does not write
    other_person = id_number(f"330203{1970 + int(tag, 16) % 20}0302{seq:03d}")
    _other_city(
        client,
        platform,
        "/api/registry/crews",
        {"name": f"舟山船员{tag}", "id_number": other_person},
    )
    for path, body in (
        ("certificates", cert),
        ("training", {"course": "x", "completed_on": "2022-01-01"}),
        ("exams", {"subject": "x", "taken_on": "2022-01-01", "passed": False}),
        ("service", {"rank": "AB", "signed_on": "2022-02-01"}),
        ("certificates/return", None),
        (f"certificates/{cid}/renew", {"expires_on": "2040-01-01"}),
    ):
        r = client.post(f"/api/registry/crews/{other_person}/{path}", json=body, headers=h)
        assert r.status_code == 404, (path, r.text)
    with TestClient(client.app) as duty:
        dh = {"x-csrf-token": login(duty, "city_a_duty", platform)}
        assert duty.post(f"{base}/certificates", json=cert, headers=dh).status_code == 403
    with TestClient(client.app) as prov:
        ph = {"x-csrf-token": login(prov, "prov_sup", platform)}
        r = prov.post(
            f"{base}/service",
            json={"ship": ship_id, "rank": "chief mate", "signed_on": "2023-01-01"},
            headers=ph,
        )
        assert r.status_code == 201  # the province sees the city's seafarer and ship
    crew_id = client.get(base).json()["crew"]["id"]
    for action in (
        "crew.certificate",
        "crew.certificate_renewed",
        "crew.training",
        "crew.exam",
        "crew.service",
        "crew.certificates_withheld",
        "crew.certificates_returned",
    ):
        assert any(
            row["entity_id"] == crew_id for row in _audit_actions(client.app, platform, action)
        ), action


def test_performance_lists_and_rule_sets(client: TestClient, platform: dict[str, Any]) -> None:
    import json

    from seawarden.credit.rules import default_ruleset

    tag = _tag()
    boss = _platform_supervisor(platform)
    h = {"x-csrf-token": login(client, boss, platform)}
    flags = "flag,performance,imo_audit,year\nTV,black_very_high,false,1999\nKI,purple,true,1999\n"
    r = client.post(
        "/api/risk/lists/flags",
        files={"file": ("flags.csv", flags.encode(), "text/csv")},
        data={"regime": "tokyo"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    rep = r.json()
    assert rep["loaded"] == 1 and [b["line"] for b in rep["rejected"]] == [3]
    assert "performance" in rep["rejected"][0]["message"]
    ros = f"ro,performance,eu_recognised,year\nRO {tag},very_low,false,1999\n"
    r = client.post(
        "/api/risk/lists/ros", files={"file": ("ros.csv", ros.encode(), "text/csv")}, headers=h
    )
    assert r.status_code == 200 and r.json()["loaded"] == 1
    for name, content in (("flags.txt", b"flag\nTV\n"), ("flags.xlsx", b"not a workbook")):
        r = client.post(
            "/api/risk/lists/flags", files={"file": (name, content, "text/plain")}, headers=h
        )
        assert r.status_code == 400 and r.json()["detail"]
    assert (
        client.post(
            "/api/risk/lists/ships", files={"file": ("f.csv", b"x\n", "text/csv")}, headers=h
        ).status_code
        == 400
    )

    version = f"test-{tag}"
    rules = default_ruleset().model_copy(update={"version": version, "title": f"Test {tag}"})
    body = json.dumps(rules.model_dump(mode="json")).encode()
    r = client.post(
        "/api/credit/rulesets",
        files={"file": ("rules.json", body, "application/json")},
        headers=h,
    )
    assert r.status_code == 201 and r.json() == {"version": version, "new": True, "active": False}
    changed = json.dumps({**rules.model_dump(mode="json"), "base_score": 90}).encode()
    r = client.post(
        "/api/credit/rulesets",
        files={"file": ("rules.json", changed, "application/json")},
        headers=h,
    )
    assert r.status_code == 409 and "new version" in r.json()["detail"]
    for name, content in (
        ("rules.json", b"{not json"),
        ("rules.toml", b"version = "),
        ("rules.json", b"[1, 2]"),
        ("rules.json", json.dumps({"version": "x"}).encode()),
        ("rules.txt", body),
    ):
        r = client.post(
            "/api/credit/rulesets", files={"file": (name, content, "text/plain")}, headers=h
        )
        assert r.status_code == 400 and r.json()["detail"], (name, r.text)
    shown = client.get(f"/api/credit/rulesets/{version}").json()
    assert shown["active"] is False and shown["rules"]["title"] == f"Test {tag}"
    assert client.get("/api/credit/rulesets/no-such-version").status_code == 404
    active = next(
        x["version"] for x in client.get("/api/credit/rulesets").json()["rulesets"] if x["active"]
    )
    try:
        r = client.post(f"/api/credit/rulesets/{version}/activate", headers=h)
        assert r.status_code == 200, r.text
        listed = client.get("/api/credit/rulesets").json()["rulesets"]
        assert [x["version"] for x in listed if x["active"]] == [version]
        assert client.post(f"/api/credit/rulesets/{version}/activate", headers=h).status_code == 409
    finally:
        assert client.post(f"/api/credit/rulesets/{active}/activate", headers=h).status_code == 200
    assert client.post("/api/credit/rulesets/no-such/activate", headers=h).status_code == 404

    # a supervisor of one organisation reads the lists but does not change reference data
    with TestClient(client.app) as city:
        ch = {"x-csrf-token": login(city, "city_a_sup", platform)}
        entries = city.get("/api/risk/lists/flags", params={"regime": "tokyo"}).json()["entries"]
        assert any(e["flag"] == "TV" and e["performance"] == "black_very_high" for e in entries)
        assert any(
            e["ro"] == f"RO {tag}" for e in city.get("/api/risk/lists/ros").json()["entries"]
        )
        r = city.post(
            "/api/risk/lists/flags",
            files={"file": ("flags.csv", flags.encode(), "text/csv")},
            headers=ch,
        )
        assert r.status_code == 403
        other = json.dumps({**rules.model_dump(mode="json"), "version": f"city-{tag}"}).encode()
        r = city.post(
            "/api/credit/rulesets",
            files={"file": ("rules.json", other, "application/json")},
            headers=ch,
        )
        assert r.status_code == 403
        assert city.post(f"/api/credit/rulesets/{version}/activate", headers=ch).status_code == 403
        assert city.get(f"/api/credit/rulesets/{f'city-{tag}'}").status_code == 404
    for user in ("sysadmin", "auditor", "secadmin"):
        with TestClient(client.app) as admin:
            ah = {"x-csrf-token": login(admin, user, platform)}
            r = admin.post(
                "/api/credit/rulesets",
                files={"file": ("rules.json", body, "application/json")},
                headers=ah,
            )
            assert r.status_code == 403
            assert admin.get("/api/risk/lists/flags").status_code == 403
    for action, entity in (
        ("credit.ruleset_install", version),
        ("credit.ruleset_activate", version),
        ("risk.flags_list", "tokyo"),
        ("risk.ros_list", "paris"),
    ):
        assert any(
            row["entity_id"] == entity for row in _audit_actions(client.app, platform, action)
        ), action


def test_withholding_company_edit_permit_revocation_and_quota_change(
    client: TestClient, platform: dict[str, Any]
) -> None:
    tag = _tag()
    h = {"x-csrf-token": login(client, "city_a_sup", platform)}
    seq = int(tag, 16) % 999
    person = id_number(f"330203{1970 + int(tag, 16) % 20}0401{seq:03d}")
    r = client.post(
        "/api/registry/crews",
        json={
            "name": f"扣证{tag}",
            "id_number": person,
            "organisation": "ZJ-NB",
            "certificate_no": f"W-{tag}",
            "certificate_grade": "AB",
            "certificate_expires": "2090-01-01",
        },
        headers=h,
    )
    assert r.status_code == 201, r.text
    base = f"/api/registry/crews/{person}"
    cid = client.get(base).json()["certificates"][0]["id"]
    hold = {"on_date": TODAY.isoformat(), "reason": "forged records", "legal_basis": "第十条"}
    for bad in (
        {**hold, "legal_basis": ""},
        {k: v for k, v in hold.items() if k != "reason"},
        {**hold, "on_date": "1800-01-01"},
        {**hold, "certificates": []},
    ):
        r = client.post(f"{base}/certificates/withhold", json=bad, headers=h)
        assert r.status_code == 400 and r.json()["detail"], (bad, r.text)
    r = client.post(
        f"{base}/certificates/withhold", json={**hold, "certificates": [999_999]}, headers=h
    )
    assert r.status_code == 404
    r = client.post(f"{base}/certificates/withhold", json=hold, headers=h)
    assert r.status_code == 200 and r.json()["withheld"] == [cid], r.text
    assert client.get(base).json()["certificates"][0]["state"] == "withheld"
    r = client.post(f"{base}/certificates/withhold", json=hold, headers=h)
    assert r.status_code == 409 and "no valid certificate" in r.json()["detail"]
    r = client.post(f"{base}/certificates/return", headers=h)
    assert r.status_code == 409 and "exam" in r.json()["detail"]
    client.post(
        f"{base}/exams",
        json={"subject": "law", "taken_on": TODAY.isoformat(), "passed": True},
        headers=h,
    )
    assert client.post(f"{base}/certificates/return", headers=h).json()["returned"] == [cid]

    code = _uscc(tag)
    r = client.post(
        "/api/registry/companies",
        json={"name": f"Edit Co {tag}", "uscc": code, "organisation": "ZJ-NB"},
        headers=h,
    )
    assert r.status_code == 201, r.text
    company_id = r.json()["id"]
    r = client.patch(
        f"/api/registry/companies/{code}",
        json={"name": f"Edited Co {tag}", "address": "9 Quay", "status": "suspended"},
        headers=h,
    )
    assert r.status_code == 200, r.text
    assert set(r.json()["changed"]) == {"name", "address", "status"}
    shown = client.get(f"/api/registry/companies/{code}").json()["company"]
    assert (shown["name"], shown["address"], shown["status"], shown["uscc"]) == (
        f"Edited Co {tag}",
        "9 Quay",
        "suspended",
        code,
    )
    for bad in (
        {"uscc": _uscc(_tag())},
        {"name": ""},
        {"name": None},
        {"status": "bankrupt"},
        {"address": "x\x07"},
    ):
        r = client.patch(f"/api/registry/companies/{code}", json=bad, headers=h)
        assert r.status_code == 400 and r.json()["detail"], (bad, r.text)
    permit = {"kind": "port operation", "number": f"R-{tag}", "valid_from": "2025-01-01"}
    pid = client.post(f"/api/registry/companies/{code}/permits", json=permit, headers=h).json()[
        "id"
    ]
    revoke = f"/api/registry/companies/{code}/permits/{pid}/revoke"
    for bad in ({"on_date": TODAY.isoformat()}, {"on_date": "x", "reason": "r"}):
        r = client.post(revoke, json=bad, headers=h)
        assert r.status_code == 400, (bad, r.text)
    r = client.post(revoke, json={"on_date": "2024-06-01", "reason": "r"}, headers=h)
    assert r.status_code == 409 and "before" in r.json()["detail"]
    r = client.post(revoke, json={"on_date": TODAY.isoformat(), "reason": "unsafe"}, headers=h)
    assert r.status_code == 200 and r.json()["state"] == "revoked", r.text
    assert (
        client.post(
            revoke, json={"on_date": TODAY.isoformat(), "reason": "again"}, headers=h
        ).status_code
        == 409
    )
    (shown_permit,) = client.get(f"/api/registry/companies/{code}").json()["permits"]
    assert (shown_permit["state"], shown_permit["revoke_reason"]) == ("revoked", "unsafe")
    r = client.post(
        f"/api/registry/companies/{code}/permits/999999/revoke",
        json={"on_date": TODAY.isoformat(), "reason": "r"},
        headers=h,
    )
    assert r.status_code == 404

    sid = client.post(
        "/api/registry/ships",
        json={"name": f"浙配渔{tag}", "ship_type": "fishing", "organisation": "ZJ-NB"},
        headers=h,
    ).json()["id"]
    quota = {"year": TODAY.year, "species": "squid", "quota_t": 100}
    qid = client.post(f"/api/registry/ships/{sid}/quotas", json=quota, headers=h).json()["id"]
    client.post(f"/api/registry/quotas/{qid}/catches", json={"tonnes": 30}, headers=h)
    for bad in ({"quota_t": 50}, {"quota_t": -1, "reason": "r"}, {"quota_t": 50, "reason": ""}):
        r = client.patch(f"/api/registry/quotas/{qid}", json=bad, headers=h)
        assert r.status_code == 400, (bad, r.text)
    r = client.patch(f"/api/registry/quotas/{qid}", json={"quota_t": 20, "reason": "r"}, headers=h)
    assert r.status_code == 409 and "caught" in r.json()["detail"]
    r = client.patch(
        f"/api/registry/quotas/{qid}", json={"quota_t": 50, "reason": "stock cut"}, headers=h
    )
    assert r.status_code == 200 and r.json()["remaining_t"] == 20, r.text

    # another city's objects do not exist here; a duty officer does not write
    other_person = id_number(f"330203{1970 + int(tag, 16) % 20}0402{seq:03d}")
    _other_city(
        client,
        platform,
        "/api/registry/crews",
        {"name": f"舟山{tag}", "id_number": other_person},
    )
    other_co = _other_city(
        client, platform, "/api/registry/companies", {"name": f"ZS {tag}", "uscc": _uscc(_tag())}
    )
    other_ship = _other_city(
        client, platform, "/api/registry/ships", {"name": f"浙舟配{tag}", "ship_type": "fishing"}
    )
    with TestClient(client.app) as prov:
        ph = {"x-csrf-token": login(prov, "prov_sup", platform)}
        other_pid = prov.post(
            f"/api/registry/companies/{other_co}/permits", json=permit, headers=ph
        ).json()["id"]
        other_qid = prov.post(
            f"/api/registry/ships/{other_ship}/quotas", json=quota, headers=ph
        ).json()["id"]
    for method, path, body in (
        ("POST", f"/api/registry/crews/{other_person}/certificates/withhold", hold),
        ("PATCH", f"/api/registry/companies/{other_co}", {"name": "x"}),
        (
            "POST",
            f"/api/registry/companies/{other_co}/permits/{other_pid}/revoke",
            {"on_date": TODAY.isoformat(), "reason": "r"},
        ),
        ("PATCH", f"/api/registry/quotas/{other_qid}", {"quota_t": 1, "reason": "r"}),
    ):
        r = client.request(method, path, json=body, headers=h)
        assert r.status_code == 404, (path, r.text)
    with TestClient(client.app) as duty:
        dh = {"x-csrf-token": login(duty, "city_a_duty", platform)}
        r = duty.patch(f"/api/registry/companies/{code}", json={"name": "x"}, headers=dh)
        assert r.status_code == 403
        r = duty.patch(
            f"/api/registry/quotas/{qid}", json={"quota_t": 90, "reason": "r"}, headers=dh
        )
        assert r.status_code == 403
    crew_id = client.get(base).json()["crew"]["id"]
    for action, entity in (
        ("crew.certificates_withheld", crew_id),
        ("company.update", company_id),
        ("permit.revoke", str(pid)),
        ("fishing.quota_change", str(qid)),
    ):
        rows = [
            row
            for row in _audit_actions(client.app, platform, action)
            if row["entity_id"] == entity
        ]
        assert rows, action
    withheld = next(
        row
        for row in _audit_actions(client.app, platform, "crew.certificates_withheld")
        if row["entity_id"] == crew_id
    )
    assert withheld["detail"]["legal_basis"] == "第十条"
