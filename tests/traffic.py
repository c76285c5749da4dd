"""Hand-made AIS traffic for tests."""

from __future__ import annotations

from typing import Any

from seawarden.ais.encode import encode

START = 1_795_000_000_000  # 2026-11-18T11:06:40Z


def position_line(
    mmsi: int,
    t_ms: int,
    lat: float,
    lon: float,
    station: str = "S1",
    rx_ms: int | None = None,
    speed: float = 10.0,
    course: float = 90.0,
    tag: bool = True,
) -> bytes:
    """One type 1 sentence transmitted at ``t_ms`` (UTC second field) and received at ``rx_ms``."""
    rx = t_ms + 500 if rx_ms is None else rx_ms
    fields: dict[str, Any] = {
        "type": 1,
        "mmsi": mmsi,
        "lat": lat,
        "lon": lon,
        "speed": speed,
        "course": course,
        "heading": int(course),
        "second": (t_ms // 1000) % 60,
        "status": 0,
    }
    block = f"s:{station},c:{rx // 1000}" if tag else None
    return "".join(x + "\r\n" for x in encode(fields, tag_block=block)).encode()
