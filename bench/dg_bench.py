"""Dangerous goods: a big bay plan and incremental yard re-checks, against naive code.

- Bay plan: a 20,000-TEU ship (48 twenty-foot bays × 24 rows × 19 tiers, half the stacks in
  40-ft units) with 2,000 DG containers drawn from a realistic class mix; the vectorised check
  against :func:`check_bay_plan_naive` (every pair, scalar rules). Target < 1 s.
- Yard: 50,000 slots (25 blocks × 20 ground slots × 20 rows × 5 tiers), 40,000 containers,
  4,000 with DG; 500 random moves re-checked incrementally against a full re-check of the
  yard after a move. Target < 50 ms per move.

``python bench/dg_bench.py`` writes bench/results/dg.json.
"""

from __future__ import annotations

import json
import os
import platform
import random
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from seawarden.dangerous_goods.bayplan import StowedUnit, check_bay_plan, check_bay_plan_naive
from seawarden.dangerous_goods.classes import Hazard
from seawarden.dangerous_goods.dglist import hazard_of
from seawarden.dangerous_goods.yard import YardBlock, YardState, YardUnit, check_yard

HERE = Path(__file__).resolve().parent
OUT = HERE / "results" / "dg.json"

#: A DG mix weighted like container traffic: flammable liquids, corrosives, class 9 first.
MIX = {
    "1263": 22, "1993": 10, "1230": 4, "1203": 3, "1789": 6, "1760": 6, "2789": 2, "3082": 12,
    "3077": 6, "3480": 5, "1950": 5, "1075": 2, "1066": 2, "2814": 0.2, "1495": 2, "1942": 1,
    "2067": 1, "1402": 1, "1381": 0.5, "2810": 5, "1017": 0.5, "1005": 0.5, "0012": 1, "0336": 0.5,
    "3101": 0.5, "1866": 3, "1133": 3,
}  # fmt: skip


def _hazards(rng: random.Random) -> tuple[Hazard, ...]:
    un = rng.choices(list(MIX), weights=list(MIX.values()))[0]
    return (hazard_of(un)[0],)


def ship(seed: int = 1, teu: int = 20_000, dg: int = 2_000) -> list[StowedUnit]:
    """A full 20,000-TEU bay plan with ``dg`` DG containers."""
    rng = random.Random(seed)
    cells: list[tuple[int, int, int, bool]] = []  # (first 20-ft bay, row, tier, is 40 ft)
    for pair in range(24):  # 24 forty-foot bays = 48 twenty-foot bays
        b1 = 4 * pair + 1
        for row in range(1, 25):
            forty = rng.random() < 0.5
            for tier in [*range(2, 22, 2), *range(82, 100, 2)]:
                if forty:
                    cells.append((b1 + 1, row, tier, True))
                else:
                    cells.append((b1, row, tier, False))
                    cells.append((b1 + 2, row, tier, False))
    rng.shuffle(cells)
    units: list[StowedUnit] = []
    used = 0
    for bay, row, tier, forty in cells:
        if used >= teu:
            break
        used += 2 if forty else 1
        units.append(StowedUnit(f"C{len(units):06d}", f"{bay:03d}{row:02d}{tier:02d}", ()))
    for k in rng.sample(range(len(units)), dg):
        u = units[k]
        units[k] = StowedUnit(u.id, u.position, _hazards(rng), open=rng.random() < 0.03)
    return units


def _best(fn: Callable[[], object], repeat: int = 3) -> float:
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return min(times)


def bench_bay() -> dict[str, Any]:
    units = ship()
    check_bay_plan(units)  # warm caches (pair codes)
    fast = check_bay_plan(units)
    seconds = _best(lambda: check_bay_plan(units))
    t0 = time.perf_counter()
    naive = check_bay_plan_naive(units)
    naive_s = time.perf_counter() - t0
    same = [f.as_dict() for f in fast.findings] == [f.as_dict() for f in naive.findings]
    return {
        "teu": sum(2 if int(u.position[:3]) % 2 == 0 else 1 for u in units),
        "units": len(units),
        "dg_units": fast.dg_units,
        "findings": len(fast.findings),
        "pairs_examined": fast.pairs_examined,
        "naive_pairs_examined": naive.pairs_examined,
        "seconds": seconds,
        "naive_seconds": naive_s,
        "speedup": naive_s / seconds,
        "same_findings_as_naive": same,
        "target_seconds": 1.0,
        "meets_target": seconds < 1.0,
    }


def yard(seed: int = 2) -> tuple[list[YardBlock], list[YardUnit], set[tuple[str, int, int, int]]]:
    """25 blocks of 20 × 20 ground slots, 5 tiers high (50,000 slots), 40,000 containers."""
    rng = random.Random(seed)
    blocks = [YardBlock(f"B{k:02d}", x0=(k % 5) * 150.0, y0=(k // 5) * 70.0) for k in range(25)]
    stacks = [(b.name, 2 * s - 1, r) for b in blocks for s in range(1, 21) for r in range(1, 21)]
    heights = {st: 0 for st in stacks}
    units: list[YardUnit] = []
    while len(units) < 40_000:
        st = rng.choice(stacks)
        if heights[st] >= 5:
            continue
        heights[st] += 1
        hz = _hazards(rng) if rng.random() < 0.1 else ()
        units.append(YardUnit(f"Y{len(units):06d}", st[0], st[1], st[2], heights[st], hz))
    free = {(b, bay, r, t) for (b, bay, r), h in heights.items() for t in range(h + 1, 6)}
    return blocks, units, free


def bench_yard(moves: int = 500) -> dict[str, Any]:
    blocks, units, free = yard()
    t0 = time.perf_counter()
    state = YardState(blocks)
    for u in units:
        state.add(u)
    build_s = time.perf_counter() - t0
    rng = random.Random(3)
    dg_ids = [u.id for u in units if u.hazards]
    top: dict[tuple[str, int, int], int] = {}
    for u in state.units.values():
        top[(u.block, u.bay, u.row)] = max(top.get((u.block, u.bay, u.row), 0), u.tier)
    per_move = []
    done = 0
    while done < moves:
        uid = rng.choice(dg_ids)
        u = state.units[uid]
        if top[(u.block, u.bay, u.row)] != u.tier:
            continue  # only the top container of a stack can be lifted
        target = rng.choice(sorted(free)[:: max(1, len(free) // 5000)])
        b, bay, row, tier = target
        tier = top.get((b, bay, row), 0) + 1
        if tier > 5:
            continue
        t = time.perf_counter()
        state.move(uid, b, bay, row, tier)
        per_move.append(time.perf_counter() - t)
        free.discard((b, bay, row, tier))
        free.add((u.block, u.bay, u.row, u.tier))
        top[(u.block, u.bay, u.row)] -= 1
        top[(b, bay, row)] = tier
        done += 1
    full = []
    for _ in range(3):
        t = time.perf_counter()
        result = check_yard(list(state.units.values()), blocks)
        full.append(time.perf_counter() - t)
    incremental = sorted(state.findings_keys())
    assert incremental == sorted((f.rule_id, f.subjects) for f in result.findings)
    ms = np.array(per_move) * 1000
    full_s = min(full)
    return {
        "slots": 50_000,
        "containers": len(units),
        "dg_units": len(dg_ids),
        "moves": moves,
        "findings": len(result.findings),
        "build_seconds": build_s,
        "move_ms_mean": float(ms.mean()),
        "move_ms_p50": float(np.percentile(ms, 50)),
        "move_ms_p99": float(np.percentile(ms, 99)),
        "move_ms_max": float(ms.max()),
        "full_recheck_ms": full_s * 1000,
        "speedup_mean": full_s * 1000 / float(ms.mean()),
        "same_findings_as_full_recheck": True,
        "target_ms_per_move": 50.0,
        "meets_target": float(np.percentile(ms, 99)) < 50.0,
    }


def run() -> dict[str, Any]:
    """Run both benchmarks and write bench/results/dg.json."""
    load_before = round(os.getloadavg()[0], 2)
    bay, yd = bench_bay(), bench_yard()
    result = {
        "machine": {
            "python": platform.python_version(),
            "processor": platform.machine(),
            "cpus": os.cpu_count(),
            "load_average_1min": [load_before, round(os.getloadavg()[0], 2)],
        },
        "bay_plan": bay,
        "yard": yd,
        "naive": {
            "bay_plan": "every pair of DG units through the scalar rules (check_bay_plan_naive)",
            "yard": "a full re-check of the whole yard after the move (check_yard, spatial grid)",
        },
    }
    OUT.parent.mkdir(parents=True, exist_ok=True)
    OUT.write_text(json.dumps(result, indent=1) + "\n")
    print(
        f"bay plan: {bay['teu']} TEU, {bay['dg_units']} DG: {bay['seconds']:.3f} s "
        f"(naive {bay['naive_seconds']:.1f} s, ×{bay['speedup']:.0f}); "
        f"yard: {yd['move_ms_mean']:.2f} ms/move mean, p99 {yd['move_ms_p99']:.2f} ms "
        f"(full re-check {yd['full_recheck_ms']:.0f} ms)"
    )
    return result


if __name__ == "__main__":
    run()
