"""Decoding of binary application messages (the payload of types 6 and 8).

:func:`decode_application` turns the ``data`` bits of a type 6/8 message into the
fields of its (DAC, FI) layout from :mod:`seawarden.ais.applications`. Unknown
applications and payloads whose length does not fit the layout return ``None``: the
message then keeps its raw bits.
"""

from __future__ import annotations

from typing import Any

from seawarden.ais.applications import APPLICATIONS, AREA_SUBAREA_BITS, MINUTE_1000
from seawarden.ais.interpret import Bits, decode_array, decode_layout
from seawarden.ais.legends import AREA_SHAPE, LEGENDS
from seawarden.ais.messages import LAYOUTS

_SCALE = (1, 10, 100, 1000)


def _point(bits: Bits, at: int, scaled: bool) -> dict[str, Any]:
    lon = bits.sint(at, 25)
    lat = bits.sint(at + 25, 24)
    if not scaled:
        return {"lon": lon, "lat": lat}
    return {
        "lon": None if lon == 181 * 60_000 else lon / MINUTE_1000,
        "lat": None if lat == 91 * 60_000 else lat / MINUTE_1000,
    }


def _subarea(bits: Bits, at: int, scaled: bool) -> dict[str, Any]:
    """One 87-bit area notice sub-area (IMO289 Annex, FI 22/23)."""
    shape = bits.uint(at, 3)
    out: dict[str, Any] = {"shape": shape, "shape_text": AREA_SHAPE.get(shape)}
    p = at + 3
    if shape == 5:
        text, _ = bits.text(p, 14)
        out["text"] = text.rstrip(" ")
        return out
    scale = bits.uint(p, 2)
    mult = _SCALE[scale] if scaled else 1
    out["scale"] = scale
    if shape in (3, 4):
        points = []
        for i in range(4):
            angle = bits.uint(p + 2 + 20 * i, 10)
            distance = bits.uint(p + 12 + 20 * i, 10)
            if distance == 0:
                break
            points.append({"angle": angle / 2 if scaled else angle, "distance": distance * mult})
        out["points"] = points
        return out
    if shape > 5:
        return out
    out.update(_point(bits, p + 2, scaled))
    out["precision"] = bits.uint(p + 51, 3)
    if shape == 0:
        out["radius"] = bits.uint(p + 54, 12) * mult
    elif shape == 1:
        out["e_dim"] = bits.uint(p + 54, 8) * mult
        out["n_dim"] = bits.uint(p + 62, 8) * mult
        out["orientation"] = bits.uint(p + 70, 9)
    elif shape == 2:
        out["radius"] = bits.uint(p + 54, 12) * mult
        out["left_bound"] = bits.uint(p + 66, 9)
        out["right_bound"] = bits.uint(p + 75, 9)
    return out


def _area_notice(bits: Bits, base: int, scaled: bool) -> dict[str, Any]:
    """Area notice: header then as many whole sub-areas as the payload holds."""
    out: dict[str, Any] = {
        "linkage": bits.uint(base, 10),
        "notice_type": bits.uint(base + 10, 7),
        "month": bits.uint(base + 17, 4),
        "day": bits.uint(base + 21, 5),
        "hour": bits.uint(base + 26, 5),
        "minute": bits.uint(base + 31, 6),
        "duration": bits.uint(base + 37, 18),
    }
    if scaled and out["duration"] == 262143:
        out["duration"] = None
    out["start"] = "{:02d}-{:02d}T{:02d}:{:02d}Z".format(
        out["month"], out["day"], out["hour"], out["minute"]
    )
    first = base + 55
    count = (bits.nbits - first) // AREA_SUBAREA_BITS
    out["subareas"] = [
        _subarea(bits, first + i * AREA_SUBAREA_BITS, scaled) for i in range(min(count, 10))
    ]
    return out


def _vts_targets(bits: Bits, scaled: bool) -> dict[str, Any]:
    array = APPLICATIONS[(8, 1, 17)].arrays[0]
    targets = decode_array(bits, array, scaled, None)
    for i, target in enumerate(targets):
        kind = target["idtype"]
        ident = target.pop("id")
        if kind in (0, 1):
            target[LEGENDS["id_type"][kind]] = ident
        else:
            text, _ = bits.text(array.base + i * array.size + 2, 7)
            target[LEGENDS["id_type"][kind]] = text.rstrip(" ")
    return {"targets": targets}


def decode_application(
    message_type: int, dac: int, fid: int, bits: Bits, scaled: bool
) -> dict[str, Any] | None:
    """Fields of the application carried by a type 6/8 message, or ``None`` if unknown.

    ``bits`` holds the whole message (header included), so positions match the table.
    """
    layout = APPLICATIONS.get((message_type, dac, fid))
    if layout is None:
        return None
    if bits.nbits < layout.min_bits:
        return None
    if layout.max_bits is not None and bits.nbits > layout.max_bits:
        return None
    if layout.key == "area_notice":
        return _area_notice(bits, 88 if message_type == 6 else 56, scaled)
    if layout.key == "vts_targets":
        return _vts_targets(bits, scaled)
    out = decode_layout(bits, layout, scaled)
    if layout.key == "inland_static" and (
        out.get("hazard_text") is None or not out.get("vin", "x")[:1].isascii()
    ):
        return None
    return out


def decode_message_bits(value: int, nbits: int, scaled: bool = True) -> dict[str, Any]:
    """Decode a whole message from its bits with the Python interpreter (reference path)."""
    from seawarden.ais.messages import SELECTORS, is_auxiliary_mmsi

    bits = Bits(value, nbits)
    mtype = bits.uint(0, 6)
    selector = SELECTORS[mtype]
    key = selector.layouts[bits.uint(selector.start, selector.width) if selector.width else 0]
    if key is None:
        raise ValueError("invalid layout selector value")
    aux = dict(selector.auxiliary)
    if key in aux and is_auxiliary_mmsi(bits.uint(8, 30)):
        key = aux[key]
    out = decode_layout(bits, LAYOUTS[key], scaled)
    if mtype in (6, 8) and "dac" in out:
        app = decode_application(mtype, out["dac"], out["fid"], bits, scaled)
        if app is not None:
            out.pop("data", None)
            out.update(app)
    return out


__all__ = ["decode_application", "decode_message_bits"]
