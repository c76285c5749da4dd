"""The latest-position table as the web platform reads it: once per version of the file."""

from __future__ import annotations

import pyarrow as pa
from fastapi import Request

from seawarden.tracks.query import TrackQuery
from seawarden.web.deps import state


def latest_table(request: Request, query: TrackQuery) -> pa.Table:
    """The latest-position table, read once per version of ``latest.parquet``.

    An ingest commit replaces the file atomically, so its modification time tells whether the
    table kept in the application state is still current.
    """
    path = query.store.root / "latest.parquet"
    try:
        version = path.stat().st_mtime_ns
    except OSError:
        return query.latest()
    extras = state(request).extras
    cached = extras.get("latest_table")
    if cached is None or cached[0] != version:
        cached = (version, query.latest())
        extras["latest_table"] = cached
    table: pa.Table = cached[1]
    return table
