"""The decoding engine shared by the batch and streaming paths.

A :class:`Decoder` keeps framing state between buffers; :meth:`Decoder.decode` runs the
compiled framer and bit kernel over one buffer of complete lines and returns a
:class:`DecodedChunk` holding the family columns. The batch path turns a chunk into
Arrow tables (:mod:`seawarden.ais.arrow`); the streaming path turns it into one dict per
message (:mod:`seawarden.ais.records`).
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from typing import Any

import numba
import numpy as np
import numpy.typing as npt

from seawarden.ais import bitkernel, framer
from seawarden.ais.errors import Outcome, outcome_name
from seawarden.ais.framer import N_MCOLS, SLOTS, FramerState
from seawarden.ais.tables import (
    COLUMN_DIV,
    COLUMN_OFFSET,
    COLUMN_ROT,
    FAMILY_NUMERIC_COUNT,
    FAMILY_SCHEMAS,
    FAMILY_TEXT_COUNT,
    FIELD_TABLE,
    LAYOUT_TABLE,
    SELECTOR,
    SELECTOR_LAYOUTS,
    TEXT_FIXED_CAPS,
)

I64 = npt.NDArray[np.int64]
I32 = npt.NDArray[np.int32]
U8 = npt.NDArray[np.uint8]
F64 = npt.NDArray[np.float64]

N_FAMILIES = len(FAMILY_SCHEMAS)
# With NUMBA_DISABLE_JIT (used to fuzz the kernels with coverage) the kernels run as
# Python over numpy scalars, where uint8 arithmetic wraps; bytes are then held as int64.
_PLAIN_PYTHON = bool(getattr(numba.config, "DISABLE_JIT", False))
_BYTE: Any = np.int64 if _PLAIN_PYTHON else np.uint8
_OUTCOMES = tuple(Outcome)
TEXT_FIRST = np.concatenate([[0], np.cumsum(FAMILY_TEXT_COUNT)[:-1]]).astype(np.int64)
TEXT_FAMILY = np.repeat(np.arange(N_FAMILIES, dtype=np.int64), FAMILY_TEXT_COUNT)


@dataclass(frozen=True, slots=True)
class DecoderConfig:
    """Decoder policy and limits.

    ``strict``: reject lines with a bad or missing checksum (``lenient`` decodes them and
    flags ``checksum_ok``). ``window_lines``/``max_age_s``: a fragment waits at most this
    many lines / seconds of receive time for the rest of its message.
    """

    strict: bool = False
    window_lines: int = 1000
    max_age_s: float = 60.0
    max_line_length: int = 2048

    def vector(self) -> I64:
        """The config as the kernel's int vector."""
        return np.array(
            [int(self.strict), self.max_line_length, self.window_lines, int(self.max_age_s * 1000)],
            dtype=np.int64,
        )


@dataclass
class DecodeStats:
    """Counts of line outcomes and of decoded messages by type.

    ``lines`` equals the sum of ``outcomes`` plus ``pending`` (lines of multi-sentence
    messages still waiting for their other parts).
    """

    lines: int = 0
    pending: int = 0
    outcomes: dict[str, int] = field(default_factory=lambda: {outcome_name(o): 0 for o in Outcome})
    messages: int = 0
    by_type: dict[int, int] = field(default_factory=dict)

    def rejected(self) -> int:
        """Lines rejected for any reason."""
        return sum(self.outcomes[outcome_name(o)] for o in Outcome if o > Outcome.NOT_AIS)

    def balanced(self) -> bool:
        """Whether every line read is accounted for exactly once."""
        return self.lines == sum(self.outcomes.values()) + self.pending

    def as_dict(self) -> dict[str, object]:
        """Plain-data form, for JSON summaries."""
        return {
            "lines": self.lines,
            "pending": self.pending,
            "messages": self.messages,
            "outcomes": dict(self.outcomes),
            "by_type": {str(k): v for k, v in sorted(self.by_type.items())},
        }


@dataclass(frozen=True, slots=True)
class Reject:
    """One rejected line (or the first line of a rejected multi-sentence message)."""

    line: int
    """1-based line number in the stream."""
    reason: Outcome
    lines: int
    """Number of lines the rejection covers (the parts of a message)."""


class DecodedChunk:
    """Framed and decoded messages of one buffer, as family column buffers."""

    def __init__(
        self,
        data: U8,
        msgs: I64,
        asm: U8,
        tags: U8,
        cls: I64,
        fam_count: I64,
        fam_chars: I64,
        stations: list[str],
    ) -> None:
        self.data = data
        self.msgs = msgs
        self.asm = asm
        self.tags = tags
        self.cls = cls
        self.fam_count = fam_count
        self.stations = stations
        self._layouts: dict[int, I64] = {}
        self._order: I64 | None = None
        self._starts: I64 = np.zeros(0, dtype=np.int64)
        self._floats: dict[tuple[int, int], F64] = {}
        counts = fam_count.astype(np.int64)
        self.num_base = np.concatenate([[0], np.cumsum(FAMILY_NUMERIC_COUNT * counts)[:-1]]).astype(
            np.int64
        )
        n_num = int((FAMILY_NUMERIC_COUNT * counts).sum())
        # Every kernel field is at most 30 bits (plus sign): int32 halves the memory traffic.
        self.num = np.zeros(n_num, dtype=np.int32)
        self.val = np.zeros(n_num, dtype=np.uint8)
        # Text buffers: fixed-width columns need rows * width; payload-bound ones at most
        # 2 chars per payload character plus a little per row.
        chars = fam_chars
        caps = []
        for g in range(TEXT_FAMILY.size):
            fam = int(TEXT_FAMILY[g])
            fixed = int(TEXT_FIXED_CAPS[fam, g - TEXT_FIRST[fam]])
            rows = int(counts[fam])
            caps.append(rows * fixed if fixed >= 0 else rows * 48 + 2 * int(chars[fam]))
        cap_arr = np.array(caps, dtype=np.int64)
        self.text_base = np.concatenate([[0], np.cumsum(cap_arr)[:-1]]).astype(np.int64)
        self.text_cap = cap_arr
        rows_per_text = counts[TEXT_FAMILY]
        self.text_off_base = np.concatenate([[0], np.cumsum(rows_per_text + 1)[:-1]]).astype(
            np.int64
        )
        self.text_val_base = np.concatenate([[0], np.cumsum(rows_per_text)[:-1]]).astype(np.int64)
        self.tdata = np.zeros(int(cap_arr.sum()), dtype=np.uint8)
        self.toff = np.zeros(int((rows_per_text + 1).sum()), dtype=np.int64)
        self.tval = np.zeros(int(rows_per_text.sum()), dtype=np.uint8)
        bitkernel.extract(
            data,
            asm,
            msgs,
            cls,
            cls.shape[0],
            FIELD_TABLE,
            LAYOUT_TABLE,
            fam_count,
            self.num_base,
            TEXT_FIRST,
            FAMILY_TEXT_COUNT,
            self.text_base,
            self.text_off_base,
            self.text_val_base,
            self.num,
            self.val,
            self.tdata,
            self.toff,
            self.tval,
        )

    @property
    def n_messages(self) -> int:
        """Messages framed (including those rejected by the bit decoder)."""
        return int(self.cls.shape[0])

    def meta(self, col: int) -> I64:
        """One framing column (``framer.M_*``) for every framed message."""
        return self.msgs[col, : self.cls.shape[0]]

    def family_index(self, family: int) -> I64:
        """Message indices of a family's rows, in row order."""
        if self._order is None:
            valid = np.flatnonzero(self.cls[:, bitkernel.C_LAYOUT] >= 0)
            starts = np.concatenate([[0], np.cumsum(self.fam_count)[:-1]])
            order = np.empty(valid.size, dtype=np.int64)
            fam = self.cls[valid, bitkernel.C_FAMILY]
            order[starts[fam] + self.cls[valid, bitkernel.C_ROW]] = valid
            self._order = order
            self._starts = starts
        start = int(self._starts[family])
        return self._order[start : start + int(self.fam_count[family])]

    def valid_index(self) -> I64:
        """Indices of messages that decoded."""
        return np.flatnonzero(self.cls[:, bitkernel.C_LAYOUT] >= 0).astype(np.int64)

    def numeric(self, family: int, col: int) -> tuple[I32, U8]:
        """Raw values and validity codes of a numeric column."""
        n = int(self.fam_count[family])
        base = int(self.num_base[family]) + col * n
        return self.num[base : base + n], self.val[base : base + n]

    def row_layouts(self, family: int) -> I64:
        """Layout id of each row of a family."""
        cached = self._layouts.get(family)
        if cached is None:
            cached = self.cls[self.family_index(family), bitkernel.C_LAYOUT]
            self._layouts[family] = cached
        return cached

    def floats(self, family: int, col: int) -> F64:
        """Scaled values of a numeric column: ``(raw - offset) / div`` per row's layout."""
        key = (family, col)
        cached = self._floats.get(key)
        if cached is not None:
            return cached
        raw, _ = self.numeric(family, col)
        lay = self.row_layouts(family)
        values: F64 = (raw - COLUMN_OFFSET[lay, col]) / COLUMN_DIV[lay, col]
        rot = COLUMN_ROT[lay, col]
        if rot.any():
            r = raw[rot] / 4.733
            values[rot] = np.copysign(r * r, r)
        self._floats[key] = values
        return values

    def text(self, family: int, tcol: int) -> tuple[U8, I64, U8]:
        """Data, offsets (n+1) and validity of a string column."""
        g = int(TEXT_FIRST[family]) + tcol
        n = int(self.fam_count[family])
        base = int(self.text_base[g])
        offsets = self.toff[int(self.text_off_base[g]) : int(self.text_off_base[g]) + n + 1]
        data = self.tdata[base : base + int(offsets[-1])] if n else self.tdata[base:base]
        validity = self.tval[int(self.text_val_base[g]) : int(self.text_val_base[g]) + n]
        return data, offsets, validity

    def payload_values(self, ks: I64) -> list[tuple[int, int]]:
        """Bits of messages ``ks`` as (value, number of bits), packed in one compiled pass."""
        if ks.size == 0:
            return []
        chars = self.msgs[framer.M_LEN, ks]
        fill = self.msgs[framer.M_FILL, ks]
        sizes = (chars * 6 + 7) // 8
        offsets = np.zeros(ks.size + 1, dtype=np.int64)
        np.cumsum(sizes, out=offsets[1:])
        out = np.empty(int(offsets[-1]), dtype=_BYTE)
        bitkernel.pack_payloads(self.data, self.asm, self.msgs, ks, offsets, out)
        blob = out.astype(np.uint8, copy=False).tobytes()
        shift = (sizes * 8 - chars * 6 + fill).tolist()
        nbits = (chars * 6 - fill).tolist()
        bounds = offsets.tolist()
        return [
            (int.from_bytes(blob[bounds[i] : bounds[i + 1]], "big") >> shift[i], nbits[i])
            for i in range(ks.size)
        ]

    def tag_text(self, k: int) -> str:
        """Raw extra tag-block fields of message ``k`` (empty when none)."""
        start = int(self.msgs[framer.M_TAG_START, k])
        length = int(self.msgs[framer.M_TAG_LEN, k])
        return bytes(self.tags[start : start + length]).decode("ascii", "replace")


class Decoder:
    """Stateful AIS decoder: feed buffers of complete lines, get decoded chunks."""

    def __init__(self, config: DecoderConfig | None = None, reject_log: int = 100_000) -> None:
        self.config = config or DecoderConfig()
        self._cfg = self.config.vector()
        self.state = FramerState()
        self.counters = np.zeros(framer.N_OUTCOMES, dtype=np.int64)
        self.by_type = np.zeros(64, dtype=np.int64)
        self.rejects: deque[Reject] = deque(maxlen=reject_log)
        self.keep_rejects = True

    def decode(
        self, data: bytes | bytearray | memoryview | U8, final: bool = False
    ) -> DecodedChunk:
        """Decode a buffer of complete lines (the last line may lack its newline)."""
        buf = data if isinstance(data, np.ndarray) else np.frombuffer(data, dtype=np.uint8)
        if _PLAIN_PYTHON:
            buf = buf.astype(_BYTE)
        n_lines = (
            data.count(b"\n") if isinstance(data, bytes) else int(np.count_nonzero(buf == 10))
        ) + 1
        st = self.state
        msgs = np.empty((N_MCOLS, n_lines), dtype=np.int64)
        asm = np.empty(buf.size + SLOTS * framer.MAX_PARTS * framer.MAX_SENTENCE_CHARS, dtype=_BYTE)
        tags = np.empty(buf.size + SLOTS * framer.TAG_WIDTH, dtype=_BYTE)
        rej = np.empty((n_lines + SLOTS * framer.MAX_PARTS, 3), dtype=np.int64)
        n_msg, n_rej, n_asm, n_tag = framer.frame(
            buf,
            self._cfg,
            st.scalars,
            st.station_hash,
            st.station_id,
            st.station_bytes,
            st.station_len,
            st.slot_key,
            st.slot_info,
            st.slot_line,
            st.slot_chars,
            st.slot_len,
            st.slot_tag,
            msgs,
            asm,
            tags,
            rej,
            self.counters,
            final,
        )
        cls = np.empty((n_msg, 4), dtype=np.int64)
        fam_count = np.zeros(N_FAMILIES, dtype=np.int64)
        fam_chars = np.zeros(N_FAMILIES, dtype=np.int64)
        n_rej = bitkernel.classify(
            buf,
            asm,
            msgs,
            n_msg,
            LAYOUT_TABLE,
            SELECTOR,
            SELECTOR_LAYOUTS,
            cls,
            fam_count,
            fam_chars,
            self.by_type,
            rej,
            n_rej,
            self.counters,
        )
        if self.keep_rejects and n_rej:
            self.rejects.extend(
                Reject(line + 1, _OUTCOMES[reason], lines)
                for line, reason, lines in rej[:n_rej].tolist()
            )
        return DecodedChunk(
            buf, msgs, asm[:n_asm], tags[:n_tag], cls, fam_count, fam_chars, st.station_names()
        )

    def stats(self) -> DecodeStats:
        """Counters so far."""
        s = DecodeStats()
        s.lines = self.state.lines_read
        s.pending = self.state.pending_lines()
        for o in Outcome:
            s.outcomes[outcome_name(o)] = int(self.counters[o])
        s.by_type = {t: int(c) for t, c in enumerate(self.by_type) if c}
        s.messages = int(self.by_type.sum())
        return s
