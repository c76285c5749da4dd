"""The compiled segmenter takes exactly the decisions of the Python reference."""

from __future__ import annotations

import csv
import datetime as dt
from pathlib import Path

import numpy as np
import pytest

from seawarden.positions.segment import Msg, Segmenter
from seawarden.positions.segment_kernel import REPEAT, SegmentBank

DATA = Path(__file__).resolve().parents[1] / "data" / "tracks"


def _f(x: str) -> float:
    return float("nan") if x == "" else float(x)


def _reference(rows: list[tuple[int, Msg]]) -> tuple[list[int], set[int]]:
    """Segment numbers and dropped row ids from the Python reference."""
    segs: dict[int, Segmenter] = {}
    numbers, dropped = [], set()
    for key, m in rows:
        seg = segs.setdefault(key, Segmenter())
        copy = Msg(
            m.index,
            m.hours,
            m.msg_type,
            *(
                None if v is None or np.isnan(v) else v
                for v in (m.lat, m.lon, m.speed, m.course, m.heading)
            ),
        )
        number, drops = seg.add(copy)
        numbers.append(number)
        dropped |= {d.index for d in drops}
    return numbers, dropped


def _compiled(rows: list[tuple[int, Msg]], batches: int) -> tuple[list[int], set[int]]:
    bank = SegmentBank()
    numbers: list[int] = []
    dropped: set[int] = set()
    for part in np.array_split(np.arange(len(rows)), batches):
        chunk = [rows[i] for i in part.tolist()]
        # Within a batch the kernel wants (key, time) order; rows are already time ordered.
        order = sorted(range(len(chunk)), key=lambda i: (chunk[i][0], chunk[i][1].hours, i))
        c = [chunk[i] for i in order]

        def col(name: str, c: list[tuple[int, Msg]] = c) -> np.ndarray:
            return np.array(
                [np.nan if getattr(m, name) is None else getattr(m, name) for _, m in c],
                dtype=np.float64,
            )

        seg, _new, _jump, drops = bank.assign(
            np.array([k for k, _ in c], dtype=np.int64),
            col("hours"),
            np.array([m.msg_type for _, m in c], dtype=np.int8),
            col("lat"),
            col("lon"),
            col("speed"),
            col("course"),
            col("heading"),
            np.array([m.index for _, m in c], dtype=np.int64),
        )
        out = [0] * len(chunk)
        for j, i in enumerate(order):
            out[i] = int(seg[j])
        numbers += out
        dropped |= set(drops.tolist())
    return numbers, dropped


def _gfw_rows() -> list[tuple[int, Msg]]:
    text = (DATA / "gfw_segmenter_regression_cn_tw_2021-01.csv").read_text()
    rows = list(csv.DictReader(text.splitlines()))
    rows.sort(key=lambda r: (r["timestamp"], r["ssvid"]))
    out = []
    for i, r in enumerate(rows):
        m = Msg(
            i,
            dt.datetime.fromisoformat(r["timestamp"]).timestamp() / 3600,
            int(r["msg_type"].split(".")[1]),
            _f(r["lat"]),
            _f(r["lon"]),
            _f(r["speed_knots"]),
            _f(r["course"]),
            _f(r["heading"]),
        )
        out.append((int(r["ssvid"]), m))
    return out


@pytest.mark.parametrize("batches", [1, 7])
def test_same_decisions_as_reference_on_gfw_sample(batches: int) -> None:
    rows = _gfw_rows()
    ref_numbers, ref_dropped = _reference(rows)
    numbers, dropped = _compiled(rows, batches)
    assert numbers == ref_numbers
    assert dropped == ref_dropped
    segments = {(k, n) for (k, _), n in zip(rows, ref_numbers, strict=True) if n >= 0}
    assert len(segments) > 20  # the sample exercises splits


def test_same_decisions_on_shared_and_noisy_identities() -> None:
    rng = np.random.default_rng(5)
    rows: list[tuple[int, Msg]] = []
    t = 0.0
    for i in range(6000):
        t += rng.exponential(0.01)
        key = int(rng.integers(0, 4))
        kind = int(rng.integers(0, 10))
        if key == 0:  # two vessels far apart on one MMSI
            lat, lon = (29.9, 122.3 + t * 0.1) if kind < 5 else (36.0, 120.4)
        else:
            lat, lon = 30.0 + key * 0.1 + t * 0.02, 122.0 + t * 0.03
        if kind == 9:  # outlier
            lat += rng.normal(0, 0.5)
        speed = float(rng.choice([0.0, 0.2, 8.0, 12.5, 102.3, 51.2]))
        course = float(rng.uniform(0, 360)) if kind != 8 else float("nan")
        mtype = int(rng.choice([1, 3, 18, 27, 0, 9]))
        rows.append((key, Msg(i, t, mtype, lat, lon, speed, course, float(rng.integers(0, 512)))))
        if kind == 7:  # exact repeat of the last location
            rows.append(
                (
                    key,
                    Msg(
                        i + 100_000, t + 0.001, mtype, lat, lon, speed, course, rows[-1][1].heading
                    ),
                )
            )
    ref_numbers, ref_dropped = _reference(rows)
    numbers, dropped = _compiled(rows, 5)
    assert REPEAT in ref_numbers and -1 in ref_numbers and ref_dropped
    assert numbers == ref_numbers
    assert dropped == ref_dropped
