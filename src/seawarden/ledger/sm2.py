"""SM2 signatures (GB/T 32918.2) with SM3 digests, on the curve recommended by GB/T 32918.5.

The elliptic-curve arithmetic is the ``gmssl`` package's; this module adds what a signing
service needs around it: keys from :mod:`secrets`, a fresh secret nonce per signature drawn
with :mod:`secrets` (never gmssl's own generator, which uses :mod:`random`), the Z value of
GM/T 0009 with an explicit signer ID, range checks on ``r`` and ``s``, a check that public
keys lie on the curve, and raw 64-byte ``r || s`` signatures.
"""

from __future__ import annotations

import secrets

from gmssl.sm2 import CryptSM2, default_ecc_table  # type: ignore[import-untyped]

from seawarden.ledger.hashing import SM3

P = int(default_ecc_table["p"], 16)
A = int(default_ecc_table["a"], 16)
B = int(default_ecc_table["b"], 16)
N = int(default_ecc_table["n"], 16)
G = default_ecc_table["g"]
DEFAULT_ID = b"1234567812345678"
"""The default signer ID of GM/T 0009."""


class SM2Error(ValueError):
    """A malformed SM2 key or signature."""


def _crypt(private_hex: str, public_xy_hex: str) -> CryptSM2:
    c = CryptSM2(private_key=private_hex, public_key="00" * 64)
    c.public_key = public_xy_hex  # gmssl strips a "04" prefix with lstrip; set it exactly
    return c


def check_public(public: bytes) -> tuple[int, int]:
    """The point of an uncompressed public key (``04 || x || y``); raises if off the curve."""
    if len(public) != 65 or public[0] != 4:
        raise SM2Error("an SM2 public key is 65 bytes: 0x04 || x || y")
    x = int.from_bytes(public[1:33], "big")
    y = int.from_bytes(public[33:], "big")
    if x >= P or y >= P or (y * y - (x * x * x + A * x + B)) % P:
        raise SM2Error("the SM2 public key is not a point of the curve")
    return x, y


def check_private(private: bytes) -> int:
    """The scalar of a 32-byte private key; raises unless it is in ``[1, n - 2]``."""
    if len(private) != 32:
        raise SM2Error("an SM2 private key is 32 bytes")
    d = int.from_bytes(private, "big")
    if not 1 <= d <= N - 2:
        raise SM2Error("the SM2 private key is out of range")
    return d


def generate_private() -> bytes:
    """A new random private key (32 bytes)."""
    return (secrets.randbelow(N - 2) + 1).to_bytes(32, "big")


def public_from_private(private: bytes) -> bytes:
    """The uncompressed public key of a private key."""
    d = check_private(private)
    xy = _crypt(f"{d:064x}", "00" * 64)._kg(d, G)
    return b"\x04" + bytes.fromhex(xy)


def _e(public: bytes, message: bytes, uid: bytes) -> bytes:
    """SM3(Z || M), Z = SM3(ENTL || ID || a || b || xG || yG || xA || yA) (GM/T 0009)."""
    if len(uid) * 8 >= 1 << 16:
        raise SM2Error("the signer ID is too long")
    z = SM3.digest(
        (len(uid) * 8).to_bytes(2, "big")
        + uid
        + bytes.fromhex(default_ecc_table["a"] + default_ecc_table["b"] + G)
        + public[1:]
    )
    return SM3.digest(z + message)


def sign(private: bytes, message: bytes, uid: bytes = DEFAULT_ID) -> bytes:
    """The SM2 signature ``r || s`` (64 bytes) of ``message`` with SM3 and signer ID ``uid``."""
    d = check_private(private)
    public = public_from_private(private)
    e = _e(public, message, uid)
    crypt = _crypt(f"{d:064x}", public[1:].hex())
    while True:
        k = secrets.randbelow(N - 1) + 1
        sig = crypt.sign(e, f"{k:064x}")
        if sig is not None:
            return bytes.fromhex(sig)


def verify(public: bytes, message: bytes, signature: bytes, uid: bytes = DEFAULT_ID) -> bool:
    """Whether ``signature`` (``r || s``) is a valid SM2 signature of ``message``."""
    try:
        check_public(public)
    except SM2Error:
        return False
    if len(signature) != 64:
        return False
    r = int.from_bytes(signature[:32], "big")
    s = int.from_bytes(signature[32:], "big")
    if not (1 <= r < N and 1 <= s < N) or (r + s) % N == 0:
        return False
    crypt = _crypt("00" * 32, public[1:].hex())
    try:
        return bool(crypt.verify(signature.hex(), _e(public, message, uid)))
    except (TypeError, ValueError):
        return False
