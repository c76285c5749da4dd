"""Geometry: spherical and local-plane helpers, supervision zones, their file formats, the grid."""

from seawarden.geo.sphere import (
    EARTH_RADIUS_M,
    KNOT_MPS,
    METRES_PER_NM,
    LocalPlane,
    bearing_deg,
    course_deg,
    haversine_m,
)

__all__ = [
    "EARTH_RADIUS_M",
    "KNOT_MPS",
    "METRES_PER_NM",
    "LocalPlane",
    "bearing_deg",
    "course_deg",
    "haversine_m",
]
