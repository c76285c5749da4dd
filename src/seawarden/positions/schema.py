"""The unified position record, as an Arrow schema.

Every source (AIS class A/B, SAR aircraft, long-range AIS, BeiDou/VMS terminals) becomes
rows of :data:`POSITION_SCHEMA`. Times are UTC epoch milliseconds; positions WGS-84 degrees;
speeds knots; courses and headings degrees true.
"""

from __future__ import annotations

from enum import IntEnum, IntFlag

import pyarrow as pa


class Source(IntEnum):
    """Where a position came from."""

    AIS_A = 1
    """AIS class A (types 1, 2, 3)."""
    AIS_B = 2
    """AIS class B (types 18, 19)."""
    AIS_SAR = 3
    """SAR aircraft (type 9)."""
    AIS_LONG_RANGE = 4
    """Long-range AIS (type 27, satellite)."""
    BEIDOU = 5
    """BeiDou/VMS fishing-vessel terminal."""


class Flag(IntFlag):
    """Quality flags on a stored position (a position is flagged, never silently dropped)."""

    NONE = 0
    JUMP = 1
    """Implied speed from the previous fix of the segment is implausible."""
    TIME_FROM_ARRIVAL = 2
    """No receiver timestamp: the event time is the time the ingester received the line."""
    CLOCK_AHEAD = 4
    """The receiver's time was ahead of the ingester's clock; arrival time used instead."""
    TIME_FROM_RX = 8
    """The report carried no valid UTC second; the receive time stands for the event time."""
    NEW_SEGMENT = 16
    """First position of a new identity segment (a gap, or a second vessel on the MMSI)."""
    INVALID_MMSI = 32
    """The MMSI is not a ship station with an allocated MID (nor a valid special range)."""


#: Identity keys of BeiDou terminals live above every possible MMSI.
BEIDOU_KEY_BASE = 1 << 40

POSITION_SCHEMA = pa.schema(
    [
        pa.field("vessel_key", pa.int64(), nullable=False),
        pa.field("time", pa.timestamp("ms", tz="UTC"), nullable=False),
        pa.field("rxtime", pa.timestamp("ms", tz="UTC")),
        pa.field("source", pa.int8(), nullable=False),
        pa.field("mmsi", pa.int32()),
        pa.field("terminal", pa.string()),
        pa.field("fishing_no", pa.string()),
        pa.field("lat", pa.float64(), nullable=False),
        pa.field("lon", pa.float64(), nullable=False),
        pa.field("sog", pa.float32()),
        pa.field("cog", pa.float32()),
        pa.field("heading", pa.int16()),
        pa.field("status", pa.int8()),
        pa.field("msg_type", pa.int8()),
        pa.field("station", pa.string()),
        pa.field("stations", pa.int16(), nullable=False),
        pa.field("flags", pa.int16(), nullable=False),
        pa.field("segment", pa.int32(), nullable=False),
        pa.field("fingerprint", pa.int64(), nullable=False),
    ]
)
"""The stored position record.

``vessel_key`` is the MMSI for AIS and ``BEIDOU_KEY_BASE + hash(terminal)`` for BeiDou; it
is the key the track store is partitioned and sorted by. ``stations`` counts the receiving
stations that heard the same transmission; ``fingerprint`` identifies the transmission.
``segment`` numbers the identity segments of one key (several vessels sharing an MMSI, or
tracks separated by long gaps).
"""
