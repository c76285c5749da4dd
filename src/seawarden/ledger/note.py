r"""C2SP signed notes: text followed by signature lines, and witness cosignatures.

A signed note is UTF-8 text ending in a newline, a blank line, then one line per
signature: ``— <key name> base64(key ID || signature)``. A witness (cosigner) key signs
``cosignature/v1\ntime <t>\n`` followed by the text, and its signature bytes start with
the eight-byte big-endian POSIX time ``t`` (c2sp.org/tlog-cosignature).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from seawarden.ledger.keys import KeyFormatError, PrivateKey, PublicKey, check_name

MAX_SIGNATURES = 100
"""More signature lines than this and a note is rejected (the spec asks for at least 16)."""
DASH = "\u2014"


class NoteError(ValueError):
    """A note that is malformed, or whose signatures do not verify."""


@dataclass(frozen=True)
class Signature:
    """One signature line: key name, key ID and the signature bytes after the ID."""

    name: str
    key_id: int
    signature: bytes

    def line(self) -> str:
        """The signature line, newline included."""
        blob = base64.b64encode(self.key_id.to_bytes(4, "big") + self.signature).decode()
        return f"{DASH} {self.name} {blob}\n"


@dataclass(frozen=True)
class Note:
    """A parsed signed note (signatures not yet checked)."""

    text: str
    signatures: tuple[Signature, ...]

    def __str__(self) -> str:
        return self.text + "\n" + "".join(s.line() for s in self.signatures)


@dataclass(frozen=True)
class OpenedNote:
    """A note whose signatures were checked against known keys."""

    note: Note
    verified: tuple[PublicKey, ...]
    """Known keys whose signature verified, in note order."""
    timestamps: dict[str, int]
    """POSIX time of each verified cosignature, by witness name."""


def check_text(text: str) -> str:
    """``text`` if it can be signed: ends in a newline, no control characters but newline."""
    if not isinstance(text, str) or not text.endswith("\n"):
        raise NoteError("note text must end with a newline")
    if any(ord(c) < 0x20 and c != "\n" for c in text):
        raise NoteError("note text contains control characters")
    return text


def cosignature_message(text: str, timestamp: int) -> bytes:
    """The message a witness signs: ``cosignature/v1``, ``time <t>``, then the text."""
    return f"cosignature/v1\ntime {timestamp}\n{text}".encode()


def sign(key: PrivateKey, text: str, timestamp: int | None = None) -> Signature:
    """A signature of ``text`` with ``key`` (a cosignature if ``key`` is a witness key)."""
    check_text(text)
    if key.cosigner:
        t = int(time.time()) if timestamp is None else timestamp
        if not 0 <= t < 1 << 63:
            raise NoteError("cosignature time out of range")
        sig = t.to_bytes(8, "big") + key.sign(cosignature_message(text, t))
    else:
        sig = key.sign(text.encode())
    return Signature(key.name, key.key_id, sig)


def verify(key: PublicKey, text: str, signature: Signature) -> int | None:
    """Check one signature with its key: ``None`` if bad, else the cosignature time (or 0)."""
    if (signature.name, signature.key_id) != (key.name, key.key_id):
        return None
    if not key.cosigner:
        return 0 if key.verify(text.encode(), signature.signature) else None
    if len(signature.signature) < 8:
        return None
    t = int.from_bytes(signature.signature[:8], "big")
    if t >= 1 << 63:
        return None
    ok = key.verify(cosignature_message(text, t), signature.signature[8:])
    return t if ok else None


def sign_note(text: str, keys: Iterable[PrivateKey], timestamp: int | None = None) -> str:
    """The signed note of ``text`` with one signature line per key."""
    sigs = tuple(sign(k, text, timestamp) for k in keys)
    if not sigs:
        raise NoteError("a signed note needs at least one signature")
    return str(Note(check_text(text), sigs))


def add_signature(signed: str, signature: Signature) -> str:
    """A signed note with one more signature line (replacing one by the same key)."""
    note = parse(signed)
    kept = tuple(
        s for s in note.signatures if (s.name, s.key_id) != (signature.name, signature.key_id)
    )
    return str(Note(note.text, (*kept, signature)))


def parse(data: str | bytes) -> Note:
    """Split a signed note into its text and signature lines (nothing is verified)."""
    if isinstance(data, bytes):
        try:
            data = data.decode("utf-8")
        except UnicodeDecodeError:
            raise NoteError("note is not valid UTF-8") from None
    if not isinstance(data, str):
        raise NoteError("note is not text")
    if any(ord(c) < 0x20 and c != "\n" for c in data):
        raise NoteError("note contains control characters")
    split = data.rfind("\n\n")
    if split < 0:
        raise NoteError("note has no signatures (no blank line)")
    text, block = data[: split + 1], data[split + 2 :]
    if not block or not block.endswith("\n"):
        raise NoteError("note has no signatures, or does not end in a newline")
    lines = block[:-1].split("\n")
    if len(lines) > MAX_SIGNATURES:
        raise NoteError(f"note has more than {MAX_SIGNATURES} signatures")
    return Note(text, tuple(_parse_line(line) for line in lines))


def _parse_line(line: str) -> Signature:
    if not line.startswith(DASH + " "):
        raise NoteError("malformed signature line")
    parts = line[2:].split(" ")
    if len(parts) != 2:
        raise NoteError("malformed signature line")
    name, blob = parts
    try:
        check_name(name)
        raw = base64.b64decode(blob.encode("ascii"), validate=True)
    except (KeyFormatError, binascii.Error, UnicodeEncodeError, ValueError):
        raise NoteError("malformed signature line") from None
    if len(raw) < 5:
        raise NoteError("signature too short")
    return Signature(name, int.from_bytes(raw[:4], "big"), raw[4:])


def open_note(data: str | bytes, keys: Sequence[PublicKey]) -> OpenedNote:
    """Parse a note and verify it: every known key's signature must verify, and one must."""
    note = parse(data)
    known = {(k.name, k.key_id): k for k in keys}
    verified: list[PublicKey] = []
    stamps: dict[str, int] = {}
    seen: set[tuple[str, int]] = set()
    for sig in note.signatures:
        key = known.get((sig.name, sig.key_id))
        if key is None:
            continue
        if (sig.name, sig.key_id) in seen:
            raise NoteError(f"two signatures by {sig.name}")
        seen.add((sig.name, sig.key_id))
        t = verify(key, note.text, sig)
        if t is None:
            raise NoteError(f"the signature by {sig.name} does not verify")
        verified.append(key)
        if key.cosigner:
            stamps[key.name] = t
    if not verified:
        raise NoteError("no signature by a known key")
    return OpenedNote(note, tuple(verified), stamps)
