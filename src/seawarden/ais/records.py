"""Per-message dicts from a decoded chunk (the streaming path's output).

Keys follow gpsd's AIVDM JSON: the header (``type``, ``repeat``, ``mmsi``), the fields of
the message's layout, ``<field>_text`` for coded fields, composite strings (``eta``,
``timestamp``), decoded binary application fields for known type 6/8 payloads, then the
receive metadata ``rxtime`` (UTC epoch milliseconds or ``None``), ``station``,
``channel``, ``sentence`` (talker and formatter, e.g. ``"AIVDM"``), ``checksum_ok``
(``None`` when the sentence had no checksum), ``line`` (first input line, 1-based) and,
when the tag block carried more than time/station/group, ``tagblock``.

Scaled output turns "not available" values into ``None``; unscaled output keeps the raw
integers. A field that lies beyond the end of a short payload is absent.
"""

from __future__ import annotations

import collections
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, cast

import numpy as np

from seawarden.ais import bitkernel, framer
from seawarden.ais.applications import APPLICATIONS
from seawarden.ais.asm import decode_application
from seawarden.ais.decoder import DecodedChunk
from seawarden.ais.fieldspec import Kind, Layout
from seawarden.ais.interpret import Bits
from seawarden.ais.legends import LEGENDS
from seawarden.ais.tables import FAMILY_SCHEMAS, LAYOUT_ORDER

Message = dict[str, Any]

_NAMEDTUPLE: Any = vars(collections)["namedtuple"]
META_KEYS = ("rxtime", "station", "channel", "sentence", "checksum_ok", "line")
_NO_TIME = int(framer.NO_TIME)
_CHECKSUM_OBJ = np.array([False, True, None], dtype=object)
_CHANNELS = np.array([chr(c) if c else None for c in range(256)], dtype=object)
_APP_KEYS = frozenset(APPLICATIONS)


@dataclass(frozen=True, slots=True)
class _Column:
    name: str
    kind: Kind
    family_col: int
    float_col: int
    legend: str | None


@dataclass(frozen=True, slots=True)
class _Plan:
    layout: Layout
    family: int
    columns: tuple[_Column, ...]
    keys: tuple[str, ...]
    build: Callable[[list[list[Any]]], list[Message]]
    record: type[tuple[Any, ...]]


def _builder(keys: tuple[str, ...]) -> Callable[[list[list[Any]]], list[Message]]:
    """A function turning column lists into dicts with a literal per row (fastest in CPython)."""
    names = [f"a{i}" for i in range(len(keys))]
    items = ", ".join(f"{k!r}: {n}" for k, n in zip(keys, names, strict=True))
    source = f"lambda cols: [{{{items}}} for {', '.join(names)}, in zip(*cols)]"
    fn: Callable[[list[list[Any]]], list[Message]] = eval(source)
    return fn


def _record_type(layout: Layout, keys: tuple[str, ...]) -> type[tuple[Any, ...]]:
    fields = (*keys, "tagblock", "application")
    words = re.sub(r"[^A-Za-z0-9]+", " ", layout.title or f"type {layout.key}").split()
    name = "".join(w[:1].upper() + w[1:] for w in words)
    cls: type[tuple[Any, ...]] = _NAMEDTUPLE(
        name or f"Type{layout.key}", fields, defaults=(None, None)
    )
    cls.__doc__ = f"Typed record of an AIS message: {layout.title} (layout {layout.key})."
    return cls


def _plan(layout_id: int) -> _Plan:
    layout = LAYOUT_ORDER[layout_id]
    schema = next(s for s in FAMILY_SCHEMAS if s.name == layout.family)
    columns: list[_Column] = []
    seen: set[str] = set()
    for f in layout.fields:
        if f.name in seen:
            continue
        seen.add(f.name)
        if f.is_string:
            columns.append(_Column(f.name, f.kind, schema.text.index(f.name), -1, None))
        else:
            col = schema.numeric.index(f.name)
            fcol = schema.float_index[col] if f.is_scaled else -1
            columns.append(_Column(f.name, f.kind, col, fcol, f.legend))
    keys = [c.name for c in columns]
    keys += [c.name + "_text" for c in columns if c.legend]
    keys += [comp.name for comp in layout.composites]
    keys += META_KEYS
    key_tuple = tuple(keys)
    return _Plan(
        layout,
        schema.index,
        tuple(columns),
        key_tuple,
        _builder(key_tuple),
        _record_type(layout, key_tuple),
    )


_PLANS = tuple(_plan(i) for i in range(len(LAYOUT_ORDER)))


def _with_nulls(values: list[Any], mask: np.ndarray) -> list[Any]:
    for i in np.flatnonzero(mask).tolist():
        values[i] = None
    return values


def _legend_texts(codes: list[Any], legend: str) -> list[str | None]:
    table = LEGENDS[legend]
    get = table.get
    return [get(c) for c in codes]


def _drop_missing(
    plan: _Plan,
    dicts: list[Message],
    missing: np.ndarray,
    absent_by_col: list[tuple[_Column, np.ndarray]],
) -> None:
    """Remove keys of fields that lie beyond the payload end (and what derives from them)."""
    for i in np.flatnonzero(missing).tolist():
        d = dicts[i]
        for col, absent in absent_by_col:
            if not absent[i]:
                continue
            d.pop(col.name, None)
            d.pop(col.name + "_text", None)
            for comp in plan.layout.composites:
                if col.name in comp.parts:
                    d.pop(comp.name, None)


class _Builder:
    """Builds dicts for the messages of one chunk."""

    def __init__(self, chunk: DecodedChunk, scaled: bool, records: bool = False) -> None:
        self.chunk = chunk
        self.scaled = scaled
        self.records = records
        stations = np.array(chunk.stations, dtype=object)
        stations[0] = None
        self.stations = stations
        msgs = chunk.msgs
        n = chunk.n_messages
        code = msgs[framer.M_TALKER, :n] * 2 + msgs[framer.M_VDO, :n]
        present = np.flatnonzero(np.bincount(code)) if n else np.zeros(0, dtype=np.int64)
        lut = np.zeros(int(present.max()) + 1 if present.size else 1, dtype=np.int64)
        lut[present] = np.arange(present.size)
        self.sentence_index = lut[code] if n else code
        self.sentences = np.array(
            [
                chr(int(c) // 2 >> 8) + chr(int(c) // 2 & 255) + ("VDO" if c & 1 else "VDM")
                for c in present
            ],
            dtype=object,
        )

    def meta(self, idx: np.ndarray) -> list[list[Any]]:
        msgs = self.chunk.msgs
        rx = msgs[framer.M_RX, idx]
        no_time = rx == _NO_TIME
        if no_time.any():
            rx_obj = rx.astype(object)
            rx_obj[no_time] = None
            rx_list: list[Any] = rx_obj.tolist()
        else:
            rx_list = rx.tolist()
        return [
            rx_list,
            self.stations[msgs[framer.M_STATION, idx]].tolist(),
            _CHANNELS[msgs[framer.M_CHANNEL, idx]].tolist(),
            self.sentences[self.sentence_index[idx]].tolist(),
            _CHECKSUM_OBJ[msgs[framer.M_CKS, idx]].tolist(),
            (msgs[framer.M_LINE, idx] + 1).tolist(),
        ]

    def layout_dicts(self, plan: _Plan, rows: np.ndarray, idx: np.ndarray) -> list[Message]:
        chunk = self.chunk
        scaled = self.scaled
        values: list[list[Any]] = []
        texts: list[list[Any]] = []
        raw_by_name: dict[str, list[Any]] = {}
        missing = np.zeros(rows.size, dtype=bool)
        absent_by_col: list[tuple[_Column, np.ndarray]] = []
        for col in plan.columns:
            if col.kind in (Kind.TEXT, Kind.TEXT_TO_END, Kind.TEXT_APPEND, Kind.DATA_TO_END):
                data, offsets, validity = chunk.text(plan.family, col.family_col)
                s = data.tobytes().decode("ascii")
                starts = offsets[rows].tolist()
                ends = offsets[rows + 1].tolist()
                vals = [s[a:b] for a, b in zip(starts, ends, strict=True)]
                absent = validity[rows] == 0
                if absent.any():
                    missing |= absent
                    absent_by_col.append((col, absent))
                    vals = _with_nulls(vals, absent)
                values.append(vals)
                continue
            raw, validity = chunk.numeric(plan.family, col.family_col)
            r = raw[rows]
            v = validity[rows]
            if col.kind is Kind.BOOL:
                vals = (r != 0).tolist()
            elif scaled and col.float_col >= 0:
                vals = chunk.floats(plan.family, col.family_col)[rows].tolist()
            else:
                vals = r.tolist()
            absent = v == 0
            if absent.any():
                missing |= absent
                absent_by_col.append((col, absent))
            if col.legend is not None or plan.layout.composites:
                raw_list = r.tolist() if col.kind is not Kind.BOOL else vals
                raw_by_name[col.name] = raw_list
                if col.legend is not None:
                    texts.append(_with_nulls(_legend_texts(raw_list, col.legend), absent))
            null = (v != 1) if scaled else absent
            if null.any():
                vals = _with_nulls(vals, null)
            values.append(vals)
        for comp in plan.layout.composites:
            parts = [raw_by_name[p] for p in comp.parts]
            pattern = comp.pattern.format
            values_c = [pattern(*p) for p in zip(*parts, strict=True)]
            texts.append(values_c)
        columns = values + texts + self.meta(idx)
        if self.records:
            make = cast(Any, plan.record)._make
            nones = [None] * rows.size
            return list(map(make, zip(*columns, nones, nones, strict=True)))
        dicts = plan.build(columns)
        if missing.any():
            _drop_missing(plan, dicts, missing, absent_by_col)
        return dicts

    def applications(self, idx: list[int], items: list[Any]) -> None:
        """Decode known type 6/8 applications.

        Dicts get the fields in place of ``data``; records get them in ``application``.
        """
        known: list[tuple[int, int, Any, Any]] = []
        for i, item in enumerate(items):
            t, dac, fid = (
                (item.type, item.dac, item.fid)
                if self.records
                else (
                    item["type"],
                    item.get("dac"),
                    item.get("fid"),
                )
            )
            if (t, dac, fid) in _APP_KEYS:
                known.append((i, t, dac, fid))
        if not known:
            return
        ks = np.array([idx[i] for i, _, _, _ in known], dtype=np.int64)
        for (i, t, dac, fid), (value, nbits) in zip(
            known, self.chunk.payload_values(ks), strict=True
        ):
            app = decode_application(t, dac, fid, Bits(value, nbits), self.scaled)
            if app is None:
                continue
            item = items[i]
            if self.records:
                items[i] = item._replace(application=app)
                continue
            meta = {key: item.pop(key) for key in META_KEYS if key in item}
            item.pop("data", None)
            item.update(app)
            item.update(meta)


#: Tag-block fields already carried elsewhere (rxtime, station, reassembly).
CONSUMED_TAGS = frozenset({"c", "s", "g"})


def parse_tag_fields(raw: str) -> dict[str, str]:
    """Tag-block fields (``k:v,k:v``) other than c, s and g; values may contain spaces."""
    out: dict[str, str] = {}
    for part in raw.split(","):
        key, sep, value = part.partition(":")
        if sep and key not in CONSUMED_TAGS:
            out[key] = value
    return out


def _collect(chunk: DecodedChunk, scaled: bool, records: bool) -> list[Any]:
    builder = _Builder(chunk, scaled, records)
    cls = chunk.cls
    all_idx: list[np.ndarray] = []
    all_items: list[Any] = []
    layout_col = cls[:, bitkernel.C_LAYOUT]
    for lay in np.unique(layout_col[layout_col >= 0]).tolist():
        plan = _PLANS[lay]
        idx = np.flatnonzero(layout_col == lay)
        rows = cls[idx, bitkernel.C_ROW]
        items = builder.layout_dicts(plan, rows, idx)
        if plan.layout.family == "binary" and plan.layout.key in ("6", "8"):
            builder.applications(idx.tolist(), items)
        all_idx.append(idx)
        all_items.extend(items)
    if not all_items:
        return []
    order = np.argsort(np.concatenate(all_idx), kind="stable").tolist()
    out = [all_items[i] for i in order]
    tagged = np.flatnonzero(chunk.meta(framer.M_TAG_LEN) > 0)
    if tagged.size:
        position = {int(k): i for i, k in enumerate(np.sort(np.concatenate(all_idx)).tolist())}
        for k in tagged.tolist():
            i = position.get(int(k))
            if i is None:
                continue
            tags = parse_tag_fields(chunk.tag_text(int(k)))
            if records:
                out[i] = out[i]._replace(tagblock=tags)
            else:
                out[i]["tagblock"] = tags
    return out


def chunk_messages(chunk: DecodedChunk, scaled: bool = True) -> list[Message]:
    """All decoded messages of a chunk as dicts, in input order."""
    return _collect(chunk, scaled, records=False)


def chunk_records(chunk: DecodedChunk, scaled: bool = True) -> list[tuple[Any, ...]]:
    """All decoded messages of a chunk as typed records (one named tuple type per layout).

    Records carry every field of their layout (``None`` when beyond the payload end),
    plus ``tagblock`` and, for known type 6/8 applications, ``application``.
    """
    return _collect(chunk, scaled, records=True)


def record_types() -> dict[str, type[tuple[Any, ...]]]:
    """The record type of every layout, by layout key (``"1"``, ``"24A"``, ...)."""
    return {p.layout.key: p.record for p in _PLANS}


MessageFilter = Callable[[Message], bool]
