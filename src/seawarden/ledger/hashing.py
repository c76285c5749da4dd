"""Hash functions of a log: SHA-256 (default) or SM3, with RFC 9162 domain separation.

Only the standard library is imported here; SM3 comes from the ``cryptography`` package
(OpenSSL's implementation) and is loaded the first time an SM3 log is used.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass

HASH_SIZE = 32
"""Both SHA-256 and SM3 give 32-byte digests."""


class UnknownHashError(ValueError):
    """A hash algorithm name that no log can use."""


@dataclass(frozen=True)
class Hasher:
    """A log's hash function with the RFC 9162 leaf (0x00) and node (0x01) prefixes."""

    name: str
    digest: Callable[[bytes], bytes]
    size: int = HASH_SIZE

    def leaf(self, data: bytes) -> bytes:
        """The leaf hash of an entry: H(0x00 || data)."""
        return self.digest(b"\x00" + data)

    def node(self, left: bytes, right: bytes) -> bytes:
        """The hash of an interior node: H(0x01 || left || right)."""
        return self.digest(b"\x01" + left + right)

    def empty_root(self) -> bytes:
        """The root of the empty tree: H() of no bytes."""
        return self.digest(b"")


def _sha256(data: bytes) -> bytes:
    return hashlib.sha256(data).digest()


def _sm3(data: bytes) -> bytes:
    from cryptography.hazmat.primitives import hashes

    h = hashes.Hash(hashes.SM3())
    h.update(data)
    return h.finalize()


SHA256 = Hasher("sha256", _sha256)
"""SHA-256, the interoperable default (the public test vectors use it)."""

SM3 = Hasher("sm3", _sm3)
"""SM3 (GB/T 32905) for deployments that require Chinese commercial cryptography."""

HASHERS = {h.name: h for h in (SHA256, SM3)}


def get_hasher(name: str) -> Hasher:
    """The hasher called ``name`` (``sha256`` or ``sm3``)."""
    try:
        return HASHERS[name.lower()]
    except KeyError:
        raise UnknownHashError(
            f"unknown hash algorithm {name!r} (known: {', '.join(HASHERS)})"
        ) from None
