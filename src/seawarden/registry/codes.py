"""Identifier checks and masking: IMO, MMSI, call sign, USCC (GB 32100), ID number (GB 11643).

Pure functions; each ``*_error`` returns ``None`` for a valid value or the reason it is not.
"""

from __future__ import annotations

import re

from seawarden.positions.mmsi import mid_table

#: Characters of a unified social credit code (GB 32100-2015): digits and capitals but I, O,
#: Z, S and V; the index of each is its value.
USCC_CHARS = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = (1, 3, 9, 27, 19, 26, 16, 17, 20, 29, 25, 13, 8, 24, 10, 30, 28)
_USCC_VALUE = {c: i for i, c in enumerate(USCC_CHARS)}

ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
ID_CHECK = "10X98765432"

_CALLSIGN = re.compile(r"^[A-Z0-9]{3,10}$")
_CN_SHIP_ID = re.compile(r"^[A-Z]{2}\d{11}$")
_FISHING_NO = re.compile(r"^[\u4e00-\u9fff]{1,5}渔[\u4e00-\u9fff]{0,3}\d{3,6}$")
_IMO_COMPANY = re.compile(r"^\d{7}$")


def normalise_imo(value: str) -> str:
    """The seven digits of an IMO number written as ``IMO 9074729`` or ``9074729``."""
    v = value.strip().upper().removeprefix("IMO").strip()
    return v[:-2] if v.endswith(".0") else v


def imo_error(value: str) -> str | None:
    """Why a ship IMO number is invalid (seven digits, the last a check digit), or ``None``."""
    v = normalise_imo(value)
    if len(v) != 7 or not v.isdigit():
        return "an IMO number has seven digits"
    check = sum(int(d) * (7 - i) for i, d in enumerate(v[:6])) % 10
    if check != int(v[6]):
        return f"IMO check digit should be {check}"
    return None


def mmsi_error(value: int) -> str | None:
    """Why an MMSI is not a ship station's (nine digits MIDxxxxxx, allocated MID), or ``None``."""
    if not 200_000_000 <= value <= 799_999_999:
        return "a ship station MMSI has nine digits and starts with 2-7"
    if value // 1_000_000 not in mid_table():
        return f"MID {value // 1_000_000} is not allocated"
    return None


def callsign_error(value: str) -> str | None:
    """Why a call sign is malformed (3-10 capitals or digits), or ``None``."""
    return None if _CALLSIGN.match(value) else "a call sign has 3-10 letters or digits"


def cn_ship_id_error(value: str) -> str | None:
    """Why a Chinese ship identification number (船舶识别号) is malformed, or ``None``."""
    return None if _CN_SHIP_ID.match(value) else "a ship identification number is CN + 11 digits"


def fishing_no_error(value: str) -> str | None:
    """Why a fishing-vessel number (e.g. 浙岱渔03123) is malformed, or ``None``."""
    return None if _FISHING_NO.match(value) else "a fishing-vessel number looks like 浙岱渔03123"


def imo_company_error(value: str) -> str | None:
    """Why an IMO company and registered owner number is malformed, or ``None``."""
    return None if _IMO_COMPANY.match(value) else "an IMO company number has seven digits"


def uscc_check_char(code17: str) -> str:
    """The 18th (check) character of a unified social credit code from its first 17."""
    total = sum(_USCC_VALUE[c] * w for c, w in zip(code17, USCC_WEIGHTS, strict=True))
    return USCC_CHARS[(31 - total % 31) % 31]


def uscc_error(value: str) -> str | None:
    """Why a unified social credit code (统一社会信用代码, GB 32100) is invalid, or ``None``."""
    v = value.strip().upper()
    if len(v) != 18:
        return "a unified social credit code has 18 characters"
    bad = sorted({c for c in v if c not in _USCC_VALUE})
    if bad:
        return f"characters not allowed in a unified social credit code: {''.join(bad)}"
    if not v[2:8].isdigit():
        return "characters 3-8 (administrative division) must be digits"
    expected = uscc_check_char(v[:17])
    if v[17] != expected:
        return f"check character should be {expected}"
    return None


def id_number_error(value: str) -> str | None:
    """Why a resident identity card number (GB 11643, 18 characters) is invalid, or ``None``."""
    v = value.strip().upper()
    if len(v) != 18 or not v[:17].isdigit() or not (v[17].isdigit() or v[17] == "X"):
        return "an ID number has 17 digits and a check digit or X"
    expected = ID_CHECK[sum(int(d) * w for d, w in zip(v[:17], ID_WEIGHTS, strict=True)) % 11]
    if v[17] != expected:
        return f"check character should be {expected}"
    return None


def mask_id(value: str | None) -> str | None:
    """An identity document number with all but its first three and last four characters hidden."""
    if not value:
        return value
    keep_head, keep_tail = (3, 4) if len(value) > 8 else (0, min(2, len(value) // 2))
    hidden = len(value) - keep_head - keep_tail
    return value[:keep_head] + "*" * hidden + value[len(value) - keep_tail :]


def mask_name(value: str | None) -> str | None:
    """A person's name with only the first character of each part shown (张三 → 张*)."""
    if not value:
        return value
    return " ".join(p[:1] + "*" * (len(p) - 1) for p in value.split(" ") if p) or value
