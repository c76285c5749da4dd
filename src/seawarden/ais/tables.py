"""The field table compiled into flat arrays for the batch kernel, and family schemas.

Everything here is derived from :mod:`seawarden.ais.messages`; nothing is written twice.
A *family* is one Arrow table (positions, static, ...). Its columns are the union of the
fields of its layouts, in first-seen order; a column is numeric (int, bool or float when
scaled) or a string column.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import numpy.typing as npt

from seawarden.ais.fieldspec import Field, Kind, Layout
from seawarden.ais.framer import MAX_PARTS, MAX_SENTENCE_CHARS
from seawarden.ais.messages import FAMILIES, LAYOUTS, SELECTORS

I64 = npt.NDArray[np.int64]
F64 = npt.NDArray[np.float64]

# Numeric column kinds.
COL_INT = 0
COL_BOOL = 1
COL_FLOAT = 2

#: Largest number of characters a text column cell may hold, per field kind.
MAX_MESSAGE_CHARS = MAX_PARTS * MAX_SENTENCE_CHARS


@dataclass(frozen=True, slots=True)
class FamilySchema:
    """Columns of one family table (after the common metadata columns)."""

    name: str
    index: int
    numeric: tuple[str, ...]
    numeric_kind: tuple[int, ...]
    text: tuple[str, ...]
    float_index: tuple[int, ...]
    """Position of each numeric column among the float columns (-1: not a float column)."""
    legends: tuple[tuple[str, str], ...]
    """(column, legend) pairs: the column also gets a ``<column>_text`` dictionary column."""

    @property
    def n_float(self) -> int:
        """Number of float (scaled) columns."""
        return sum(1 for i in self.float_index if i >= 0)


def _field_is_bool(f: Field) -> bool:
    return f.kind is Kind.BOOL


def _build_families() -> tuple[FamilySchema, ...]:
    schemas: list[FamilySchema] = []
    for index, family in enumerate(FAMILIES):
        layouts = [lay for lay in LAYOUTS.values() if lay.family == family]
        numeric: list[str] = []
        text: list[str] = []
        kinds: dict[str, set[int]] = {}
        legends: dict[str, str] = {}
        for lay in layouts:
            for f in lay.fields:
                if f.is_string:
                    if f.name not in text:
                        text.append(f.name)
                    continue
                if f.name not in numeric:
                    numeric.append(f.name)
                kind = COL_BOOL if _field_is_bool(f) else (COL_FLOAT if f.is_scaled else COL_INT)
                kinds.setdefault(f.name, set()).add(kind)
                if f.legend:
                    legends[f.name] = f.legend
        numeric_kind: list[int] = []
        for name in numeric:
            ks = kinds[name]
            if COL_FLOAT in ks:
                numeric_kind.append(COL_FLOAT)
            elif ks == {COL_BOOL}:
                numeric_kind.append(COL_BOOL)
            else:
                numeric_kind.append(COL_INT)
        float_index: list[int] = []
        n_float = 0
        for kind in numeric_kind:
            if kind == COL_FLOAT:
                float_index.append(n_float)
                n_float += 1
            else:
                float_index.append(-1)
        schemas.append(
            FamilySchema(
                family,
                index,
                tuple(numeric),
                tuple(numeric_kind),
                tuple(text),
                tuple(float_index),
                tuple(legends.items()),
            )
        )
    return tuple(schemas)


FAMILY_SCHEMAS: tuple[FamilySchema, ...] = _build_families()
FAMILY_BY_NAME = {s.name: s for s in FAMILY_SCHEMAS}

#: Layouts in kernel order (index = layout id).
LAYOUT_ORDER: tuple[Layout, ...] = tuple(LAYOUTS.values())
LAYOUT_ID = {lay.key: i for i, lay in enumerate(LAYOUT_ORDER)}

# Field table columns.
F_START, F_WIDTH, F_KIND, F_NA, F_HAS_NA, F_COL, F_FCOL, F_TCOL = range(8)
# Layout table columns.
L_FIRST, L_COUNT, L_FAMILY, L_MIN_BITS, L_AUX, L_TYPE = range(6)


def _compile() -> tuple[I64, F64, I64, I64, I64]:
    rows: list[list[int]] = []
    scale: list[tuple[float, float]] = []
    layouts: list[list[int]] = []
    for lay in LAYOUT_ORDER:
        schema = FAMILY_BY_NAME[lay.family]
        first = len(rows)
        for f in lay.fields:
            if f.is_string:
                col, fcol, tcol = -1, -1, schema.text.index(f.name)
            else:
                col = schema.numeric.index(f.name)
                fcol = schema.float_index[col]
                tcol = -1
            rows.append(
                [
                    f.start,
                    f.width,
                    int(f.kind),
                    0 if f.na is None else f.na,
                    0 if f.na is None else 1,
                    col,
                    fcol,
                    tcol,
                ]
            )
            scale.append((f.div, f.offset))
        layouts.append([first, len(rows) - first, schema.index, lay.min_bits, -1, 0])
    for t, sel in SELECTORS.items():
        for key in sel.layouts:
            if key is not None:
                layouts[LAYOUT_ID[key]][L_TYPE] = t
        for base, alt in sel.auxiliary:
            layouts[LAYOUT_ID[base]][L_AUX] = LAYOUT_ID[alt]
    selector = np.full((64, 2), 0, dtype=np.int64)
    selector_layouts = np.full((64, 4), -2, dtype=np.int64)
    for t, sel in SELECTORS.items():
        selector[t] = (sel.start, sel.width)
        for v, key in enumerate(sel.layouts):
            selector_layouts[t, v] = -1 if key is None else LAYOUT_ID[key]
    return (
        np.array(rows, dtype=np.int64),
        np.array(scale, dtype=np.float64),
        np.array(layouts, dtype=np.int64),
        selector,
        selector_layouts,
    )


FIELD_TABLE, FIELD_SCALE, LAYOUT_TABLE, SELECTOR, SELECTOR_LAYOUTS = _compile()


def _column_scales() -> tuple[F64, F64, npt.NDArray[np.bool_]]:
    """[layout, numeric column of its family] -> divisor, offset, rate-of-turn flag."""
    width = int(FAMILY_NUMERIC_COUNT_MAX)
    div = np.ones((len(LAYOUT_ORDER), width), dtype=np.float64)
    off = np.zeros((len(LAYOUT_ORDER), width), dtype=np.float64)
    rot = np.zeros((len(LAYOUT_ORDER), width), dtype=np.bool_)
    for lid, lay in enumerate(LAYOUT_ORDER):
        schema = FAMILY_BY_NAME[lay.family]
        for f in lay.fields:
            if f.is_string:
                continue
            c = schema.numeric.index(f.name)
            div[lid, c] = f.div
            off[lid, c] = f.offset
            rot[lid, c] = f.kind is Kind.ROT
    return div, off, rot


FAMILY_NUMERIC_COUNT_MAX = max(len(s.numeric) for s in FAMILY_SCHEMAS)
#: Scaling of every numeric column for every layout, for vectorised scaling.
COLUMN_DIV, COLUMN_OFFSET, COLUMN_ROT = _column_scales()

#: Number of text columns per family, and each family's first global text column.
FAMILY_TEXT_COUNT = np.array([len(s.text) for s in FAMILY_SCHEMAS], dtype=np.int64)
FAMILY_NUMERIC_COUNT = np.array([len(s.numeric) for s in FAMILY_SCHEMAS], dtype=np.int64)
FAMILY_FLOAT_COUNT = np.array([s.n_float for s in FAMILY_SCHEMAS], dtype=np.int64)


def text_capacity(layout: Layout, name: str) -> int:
    """Most characters a text field of ``layout`` can produce (before the payload bound)."""
    total = 0
    for f in layout.fields:
        if f.name != name or not f.is_string:
            continue
        if f.kind is Kind.TEXT:
            total += f.width // 6
        elif f.kind is Kind.DATA_TO_END:
            total += 8 + (MAX_MESSAGE_CHARS * 6 + 7) // 8 * 2
        else:
            total += MAX_MESSAGE_CHARS
    return total


def _fixed_text_caps() -> I64:
    """[family, text column] -> chars per row for fixed-width text, or -1 (payload-bound)."""
    width = max(int(FAMILY_TEXT_COUNT.max()), 1)
    caps = np.zeros((len(FAMILY_SCHEMAS), width), dtype=np.int64)
    for schema in FAMILY_SCHEMAS:
        for t, name in enumerate(schema.text):
            cap = 0
            bound = False
            for lay in LAYOUT_ORDER:
                if lay.family != schema.name:
                    continue
                for f in lay.fields:
                    if f.name == name and f.is_string and f.kind is not Kind.TEXT:
                        bound = True
                cap = max(cap, text_capacity(lay, name))
            caps[schema.index, t] = -1 if bound else cap
    return caps


TEXT_FIXED_CAPS = _fixed_text_caps()
