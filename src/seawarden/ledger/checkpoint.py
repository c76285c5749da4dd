"""C2SP checkpoints (tree heads): origin line, tree size, base64 root hash, extensions."""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass

from seawarden.ledger.hashing import HASH_SIZE


class CheckpointError(ValueError):
    """A malformed checkpoint body."""


@dataclass(frozen=True)
class Checkpoint:
    """A log's signed statement of its size and root hash (c2sp.org/tlog-checkpoint)."""

    origin: str
    size: int
    root: bytes
    extensions: tuple[str, ...] = ()

    def body(self) -> str:
        """The note text: ``origin``, ``size``, ``base64(root)`` and extension lines."""
        lines = [
            self.origin,
            str(self.size),
            base64.b64encode(self.root).decode(),
            *self.extensions,
        ]
        return "".join(line + "\n" for line in lines)


def check_origin(origin: str) -> str:
    """``origin`` if it can be a checkpoint origin (one non-empty line, printable)."""
    if not origin or "\n" in origin or any(ord(c) < 0x20 for c in origin):
        raise CheckpointError("an origin is one non-empty line of printable text")
    if origin != origin.strip():
        raise CheckpointError("an origin has no leading or trailing spaces")
    return origin


def parse_checkpoint(text: str, hash_size: int = HASH_SIZE) -> Checkpoint:
    """Parse a checkpoint body (the text of a signed note)."""
    if not text.endswith("\n"):
        raise CheckpointError("a checkpoint ends with a newline")
    lines = text[:-1].split("\n")
    if len(lines) < 3:
        raise CheckpointError("a checkpoint has an origin, a size and a root hash")
    origin, size_s, root_s, *ext = lines
    check_origin(origin)
    if not size_s.isascii() or not size_s.isdigit() or (size_s != "0" and size_s[0] == "0"):
        raise CheckpointError(f"bad tree size {size_s!r}")
    size = int(size_s)
    if size >= 1 << 63:
        raise CheckpointError("tree size out of range")
    try:
        root = base64.b64decode(root_s.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise CheckpointError("the root hash is not base64") from None
    if len(root) != hash_size or base64.b64encode(root).decode() != root_s:
        raise CheckpointError(f"the root hash is not {hash_size} bytes of base64")
    if any(not e for e in ext):
        raise CheckpointError("empty extension line")
    return Checkpoint(origin, size, root, tuple(ext))
