"""Typed errors of the dangerous-goods domain, each with a stable code."""

from __future__ import annotations

from typing import Any


class DGError(ValueError):
    """Refused dangerous-goods input or operation; ``code`` is stable and documented."""

    code = "dg_error"

    def __init__(self, message: str, **detail: Any) -> None:
        super().__init__(message)
        self.detail = detail

    def as_dict(self) -> dict[str, Any]:
        """Plain data for an API or CLI answer."""
        return {"code": self.code, "message": str(self), **self.detail}


class UnknownUNNumberError(DGError):
    """The UN number is not in the dangerous goods list."""

    code = "unknown_un_number"


class UnknownSubstanceError(DGError):
    """A substance name, CAS or UN number matches nothing usable for GB 18218."""

    code = "unknown_substance"


class InvalidQuantityError(DGError):
    """A quantity is negative, zero where it must be positive, or not a number."""

    code = "invalid_quantity"


class InvalidClassError(DGError):
    """A hazard class or division is not an IMDG class/division."""

    code = "invalid_class"


class InvalidPositionError(DGError):
    """A stowage cell or yard slot cannot be read."""

    code = "invalid_position"


class InvalidInputError(DGError):
    """An input file or record is malformed."""

    code = "invalid_input"


class OverCapacityError(DGError):
    """The operation would put a storage unit or tank above its design capacity."""

    code = "over_capacity"


class InsufficientStockError(DGError):
    """An outbound record takes more than the storage unit holds."""

    code = "insufficient_stock"


class OutOfPhysicalRangeError(DGError):
    """A sensor value is physically impossible (below absolute zero, negative level …)."""

    code = "out_of_physical_range"


class NotFoundError(DGError):
    """No such object within the actor's scope."""

    code = "not_found"


class InvalidStateError(DGError):
    """The object is not in a state that allows this step."""

    code = "invalid_state"


class DeclarationBlockedError(DGError):
    """A blocked declaration cannot be approved."""

    code = "declaration_blocked"


class InvalidFileError(DGError):
    """An uploaded file is too large or of a type that is not accepted."""

    code = "invalid_file"
