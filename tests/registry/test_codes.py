from __future__ import annotations

import pytest

from seawarden.registry import codes

from .helpers import id_number, imo, uscc


def test_uscc_check_character_gb32100() -> None:
    assert codes.uscc_error("91350100M000100Y43") is None
    assert codes.uscc_check_char("91350100M000100Y4") == "3"
    assert codes.uscc_error("91350100M000100Y44") == "check character should be 3"
    assert "18 characters" in (codes.uscc_error("9135010") or "")
    assert "not allowed" in (codes.uscc_error("91350100M000100I43") or "")
    # a check value of 31 - 0 wraps to "0"
    body = next(
        b for b in (f"9133000071{n:07d}" for n in range(5000)) if codes.uscc_check_char(b) == "0"
    )
    assert codes.uscc_error(body + "0") is None


@pytest.mark.parametrize(
    ("value", "ok"),
    [
        ("9074729", True),
        ("IMO 9074729", True),
        ("9074728", False),
        ("907472", False),
        ("90747A9", False),
    ],
)
def test_imo_check_digit(value: str, ok: bool) -> None:
    assert (codes.imo_error(value) is None) is ok


def test_id_number_and_masks() -> None:
    assert codes.id_number_error("11010519491231002X") is None
    assert codes.id_number_error("110105194912310021") == "check character should be X"
    assert codes.mask_id("11010519491231002X") == "110***********002X"
    assert codes.mask_id("E1234567") == "******67"
    assert codes.mask_name("张三丰") == "张**"
    assert codes.mask_name("John Smith") == "J*** S****"
    assert codes.id_number_error(id_number("33010219800101123")) is None


def test_other_identifiers() -> None:
    assert codes.mmsi_error(413000001) is None
    assert codes.mmsi_error(123456789) is not None
    assert codes.mmsi_error(999000001) is not None
    assert codes.fishing_no_error("浙岱渔03123") is None
    assert codes.fishing_no_error("ZHE DAI YU 03123") is not None
    assert codes.callsign_error("BQAB") is None and codes.callsign_error("B-1") is not None
    assert codes.cn_ship_id_error("CN20121234567") is None
    assert imo(907472) == "9074729" and codes.uscc_error(uscc("91330000710912345")) is None
