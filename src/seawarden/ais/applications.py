"""Field tables of binary application messages (ASMs) carried by types 6 and 8.

Keys are ``(message type, DAC, FI)``. Bit positions are from the start of the whole
message, as in gpsd. IMO289 (SN.1/Circ.289) DAC 1 messages that matter in a port are
here (met/hydro 31, dangerous cargo 25, berthing 20, tidal window 32, persons on board 16,
area notice 22/23, clearance time 18, route information 27/28, text 29/30, traffic
signal 19, VTS targets 17), the older IMO236 ones gpsd knows, inland ECE DAC 200 FI 10,
21, 22, 23, 24, 40, 55 and the GLA AtoN monitoring message (DAC 235/250 FI 10). A message
whose length does not fit its layout keeps its raw bits, like any other ASM.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

from seawarden.ais.fieldspec import Array, Composite, Field, Kind, Layout

U, S, B, T = Kind.UINT, Kind.INT, Kind.BOOL, Kind.TEXT
#: 1/1000 minute, the position resolution of most IMO289 messages.
MINUTE_1000 = 60_000.0
MINUTE_10000 = 600_000.0


def _app(
    key: str,
    min_bits: int,
    *fields: Field,
    max_bits: int | None = None,
    composites: tuple[Composite, ...] = (),
    arrays: tuple[Array, ...] = (),
    title: str = "",
) -> Layout:
    return Layout(
        key,
        "binary",
        fields,
        min_bits,
        composites=composites,
        arrays=arrays,
        max_bits=max_bits,
        title=title,
    )


def _when(prefix: str, name: str, start: int) -> tuple[tuple[Field, ...], Composite]:
    """Month, day, hour, minute fields (4+5+5+6 bits) and their ``MM-DDTHH:MMZ`` string."""
    parts = ("month", "day", "hour", "minute")
    names = tuple(f"{prefix}{p}" for p in parts)
    fields = (
        Field(names[0], start, 4, U, na=0),
        Field(names[1], start + 4, 5, U, na=0),
        Field(names[2], start + 9, 5, U, na=24),
        Field(names[3], start + 14, 6, U, na=60),
    )
    return fields, Composite(name, "{0:02d}-{1:02d}T{2:02d}:{3:02d}Z", names)


_TIDAL_14 = Array(
    "tidals",
    97,
    93,
    (
        Field("lat", 0, 27, S, div=MINUTE_1000, unit="deg"),
        Field("lon", 27, 28, S, div=MINUTE_1000, unit="deg"),
        Field("from_hour", 55, 5, U),
        Field("from_min", 60, 6, U),
        Field("to_hour", 66, 5, U),
        Field("to_min", 71, 6, U),
        Field("cdir", 77, 9, U, unit="deg"),
        Field("cspeed", 86, 7, U, div=10.0, unit="kn"),
    ),
    max_count=3,
)
_TIDAL_32 = Array(
    "tidals",
    97,
    88,
    (
        Field("lon", 0, 25, S, div=MINUTE_1000, unit="deg"),
        Field("lat", 25, 24, S, div=MINUTE_1000, unit="deg"),
        Field("from_hour", 49, 5, U),
        Field("from_min", 54, 6, U),
        Field("to_hour", 60, 5, U),
        Field("to_min", 65, 6, U),
        Field("cdir", 71, 9, U, na=360, unit="deg"),
        Field("cspeed", 80, 8, U, div=10.0, na=251, unit="kn"),
    ),
    max_count=3,
)


def _route(base: int, title: str) -> Layout:
    when, start = _when("", "start", base + 18)
    return _app(
        "route",
        base + 61,
        Field("linkage", base, 10, U),
        Field("sender", base + 10, 3, U),
        Field("rtype", base + 13, 5, U, legend="route_type"),
        *when,
        Field("duration", base + 38, 18, U, na=262143, unit="min"),
        Field("waycount", base + 56, 5, U),
        composites=(start,),
        arrays=(
            Array(
                "waypoints",
                base + 61,
                55,
                (
                    Field("lon", 0, 28, S, div=MINUTE_10000, na=181 * 600_000, unit="deg"),
                    Field("lat", 28, 27, S, div=MINUTE_10000, na=91 * 600_000, unit="deg"),
                ),
                max_count=16,
                count_field="waycount",
            ),
        ),
        title=title,
    )


def _met_hydro_11() -> Layout:
    when, stamp = _when("", "timestamp", 101)
    # IMO236 FI 11 has no month; gpsd prints "DDTHH:MMZ".
    stamp = Composite("timestamp", "{0:02d}T{1:02d}:{2:02d}Z", ("day", "hour", "minute"))
    return _app(
        "met_hydro_236",
        346,
        Field("lat", 56, 24, S, div=MINUTE_1000, na=0x7FFFFF, unit="deg"),
        Field("lon", 80, 25, S, div=MINUTE_1000, na=0xFFFFFF, unit="deg"),
        *when[1:],
        Field("wspeed", 121, 7, U, na=127, unit="kn"),
        Field("wgust", 128, 7, U, na=127, unit="kn"),
        Field("wdir", 135, 9, U, na=511, unit="deg"),
        Field("wgustdir", 144, 9, U, na=511, unit="deg"),
        Field("airtemp", 153, 11, U, div=10.0, offset=600, na=2047, unit="degC"),
        Field("humidity", 164, 7, U, na=127, unit="%"),
        Field("dewpoint", 171, 10, U, div=10.0, offset=200, na=1023, unit="degC"),
        Field("pressure", 181, 9, U, offset=-800, na=511, unit="hPa"),
        Field("pressuretend", 190, 2, U, na=3, legend="trend"),
        Field("visibility", 192, 8, U, div=10.0, na=255, unit="nmi"),
        Field("waterlevel", 200, 9, U, div=10.0, offset=100, na=511, unit="m"),
        Field("leveltrend", 209, 2, U, na=3, legend="trend"),
        Field("cspeed", 211, 8, U, div=10.0, na=255, unit="kn"),
        Field("cdir", 219, 9, U, na=511, unit="deg"),
        Field("cspeed2", 228, 8, U, div=10.0, na=255, unit="kn"),
        Field("cdir2", 236, 9, U, na=511, unit="deg"),
        Field("cdepth2", 245, 5, U, na=31, unit="m"),
        Field("cspeed3", 250, 8, U, div=10.0, na=255, unit="kn"),
        Field("cdir3", 258, 9, U, na=511, unit="deg"),
        Field("cdepth3", 267, 5, U, na=31, unit="m"),
        Field("waveheight", 272, 8, U, div=10.0, na=255, unit="m"),
        Field("waveperiod", 280, 6, U, na=63, unit="s"),
        Field("wavedir", 286, 9, U, na=511, unit="deg"),
        Field("swellheight", 295, 8, U, div=10.0, na=255, unit="m"),
        Field("swellperiod", 303, 6, U, na=63, unit="s"),
        Field("swelldir", 309, 9, U, na=511, unit="deg"),
        Field("seastate", 318, 4, U, na=15, unit="Beaufort"),
        Field("watertemp", 322, 10, U, div=10.0, offset=100, na=1023, unit="degC"),
        Field("preciptype", 332, 3, U, na=7, legend="precip_type"),
        Field("salinity", 335, 9, U, div=10.0, na=511, unit="permille"),
        Field("ice", 344, 2, U, na=3, legend="ice"),
        max_bits=352,
        composites=(stamp,),
        title="IMO236 meteorological and hydrological data",
    )


def _met_hydro_31() -> Layout:
    stamp = Composite("timestamp", "{0:02d}T{1:02d}:{2:02d}Z", ("day", "hour", "minute"))
    return _app(
        "met_hydro",
        350,
        Field("lon", 56, 25, S, div=MINUTE_1000, na=181 * 60_000, unit="deg"),
        Field("lat", 81, 24, S, div=MINUTE_1000, na=91 * 60_000, unit="deg"),
        Field("accuracy", 105, 1, B),
        Field("day", 106, 5, U, na=0),
        Field("hour", 111, 5, U, na=24),
        Field("minute", 116, 6, U, na=60),
        Field("wspeed", 122, 7, U, na=127, unit="kn"),
        Field("wgust", 129, 7, U, na=127, unit="kn"),
        Field("wdir", 136, 9, U, na=360, unit="deg"),
        Field("wgustdir", 145, 9, U, na=360, unit="deg"),
        Field("airtemp", 154, 11, S, div=10.0, na=-1024, unit="degC"),
        Field("humidity", 165, 7, U, na=101, unit="%"),
        Field("dewpoint", 172, 10, S, div=10.0, na=501, unit="degC"),
        Field("pressure", 182, 9, U, offset=-799, na=511, unit="hPa"),
        Field("pressuretend", 191, 2, U, na=3, legend="trend"),
        Field("visgreater", 193, 1, B, doc="Visibility greater than reported"),
        Field("visibility", 194, 7, U, div=10.0, na=127, unit="nmi"),
        Field("waterlevel", 201, 12, U, div=100.0, offset=1000, na=4001, unit="m"),
        Field("leveltrend", 213, 2, U, na=3, legend="trend"),
        Field("cspeed", 215, 8, U, div=10.0, na=255, unit="kn"),
        Field("cdir", 223, 9, U, na=360, unit="deg"),
        Field("cspeed2", 232, 8, U, div=10.0, na=255, unit="kn"),
        Field("cdir2", 240, 9, U, na=360, unit="deg"),
        Field("cdepth2", 249, 5, U, na=31, unit="m"),
        Field("cspeed3", 254, 8, U, div=10.0, na=255, unit="kn"),
        Field("cdir3", 262, 9, U, na=360, unit="deg"),
        Field("cdepth3", 271, 5, U, na=31, unit="m"),
        Field("waveheight", 276, 8, U, div=10.0, na=255, unit="m"),
        Field("waveperiod", 284, 6, U, na=63, unit="s"),
        Field("wavedir", 290, 9, U, na=360, unit="deg"),
        Field("swellheight", 299, 8, U, div=10.0, na=255, unit="m"),
        Field("swellperiod", 307, 6, U, na=63, unit="s"),
        Field("swelldir", 313, 9, U, na=360, unit="deg"),
        Field("seastate", 322, 4, U, na=13, unit="Beaufort"),
        Field("watertemp", 326, 10, S, div=10.0, na=501, unit="degC"),
        Field("preciptype", 336, 3, U, na=7, legend="precip_type"),
        Field("salinity", 339, 9, U, div=10.0, na=510, unit="permille"),
        Field("ice", 348, 2, U, na=3, legend="ice"),
        composites=(stamp,),
        title="IMO289 meteorological and hydrological data",
    )


def _inland_eta(fid: int) -> Layout:
    head = (
        Field("country", 88, 12, T),
        Field("locode", 100, 18, T),
        Field("section", 118, 30, T),
        Field("terminal", 148, 30, T),
        Field("hectometre", 178, 30, T),
        Field("month", 208, 4, U),
        Field("day", 212, 5, U),
        Field("hour", 217, 5, U),
        Field("minute", 222, 6, U),
    )
    eta = Composite("eta", "{0}-{1}T{2}:{3}", ("month", "day", "hour", "minute"))
    if fid == 21:
        return _app(
            "inland_eta",
            248,
            *head,
            Field("tugs", 228, 3, U),
            Field("airdraught", 231, 12, U, unit="cm"),
            max_bits=248,
            composites=(eta,),
            title="Inland ETA at lock/bridge/terminal",
        )
    return _app(
        "inland_rta",
        232,
        *head,
        Field("status", 228, 2, U, legend="rta_status"),
        max_bits=232,
        composites=(eta,),
        title="Inland RTA at lock/bridge/terminal",
    )


def _build() -> dict[tuple[int, int, int], Layout]:
    apps: dict[tuple[int, int, int], Layout] = {}
    dep, departure = _when("l", "departure", 118)
    nxt, eta = _when("n", "eta", 168)
    for mtype, base in ((6, 88), (8, 56)):
        apps[(mtype, 1, 0)] = _app(
            "text_telegram",
            base + 12,
            Field("ack_required", base, 1, B),
            Field("msg_seq", base + 1, 11, U),
            Field("text", base + 12, 0, Kind.TEXT_TO_END),
            title="IMO236 text telegram",
        )
    apps[(6, 1, 12)] = _app(
        "dangerous_cargo_236",
        118,
        Field("lastport", 88, 30, T),
        *dep,
        Field("nextport", 138, 30, T),
        *nxt,
        Field("dangerous", 188, 120, T),
        Field("imdcat", 308, 24, T),
        Field("unid", 332, 13, U),
        Field("amount", 345, 10, U),
        Field("unit", 355, 2, U),
        composites=(departure, eta),
        title="IMO236 dangerous cargo indication",
    )
    apps[(6, 1, 14)] = _app(
        "tidal_window_236",
        97,
        Field("month", 88, 4, U),
        Field("day", 92, 5, U),
        arrays=(_TIDAL_14,),
        title="IMO236 tidal window",
    )
    apps[(6, 1, 16)] = _app(
        "persons_on_board",
        136,
        Field("persons", 88, 13, U, na=0),
        max_bits=136,
        title="IMO289 number of persons on board",
    )
    arrival_fields, arrival = _when("", "arrival", 98)
    apps[(6, 1, 18)] = _app(
        "clearance_time",
        98,
        Field("linkage", 88, 10, U),
        *arrival_fields,
        Field("portname", 118, 120, T),
        Field("destination", 238, 30, T),
        Field("lon", 268, 25, S, div=MINUTE_1000, na=181 * 60_000, unit="deg"),
        Field("lat", 293, 24, S, div=MINUTE_1000, na=91 * 60_000, unit="deg"),
        composites=(arrival,),
        title="IMO289 clearance time to enter port",
    )
    services = (
        "agent",
        "fuel",
        "chandler",
        "stevedore",
        "electrical",
        "water",
        "customs",
        "cartage",
        "crane",
        "lift",
        "medical",
        "navrepair",
        "provisions",
        "shiprepair",
        "surveyor",
        "steam",
        "tugs",
        "solidwaste",
        "liquidwaste",
        "hazardouswaste",
        "ballast",
        "additional",
        "regional1",
        "regional2",
        "future1",
        "future2",
    )
    apps[(6, 1, 20)] = _app(
        "berthing",
        360,
        Field("linkage", 88, 10, U),
        Field("berth_length", 98, 9, U, na=0, unit="m"),
        Field("berth_depth", 107, 8, U, div=10.0, na=0, unit="m"),
        Field("position", 115, 3, U, legend="berth_position"),
        Field("month", 118, 4, U, na=0),
        Field("day", 122, 5, U, na=0),
        Field("hour", 127, 5, U, na=24),
        Field("minute", 132, 6, U, na=60),
        Field("availability", 138, 1, U),
        *(Field(name, 139 + 2 * i, 2, U) for i, name in enumerate(services)),
        Field("berth_name", 191, 120, T),
        Field("berth_lon", 311, 25, S, div=MINUTE_1000, na=181 * 60_000, unit="deg"),
        Field("berth_lat", 336, 24, S, div=MINUTE_1000, na=91 * 60_000, unit="deg"),
        composites=(Composite("arrival", "{0}-{1}T{2}:{3}", ("month", "day", "hour", "minute")),),
        title="IMO289 berthing data",
    )
    apps[(6, 1, 25)] = _app(
        "dangerous_cargo",
        100,
        Field("unit", 88, 2, U, doc="0 n/a, 1 kg, 2 tonnes, 3 1000 tonnes"),
        Field("amount", 90, 10, U),
        arrays=(
            Array(
                "cargos",
                100,
                17,
                (Field("code", 0, 4, U), Field("subtype", 4, 13, U)),
                max_count=28,
            ),
        ),
        title="IMO289 dangerous cargo indication",
    )
    apps[(6, 1, 28)] = _route(88, "IMO289 route information (addressed)")
    apps[(6, 1, 30)] = _app(
        "text_description",
        98,
        Field("linkage", 88, 10, U),
        Field("text", 98, 0, Kind.TEXT_TO_END),
        title="IMO289 text description (addressed)",
    )
    apps[(6, 1, 32)] = _app(
        "tidal_window",
        97,
        Field("month", 88, 4, U, na=0),
        Field("day", 92, 5, U, na=0),
        arrays=(_TIDAL_32,),
        title="IMO289 tidal window",
    )
    apps[(6, 200, 21)] = _inland_eta(21)
    apps[(6, 200, 22)] = _inland_eta(22)
    apps[(6, 200, 55)] = _app(
        "inland_persons_on_board",
        168,
        Field("crew", 88, 8, U, na=255),
        Field("passengers", 96, 13, U, na=8191),
        Field("personnel", 109, 8, U, na=255),
        max_bits=168,
        title="Inland number of persons on board",
    )
    aton = _app(
        "aton_monitoring",
        136,
        Field("ana_int", 88, 10, U, div=20.0, unit="V"),
        Field("ana_ext1", 98, 10, U, div=20.0, unit="V"),
        Field("ana_ext2", 108, 10, U, div=20.0, unit="V"),
        Field("racon", 118, 2, U, legend="racon"),
        Field("light", 120, 2, U, legend="light"),
        Field("alarm", 122, 1, B),
        Field("stat_ext", 123, 8, U),
        Field("off_pos", 131, 1, B),
        max_bits=136,
        title="GLA AtoN monitoring data",
    )
    apps[(6, 235, 10)] = aton
    apps[(6, 250, 10)] = aton
    apps[(6, 1, 23)] = _app("area_notice", 142, title="IMO289 area notice (addressed)")

    apps[(8, 1, 11)] = _met_hydro_11()
    from_fields, from_when = _when("f", "from", 428)
    to_fields, to_when = _when("t", "to", 448)
    apps[(8, 1, 13)] = _app(
        "fairway_closed",
        176,
        Field("reason", 56, 120, T),
        Field("closefrom", 176, 120, T),
        Field("closeto", 296, 120, T),
        Field("radius", 416, 10, U),
        Field("extunit", 426, 2, U),
        Field("fday", 428, 5, U),
        Field("fmonth", 433, 4, U),
        Field("fhour", 437, 5, U),
        Field("fminute", 442, 6, U),
        Field("tday", 448, 5, U),
        Field("tmonth", 453, 4, U),
        Field("thour", 457, 5, U),
        Field("tminute", 462, 6, U),
        composites=(
            Composite(
                "from", "{0:02d}-{1:02d}T{2:02d}:{3:02d}", ("fmonth", "fday", "fhour", "fminute")
            ),
            Composite(
                "to", "{0:02d}-{1:02d}T{2:02d}:{3:02d}", ("tmonth", "tday", "thour", "tminute")
            ),
        ),
        title="IMO236 fairway closed",
    )
    del from_fields, from_when, to_fields, to_when
    apps[(8, 1, 15)] = _app(
        "air_draught",
        67,
        Field("airdraught", 56, 11, U, na=0, unit="dm"),
        title="IMO236 extended ship static and voyage data",
    )
    apps[(8, 1, 17)] = _app(
        "vts_targets",
        56,
        arrays=(
            Array(
                "targets",
                56,
                122,
                (
                    Field("idtype", 0, 2, U, legend="id_type"),
                    Field("id", 2, 42, U),
                    Field("lat", 48, 24, S, div=MINUTE_1000, na=91 * 60_000, unit="deg"),
                    Field("lon", 72, 25, S, div=MINUTE_1000, na=181 * 60_000, unit="deg"),
                    Field("course", 97, 9, U, na=360, unit="deg"),
                    Field("second", 106, 6, U, na=60),
                    Field("speed", 112, 10, U, na=255, unit="kn"),
                ),
                max_count=4,
            ),
        ),
        title="IMO289 VTS-generated/synthetic targets",
    )
    apps[(8, 1, 19)] = _app(
        "traffic_signal",
        258,
        Field("linkage", 56, 10, U),
        Field("station", 66, 120, T),
        Field("lon", 186, 25, S, div=MINUTE_1000, na=181 * 60_000, unit="deg"),
        Field("lat", 211, 24, S, div=MINUTE_1000, na=91 * 60_000, unit="deg"),
        Field("status", 235, 2, U),
        Field("signal", 237, 5, U, legend="signal"),
        Field("hour", 242, 5, U, na=24),
        Field("minute", 247, 6, U, na=60),
        Field("nextsignal", 253, 5, U, legend="signal"),
        title="IMO289 marine traffic signal",
    )
    apps[(8, 1, 22)] = _app("area_notice", 111, title="IMO289 area notice (broadcast)")
    apps[(8, 1, 27)] = _route(56, "IMO289 route information (broadcast)")
    apps[(8, 1, 29)] = _app(
        "text_description",
        66,
        Field("linkage", 56, 10, U),
        Field("text", 66, 0, Kind.TEXT_TO_END),
        title="IMO289 text description (broadcast)",
    )
    apps[(8, 1, 31)] = _met_hydro_31()
    apps[(8, 200, 10)] = _app(
        "inland_static",
        168,
        Field("vin", 56, 48, T, doc="European vessel identification number (ENI)"),
        Field("length", 104, 13, U, na=0, unit="dm"),
        Field("beam", 117, 10, U, na=0, unit="dm"),
        Field("shiptype", 127, 14, U, legend="inland_ship_type"),
        Field("hazard", 141, 3, U, legend="inland_hazard"),
        Field("draught", 144, 11, U, na=0, unit="cm"),
        Field("loaded", 155, 2, U, legend="inland_loaded"),
        Field("speed_q", 157, 1, B),
        Field("course_q", 158, 1, B),
        Field("heading_q", 159, 1, B),
        max_bits=168,
        title="Inland ship static and voyage data",
    )
    apps[(8, 200, 23)] = _app(
        "inland_emma",
        256,
        Field("start_year", 56, 8, U),
        Field("start_month", 64, 4, U),
        Field("start_day", 68, 5, U),
        Field("end_year", 73, 8, U),
        Field("end_month", 81, 4, U),
        Field("end_day", 85, 5, U),
        Field("start_hour", 90, 5, U),
        Field("start_minute", 95, 6, U),
        Field("end_hour", 101, 5, U),
        Field("end_minute", 106, 6, U),
        Field("start_lon", 112, 28, S, div=MINUTE_10000, unit="deg"),
        Field("start_lat", 140, 27, S, div=MINUTE_10000, unit="deg"),
        Field("end_lon", 167, 28, S, div=MINUTE_10000, unit="deg"),
        Field("end_lat", 195, 27, S, div=MINUTE_10000, unit="deg"),
        Field("warning_type", 222, 4, U, legend="emma_type"),
        Field("min", 226, 9, S),
        Field("max", 235, 9, S),
        Field("intensity", 244, 2, U, legend="emma_class"),
        Field("wind", 246, 4, U, legend="emma_wind"),
        max_bits=256,
        title="Inland EMMA warning",
    )
    apps[(8, 200, 24)] = _app(
        "inland_water_level",
        168,
        Field("country", 56, 12, T),
        arrays=(
            Array(
                "gauges", 68, 25, (Field("id", 0, 11, U), Field("level", 11, 14, S, unit="cm")), 4
            ),
        ),
        max_bits=168,
        title="Inland water levels",
    )
    apps[(8, 200, 40)] = _app(
        "inland_signal",
        168,
        Field("lon", 56, 28, S, div=MINUTE_10000, unit="deg"),
        Field("lat", 84, 27, S, div=MINUTE_10000, unit="deg"),
        Field("form", 111, 4, U),
        Field("facing", 115, 9, U, unit="deg"),
        Field("direction", 124, 3, U, legend="signal_direction"),
        Field("status", 127, 30, U, legend="signal_status"),
        max_bits=168,
        title="Inland signal status",
    )
    return apps


#: Application layouts by (message type, DAC, FI).
APPLICATIONS: Mapping[tuple[int, int, int], Layout] = MappingProxyType(_build())

#: Area notice sub-area size in bits (3-bit shape + 84 bits).
AREA_SUBAREA_BITS = 87
