"""Python decoding of a layout over a message's bits, compiled from the field table.

Each layout becomes a small generated Python function with its bit positions and scaling
written in as constants, so decoding a binary application or a single message costs a
few microseconds, not a table walk per field. It applies the rules the compiled batch
kernel applies: fields beyond the payload end are missing, "not available" values are
null when scaled, text stops at ``@``, only whole array elements are decoded.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from seawarden.ais.fieldspec import Array, Field, Kind, Layout
from seawarden.ais.legends import LEGENDS
from seawarden.ais.sixbit import SIXBIT_TEXT

DecodeFn = Callable[[int, int, bool], dict[str, Any]]


class Bits:
    """A message's bits as one Python integer, with field access helpers."""

    __slots__ = ("nbits", "value")

    def __init__(self, value: int, nbits: int) -> None:
        self.value = value
        self.nbits = nbits

    def uint(self, start: int, width: int) -> int:
        """Unsigned value of ``width`` bits at ``start``."""
        return (self.value >> (self.nbits - start - width)) & ((1 << width) - 1)

    def sint(self, start: int, width: int) -> int:
        """Two's complement signed value of ``width`` bits at ``start``."""
        v = self.uint(start, width)
        return v - (1 << width) if v >> (width - 1) else v

    def text(self, start: int, nchars: int) -> tuple[str, bool]:
        """Six-bit text (untrimmed) and whether it stopped at an ``@``."""
        return text_at(self.value, self.nbits, start, nchars)


def text_at(value: int, nbits: int, start: int, nchars: int) -> tuple[str, bool]:
    """Six-bit text of ``nchars`` characters at ``start`` and whether it hit an ``@``."""
    if nchars <= 0:
        return "", False
    chunk = (value >> (nbits - start - 6 * nchars)) & ((1 << (6 * nchars)) - 1)
    out: list[str] = []
    for i in range(nchars - 1, -1, -1):
        c = SIXBIT_TEXT[(chunk >> (6 * i)) & 63]
        if c == "@":
            return "".join(out), True
        out.append(c)
    return "".join(out), False


def data_at(value: int, nbits: int, start: int, stop: int) -> str:
    """Bits ``[start, stop)`` as gpsd's ``"<bits>:<hex>"`` (last byte zero-padded)."""
    n = stop - start
    if n <= 0:
        return "0:"
    nbytes = (n + 7) // 8
    bits = (value >> (nbits - stop)) & ((1 << n) - 1)
    return f"{n}:{bits << (nbytes * 8 - n):0{nbytes * 2}x}"


def _field_code(f: Field, base: str, end: str, lines: list[str], indent: str) -> None:
    """Append code that decodes ``f`` into ``out`` (``raw`` dict keeps raw integers)."""
    name = repr(f.name)
    start = f"{base} + {f.start}" if f.start >= 0 else f"{end} + {f.start}"
    if f.kind is Kind.TEXT:
        nchars = f.width // 6
        lines += [
            f"{indent}s = {start}",
            f"{indent}k = min({nchars}, ({end} - s) // 6) if s < {end} else 0",
            f"{indent}if k > 0:",
            f"{indent}    t, stop = text_at(v, n, s, k)",
            f"{indent}    out[{name}] = t.rstrip(' ')",
            f"{indent}    last = ({name}, t, not stop and k == {nchars})",
        ]
        return
    if f.kind in (Kind.TEXT_TO_END, Kind.TEXT_APPEND):
        cond = (
            f"s <= {end}"
            if f.kind is Kind.TEXT_TO_END
            else (f"s < {end} and last is not None and last[0] == {name} and last[2]")
        )
        prefix = "" if f.kind is Kind.TEXT_TO_END else "last[1] + "
        lines += [
            f"{indent}s = {start}",
            f"{indent}if {cond}:",
            f"{indent}    t, _ = text_at(v, n, s, ({end} - {f.width} - s) // 6)",
            f"{indent}    out[{name}] = ({prefix}t).rstrip(' ')",
        ]
        return
    if f.kind is Kind.DATA_TO_END:
        lines += [
            f"{indent}s = {start}",
            f"{indent}if s <= {end} - {f.width}:",
            f"{indent}    out[{name}] = data_at(v, n, s, {end} - {f.width})",
        ]
        return
    mask = (1 << f.width) - 1
    lines += [f"{indent}s = {start}", f"{indent}if 0 <= s and s + {f.width} <= {end}:"]
    ind = indent + "    "
    lines.append(f"{ind}r = (v >> (n - s - {f.width})) & {mask}")
    if f.kind in (Kind.INT, Kind.ROT):
        lines.append(f"{ind}if r >> {f.width - 1}: r -= {1 << f.width}")
    lines.append(f"{ind}raw[{name}] = r")
    if f.kind is Kind.BOOL:
        lines.append(f"{ind}out[{name}] = r != 0")
    else:
        na = f"r == {f.na}" if f.na is not None else "False"
        if f.kind is Kind.ROT:
            value = (
                "None if -127 >= r or r >= 127 else "
                "((r / 4.733) ** 2 if r >= 0 else -((r / 4.733) ** 2))"
            )
        elif f.is_scaled:
            value = f"None if {na} else (r - {f.offset!r}) / {f.div!r}"
        else:
            value = f"None if {na} else r"
        lines.append(f"{ind}out[{name}] = ({value}) if scaled else r")
    if f.legend is not None:
        lines.append(f"{ind}out[{f.name + '_text'!r}] = L_{f.legend}.get(r)")


def _compile(
    name: str, fields: tuple[Field, ...], arrays: tuple[Array, ...], layout: Layout | None
) -> DecodeFn:
    lines = [
        f"def {name}(v, n, scaled, base=0, end=None):",
        "    if end is None: end = n",
        "    out = {}",
        "    raw = {}",
        "    last = None",
    ]
    for f in fields:
        _field_code(f, "base", "end", lines, "    ")
    namespace: dict[str, Any] = {"text_at": text_at, "data_at": data_at}
    for legend, table in LEGENDS.items():
        namespace[f"L_{legend}"] = table
    if layout is not None:
        for i, comp in enumerate(layout.composites):
            parts = ", ".join(f"raw.get({p!r})" for p in comp.parts)
            lines += [
                f"    parts = ({parts},)",
                "    if None not in parts:",
                f"        out[{comp.name!r}] = FMT{i}(*parts)",
            ]
            namespace[f"FMT{i}"] = comp.pattern.format
    for i, array in enumerate(arrays):
        elem = _compile(f"{name}_elem{i}", array.fields, (), None)
        namespace[f"ELEM{i}"] = elem
        count = (
            f"min({array.max_count}, raw.get({array.count_field!r}, 0))"
            if array.count_field
            else str(array.max_count)
        )
        lines += [
            "    items = []",
            "    i = 0",
            f"    limit = {count}",
            f"    while i < limit and {array.base} + (i + 1) * {array.size} <= n:",
            f"        b = {array.base} + i * {array.size}",
            f"        items.append(ELEM{i}(v, n, scaled, b, b + {array.size}))",
            "        i += 1",
            f"    out[{array.name!r}] = items",
        ]
    lines.append("    return out")
    exec("\n".join(lines), namespace)
    fn: DecodeFn = namespace[name]
    return fn


_CACHE: dict[int, DecodeFn] = {}


def layout_decoder(layout: Layout) -> DecodeFn:
    """The generated decoder of a layout: ``fn(value, nbits, scaled) -> dict``."""
    fn = _CACHE.get(id(layout))
    if fn is None:
        fn = _compile(f"decode_{abs(hash(layout.key))}", layout.fields, layout.arrays, layout)
        _CACHE[id(layout)] = fn
    return fn


def decode_layout(bits: Bits, layout: Layout, scaled: bool) -> dict[str, Any]:
    """Decode a whole layout: fields, arrays and composite strings."""
    return layout_decoder(layout)(bits.value, bits.nbits, scaled)


def decode_array(bits: Bits, array: Array, scaled: bool, count: int | None) -> list[dict[str, Any]]:
    """Decode the complete elements of a repeated group (at most ``count`` when given)."""
    elem = _ELEM_CACHE.get(id(array))
    if elem is None:
        elem = _compile(f"elem_{abs(hash(array.name))}", array.fields, (), None)
        _ELEM_CACHE[id(array)] = elem
    limit = array.max_count if count is None else min(count, array.max_count)
    items = []
    i = 0
    while i < limit and array.base + (i + 1) * array.size <= bits.nbits:
        b = array.base + i * array.size
        items.append(elem(bits.value, bits.nbits, scaled, b, b + array.size))  # type: ignore[call-arg]
        i += 1
    return items


_ELEM_CACHE: dict[int, DecodeFn] = {}
