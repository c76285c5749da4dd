"""Supervisors' changes to the register: withholding certificates, editing a company,
revoking a permit and changing a quota (each audited, each refused outside its scope)."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest
from sqlalchemy import Engine, select

from seawarden.db import schema
from seawarden.registry import companies, crews, fishing
from seawarden.registry.schemas import (
    CompanyIn,
    CrewCertificateIn,
    CrewIn,
    ExamIn,
    PermitIn,
    PermitRevocationIn,
    QuotaChangeIn,
    QuotaIn,
    WithholdIn,
)
from seawarden.registry.scope import NotFoundError, RegistryError
from seawarden.security.actor import Forbidden

from .helpers import FJ, USCC_A, VIEWER, ZJ, company, id_number, ship

ID = id_number("33090219900101002")
TODAY = dt.date.today()


def _audit(engine: Engine, action: str) -> list[dict[str, Any]]:
    with engine.connect() as conn:
        stmt = select(schema.audit_log).where(schema.audit_log.c.action == action)
        return [dict(r) for r in conn.execute(stmt).mappings()]


def test_manual_withholding_and_return(db_engine: Engine) -> None:
    cid = crews.create_crew(
        db_engine,
        ZJ,
        CrewIn(
            name="李大副",
            id_number=ID,
            organisation="ZJ",
            certificate_no="C-1",
            certificate_grade="chief mate, unlimited",
            certificate_expires=dt.date(2090, 1, 1),
        ),
    )
    c2 = crews.add_certificate(
        db_engine, ZJ, cid, CrewCertificateIn(number="C-2", grade="GMDSS operator")
    )
    old = crews.add_certificate(
        db_engine,
        ZJ,
        cid,
        CrewCertificateIn(number="C-0", grade="deck rating", expires_on=dt.date(2001, 1, 1)),
    )
    basis = "《船员违法记分管理办法》第十条"
    day = dt.date(2025, 3, 1)
    with pytest.raises(RegistryError, match="expired"):
        crews.withhold_certificates(
            db_engine,
            ZJ,
            cid,
            WithholdIn(on_date=day, reason="x", legal_basis=basis, certificates=[old]),
        )
    with pytest.raises(NotFoundError):
        crews.withhold_certificates(
            db_engine,
            ZJ,
            cid,
            WithholdIn(on_date=day, reason="x", legal_basis=basis, certificates=[999_999]),
        )
    with pytest.raises(ValueError):
        WithholdIn.model_validate({"on_date": day, "reason": "x"})
    one = crews.withhold_certificates(
        db_engine,
        ZJ,
        ID,
        WithholdIn(on_date=day, reason="forged sea service", legal_basis=basis, certificates=[c2]),
    )
    assert one == [c2]
    rest = crews.withhold_certificates(
        db_engine, ZJ, cid, WithholdIn(on_date=day, reason="forged", legal_basis=basis)
    )
    assert len(rest) == 1 and c2 not in rest and old not in rest
    states = {c["id"]: c["state"] for c in crews.career(db_engine, ZJ, cid, day)["certificates"]}
    assert states[c2] == "withheld" and states[old] == "expired"
    with pytest.raises(RegistryError, match="no valid certificate"):
        crews.withhold_certificates(
            db_engine, ZJ, cid, WithholdIn(on_date=day, reason="again", legal_basis=basis)
        )
    with pytest.raises(NotFoundError):
        crews.withhold_certificates(
            db_engine, FJ, cid, WithholdIn(on_date=day, reason="x", legal_basis=basis)
        )
    with pytest.raises(Forbidden):
        crews.withhold_certificates(
            db_engine, VIEWER, cid, WithholdIn(on_date=day, reason="x", legal_basis=basis)
        )
    # the return works as after penalty points: an exam passed after the withholding
    with pytest.raises(RegistryError, match="no exam"):
        crews.return_certificates(db_engine, ZJ, cid)
    crews.add_exam(db_engine, ZJ, cid, ExamIn(subject="law", taken_on=day, passed=True))
    assert sorted(crews.return_certificates(db_engine, ZJ, cid)) == sorted([c2, *rest])
    rows = _audit(db_engine, "crew.certificates_withheld")
    assert [r["detail"]["certificates"] for r in rows] == [[c2], rest]
    assert all(
        r["detail"]["reason"] and r["detail"]["legal_basis"] == basis and r["detail"]["manual"]
        for r in rows
    )


def test_company_edit_keeps_the_code(db_engine: Engine) -> None:
    cid = company(db_engine)
    other = companies.create_company(
        db_engine, ZJ, CompanyIn(name="Other", imo_company_no="5000001", organisation="ZJ")
    )
    diff = companies.update_company(
        db_engine,
        ZJ,
        USCC_A,
        {"name": "New Name Shipping", "address": "1 Harbour Rd", "status": "suspended"},
    )
    assert diff == {
        "name": {"old": "Zhoushan Shipping Co.", "new": "New Name Shipping"},
        "address": {"old": None, "new": "1 Harbour Rd"},
        "status": {"old": "active", "new": "suspended"},
    }
    got = companies.get_company(db_engine, ZJ, cid)
    assert (got["name"], got["address"], got["status"], got["uscc"]) == (
        "New Name Shipping",
        "1 Harbour Rd",
        "suspended",
        USCC_A,
    )
    assert companies.update_company(db_engine, ZJ, cid, {"address": "1 Harbour Rd"}) == {}
    assert companies.update_company(db_engine, ZJ, cid, {"uscc": USCC_A}) == {}
    with pytest.raises(RegistryError, match="cannot be changed"):
        companies.update_company(db_engine, ZJ, cid, {"uscc": "91350100M000100Y44"})
    with pytest.raises(ValueError):
        companies.update_company(db_engine, ZJ, cid, {"status": "bankrupt"})
    with pytest.raises(ValueError):
        companies.update_company(db_engine, ZJ, cid, {"name": ""})
    with pytest.raises(RegistryError, match="already registered") as err:
        companies.update_company(db_engine, ZJ, cid, {"imo_company_no": "5000001"})
    assert err.value.code == "exists"
    with pytest.raises(RegistryError, match="not a changeable"):
        companies.update_company(db_engine, ZJ, cid, {"organisation": "FJ"})
    with pytest.raises(NotFoundError):
        companies.update_company(db_engine, FJ, cid, {"name": "x"})
    with pytest.raises(Forbidden):
        companies.update_company(db_engine, VIEWER, other, {"name": "x"})
    (row,) = _audit(db_engine, "company.update")
    assert row["entity_id"] == cid and set(row["detail"]) == {"name", "address", "status"}


def test_permit_revocation_stays_in_history(db_engine: Engine) -> None:
    cid = company(db_engine)
    pid = companies.add_permit(
        db_engine,
        ZJ,
        cid,
        PermitIn(kind="port operation", number="P-1", valid_from=dt.date(2020, 1, 1)),
    )
    keep = companies.add_permit(db_engine, ZJ, cid, PermitIn(kind="waterway", number="P-2"))
    assert {p["id"]: p["state"] for p in companies.permits(db_engine, ZJ, cid)} == {
        pid: "valid",
        keep: "valid",
    }
    with pytest.raises(RegistryError, match="before the permit"):
        companies.revoke_permit(
            db_engine, ZJ, cid, pid, PermitRevocationIn(on_date=dt.date(2019, 1, 1), reason="x")
        )
    out = companies.revoke_permit(
        db_engine, ZJ, cid, pid, PermitRevocationIn(on_date=TODAY, reason="unsafe operation")
    )
    assert (out["state"], out["revoke_reason"]) == ("revoked", "unsafe operation")
    listed = {p["id"]: p for p in companies.permits(db_engine, ZJ, cid)}
    assert listed[pid]["state"] == "revoked" and listed[pid]["revoked_on"] == TODAY
    assert listed[keep]["state"] == "valid"
    with pytest.raises(RegistryError, match="was revoked"):
        companies.revoke_permit(
            db_engine, ZJ, cid, pid, PermitRevocationIn(on_date=TODAY, reason="again")
        )
    with pytest.raises(NotFoundError):
        companies.revoke_permit(
            db_engine, ZJ, cid, 999_999, PermitRevocationIn(on_date=TODAY, reason="x")
        )
    with pytest.raises(NotFoundError):
        companies.revoke_permit(
            db_engine, FJ, cid, keep, PermitRevocationIn(on_date=TODAY, reason="x")
        )
    (row,) = _audit(db_engine, "permit.revoke")
    assert row["entity_id"] == str(pid) and row["detail"]["reason"] == "unsafe operation"


def test_quota_change_not_below_the_catch(db_engine: Engine) -> None:
    fid = ship(
        db_engine, name="浙岱渔03124", imo=None, mmsi=None, callsign=None, ship_type="fishing"
    )
    q = fishing.add_quota(db_engine, ZJ, fid, QuotaIn(year=2025, species="squid", quota_t=100))
    fishing.record_catch(db_engine, ZJ, q, 60.0)
    with pytest.raises(RegistryError, match="below what has been caught"):
        fishing.change_quota(db_engine, ZJ, q, QuotaChangeIn(quota_t=59.9, reason="cut"))
    out = fishing.change_quota(db_engine, ZJ, q, QuotaChangeIn(quota_t=80, reason="stock cut"))
    assert (out["quota_t"], out["remaining_t"]) == (80, pytest.approx(20))
    assert fishing.quotas(db_engine, ZJ, 2025)[0]["quota_t"] == pytest.approx(80)
    assert fishing.change_quota(db_engine, ZJ, q, QuotaChangeIn(quota_t=60, reason="to catch"))[
        "remaining_t"
    ] == pytest.approx(0)
    with pytest.raises(ValueError):
        QuotaChangeIn.model_validate({"quota_t": 10})
    with pytest.raises(NotFoundError):
        fishing.change_quota(db_engine, FJ, q, QuotaChangeIn(quota_t=90, reason="x"))
    with pytest.raises(NotFoundError):
        fishing.change_quota(db_engine, ZJ, 999_999, QuotaChangeIn(quota_t=90, reason="x"))
    rows = _audit(db_engine, "fishing.quota_change")
    assert [(r["detail"]["old"], r["detail"]["new"]) for r in rows] == [(100, 80), (80, 60)]
    assert rows[0]["detail"]["reason"] == "stock cut"
