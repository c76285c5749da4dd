"""Signing keys in the C2SP signed-note formats: Ed25519 (default) or SM2.

A verifier key is ``name+keyid+base64(type || public key)`` and a signer key
``PRIVATE+KEY+name+keyid+base64(type || private key)``, with
``keyid = SHA-256(name || 0x0A || type || public key)[:4]`` as eight hex digits.

| type | key | signs |
|---|---|---|
| ``0x01`` | Ed25519 (32-byte public key, 32-byte seed) | note text (c2sp.org/signed-note) |
| ``0x04`` | Ed25519 witness | ``cosignature/v1`` messages (c2sp.org/tlog-cosignature) |
| ``0xff`` ``sm2-sm3-v1`` | SM2 (65-byte ``04||x||y``, 32-byte scalar) | note text (SM3) |
| ``0xff`` ``sm2-sm3-cosignature-v1`` | SM2 witness | ``cosignature/v1`` messages |

``0xff`` is the signed-note escape for algorithms without an assigned byte; the fixed
identifier after it names the algorithm and how its key is encoded. SM2 needs the
``gmssl`` package, loaded only when an SM2 key is used.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from dataclasses import dataclass
from enum import StrEnum

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import (
    Ed25519PrivateKey,
    Ed25519PublicKey,
)
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat


class KeyFormatError(ValueError):
    """A key string that cannot be parsed, or a key that is not valid for its algorithm."""


class Algorithm(StrEnum):
    """Signature algorithms of ledger keys."""

    ed25519 = "ed25519"
    sm2 = "sm2"


TYPE_ED25519 = b"\x01"
TYPE_ED25519_COSIGNATURE = b"\x04"
TYPE_SM2 = b"\xffsm2-sm3-v1"
TYPE_SM2_COSIGNATURE = b"\xffsm2-sm3-cosignature-v1"

_TYPES: dict[bytes, tuple[Algorithm, bool]] = {
    TYPE_ED25519: (Algorithm.ed25519, False),
    TYPE_ED25519_COSIGNATURE: (Algorithm.ed25519, True),
    TYPE_SM2: (Algorithm.sm2, False),
    TYPE_SM2_COSIGNATURE: (Algorithm.sm2, True),
}
_PUBLIC_SIZE = {Algorithm.ed25519: 32, Algorithm.sm2: 65}
_PRIVATE_PREFIX = "PRIVATE+KEY+"


def key_type(algorithm: Algorithm, cosigner: bool) -> bytes:
    """The signed-note type bytes of a key."""
    for t, (alg, cos) in _TYPES.items():
        if alg is algorithm and cos == cosigner:
            return t
    raise KeyFormatError(f"no key type for {algorithm}")  # pragma: no cover


def key_id(name: str, type_bytes: bytes, public: bytes) -> int:
    """The 32-bit key ID: the first four bytes of SHA-256(name || 0x0A || type || key)."""
    digest = hashlib.sha256(name.encode("utf-8") + b"\n" + type_bytes + public).digest()
    return int.from_bytes(digest[:4], "big")


def check_name(name: str) -> str:
    """``name`` if it is a valid key name (non-empty, no spaces, no ``+``)."""
    if not name or "+" in name or any(c.isspace() for c in name):
        raise KeyFormatError(f"invalid key name {name!r}: non-empty, no spaces, no '+'")
    if any(ord(c) < 0x20 for c in name):
        raise KeyFormatError("a key name has no control characters")
    return name


def _split_type(blob: bytes) -> tuple[bytes, bytes]:
    for t in sorted(_TYPES, key=len, reverse=True):
        if blob.startswith(t):
            return t, blob[len(t) :]
    raise KeyFormatError("unknown signature type")


def _b64(text: str) -> bytes:
    try:
        return base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise KeyFormatError("invalid base64") from None


@dataclass(frozen=True)
class PublicKey:
    """A verifier key: who signed (name, key ID) and the key that checks it."""

    name: str
    type_bytes: bytes
    public: bytes

    @property
    def algorithm(self) -> Algorithm:
        """The signature algorithm."""
        return _TYPES[self.type_bytes][0]

    @property
    def cosigner(self) -> bool:
        """Whether this is a witness key (signs ``cosignature/v1`` messages)."""
        return _TYPES[self.type_bytes][1]

    @property
    def key_id(self) -> int:
        """The 32-bit key ID."""
        return key_id(self.name, self.type_bytes, self.public)

    def vkey(self) -> str:
        """The verifier key string."""
        blob = base64.b64encode(self.type_bytes + self.public).decode("ascii")
        return f"{self.name}+{self.key_id:08x}+{blob}"

    def verify(self, message: bytes, signature: bytes) -> bool:
        """Whether ``signature`` is this key's signature of ``message``."""
        if self.algorithm is Algorithm.ed25519:
            try:
                Ed25519PublicKey.from_public_bytes(self.public).verify(signature, message)
            except (InvalidSignature, ValueError):
                return False
            return True
        from seawarden.ledger import sm2

        return sm2.verify(self.public, message, signature)


@dataclass(frozen=True)
class PrivateKey:
    """A signer key (kept secret; only its :meth:`public_key` is published)."""

    name: str
    type_bytes: bytes
    secret: bytes
    public: bytes

    def public_key(self) -> PublicKey:
        """The matching verifier key."""
        return PublicKey(self.name, self.type_bytes, self.public)

    @property
    def algorithm(self) -> Algorithm:
        """The signature algorithm."""
        return _TYPES[self.type_bytes][0]

    @property
    def cosigner(self) -> bool:
        """Whether this is a witness key."""
        return _TYPES[self.type_bytes][1]

    @property
    def key_id(self) -> int:
        """The 32-bit key ID."""
        return key_id(self.name, self.type_bytes, self.public)

    def sign(self, message: bytes) -> bytes:
        """The signature of ``message`` (Ed25519: 64 bytes; SM2: ``r || s``, 64 bytes)."""
        if self.algorithm is Algorithm.ed25519:
            return Ed25519PrivateKey.from_private_bytes(self.secret).sign(message)
        from seawarden.ledger import sm2

        return sm2.sign(self.secret, message)

    def skey(self) -> str:
        """The signer key string (secret: store it with mode 0600)."""
        blob = base64.b64encode(self.type_bytes + self.secret).decode("ascii")
        return f"{_PRIVATE_PREFIX}{self.name}+{self.key_id:08x}+{blob}"

    def __repr__(self) -> str:
        return f"PrivateKey({self.name!r}, {self.algorithm.value}, id={self.key_id:08x})"


def _public_from_secret(algorithm: Algorithm, secret: bytes) -> bytes:
    if algorithm is Algorithm.ed25519:
        if len(secret) != 32:
            raise KeyFormatError("an Ed25519 private key is a 32-byte seed")
        return (
            Ed25519PrivateKey.from_private_bytes(secret)
            .public_key()
            .public_bytes(Encoding.Raw, PublicFormat.Raw)
        )
    from seawarden.ledger import sm2

    try:
        return sm2.public_from_private(secret)
    except sm2.SM2Error as exc:
        raise KeyFormatError(str(exc)) from None


def generate(
    name: str, algorithm: Algorithm = Algorithm.ed25519, cosigner: bool = False
) -> PrivateKey:
    """A new random key called ``name``."""
    check_name(name)
    if algorithm is Algorithm.ed25519:
        secret = Ed25519PrivateKey.generate().private_bytes_raw()
    else:
        from seawarden.ledger import sm2

        secret = sm2.generate_private()
    public = _public_from_secret(algorithm, secret)
    return PrivateKey(name, key_type(algorithm, cosigner), secret, public)


def from_secret(
    name: str, secret: bytes, algorithm: Algorithm = Algorithm.ed25519, cosigner: bool = False
) -> PrivateKey:
    """The key called ``name`` with this secret (an Ed25519 seed or an SM2 scalar)."""
    check_name(name)
    public = _public_from_secret(algorithm, secret)
    return PrivateKey(name, key_type(algorithm, cosigner), secret, public)


def _split_key(text: str) -> tuple[str, int, bytes]:
    parts = text.split("+", 2)
    if len(parts) != 3:
        raise KeyFormatError("a key is name+keyid+base64")
    name, hexid, blob = parts
    check_name(name)
    if len(hexid) != 8 or any(c not in "0123456789abcdef" for c in hexid):
        raise KeyFormatError("a key ID is eight lower-case hex digits")
    return name, int(hexid, 16), _b64(blob)


def parse_vkey(text: str) -> PublicKey:
    """Parse a verifier key string; raises :class:`KeyFormatError` if it is not valid."""
    text = text.strip()
    if text.startswith(_PRIVATE_PREFIX):
        raise KeyFormatError("this is a private key; give the verifier (public) key")
    name, kid, blob = _split_key(text)
    type_bytes, public = _split_type(blob)
    algorithm = _TYPES[type_bytes][0]
    if len(public) != _PUBLIC_SIZE[algorithm]:
        raise KeyFormatError(f"wrong key length for {algorithm.value}")
    if algorithm is Algorithm.sm2:
        from seawarden.ledger import sm2

        try:
            sm2.check_public(public)
        except sm2.SM2Error as exc:
            raise KeyFormatError(str(exc)) from None
    else:
        try:
            Ed25519PublicKey.from_public_bytes(public)
        except ValueError as exc:
            raise KeyFormatError(str(exc)) from None
    key = PublicKey(name, type_bytes, public)
    if key.key_id != kid:
        raise KeyFormatError("the key ID does not match the key")
    return key


def parse_skey(text: str) -> PrivateKey:
    """Parse a signer key string; raises :class:`KeyFormatError` if it is not valid."""
    text = text.strip()
    if not text.startswith(_PRIVATE_PREFIX):
        raise KeyFormatError("a signer key starts with PRIVATE+KEY+")
    name, kid, blob = _split_key(text[len(_PRIVATE_PREFIX) :])
    type_bytes, secret = _split_type(blob)
    public = _public_from_secret(_TYPES[type_bytes][0], secret)
    key = PrivateKey(name, type_bytes, secret, public)
    if key.key_id != kid:
        raise KeyFormatError("the key ID does not match the key")
    return key
