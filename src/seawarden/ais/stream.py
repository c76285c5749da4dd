"""Streaming API: one dict per message, from lines, byte blocks or a binary file.

Lines are gathered into blocks and decoded by the compiled kernel, then handed out one
message at a time, so memory stays bounded and throughput stays high. For live feeds,
:class:`StreamDecoder` takes whatever bytes arrived (partial lines included) and returns
the messages they completed.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from typing import Any, BinaryIO, cast

from seawarden.ais.decoder import Decoder, DecoderConfig, DecodeStats
from seawarden.ais.records import Message, chunk_messages, chunk_records

#: Bytes read from a file per decode call.
BLOCK_BYTES = 1 << 20


class StreamDecoder:
    r"""Incremental decoder for a byte stream (TCP, UDP, serial, file tail).

    >>> s = StreamDecoder()
    >>> s.feed(b"!AIVDM,1,1,,A,15RTgt0PAso;90TKcjM8h6g208CQ,0*4A\\n")[0]["mmsi"]
    371798000
    """

    def __init__(self, *, scaled: bool = True, config: DecoderConfig | None = None) -> None:
        self.decoder = Decoder(config)
        self.scaled = scaled
        self._tail = b""

    def feed(self, data: bytes) -> list[Message]:
        """Decode the complete lines in ``data`` (plus any partial line kept from before)."""
        if self._tail:
            data = self._tail + data
        cut = data.rfind(b"\n")
        if cut < 0:
            self._tail = data
            return []
        self._tail = data[cut + 1 :]
        return chunk_messages(self.decoder.decode(data[: cut + 1]), self.scaled)

    def close(self) -> list[Message]:
        """Decode a last unterminated line and give up on incomplete multi-part messages."""
        tail, self._tail = self._tail, b""
        return chunk_messages(self.decoder.decode(tail, final=True), self.scaled)

    def stats(self) -> DecodeStats:
        """Line and message counters so far."""
        return self.decoder.stats()


def _blocks_from_lines(lines: Iterable[str | bytes], batch: int) -> Iterator[bytes]:
    pending: list[bytes] = []
    for line in lines:
        b = line.encode("utf-8", "surrogateescape") if isinstance(line, str) else line
        if b.endswith(b"\n"):
            b = b[:-1]
        pending.append(b)
        if len(pending) >= batch:
            yield b"\n".join(pending) + b"\n"
            pending = []
    if pending:
        yield b"\n".join(pending) + b"\n"


def _blocks_from_file(fh: BinaryIO, block: int) -> Iterator[bytes]:
    tail = b""
    while True:
        data = fh.read(block)
        if not data:
            break
        data = tail + data
        cut = data.rfind(b"\n")
        if cut < 0:
            tail = data
            continue
        tail = data[cut + 1 :]
        yield data[: cut + 1]
    if tail:
        yield tail


def iter_messages(
    source: Iterable[str | bytes] | BinaryIO,
    *,
    scaled: bool = True,
    config: DecoderConfig | None = None,
    decoder: Decoder | None = None,
    batch: int = 4096,
) -> Iterator[Message]:
    """Yield one dict per decoded message, in input order.

    ``source`` is an iterable of lines (``str`` or ``bytes``, newline optional) or a
    binary file object. Pass a :class:`Decoder` to read its counters and rejects
    afterwards. Bad lines never raise: they are counted and logged on the decoder.
    """
    dec = decoder or Decoder(config)
    if hasattr(source, "read"):
        blocks = _blocks_from_file(cast(BinaryIO, source), BLOCK_BYTES)
    else:
        blocks = _blocks_from_lines(source, batch)
    for block in blocks:
        yield from chunk_messages(dec.decode(block), scaled)
    yield from chunk_messages(dec.decode(b"", final=True), scaled)


def iter_records(
    source: Iterable[str | bytes] | BinaryIO,
    *,
    scaled: bool = True,
    config: DecoderConfig | None = None,
    decoder: Decoder | None = None,
    batch: int = 4096,
) -> Iterator[tuple[Any, ...]]:
    """Like :func:`iter_messages`, yielding typed records (named tuples per message layout).

    Records are several times cheaper to build than dicts; ``record._asdict()`` gives the
    dict view.
    """
    dec = decoder or Decoder(config)
    if hasattr(source, "read"):
        blocks = _blocks_from_file(cast(BinaryIO, source), BLOCK_BYTES)
    else:
        blocks = _blocks_from_lines(source, batch)
    for block in blocks:
        yield from chunk_records(dec.decode(block), scaled)
    yield from chunk_records(dec.decode(b"", final=True), scaled)


def decode_line(line: str | bytes, *, scaled: bool = True) -> Message | None:
    """Decode a single complete sentence (with any tag block); ``None`` if it is rejected."""
    messages = list(iter_messages([line], scaled=scaled))
    return messages[0] if messages else None
