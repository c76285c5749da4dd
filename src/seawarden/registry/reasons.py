"""Reason codes of rejected import rows (a closed list, documented in docs/registry.md)."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any


class Reason(StrEnum):
    """Why an import row was rejected."""

    bad_row_shape = "bad_row_shape"
    """The row has more or fewer cells than the header."""
    missing_field = "missing_field"
    """A required value is empty."""
    bad_value = "bad_value"
    """A value is malformed or out of range."""
    bad_date = "bad_date"
    """A date is not an ISO date (YYYY-MM-DD)."""
    bad_imo = "bad_imo"
    """The IMO number is not seven digits with a valid check digit."""
    bad_mmsi = "bad_mmsi"
    """The MMSI is not a ship station's nine digits with an allocated MID."""
    bad_callsign = "bad_callsign"
    """The call sign is not 3-10 letters or digits."""
    bad_uscc = "bad_uscc"
    """The unified social credit code fails GB 32100 (characters or check character)."""
    bad_id_number = "bad_id_number"
    """The resident identity number fails GB 11643 (format or check character)."""
    duplicate_in_file = "duplicate_in_file"
    """An earlier row of the file has the same key (IMO, MMSI, id, code, inspection)."""
    exists_in_register = "exists_in_register"
    """The key belongs to another record in the register (or one outside your scope)."""
    unknown_ship = "unknown_ship"
    """The referenced ship is not in the register within your scope."""
    unknown_company = "unknown_company"
    """The referenced company is not in the register within your scope."""
    out_of_scope = "out_of_scope"
    """The row's organisation is outside your scope, or no organisation is given."""


@dataclass(frozen=True)
class RowError:
    """One rejected row."""

    line: int
    reason: Reason
    field: str | None
    message: str

    def as_dict(self) -> dict[str, Any]:
        """The error as JSON-ready data."""
        return {
            "line": self.line,
            "reason": self.reason.value,
            "field": self.field,
            "message": self.message,
        }
