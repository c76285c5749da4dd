"""Offline verification of RFC 9162 inclusion and consistency proofs.

Standard library only, no database: this module (with :mod:`seawarden.ledger.hashing`) is
all a third party needs to check a proof. The algorithms follow RFC 9162 section 2.1.3.2
and 2.1.4.2 as implemented by transparency-dev/merkle, and agree with every vector in its
test data: hashes of the wrong length are rejected, a consistency proof from the empty
tree is rejected, and a proof with missing or extra elements is rejected.
"""

from __future__ import annotations

import hmac
from collections.abc import Sequence

from seawarden.ledger.hashing import SHA256, Hasher


class ProofError(ValueError):
    """A proof that does not verify (the message says why)."""


def _check_hash(name: str, value: object, hasher: Hasher) -> bytes:
    if not isinstance(value, bytes | bytearray | memoryview):
        raise ProofError(f"{name} is not bytes")
    value = bytes(value)
    if len(value) != hasher.size:
        raise ProofError(f"{name} has {len(value)} bytes, want {hasher.size}")
    return value


def _check_size(name: str, value: object) -> int:
    if isinstance(value, bool) or not isinstance(value, int):
        raise ProofError(f"{name} is not an integer")
    if value < 0 or value >= 1 << 64:
        raise ProofError(f"{name} {value} is out of range")
    return value


def _check_proof(proof: object, hasher: Hasher) -> list[bytes]:
    if isinstance(proof, bytes | str) or not isinstance(proof, Sequence):
        raise ProofError("proof is not a list of hashes")
    return [_check_hash(f"proof[{i}]", h, hasher) for i, h in enumerate(proof)]


def _decompose(index: int, size: int) -> tuple[int, int]:
    """Inner and border lengths of the inclusion proof for ``index`` in a tree of ``size``."""
    inner = (index ^ (size - 1)).bit_length()
    border = (index >> inner).bit_count()
    return inner, border


def _chain_inner(hasher: Hasher, seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        seed = hasher.node(seed, h) if (index >> i) & 1 == 0 else hasher.node(h, seed)
    return seed


def _chain_inner_right(hasher: Hasher, seed: bytes, proof: Sequence[bytes], index: int) -> bytes:
    for i, h in enumerate(proof):
        if (index >> i) & 1:
            seed = hasher.node(h, seed)
    return seed


def _chain_border_right(hasher: Hasher, seed: bytes, proof: Sequence[bytes]) -> bytes:
    for h in proof:
        seed = hasher.node(h, seed)
    return seed


def root_from_inclusion_proof(
    leaf_hash: bytes,
    index: int,
    tree_size: int,
    proof: Sequence[bytes],
    hasher: Hasher = SHA256,
) -> bytes:
    """The root implied by an inclusion proof; raises :class:`ProofError` on malformed input."""
    index = _check_size("index", index)
    tree_size = _check_size("tree size", tree_size)
    leaf_hash = _check_hash("leaf hash", leaf_hash, hasher)
    hashes = _check_proof(proof, hasher)
    if index >= tree_size:
        raise ProofError(f"index {index} is beyond the tree size {tree_size}")
    inner, border = _decompose(index, tree_size)
    if len(hashes) != inner + border:
        raise ProofError(f"proof has {len(hashes)} hashes, want {inner + border}")
    res = _chain_inner(hasher, leaf_hash, hashes[:inner], index)
    return _chain_border_right(hasher, res, hashes[inner:])


def check_inclusion(
    leaf_hash: bytes,
    index: int,
    tree_size: int,
    proof: Sequence[bytes],
    root: bytes,
    hasher: Hasher = SHA256,
) -> None:
    """Raise :class:`ProofError` unless the proof shows the leaf at ``index`` under ``root``."""
    root = _check_hash("root", root, hasher)
    calculated = root_from_inclusion_proof(leaf_hash, index, tree_size, proof, hasher)
    if not hmac.compare_digest(calculated, root):
        raise ProofError("the proof leads to a different root")


def check_consistency(
    size1: int,
    size2: int,
    root1: bytes,
    root2: bytes,
    proof: Sequence[bytes],
    hasher: Hasher = SHA256,
) -> None:
    """Raise :class:`ProofError` unless the tree of ``size2`` extends the tree of ``size1``."""
    size1 = _check_size("size1", size1)
    size2 = _check_size("size2", size2)
    if size1 > size2:
        raise ProofError(f"size1 {size1} is greater than size2 {size2}")
    if size1 == 0:
        raise ProofError("a consistency proof from the empty tree is meaningless")
    if size1 == size2:
        # Nothing is hashed: the two tree heads must simply be the same (as upstream).
        if isinstance(proof, bytes | str) or not isinstance(proof, Sequence) or len(proof):
            raise ProofError("equal sizes need an empty proof")
        if not isinstance(root1, bytes) or not isinstance(root2, bytes):
            raise ProofError("roots are not bytes")
        if not hmac.compare_digest(root1, root2):
            raise ProofError("equal sizes but different roots")
        return
    root1 = _check_hash("root1", root1, hasher)
    root2 = _check_hash("root2", root2, hasher)
    hashes = _check_proof(proof, hasher)
    if not hashes:
        raise ProofError("empty proof")
    inner, border = _decompose(size1 - 1, size2)
    shift = (size1 & -size1).bit_length() - 1
    inner -= shift
    if size1 == 1 << shift:
        seed, start = root1, 0
    else:
        seed, start = hashes[0], 1
    if len(hashes) != start + inner + border:
        raise ProofError(f"proof has {len(hashes)} hashes, want {start + inner + border}")
    rest = hashes[start:]
    mask = (size1 - 1) >> shift
    hash1 = _chain_inner_right(hasher, seed, rest[:inner], mask)
    hash1 = _chain_border_right(hasher, hash1, rest[inner:])
    if not hmac.compare_digest(hash1, root1):
        raise ProofError("the proof does not lead to root1")
    hash2 = _chain_inner(hasher, seed, rest[:inner], mask)
    hash2 = _chain_border_right(hasher, hash2, rest[inner:])
    if not hmac.compare_digest(hash2, root2):
        raise ProofError("the proof does not lead to root2")


def verify_inclusion(
    leaf_hash: bytes,
    index: int,
    tree_size: int,
    proof: Sequence[bytes],
    root: bytes,
    hasher: Hasher = SHA256,
) -> bool:
    """Whether ``proof`` shows the leaf hash at ``index`` in the tree of ``tree_size``/``root``."""
    try:
        check_inclusion(leaf_hash, index, tree_size, proof, root, hasher)
    except ProofError:
        return False
    return True


def verify_consistency(
    size1: int,
    size2: int,
    root1: bytes,
    root2: bytes,
    proof: Sequence[bytes],
    hasher: Hasher = SHA256,
) -> bool:
    """Whether ``proof`` shows that the tree ``size2``/``root2`` extends ``size1``/``root1``."""
    try:
        check_consistency(size1, size2, root1, root2, proof, hasher)
    except ProofError:
        return False
    return True
