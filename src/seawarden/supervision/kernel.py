"""Compiled rule state machines (pure numpy/numba; no I/O).

:func:`zone_rules` runs the zone rules over positions sorted by vessel and time, given for
each position the zones it is in (CSR: ``m_ptr``/``m_zone``/``m_inner``). Per vessel it keeps
up to :data:`MAX_ACTIVE` zones it is inside, with the runs (overspeed, stopped, anchored,
fishing) that rules time. :func:`behaviour_rules` finds reporting gaps and loitering.
Both carry their state in arrays between calls, so a live stream fed in batches and a
history fed at once give the same events. Events are written to preallocated arrays:
kind code, phase (0 open, 1 close, 2 instant), vessel slot, zone, start, end, row, value.
"""

from __future__ import annotations

import math

import numpy as np
import numpy.typing as npt

from seawarden.ais.framer import njit

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
B = npt.NDArray[np.bool_]
U64 = npt.NDArray[np.uint64]

MAX_ACTIVE = 16
"""Zones a vessel can be inside at once (more are ignored and counted)."""

# Kind codes: the order of events.AlertKind.
(
    K_ENTER,
    K_EXIT,
    K_DWELL,
    K_OVERSPEED,
    K_NO_STOP,
    K_NO_ANCHOR,
    K_GAP,
    K_LOITER,
    K_FISHING,
    K_FORBIDDEN,
) = range(10)
OPEN, CLOSE, INSTANT = 0, 1, 2
FISHING_CLASS = 8
EARTH_R_NM = 6371.0088 / 1.852

# Zone rule array columns (float64 matrix ``zf`` and int64 matrix ``zi``).
ZF_SPEED, ZF_STOP_SOG, ZF_MIN_LEN, ZF_FISHING_MAX = range(4)
(
    ZI_OVERSPEED_MS,
    ZI_DWELL_MS,
    ZI_NO_STOP,
    ZI_MIN_STOP_MS,
    ZI_NO_ANCHOR,
    ZI_MIN_ANCHOR_MS,
    ZI_FISHING,
    ZI_MIN_FISHING_MS,
    ZI_APPLIES,
    ZI_FORBID,
    ZI_NOTIFY_ENTER,
    ZI_NOTIFY_EXIT,
    ZI_HARBOUR,
) = range(13)
N_ZF, N_ZI = 4, 13

# Per-vessel active-zone state columns (int64 matrix ``ai`` [slot, k, col]).
(
    A_ZONE,
    A_ENTER,
    A_LAST,
    A_OS_START,
    A_OS_OPEN,
    A_STOP_START,
    A_STOP_OPEN,
    A_ANC_START,
    A_ANC_OPEN,
    A_FISH_START,
    A_FISH_OPEN,
    A_DWELL_OPEN,
    A_FORBID_OPEN,
    A_SEEN,
) = range(14)
N_AI = 14


@njit
def _emit(
    ev: I64,
    evv: F64,
    n: int,
    kind: int,
    phase: int,
    slot: int,
    zone: int,
    start: int,
    end: int,
    row: int,
    value: float,
) -> int:
    if n >= ev.shape[0]:
        return n
    ev[n, 0] = kind
    ev[n, 1] = phase
    ev[n, 2] = slot
    ev[n, 3] = zone
    ev[n, 4] = start
    ev[n, 5] = end
    ev[n, 6] = row
    evv[n] = value
    return n + 1


@njit
def _closed(zone: int, t: int, c_ptr: I64, c_lo: I64, c_hi: I64) -> bool:
    for k in range(c_ptr[zone], c_ptr[zone + 1]):  # noqa: SIM110 - compiled loop
        if c_lo[k] <= t < c_hi[k]:
            return True
    return False


@njit
def _close_all(ai: I64, s: int, j: int, end: int, row: int, ev: I64, evv: F64, n: int) -> int:
    z = ai[s, j, A_ZONE]
    if ai[s, j, A_OS_OPEN] == 1:
        n = _emit(ev, evv, n, K_OVERSPEED, CLOSE, s, z, ai[s, j, A_OS_START], end, row, math.nan)
    if ai[s, j, A_STOP_OPEN] == 1:
        n = _emit(ev, evv, n, K_NO_STOP, CLOSE, s, z, ai[s, j, A_STOP_START], end, row, math.nan)
    if ai[s, j, A_ANC_OPEN] == 1:
        n = _emit(ev, evv, n, K_NO_ANCHOR, CLOSE, s, z, ai[s, j, A_ANC_START], end, row, math.nan)
    if ai[s, j, A_FISH_OPEN] == 1:
        n = _emit(ev, evv, n, K_FISHING, CLOSE, s, z, ai[s, j, A_FISH_START], end, row, math.nan)
    if ai[s, j, A_DWELL_OPEN] == 1:
        n = _emit(ev, evv, n, K_DWELL, CLOSE, s, z, ai[s, j, A_ENTER], end, row, math.nan)
    if ai[s, j, A_FORBID_OPEN] == 1:
        n = _emit(ev, evv, n, K_FORBIDDEN, CLOSE, s, z, ai[s, j, A_ENTER], end, row, math.nan)
    return n


@njit
def zone_rules(
    slot: I64,
    t: I64,
    sog: F64,
    status: I64,
    vclass: I64,
    shiptype: I64,
    length: F64,
    harbour: B,
    m_ptr: I64,
    m_zone: I64,
    m_inner: B,
    zf: F64,
    zi: I64,
    forbid_lo: U64,
    forbid_hi: U64,
    c_ptr: I64,
    c_lo: I64,
    c_hi: I64,
    ai: I64,
    ai_max: F64,
    last_t: I64,
    ev: I64,
    evv: F64,
    counters: I64,
) -> int:
    """Zone rules over rows sorted by (slot, time); returns the number of events written.

    ``counters``: [late rows skipped, memberships ignored (too many zones at once)].
    """
    n = 0
    for r in range(slot.size):
        s = slot[r]
        tr = t[r]
        if tr < last_t[s]:
            counters[0] += 1
            continue
        last_t[s] = tr
        v = sog[r]
        # 1. memberships of this row: mark seen, enter new zones
        for j in range(MAX_ACTIVE):
            ai[s, j, A_SEEN] = 0
        for m in range(m_ptr[r], m_ptr[r + 1]):
            z = m_zone[m]
            found = -1
            free = -1
            for j in range(MAX_ACTIVE):
                if ai[s, j, A_ZONE] == z:
                    found = j
                    break
                if free < 0 and ai[s, j, A_ZONE] < 0:
                    free = j
            if found >= 0:
                ai[s, found, A_SEEN] = 1
                ai[s, found, A_LAST] = tr
                continue
            if not m_inner[m]:
                continue
            if free < 0:
                counters[1] += 1
                continue
            for c in range(N_AI):
                ai[s, free, c] = -1
            ai[s, free, A_ZONE] = z
            ai[s, free, A_ENTER] = tr
            ai[s, free, A_LAST] = tr
            ai[s, free, A_SEEN] = 1
            for c in (A_OS_OPEN, A_STOP_OPEN, A_ANC_OPEN, A_FISH_OPEN, A_DWELL_OPEN, A_FORBID_OPEN):
                ai[s, free, c] = 0
            ai_max[s, free] = 0.0
            long_enough = math.isnan(zf[z, ZF_MIN_LEN]) or length[r] >= zf[z, ZF_MIN_LEN]
            applies = (
                zi[z, ZI_APPLIES] == 0 or (vclass[r] & zi[z, ZI_APPLIES]) != 0
            ) and long_enough
            if zi[z, ZI_NOTIFY_ENTER] == 1 and applies:
                n = _emit(ev, evv, n, K_ENTER, INSTANT, s, z, tr, tr, r, math.nan)
            st = shiptype[r]
            forbidden = (vclass[r] & zi[z, ZI_FORBID]) != 0
            if 0 <= st < 64 and (forbid_lo[z] >> np.uint64(st)) & np.uint64(1):
                forbidden = True
            if 64 <= st < 100 and (forbid_hi[z] >> np.uint64(st - 64)) & np.uint64(1):
                forbidden = True
            if forbidden and long_enough:
                ai[s, free, A_FORBID_OPEN] = 1
                n = _emit(ev, evv, n, K_FORBIDDEN, OPEN, s, z, tr, -1, r, math.nan)
        # 2. zones left (outside their outer geometry), then rules in the zones still held
        for j in range(MAX_ACTIVE):
            z = ai[s, j, A_ZONE]
            if z < 0:
                continue
            if ai[s, j, A_SEEN] == 0:
                end = ai[s, j, A_LAST]
                n = _close_all(ai, s, j, end, r, ev, evv, n)
                long_enough = math.isnan(zf[z, ZF_MIN_LEN]) or length[r] >= zf[z, ZF_MIN_LEN]
                applies = (
                    zi[z, ZI_APPLIES] == 0 or (vclass[r] & zi[z, ZI_APPLIES]) != 0
                ) and long_enough
                if zi[z, ZI_NOTIFY_EXIT] == 1 and applies:
                    n = _emit(ev, evv, n, K_EXIT, INSTANT, s, z, tr, tr, r, math.nan)
                ai[s, j, A_ZONE] = -1
                continue
            long_enough = math.isnan(zf[z, ZF_MIN_LEN]) or length[r] >= zf[z, ZF_MIN_LEN]
            applies = (
                zi[z, ZI_APPLIES] == 0 or (vclass[r] & zi[z, ZI_APPLIES]) != 0
            ) and long_enough
            if not applies:
                continue
            # overspeed, with 0.5 kn hysteresis
            limit = zf[z, ZF_SPEED]
            if not math.isnan(limit) and not math.isnan(v):
                if v > limit:
                    if ai[s, j, A_OS_START] < 0:
                        ai[s, j, A_OS_START] = tr
                        ai_max[s, j] = v
                    elif v > ai_max[s, j]:
                        ai_max[s, j] = v
                    if (
                        ai[s, j, A_OS_OPEN] == 0
                        and tr - ai[s, j, A_OS_START] >= zi[z, ZI_OVERSPEED_MS]
                    ):
                        ai[s, j, A_OS_OPEN] = 1
                        n = _emit(
                            ev,
                            evv,
                            n,
                            K_OVERSPEED,
                            OPEN,
                            s,
                            z,
                            ai[s, j, A_OS_START],
                            -1,
                            r,
                            ai_max[s, j],
                        )
                elif v <= limit - 0.5:
                    if ai[s, j, A_OS_OPEN] == 1:
                        n = _emit(
                            ev,
                            evv,
                            n,
                            K_OVERSPEED,
                            CLOSE,
                            s,
                            z,
                            ai[s, j, A_OS_START],
                            tr,
                            r,
                            ai_max[s, j],
                        )
                    ai[s, j, A_OS_START] = -1
                    ai[s, j, A_OS_OPEN] = 0
            # dwell
            dwell = zi[z, ZI_DWELL_MS]
            if dwell > 0 and ai[s, j, A_DWELL_OPEN] == 0 and tr - ai[s, j, A_ENTER] >= dwell:
                ai[s, j, A_DWELL_OPEN] = 1
                n = _emit(ev, evv, n, K_DWELL, OPEN, s, z, ai[s, j, A_ENTER], -1, r, math.nan)
            stop_sog = zf[z, ZF_STOP_SOG]
            stopped = not math.isnan(v) and v < stop_sog
            moving = not math.isnan(v) and v > stop_sog + 0.5
            # stopping where it is forbidden
            if zi[z, ZI_NO_STOP] == 1:
                if stopped:
                    if ai[s, j, A_STOP_START] < 0:
                        ai[s, j, A_STOP_START] = tr
                    if (
                        ai[s, j, A_STOP_OPEN] == 0
                        and tr - ai[s, j, A_STOP_START] >= zi[z, ZI_MIN_STOP_MS]
                    ):
                        ai[s, j, A_STOP_OPEN] = 1
                        n = _emit(
                            ev,
                            evv,
                            n,
                            K_NO_STOP,
                            OPEN,
                            s,
                            z,
                            ai[s, j, A_STOP_START],
                            -1,
                            r,
                            math.nan,
                        )
                elif moving:
                    if ai[s, j, A_STOP_OPEN] == 1:
                        n = _emit(
                            ev,
                            evv,
                            n,
                            K_NO_STOP,
                            CLOSE,
                            s,
                            z,
                            ai[s, j, A_STOP_START],
                            tr,
                            r,
                            math.nan,
                        )
                    ai[s, j, A_STOP_START] = -1
                    ai[s, j, A_STOP_OPEN] = 0
            # anchoring where it is forbidden
            if zi[z, ZI_NO_ANCHOR] == 1:
                anchored = status[r] == 1 or stopped
                if anchored:
                    if ai[s, j, A_ANC_START] < 0:
                        ai[s, j, A_ANC_START] = tr
                    if (
                        ai[s, j, A_ANC_OPEN] == 0
                        and tr - ai[s, j, A_ANC_START] >= zi[z, ZI_MIN_ANCHOR_MS]
                    ):
                        ai[s, j, A_ANC_OPEN] = 1
                        n = _emit(
                            ev,
                            evv,
                            n,
                            K_NO_ANCHOR,
                            OPEN,
                            s,
                            z,
                            ai[s, j, A_ANC_START],
                            -1,
                            r,
                            math.nan,
                        )
                elif moving and status[r] != 1:
                    if ai[s, j, A_ANC_OPEN] == 1:
                        n = _emit(
                            ev,
                            evv,
                            n,
                            K_NO_ANCHOR,
                            CLOSE,
                            s,
                            z,
                            ai[s, j, A_ANC_START],
                            tr,
                            r,
                            math.nan,
                        )
                    ai[s, j, A_ANC_START] = -1
                    ai[s, j, A_ANC_OPEN] = 0
            # fishing vessel at work in a closed area
            if zi[z, ZI_FISHING] == 1 and (vclass[r] & FISHING_CLASS) != 0:
                trawling = not math.isnan(v) and 1.0 <= v <= zf[z, ZF_FISHING_MAX]
                working = (not harbour[r]) and (trawling or status[r] == 7)
                if working and _closed(z, tr, c_ptr, c_lo, c_hi):
                    if ai[s, j, A_FISH_START] < 0:
                        ai[s, j, A_FISH_START] = tr
                    if (
                        ai[s, j, A_FISH_OPEN] == 0
                        and tr - ai[s, j, A_FISH_START] >= zi[z, ZI_MIN_FISHING_MS]
                    ):
                        ai[s, j, A_FISH_OPEN] = 1
                        n = _emit(
                            ev,
                            evv,
                            n,
                            K_FISHING,
                            OPEN,
                            s,
                            z,
                            ai[s, j, A_FISH_START],
                            -1,
                            r,
                            math.nan,
                        )
                else:
                    if ai[s, j, A_FISH_OPEN] == 1:
                        n = _emit(
                            ev,
                            evv,
                            n,
                            K_FISHING,
                            CLOSE,
                            s,
                            z,
                            ai[s, j, A_FISH_START],
                            tr,
                            r,
                            math.nan,
                        )
                    ai[s, j, A_FISH_START] = -1
                    ai[s, j, A_FISH_OPEN] = 0
    return n


@njit
def _distance_nm(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1 = math.radians(lat1)
    p2 = math.radians(lat2)
    dp = p2 - p1
    dl = math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_R_NM * math.asin(math.sqrt(min(1.0, max(0.0, a))))


@njit
def behaviour_rules(
    slot: I64,
    t: I64,
    lat: F64,
    lon: F64,
    harbour: B,
    gap_ms: I64,
    bs_last: I64,
    bs_lat: F64,
    bs_lon: F64,
    bs_anchor_t: I64,
    bs_anchor_lat: F64,
    bs_anchor_lon: F64,
    bs_run_start: I64,
    bs_run_open: I64,
    loiter_window_ms: int,
    loiter_kn: float,
    loiter_min_ms: int,
    loiter_max_step_ms: int,
    ev: I64,
    evv: F64,
    gaps: I64,
) -> tuple[int, int]:
    """Reporting gaps and loitering; returns (events written, gaps written).

    Gaps longer than each row's ``gap_ms`` go to ``gaps`` (slot, row, previous time).
    Loitering: implied speed under ``loiter_kn`` over windows of at least
    ``loiter_window_ms``, outside harbours, for at least ``loiter_min_ms``.
    """
    n = 0
    g = 0
    for r in range(slot.size):
        s = slot[r]
        tr = t[r]
        if tr < bs_last[s]:
            continue
        prev = bs_last[s]
        if prev >= 0 and tr - prev > gap_ms[r] and g < gaps.shape[0]:
            gaps[g, 0] = s
            gaps[g, 1] = r
            gaps[g, 2] = prev
            g += 1
        step_too_long = prev >= 0 and tr - prev > loiter_max_step_ms
        bs_last[s] = tr
        bs_lat[s] = lat[r]
        bs_lon[s] = lon[r]
        if harbour[r] or step_too_long or bs_anchor_t[s] < 0:
            if bs_run_open[s] == 1:
                n = _emit(
                    ev, evv, n, K_LOITER, CLOSE, s, -1, bs_run_start[s], bs_anchor_t[s], r, math.nan
                )
            bs_run_open[s] = 0
            bs_run_start[s] = -1
            bs_anchor_t[s] = -1 if harbour[r] else tr
            bs_anchor_lat[s] = lat[r]
            bs_anchor_lon[s] = lon[r]
            continue
        dt = tr - bs_anchor_t[s]
        if dt < loiter_window_ms:
            continue
        speed = _distance_nm(bs_anchor_lat[s], bs_anchor_lon[s], lat[r], lon[r]) / (dt / 3_600_000)
        if speed < loiter_kn:
            if bs_run_start[s] < 0:
                bs_run_start[s] = bs_anchor_t[s]
            if bs_run_open[s] == 0 and tr - bs_run_start[s] >= loiter_min_ms:
                bs_run_open[s] = 1
                n = _emit(ev, evv, n, K_LOITER, OPEN, s, -1, bs_run_start[s], -1, r, math.nan)
        else:
            if bs_run_open[s] == 1:
                n = _emit(
                    ev, evv, n, K_LOITER, CLOSE, s, -1, bs_run_start[s], bs_anchor_t[s], r, math.nan
                )
            bs_run_open[s] = 0
            bs_run_start[s] = -1
        bs_anchor_t[s] = tr
        bs_anchor_lat[s] = lat[r]
        bs_anchor_lon[s] = lon[r]
    return n, g
