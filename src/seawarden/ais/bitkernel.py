"""Compiled bit decoding: framed messages in, family columns out, driven by the field table.

:func:`classify` picks each message's layout and family row (or rejects it);
:func:`extract` writes every field of every message into flat column buffers:

* ``num``: raw integers, ``val``: validity per cell (0 missing, 1 valid, 2 "not
  available": valid raw value, null when scaled); scaling is done afterwards, vectorised;
* ``tdata``/``toff``/``tval``: string columns as Arrow-style data and offsets.

The same field table rows drive every message type; nothing here knows a field by name.
"""

from __future__ import annotations

import numpy as np
import numpy.typing as npt

from seawarden.ais.errors import Outcome
from seawarden.ais.fieldspec import Kind
from seawarden.ais.framer import M_FILL, M_HASH, M_LEN, M_LINE, M_NPARTS, M_SRC, M_START, njit
from seawarden.ais.tables import (
    F_COL,
    F_HAS_NA,
    F_KIND,
    F_NA,
    F_START,
    F_TCOL,
    F_WIDTH,
    L_AUX,
    L_COUNT,
    L_FAMILY,
    L_FIRST,
    L_MIN_BITS,
    MAX_MESSAGE_CHARS,
)

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
F64 = npt.NDArray[np.float64]

K_UINT = int(Kind.UINT)
K_INT = int(Kind.INT)
K_BOOL = int(Kind.BOOL)
K_TEXT = int(Kind.TEXT)
K_TEXT_TO_END = int(Kind.TEXT_TO_END)
K_TEXT_APPEND = int(Kind.TEXT_APPEND)
K_DATA = int(Kind.DATA_TO_END)
K_ROT = int(Kind.ROT)

OK = int(Outcome.OK)
TOO_SHORT = int(Outcome.TOO_SHORT)
UNKNOWN_TYPE = int(Outcome.UNKNOWN_TYPE)
BAD_FIELD = int(Outcome.BAD_FIELD)

# Classification columns.
C_LAYOUT, C_FAMILY, C_ROW, C_NBITS = range(4)

HEX = np.frombuffer(b"0123456789abcdef", dtype=np.uint8).copy()


@njit
def _sixbit(c: int) -> int:
    v = c - 48
    if v > 40:
        v -= 8
    return v


@njit
def _char_bits(chars: U8, off: int, start: int, width: int) -> int:
    """Bits ``[start, start+width)`` of the armoured payload at ``chars[off:]``."""
    first = start // 6
    last = (start + width - 1) // 6
    v = 0
    for i in range(first, last + 1):
        v = (v << 6) | _sixbit(chars[off + i])
    v >>= (last + 1) * 6 - (start + width)
    return v & ((1 << width) - 1)


@njit
def _get(words: I64, start: int, width: int) -> int:
    """Bits ``[start, start+width)`` of a payload packed 60 bits (ten characters) a word."""
    w = start // 60
    o = start - w * 60
    if o + width <= 60:
        return int((words[w] >> (60 - o - width)) & ((1 << width) - 1))
    head = 60 - o
    tail = width - head
    return int(((words[w] & ((1 << head) - 1)) << tail) | (words[w + 1] >> (60 - tail)))


@njit
def _pack(chars: U8, off: int, nchars: int, words: I64) -> None:
    """Pack armoured characters into 60-bit words (ten six-bit values each)."""
    nw = (nchars + 9) // 10
    for w in range(nw):
        acc = 0
        base = off + w * 10
        stop = min(10, nchars - w * 10)
        for i in range(stop):
            acc = (acc << 6) | _sixbit(chars[base + i])
        if stop < 10:
            acc <<= 6 * (10 - stop)
        words[w] = acc
    words[nw] = 0
    words[nw + 1] = 0


@njit
def pack_payloads(buf: U8, asm: U8, msgs: I64, ks: I64, offsets: I64, out: U8) -> None:
    """Bits of messages ``ks`` packed into bytes, big-endian, zero-padded at the end.

    Message ``ks[i]`` goes to ``out[offsets[i]:offsets[i + 1]]`` (``ceil(6 * chars / 8)``
    bytes each; the caller sets the offsets).
    """
    for i in range(ks.size):
        k = ks[i]
        chars = buf if msgs[M_SRC, k] == 0 else asm
        off = msgs[M_START, k]
        p = offsets[i]
        acc = 0
        held = 0
        for c in range(msgs[M_LEN, k]):
            acc = ((acc << 6) | _sixbit(chars[off + c])) & 0x3FFF
            held += 6
            if held >= 8:
                held -= 8
                out[p] = (acc >> held) & 255
                p += 1
        if held:
            out[p] = (acc << (8 - held)) & 255


@njit
def classify(
    buf: U8,
    asm: U8,
    msgs: I64,
    n_msgs: int,
    layout_table: I64,
    selector: I64,
    selector_layouts: I64,
    cls: I64,
    fam_count: I64,
    fam_chars: I64,
    by_type: I64,
    rej: I64,
    n_rej: int,
    cnt: I64,
) -> int:
    """Choose each message's layout and row in its family; returns the reject count.

    Also counts rows and payload characters per family and messages per type.
    """
    for k in range(n_msgs):
        chars = buf if msgs[M_SRC, k] == 0 else asm
        off = msgs[M_START, k]
        nchars = msgs[M_LEN, k]
        nbits = nchars * 6 - msgs[M_FILL, k]
        cls[k, C_LAYOUT] = -1
        cls[k, C_FAMILY] = -1
        cls[k, C_ROW] = -1
        cls[k, C_NBITS] = nbits
        reason = OK
        mtype = _sixbit(chars[off])
        lay = -1
        if selector_layouts[mtype, 0] == -2:
            reason = UNKNOWN_TYPE
        elif nbits < 38:
            reason = TOO_SHORT
        else:
            sstart = selector[mtype, 0]
            swidth = selector[mtype, 1]
            v = 0
            if swidth > 0:
                if nbits < sstart + swidth:
                    reason = TOO_SHORT
                else:
                    v = _char_bits(chars, off, sstart, swidth)
            if reason == OK:
                lay = selector_layouts[mtype, v]
                if lay < 0:
                    reason = BAD_FIELD
                else:
                    alt = layout_table[lay, L_AUX]
                    if alt >= 0 and _char_bits(chars, off, 8, 30) // 10_000_000 == 98:
                        lay = alt
                    if nbits < layout_table[lay, L_MIN_BITS]:
                        reason = TOO_SHORT
        if reason != OK:
            parts = msgs[M_NPARTS, k]
            cnt[OK] -= parts
            cnt[reason] += parts
            rej[n_rej, 0] = msgs[M_LINE, k]
            rej[n_rej, 1] = reason
            rej[n_rej, 2] = parts
            n_rej += 1
            continue
        # Fingerprint of the message bits (FNV-1a over the payload and fill), for finding
        # the same transmission heard by several stations.
        h = np.uint64(14695981039346656037)
        for i in range(nchars):
            h = (h ^ np.uint64(chars[off + i])) * np.uint64(1099511628211)
        h = (h ^ np.uint64(msgs[M_FILL, k])) * np.uint64(1099511628211)
        msgs[M_HASH, k] = np.int64(h)
        fam = layout_table[lay, L_FAMILY]
        cls[k, C_LAYOUT] = lay
        cls[k, C_FAMILY] = fam
        cls[k, C_ROW] = fam_count[fam]
        fam_count[fam] += 1
        fam_chars[fam] += nchars
        by_type[mtype] += 1
    return n_rej


@njit
def _write_text(
    sx: I64,
    start: int,
    nread: int,
    tdata: U8,
    tbase: int,
    cursor: int,
    trimmed: int,
) -> tuple[int, int, bool]:
    """Write up to ``nread`` six-bit characters; returns (end, trimmed end, stopped at '@')."""
    for i in range(nread):
        ch = _get(sx, start + 6 * i, 6)
        if ch < 32:
            ch += 64
        if ch == 64:
            return cursor, trimmed, True
        tdata[tbase + cursor] = ch
        cursor += 1
        if ch != 32:
            trimmed = cursor
    return cursor, trimmed, False


@njit
def _write_data(sx: I64, start: int, stop: int, tdata: U8, tbase: int, cursor: int) -> int:
    """Write bits ``[start, stop)`` as gpsd's ``"<bits>:<hex>"``; returns the new cursor."""
    nbit = stop - start
    c = cursor
    digits = 1
    t = nbit
    while t >= 10:
        t //= 10
        digits += 1
    t = nbit
    for d in range(digits - 1, -1, -1):
        tdata[tbase + c + d] = 48 + t % 10
        t //= 10
    c += digits
    tdata[tbase + c] = 58
    c += 1
    p = start
    while p < stop:
        take = min(8, stop - p)
        b = _get(sx, p, take) << (8 - take)
        tdata[tbase + c] = HEX[b >> 4]
        tdata[tbase + c + 1] = HEX[b & 15]
        c += 2
        p += take
    return c


@njit
def extract(
    buf: U8,
    asm: U8,
    msgs: I64,
    cls: I64,
    n_msgs: int,
    field_table: I64,
    layout_table: I64,
    fam_count: I64,
    num_base: I64,
    text_first: I64,
    text_count: I64,
    text_base: I64,
    text_off_base: I64,
    text_val_base: I64,
    num: I32,
    val: U8,
    tdata: U8,
    toff: I64,
    tval: U8,
) -> None:
    """Decode every classified message into the family column buffers."""
    sx = np.zeros(MAX_MESSAGE_CHARS // 10 + 8, dtype=np.int64)
    n_text = text_base.size
    cursor = np.zeros(n_text, dtype=np.int64)
    for g in range(n_text):
        toff[text_off_base[g]] = 0
    for k in range(n_msgs):
        lay = cls[k, C_LAYOUT]
        if lay < 0:
            continue
        fam = cls[k, C_FAMILY]
        row = cls[k, C_ROW]
        nbits = cls[k, C_NBITS]
        chars = buf if msgs[M_SRC, k] == 0 else asm
        off = msgs[M_START, k]
        nchars = msgs[M_LEN, k]
        _pack(chars, off, nchars, sx)
        count = fam_count[fam]
        nb = num_base[fam]
        last_text = -1
        last_full = False
        last_end = 0
        last_trimmed = 0
        first = layout_table[lay, L_FIRST]
        for fi in range(first, first + layout_table[lay, L_COUNT]):
            start = field_table[fi, F_START]
            width = field_table[fi, F_WIDTH]
            kind = field_table[fi, F_KIND]
            if start < 0:
                start += nbits
            if kind == K_UINT or kind == K_INT or kind == K_BOOL or kind == K_ROT:  # noqa: SIM109
                if start < 0 or start + width > nbits:
                    continue
                raw = _get(sx, start, width)
                if (kind == K_INT or kind == K_ROT) and (raw >> (width - 1)) & 1:  # noqa: SIM109
                    raw -= 1 << width
                col = field_table[fi, F_COL]
                idx = nb + col * count + row
                num[idx] = raw
                v = 1
                if field_table[fi, F_HAS_NA] != 0 and raw == field_table[fi, F_NA]:
                    v = 2
                if kind == K_ROT and (raw == 127 or raw == -127):
                    v = 2
                val[idx] = v
                continue
            g = text_first[fam] + field_table[fi, F_TCOL]
            tb = text_base[g]
            vi = text_val_base[g] + row
            if kind == K_TEXT:
                avail = (nbits - start) // 6 if start < nbits else 0
                nread = min(width // 6, avail)
                if nread <= 0:
                    continue
                c0 = cursor[g]
                end, trimmed, stopped = _write_text(sx, start, nread, tdata, tb, c0, c0)
                cursor[g] = trimmed
                tval[vi] = 1
                last_text = g
                last_full = (not stopped) and nread == width // 6
                last_end = end
                last_trimmed = trimmed
            elif kind == K_TEXT_TO_END:
                if start > nbits:
                    continue
                nread = (nbits - width - start) // 6
                c0 = cursor[g]
                end, trimmed, stopped = _write_text(sx, start, nread, tdata, tb, c0, c0)
                cursor[g] = trimmed
                tval[vi] = 1
            elif kind == K_TEXT_APPEND:
                if last_text != g or not last_full or start >= nbits:
                    continue
                nread = (nbits - width - start) // 6
                end, trimmed, stopped = _write_text(
                    sx, start, nread, tdata, tb, last_end, last_trimmed
                )
                cursor[g] = trimmed
            elif kind == K_DATA:
                stop = nbits - width
                if start > stop:
                    continue
                cursor[g] = _write_data(sx, start, stop, tdata, tb, cursor[g])
                tval[vi] = 1
        tf = text_first[fam]
        for t in range(text_count[fam]):
            g = tf + t
            toff[text_off_base[g] + row + 1] = cursor[g]
