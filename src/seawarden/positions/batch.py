"""A batch of positions as numpy columns, and its conversion to the stored Arrow record."""

from __future__ import annotations

from dataclasses import dataclass, fields

import numpy as np
import numpy.typing as npt
import pyarrow as pa

from seawarden.positions.schema import POSITION_SCHEMA

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]


@dataclass
class PositionBatch:
    """Positions of one batch, column by column (the layout of :data:`POSITION_SCHEMA`).

    Missing values: ``rxtime`` -1, ``sog``/``cog`` NaN, ``heading``/``status`` -1,
    ``mmsi`` -1, ``terminal``/``fishing_no``/``station`` None.
    """

    vessel_key: I64
    time: I64
    rxtime: I64
    source: npt.NDArray[np.int8]
    mmsi: npt.NDArray[np.int32]
    terminal: npt.NDArray[np.object_]
    fishing_no: npt.NDArray[np.object_]
    lat: F64
    lon: F64
    sog: npt.NDArray[np.float32]
    cog: npt.NDArray[np.float32]
    heading: npt.NDArray[np.int16]
    status: npt.NDArray[np.int8]
    msg_type: npt.NDArray[np.int8]
    station: npt.NDArray[np.object_]
    stations: npt.NDArray[np.int16]
    flags: npt.NDArray[np.int16]
    segment: npt.NDArray[np.int32]
    fingerprint: I64

    def __len__(self) -> int:
        return int(self.time.size)

    @classmethod
    def empty(cls) -> PositionBatch:
        """A batch without rows."""
        return cls.allocate(0)

    @classmethod
    def allocate(cls, n: int) -> PositionBatch:
        """A batch of ``n`` rows, every value missing."""
        return cls(
            vessel_key=np.zeros(n, dtype=np.int64),
            time=np.zeros(n, dtype=np.int64),
            rxtime=np.full(n, -1, dtype=np.int64),
            source=np.zeros(n, dtype=np.int8),
            mmsi=np.full(n, -1, dtype=np.int32),
            terminal=np.full(n, None, dtype=object),
            fishing_no=np.full(n, None, dtype=object),
            lat=np.zeros(n, dtype=np.float64),
            lon=np.zeros(n, dtype=np.float64),
            sog=np.full(n, np.nan, dtype=np.float32),
            cog=np.full(n, np.nan, dtype=np.float32),
            heading=np.full(n, -1, dtype=np.int16),
            status=np.full(n, -1, dtype=np.int8),
            msg_type=np.zeros(n, dtype=np.int8),
            station=np.full(n, None, dtype=object),
            stations=np.ones(n, dtype=np.int16),
            flags=np.zeros(n, dtype=np.int16),
            segment=np.zeros(n, dtype=np.int32),
            fingerprint=np.zeros(n, dtype=np.int64),
        )

    def take(self, index: npt.NDArray[np.intp] | npt.NDArray[np.bool_]) -> PositionBatch:
        """Rows selected by an index array or boolean mask."""
        return PositionBatch(**{f.name: getattr(self, f.name)[index] for f in fields(self)})

    @classmethod
    def concat(cls, batches: list[PositionBatch]) -> PositionBatch:
        """Rows of several batches, in order."""
        if not batches:
            return cls.empty()
        return cls(
            **{f.name: np.concatenate([getattr(b, f.name) for b in batches]) for f in fields(cls)}
        )

    def to_arrow(self) -> pa.Table:
        """The batch as a table of :data:`POSITION_SCHEMA`."""
        arrays = {
            "vessel_key": pa.array(self.vessel_key, pa.int64()),
            "time": pa.array(self.time, pa.timestamp("ms", tz="UTC")),
            "rxtime": pa.array(self.rxtime, pa.timestamp("ms", tz="UTC"), mask=self.rxtime < 0),
            "source": pa.array(self.source, pa.int8()),
            "mmsi": pa.array(self.mmsi, pa.int32(), mask=self.mmsi < 0),
            "terminal": pa.array(self.terminal, pa.string()),
            "fishing_no": pa.array(self.fishing_no, pa.string()),
            "lat": pa.array(self.lat, pa.float64()),
            "lon": pa.array(self.lon, pa.float64()),
            "sog": pa.array(self.sog, pa.float32(), mask=np.isnan(self.sog)),
            "cog": pa.array(self.cog, pa.float32(), mask=np.isnan(self.cog)),
            "heading": pa.array(self.heading, pa.int16(), mask=self.heading < 0),
            "status": pa.array(self.status, pa.int8(), mask=self.status < 0),
            "msg_type": pa.array(self.msg_type, pa.int8()),
            "station": pa.array(self.station, pa.string()),
            "stations": pa.array(self.stations, pa.int16()),
            "flags": pa.array(self.flags, pa.int16()),
            "segment": pa.array(self.segment, pa.int32()),
            "fingerprint": pa.array(self.fingerprint, pa.int64()),
        }
        return pa.Table.from_pydict(arrays, schema=POSITION_SCHEMA)

    @classmethod
    def from_arrow(cls, table: pa.Table) -> PositionBatch:
        """A batch from a table of :data:`POSITION_SCHEMA` (nulls become the missing markers)."""

        def ints(name: str, dtype: type, missing: int) -> np.ndarray:
            col = table.column(name)
            return np.asarray(col.fill_null(missing).to_numpy(), dtype=dtype)

        def floats(name: str) -> np.ndarray:
            return np.asarray(table.column(name).to_numpy(zero_copy_only=False), dtype=np.float32)

        def objects(name: str) -> np.ndarray:
            col = table.column(name)
            if pa.types.is_dictionary(col.type):  # decoded through Python: nulls kept
                return np.array(col.to_pylist(), dtype=object)
            return np.asarray(col.to_numpy(zero_copy_only=False), dtype=object)

        def times(name: str) -> np.ndarray:
            col = table.column(name).cast(pa.int64())
            return np.asarray(col.fill_null(-1).to_numpy(), dtype=np.int64)

        return cls(
            vessel_key=ints("vessel_key", np.int64, 0),
            time=times("time"),
            rxtime=times("rxtime"),
            source=ints("source", np.int8, 0),
            mmsi=ints("mmsi", np.int32, -1),
            terminal=objects("terminal"),
            fishing_no=objects("fishing_no"),
            lat=np.asarray(table.column("lat").to_numpy(), dtype=np.float64),
            lon=np.asarray(table.column("lon").to_numpy(), dtype=np.float64),
            sog=floats("sog"),
            cog=floats("cog"),
            heading=ints("heading", np.int16, -1),
            status=ints("status", np.int8, -1),
            msg_type=ints("msg_type", np.int8, 0),
            station=objects("station"),
            stations=ints("stations", np.int16, 1),
            flags=ints("flags", np.int16, 0),
            segment=ints("segment", np.int32, 0),
            fingerprint=ints("fingerprint", np.int64, 0),
        )
