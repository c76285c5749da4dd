"""The dangerous-goods API over HTTP (SQLite and PostgreSQL): declare → automatic comparison →
decision, a blocked declaration, scope (404 outside it, 403 for the role), the audit trail,
cargo and inventory, the hidden-danger loop, major hazard sources, dashboards and tools."""

from __future__ import annotations

import base64
import json
import struct
import time
import zlib
from dataclasses import dataclass
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from seawarden.dangerous_goods import declarations as decl
from seawarden.dangerous_goods import facilities as f
from seawarden.dangerous_goods import tables as t
from seawarden.db import schema
from seawarden.security import accounts
from seawarden.security.actor import cli_actor

from .conftest import PASSWORD, login

DAY = 86_400_000
HOUR = 3_600_000
BERTH = {
    "type": "Polygon",
    "coordinates": [
        [[121.85, 29.93], [121.86, 29.93], [121.86, 29.935], [121.85, 29.935], [121.85, 29.93]]
    ],
}
YARD = {
    "type": "Polygon",
    "coordinates": [
        [[121.87, 29.94], [121.875, 29.94], [121.875, 29.944], [121.87, 29.944], [121.87, 29.94]]
    ],
}


@dataclass
class DGWorld:
    """Ids of the dangerous-goods facilities loaded into a test platform."""

    company: int
    terminal: int
    berth: int
    yard: int
    farm: int
    tank: int
    person: int
    licence: int
    terminal_b: int
    berth_b: int
    declaration_b: int


_WORLDS: dict[str, DGWorld] = {}


def dg_world(platform: dict[str, Any]) -> DGWorld:
    """Load DG facilities into a platform once: a company of ENT-1 (under ZJ-NB), one of ZJ-ZS
    (registered at the city's own organisation, so that the shared organisation tree is left as
    the other web tests expect) and a supervisor of ZJ-ZS."""
    key = str(platform["data"])
    if key in _WORLDS:
        return _WORLDS[key]
    engine = platform["engine"]
    who = cli_actor("dg-setup")
    now = int(time.time() * 1000)
    accounts.create_user(
        engine, who, "city_b_sup", PASSWORD, ["supervisor"], "ZJ-ZS", bootstrap=True
    )
    company = f.create_company(engine, who, "ENT-1", "宁波危化码头有限公司")
    terminal = f.create_terminal(engine, who, company, "镇海危化品码头", "CNNGB", 29.94, 121.86)
    berth = f.create_berth(engine, who, terminal, "1号泊位", BERTH, dg_only=True)
    yard = f.create_storage_unit(
        engine, who, terminal, "yard", "危险品堆场", 2000, 35, geometry=YARD
    )
    farm = f.create_storage_unit(engine, who, terminal, "tank_farm", "甲醇罐区", 30000, 60)
    tank = f.create_storage_unit(
        engine,
        who,
        terminal,
        "tank",
        "T-101",
        8000,
        parent_id=farm,
        tank=f.TankDesign(5000, -10, 40, -0.5, 6, 18, 20),
        substances=[f.SubstanceSpec("methanol", 8000, "1230")],
    )
    licence = f.create_licence(
        engine, who, company, "浙甬港经(2026)001", now - 365 * DAY, now + 365 * DAY
    )
    f.add_annex(
        engine,
        who,
        licence,
        ["discharging", "loading"],
        now - 365 * DAY,
        now + 365 * DAY,
        un_numbers=["1230", "1294"],
        site_kind="berth",
        site_id=berth,
    )
    f.add_annex(
        engine,
        who,
        licence,
        ["storage"],
        now - 365 * DAY,
        now + 365 * DAY,
        classes=["3"],
        site_kind="storage_unit",
        site_id=yard,
    )
    person = f.create_person(engine, who, company, "李伟", "330206198001011234", "装卸管理人员")
    f.add_qualification(engine, who, person, "危险货物装卸", now - 100 * DAY, now + 700 * DAY)
    company_b = f.create_company(engine, who, "ZJ-ZS", "舟山油品码头")
    terminal_b = f.create_terminal(engine, who, company_b, "舟山码头", "CNZOS", 30.0, 122.1)
    berth_b = f.create_berth(engine, who, terminal_b, "B1")
    declaration_b = decl.submit(
        engine,
        who,
        {
            "terminal_id": terminal_b,
            "berth_id": berth_b,
            "mode": "loading",
            "start_ms": now + 2 * DAY,
            "end_ms": now + 3 * DAY,
            "lines": [{"un_number": "1203", "quantity_t": 100}],
        },
    )["id"]
    world = DGWorld(
        company,
        terminal,
        berth,
        yard,
        farm,
        tank,
        person,
        licence,
        terminal_b,
        berth_b,
        declaration_b,
    )
    _WORLDS[key] = world
    return world


@pytest.fixture
def world(platform: dict[str, Any]) -> DGWorld:
    return dg_world(platform)


def declaration(world: DGWorld, **over: Any) -> dict[str, Any]:
    now = int(time.time() * 1000)
    body: dict[str, Any] = {
        "terminal_id": world.terminal,
        "berth_id": world.berth,
        "mode": "discharging",
        "ship_name": "SEA STAR",
        "mmsi": 413000001,
        "voyage": "V2601",
        "start_ms": now + 2 * DAY,
        "end_ms": now + 2 * DAY + 12 * HOUR,
        "personnel": [world.person],
        "lines": [{"un_number": "1230", "quantity_t": 500}],
    }
    body.update(over)
    return body


def session(client: TestClient, username: str, platform: dict[str, Any]) -> TestClient:
    """A second client logged in as someone else (returned with its CSRF header set)."""
    other = TestClient(client.app)
    csrf = login(other, username, platform)
    other.headers["x-csrf-token"] = csrf
    return other


def audit_rows(client: TestClient, platform: dict[str, Any], **query: str) -> list[dict[str, Any]]:
    with session(client, "auditor", platform) as a:
        r = a.get("/api/audit", params={"page_size": "1000", **query})
        assert r.status_code == 200, r.text
        return list(r.json()["rows"])


def counts(platform: dict[str, Any]) -> dict[str, int]:
    with platform["engine"].connect() as conn:
        return {
            tab.name: int(conn.execute(select(func.count()).select_from(tab)).scalar_one())
            for tab in (
                t.declarations,
                t.declaration_lines,
                t.cargo_records,
                t.hidden_dangers,
                schema.audit_log,
            )
        }


def png() -> bytes:
    def chunk(kind: bytes, data: bytes) -> bytes:
        return (
            struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
        )

    raw = b"".join(b"\x00" + b"\xff\x00\x00" * 2 for _ in range(2))
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", struct.pack(">IIBBBBB", 2, 2, 8, 2, 0, 0, 0))
        + chunk(b"IDAT", zlib.compress(raw))
        + chunk(b"IEND", b"")
    )


def test_declare_compare_approve(
    client: TestClient, platform: dict[str, Any], world: DGWorld
) -> None:
    with session(client, "enterprise", platform) as ent:
        r = ent.post("/api/dg/declarations", json=declaration(world))
        assert r.status_code == 201, r.text
        d = r.json()
        assert (d["status"], d["comparison"]) == ("submitted", "pass"), d["findings"]
        assert d["organisation"] == "ENT-1" and d["lines"][0]["name"] == "甲醇"
        # the declarant cannot decide on its own declaration
        assert ent.post(f"/api/dg/declarations/{d['id']}/approve", json={}).status_code == 403
        listed = {x["id"] for x in ent.get("/api/dg/declarations").json()["declarations"]}
        assert d["id"] in listed and world.declaration_b not in listed
        assert ent.get(f"/api/dg/declarations/{world.declaration_b}").status_code == 404
    with session(client, "city_b_sup", platform) as other_city:
        assert other_city.get(f"/api/dg/declarations/{d['id']}").status_code == 404
        r = other_city.post(f"/api/dg/declarations/{d['id']}/approve", json={"comment": "x"})
        assert r.status_code == 404
        listed = {x["id"] for x in other_city.get("/api/dg/declarations").json()["declarations"]}
        assert d["id"] not in listed and world.declaration_b in listed
    with session(client, "city_a_duty", platform) as duty:
        assert duty.get(f"/api/dg/declarations/{d['id']}").status_code == 200
        assert duty.post(f"/api/dg/declarations/{d['id']}/approve", json={}).status_code == 403
    with session(client, "city_a_sup", platform) as sup:
        pending = sup.get("/api/dg/declarations", params={"status": "submitted"}).json()
        assert d["id"] in {x["id"] for x in pending["declarations"]}
        r = sup.post(f"/api/dg/declarations/{d['id']}/approve", json={"comment": "同意作业"})
        assert r.status_code == 200, r.text
        approved = r.json()
        assert approved["status"] == "approved" and approved["decided_by"] == "city_a_sup"
        assert approved["decision_comment"] == "同意作业" and not approved["late_decision"]
        again = sup.post(f"/api/dg/declarations/{d['id']}/approve", json={"comment": "again"})
        assert again.status_code == 409 and again.json()["detail"]["code"] == "invalid_state"
    rows = audit_rows(client, platform, entity="dg_declarations")
    mine = [r for r in rows if r["entity_id"] == str(d["id"])]
    assert [(r["action"], r["actor"]) for r in mine] == [
        ("dg.declare", "enterprise"),
        ("dg.approve", "city_a_sup"),
    ] or [(r["action"], r["actor"]) for r in reversed(mine)] == [
        ("dg.declare", "enterprise"),
        ("dg.approve", "city_a_sup"),
    ]
    by_action = {r["action"]: r for r in mine}
    assert by_action["dg.declare"]["roles"] == "enterprise"
    assert by_action["dg.declare"]["organisation"] == "ENT-1"
    assert by_action["dg.approve"]["roles"] == "supervisor"
    denied = audit_rows(client, platform, outcome="denied", actor="enterprise")
    assert any("/api/dg/declarations/{decl_id}/approve" in (r["entity_id"] or "") for r in denied)


def test_blocked_declaration(client: TestClient, platform: dict[str, Any], world: DGWorld) -> None:
    now = int(time.time() * 1000)
    late_and_wrong = declaration(
        world,
        start_ms=now + 2 * HOUR,
        end_ms=now + 10 * HOUR,
        lines=[{"un_number": "1942", "quantity_t": 50}, {"un_number": "1230", "quantity_t": 10}],
    )
    with session(client, "enterprise", platform) as ent:
        r = ent.post("/api/dg/declarations", json=late_and_wrong)
        assert r.status_code == 201, r.text
        d = r.json()
    assert (d["status"], d["comparison"]) == ("blocked", "block")
    blocking = {x["rule_id"] for x in d["findings"] if x["severity"] == "block"}
    assert {"DECL-LEAD-TIME", "PERMIT-SCOPE"} <= blocking
    with session(client, "prov_sup", platform) as sup:
        r = sup.post(f"/api/dg/declarations/{d['id']}/approve", json={"comment": "approve anyway"})
        assert r.status_code == 409
        assert r.json()["detail"]["code"] == "declaration_blocked"
        assert r.json()["detail"]["findings"]
        assert sup.post(f"/api/dg/declarations/{d['id']}/reject", json={}).status_code == 400
        r = sup.post(f"/api/dg/declarations/{d['id']}/reject", json={"comment": "  "})
        assert r.status_code == 400 and r.json()["detail"]["code"] == "invalid_input"
        assert sup.get(f"/api/dg/declarations/{d['id']}").json()["status"] == "blocked"
        r = sup.post(f"/api/dg/declarations/{d['id']}/reject", json={"comment": "超出作业附证范围"})
        assert r.status_code == 200
        assert (r.json()["status"], r.json()["decision_comment"]) == (
            "rejected",
            "超出作业附证范围",
        )
    actions = [
        r["action"]
        for r in audit_rows(client, platform, entity="dg_declarations")
        if r["entity_id"] == str(d["id"])
    ]
    assert sorted(actions) == ["dg.declare", "dg.reject"]


def test_withdraw(client: TestClient, platform: dict[str, Any], world: DGWorld) -> None:
    with session(client, "enterprise", platform) as ent:
        d = ent.post("/api/dg/declarations", json=declaration(world)).json()
        r = ent.post(f"/api/dg/declarations/{d['id']}/withdraw")
        assert r.status_code == 200 and r.json()["status"] == "withdrawn"
        assert ent.post(f"/api/dg/declarations/{d['id']}/withdraw").status_code == 409


@pytest.mark.parametrize(
    ("change", "status"),
    [
        ({"lines": [{"un_number": "9999", "quantity_t": 5}]}, 400),
        ({"lines": [{"un_number": "1230", "quantity_t": -5}]}, 400),
        ({"lines": [{"un_number": "1230", "quantity_t": 0}]}, 400),
        ({"lines": []}, 400),
        ({"mode": "smuggling"}, 400),
        ({"start_ms": 1_900_000_000_000, "end_ms": 1_800_000_000_000}, 400),
        ({"berth_id": None}, 400),
        ({"ship_name": "bad\x00name"}, 400),
        ({"mmsi": 10_000_000_000}, 400),
        ({"terminal_id": 2**40}, 400),
        ({"unexpected": True, "lines": "1230"}, 400),
    ],
)
def test_bad_declarations_change_nothing(
    client: TestClient,
    platform: dict[str, Any],
    world: DGWorld,
    change: dict[str, Any],
    status: int,
) -> None:
    with session(client, "enterprise", platform) as ent:
        before = counts(platform)
        r = ent.post("/api/dg/declarations", json=declaration(world, **change))
        assert r.status_code == status, r.text
        assert "detail" in r.json()
        assert counts(platform) == before


def test_other_organisations_objects_are_not_found(
    client: TestClient, platform: dict[str, Any], world: DGWorld
) -> None:
    with session(client, "enterprise", platform) as ent:
        before = counts(platform)
        r = ent.post(
            "/api/dg/declarations",
            json=declaration(world, terminal_id=world.terminal_b, berth_id=world.berth_b),
        )
        assert r.status_code == 404 and r.json()["detail"]["code"] == "not_found"
        r = ent.post("/api/dg/declarations", json=declaration(world, berth_id=world.berth_b))
        assert r.status_code == 404
        assert ent.get(f"/api/dg/storage-units/{world.tank}").status_code == 200
        terminals = {x["id"] for x in ent.get("/api/dg/terminals").json()["terminals"]}
        assert terminals == {world.terminal}
        r = ent.post("/api/dg/companies", json={"name": "Elsewhere", "organisation": "ZJ-ZS"})
        assert r.status_code == 404
        assert counts(platform) == before
    with session(client, "city_b_duty", platform) as b:
        assert b.get(f"/api/dg/storage-units/{world.tank}").status_code == 404
        assert b.get(f"/api/dg/storage-units/{world.tank}/inventory").status_code == 404
        assert b.get("/api/dg/dashboard", params={"scope": "ZJ-NB"}).status_code == 404
        assert world.yard not in {
            feat["properties"]["id"] for feat in b.get("/api/dg/map").json()["features"]
        }


def test_cargo_and_inventory(client: TestClient, platform: dict[str, Any], world: DGWorld) -> None:
    with session(client, "enterprise", platform) as ent:
        start = ent.get(f"/api/dg/storage-units/{world.tank}").json()["inventory_t"].get("1230", 0)
        r = ent.post(
            "/api/dg/cargo",
            json={
                "storage_unit_id": world.tank,
                "direction": "in",
                "un_number": "UN1230",
                "quantity_t": 120.5,
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["inventory_t"]["1230"] == pytest.approx(start + 120.5)
        before = counts(platform)
        for body, code in (
            ({"direction": "out", "un_number": "1230", "quantity_t": 1e6}, "insufficient_stock"),
            ({"direction": "in", "un_number": "1230", "quantity_t": 1e5}, "over_capacity"),
            ({"direction": "in", "un_number": "9999", "quantity_t": 1}, None),
            ({"direction": "sideways", "un_number": "1230", "quantity_t": 1}, None),
        ):
            r = ent.post("/api/dg/cargo", json={"storage_unit_id": world.tank, **body})
            assert r.status_code == 400, (body, r.text)
            if code:
                assert r.json()["detail"]["code"] == code
        assert counts(platform) == before
        r = ent.post(
            "/api/dg/cargo",
            json={
                "storage_unit_id": world.tank,
                "direction": "out",
                "un_number": "1230",
                "quantity_t": 20.5,
            },
        )
        assert r.status_code == 201
        inv = ent.get(f"/api/dg/storage-units/{world.farm}/inventory").json()
        assert inv["inventory_t"]["1230"] == pytest.approx(start + 100)
        assert inv["series"][-1]["balance_t"] == pytest.approx(start + 100)
        records = ent.get("/api/dg/cargo", params={"storage_unit_id": world.farm}).json()["records"]
        assert records[0]["direction"] == "out" and records[0]["recorded_by"] == "enterprise"
    with session(client, "city_a_duty", platform) as duty:
        assert (
            duty.post(
                "/api/dg/cargo",
                json={
                    "storage_unit_id": world.tank,
                    "direction": "in",
                    "un_number": "1230",
                    "quantity_t": 1,
                },
            ).status_code
            == 403
        )
    actions = {r["action"] for r in audit_rows(client, platform, entity="dg_cargo_records")}
    assert {"dg.cargo_in", "dg.cargo_out"} <= actions


def test_hidden_danger_loop(client: TestClient, platform: dict[str, Any], world: DGWorld) -> None:
    photo = base64.b64encode(png()).decode()
    with session(client, "enterprise", platform) as ent:
        r = ent.post(
            "/api/dg/hidden-dangers",
            json={
                "terminal_id": world.terminal,
                "storage_unit_id": world.yard,
                "title": "堆场消防通道堵塞",
                "description": "3号通道堆放空箱",
                "category_no": 2,
                "photos": [{"name": "a.png", "content_base64": photo}],
            },
        )
        assert r.status_code == 201, r.text
        hd = r.json()
        assert (hd["level"], hd["state"]) == ("general", "reported")
        bad = ent.post(
            "/api/dg/hidden-dangers",
            json={
                "terminal_id": world.terminal,
                "title": "x",
                "category_no": 1,
                "photos": [{"content_base64": base64.b64encode(b"not an image").decode()}],
            },
        )
        assert bad.status_code == 400 and bad.json()["detail"]["code"] == "invalid_file"
        open_ = ent.get("/api/dg/hidden-dangers", params={"state": "open"}).json()
        assert hd["id"] in {x["id"] for x in open_["hidden_dangers"]}
        steps = [
            ("assign", {"assignee": "王工"}),
            ("rectify", {"rectification": "已清理通道", "photos": [{"content_base64": photo}]}),
            ("verify", {"passed": True, "comment": "复查合格"}),
            ("close", {"comment": "闭环"}),
        ]
        for step, body in steps:
            r = ent.post(f"/api/dg/hidden-dangers/{hd['id']}/{step}", json=body)
            assert r.status_code == 200, (step, r.text)
        assert ent.post(f"/api/dg/hidden-dangers/{hd['id']}/close", json={}).status_code == 409
        full = ent.get(f"/api/dg/hidden-dangers/{hd['id']}").json()
        assert full["state"] == "closed"
        assert [e["action"] for e in full["events"]] == [
            "report",
            "assign",
            "rectify",
            "verify",
            "close",
        ]
        assert full["photos"] and all("path" not in p for p in full["photos"])
        pic = ent.get(f"/api/dg/hidden-dangers/{hd['id']}/photos/{full['photos'][0]['id']}")
        assert pic.status_code == 200 and pic.headers["content-type"] == "image/png"
        assert pic.content == png()
        # a major hidden danger is closed by the authority only
        major = ent.post(
            "/api/dg/hidden-dangers",
            json={
                "terminal_id": world.terminal,
                "title": "罐区可燃气体报警失效",
                "criterion_id": "1.2",
            },
        ).json()
        assert major["level"] == "major"
        for step, body in steps[:3]:
            assert (
                ent.post(f"/api/dg/hidden-dangers/{major['id']}/{step}", json=body).status_code
                == 200
            )
        assert ent.post(f"/api/dg/hidden-dangers/{major['id']}/close", json={}).status_code == 403
    with session(client, "city_b_duty", platform) as b:
        assert b.get(f"/api/dg/hidden-dangers/{hd['id']}").status_code == 404
        assert (
            b.get(f"/api/dg/hidden-dangers/{hd['id']}/photos/{full['photos'][0]['id']}").status_code
            == 404
        )
    with session(client, "city_a_sup", platform) as sup:
        r = sup.post(f"/api/dg/hidden-dangers/{major['id']}/close", json={"comment": "督办闭环"})
        assert r.status_code == 200 and r.json()["state"] == "closed"
        stats = sup.get("/api/dg/hidden-dangers/statistics").json()
        assert stats["total"] >= 2


def test_hazard_source_dashboard_and_map(
    client: TestClient, platform: dict[str, Any], world: DGWorld
) -> None:
    with session(client, "enterprise", platform) as ent:
        preview = ent.get(f"/api/dg/storage-units/{world.farm}/hazard").json()
        assert preview["is_major_hazard"] and preview["S"] >= 1 and preview["working"]
        r = ent.post("/api/dg/hazard-sources", json={"storage_unit_id": world.farm})
        assert r.status_code == 201, r.text
        hs = r.json()
        assert (
            ent.post("/api/dg/hazard-sources", json={"storage_unit_id": world.farm}).status_code
            == 409
        )
        assert (
            ent.post(f"/api/dg/hazard-sources/{hs['id']}/file", json={"filing_no": "x"}).status_code
            == 403
        )
    with session(client, "city_a_sup", platform) as sup:
        r = sup.post(f"/api/dg/hazard-sources/{hs['id']}/file", json={"filing_no": "甬危备2026-01"})
        assert r.status_code == 200 and r.json()["state"] == "filed"
        detail = sup.get(f"/api/dg/hazard-sources/{hs['id']}").json()
        assert [e["action"] for e in detail["events"]] == ["register", "file"]
        board = sup.get("/api/dg/dashboard").json()
        assert board["scope"] == "ZJ-NB"
        assert board["totals"]["hazard_sources"] >= 1
        assert board["totals"][f"grade_{hs['grade']}"] >= 1
        layer = sup.get("/api/dg/map").json()
        farm = next(x for x in layer["features"] if x["properties"]["id"] == world.farm)
        assert farm["properties"]["grade"] == hs["grade"] and farm["properties"][
            "colour"
        ].startswith("#")
        r = sup.post(
            "/api/dg/enforcement",
            json={
                "terminal_id": world.terminal,
                "kind": "inspection",
                "description": "现场检查罐区",
            },
        )
        assert r.status_code == 201
        assert r.json()["id"] in {x["id"] for x in sup.get("/api/dg/enforcement").json()["records"]}
    with session(client, "prov_sup", platform) as prov:
        board = prov.get("/api/dg/dashboard").json()
        children = {c["code"]: c for c in board["children"]}
        assert children["ZJ-NB"]["hazard_sources"] >= 1
        zs = children["ZJ-ZS"]
        assert zs["declarations_pending"] + zs["declarations_blocked"] >= 1
        assert board["totals"]["companies"] >= sum(c["companies"] for c in children.values())
    with session(client, "enterprise", platform) as ent:
        assert ent.get("/api/dg/dashboard").status_code == 403


def test_tools(client: TestClient, platform: dict[str, Any], world: DGWorld) -> None:
    with session(client, "city_a_duty", platform) as duty:
        r = duty.get("/api/dg/lookup/UN1203")
        assert r.status_code == 200 and r.json()["entries"][0]["class"] == "3"
        r = duty.get("/api/dg/lookup/9999")
        assert r.status_code == 400 and r.json()["detail"]["code"] == "unknown_un_number"
        bay = "id,position,un_number,class\nA,0130282,1263,3\nB,0150282,1942,5.1\n"
        r = duty.post("/api/dg/segregation", json={"format": "csv", "content": bay})
        assert r.status_code == 200, r.text
        assert r.json()["kind"] == "bay" and len(r.json()["findings"]) == 1
        yard = {
            "kind": "yard",
            "blocks": [{"name": "A"}],
            "containers": [
                {"id": "C1", "block": "A", "bay": 1, "row": 1, "tier": 1, "un_number": "1263"},
                {"id": "C2", "block": "A", "bay": 3, "row": 1, "tier": 1, "un_number": "1495"},
                {"id": "C3", "block": "A", "bay": 21, "row": 1, "tier": 1, "un_number": "0222"},
            ],
        }
        r = duty.post("/api/dg/segregation", json={"content": json.dumps(yard)})
        assert sorted(x["rule_id"] for x in r.json()["findings"]) == ["YARD-DIRECT", "YARD-SEG"]
        for content in (
            "{not json",
            json.dumps({"kind": "bay", "containers": [{"id": "A", "position": "xx"}]}),
        ):
            r = duty.post("/api/dg/segregation", json={"content": content})
            assert r.status_code == 400, r.text
        r = duty.post(
            "/api/dg/hazard",
            json={
                "people_within_500m": 120,
                "items": [
                    {"substance": "氯", "quantity_t": 20},
                    {"substance": "7664-41-7", "quantity_t": 100},
                ],
            },
        )
        assert r.status_code == 200, r.text
        assert (r.json()["S"], r.json()["R"], r.json()["grade"]) == (14, 72, 2)
        assert r.json()["working"][-1].startswith("R = 2")
        r = duty.post(
            "/api/dg/hazard", json={"items": [{"substance": "no such thing", "quantity_t": 1}]}
        )
        assert r.status_code == 400
    with session(client, "sysadmin", platform) as admin:
        assert admin.get("/api/dg/lookup/1203").status_code == 403
        assert admin.get("/api/dg/declarations").status_code == 403


def test_licences_and_staff(client: TestClient, platform: dict[str, Any], world: DGWorld) -> None:
    now = int(time.time() * 1000)
    with session(client, "city_a_sup", platform) as sup:
        r = sup.post(
            "/api/dg/licences",
            json={
                "company_id": world.company,
                "number": "L-2",
                "valid_from_ms": now,
                "valid_to_ms": now + DAY,
            },
        )
        assert r.status_code == 201
        lid = r.json()["id"]
        r = sup.post(
            f"/api/dg/licences/{lid}/annexes",
            json={
                "modes": ["storage"],
                "valid_from_ms": now,
                "valid_to_ms": now + DAY,
                "classes": ["8"],
            },
        )
        assert r.status_code == 201
        r = sup.post(
            f"/api/dg/licences/{lid}/annexes",
            json={"modes": ["storage"], "valid_from_ms": now, "valid_to_ms": now + DAY},
        )
        assert r.status_code == 400
        people = sup.get("/api/dg/personnel").json()["personnel"]
        assert any(p["id_number"] == "330206198001011234" for p in people)
    with session(client, "enterprise", platform) as ent:
        lic = {x["id"]: x for x in ent.get("/api/dg/licences").json()["licences"]}
        assert lid in lic and lic[lid]["annexes"][0]["classes"] == ["8"]
        assert (
            ent.post(
                "/api/dg/licences",
                json={
                    "company_id": world.company,
                    "number": "self",
                    "valid_from_ms": now,
                    "valid_to_ms": now,
                },
            ).status_code
            == 403
        )
        people = ent.get("/api/dg/personnel").json()["personnel"]
        assert all("*" in p["id_number"] for p in people if p["id_number"])
        r = ent.post(
            "/api/dg/personnel",
            json={"company_id": world.company, "name": "张三", "role": "装卸工"},
        )
        assert r.status_code == 201
        r = ent.post(
            f"/api/dg/personnel/{r.json()['id']}/qualifications",
            json={"kind": "危险货物装卸", "valid_from_ms": now, "valid_to_ms": now + DAY},
        )
        assert r.status_code == 201
        r = ent.post(
            "/api/dg/storage-units",
            json={
                "terminal_id": world.terminal,
                "kind": "warehouse",
                "name": "仓库2",
                "capacity_t": 300,
            },
        )
        assert r.status_code == 201
        r = ent.post(
            "/api/dg/storage-units",
            json={"terminal_id": world.terminal, "kind": "tank", "name": "orphan tank"},
        )
        assert r.status_code == 400 and r.json()["detail"]["code"] == "invalid_input"


def test_yard_blocks_slots_and_moves(
    client: TestClient, platform: dict[str, Any], world: DGWorld
) -> None:
    base = f"/api/dg/storage-units/{world.yard}/yard"
    with session(client, "enterprise", platform) as ent:
        r = ent.post(f"{base}/blocks", json={"name": "Y1", "bays": 10, "rows": 4, "tiers": 3})
        assert r.status_code == 201, r.text
        assert (
            ent.post(
                f"{base}/blocks", json={"name": "Y1", "bays": 10, "rows": 4, "tiers": 3}
            ).json()["detail"]["code"]
            == "invalid_input"
        )
        paint = {"block": "Y1", "bay": 1, "row": 1, "tier": 1, "container_no": "PNT1"}
        r = ent.post(f"{base}/containers", json={**paint, "items": [{"un_number": "1263"}]})
        assert r.status_code == 201, r.text
        first = r.json()["container"]
        r = ent.post(
            f"{base}/containers",
            json={**paint, "bay": 3, "container_no": "OXD1", "items": [{"un_number": "UN1495"}]},
        )
        assert r.status_code == 201, r.text
        oxd = r.json()
        assert [(f["rule_id"], f["subjects"]) for f in oxd["added"]] == [
            ("YARD-SEG", ["OXD1", "PNT1"])
        ]
        r = ent.post(
            f"/api/dg/yard-containers/{oxd['container']['id']}/move",
            json={"block": "Y1", "bay": 9, "row": 1, "tier": 1},
        )
        assert r.status_code == 200, r.text
        assert [f["rule_id"] for f in r.json()["removed"]] == ["YARD-SEG"]
        assert r.json()["added"] == [] and r.json()["findings"] == []
        before = counts(platform)
        for body in (
            {**paint, "container_no": "X1", "bay": 5, "tier": 2},  # nothing under it
            {**paint, "container_no": "X1", "bay": 41},  # outside the block
            {**paint, "container_no": "X1"},  # slot taken
            {**paint, "container_no": "X1", "block": "NOPE"},
            {**paint, "container_no": "X1", "bay": 5, "items": [{"un_number": "9999"}]},
            {**paint, "container_no": "X 1", "bay": 5},
            {**paint, "container_no": "X1", "bay": 0},
            {"block": "Y1"},
        ):
            r = ent.post(f"{base}/containers", json=body)
            assert r.status_code == 400, (body, r.text)
            assert "detail" in r.json()
        r = ent.post(
            f"/api/dg/yard-containers/{first['id']}/move",
            json={"block": "Y1", "bay": 9, "row": 1, "tier": 1},
        )
        assert r.status_code == 400 and r.json()["detail"]["code"] == "invalid_position"
        assert counts(platform) == before
        view = ent.get(base).json()
        assert {c["container_no"] for c in view["containers"]} == {"PNT1", "OXD1"}
        assert view["blocks"][0]["name"] == "Y1" and view["units"] == 2
    with session(client, "city_b_sup", platform) as other:
        assert other.get(base).status_code == 404
        r = other.post(
            f"/api/dg/yard-containers/{first['id']}/move",
            json={"block": "Y1", "bay": 5, "row": 1, "tier": 1},
        )
        assert r.status_code == 404
        assert other.delete(f"/api/dg/yard-containers/{first['id']}").status_code == 404
        assert other.post(f"{base}/containers", json={**paint, "bay": 5}).status_code == 404
    with session(client, "city_a_duty", platform) as duty:
        assert duty.get(base).status_code == 200
        assert duty.delete(f"/api/dg/yard-containers/{first['id']}").status_code == 403
    with session(client, "city_a_sup", platform) as sup:
        r = sup.delete(f"/api/dg/yard-containers/{first['id']}")
        assert r.status_code == 200 and r.json()["container"] is None
        assert sup.delete(f"/api/dg/yard-containers/{first['id']}").status_code == 404
    actions = {r["action"] for r in audit_rows(client, platform, entity="dg_yard_containers")}
    assert {"dg.yard_place", "dg.yard_move", "dg.yard_remove"} <= actions


def test_port_rules_read_and_set(
    client: TestClient, platform: dict[str, Any], world: DGWorld
) -> None:
    with session(client, "enterprise", platform) as ent:
        r = ent.get("/api/dg/port-rules")
        assert r.status_code == 200, r.text
        assert r.json()["organisation"] == "ENT-1"
        assert r.json()["rules"]["stack_limit_other"] == 3
        assert "stack_limit_other" in r.json()["fields"]
        assert ent.get("/api/dg/port-rules", params={"organisation": "ZJ-ZS"}).status_code == 404
        assert ent.put("/api/dg/port-rules", json={"overrides": {}}).status_code == 403
    change = {"stack_limit_other": 2, "storage_time_limits_hours": {"3": 72}}
    with session(client, "city_b_sup", platform) as other:
        r = other.put("/api/dg/port-rules", json={"organisation": "ENT-1", "overrides": change})
        assert r.status_code == 404
    with session(client, "city_a_sup", platform) as sup:
        for bad in (
            {"no_such_rule": 1},
            {"stack_limit_other": 0},
            {"yard_distance_m": {"1": 0}},
            {"photo_types": ["image/png\x00"]},
        ):
            r = sup.put("/api/dg/port-rules", json={"organisation": "ENT-1", "overrides": bad})
            assert r.status_code == 400, (bad, r.text)
        r = sup.put("/api/dg/port-rules", json={"organisation": "ENT-1", "overrides": change})
        assert r.status_code == 200, r.text
        body = r.json()
        assert body["overrides"] == change and body["inherited_from"] == "ENT-1"
        assert body["rules"]["storage_time_limits_hours"]["3"] == 72
    with session(client, "enterprise", platform) as ent:
        assert ent.get("/api/dg/port-rules").json()["rules"]["stack_limit_other"] == 2
    rows = audit_rows(client, platform, entity="dg_port_rules")
    assert any(r["actor"] == "city_a_sup" and r["entity_id"] == "ENT-1" for r in rows)
    with session(client, "city_a_sup", platform) as sup:
        r = sup.put("/api/dg/port-rules", json={"organisation": "ENT-1", "overrides": {}})
        assert r.status_code == 200 and r.json()["rules"]["stack_limit_other"] == 3


def test_sensor_reading_batches(
    client: TestClient, platform: dict[str, Any], world: DGWorld
) -> None:
    now = int(time.time() * 1000)

    def stored() -> int:
        with platform["engine"].connect() as conn:
            return int(
                conn.execute(select(func.count()).select_from(t.sensor_readings)).scalar_one()
            )

    with session(client, "enterprise", platform) as ent:
        r = ent.post(
            "/api/dg/sensor-readings",
            json={
                "readings": [
                    {"tank_id": world.tank, "quantity": "temperature_c", "value": 25.5},
                    {"tank_id": world.tank, "quantity": "gas_pct_lel", "value": 55, "at_ms": now},
                ]
            },
        )
        assert r.status_code == 201, r.text
        assert r.json()["stored"] == 2 and len(r.json()["alarm_ids"]) == 1
        alarm = r.json()["alarm_ids"][0]
        before = stored()
        r = ent.post(
            "/api/dg/sensor-readings",
            json={
                "readings": [
                    {"tank_id": world.tank, "quantity": "temperature_c", "value": 20},
                    {"tank_id": world.tank, "quantity": "gas_pct_lel", "value": 150},
                ]
            },
        )
        assert r.status_code == 400
        detail = r.json()["detail"]
        assert detail["code"] == "out_of_physical_range" and detail["index"] == 1
        assert "physical range" in detail["message"]
        for readings in (
            [{"tank_id": world.tank, "quantity": "humidity", "value": 1}],
            [{"tank_id": world.yard, "quantity": "level_m", "value": 1}],
            [{"tank_id": world.tank, "quantity": "level_m", "value": "high"}],
            [],
        ):
            r = ent.post("/api/dg/sensor-readings", json={"readings": readings})
            assert r.status_code == 400, (readings, r.text)
        assert stored() == before
        view = ent.get(f"/api/dg/storage-units/{world.tank}/readings").json()
        assert view["latest"]["temperature_c"]["value"] == 25.5
        assert view["latest"]["gas_pct_lel"] == {"value": 55.0, "at_ms": now}
        assert view["limits"]["temperature_max_c"] == 40
        only = ent.get(
            f"/api/dg/storage-units/{world.tank}/readings", params={"quantity": "gas_pct_lel"}
        ).json()["readings"]
        assert only and {x["quantity"] for x in only} == {"gas_pct_lel"}
        assert ent.get(f"/api/dg/storage-units/{world.yard}/readings").status_code == 400
        r = ent.post(
            "/api/dg/sensor-readings",
            json={"readings": [{"tank_id": world.tank, "quantity": "gas_pct_lel", "value": 2}]},
        )
        assert r.status_code == 201 and r.json()["cleared"] == [alarm]
    with session(client, "city_b_sup", platform) as other:
        r = other.post(
            "/api/dg/sensor-readings",
            json={"readings": [{"tank_id": world.tank, "quantity": "level_m", "value": 1}]},
        )
        assert r.status_code == 404
        assert other.get(f"/api/dg/storage-units/{world.tank}/readings").status_code == 404
    with session(client, "city_a_duty", platform) as duty:
        assert duty.get(f"/api/dg/storage-units/{world.tank}/readings").status_code == 200
        r = duty.post(
            "/api/dg/sensor-readings",
            json={"readings": [{"tank_id": world.tank, "quantity": "level_m", "value": 1}]},
        )
        assert r.status_code == 403


def test_observe_raises_alerts_for_operations_without_approval(
    client: TestClient, platform: dict[str, Any], world: DGWorld
) -> None:
    import pyarrow.parquet as pq

    latest = pq.read_table(platform["data"] / "latest.parquet").to_pylist()
    moored = next(
        v
        for v in latest
        if v["mmsi"] is not None
        and v["mmsi"] > 0
        and (v["sog"] is None or v["sog"] != v["sog"] or v["sog"] <= 0.5)
    )
    lat, lon, d = moored["lat"], moored["lon"], 0.0005
    square = {
        "type": "Polygon",
        "coordinates": [
            [
                [lon - d, lat - d],
                [lon + d, lat - d],
                [lon + d, lat + d],
                [lon - d, lat + d],
                [lon - d, lat - d],
            ]
        ],
    }
    berth = f.create_berth(
        platform["engine"], cli_actor("dg-setup"), world.terminal, "观测泊位", square, dg_only=True
    )
    zone = f"dg_berth:{berth}"
    with session(client, "enterprise", platform) as ent:
        assert ent.post("/api/dg/observe").status_code == 403
    with session(client, "city_b_sup", platform) as other:
        r = other.post("/api/dg/observe")
        assert r.status_code == 200 and zone not in {e["zone"] for e in r.json()["events"]}
    with session(client, "city_a_sup", platform) as sup:
        r = sup.post("/api/dg/observe")
        assert r.status_code == 200, r.text
        mine = [e for e in r.json()["events"] if e["zone"] == zone]
        assert mine and mine[0]["mmsi"] == moored["mmsi"]
        assert mine[0]["kind"] == "dg_unapproved_operation"
        alerts = sup.get(
            "/api/alerts", params={"kind": "dg_unapproved_operation", "page_size": "1000"}
        ).json()["alerts"]
        here = [a for a in alerts if a["zone_id"] == zone]
        assert moored["mmsi"] in {a["mmsi"] for a in here}
        assert {a["unit"] for a in here} == {"ENT-1"}
        alarms = sup.get("/api/dg/alarms", params={"kind": "unapproved_operation"}).json()
        assert berth in {a["berth_id"] for a in alarms["alarms"]}
        again = sup.post("/api/dg/observe").json()
        assert again["alerts_created"] == 0
        assert sup.post("/api/dg/observe", params={"max_age_s": 0}).status_code == 400
    with session(client, "city_b_duty", platform) as b:
        seen = b.get("/api/alerts", params={"page_size": "1000"}).json()["alerts"]
        assert here[0]["id"] not in {a["id"] for a in seen}
