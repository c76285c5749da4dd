"""The traffic simulator: fleet, plans, transmissions, reception by base stations, output lines.

:class:`Simulation` is deterministic for a seed. :meth:`Simulation.window` produces the
traffic of a time window: AIS position reports at ITU-R M.1371 intervals (types 1 and 18),
static reports every six minutes (types 5 and 24), BeiDou positions of fishing vessels, and
the NMEA lines as the area's base stations receive them (several stations may hear one
transmission; each line carries an NMEA 4.10 tag block with the station and receive time).
Windows join without gaps or repeats, so a live feed is a sequence of windows.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt

from seawarden.ais.encode import encode_payload, sentences_for_payload
from seawarden.ais.encode_batch import encode_payloads, sentences
from seawarden.geo import LocalPlane
from seawarden.sim import scenarios
from seawarden.sim.area import DEFAULT_AREA, SeaArea, load_area
from seawarden.sim.fleet import Vessel, make_fleet
from seawarden.sim.itinerary import everyday_plan
from seawarden.sim.motion import Plan

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]
STATIC_INTERVAL_MS = 360_000
BEIDOU_INTERVAL_MS = 180_000


@dataclass
class SimConfig:
    """What to simulate."""

    vessels: int = 200
    hours: float = 2.0
    start_ms: int | None = None
    """Start of the window (default: the start of the current UTC hour minus ``hours``)."""
    seed: int = 1
    area: str = DEFAULT_AREA
    scenarios: tuple[str, ...] = scenarios.SCENARIOS
    reception_loss: float = 0.05
    """Chance that a station in range misses a transmission."""
    corrupt: float = 0.0
    """Fraction of output lines damaged (bad checksum, truncated, garbage)."""
    position_noise_m: float = 4.0
    talker: str = "AI"


@dataclass
class Transmissions:
    """Position reports of a window (one row per transmission)."""

    vessel: I64
    time: I64
    lat: F64
    lon: F64
    sog: F64
    cog: F64
    heading: F64
    status: npt.NDArray[np.int8]

    def __len__(self) -> int:
        return int(self.time.size)


@dataclass
class Window:
    """Everything a window produced."""

    lines: list[bytes]
    rx_ms: I64
    positions: Transmissions
    beidou: list[dict[str, Any]]
    counts: dict[str, int] = field(default_factory=dict)


def default_start(hours: float) -> int:
    """Start of the current UTC hour minus ``hours`` (epoch ms)."""
    now = dt.datetime.now(dt.UTC).replace(minute=0, second=0, microsecond=0)
    return int(now.timestamp() * 1000 - hours * 3_600_000)


class Simulation:
    """A deterministic simulated fleet in a sea area."""

    def __init__(self, config: SimConfig) -> None:
        self.config = config
        self.area: SeaArea = load_area(config.area)
        self.start_ms = (
            config.start_ms if config.start_ms is not None else default_start(config.hours)
        )
        rng = np.random.default_rng(config.seed)
        self.fleet: list[Vessel] = make_fleet(config.vessels, rng)
        moratorium = any(
            z.seasonal and z.active(self.start_ms) for z in self.area.zones_of("fishing_ban")
        )
        self.plans: list[Plan] = [
            everyday_plan(self.area, v, self.start_ms, rng, moratorium) for v in self.fleet
        ]
        scripted = scenarios.build(
            self.area, self.fleet, self.start_ms, config.hours, rng, config.scenarios
        )
        for index, plan in scripted.plans.items():
            self.plans[index] = plan
        self.events = scripted.events
        self.offsets = rng.integers(0, 180_000, size=len(self.fleet))
        self.heading_at_rest = rng.uniform(0, 360, size=len(self.fleet))
        self.stations = self.area.stations
        plane: LocalPlane = self.area.plane
        sx, sy = plane.to_xy([s.lat for s in self.stations], [s.lon for s in self.stations])
        self._station_xy = np.column_stack([sx, sy])
        self._station_range = np.array([s.range_km * 1000 for s in self.stations])
        self._station_tag = [s.id.encode() for s in self.stations]
        self._static_cache: dict[int, list[tuple[str, int]]] = {}
        self.seed = config.seed

    @property
    def end_ms(self) -> int:
        """End of the configured window."""
        return int(self.start_ms + self.config.hours * 3_600_000)

    # ------------------------------------------------------------------ transmissions
    def positions(self, t0: int, t1: int, rng: np.random.Generator) -> Transmissions:
        """Position reports transmitted in [t0, t1), with measurement noise."""
        parts = []
        for v, plan in zip(self.fleet, self.plans, strict=True):
            st = plan.reports(t0, t1, v.ais_class, int(self.offsets[v.index]))
            keep = ~st.silent
            if not keep.any():
                continue
            parts.append(
                (
                    v.index,
                    st.time[keep],
                    st.x[keep],
                    st.y[keep],
                    st.sog[keep],
                    st.cog[keep],
                    st.status[keep],
                )
            )
        if not parts:
            z = np.zeros(0)
            return Transmissions(
                z.astype(np.int64), z.astype(np.int64), z, z, z, z, z, z.astype(np.int8)
            )
        vessel = np.concatenate([np.full(p[1].size, p[0], dtype=np.int64) for p in parts])
        time = np.concatenate([p[1] for p in parts])
        jitter = (time * 2654435761 + vessel * 40503) % 400
        time = time + jitter
        n = time.size
        noise = self.config.position_noise_m
        x = np.concatenate([p[2] for p in parts]) + rng.normal(0, noise, n)
        y = np.concatenate([p[3] for p in parts]) + rng.normal(0, noise, n)
        sog = np.concatenate([p[4] for p in parts])
        moving = sog > 0
        sog = np.where(
            moving, np.clip(sog + rng.normal(0, 0.15, n), 0, 102.2), np.abs(rng.normal(0, 0.03, n))
        )
        cog = np.concatenate([p[5] for p in parts])
        rest = self.heading_at_rest[vessel]
        cog = np.where(np.isnan(cog), rest + rng.normal(0, 8, n), cog + rng.normal(0, 1.0, n)) % 360
        heading = np.where(moving, cog + rng.normal(0, 2.0, n), rest) % 360
        status = np.concatenate([p[6] for p in parts])
        lat, lon = self.area.plane.to_latlon(x, y)
        order = np.argsort(time, kind="stable")
        return Transmissions(
            vessel[order],
            time[order],
            lat[order],
            lon[order],
            sog[order],
            cog[order],
            heading[order],
            status[order],
        )

    def _static_payloads(self, v: Vessel) -> list[tuple[str, int]]:
        cached = self._static_cache.get(v.index)
        if cached is not None:
            return cached
        dims = {
            "to_bow": int(v.length_m * 0.8),
            "to_stern": v.length_m - int(v.length_m * 0.8),
            "to_port": v.beam_m // 2,
            "to_starboard": v.beam_m - v.beam_m // 2,
        }
        if v.ais_class == "A":
            fields = {
                "type": 5,
                "mmsi": v.mmsi,
                "ais_version": 2,
                "imo": v.imo or 0,
                "callsign": v.callsign,
                "shipname": v.name,
                "shiptype": v.shiptype,
                "epfd": 1,
                "draught": v.draught_m,
                "destination": v.destination,
                "dte": 0,
                **dims,
            }
            out = [encode_payload(fields)]
        else:
            out = [
                encode_payload({"type": 24, "mmsi": v.mmsi, "partno": 0, "shipname": v.name}),
                encode_payload(
                    {
                        "type": 24,
                        "mmsi": v.mmsi,
                        "partno": 1,
                        "shiptype": v.shiptype,
                        "callsign": v.callsign,
                        "vendorid": "SWSIM",
                        **dims,
                    }
                ),
            ]
        self._static_cache[v.index] = out
        return out

    def statics(self, t0: int, t1: int) -> list[tuple[int, int, str, int]]:
        """Static reports (vessel, time, payload, fill) transmitted in [t0, t1)."""
        out = []
        for v, plan in zip(self.fleet, self.plans, strict=True):
            off = (int(self.offsets[v.index]) + 7_000) % STATIC_INTERVAL_MS
            first = -(-(t0 - off) // STATIC_INTERVAL_MS) * STATIC_INTERVAL_MS + off
            times = np.arange(first, t1, STATIC_INTERVAL_MS, dtype=np.int64)
            if times.size == 0:
                continue
            st = plan.states(times)
            for t, silent in zip(times.tolist(), st.silent.tolist(), strict=True):
                if silent:
                    continue
                for k, (payload, fill) in enumerate(self._static_payloads(v)):
                    out.append((v.index, t + 300 * k, payload, fill))
        return out

    def beidou(self, t0: int, t1: int) -> list[dict[str, Any]]:
        """BeiDou terminal reports of fishing vessels in [t0, t1)."""
        out = []
        for v, plan in zip(self.fleet, self.plans, strict=True):
            if not v.terminal:
                continue
            off = int(self.offsets[v.index]) % BEIDOU_INTERVAL_MS
            first = -(-(t0 - off) // BEIDOU_INTERVAL_MS) * BEIDOU_INTERVAL_MS + off
            times = np.arange(first, t1, BEIDOU_INTERVAL_MS, dtype=np.int64)
            if times.size == 0:
                continue
            st = plan.states(times)
            inside = plan.leg_at(times)[2]
            lat, lon = self.area.plane.to_latlon(st.x, st.y)
            for i in range(times.size):
                if not inside[i]:
                    continue
                cog = st.cog[i]
                out.append(
                    {
                        "terminal": v.terminal,
                        "fishing_no": v.fishing_no,
                        "time": scenarios.iso(int(times[i])),
                        "lat": round(float(lat[i]), 6),
                        "lon": round(float(lon[i]), 6),
                        "speed": round(float(st.sog[i]), 1),
                        "course": None if np.isnan(cog) else round(float(cog), 1),
                        "mmsi": v.mmsi,
                    }
                )
        out.sort(key=lambda r: str(r["time"]))
        return out

    # ------------------------------------------------------------------ reception
    def _receptions(self, vessel: I64, x: F64, y: F64, rng: np.random.Generator) -> tuple[I64, I64]:
        """(transmission index, station index) of every reception."""
        dx = x[:, None] - self._station_xy[None, :, 0]
        dy = y[:, None] - self._station_xy[None, :, 1]
        in_range = np.hypot(dx, dy) < self._station_range[None, :]
        heard = in_range & (rng.random(in_range.shape) >= self.config.reception_loss)
        tx, st = np.nonzero(heard)
        return tx.astype(np.int64), st.astype(np.int64)

    def window(self, t0: int, t1: int, beidou: bool = True) -> Window:
        """The traffic of [t0, t1) as received lines (sorted by receive time)."""
        rng = np.random.default_rng([self.seed, t0 // 1000])
        pos = self.positions(t0, t1, rng)
        counts = {"position_transmissions": len(pos)}
        xy = self.area.plane.to_xy(pos.lat, pos.lon)
        tx, st = self._receptions(pos.vessel, xy[0], xy[1], rng)
        counts["positions_unheard"] = int(len(pos) - np.unique(tx).size)
        rx = pos.time[tx] + rng.integers(50, 1500, tx.size)
        classes = np.array([v.ais_class for v in self.fleet])
        mmsi = np.array([v.mmsi for v in self.fleet], dtype=np.int64)
        lines: list[bytes] = []
        rx_all: list[I64] = []
        line_tx: list[I64] = []
        channels = np.where(rng.random(tx.size) < 0.5, b"A", b"B").astype("S1")
        for cls, layout in (("A", "1"), ("B", "18")):
            m = classes[pos.vessel[tx]] == cls
            if not m.any():
                continue
            i = tx[m]
            cols: dict[str, Any] = {
                "mmsi": mmsi[pos.vessel[i]],
                "lat": pos.lat[i],
                "lon": pos.lon[i],
                "speed": np.round(pos.sog[i], 1),
                "course": np.round(pos.cog[i], 1),
                "second": (pos.time[i] // 1000) % 60,
                "accuracy": np.ones(i.size),
            }
            if cls == "A":
                cols["status"] = pos.status[i]
                cols["heading"] = np.round(pos.heading[i]) % 360
                cols["turn"] = np.zeros(i.size)
            else:
                cols["cs"] = np.ones(i.size)
                cols["band"] = np.ones(i.size)
                cols["msg22"] = np.ones(i.size)
                cols["dsc"] = np.ones(i.size)
            payloads, fill = encode_payloads(layout, cols)
            rx_i = rx[m]
            tags = np.array(
                [
                    b"s:" + self._station_tag[s] + b",c:" + str(t // 1000).encode()
                    for s, t in zip(st[m].tolist(), rx_i.tolist(), strict=True)
                ],
                dtype=bytes,
            )
            lines += sentences(payloads, fill, channels[m], tags, talker=self.config.talker)
            rx_all.append(rx_i)
            line_tx.append(i)
        statics = self.statics(t0, t1)
        counts["static_transmissions"] = len(statics)
        if statics:
            s_vessel = np.array([s[0] for s in statics], dtype=np.int64)
            s_time = np.array([s[1] for s in statics], dtype=np.int64)
            s_x, s_y = self._static_xy(s_vessel, s_time)
            s_tx, s_st = self._receptions(s_vessel, s_x, s_y, rng)
            s_rx = s_time[s_tx] + rng.integers(50, 1500, s_tx.size)
            group = int(rng.integers(1, 1000))
            for k, (j, s) in enumerate(zip(s_tx.tolist(), s_st.tolist(), strict=True)):
                _, _, payload, fill = statics[j]
                tag = "s:" + self.stations[s].id + ",c:" + str(int(s_rx[k]) // 1000)
                group = group % 999 + 1
                sent = sentences_for_payload(
                    payload,
                    fill,
                    talker=self.config.talker,
                    seq_id=group % 10,
                    tag=tag,
                    group_id=group,
                )
                lines += [line.encode() + b"\r\n" for line in sent]
                rx_all.append(np.full(len(sent), s_rx[k], dtype=np.int64))
                line_tx.append(np.full(len(sent), -1, dtype=np.int64))
        rx_ms = np.concatenate(rx_all) if rx_all else np.zeros(0, dtype=np.int64)
        which = np.concatenate(line_tx) if line_tx else np.zeros(0, dtype=np.int64)
        order = np.argsort(rx_ms, kind="stable")
        lines = [lines[i] for i in order.tolist()]
        rx_ms = rx_ms[order]
        which = which[order]
        counts["lines"] = len(lines)
        damaged = self._corrupt(lines, rng)
        counts["corrupt_lines"] = int(damaged.size)
        intact = np.ones(len(lines), dtype=np.bool_)
        intact[damaged] = False
        counts["positions_received"] = int(np.unique(which[intact & (which >= 0)]).size)
        bd = self.beidou(t0, t1) if beidou else []
        counts["beidou_records"] = len(bd)
        return Window(lines, rx_ms, pos, bd, counts)

    def _static_xy(self, vessel: I64, time: I64) -> tuple[F64, F64]:
        x = np.zeros(vessel.size)
        y = np.zeros(vessel.size)
        for v in np.unique(vessel).tolist():
            m = vessel == v
            st = self.plans[v].states(time[m])
            x[m], y[m] = st.x, st.y
        return x, y

    def _corrupt(self, lines: list[bytes], rng: np.random.Generator) -> I64:
        """Damage a fraction of lines in place; returns their indices."""
        p = self.config.corrupt
        if p <= 0 or not lines:
            return np.zeros(0, dtype=np.int64)
        picks = np.flatnonzero(rng.random(len(lines)) < p)
        for k, i in enumerate(picks.tolist()):
            line = lines[i]
            how = k % 3
            if how == 0:  # one payload character changed: the checksum no longer matches
                star = line.rfind(b"*")
                j = max(star - 6, 1)
                c = line[j : j + 1]
                lines[i] = line[:j] + (b"0" if c != b"0" else b"1") + line[j + 1 :]
            elif how == 1:  # cut short
                lines[i] = line[: max(len(line) // 2, 1)] + b"\r\n"
            else:  # noise on the line
                lines[i] = bytes(rng.integers(33, 126, 40, dtype=np.uint8).tolist()) + b"\r\n"
        return picks.astype(np.int64)

    def windows(
        self, t0: int, t1: int, step_ms: int = 600_000, beidou: bool = True
    ) -> Iterator[Window]:
        """Consecutive windows covering [t0, t1)."""
        t = t0
        while t < t1:
            yield self.window(t, min(t + step_ms, t1), beidou)
            t += step_ms
