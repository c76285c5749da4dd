"""The two drivers of the rule engine: live (inside ingest) and batch (over the track store)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow.parquet as pq
from sqlalchemy import Engine

from seawarden.collision.watch import CollisionConfig, CollisionWatch
from seawarden.db.engine import connect, database_url
from seawarden.positions.batch import PositionBatch
from seawarden.supervision.alerts import AlertStore, ApplyResult, Notifier
from seawarden.supervision.engine import SupervisionConfig, Supervisor, VesselInfo
from seawarden.supervision.events import Event
from seawarden.supervision.zonestore import load_grid, load_zones
from seawarden.tracks.store import TrackStore, day_of


def particulars_lookup(current: dict[int, dict[str, Any]]) -> VesselInfo:
    """Vessel information from the ingest pipeline's live particulars."""

    def info(mmsis: list[int]) -> dict[int, tuple[Any, ...]]:
        out: dict[int, tuple[Any, ...]] = {}
        for m in mmsis:
            rec = current.get(m)
            if rec and rec.get("shiptype") is not None:
                length = float(rec.get("to_bow") or 0) + float(rec.get("to_stern") or 0)
                out[m] = (
                    int(rec["shiptype"]),
                    length if length > 0 else float("nan"),
                    rec.get("shipname"),
                )
        return out

    return info


def vessels_file_lookup(path: Path) -> VesselInfo:
    """Vessel information from a data directory's ``vessels.parquet``."""
    columns = ["mmsi", "shiptype", "to_bow", "to_stern", "shipname"]
    table = pq.read_table(path, columns=columns) if path.exists() else None
    known: dict[int, tuple[Any, ...]] = {}
    if table is not None:
        for m, t, b, s, name in zip(*(table.column(c).to_pylist() for c in columns), strict=True):
            if t is not None:
                length = (b or 0) + (s or 0)
                known[int(m)] = (int(t), float(length) if length else float("nan"), name)
    return lambda mmsis: {m: known[m] for m in mmsis if m in known}


@dataclass
class BatchResult:
    """What a batch run did."""

    positions: int = 0
    events: int = 0
    alerts: ApplyResult = field(default_factory=ApplyResult)
    summary: dict[str, int] = field(default_factory=dict)


def _days(store: TrackStore, start_ms: int | None, end_ms: int | None) -> list[str]:
    days = sorted({Path(p).parts[-3].removeprefix("day=") for p in store.files()})
    lo = day_of(start_ms) if start_ms is not None else None
    hi = day_of(end_ms) if end_ms is not None else None
    return [d for d in days if (lo is None or d >= lo) and (hi is None or d <= hi)]


def _read_day(
    store: TrackStore, day: str, start_ms: int | None, end_ms: int | None
) -> PositionBatch:
    files = store.files((day, day))
    if not files:
        return PositionBatch.empty()
    batch = PositionBatch.from_arrow(pq.read_table(files))
    keep = np.ones(len(batch), dtype=np.bool_)
    if start_ms is not None:
        keep &= batch.time >= start_ms
    if end_ms is not None:
        keep &= batch.time <= end_ms
    return batch.take(keep) if not keep.all() else batch


def run_batch(
    data_dir: Path,
    engine: Engine,
    start_ms: int | None = None,
    end_ms: int | None = None,
    config: SupervisionConfig | None = None,
    progress: Callable[[str, int], None] | None = None,
    apply: bool = True,
    collisions: bool = True,
    collision: CollisionConfig | None = None,
) -> tuple[BatchResult, list[Event]]:
    """Run every rule over stored positions in [start, end] and store the alerts.

    Each day is read once and given first to a reception learner, then to the rules: a gap
    is judged on the reception of the 24 hours before it, which the learner has seen by
    then, as live.
    """
    store = TrackStore(data_dir)
    zones = load_zones(engine)
    days = _days(store, start_ms, end_ms)
    learner = Supervisor([], SupervisionConfig(gaps=False, loitering=False))
    sup = Supervisor(zones, config, vessels_file_lookup(data_dir / "vessels.parquet"))
    sup.reception = learner.reception
    sup.reception_frozen = True
    result = BatchResult()
    events: list[Event] = []
    last_time = None
    if collisions:
        sup.collision = CollisionWatch(collision or CollisionConfig())
    for day in days:
        rows = _read_day(store, day, start_ms, end_ms)
        learner.process(rows)
        if progress is not None:
            progress(f"reception {day}", 0)
        result.positions += len(rows)
        events += sup.process(rows)
        if len(rows):
            last_time = int(rows.time.max())
        if progress is not None:
            progress(f"rules {day}", len(rows))
    if last_time is not None:
        events += sup.tick(end_ms if end_ms is not None else last_time)
    result.events = len(events)
    result.summary = sup.state_summary()
    if apply:
        alerts = AlertStore(engine, {z.id: z for z in zones}, load_grid(engine))
        result.alerts = alerts.apply(events)
    return result, events


class LiveSupervision:
    """Rules evaluated inside the ingest pipeline, alerts stored as they happen."""

    def __init__(
        self,
        data_dir: Path,
        particulars: dict[int, dict[str, Any]],
        engine: Engine | None = None,
        config: SupervisionConfig | None = None,
        notify: bool = True,
        collisions: bool = True,
        collision: CollisionConfig | None = None,
    ) -> None:
        self.engine = engine or connect(database_url(data_dir))
        self.zones = load_zones(self.engine)
        self.supervisor = Supervisor(self.zones, config, particulars_lookup(particulars))
        if collisions:
            self.supervisor.collision = CollisionWatch(collision or CollisionConfig())
        self.notifier = Notifier(self.engine) if notify else None
        self.alerts = AlertStore(
            self.engine,
            {z.id: z for z in self.zones},
            load_grid(self.engine),
            notifier=self.notifier,
        )
        self.pending: list[Event] = []
        self.applied = ApplyResult()

    def on_rows(self, rows: PositionBatch) -> None:
        """Positions released by the pipeline."""
        self.pending += self.supervisor.process(rows)

    def on_commit(self) -> None:
        """After a commit: announce ongoing gaps and store the alerts."""
        if self.supervisor.max_time > 0:
            self.pending += self.supervisor.tick(self.supervisor.max_time)
        if self.pending:
            r = self.alerts.apply(self.pending)
            self.applied.created += r.created
            self.applied.merged += r.merged
            self.applied.closed += r.closed
            self.pending = []

    def close(self) -> None:
        """Flush notifications."""
        if self.notifier is not None:
            self.notifier.close()


def zones_configured(data_dir: Path) -> bool:
    """Whether the data directory's database has zones (without creating a database)."""
    from sqlalchemy import func

    from seawarden.db import schema

    url = database_url(data_dir)
    if url.startswith("sqlite:///") and not Path(url.removeprefix("sqlite:///")).exists():
        return False
    engine = connect(url)
    with engine.connect() as conn:
        n = conn.execute(select_count(schema.zones, func)).scalar_one()
    engine.dispose()
    return bool(n)


def select_count(table: Any, func: Any) -> Any:
    """``SELECT count(*) FROM table``."""
    from sqlalchemy import select

    return select(func.count()).select_from(table)
