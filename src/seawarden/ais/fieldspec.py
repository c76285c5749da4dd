"""Building blocks of the AIS field table: fields, layouts and selectors.

A :class:`Field` says where a value lives in the message bits and how to turn the raw
integer into a value (scale, offset, "not available" sentinel, unit). A :class:`Layout`
is the ordered list of fields of one message shape. Both decode paths (the compiled batch
kernel and the Python interpreter used for binary applications and the encoder) read the
same objects, so a layout is defined once.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import IntEnum


class Kind(IntEnum):
    """How the bits of a field are interpreted."""

    UINT = 0
    """Unsigned integer."""
    INT = 1
    """Two's complement signed integer."""
    BOOL = 2
    """One bit, ``True`` when set."""
    TEXT = 3
    """Six-bit ASCII; stops at the first ``@`` and trailing spaces are removed."""
    TEXT_TO_END = 4
    """Six-bit ASCII running to the end of the payload (whole characters only)."""
    TEXT_APPEND = 5
    """Six-bit text to the end, appended to the preceding TEXT field when it was full."""
    DATA_TO_END = 6
    """Binary data to the end of the payload (less ``width`` trailing bits), as ``bits:hex``."""
    ROT = 7
    """Rate of turn indicator (signed, 8 bits): scaled as ``sign * (raw / 4.733) ** 2``."""


#: Kinds whose value is a string rather than a number.
STRING_KINDS = frozenset({Kind.TEXT, Kind.TEXT_TO_END, Kind.TEXT_APPEND, Kind.DATA_TO_END})


@dataclass(frozen=True, slots=True)
class Field:
    """One value of a message: its bits, its scaling and its meaning.

    ``start`` and ``width`` are in bits from the start of the message. For
    ``TEXT_TO_END``/``TEXT_APPEND``/``DATA_TO_END`` the field runs to the end of the
    payload and ``width`` is the number of trailing bits to leave out (0 normally, 20 for
    the radio status that closes a type 26 message).

    The scaled value is ``(raw - offset) / div``; ``na`` is the raw value that means "not
    available" and becomes null in scaled output. ``legend`` names a lookup table in
    :mod:`seawarden.ais.legends`; the decoded message then also carries ``<name>_text``.
    """

    name: str
    start: int
    width: int
    kind: Kind = Kind.UINT
    div: float = 1.0
    offset: float = 0.0
    na: int | None = None
    unit: str = ""
    legend: str | None = None
    doc: str = ""

    @property
    def end(self) -> int:
        """First bit after the field (fixed-width fields only)."""
        return self.start + self.width

    @property
    def is_string(self) -> bool:
        """Whether the decoded value is a string."""
        return self.kind in STRING_KINDS

    @property
    def is_scaled(self) -> bool:
        """Whether the scaled value differs in type or value from the raw integer."""
        return self.kind is Kind.ROT or self.div != 1.0 or self.offset != 0.0

    @property
    def to_end(self) -> bool:
        """Whether the field runs to the end of the payload."""
        return self.kind in (Kind.TEXT_TO_END, Kind.TEXT_APPEND, Kind.DATA_TO_END)


@dataclass(frozen=True, slots=True)
class Composite:
    """A string built from component fields, in gpsd's JSON form (e.g. ``eta``).

    ``pattern`` is a :meth:`str.format` pattern over the raw component values.
    """

    name: str
    pattern: str
    parts: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Array:
    """A repeated group of fields inside a binary application payload.

    ``base`` is the bit offset of the first element, ``size`` the bits per element;
    element fields have ``start`` relative to the element. Only complete elements are
    decoded, at most ``max_count``. When ``count_field`` is set, it limits the number
    of elements as well.
    """

    name: str
    base: int
    size: int
    fields: tuple[Field, ...]
    max_count: int
    count_field: str | None = None


@dataclass(frozen=True, slots=True)
class Layout:
    """The fields of one message shape, in output order.

    ``min_bits`` is the shortest payload accepted for this shape; fields that end beyond
    a shorter-than-full payload are missing from the output. ``family`` names the Arrow
    table the batch path puts the message in.
    """

    key: str
    family: str
    fields: tuple[Field, ...]
    min_bits: int
    composites: tuple[Composite, ...] = ()
    arrays: tuple[Array, ...] = ()
    max_bits: int | None = None
    title: str = ""
    constants: tuple[tuple[str, object], ...] = field(default=())

    @property
    def full_bits(self) -> int:
        """Bits needed for every fixed-width field to be present."""
        return max((f.end for f in self.fields if not f.to_end), default=0)

    def field_names(self) -> tuple[str, ...]:
        """Names of the fields, in order."""
        return tuple(f.name for f in self.fields)


@dataclass(frozen=True, slots=True)
class Selector:
    """Chooses the layout of a message type from a few of its bits.

    ``layouts[v]`` is the layout key for selector value ``v`` (``None``: invalid value).
    With ``width == 0`` the type has one layout. ``auxiliary`` maps a layout key to the
    layout used when the MMSI is an auxiliary craft's (``98MIDxxxx``).
    """

    start: int
    width: int
    layouts: tuple[str | None, ...]
    auxiliary: tuple[tuple[str, str], ...] = ()
