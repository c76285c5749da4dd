"""Text legends for coded AIS values (navigation status, ship type, EPFD, ...).

The wording follows gpsd's AIVDM JSON so that ``<field>_text`` values match it. Each
legend is a mapping from raw code to text; a code missing from the mapping has no text.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType


def _seq(*texts: str) -> Mapping[int, str]:
    return MappingProxyType(dict(enumerate(texts)))


NAV_STATUS = _seq(
    "Under way using engine",
    "At anchor",
    "Not under command",
    "Restricted maneuverability",
    "Constrained by her draught",
    "Moored",
    "Aground",
    "Engaged in fishing",
    "Under way sailing",
    "Reserved for HSC",
    "Reserved for WIG",
    "Power-driven vessel towing astern",
    "Power-driven vessel pushing ahead or towing alongside",
    "Reserved",
    "AIS-SART is active",
    "Not defined",
)

EPFD = _seq(
    "Undefined",
    "GPS",
    "GLONASS",
    "Combined GPS/GLONASS",
    "Loran-C",
    "Chayka",
    "Integrated navigation system",
    "Surveyed",
    "Galileo",
    "Reserved (9)",
    "Reserved (10)",
    "Reserved (11)",
    "Reserved (12)",
    "Reserved (13)",
    "Reserved (14)",
    "Internal GNSS",
)


def _ship_types() -> Mapping[int, str]:
    texts: dict[int, str] = {0: "Not available"}
    for code in range(1, 20):
        texts[code] = "Reserved for future use"
    hazard = ["all ships of this type"] + [f"Hazardous category {c}" for c in "ABCD"]
    hazard += ["Reserved for future use"] * 4 + ["No additional information"]
    for decade, name in ((2, "Wing in ground (WIG)"), (4, "High speed craft (HSC)")):
        for unit, text in enumerate(hazard):
            texts[decade * 10 + unit] = f"{name} - {text}"
    for unit in range(5, 10):
        texts[20 + unit] = "Wing in ground (WIG) - Reserved for future use"
    specials = [
        "Fishing",
        "Towing",
        "Towing: length exceeds 200m or breadth exceeds 25m",
        "Dredging or underwater ops",
        "Diving ops",
        "Military ops",
        "Sailing",
        "Pleasure Craft",
        "Reserved",
        "Reserved",
        "Pilot Vessel",
        "Search and Rescue vessel",
        "Tug",
        "Port Tender",
        "Anti-pollution equipment",
        "Law Enforcement",
        "Spare - Local Vessel",
        "Spare - Local Vessel",
        "Medical Transport",
        "Ship according to RR Resolution No. 18",
    ]
    for i, text in enumerate(specials[:10]):
        texts[30 + i] = text
    for i, text in enumerate(specials[10:]):
        texts[50 + i] = text
    for decade, name in ((6, "Passenger"), (7, "Cargo"), (8, "Tanker"), (9, "Other Type")):
        for unit, text in enumerate(hazard):
            texts[decade * 10 + unit] = f"{name} - {text}"
    texts[99] = "Other Type - no additional information"
    return MappingProxyType(texts)


SHIP_TYPE = _ship_types()

AID_TYPE = _seq(
    "Unspecified",
    "Reference point",
    "RACON",
    "Fixed offshore structure",
    "Spare, Reserved for future use.",
    "Light, without sectors",
    "Light, with sectors",
    "Leading Light Front",
    "Leading Light Rear",
    "Beacon, Cardinal N",
    "Beacon, Cardinal E",
    "Beacon, Cardinal S",
    "Beacon, Cardinal W",
    "Beacon, Port hand",
    "Beacon, Starboard hand",
    "Beacon, Preferred Channel port hand",
    "Beacon, Preferred Channel starboard hand",
    "Beacon, Isolated danger",
    "Beacon, Safe water",
    "Beacon, Special mark",
    "Cardinal Mark N",
    "Cardinal Mark E",
    "Cardinal Mark S",
    "Cardinal Mark W",
    "Port hand Mark",
    "Starboard hand Mark",
    "Preferred Channel Port hand",
    "Preferred Channel Starboard hand",
    "Isolated danger",
    "Safe Water",
    "Special Mark",
    "Light Vessel / LANBY / Rigs",
)

STATION_TYPE = _seq(
    "All types of mobiles",
    "Reserved for future use",
    "All types of Class B mobile stations",
    "SAR airborne mobile station",
    "Aid to Navigation station",
    "Class B shipborne mobile station",
    "Regional use and inland waterways",
    "Regional use and inland waterways",
    "Regional use and inland waterways",
    "Regional use and inland waterways",
    *(["Reserved for future use"] * 6),
)

TURN = MappingProxyType({-128: "n/a", -127: "fastleft", 127: "fastright"})

PART = MappingProxyType({0: "A", 1: "B"})

RACON_STATUS = _seq("No RACON installed", "RACON not monitored", "RACON operational", "RACON ERROR")
LIGHT_STATUS = _seq("No light or no monitoring", "Light ON", "Light OFF", "Light ERROR")
RTA_STATUS = _seq("Operational", "Limited operation", "Out of order", "N/A")
BERTH_POSITION = _seq(
    "Not available",
    "Port-side to",
    "Starboard-side to",
    "Mediterranean (end-on) mooring",
    "Mooring buoy",
    "Anchorage",
    "Reserved for future use",
    "Reserved for future use",
)
TREND = _seq("steady", "increasing", "decreasing", "N/A")
PRECIP_TYPE = _seq(
    "reserved", "rain", "thunderstorm", "freezing rain", "mixed/ice", "snow", "reserved", "N/A"
)
ICE = _seq("no", "yes", "reserved", "N/A")
ID_TYPE = _seq("mmsi", "imo", "callsign", "other")
ROUTE_TYPE = MappingProxyType(
    {
        0: "Undefined (default)",
        1: "Mandatory",
        2: "Recommended",
        3: "Alternative",
        4: "Recommended route through ice",
        5: "Ship route plan",
        **{code: "Reserved for future use." for code in range(6, 31)},
        31: "Cancel route identified by message linkage",
    }
)
SIGNAL = _seq(
    "N/A",
    "Serious emergency - stop or divert according to instructions.",
    "Vessels shall not proceed.",
    "Vessels may proceed. One way traffic.",
    "Vessels may proceed. Two way traffic.",
    "Vessels shall proceed on specific orders only.",
    "Vessels in main channel shall not proceed.",
    "Vessels in main channel shall proceed on specific orders only.",
    "Vessels in main channel shall proceed on specific orders only.",
    'I = "in-bound" only acceptable.',
    'O = "out-bound" only acceptable.',
    'F = both "in- and out-bound" acceptable.',
    'XI = Code will shift to "I" in due time.',
    'XO = Code will shift to "O" in due time.',
    "X = Vessels shall proceed only on direction.",
)
INLAND_HAZARD = _seq(
    "0 blue cones/lights",
    "1 blue cone/light",
    "2 blue cones/lights",
    "3 blue cones/lights",
    "4 B-Flag",
    "Unknown",
)
INLAND_LOADED = _seq("N/A (default)", "Unloaded", "Loaded")
INLAND_SHIP_TYPE = MappingProxyType(
    {
        8000: "Vessel, type unknown",
        8010: "Motor freighter",
        8020: "Motor tanker",
        8021: "Motor tanker, liquid cargo, type N",
        8022: "Motor tanker, liquid cargo, type C",
        8023: "Motor tanker, dry cargo as if liquid (e.g. cement)",
        8030: "Container vessel",
        8040: "Gas tanker",
        8050: "Motor freighter, tug",
        8060: "Motor tanker, tug",
        8070: "Motor freighter with one or more ships alongside",
        8080: "Motor freighter with tanker",
        8090: "Motor freighter pushing one or more freighters",
        8100: "Motor freighter pushing at least one tank-ship",
        8110: "Tug, freighter",
        8120: "Tug, tanker",
        8130: "Tug freighter, coupled",
        8140: "Tug, freighter/tanker, coupled",
        8150: "Freightbarge",
        8160: "Tankbarge",
        8161: "Tankbarge, liquid cargo, type N",
        8162: "Tankbarge, liquid cargo, type C",
        8163: "Tankbarge, dry cargo as if liquid (e.g. cement)",
        8170: "Freightbarge with containers",
        8180: "Tankbarge, gas",
        8210: "Pushtow, one cargo barge",
        8220: "Pushtow, two cargo barges",
        8230: "Pushtow, three cargo barges",
        8240: "Pushtow, four cargo barges",
        8250: "Pushtow, five cargo barges",
        8260: "Pushtow, six cargo barges",
        8270: "Pushtow, seven cargo barges",
        8280: "Pushtow, eight cargo barges",
        8290: "Pushtow, nine or more barges",
        8310: "Pushtow, one tank/gas barge",
        8320: "Pushtow, two barges at least one tanker or gas barge",
        8330: "Pushtow, three barges at least one tanker or gas barge",
        8340: "Pushtow, four barges at least one tanker or gas barge",
        8350: "Pushtow, five barges at least one tanker or gas barge",
        8360: "Pushtow, six barges at least one tanker or gas barge",
        8370: "Pushtow, seven barges at least one tanker or gas barg",
    }
)
EMMA_TYPE = _seq(
    "Not Available",
    "Wind",
    "Rain",
    "Snow and ice",
    "Thunderstorm",
    "Fog",
    "Low temperature",
    "High temperature",
    "Flood",
    "Forest Fire",
)
EMMA_CLASS = _seq("Slight", "Medium", "Strong")
EMMA_WIND = _seq(
    "N/A",
    "North",
    "North East",
    "East",
    "South East",
    "South",
    "South West",
    "West",
    "North West",
)
SIGNAL_DIRECTION = _seq("Unknown", "Upstream", "Downstream", "To left bank", "To right bank")
SIGNAL_STATUS = _seq(
    "Unknown",
    "No light",
    "White",
    "Yellow",
    "Green",
    "Red",
    "White flashing",
    "Yellow flashing.",
)
AREA_SHAPE = _seq("circle", "rectangle", "sector", "polyline", "polygon", "text")

#: Every legend by the name used in :class:`~seawarden.ais.fieldspec.Field.legend`.
LEGENDS: Mapping[str, Mapping[int, str]] = MappingProxyType(
    {
        "nav_status": NAV_STATUS,
        "epfd": EPFD,
        "ship_type": SHIP_TYPE,
        "aid_type": AID_TYPE,
        "station_type": STATION_TYPE,
        "turn": TURN,
        "part": PART,
        "racon": RACON_STATUS,
        "light": LIGHT_STATUS,
        "rta_status": RTA_STATUS,
        "berth_position": BERTH_POSITION,
        "trend": TREND,
        "precip_type": PRECIP_TYPE,
        "ice": ICE,
        "id_type": ID_TYPE,
        "route_type": ROUTE_TYPE,
        "signal": SIGNAL,
        "inland_hazard": INLAND_HAZARD,
        "inland_loaded": INLAND_LOADED,
        "inland_ship_type": INLAND_SHIP_TYPE,
        "emma_type": EMMA_TYPE,
        "emma_class": EMMA_CLASS,
        "emma_wind": EMMA_WIND,
        "signal_direction": SIGNAL_DIRECTION,
        "signal_status": SIGNAL_STATUS,
        "area_shape": AREA_SHAPE,
    }
)


def legend_text(legend: str, code: int) -> str | None:
    """Text for ``code`` in the named legend, or ``None`` when the code has no text."""
    return LEGENDS[legend].get(code)
