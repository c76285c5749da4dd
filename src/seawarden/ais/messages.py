"""The field table of AIS messages 1-27 (ITU-R M.1371-5), as data.

Bit positions, names and scaling follow gpsd's AIVDM description and JSON output. Each
message shape is a :class:`~seawarden.ais.fieldspec.Layout`; :data:`SELECTORS` says which
layout a message of a given type uses. Binary application payloads (types 6 and 8) are in
:mod:`seawarden.ais.applications`.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from seawarden.ais.fieldspec import Composite, Field, Kind, Layout, Selector

U, S, B, T = Kind.UINT, Kind.INT, Kind.BOOL, Kind.TEXT

#: 1/10000 minute, the resolution of position reports.
LATLON_DIV = 600_000.0
#: 1/10 minute, the resolution of long-range, DGNSS and channel-management positions.
LATLON_DIV_TENTH_MINUTE = 600.0
LON_NA = 181 * 600_000
LAT_NA = 91 * 600_000
LON_NA_TENTH = 181 * 600
LAT_NA_TENTH = 91 * 600


def _header() -> tuple[Field, ...]:
    return (
        Field("type", 0, 6, U, doc="Message type"),
        Field("repeat", 6, 2, U, doc="Repeat indicator"),
        Field("mmsi", 8, 30, U, doc="MMSI of the transmitting station"),
    )


def _lon(start: int, width: int = 28, div: float = LATLON_DIV, na: int = LON_NA) -> Field:
    return Field("lon", start, width, S, div=div, na=na, unit="deg", doc="Longitude (WGS-84)")


def _lat(start: int, width: int = 27, div: float = LATLON_DIV, na: int = LAT_NA) -> Field:
    return Field("lat", start, width, S, div=div, na=na, unit="deg", doc="Latitude (WGS-84)")


def _speed(start: int) -> Field:
    return Field("speed", start, 10, U, div=10.0, na=1023, unit="kn", doc="Speed over ground")


def _course(start: int) -> Field:
    return Field("course", start, 12, U, div=10.0, na=3600, unit="deg", doc="Course over ground")


def _heading(start: int) -> Field:
    return Field("heading", start, 9, U, na=511, unit="deg", doc="True heading")


def _second(start: int) -> Field:
    return Field("second", start, 6, U, na=60, unit="s", doc="UTC second of the report")


def _dimensions(start: int) -> tuple[Field, ...]:
    return (
        Field("to_bow", start, 9, U, unit="m", doc="Reference point to bow"),
        Field("to_stern", start + 9, 9, U, unit="m", doc="Reference point to stern"),
        Field("to_port", start + 18, 6, U, unit="m", doc="Reference point to port side"),
        Field("to_starboard", start + 24, 6, U, unit="m", doc="Reference point to starboard"),
    )


def _epfd(start: int) -> Field:
    return Field("epfd", start, 4, U, legend="epfd", doc="Position fixing device")


def _shiptype(start: int) -> Field:
    return Field("shiptype", start, 8, U, legend="ship_type", doc="Ship and cargo type")


def _layout(
    key: str,
    family: str,
    min_bits: int,
    *fields: Field,
    composites: tuple[Composite, ...] = (),
    title: str = "",
) -> Layout:
    return Layout(key, family, _header() + fields, min_bits, composites=composites, title=title)


_POSITION_A = (
    Field("status", 38, 4, U, legend="nav_status", doc="Navigation status"),
    Field("turn", 42, 8, Kind.ROT, na=-128, unit="deg/min", legend="turn", doc="Rate of turn"),
    _speed(50),
    Field("accuracy", 60, 1, B, doc="Position accuracy better than 10 m"),
    _lon(61),
    _lat(89),
    _course(116),
    _heading(128),
    _second(137),
    Field("maneuver", 143, 2, U, doc="Special manoeuvre indicator"),
    Field("raim", 148, 1, B, doc="RAIM in use"),
    Field("radio", 149, 19, U, doc="Radio status (SOTDMA/ITDMA communication state)"),
)

_BASE_STATION = (
    Field("year", 38, 14, U, na=0, doc="UTC year"),
    Field("month", 52, 4, U, na=0, doc="UTC month"),
    Field("day", 56, 5, U, na=0, doc="UTC day"),
    Field("hour", 61, 5, U, na=24, doc="UTC hour"),
    Field("minute", 66, 6, U, na=60, doc="UTC minute"),
    Field("second", 72, 6, U, na=60, doc="UTC second"),
    Field("accuracy", 78, 1, B),
    _lon(79),
    _lat(107),
    _epfd(134),
    Field("raim", 148, 1, B),
    Field("radio", 149, 19, U),
)
_TIMESTAMP = Composite(
    "timestamp",
    "{0:04d}-{1:02d}-{2:02d}T{3:02d}:{4:02d}:{5:02d}Z",
    ("year", "month", "day", "hour", "minute", "second"),
)

_STATIC_VOYAGE = (
    Field("ais_version", 38, 2, U, doc="AIS version indicator"),
    Field("imo", 40, 30, U, na=0, doc="IMO number"),
    Field("callsign", 70, 42, T, doc="Call sign"),
    Field("shipname", 112, 120, T, doc="Vessel name"),
    _shiptype(232),
    *_dimensions(240),
    _epfd(270),
    Field("month", 274, 4, U, na=0, doc="ETA month (UTC)"),
    Field("day", 278, 5, U, na=0, doc="ETA day (UTC)"),
    Field("hour", 283, 5, U, na=24, doc="ETA hour (UTC)"),
    Field("minute", 288, 6, U, na=60, doc="ETA minute (UTC)"),
    Field("draught", 294, 8, U, div=10.0, na=0, unit="m", doc="Maximum present static draught"),
    Field("destination", 302, 120, T, doc="Destination"),
    Field("dte", 422, 1, U, doc="Data terminal equipment not ready (1) or ready (0)"),
)
_ETA = Composite("eta", "{0:02d}-{1:02d}T{2:02d}:{3:02d}Z", ("month", "day", "hour", "minute"))


def _acknowledgements() -> tuple[Field, ...]:
    fields: list[Field] = []
    for i in range(4):
        fields.append(Field(f"mmsi{i + 1}", 40 + 32 * i, 30, U, doc="Acknowledged MMSI"))
        fields.append(Field(f"seqno{i + 1}", 70 + 32 * i, 2, U, doc="Sequence number"))
    return tuple(fields)


def _data_link_blocks() -> tuple[Field, ...]:
    fields: list[Field] = []
    for i in range(4):
        base = 40 + 30 * i
        n = i + 1
        fields += [
            Field(f"offset{n}", base, 12, U, doc="Reserved slot offset"),
            Field(f"number{n}", base + 12, 4, U, doc="Number of reserved slots"),
            Field(f"timeout{n}", base + 16, 3, U, unit="min", doc="Reservation time-out"),
            Field(f"increment{n}", base + 19, 11, U, doc="Reservation increment"),
        ]
    return tuple(fields)


def _binary_broadcast_layouts(message_type: int) -> dict[str, Layout]:
    """Types 25 and 26: addressed and structured flags choose among four shapes."""
    layouts: dict[str, Layout] = {}
    radio = message_type == 26
    min_bits = 40 if message_type == 25 else 60
    for addressed in (False, True):
        for structured in (False, True):
            fields: list[Field] = [
                Field("addressed", 38, 1, B, doc="Addressed (true) or broadcast"),
                Field("structured", 39, 1, B, doc="Application identifier present"),
            ]
            pos = 40
            if addressed:
                fields.append(Field("dest_mmsi", pos, 30, U, doc="Destination MMSI"))
                pos += 30
            if structured:
                fields.append(Field("app_id", pos, 16, U, doc="Application identifier"))
                pos += 16
            trailing = 20 if radio else 0
            fields.append(Field("data", pos, trailing, Kind.DATA_TO_END, doc="Binary data"))
            if radio:
                fields.append(Field("radio", -20, 20, U, doc="Radio status"))
            key = f"{message_type}{'a' if addressed else 'b'}{'s' if structured else 'u'}"
            layouts[key] = _layout(
                key,
                "binary",
                max(min_bits, pos + trailing),
                *fields,
                title=f"Type {message_type}: {'multiple' if radio else 'single'} slot binary",
            )
    return layouts


def _build() -> dict[str, Layout]:
    layouts: dict[str, Layout] = {}

    def add(layout: Layout) -> None:
        layouts[layout.key] = layout

    for t in (1, 2, 3):
        add(_layout(str(t), "position", 163, *_POSITION_A, title="Position report class A"))
    add(
        _layout(
            "4",
            "base_station",
            168,
            *_BASE_STATION,
            composites=(_TIMESTAMP,),
            title="Base station report",
        )
    )
    add(
        _layout(
            "11",
            "base_station",
            168,
            *_BASE_STATION,
            composites=(_TIMESTAMP,),
            title="UTC/date response",
        )
    )
    add(
        _layout(
            "5", "static", 420, *_STATIC_VOYAGE, composites=(_ETA,), title="Static and voyage data"
        )
    )
    add(
        _layout(
            "6",
            "binary",
            88,
            Field("seqno", 38, 2, U, doc="Sequence number"),
            Field("dest_mmsi", 40, 30, U, doc="Destination MMSI"),
            Field("retransmit", 70, 1, B, doc="Retransmitted"),
            Field("dac", 72, 10, U, doc="Designated area code"),
            Field("fid", 82, 6, U, doc="Function identifier"),
            Field("data", 88, 0, Kind.DATA_TO_END, doc="Application data"),
            title="Binary addressed message",
        )
    )
    for t, title in ((7, "Binary acknowledge"), (13, "Safety-related acknowledge")):
        add(_layout(str(t), "control", 72, *_acknowledgements(), title=title))
    add(
        _layout(
            "8",
            "binary",
            56,
            Field("dac", 40, 10, U, doc="Designated area code"),
            Field("fid", 50, 6, U, doc="Function identifier"),
            Field("data", 56, 0, Kind.DATA_TO_END, doc="Application data"),
            title="Binary broadcast message",
        )
    )
    add(
        _layout(
            "9",
            "position",
            168,
            Field("alt", 38, 12, U, na=4095, unit="m", doc="Altitude (4094: 4094 m or higher)"),
            Field("speed", 50, 10, U, na=1023, unit="kn", doc="Speed over ground (1022: fast)"),
            Field("accuracy", 60, 1, B),
            _lon(61),
            _lat(89),
            _course(116),
            _second(128),
            Field("regional", 134, 8, U, doc="Regional reserved"),
            Field("dte", 142, 1, U),
            Field("assigned", 146, 1, B, doc="Assigned mode"),
            Field("raim", 147, 1, B),
            Field("radio", 148, 20, U),
            title="SAR aircraft position report",
        )
    )
    add(
        _layout(
            "10",
            "control",
            72,
            Field("dest_mmsi", 40, 30, U, doc="Destination MMSI"),
            title="UTC/date inquiry",
        )
    )
    add(
        _layout(
            "12",
            "safety",
            72,
            Field("seqno", 38, 2, U),
            Field("dest_mmsi", 40, 30, U),
            Field("retransmit", 70, 1, B),
            Field("text", 72, 0, Kind.TEXT_TO_END, doc="Safety-related text"),
            title="Addressed safety-related message",
        )
    )
    add(
        _layout(
            "14",
            "safety",
            40,
            Field("text", 40, 0, Kind.TEXT_TO_END, doc="Safety-related text"),
            title="Safety-related broadcast message",
        )
    )
    add(
        _layout(
            "15",
            "control",
            88,
            Field("mmsi1", 40, 30, U, doc="First interrogated MMSI"),
            Field("type1_1", 70, 6, U, doc="First requested message type"),
            Field("offset1_1", 76, 12, U, doc="Slot offset"),
            Field("type1_2", 90, 6, U, doc="Second requested message type"),
            Field("offset1_2", 96, 12, U, doc="Slot offset"),
            Field("mmsi2", 110, 30, U, doc="Second interrogated MMSI"),
            Field("type2_1", 140, 6, U, doc="Requested message type"),
            Field("offset2_1", 146, 12, U, doc="Slot offset"),
            title="Interrogation",
        )
    )
    add(
        _layout(
            "16",
            "control",
            96,
            Field("mmsi1", 40, 30, U),
            Field("offset1", 70, 12, U),
            Field("increment1", 82, 10, U),
            Field("mmsi2", 92, 30, U),
            Field("offset2", 122, 12, U),
            Field("increment2", 134, 10, U),
            title="Assignment mode command",
        )
    )
    add(
        _layout(
            "17",
            "control",
            80,
            _lon(40, 18, LATLON_DIV_TENTH_MINUTE, LON_NA_TENTH),
            _lat(58, 17, LATLON_DIV_TENTH_MINUTE, LAT_NA_TENTH),
            Field("data", 80, 0, Kind.DATA_TO_END, doc="DGNSS correction data"),
            title="DGNSS broadcast binary message",
        )
    )
    add(
        _layout(
            "18",
            "position",
            168,
            Field("reserved", 38, 8, U, doc="Regional reserved"),
            _speed(46),
            Field("accuracy", 56, 1, B),
            _lon(57),
            _lat(85),
            _course(112),
            _heading(124),
            _second(133),
            Field("regional", 139, 2, U),
            Field("cs", 141, 1, B, doc="Carrier-sense unit"),
            Field("display", 142, 1, B, doc="Has display"),
            Field("dsc", 143, 1, B, doc="Has DSC"),
            Field("band", 144, 1, B, doc="Can use the whole marine band"),
            Field("msg22", 145, 1, B, doc="Accepts channel management (type 22)"),
            Field("assigned", 146, 1, B),
            Field("raim", 147, 1, B),
            Field("radio", 148, 20, U),
            title="Standard class B position report",
        )
    )
    add(
        _layout(
            "19",
            "position",
            312,
            Field("reserved", 38, 8, U),
            _speed(46),
            Field("accuracy", 56, 1, B),
            _lon(57),
            _lat(85),
            _course(112),
            _heading(124),
            _second(133),
            Field("regional", 139, 4, U),
            Field("shipname", 143, 120, T),
            _shiptype(263),
            *_dimensions(271),
            _epfd(301),
            Field("raim", 305, 1, B),
            Field("dte", 306, 1, U),
            Field("assigned", 307, 1, B),
            title="Extended class B position report",
        )
    )
    add(_layout("20", "control", 72, *_data_link_blocks(), title="Data link management"))
    add(
        _layout(
            "21",
            "aton",
            272,
            Field("aid_type", 38, 5, U, legend="aid_type", doc="Aid type"),
            Field("name", 43, 120, T, doc="Name (with extension)"),
            Field("accuracy", 163, 1, B),
            _lon(164),
            _lat(192),
            *_dimensions(219),
            _epfd(249),
            _second(253),
            Field("off_position", 259, 1, B, doc="Off position"),
            Field("regional", 260, 8, U),
            Field("raim", 268, 1, B),
            Field("virtual_aid", 269, 1, B, doc="Virtual aid to navigation"),
            Field("assigned", 270, 1, B),
            Field("name", 272, 0, Kind.TEXT_APPEND, doc="Name extension"),
            title="Aid-to-navigation report",
        )
    )
    channel_head = (
        Field("channel_a", 40, 12, U, doc="Channel A number"),
        Field("channel_b", 52, 12, U, doc="Channel B number"),
        Field("txrx", 64, 4, U, doc="Tx/Rx mode"),
        Field("power", 68, 1, B, doc="Low power"),
    )
    channel_tail = (
        Field("addressed", 139, 1, B),
        Field("band_a", 140, 1, B),
        Field("band_b", 141, 1, B),
        Field("zonesize", 142, 3, U, unit="nmi"),
    )
    tenth = LATLON_DIV_TENTH_MINUTE
    area = (
        Field("ne_lon", 69, 18, S, div=tenth, unit="deg"),
        Field("ne_lat", 87, 17, S, div=tenth, unit="deg"),
        Field("sw_lon", 104, 18, S, div=tenth, unit="deg"),
        Field("sw_lat", 122, 17, S, div=tenth, unit="deg"),
    )
    add(
        _layout(
            "22b", "control", 168, *channel_head, *area, *channel_tail, title="Channel management"
        )
    )
    add(
        _layout(
            "22a",
            "control",
            168,
            *channel_head,
            Field("dest1", 69, 30, U),
            Field("dest2", 104, 30, U),
            *channel_tail,
            title="Channel management (addressed)",
        )
    )
    add(
        _layout(
            "23",
            "control",
            160,
            Field("ne_lon", 40, 18, S, div=tenth, unit="deg"),
            Field("ne_lat", 58, 17, S, div=tenth, unit="deg"),
            Field("sw_lon", 75, 18, S, div=tenth, unit="deg"),
            Field("sw_lat", 93, 17, S, div=tenth, unit="deg"),
            Field("stationtype", 110, 4, U, legend="station_type"),
            _shiptype(114),
            Field("txrx", 144, 2, U),
            Field("interval", 146, 4, U, doc="Reporting interval code"),
            Field("quiet", 150, 4, U, unit="min", doc="Quiet time"),
            title="Group assignment command",
        )
    )
    part = Field("partno", 38, 2, U, legend="part", doc="Part number (0: A, 1: B)")
    add(
        _layout(
            "24A", "static", 160, part, Field("shipname", 40, 120, T), title="Static data part A"
        )
    )
    part_b = (
        part,
        _shiptype(40),
        Field("vendorid", 48, 18, T, doc="Manufacturer identifier"),
        Field("model", 66, 4, U, doc="Unit model code"),
        Field("serial", 70, 20, U, doc="Unit serial number"),
        Field("callsign", 90, 42, T),
    )
    add(_layout("24B", "static", 168, *part_b, *_dimensions(132), title="Static data part B"))
    add(
        _layout(
            "24Bx",
            "static",
            168,
            *part_b,
            Field("mothership_mmsi", 132, 30, U, doc="MMSI of the mother ship"),
            title="Static data part B (auxiliary craft)",
        )
    )
    layouts.update(_binary_broadcast_layouts(25))
    layouts.update(_binary_broadcast_layouts(26))
    add(
        _layout(
            "27",
            "position",
            96,
            Field("accuracy", 38, 1, B),
            Field("raim", 39, 1, B),
            Field("status", 40, 4, U, legend="nav_status"),
            _lon(44, 18, LATLON_DIV_TENTH_MINUTE, LON_NA_TENTH),
            _lat(62, 17, LATLON_DIV_TENTH_MINUTE, LAT_NA_TENTH),
            Field("speed", 79, 6, U, na=63, unit="kn"),
            Field("course", 85, 9, U, na=511, unit="deg"),
            Field("gnss", 94, 1, B, doc="Position latency: true when not GNSS current"),
            title="Long-range AIS broadcast",
        )
    )
    return layouts


#: Every message layout by key.
LAYOUTS: Mapping[str, Layout] = MappingProxyType(_build())


def _selectors() -> dict[int, Selector]:
    selectors = {t: Selector(0, 0, (str(t),)) for t in (1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11)}
    selectors.update({t: Selector(0, 0, (str(t),)) for t in (12, 13, 14, 15, 16, 17, 18)})
    selectors.update({t: Selector(0, 0, (str(t),)) for t in (19, 20, 21, 23, 27)})
    selectors[22] = Selector(139, 1, ("22b", "22a"))
    selectors[24] = Selector(38, 2, ("24A", "24B", None, None), auxiliary=(("24B", "24Bx"),))
    for t in (25, 26):
        selectors[t] = Selector(38, 2, (f"{t}bu", f"{t}bs", f"{t}au", f"{t}as"))
    return selectors


#: How the layout of each message type is chosen.
SELECTORS: Mapping[int, Selector] = MappingProxyType(_selectors())

#: Order of the Arrow tables ("families") the batch path produces.
FAMILIES: tuple[str, ...] = (
    "position",
    "static",
    "base_station",
    "aton",
    "binary",
    "safety",
    "control",
)


def is_auxiliary_mmsi(mmsi: int) -> bool:
    """Whether an MMSI belongs to an auxiliary craft (``98MIDxxxx``)."""
    return mmsi // 10_000_000 == 98
