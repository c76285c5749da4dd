"""Compiled pieces of the JSON row writer: times, integers and tenths, row assembly.

They work on plain arrays (no Arrow, no Python objects), so one call writes a whole
column or a whole answer:

* :func:`iso_ms_text`: epoch milliseconds to ``YYYY-MM-DDTHH:MM:SS.mmmZ`` (proleptic
  Gregorian calendar, years 1 to 9999) as fixed-width text;
* :func:`decimal_text`: integers, or integers of tenths, as decimal text;
* :func:`write_objects`: given each field's value texts (one concatenated byte buffer with
  per-field, per-row offsets and a validity mask), writes one JSON object per row,
  ``{"key":value,...}``, leaving out invalid fields, rows separated by a separator byte.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seawarden.ais.framer import njit

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
B = npt.NDArray[np.bool_]

ISO_WIDTH = 24
"""Characters of one ``YYYY-MM-DDTHH:MM:SS.mmmZ`` text."""
MIN_ISO_MS = -62_135_596_800_000
"""0001-01-01T00:00:00.000Z in epoch milliseconds."""
MAX_ISO_MS = 253_402_300_799_999
"""9999-12-31T23:59:59.999Z in epoch milliseconds."""


@njit
def _digits(out: U8, pos: int, value: int, width: int) -> None:
    for i in range(width - 1, -1, -1):
        out[pos + i] = 48 + value % 10
        value //= 10


@njit
def iso_ms_text(ms: I64, out: U8) -> None:
    """Write each time as 24 characters at ``out[24 * i:]`` (times must lie in years 1-9999)."""
    for i in range(ms.size):
        t = ms[i]
        days = t // 86_400_000
        rest = t - days * 86_400_000
        # Civil date from days since 1970-01-01 (H. Hinnant's algorithm).
        z = days + 719_468
        era = (z if z >= 0 else z - 146_096) // 146_097
        doe = z - era * 146_097
        yoe = (doe - doe // 1460 + doe // 36_524 - doe // 146_096) // 365
        y = yoe + era * 400
        doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
        mp = (5 * doy + 2) // 153
        d = doy - (153 * mp + 2) // 5 + 1
        m = mp + 3 if mp < 10 else mp - 9
        if m <= 2:
            y += 1
        p = ISO_WIDTH * i
        _digits(out, p, y, 4)
        out[p + 4] = 45  # -
        _digits(out, p + 5, m, 2)
        out[p + 7] = 45
        _digits(out, p + 8, d, 2)
        out[p + 10] = 84  # T
        _digits(out, p + 11, rest // 3_600_000, 2)
        out[p + 13] = 58  # :
        _digits(out, p + 14, (rest // 60_000) % 60, 2)
        out[p + 16] = 58
        _digits(out, p + 17, (rest // 1000) % 60, 2)
        out[p + 19] = 46  # .
        _digits(out, p + 20, rest % 1000, 3)
        out[p + 23] = 90  # Z


@njit
def write_objects(
    n_rows: int,
    offsets: I64,
    valid: B,
    data: U8,
    keys: U8,
    key_offsets: I64,
    separator: int,
    out: U8,
) -> int:
    """Write ``n_rows`` JSON objects into ``out``; returns the number of bytes written.

    Field ``f`` of row ``r`` is ``data[offsets[f, r]:offsets[f, r + 1]]`` when
    ``valid[f, r]``; its key text (``"name":``) is ``keys[key_offsets[f]:key_offsets[f + 1]]``.
    """
    n_fields = key_offsets.size - 1
    c = 0
    for r in range(n_rows):
        if r:
            out[c] = separator
            c += 1
        out[c] = 123  # {
        c += 1
        first = True
        for f in range(n_fields):
            if not valid[f, r]:
                continue
            if not first:
                out[c] = 44  # ,
                c += 1
            first = False
            for k in range(key_offsets[f], key_offsets[f + 1]):
                out[c] = keys[k]
                c += 1
            for k in range(offsets[f, r], offsets[f, r + 1]):
                out[c] = data[k]
                c += 1
        out[c] = 125  # }
        c += 1
    return c


@njit
def _write_int(out: U8, c: int, v: int, buf: U8) -> int:
    """Write the decimal digits of ``v`` (not negative) at ``out[c:]``; returns the new end."""
    k = 0
    while True:
        buf[k] = 48 + v % 10
        v //= 10
        k += 1
        if v == 0:
            break
    for j in range(k - 1, -1, -1):
        out[c] = buf[j]
        c += 1
    return c


@njit
def decimal_text(values: I64, valid: B, tenths: bool, offsets: I64, out: U8) -> int:
    """Decimal text of each valid value (invalid ones get empty text); returns bytes written.

    With ``tenths``, a value ``k`` is written as ``k / 10`` (``-12.3``, ``0.5``, ``7.0``).
    """
    c = 0
    buf = np.empty(20, dtype=np.uint8)
    offsets[0] = 0
    for i in range(values.size):
        if valid[i]:
            v = values[i]
            if v < 0:
                out[c] = 45  # -
                c += 1
                v = -v
            if tenths:
                c = _write_int(out, c, v // 10, buf)
                out[c] = 46  # .
                out[c + 1] = 48 + v % 10
                c += 2
            else:
                c = _write_int(out, c, v, buf)
        offsets[i + 1] = c
    return c
