"""COLREGs encounter classes and ship domains (pure numpy).

Encounter, from both vessels' viewpoints (relative bearing of the other vessel from one's
own heading, course over ground when the heading is unknown):

- **overtaking** (Rule 13): one vessel is more than 22.5° abaft the other's beam, i.e. in
  its stern sector 112.5°–247.5°, and closing; the overtaking vessel gives way;
- **head-on** (Rule 14): each sees the other within ±``head_on_deg`` of ahead and their
  courses differ by 180° ± ``head_on_course_deg``; both alter to starboard (no single
  give-way vessel);
- **crossing** (Rule 15): otherwise; the vessel that has the other on her starboard side
  (``head_on_deg``–112.5°) gives way.

Ship domains: Fujii and Tanaka's ellipse (semi-axes 4L ahead/astern and 1.6L abeam in
open water; 3L and 0.8L in harbours and narrow channels) and a plain circle.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

HEAD_ON, CROSSING, OVERTAKING = 1, 2, 3
ENCOUNTER_NAMES = {0: None, HEAD_ON: "head_on", CROSSING: "crossing", OVERTAKING: "overtaking"}

F64 = npt.NDArray[np.float64]
I64 = npt.NDArray[np.int64]


@dataclass(frozen=True)
class ColregsParams:
    """Sector angles (degrees)."""

    head_on_deg: float = 6.0
    head_on_course_deg: float = 10.0
    stern_from_deg: float = 112.5
    stern_to_deg: float = 247.5


def relative_bearing(rx: F64, ry: F64, heading: F64) -> F64:
    """Bearing (0-360, from the bow, clockwise) of a point from a vessel with a heading.

    The point is at (rx east, ry north) of the vessel.
    """
    return np.asarray((np.degrees(np.arctan2(rx, ry)) - heading) % 360.0, dtype=np.float64)


def classify(
    rx: F64,
    ry: F64,
    heading_a: F64,
    heading_b: F64,
    sog_a: F64,
    sog_b: F64,
    p: ColregsParams | None = None,
) -> tuple[I64, I64]:
    """Encounter class and give-way side (0 none, 1 vessel A, 2 vessel B) of pairs.

    B is at (rx, ry) nautical miles east/north of A.
    """
    p = p or ColregsParams()
    bearing_ab = relative_bearing(rx, ry, heading_a)  # where B is, seen from A
    bearing_ba = relative_bearing(-rx, -ry, heading_b)  # where A is, seen from B
    course_diff = np.abs(((heading_a - heading_b) + 180.0) % 360.0 - 180.0)
    ahead_a = (bearing_ab <= p.head_on_deg) | (bearing_ab >= 360.0 - p.head_on_deg)
    ahead_b = (bearing_ba <= p.head_on_deg) | (bearing_ba >= 360.0 - p.head_on_deg)
    head_on = ahead_a & ahead_b & (course_diff >= 180.0 - p.head_on_course_deg)
    b_astern_of_a = (bearing_ab > p.stern_from_deg) & (bearing_ab < p.stern_to_deg)
    a_astern_of_b = (bearing_ba > p.stern_from_deg) & (bearing_ba < p.stern_to_deg)
    b_overtakes = b_astern_of_a & ~a_astern_of_b & (sog_b > sog_a)
    a_overtakes = a_astern_of_b & ~b_astern_of_a & (sog_a > sog_b)
    encounter = np.full(rx.shape, CROSSING, dtype=np.int64)
    give_way = np.zeros(rx.shape, dtype=np.int64)
    starboard_a = (bearing_ab > p.head_on_deg) & (
        bearing_ab < p.stern_from_deg
    )  # B on A's starboard
    starboard_b = (bearing_ba > p.head_on_deg) & (bearing_ba < p.stern_from_deg)
    give_way[starboard_a] = 1
    give_way[starboard_b & ~starboard_a] = 2
    encounter[head_on] = HEAD_ON
    give_way[head_on] = 0
    encounter[b_overtakes] = OVERTAKING
    give_way[b_overtakes] = 2
    encounter[a_overtakes] = OVERTAKING
    give_way[a_overtakes] = 1
    return encounter, give_way


def fujii_inside(
    dx_nm: F64,
    dy_nm: F64,
    heading: F64,
    length_m: F64,
    harbour: npt.NDArray[np.bool_] | bool = False,
) -> F64:
    """How deep a point lies in a vessel's Fujii domain.

    1 at the centre, 0 on the edge, negative outside (1 - normalised elliptic radius).
    """
    h = np.radians(heading)
    along = dx_nm * np.sin(h) + dy_nm * np.cos(h)
    across = dx_nm * np.cos(h) - dy_nm * np.sin(h)
    length_nm = np.asarray(length_m, dtype=np.float64) / 1852.0
    a = np.where(harbour, 3.0, 4.0) * length_nm
    b = np.where(harbour, 0.8, 1.6) * length_nm
    r = np.sqrt((along / a) ** 2 + (across / b) ** 2)
    return np.asarray(1.0 - r, dtype=np.float64)


def circle_inside(distance_nm: F64, radius_nm: float) -> F64:
    """Depth in a circular domain (1 at the centre, 0 on the edge, negative outside)."""
    return np.asarray(1.0 - distance_nm / radius_nm, dtype=np.float64)


def risk_index(
    dcpa_nm: F64, tcpa_min: F64, d1_nm: F64, domain_depth: F64, t_scale_min: float = 30.0
) -> F64:
    """Collision-risk index in [0, 1].

    Memberships of DCPA (1 below ``d1``, 0 above 2·``d1``, sinusoidal between), of TCPA
    (1 at 0, 0 beyond ``t_scale_min`` or in the past) and of domain intrusion at the
    closest point, weighted 0.5 / 0.3 / 0.2.
    """
    d1 = np.maximum(np.asarray(d1_nm, dtype=np.float64), 1e-6)
    x = np.clip((dcpa_nm - d1) / d1, 0.0, 1.0)
    u_d = 0.5 - 0.5 * np.sin(np.pi * (x - 0.5))
    u_t = np.where(tcpa_min < 0, 0.0, np.clip(1.0 - tcpa_min / t_scale_min, 0.0, 1.0) ** 2)
    u_dom = np.clip(domain_depth, 0.0, 1.0)
    return np.asarray(0.5 * u_d + 0.3 * u_t + 0.2 * u_dom, dtype=np.float64)
