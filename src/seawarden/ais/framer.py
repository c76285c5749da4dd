"""Compiled NMEA framing: lines in, AIS messages (payload references and metadata) out.

One pass over a buffer of lines handles tag blocks (NMEA 4.10), ``$PGHP`` timestamp
lines, USCG trailing fields and epoch columns, checksums, and multi-sentence reassembly
keyed on (station, channel, sequence id, count) or on the tag-block group. Reassembly
state lives in :class:`FramerState` arrays so a stream can be fed chunk by chunk. Every
line gets exactly one :class:`~seawarden.ais.errors.Outcome`; lines of a message still
waiting for fragments are counted when it completes or is evicted.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, TypeVar, cast

import numba
import numpy as np
import numpy.typing as npt

from seawarden.ais.errors import Outcome

F = TypeVar("F", bound=Callable[..., Any])


def njit(fn: F) -> F:
    """Compile with numba (cached on disk), keeping the function's type for mypy."""
    return cast(F, numba.njit(cache=True, nogil=True)(fn))


NO_TIME = np.iinfo(np.int64).min
MAX_PARTS = 9
MAX_SENTENCE_CHARS = 256
SLOTS = 256
STATION_SLOTS = 1 << 16
STATION_WIDTH = 48
TAG_WIDTH = 256

# Scalar state (FramerState.scalars).
S_PGHP_TIME, S_PGHP_STATION, S_PGHP_LINE, S_STATIONS, S_LINES, S_STATION_OVERFLOW = range(6)
N_SCALARS = 8

# Message record columns (one row per framed message).
M_SRC, M_START, M_LEN, M_FILL, M_RX, M_STATION, M_CHANNEL, M_TALKER = range(8)
M_VDO, M_CKS, M_LINE, M_NPARTS, M_TAG_START, M_TAG_LEN, M_HASH = range(8, 15)
N_MCOLS = 15

# Pending fragment slot columns: key part.
K_USED, K_STATION, K_CHANNEL, K_SEQ, K_COUNT, K_GROUP, K_TALKER, K_VDO = range(8)
# Pending fragment slot columns: info part.
I_FIRST_LINE, I_RX, I_MASK, I_RECEIVED, I_CKS, I_TAG_LEN, I_FILL, I_ORDER = range(8)

# Checksum states.
CKS_BAD, CKS_OK, CKS_ABSENT = 0, 1, 2

# Config vector.
C_STRICT, C_MAX_LINE, C_WINDOW, C_MAX_AGE = range(4)

# Codes used inside the kernel (Outcome values).
OK = int(Outcome.OK)
METADATA = int(Outcome.METADATA)
NOT_AIS = int(Outcome.NOT_AIS)
BAD_CHECKSUM = int(Outcome.BAD_CHECKSUM)
NO_CHECKSUM = int(Outcome.NO_CHECKSUM)
BAD_PREFIX = int(Outcome.BAD_PREFIX)
TOO_LONG = int(Outcome.TOO_LONG)
NON_ASCII = int(Outcome.NON_ASCII)
BAD_FRAGMENT = int(Outcome.BAD_FRAGMENT)
FRAGMENT_TIMEOUT = int(Outcome.FRAGMENT_TIMEOUT)
BAD_TAG_BLOCK = int(Outcome.BAD_TAG_BLOCK)
EMPTY_PAYLOAD = int(Outcome.EMPTY_PAYLOAD)
BAD_PAYLOAD = int(Outcome.BAD_PAYLOAD)
N_OUTCOMES = len(Outcome)

U8 = npt.NDArray[np.uint8]
I64 = npt.NDArray[np.int64]
U64 = npt.NDArray[np.uint64]


class FramerState:
    """Reassembly and interning state carried from one buffer to the next."""

    def __init__(self) -> None:
        self.scalars: I64 = np.zeros(N_SCALARS, dtype=np.int64)
        self.scalars[S_PGHP_TIME] = NO_TIME
        self.scalars[S_PGHP_LINE] = -2
        self.station_hash: U64 = np.zeros(STATION_SLOTS, dtype=np.uint64)
        self.station_id: I64 = np.zeros(STATION_SLOTS, dtype=np.int64)
        self.station_bytes: U8 = np.zeros((STATION_SLOTS // 2 + 1, STATION_WIDTH), dtype=np.uint8)
        self.station_len: I64 = np.zeros(STATION_SLOTS // 2 + 1, dtype=np.int64)
        self.slot_key: I64 = np.zeros((SLOTS, 8), dtype=np.int64)
        self.slot_info: I64 = np.zeros((SLOTS, 8), dtype=np.int64)
        self.slot_line: I64 = np.zeros((SLOTS, MAX_PARTS), dtype=np.int64)
        self.slot_chars: U8 = np.zeros((SLOTS, MAX_PARTS, MAX_SENTENCE_CHARS), dtype=np.uint8)
        self.slot_len: I64 = np.zeros((SLOTS, MAX_PARTS), dtype=np.int64)
        self.slot_tag: U8 = np.zeros((SLOTS, TAG_WIDTH), dtype=np.uint8)
        self.stations: list[str] = [""]

    @property
    def lines_read(self) -> int:
        """Lines seen so far."""
        return int(self.scalars[S_LINES])

    def pending_lines(self) -> int:
        """Lines held in incomplete multi-sentence messages."""
        used = self.slot_key[:, K_USED] != 0
        return int(self.slot_info[used, I_RECEIVED].sum())

    def station_names(self) -> list[str]:
        """Interned station names; index = station id (0: unknown)."""
        n = int(self.scalars[S_STATIONS])
        for sid in range(len(self.stations), n + 1):
            raw = bytes(self.station_bytes[sid, : self.station_len[sid]])
            self.stations.append(raw.decode("ascii", "replace"))
        return self.stations


@njit
def _hexval(c: int) -> int:
    if 48 <= c <= 57:
        return c - 48
    if 65 <= c <= 70:
        return c - 55
    if 97 <= c <= 102:
        return c - 87
    return -1


@njit
def _intern(
    buf: U8,
    s: int,
    e: int,
    scalars: I64,
    table_hash: U64,
    table_id: I64,
    sbytes: U8,
    slen: I64,
) -> int:
    """Id of the station name ``buf[s:e]`` (1-based), adding it when new; 0 when full."""
    if e <= s:
        return 0
    if e - s > STATION_WIDTH:
        e = s + STATION_WIDTH
    h = np.uint64(14695981039346656037)
    for k in range(s, e):
        h = (h ^ np.uint64(buf[k])) * np.uint64(1099511628211)
    if h == np.uint64(0):
        h = np.uint64(1)
    mask = STATION_SLOTS - 1
    pos = np.int64(h & np.uint64(mask))
    n = e - s
    while True:
        if table_hash[pos] == np.uint64(0):
            count = scalars[S_STATIONS]
            if count + 1 >= STATION_SLOTS // 2:
                scalars[S_STATION_OVERFLOW] += 1
                return 0
            sid = count + 1
            scalars[S_STATIONS] = sid
            table_hash[pos] = h
            table_id[pos] = sid
            for k in range(n):
                sbytes[sid, k] = buf[s + k]
            slen[sid] = n
            return int(sid)
        if table_hash[pos] == h:
            sid = table_id[pos]
            if slen[sid] == n:
                same = True
                for k in range(n):
                    if sbytes[sid, k] != buf[s + k]:
                        same = False
                        break
                if same:
                    return int(sid)
        pos = (pos + 1) & mask


@njit
def _days_from_civil(y: int, m: int, d: int) -> int:
    y -= 1 if m <= 2 else 0
    era = (y if y >= 0 else y - 399) // 400
    yoe = y - era * 400
    mp = m + 9 if m <= 2 else m - 3
    doy = (153 * mp + 2) // 5 + d - 1
    doe = yoe * 365 + yoe // 4 - yoe // 100 + doy
    return era * 146097 + doe - 719468


@njit
def _parse_uint(buf: U8, s: int, e: int) -> int:
    """Decimal digits in ``buf[s:e]`` as an int; -1 if empty or not all digits."""
    if e <= s or e - s > 18:
        return -1
    v = 0
    for k in range(s, e):
        c = buf[k]
        if c < 48 or c > 57:
            return -1
        v = v * 10 + (c - 48)
    return v


@njit
def _epoch_ms(buf: U8, s: int, e: int) -> int:
    """Unix time in seconds (10 digits), milliseconds (13 digits) or with a fraction, as ms."""
    dot = e
    for k in range(s, e):
        if buf[k] == 46:
            dot = k
            break
    whole = _parse_uint(buf, s, dot)
    if whole < 0:
        return NO_TIME
    frac_ms = 0
    if dot < e:
        scale = 100
        for k in range(dot + 1, min(e, dot + 4)):
            c = buf[k]
            if c < 48 or c > 57:
                return NO_TIME
            frac_ms += (c - 48) * scale
            scale //= 10
    if dot - s >= 12:
        return whole
    return whole * 1000 + frac_ms


@njit
def _reject(rej: I64, n_rej: int, line: int, reason: int, nlines: int, cnt: I64) -> int:
    rej[n_rej, 0] = line
    rej[n_rej, 1] = reason
    rej[n_rej, 2] = nlines
    cnt[reason] += nlines
    return n_rej + 1


@njit
def _evict(
    slot: int,
    reason: int,
    slot_key: I64,
    slot_info: I64,
    slot_line: I64,
    rej: I64,
    n_rej: int,
    cnt: I64,
) -> int:
    mask = slot_info[slot, I_MASK]
    for k in range(MAX_PARTS):
        if mask & (1 << k):
            n_rej = _reject(rej, n_rej, slot_line[slot, k], reason, 1, cnt)
    slot_key[slot, K_USED] = 0
    return n_rej


def _char_classes() -> U8:
    table = np.zeros(256, dtype=np.uint8)
    for c in range(256):
        if (c < 32 and c not in (9, 10, 13)) or c > 126:
            table[c] |= 1
        if not (48 <= c <= 87 or 96 <= c <= 119):
            table[c] |= 2
    for c in (10, 42, 44):
        table[c] |= 4
    return table


def _talker_chars() -> U8:
    table = np.zeros(256, dtype=np.uint8)
    for c in b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-":
        table[c] = 1
    return table


#: Characters accepted in a talker id (letters, digits, and "--" used by some receivers).
TALKER_CHAR = _talker_chars()

#: Per byte: 1 = not printable ASCII, 2 = not a payload armour character, 4 = special.
CHAR_CLASS = _char_classes()

# Results of _scan.
R_END, R_NC, R_STAR, R_XOR, R_BAD, R_BADC = range(6)


@njit
def _scan(buf: U8, p: int, limit: int, commas: I64, res: I64) -> None:
    """One pass over a sentence from ``!`` to the end of its line.

    Records comma positions (up to 8) before ``*``, the ``*`` position, the XOR of the
    characters between ``!`` and ``*``, whether any byte is not printable ASCII, and
    whether the payload (between the 5th and 6th comma) holds a non-armour character.
    """
    k = p + 1
    x = 0
    nc = 0
    star = -1
    bad = 0
    badc = 0
    while k < limit:
        c = buf[k]
        cl = CHAR_CLASS[c]
        if cl & 4:
            if c == 10:
                break
            if c == 42:
                if star < 0:
                    star = k
            elif star < 0:
                if nc < 8:
                    commas[nc] = k
                nc += 1
        elif star < 0 and nc == 5:
            badc |= cl & 2
        bad |= cl & 1
        if star < 0:
            x ^= c
        k += 1
    res[R_END] = k
    res[R_NC] = nc
    res[R_STAR] = star
    res[R_XOR] = x
    res[R_BAD] = bad
    res[R_BADC] = badc


@njit
def frame(
    buf: U8,
    cfg: I64,
    scalars: I64,
    table_hash: U64,
    table_id: I64,
    sbytes: U8,
    slen: I64,
    slot_key: I64,
    slot_info: I64,
    slot_line: I64,
    slot_chars: U8,
    slot_len: I64,
    slot_tag: U8,
    msgs: I64,
    asm: U8,
    tags: U8,
    rej: I64,
    cnt: I64,
    final: bool,
) -> tuple[int, int, int, int]:
    """Frame every line of ``buf``; returns (messages, rejects, asm bytes, tag bytes)."""
    strict = cfg[C_STRICT] != 0
    max_line = cfg[C_MAX_LINE]
    window = cfg[C_WINDOW]
    max_age = cfg[C_MAX_AGE]
    n = buf.size
    pos = 0
    n_msg = 0
    n_rej = 0
    n_asm = 0
    n_tag = 0
    commas = np.empty(16, dtype=np.int64)
    res = np.empty(6, dtype=np.int64)
    while pos < n:
        ls = pos
        scanned = buf[ls] == 33
        if scanned:
            # Fast path: a bare sentence, scanned once up to its newline.
            _scan(buf, ls, n, commas, res)
            e = res[R_END]
            bad_byte = res[R_BAD] != 0
        else:
            e = pos
            bad_byte = False
            while e < n:
                c = buf[e]
                if c == 10:
                    break
                if CHAR_CLASS[c] & 1:
                    bad_byte = True
                e += 1
        pos = e + 1
        le = e
        while le > ls and (buf[le - 1] == 13 or buf[le - 1] == 32 or buf[le - 1] == 9):
            le -= 1
        line = scalars[S_LINES]
        scalars[S_LINES] = line + 1

        if le == ls or buf[ls] == 35:
            # Blank line or comment.
            cnt[NOT_AIS] += 1
            continue
        if le - ls > max_line:
            n_rej = _reject(rej, n_rej, line, TOO_LONG, 1, cnt)
            continue
        if bad_byte:
            n_rej = _reject(rej, n_rej, line, NON_ASCII, 1, cnt)
            continue

        # ---- tag blocks -------------------------------------------------------------
        p = ls
        tag_time = NO_TIME
        tag_station = 0
        g_num = 0
        g_count = 0
        g_id = -1
        tag_extra_s = -1
        tag_extra_e = -1
        tag_ok = True
        tag_error = False
        while p < le and buf[p] == 92:
            close = -1
            for k in range(p + 1, le):
                if buf[k] == 92:
                    close = k
                    break
            if close < 0:
                tag_error = True
                break
            star = -1
            for k in range(close - 1, p, -1):
                if buf[k] == 42:
                    star = k
                    break
            fields_end = close
            if star >= 0:
                fields_end = star
                x = 0
                for k in range(p + 1, star):
                    x ^= buf[k]
                want = 0
                nd = 0
                for k in range(star + 1, close):
                    hv = _hexval(buf[k])
                    if hv < 0 or nd >= 2:
                        nd = 3
                        break
                    want = want * 16 + hv
                    nd += 1
                if nd < 1 or nd > 2 or want != x:
                    tag_ok = False
            else:
                tag_ok = False
            fs = p + 1
            extra = False
            while fs < fields_end:
                fe = fs
                while fe < fields_end and buf[fe] != 44:
                    fe += 1
                colon = -1
                for k in range(fs, fe):
                    if buf[k] == 58:
                        colon = k
                        break
                if colon <= fs:
                    tag_error = True
                    break
                key = buf[fs] if colon == fs + 1 else 0
                gpos = -1
                if colon > fs + 1:
                    # IEC 62320-1 grouping "<n>G<count>:<id>".
                    for k in range(fs, colon):
                        if buf[k] == 71:
                            gpos = k
                            break
                if gpos > fs:
                    g_num = _parse_uint(buf, fs, gpos)
                    g_count = _parse_uint(buf, gpos + 1, colon)
                    g_id = _parse_uint(buf, colon + 1, fe)
                    if g_num < 1 or g_count < 1 or g_id < 0:
                        tag_error = True
                        break
                elif key == 99:  # c
                    tag_time = _epoch_ms(buf, colon + 1, fe)
                    if tag_time == NO_TIME:
                        tag_error = True
                        break
                elif key == 115:  # s
                    tag_station = _intern(
                        buf, colon + 1, fe, scalars, table_hash, table_id, sbytes, slen
                    )
                elif key == 103:  # g
                    d1 = -1
                    d2 = -1
                    for k in range(colon + 1, fe):
                        if buf[k] == 45:
                            if d1 < 0:
                                d1 = k
                            elif d2 < 0:
                                d2 = k
                    if d1 < 0 or d2 < 0:
                        tag_error = True
                        break
                    g_num = _parse_uint(buf, colon + 1, d1)
                    g_count = _parse_uint(buf, d1 + 1, d2)
                    g_id = _parse_uint(buf, d2 + 1, fe)
                    if g_num < 1 or g_count < 1 or g_id < 0:
                        tag_error = True
                        break
                else:
                    extra = True
                fs = fe + 1
            if tag_error:
                break
            if extra:
                tag_extra_s = p + 1
                tag_extra_e = fields_end
            p = close + 1
        if tag_error or (strict and not tag_ok):
            n_rej = _reject(rej, n_rej, line, BAD_TAG_BLOCK, 1, cnt)
            continue
        if p >= le:
            cnt[METADATA] += 1
            continue

        # ---- $PGHP and other $ sentences -------------------------------------------
        c0 = buf[p]
        if c0 == 36:
            if (
                le - p > 6
                and buf[p + 1] == 80
                and buf[p + 2] == 71
                and buf[p + 3] == 72
                and buf[p + 4] == 80
                and buf[p + 5] == 44
            ):
                nc = 0
                star = le
                for k in range(p + 5, le):
                    if buf[k] == 42:
                        star = k
                        break
                    if buf[k] == 44 and nc < 14:
                        commas[nc] = k
                        nc += 1
                if nc >= 12:
                    y = _parse_uint(buf, commas[1] + 1, commas[2])
                    mo = _parse_uint(buf, commas[2] + 1, commas[3])
                    d = _parse_uint(buf, commas[3] + 1, commas[4])
                    hh = _parse_uint(buf, commas[4] + 1, commas[5])
                    mi = _parse_uint(buf, commas[5] + 1, commas[6])
                    ss = _parse_uint(buf, commas[6] + 1, commas[7])
                    ms = _parse_uint(buf, commas[7] + 1, commas[8])
                    if (
                        1 <= mo <= 12
                        and 1 <= d <= 31
                        and 0 <= hh < 24
                        and 0 <= mi < 60
                        and 0 <= ss < 61
                        and y >= 1970
                    ):
                        t = (_days_from_civil(y, mo, d) * 86400 + hh * 3600 + mi * 60 + ss) * 1000
                        if 0 <= ms < 1000:
                            t += ms
                        scalars[S_PGHP_TIME] = t
                        scalars[S_PGHP_LINE] = line
                        scalars[S_PGHP_STATION] = _intern(
                            buf,
                            commas[10] + 1,
                            commas[11],
                            scalars,
                            table_hash,
                            table_id,
                            sbytes,
                            slen,
                        )
                cnt[METADATA] += 1
                continue
            cnt[NOT_AIS] += 1
            continue
        if c0 != 33:
            # Tolerate a prefix (e.g. a logger's timestamp) before the sentence.
            found = -1
            if c0 != 35:
                for k in range(p + 1, le - 6):
                    if buf[k] == 33 and buf[k + 3] == 86 and buf[k + 4] == 68:
                        found = k
                        break
            if found < 0:
                cnt[NOT_AIS] += 1
                continue
            p = found
        if p != ls:
            scanned = False

        # ---- the sentence ------------------------------------------------------------
        if (
            le - p >= 7
            and TALKER_CHAR[buf[p + 1]] != 0
            and TALKER_CHAR[buf[p + 2]] != 0
            and 65 <= buf[p + 3] <= 90
            and 65 <= buf[p + 4] <= 90
            and 65 <= buf[p + 5] <= 90
            and buf[p + 6] == 44
            and not (
                buf[p + 3] == 86 and buf[p + 4] == 68 and (buf[p + 5] == 77 or buf[p + 5] == 79)
            )
        ):
            # Another encapsulated sentence (e.g. !AIALR, !AIPWR): not AIS data.
            cnt[NOT_AIS] += 1
            continue
        if (
            le - p < 8
            or TALKER_CHAR[buf[p + 1]] == 0
            or TALKER_CHAR[buf[p + 2]] == 0
            or buf[p + 3] != 86
            or buf[p + 4] != 68
            or (buf[p + 5] != 77 and buf[p + 5] != 79)
            or buf[p + 6] != 44
        ):
            n_rej = _reject(rej, n_rej, line, BAD_PREFIX, 1, cnt)
            continue
        if not scanned:
            _scan(buf, p, le, commas, res)
        nc = res[R_NC]
        star = res[R_STAR]
        if star >= le:
            star = -1
        x = res[R_XOR]
        if star >= 0:
            field_end = star
            if nc != 6:
                n_rej = _reject(rej, n_rej, line, BAD_PREFIX, 1, cnt)
                continue
        else:
            # Without a checksum the fill field ends at the next comma, if any.
            if nc < 6:
                n_rej = _reject(rej, n_rej, line, BAD_PREFIX, 1, cnt)
                continue
            field_end = commas[6] if nc >= 7 else le
        cks = CKS_ABSENT
        after = field_end
        if star >= 0:
            if star + 2 < le + 0 and _hexval(buf[star + 1]) >= 0 and _hexval(buf[star + 2]) >= 0:
                want = _hexval(buf[star + 1]) * 16 + _hexval(buf[star + 2])
                cks = CKS_OK if want == x else CKS_BAD
                after = star + 3
            elif star + 2 == le and _hexval(buf[star + 1]) >= 0:
                cks = CKS_BAD
                after = le
            else:
                cks = CKS_BAD
                after = star + 1
                while after < le and buf[after] != 44:
                    after += 1
        if strict and cks != CKS_OK:
            n_rej = _reject(
                rej, n_rej, line, BAD_CHECKSUM if cks == CKS_BAD else NO_CHECKSUM, 1, cnt
            )
            continue
        if not tag_ok:
            cks = CKS_BAD
        count = _parse_uint(buf, commas[0] + 1, commas[1])
        num = _parse_uint(buf, commas[1] + 1, commas[2])
        if count < 1 or count > MAX_PARTS or num < 1 or num > count:
            n_rej = _reject(rej, n_rej, line, BAD_FRAGMENT, 1, cnt)
            continue
        seq = -1
        if commas[3] > commas[2] + 1:
            seq = _parse_uint(buf, commas[2] + 1, commas[3])
            if seq < 0:
                n_rej = _reject(rej, n_rej, line, BAD_FRAGMENT, 1, cnt)
                continue
        channel = 0
        if commas[4] == commas[3] + 2:
            channel = buf[commas[3] + 1]
        elif commas[4] != commas[3] + 1:
            n_rej = _reject(rej, n_rej, line, BAD_PREFIX, 1, cnt)
            continue
        ps = commas[4] + 1
        pe = commas[5]
        if pe == ps:
            n_rej = _reject(rej, n_rej, line, EMPTY_PAYLOAD, 1, cnt)
            continue
        if pe - ps > MAX_SENTENCE_CHARS:
            n_rej = _reject(rej, n_rej, line, TOO_LONG, 1, cnt)
            continue
        bad_char = res[R_BADC] != 0
        fill = 0
        if field_end > pe + 1:
            fill = _parse_uint(buf, pe + 1, field_end)
        if bad_char or fill < 0 or fill > 5:
            n_rej = _reject(rej, n_rej, line, BAD_PAYLOAD, 1, cnt)
            continue

        # ---- trailing fields (USCG / epoch columns) ----------------------------------
        trail_time = NO_TIME
        trail_station = 0
        q = after
        while q < le and buf[q] == 44:
            ts = q + 1
            te = ts
            while te < le and buf[te] != 44:
                te += 1
            if te > ts:
                c = buf[ts]
                if 48 <= c <= 57:
                    if trail_time == NO_TIME:
                        trail_time = _epoch_ms(buf, ts, te)
                elif (c == 114 or c == 98) and trail_station == 0:
                    trail_station = _intern(
                        buf, ts, te, scalars, table_hash, table_id, sbytes, slen
                    )
            q = te

        rx = tag_time
        if rx == NO_TIME:
            rx = trail_time
        station = tag_station
        if station == 0:
            station = trail_station
        if scalars[S_PGHP_LINE] == line - 1:
            if rx == NO_TIME:
                rx = scalars[S_PGHP_TIME]
            if station == 0:
                station = scalars[S_PGHP_STATION]
        talker = buf[p + 1] * 256 + buf[p + 2]
        vdo = 1 if buf[p + 5] == 79 else 0

        if count == 1:
            r = n_msg
            msgs[M_SRC, r] = 0
            msgs[M_START, r] = ps
            msgs[M_LEN, r] = pe - ps
            msgs[M_FILL, r] = fill
            msgs[M_RX, r] = rx
            msgs[M_STATION, r] = station
            msgs[M_CHANNEL, r] = channel
            msgs[M_TALKER, r] = talker
            msgs[M_VDO, r] = vdo
            msgs[M_CKS, r] = cks
            msgs[M_LINE, r] = line
            msgs[M_NPARTS, r] = 1
            msgs[M_TAG_START, r] = n_tag
            tl = 0
            if tag_extra_s >= 0:
                tl = min(tag_extra_e - tag_extra_s, TAG_WIDTH)
                for k in range(tl):
                    tags[n_tag + k] = buf[tag_extra_s + k]
                n_tag += tl
            msgs[M_TAG_LEN, r] = tl
            n_msg += 1
            cnt[OK] += 1
            continue

        # ---- multi-sentence reassembly -----------------------------------------------
        grouped = g_id >= 0 and g_count == count
        slot = -1
        free = -1
        oldest = -1
        for s in range(SLOTS):
            if slot_key[s, K_USED] == 0:
                if free < 0:
                    free = s
                continue
            too_old = line - slot_info[s, I_FIRST_LINE] > window
            if not too_old and rx != NO_TIME and slot_info[s, I_RX] != NO_TIME:
                too_old = rx - slot_info[s, I_RX] > max_age
            if too_old:
                n_rej = _evict(s, FRAGMENT_TIMEOUT, slot_key, slot_info, slot_line, rej, n_rej, cnt)
                if free < 0:
                    free = s
                continue
            if oldest < 0 or slot_info[s, I_ORDER] < slot_info[oldest, I_ORDER]:
                oldest = s
            if slot_key[s, K_COUNT] != count:
                continue
            if grouped:
                if slot_key[s, K_GROUP] != g_id:
                    continue
                ss = slot_key[s, K_STATION]
                if ss != 0 and station != 0 and ss != station:
                    continue
            else:
                ss = slot_key[s, K_STATION]
                if (
                    slot_key[s, K_GROUP] >= 0
                    or (ss != station and ss != 0 and station != 0)
                    or slot_key[s, K_CHANNEL] != channel
                    or slot_key[s, K_SEQ] != seq
                ):
                    continue
            slot = s
            break
        part = num - 1
        if slot >= 0 and slot_info[slot, I_MASK] & (1 << part):
            if part == 0:
                # The sender started the message again: the old one will never complete.
                n_rej = _evict(
                    slot, FRAGMENT_TIMEOUT, slot_key, slot_info, slot_line, rej, n_rej, cnt
                )
                free = slot
                slot = -1
            else:
                n_rej = _reject(rej, n_rej, line, BAD_FRAGMENT, 1, cnt)
                continue
        if slot < 0:
            if free < 0:
                n_rej = _evict(
                    oldest, FRAGMENT_TIMEOUT, slot_key, slot_info, slot_line, rej, n_rej, cnt
                )
                free = oldest
            slot = free
            slot_key[slot, K_USED] = 1
            slot_key[slot, K_STATION] = station
            slot_key[slot, K_CHANNEL] = channel
            slot_key[slot, K_SEQ] = seq
            slot_key[slot, K_COUNT] = count
            slot_key[slot, K_GROUP] = g_id if grouped else -1
            slot_key[slot, K_TALKER] = talker
            slot_key[slot, K_VDO] = vdo
            slot_info[slot, I_FIRST_LINE] = line
            slot_info[slot, I_RX] = rx
            slot_info[slot, I_MASK] = 0
            slot_info[slot, I_RECEIVED] = 0
            slot_info[slot, I_CKS] = CKS_OK
            slot_info[slot, I_TAG_LEN] = 0
            slot_info[slot, I_FILL] = 0
            slot_info[slot, I_ORDER] = line
        else:
            if slot_key[slot, K_STATION] == 0:
                slot_key[slot, K_STATION] = station
            if slot_info[slot, I_RX] == NO_TIME:
                slot_info[slot, I_RX] = rx
        slot_info[slot, I_MASK] |= 1 << part
        slot_info[slot, I_RECEIVED] += 1
        if cks == CKS_BAD:
            slot_info[slot, I_CKS] = CKS_BAD
        elif cks == CKS_ABSENT and slot_info[slot, I_CKS] == CKS_OK:
            slot_info[slot, I_CKS] = CKS_ABSENT
        if num == count:
            slot_info[slot, I_FILL] = fill
        slot_line[slot, part] = line
        slot_len[slot, part] = pe - ps
        for k in range(pe - ps):
            slot_chars[slot, part, k] = buf[ps + k]
        if part == 0 and tag_extra_s >= 0:
            tl = min(tag_extra_e - tag_extra_s, TAG_WIDTH)
            for k in range(tl):
                slot_tag[slot, k] = buf[tag_extra_s + k]
            slot_info[slot, I_TAG_LEN] = tl
        if slot_info[slot, I_RECEIVED] < count:
            continue
        # Complete: copy the parts in order into the assembly buffer.
        r = n_msg
        start = n_asm
        for k in range(count):
            ln = slot_len[slot, k]
            for j in range(ln):
                asm[n_asm + j] = slot_chars[slot, k, j]
            n_asm += ln
        msgs[M_SRC, r] = 1
        msgs[M_START, r] = start
        msgs[M_LEN, r] = n_asm - start
        msgs[M_FILL, r] = slot_info[slot, I_FILL]
        msgs[M_RX, r] = slot_info[slot, I_RX]
        msgs[M_STATION, r] = slot_key[slot, K_STATION]
        msgs[M_CHANNEL, r] = slot_key[slot, K_CHANNEL]
        msgs[M_TALKER, r] = slot_key[slot, K_TALKER]
        msgs[M_VDO, r] = slot_key[slot, K_VDO]
        msgs[M_CKS, r] = slot_info[slot, I_CKS]
        msgs[M_LINE, r] = slot_info[slot, I_FIRST_LINE]
        msgs[M_NPARTS, r] = count
        msgs[M_TAG_START, r] = n_tag
        tl = slot_info[slot, I_TAG_LEN]
        for k in range(tl):
            tags[n_tag + k] = slot_tag[slot, k]
        n_tag += tl
        msgs[M_TAG_LEN, r] = tl
        n_msg += 1
        cnt[OK] += count
        slot_key[slot, K_USED] = 0

    # End of buffer: evict what is too old to complete, or everything when final.
    line = scalars[S_LINES]
    for s in range(SLOTS):
        if slot_key[s, K_USED] == 0:
            continue
        if final or line - slot_info[s, I_FIRST_LINE] > window:
            n_rej = _evict(s, FRAGMENT_TIMEOUT, slot_key, slot_info, slot_line, rej, n_rej, cnt)
    return n_msg, n_rej, n_asm, n_tag
