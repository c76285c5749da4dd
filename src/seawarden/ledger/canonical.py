"""Canonical JSON bytes of ledger entries and documents (RFC 8785 JCS, integers only).

Objects are written with members sorted by the UTF-16 code units of their names, no
whitespace, strings NFC-normalised and escaped as JCS requires, UTF-8 output. Numbers must
be integers within the I-JSON range (weights in grams, times in UTC epoch milliseconds),
so the output never depends on how a platform prints floating-point numbers.
"""

from __future__ import annotations

import json
import unicodedata
from collections.abc import Mapping, Sequence
from typing import Any

MAX_SAFE_INTEGER = 2**53 - 1


class CanonicalError(ValueError):
    """A value that has no canonical form (a float, a non-string key, a cycle...)."""


def _string(s: str) -> str:
    return json.dumps(unicodedata.normalize("NFC", s), ensure_ascii=False)


def _encode(value: Any, out: list[str], depth: int) -> None:
    if depth > 64:
        raise CanonicalError("nested deeper than 64 levels")
    if value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif isinstance(value, int):
        if abs(value) > MAX_SAFE_INTEGER:
            raise CanonicalError(f"integer {value} is outside the I-JSON range")
        out.append(str(int(value)))
    elif isinstance(value, float):
        raise CanonicalError(f"floating-point number {value!r}: use integers (grams, ms)")
    elif isinstance(value, str):
        out.append(_string(value))
    elif isinstance(value, Mapping):
        items: dict[str, Any] = {}
        for k, v in value.items():
            if not isinstance(k, str):
                raise CanonicalError(f"object key {k!r} is not a string")
            nk = unicodedata.normalize("NFC", k)
            if nk in items:
                raise CanonicalError(f"object key {k!r} appears twice after normalisation")
            items[nk] = v
        out.append("{")
        for i, k in enumerate(sorted(items, key=lambda s: s.encode("utf-16-be"))):
            if i:
                out.append(",")
            out.append(_string(k))
            out.append(":")
            _encode(items[k], out, depth + 1)
        out.append("}")
    elif isinstance(value, Sequence) and not isinstance(value, bytes | bytearray):
        out.append("[")
        for i, v in enumerate(value):
            if i:
                out.append(",")
            _encode(v, out, depth + 1)
        out.append("]")
    else:
        raise CanonicalError(f"{type(value).__name__} has no canonical JSON form")


def canonical_json(value: Any) -> bytes:
    """The canonical UTF-8 JSON bytes of ``value``."""
    out: list[str] = []
    _encode(value, out, 0)
    try:
        return "".join(out).encode("utf-8")
    except UnicodeEncodeError as exc:
        raise CanonicalError(f"not valid Unicode: {exc.reason}") from None


def parse_canonical(data: bytes) -> Any:
    """Parse JSON bytes and check that they are already in canonical form."""
    try:
        value = json.loads(data.decode("utf-8"), parse_float=_no_float)
    except (UnicodeDecodeError, ValueError) as exc:
        raise CanonicalError(f"not JSON: {exc}") from None
    if canonical_json(value) != data:
        raise CanonicalError("JSON is not in canonical form")
    return value


def _no_float(s: str) -> float:
    raise CanonicalError(f"floating-point number {s}: use integers")
