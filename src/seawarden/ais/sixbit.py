"""Six-bit payload armouring, six-bit text and NMEA checksums (pure Python)."""

from __future__ import annotations

from functools import reduce
from operator import xor

from seawarden.ais.errors import AisError, Outcome

#: ITU-R M.1371 six-bit character set (value -> ASCII).
SIXBIT_TEXT = "@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\]^_ !\"#$%&'()*+,-./0123456789:;<=>?"
_TEXT_VALUE = {c: i for i, c in enumerate(SIXBIT_TEXT)}
_ARMOUR = "".join(chr(v + 48 if v < 40 else v + 56) for v in range(64))
_UNARMOUR = {c: i for i, c in enumerate(_ARMOUR)}


def checksum(body: str) -> int:
    r"""NMEA checksum: XOR of the characters between ``!``/``$``/``\`` and ``*``."""
    return reduce(xor, body.encode("ascii"), 0)


def armour(value: int, nbits: int) -> tuple[str, int]:
    """Armour ``nbits`` bits (big-endian in ``value``) into a payload and its fill bits."""
    fill = (-nbits) % 6
    value <<= fill
    nchars = (nbits + fill) // 6
    chars = [_ARMOUR[(value >> (6 * (nchars - 1 - i))) & 63] for i in range(nchars)]
    return "".join(chars), fill


_TO_BINARY = str.maketrans({c: format(i, "06b") for i, c in enumerate(_ARMOUR)})


def unarmour(payload: str, fill: int) -> tuple[int, int]:
    """Bits of an armoured payload as ``(value, nbits)``; fill bits are dropped."""
    if not 0 <= fill <= 5:
        raise AisError(Outcome.BAD_PAYLOAD, f"fill bits must be 0-5, not {fill}")
    nbits = len(payload) * 6 - fill
    if nbits < 0:
        raise AisError(Outcome.BAD_PAYLOAD, "fill bits exceed the payload")
    try:
        value = int(payload.translate(_TO_BINARY), 2) if payload else 0
    except ValueError:
        bad = next(c for c in payload if c not in _UNARMOUR)
        raise AisError(Outcome.BAD_PAYLOAD, f"invalid payload character {bad!r}") from None
    return value >> fill, nbits


def text_to_bits(text: str, nchars: int | None = None) -> int:
    """Encode text as six-bit characters, padded with ``@`` to ``nchars`` when given."""
    text = text.upper()
    if nchars is not None:
        text = text[:nchars].ljust(nchars, "@")
    value = 0
    for c in text:
        v = _TEXT_VALUE.get(c)
        if v is None:
            raise AisError(Outcome.BAD_FIELD, f"character {c!r} has no six-bit code")
        value = (value << 6) | v
    return value


def bits_to_text(value: int, nchars: int) -> str:
    """Decode six-bit text: stop at the first ``@`` and strip trailing spaces."""
    out = []
    for i in range(nchars):
        c = SIXBIT_TEXT[(value >> (6 * (nchars - 1 - i))) & 63]
        if c == "@":
            break
        out.append(c)
    return "".join(out).rstrip(" ")
