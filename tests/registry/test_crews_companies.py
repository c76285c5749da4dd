from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import Engine

from seawarden.registry import companies, crews, fishing
from seawarden.registry.schemas import (
    CertificateRenewalIn,
    CompanyIn,
    CrewCertificateIn,
    CrewIn,
    ExamIn,
    LicenceChange,
    LicenceIn,
    PenaltyPointsIn,
    PermitIn,
    QuotaIn,
    ServiceIn,
    TrainingIn,
)
from seawarden.registry.scope import NotFoundError, RegistryError
from seawarden.security.actor import Forbidden

from .helpers import ADMIN, FJ, USCC_A, VIEWER, ZJ, company, id_number, imo, ship

ID = id_number("33090219850612001")


def _crew(engine: Engine) -> str:
    return crews.create_crew(
        engine,
        ZJ,
        CrewIn(
            name="王海生",
            id_number=ID,
            organisation="ZJ",
            certificate_no="C-1",
            certificate_grade="chief mate, unlimited",
            certificate_expires=dt.date(2029, 1, 1),
        ),
    )


def test_seafarer_career_and_fifteen_points_withhold_certificates(db_engine: Engine) -> None:
    cid = _crew(db_engine)
    sid = ship(db_engine)
    crews.add_certificate(
        db_engine,
        ZJ,
        ID,
        CrewCertificateIn(number="C-2", grade="GMDSS operator", expires_on=dt.date(2028, 1, 1)),
    )
    crews.add_training(
        db_engine, ZJ, cid, TrainingIn(course="basic safety", completed_on=dt.date(2010, 5, 1))
    )
    crews.add_service(
        db_engine,
        ZJ,
        cid,
        ServiceIn(
            ship=sid,
            rank="chief mate",
            signed_on=dt.date(2020, 1, 1),
            signed_off=dt.date(2020, 9, 1),
        ),
    )
    # points in a calendar year: 6 + 6 = 12, then 3 more = 15 -> withheld
    r1 = crews.add_penalty_points(
        db_engine,
        ZJ,
        cid,
        PenaltyPointsIn(on_date=dt.date(2025, 2, 1), points=6, reason="no lookout"),
    )
    r2 = crews.add_penalty_points(
        db_engine,
        ZJ,
        cid,
        PenaltyPointsIn(on_date=dt.date(2025, 5, 1), points=6, reason="speeding"),
    )
    assert (r1.year_points, r1.withheld, r2.year_points, r2.withheld) == (6, [], 12, [])
    # points of another year do not add up
    r0 = crews.add_penalty_points(
        db_engine, ZJ, cid, PenaltyPointsIn(on_date=dt.date(2024, 12, 31), points=12, reason="old")
    )
    assert r0.year_points == 12 and r0.withheld == []
    r3 = crews.add_penalty_points(
        db_engine,
        ZJ,
        cid,
        PenaltyPointsIn(on_date=dt.date(2025, 6, 1), points=3, reason="log book"),
    )
    assert r3.year_points == 15 and len(r3.withheld) == 2
    rec = crews.career(db_engine, ZJ, cid, dt.date(2025, 7, 1))
    assert [c["state"] for c in rec["certificates"]] == ["withheld", "withheld"]
    assert rec["year_points"] == 15 and rec["service"][0]["ship_id"] == sid
    with pytest.raises(RegistryError, match="no exam"):
        crews.return_certificates(db_engine, ZJ, cid)
    crews.add_exam(
        db_engine,
        ZJ,
        cid,
        ExamIn(subject="rules of the road", taken_on=dt.date(2025, 7, 10), passed=True),
    )
    assert len(crews.return_certificates(db_engine, ZJ, cid)) == 2
    assert all(
        c["state"] == "valid"
        for c in crews.career(db_engine, ZJ, cid, dt.date(2025, 8, 1))["certificates"]
    )
    with pytest.raises(RegistryError):
        _crew(db_engine)


def test_personal_data_masked_unless_role_allows(db_engine: Engine) -> None:
    _crew(db_engine)
    full = crews.list_crews(db_engine, ZJ)[0]
    masked = crews.list_crews(db_engine, VIEWER)[0]
    admin = crews.list_crews(db_engine, ADMIN)[0]
    assert full["id_number"] == ID and full["name"] == "王海生"
    assert (
        masked["id_number"] == ID[:3] + "*" * 11 + ID[-4:]
        and masked["name"] == "王**"
        and masked["birth_date"] is None
    )
    assert admin["id_number"] == ID  # the command-line administrator also holds the supervisor role
    assert crews.list_crews(db_engine, FJ) == []


def test_company_fleet_permits_and_codes(db_engine: Engine) -> None:
    cid = company(db_engine)
    with pytest.raises(RegistryError, match="already registered"):
        company(db_engine, name="Copy")
    with pytest.raises(ValueError):
        CompanyIn(name="Bad", uscc="91350100M000100Y44")
    s1 = ship(db_engine, owner=USCC_A, ism_company=cid)
    ship(db_engine, name="OTHER", imo=imo(123456), mmsi=413000005)
    fleet = companies.fleet(db_engine, ZJ, USCC_A)
    assert [(f["id"], f["roles"]) for f in fleet] == [(s1, ["owner", "ism"])]
    pid = companies.add_permit(
        db_engine,
        ZJ,
        cid,
        PermitIn(kind="waterway transport", number="浙ZS001", valid_from=dt.date(2024, 1, 1)),
    )
    assert [p["id"] for p in companies.permits(db_engine, ZJ, cid)] == [pid]
    diff = companies.update_company(db_engine, ZJ, cid, {"ism_performance": "high"})
    assert diff == {"ism_performance": {"old": None, "new": "high"}}
    with pytest.raises(NotFoundError):
        companies.get_company(db_engine, FJ, cid)
    with pytest.raises(NotFoundError):
        companies.add_permit(db_engine, FJ, cid, PermitIn(kind="x", number="y"))


def test_fishing_licences_and_quotas(db_engine: Engine) -> None:
    fid = ship(
        db_engine,
        name="浙岱渔03123",
        imo=None,
        mmsi=412000123,
        callsign=None,
        fishing_no="浙岱渔03123",
        ship_type="fishing",
    )
    cargo = ship(db_engine, name="CARGO", imo=imo(555555), mmsi=413000077)
    lic = fishing.add_licence(
        db_engine,
        ZJ,
        "浙岱渔03123",
        LicenceIn(
            number="(浙)船网捕(2025)-1",
            gear="trawl",
            area="East China Sea zone 2",
            valid_from=dt.date(2025, 1, 1),
            valid_to=dt.date(2025, 12, 31),
        ),
    )
    with pytest.raises(RegistryError):
        fishing.add_licence(
            db_engine,
            ZJ,
            cargo,
            LicenceIn(
                number="x",
                gear="trawl",
                area="a",
                valid_from=dt.date(2025, 1, 1),
                valid_to=dt.date(2025, 2, 1),
            ),
        )
    with pytest.raises(ValueError):
        LicenceIn(
            number="x",
            gear="trawl",
            area="a",
            valid_from=dt.date(2025, 2, 1),
            valid_to=dt.date(2025, 1, 1),
        )
    q = fishing.add_quota(
        db_engine,
        ZJ,
        fid,
        QuotaIn(year=2025, species="hairtail", quota_t=100, licence="(浙)船网捕(2025)-1"),
    )
    assert fishing.record_catch(db_engine, ZJ, q, 40.5)["remaining_t"] == pytest.approx(59.5)
    assert [x["id"] for x in fishing.licences(db_engine, ZJ, dt.date(2025, 6, 1))] == [lic]
    assert fishing.licences(db_engine, ZJ, dt.date(2026, 6, 1)) == []
    assert fishing.quotas(db_engine, ZJ, 2025)[0]["caught_t"] == pytest.approx(40.5)
    with pytest.raises(RegistryError):
        fishing.record_catch(db_engine, ZJ, q, float("nan"))
    with pytest.raises(NotFoundError):
        fishing.record_catch(db_engine, FJ, q, 1.0)
    with pytest.raises(Forbidden):
        fishing.record_catch(db_engine, VIEWER, q, 1.0)


def test_certificate_renewal_and_return_after_the_year(db_engine: Engine) -> None:
    cid = _crew(db_engine)
    (cert,) = crews.career(db_engine, ZJ, cid)["certificates"]
    renewed = crews.renew_certificate(
        db_engine, ZJ, ID, cert["id"], CertificateRenewalIn(expires_on=dt.date(2034, 1, 1))
    )
    assert (renewed["expires_on"], renewed["number"], renewed["state"]) == (
        dt.date(2034, 1, 1),
        "C-1",
        "valid",
    )
    with pytest.raises(RegistryError, match="after the current one"):
        crews.renew_certificate(
            db_engine, ZJ, ID, cert["id"], CertificateRenewalIn(expires_on=dt.date(2030, 1, 1))
        )
    with pytest.raises(NotFoundError):
        crews.renew_certificate(
            db_engine, FJ, ID, cert["id"], CertificateRenewalIn(expires_on=dt.date(2035, 1, 1))
        )
    with pytest.raises(NotFoundError):
        crews.renew_certificate(
            db_engine, ZJ, ID, 999_999, CertificateRenewalIn(expires_on=dt.date(2035, 1, 1))
        )
    # 15 points late in one year withhold; an exam passed in the next year returns them
    crews.add_penalty_points(
        db_engine, ZJ, ID, PenaltyPointsIn(on_date=dt.date(2025, 12, 20), points=15, reason="x")
    )
    assert crews.career(db_engine, ZJ, ID, dt.date(2026, 1, 5))["certificates"][0]["state"] == (
        "withheld"
    )
    with pytest.raises(RegistryError, match="withheld"):
        crews.renew_certificate(
            db_engine, ZJ, ID, cert["id"], CertificateRenewalIn(expires_on=dt.date(2036, 1, 1))
        )
    crews.add_exam(
        db_engine, ZJ, ID, ExamIn(subject="law", taken_on=dt.date(2026, 2, 1), passed=True)
    )
    assert crews.return_certificates(db_engine, ZJ, ID) == [cert["id"]]
    assert crews.return_certificates(db_engine, ZJ, ID) == []
    with pytest.raises(ValueError):
        CrewCertificateIn(
            number="C-9", grade="x", issued_on=dt.date(2025, 1, 1), expires_on=dt.date(2024, 1, 1)
        )
    with pytest.raises(ValueError):
        ServiceIn(rank="AB", signed_on=dt.date(2025, 1, 1), signed_off=dt.date(2024, 1, 1))
    with pytest.raises(ValueError):
        PermitIn(kind="x", number="y", valid_from=dt.date(2025, 1, 1), valid_to=dt.date(2024, 1, 1))


def test_licence_change_and_duplicate_number(db_engine: Engine) -> None:
    ship(
        db_engine,
        name="浙岱渔03124",
        imo=None,
        mmsi=412000124,
        callsign=None,
        fishing_no="浙岱渔03124",
        ship_type="fishing",
    )
    data = LicenceIn(
        number="L-1",
        gear="trawl",
        area="zone 2",
        valid_from=dt.date(2025, 1, 1),
        valid_to=dt.date(2025, 12, 31),
    )
    lic = fishing.add_licence(db_engine, ZJ, "浙岱渔03124", data)
    with pytest.raises(RegistryError, match="already recorded"):
        fishing.add_licence(db_engine, ZJ, "浙岱渔03124", data)
    diff = fishing.update_licence(
        db_engine, ZJ, lic, LicenceChange(gear="gillnet", valid_to=dt.date(2026, 6, 30))
    )
    assert diff == {
        "gear": {"old": "trawl", "new": "gillnet"},
        "valid_to": {"old": dt.date(2025, 12, 31), "new": dt.date(2026, 6, 30)},
    }
    assert fishing.update_licence(db_engine, ZJ, lic, LicenceChange(gear="gillnet")) == {}
    with pytest.raises(ValueError):
        fishing.update_licence(db_engine, ZJ, lic, LicenceChange(valid_to=dt.date(2024, 1, 1)))
    with pytest.raises(NotFoundError):
        fishing.update_licence(db_engine, FJ, lic, LicenceChange(gear="x"))
    with pytest.raises(Forbidden):
        fishing.update_licence(db_engine, VIEWER, lic, LicenceChange(gear="x"))
    cargo = ship(db_engine, name="CARGO", imo=imo(555556), mmsi=413000078)
    with pytest.raises(RegistryError, match="fishing vessels"):
        fishing.add_quota(db_engine, ZJ, cargo, QuotaIn(year=2025, species="x", quota_t=1))
