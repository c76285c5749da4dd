"""Everyday itineraries of simulated vessels on an area's routes (cyclic plans)."""

from __future__ import annotations

import itertools

import numpy as np

from seawarden.sim.area import Route, SeaArea
from seawarden.sim.fleet import Vessel
from seawarden.sim.motion import AT_ANCHOR, F64, FISHING, MOORED, Leg, LegKind, Plan

HOUR = 3600.0
#: Speed cap for port routes (they run through channels with a 12 kn limit).
PORT_ROUTE_MAX_KN = 11.5


def route_xy(area: SeaArea, route: Route) -> F64:
    """A route's waypoints in the area's plane."""
    x, y = area.plane.to_xy(route.points[:, 0], route.points[:, 1])
    return np.column_stack([x, y])


def near(point: F64, radius_m: float, rng: np.random.Generator) -> F64:
    """A random point within ``radius_m`` of ``point``."""
    r = radius_m * np.sqrt(rng.random())
    a = rng.random() * 2 * np.pi
    offset = r * np.array([np.cos(a), np.sin(a)])
    return np.asarray(np.asarray(point, dtype=np.float64) + offset, dtype=np.float64)


def zone_point(area: SeaArea, zone_id: str, rng: np.random.Generator) -> F64:
    """A random point inside a zone (plane coordinates)."""
    poly = area.zone_xy(zone_id)
    minx, miny, maxx, maxy = poly.bounds
    from shapely import contains_xy

    for _ in range(1000):
        x, y = rng.uniform(minx, maxx), rng.uniform(miny, maxy)
        if contains_xy(poly, x, y):
            return np.array([x, y])
    c = poly.centroid
    return np.array([c.x, c.y])


def nearest_zone(area: SeaArea, kind: str, point: F64) -> str:
    """Id of the zone of a kind whose centroid is nearest a plane point."""
    best, best_d = "", np.inf
    for zone in area.zones_of(kind):
        c = area.zone_xy(zone.id).centroid
        d = float(np.hypot(c.x - point[0], c.y - point[1]))
        if d < best_d:
            best, best_d = zone.id, d
    return best


def fishing_loop(
    area: SeaArea, start: F64, ground: str, hours: float, speed_kn: float, rng: np.random.Generator
) -> F64:
    """A trawling path from ``start`` through random points of a fishing ground and back.

    It keeps out of areas closed all year (everyday traffic obeys the law).
    """
    from shapely.geometry import LineString

    banned = [area.zone_xy(z.id) for z in area.zones_of("fishing_ban") if not z.seasonal]
    pts = [start]
    target_m = hours * HOUR * speed_kn * 1852 / 3600
    length = 0.0
    while length < target_m:
        p = zone_point(area, ground, rng)
        leg = LineString([pts[-1], p])
        if any(leg.distance(b) < 500 for b in banned):
            continue
        length += float(np.hypot(*(p - pts[-1])))
        pts.append(p)
    back = LineString([pts[-1], start])
    if any(back.distance(b) < 500 for b in banned):
        pts += pts[-2::-1]  # home the way it came
    else:
        pts.append(start)
    return np.array(pts)


def speed_cap(area: SeaArea, route: Route) -> float:
    """Highest lawful speed on a route: under the limit of every channel it crosses."""
    from shapely.geometry import LineString

    line = LineString(route_xy(area, route))
    cap = float("inf")
    for z in area.zones_of("channel"):
        limit = z.properties.get("speed_limit_kn")
        if limit and line.intersects(area.zone_xy(z.id)):
            cap = min(cap, float(limit) - 0.5)
    return cap


LANE_M = (400.0, 900.0)
"""Each vessel keeps this far to the right of a route's centre line (COLREGs Rule 9/10)."""


def densify(path: F64, max_step_m: float) -> F64:
    """A path with extra vertices so no segment is longer than ``max_step_m``."""
    out = [path[:1]]
    for a, b in itertools.pairwise(path):
        k = max(int(np.ceil(float(np.hypot(*(b - a))) / max_step_m)), 1)
        t = np.linspace(0, 1, k + 1)[1:, None]
        out.append(a + (b - a) * t)
    return np.vstack(out)


def keep_right(path: F64, offset_m: float, ends: bool = False) -> F64:
    """A path shifted to the right of its direction of travel.

    End points stay put unless ``ends``.
    """
    p = densify(np.asarray(path, dtype=np.float64), 2000.0)
    if len(p) < 2 or (len(p) < 3 and not ends):
        return p
    seg = np.diff(p, axis=0)
    norm = np.hypot(seg[:, 0], seg[:, 1])
    unit = seg / np.where(norm > 0, norm, 1.0)[:, None]
    d = np.vstack([unit[:1], unit[:-1] + unit[1:], unit[-1:]])
    dn = np.hypot(d[:, 0], d[:, 1])
    d = d / np.where(dn > 0, dn, 1.0)[:, None]
    right = np.column_stack([d[:, 1], -d[:, 0]])
    out = p.copy()
    if ends:
        out += right * offset_m
    else:
        out[1:-1] += right[1:-1] * offset_m
    return out


def port_call(area: SeaArea, vessel: Vessel, route: Route, rng: np.random.Generator) -> list[Leg]:
    """Anchorage wait, inbound transit, berth stay, outbound transit back to the anchorage."""
    xy = route_xy(area, route)
    anchorage = nearest_zone(area, "anchorage", xy[0])
    anchor = zone_point(area, anchorage, rng)
    berth = near(xy[-1], 250.0, rng)
    speed = min(route.speed_kn * rng.uniform(0.8, 1.0), PORT_ROUTE_MAX_KN, speed_cap(area, route))
    lane_m = rng.uniform(*LANE_M)
    inbound = keep_right(np.vstack([anchor, xy[1:-1], berth]), lane_m)
    outbound = keep_right(np.vstack([berth, xy[-2:0:-1], xy[0], anchor]), lane_m)
    return [
        Leg(LegKind.STAY, rng.uniform(1, 6) * HOUR, anchor, status=AT_ANCHOR),
        Leg.move(inbound, speed),
        Leg(LegKind.STAY, rng.uniform(6, 18) * HOUR, berth, status=MOORED),
        Leg.move(outbound, speed),
    ]


def shuttle(
    area: SeaArea,
    route: Route,
    rng: np.random.Generator,
    dwell_h: tuple[float, float],
    speed_kn: float,
) -> list[Leg]:
    """Back and forth along a route with a stay at each end (ferries, tugs)."""
    xy = route_xy(area, route)
    a, b = near(xy[0], 120.0, rng), near(xy[-1], 120.0, rng)
    lane_m = rng.uniform(*LANE_M)
    there = keep_right(np.vstack([a, xy[1:-1], b]), lane_m)
    back = keep_right(np.vstack([b, xy[-2:0:-1], a]), lane_m)
    return [
        Leg(LegKind.STAY, rng.uniform(*dwell_h) * HOUR, a, status=MOORED),
        Leg.move(there, speed_kn),
        Leg(LegKind.STAY, rng.uniform(*dwell_h) * HOUR, b, status=MOORED),
        Leg.move(back, speed_kn),
    ]


def fishing_trip(
    area: SeaArea, route: Route, rng: np.random.Generator, moratorium: bool
) -> list[Leg]:
    """Port stay, run out to the grounds, trawl, run home (or stay in port in a moratorium)."""
    xy = route_xy(area, route)
    port = near(xy[0], 300.0, rng)
    if moratorium:
        return [Leg(LegKind.STAY, 24 * HOUR, port, status=MOORED)]
    ground = nearest_zone(area, "fishing_ground", xy[-1])
    speed = route.speed_kn * rng.uniform(0.8, 1.05)
    lane_m = rng.uniform(*LANE_M)
    loop = fishing_loop(area, xy[-1], ground, rng.uniform(6, 18), 3.5, rng)
    return [
        Leg(LegKind.STAY, rng.uniform(3, 10) * HOUR, port, status=MOORED),
        Leg.move(keep_right(np.vstack([port, xy[1:]]), lane_m), speed),
        Leg.move(loop, rng.uniform(3.0, 4.0), status=FISHING, kind=LegKind.FISH),
        Leg.move(keep_right(np.vstack([xy[:0:-1], port]), lane_m), speed),
    ]


def coastal(area: SeaArea, route: Route, rng: np.random.Generator) -> list[Leg]:
    """Through traffic: along a route and back (each pass is a different voyage)."""
    xy = route_xy(area, route)
    lane_m = rng.uniform(*LANE_M) * 3  # open sea: wider lanes
    speed = route.speed_kn * rng.uniform(0.85, 1.1)
    there = keep_right(xy, lane_m, ends=True)
    back = keep_right(xy[::-1], lane_m, ends=True)
    return [
        Leg.move(there, speed),
        Leg.move(np.vstack([there[-1], back[0]]), speed),
        Leg.move(back, speed),
        Leg.move(np.vstack([back[-1], there[0]]), speed),
    ]


def everyday_plan(
    area: SeaArea, vessel: Vessel, start_ms: int, rng: np.random.Generator, moratorium: bool
) -> Plan:
    """A cyclic plan for a vessel, at a random phase of its cycle at ``start_ms``."""
    routes = area.routes_for(vessel.kind)
    if not routes:
        raise ValueError(f"area {area.name} has no route for {vessel.kind}")
    if vessel.kind == "fishing":
        legs = fishing_trip(area, routes[int(rng.integers(len(routes)))], rng, moratorium)
    elif vessel.kind == "passenger":
        route = routes[vessel.index % len(routes)]
        speed = min(rng.uniform(13, 16), speed_cap(area, route))
        legs = shuttle(area, route, rng, (0.25, 0.5), speed)
    elif vessel.kind == "tug":
        route = routes[int(rng.integers(len(routes)))]
        speed = min(rng.uniform(8, 10), speed_cap(area, route))
        legs = shuttle(area, route, rng, (0.5, 3.0), speed)
    else:
        through = [r for r in routes if r.id.startswith("coastal")]
        calls = [r for r in routes if not r.id.startswith("coastal")]
        if through and (not calls or rng.random() < 0.25):
            legs = coastal(area, through[int(rng.integers(len(through)))], rng)
        else:
            legs = port_call(area, vessel, calls[int(rng.integers(len(calls)))], rng)
    plan = Plan(legs, start_ms)
    phase_ms = int(rng.uniform(0, plan.length_s) * 1000)
    return Plan(legs, start_ms - phase_ms)
