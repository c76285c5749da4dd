"""Scripted scenarios with ground truth: the situations supervision rules must catch.

Each scenario takes vessels of the fleet, replaces their everyday plan with a scripted one
for the simulated window and records what happens in a ground-truth event (times in UTC
epoch milliseconds and ISO 8601). Durations are long enough for the default supervision
rules to call them (a 15-minute stop, a 1-hour gap, 4.5 hours of loitering, an hour of
fishing); a scenario that does not fit in the window is left out.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import shapely
from shapely.geometry import LineString, Point

from seawarden.geo import KNOT_MPS
from seawarden.sim.area import SeaArea
from seawarden.sim.fleet import Vessel
from seawarden.sim.itinerary import keep_right, near, route_xy
from seawarden.sim.motion import F64, FISHING, MOORED, NOT_UNDER_COMMAND, Leg, LegKind, Plan

SCENARIOS = (
    "close_quarters",
    "overspeed",
    "stop_in_no_stop_zone",
    "ais_gap",
    "loitering",
    "fishing_in_closed_area",
)
MERCHANT = ("cargo", "container", "tanker")


def iso(ms: float) -> str:
    """ISO 8601 UTC text of epoch milliseconds."""
    return (
        dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
        .isoformat(timespec="seconds")
        .replace("+00:00", "Z")
    )


@dataclass
class Scripted:
    """Scripted plans and the ground-truth events they produce."""

    plans: dict[int, Plan]
    events: list[dict[str, Any]]


def split_path(path: F64, d: float) -> tuple[F64, F64]:
    """Cut a polyline at distance ``d`` along it."""
    steps = np.hypot(*np.diff(path, axis=0).T)
    cum = np.concatenate([[0.0], np.cumsum(steps)])
    d = float(np.clip(d, 0, cum[-1]))
    i = int(np.clip(np.searchsorted(cum, d, side="right") - 1, 0, len(path) - 2))
    frac = (d - cum[i]) / steps[i] if steps[i] > 0 else 0.0
    p = path[i] + (path[i + 1] - path[i]) * frac
    return np.vstack([path[: i + 1], p]), np.vstack([p, path[i + 1 :]])


def zone_span(area: SeaArea, zone_id: str, path: F64) -> tuple[float, float]:
    """Distances along a path where it first enters and last leaves a zone."""
    line = LineString(path)
    inside = line.intersection(area.zone_xy(zone_id))
    if inside.is_empty:
        raise ValueError(f"path does not cross zone {zone_id}")
    coords = shapely.get_coordinates(inside)
    along = [line.project(Point(c)) for c in coords]
    return min(along), max(along)


def _event(
    kind: str, vessels: list[Vessel], start: float, end: float, **extra: Any
) -> dict[str, Any]:
    ev: dict[str, Any] = {
        "event": kind,
        "mmsi": [v.mmsi for v in vessels] if len(vessels) > 1 else vessels[0].mmsi,
        "start": iso(start),
        "end": iso(end),
        "start_ms": int(start),
        "end_ms": int(end),
    }
    if len(vessels) == 1:
        ev["name"] = vessels[0].name
        if vessels[0].terminal:
            ev["terminal"] = vessels[0].terminal
            ev["fishing_no"] = vessels[0].fishing_no
    ev.update(extra)
    return ev


def _latlon(area: SeaArea, p: F64) -> dict[str, float]:
    lat, lon = area.plane.to_latlon(p[0], p[1])
    return {"lat": round(float(lat), 6), "lon": round(float(lon), 6)}


class Builder:
    """Builds the scenarios for one window, taking vessels from the fleet."""

    def __init__(
        self,
        area: SeaArea,
        fleet: list[Vessel],
        start_ms: int,
        hours: float,
        rng: np.random.Generator,
    ) -> None:
        self.area = area
        self.fleet = fleet
        self.start = start_ms
        self.span_s = hours * 3600.0
        self.rng = rng
        self.used: set[int] = set()
        self.out = Scripted({}, [])

    def take(self, kinds: tuple[str, ...]) -> Vessel | None:
        """An unused fleet vessel of one of the kinds (latest first: the tail of the fleet)."""
        for v in reversed(self.fleet):
            if v.kind in kinds and v.index not in self.used:
                self.used.add(v.index)
                return v
        return None

    @property
    def end(self) -> float:
        """End of the window (absolute ms)."""
        return self.start + self.span_s * 1000

    def at(self, fraction: float) -> float:
        """Absolute ms at a fraction of the window."""
        return self.start + fraction * self.span_s * 1000

    def add(self, vessel: Vessel, legs: list[Leg], origin_ms: float) -> None:
        """Script a vessel.

        Unless it ends moored, it then heads out to sea eastwards at 10 kn until after
        the window (so it leaves coverage rather than vanishing).
        """
        plan = Plan(legs, int(origin_ms), cyclic=False)
        if legs[-1].kind is not LegKind.STAY:
            last = legs[-1].path[-1]
            hours = max(self.end - (origin_ms + plan.length_s * 1000), 0) / 3_600_000 + 2
            far = last + np.array([10.0 * 1852 * hours, 0.0])
            plan = Plan(
                [*legs, Leg.move(np.array([last, far]), 10.0)], int(origin_ms), cyclic=False
            )
        self.out.plans[vessel.index] = plan

    def point(self, lat: float, lon: float) -> F64:
        """Plane coordinates of a position."""
        x, y = self.area.plane.to_xy(lat, lon)
        return np.array([float(x), float(y)])

    # ------------------------------------------------------------------ scenarios
    def close_quarters(self) -> None:
        """Two merchant ships crossing with a small passing distance."""
        a, b = self.take(MERCHANT), self.take(MERCHANT)
        if a is None or b is None:
            return
        tc = self.at(0.35)
        lead = min(2400.0, 0.3 * self.span_s)
        p = self.point(29.80, 122.72)
        va, vb = 12.0, 10.0
        offset = 150.0
        da = va * KNOT_MPS * lead
        db = vb * KNOT_MPS * lead
        path_a = np.array([p + np.array([da, 0.0]), p - np.array([da, 0.0])])  # westbound
        q = p + np.array([offset, 0.0])
        path_b = np.array([q - np.array([0.0, db]), q + np.array([0.0, db])])  # northbound
        self.add(a, [Leg.move(path_a, va)], tc - lead * 1000)
        self.add(b, [Leg.move(path_b, vb)], tc - lead * 1000)
        # Closest approach of the straight tracks (relative motion of b seen from a).
        rel_p = np.array([offset, 0.0])
        rel_v = np.array([0.0, vb * KNOT_MPS]) - np.array([-va * KNOT_MPS, 0.0])
        t_star = -float(rel_p @ rel_v) / float(rel_v @ rel_v)
        cpa_m = float(np.hypot(*(rel_p + rel_v * t_star)))
        tcpa = tc + t_star * 1000
        self.out.events.append(
            _event(
                "close_quarters",
                [a, b],
                tc - lead * 1000,
                tc + lead * 1000,
                cpa_time=iso(tcpa),
                cpa_time_ms=int(tcpa),
                cpa_m=round(cpa_m, 1),
                cpa_nm=round(cpa_m / 1852, 3),
                courses=[270.0, 0.0],
                speeds_kn=[va, vb],
                **_latlon(self.area, p),
            )
        )

    def overspeed(self) -> None:
        """A ship running the speed-limited channel too fast."""
        v = self.take(MERCHANT)
        channel = next(
            (z.id for z in self.area.zones_of("channel") if "speed_limit_kn" in z.properties), None
        )
        route = next(
            (r for r in self.area.routes.values() if channel and r.id.startswith("xiazhimen")), None
        )
        if v is None or channel is None or route is None:
            return
        limit = float(self.area.zones[channel].properties["speed_limit_kn"])
        speed = limit + 5.0
        path = keep_right(route_xy(self.area, route), 500.0)
        d_in, d_out = zone_span(self.area, channel, path)
        mps = speed * KNOT_MPS
        origin = self.at(0.15) - d_in / mps * 1000
        move = Leg.move(path, speed)
        rest = (
            max(self.start + self.span_s * 1000 - (origin + move.duration_s * 1000), 0) / 1000
            + 3600
        )
        self.add(v, [move, Leg(LegKind.STAY, rest, path[-1], status=MOORED)], origin)
        self.out.events.append(
            _event(
                "overspeed",
                [v],
                origin + d_in / mps * 1000,
                origin + d_out / mps * 1000,
                zone=channel,
                limit_kn=limit,
                sog_kn=speed,
            )
        )

    def stop_in_no_stop_zone(self) -> None:
        """A ship stopping inside a no-stopping area."""
        v = self.take(MERCHANT)
        zone = next((z.id for z in self.area.zones_of("no_stop")), None)
        route = next((r for r in self.area.routes.values() if r.id.startswith("xiazhimen")), None)
        if v is None or zone is None or route is None:
            return
        path = keep_right(route_xy(self.area, route), 500.0)
        d_in, d_out = zone_span(self.area, zone, path)
        before, after = split_path(path, (d_in + d_out) / 2)
        speed = 10.0
        first = Leg.move(before, speed)
        stop_s = 900.0
        t_stop = self.at(0.5)
        if t_stop + stop_s * 1000 > self.end:
            return
        origin = t_stop - first.duration_s * 1000
        stop = Leg(LegKind.STAY, stop_s, before[-1], status=NOT_UNDER_COMMAND)
        self.add(
            v,
            [
                first,
                stop,
                Leg.move(after, speed),
                Leg(LegKind.STAY, 86400, path[-1], status=MOORED),
            ],
            origin,
        )
        self.out.events.append(
            _event(
                "stop_in_no_stop_zone",
                [v],
                t_stop,
                t_stop + stop_s * 1000,
                zone=zone,
                **_latlon(self.area, before[-1]),
            )
        )

    def ais_gap(self) -> None:
        """A ship switching its transponder off for a while, then on again."""
        route = next((r for r in self.area.routes.values() if r.id.startswith("xiazhimen")), None)
        if route is None:
            return
        path = keep_right(route_xy(self.area, route), 500.0)
        speed = 10.0
        mps = speed * KNOT_MPS
        gap_s = 3600.0
        total = Leg.move(path, speed)
        # Start so the gap sits in the middle of the transit, at 55 % of the window.
        off_at = self.at(0.55)
        origin = off_at - (total.duration_s - gap_s) / 2 * 1000
        if (
            off_at + (gap_s + 600) * 1000 > self.end
            or origin + total.duration_s * 1000 < off_at + gap_s * 1000
        ):
            return
        v = self.take(MERCHANT)
        if v is None:
            return
        d_off = (off_at - origin) / 1000 * mps
        before, rest = split_path(path, d_off)
        dark, after = split_path(rest, gap_s * mps)
        dark_leg = Leg.move(dark, speed)
        dark_leg.silent = True
        self.add(v, [Leg.move(before, speed), dark_leg, Leg.move(after, speed)], origin)
        self.out.events.append(
            _event(
                "ais_gap",
                [v],
                off_at,
                off_at + dark_leg.duration_s * 1000,
                gap_s=round(dark_leg.duration_s, 1),
            )
        )

    def loitering(self) -> None:
        """A ship drifting slowly on a small circle at sea, away from any port."""
        centre = self.point(30.02, 122.88)
        loiter_s = 4.5 * 3600
        if self.at(0.3) + loiter_s * 1000 > self.end:
            return
        v = self.take(MERCHANT)
        if v is None:
            return
        ring = centre + 500.0 * np.column_stack(
            [np.cos(np.linspace(0, 2 * np.pi, 25)), np.sin(np.linspace(0, 2 * np.pi, 25))]
        )
        approach = np.array([centre + np.array([0.0, -15_000.0]), ring[0]])
        leave = np.array([ring[0], centre + np.array([15_000.0, 0.0])])
        arrive = Leg.move(approach, 10.0)
        circle = Leg(LegKind.LOITER, loiter_s, ring, speed_kn=1.0)
        start = self.at(0.3)
        self.add(v, [arrive, circle, Leg.move(leave, 10.0)], start - arrive.duration_s * 1000)
        self.out.events.append(
            _event(
                "loitering",
                [v],
                start,
                start + loiter_s * 1000,
                radius_m=500,
                sog_kn=1.0,
                **_latlon(self.area, centre),
            )
        )

    def fishing_in_closed_area(self) -> None:
        """A fishing vessel fishing inside a closed area while it is closed."""
        t0 = self.at(0.4)
        fish_s = 3600.0
        if t0 + fish_s * 1000 > self.end:
            return
        v = self.take(("fishing",))
        if v is None:
            return
        zones = [z for z in self.area.zones_of("fishing_ban") if z.active(int(t0))]
        seasonal = [z for z in zones if z.seasonal]
        if not zones:
            return
        zone = (seasonal or zones)[0]
        poly = self.area.zone_xy(zone.id)
        ground = next(iter(self.area.zones_of("fishing_ground")), None)
        if zone.seasonal and ground is not None:
            c = self.area.zone_xy(ground.id).centroid
        else:
            c = poly.centroid
        centre = np.array([c.x, c.y])
        target = 3.5 * KNOT_MPS * fish_s
        pts = [centre]
        length = 0.0
        while length < target:
            p = near(centre, 2500.0, self.rng)
            if not shapely.contains_xy(poly, p[0], p[1]):
                continue
            length += float(np.hypot(*(p - pts[-1])))
            pts.append(p)
        fish = Leg(
            LegKind.FISH, fish_s, np.array(pts), speed_kn=length / fish_s / KNOT_MPS, status=FISHING
        )
        approach = Leg.move(np.array([centre + np.array([0.0, 8000.0]), centre]), 8.0)
        leave = Leg.move(np.array([pts[-1], centre + np.array([0.0, 8000.0])]), 8.0)
        self.add(v, [approach, fish, leave], t0 - approach.duration_s * 1000)
        self.out.events.append(
            _event(
                "fishing_in_closed_area",
                [v],
                t0,
                t0 + fish_s * 1000,
                zone=zone.id,
                **_latlon(self.area, centre),
            )
        )


def build(
    area: SeaArea,
    fleet: list[Vessel],
    start_ms: int,
    hours: float,
    rng: np.random.Generator,
    names: tuple[str, ...] = SCENARIOS,
) -> Scripted:
    """Script the named scenarios (those the fleet has vessels for)."""
    builder = Builder(area, fleet, start_ms, hours, rng)
    for name in names:
        if name not in SCENARIOS:
            raise ValueError(f"unknown scenario {name!r} (known: {', '.join(SCENARIOS)})")
        method: Callable[[], None] = getattr(builder, name)
        method()
    return builder.out
